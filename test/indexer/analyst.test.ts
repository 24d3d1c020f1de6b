// The indexer as an analyst meets it (issue 19, items 9 and 12), over HTTP exactly as a user sends it,
// on a local node (port 8590, or the first free pair after it) with the bench market's first hours:
//   - `ponder dev` (PGlite, port 8591): hostile SQL is refused with a code (cost ceiling, row cap) while
//     /status and GraphQL keep answering; bad SQL gets 4xx codes; model names as text; dollar views;
//     the README's curl example and the banner's /sql link; GraphQL limit errors with codes; plural names;
//     ranSeconds of settled jobs; the explorer page served without any network;
//   - `ponder start` (PostgreSQL, port 8591 again): the statement timeout stops a hostile query (cost
//     ceiling lifted for the test) while /status and GraphQL keep answering.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { PROJECT_ROOT } from "../kit/project.ts";
import { LocalChain } from "../../indexer/harness/chain.ts";
import { freePorts } from "../../scripts/start/ports.ts";
import { dropSchemas, IndexerProcess } from "../../indexer/harness/indexerProcess.ts";
import { benchScenario, HOUR, Scenario } from "../../indexer/harness/scenario.ts";

// The node and the processes beside it take 2 consecutive ports: the first free block from the default.
const NODE_PORT = await freePorts(Number(process.env.GRIDLEASE_ANALYST_TEST_PORT ?? "8590"), 2);
const INDEXER_PORT = NODE_PORT + 1;
const RUN = `${process.pid}`;

/** A three-way cross join asking for a million rows (the query of issue 19, item 9). */
const CROSS_JOIN_HUGE_LIMIT = "select * from provider_metric a, provider_metric b, provider_metric c limit 1000000";
/** A five-way cross join counted: billions of row combinations, one row of answer. */
const CROSS_JOIN_COUNT =
  "select count(*) from provider_metric a, provider_metric b, provider_metric c, provider_metric d, provider_metric e";

interface Answer {
  status: number;
  text: string;
  json: any;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** SQL over HTTP as a curl user sends it: plain SQL text in the `sql` parameter. */
const sqlText = (indexer: IndexerProcess, sql: string) => get(`${indexer.url}/sql/db?sql=${encodeURIComponent(sql)}`);

async function graphqlPost(
  indexer: IndexerProcess,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Answer> {
  const response = await fetch(`${indexer.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) };
}

/**
 * Runs `hostile` while /status and a GraphQL query are asked every 100 ms; returns the hostile answer, the
 * probe rounds finished in all and while the hostile query was still running (with the slowest answer of
 * each, for failure messages), and checks every one of them answered 200 with data.
 */
async function underHostileLoad(indexer: IndexerProcess, hostile: () => Promise<Answer>) {
  let done = false;
  let hostileRunning = true;
  const probes = { rounds: 0, duringHostile: 0, slowestStatusMs: 0, slowestGraphqlMs: 0 };
  const probe = async () => {
    while (!done) {
      const t0 = Date.now();
      const status = await fetch(`${indexer.url}/status`, { signal: AbortSignal.timeout(10_000) });
      expect(status.status, "/status").to.equal(200);
      probes.slowestStatusMs = Math.max(probes.slowestStatusMs, Date.now() - t0);
      const t1 = Date.now();
      const graphql = await graphqlPost(indexer, "{ jobs(limit: 1) { totalCount } }");
      expect(graphql.status, graphql.text).to.equal(200);
      expect(graphql.json.data.jobs.totalCount).to.be.greaterThan(0);
      probes.slowestGraphqlMs = Math.max(probes.slowestGraphqlMs, Date.now() - t1);
      probes.rounds++;
      if (hostileRunning) probes.duringHostile++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const probing = probe();
  const t0 = Date.now();
  let answer: Answer;
  let ms = 0;
  try {
    answer = await hostile();
    ms = Date.now() - t0;
  } finally {
    hostileRunning = false;
    // A few more probes after the hostile query: the service is still fine afterwards.
    await new Promise((resolve) => setTimeout(resolve, 500));
    done = true;
  }
  await probing;
  return { answer, ms, probes };
}

const errorCode = (answer: Answer) => answer.json?.error?.code as string | undefined;

describe("indexer for analysts (issue 19, items 9 and 12; local node; ponder dev, then ponder start)", function () {
  this.timeout(600_000);

  const chain = new LocalChain(NODE_PORT);
  let deployment = "";
  let dev: IndexerProcess | undefined;
  let production: IndexerProcess | undefined;
  const schema = `gl_test_analyst_${RUN}`;
  const viewsSchema = `gl_test_analyst_views_${RUN}`;
  const pgliteDir = join(tmpdir(), `gridlease-analyst-test-pglite-${RUN}`);

  before(async function () {
    await chain.start();
    const deployed = chain.deploy("indexer-analyst-test");
    deployment = deployed.folder;
    await chain.syncClock();
    const start = chain.lastTimestamp - (chain.lastTimestamp % HOUR) + HOUR + 600n;
    // A few jobs past their one-day challenge window, so some are settled.
    const scenario = new Scenario(chain, deployed.protocol, benchScenario(8), start);
    await scenario.plan();
    await scenario.runUntil(start + 28n * HOUR);
  });

  after(async function () {
    await dev?.kill9();
    await production?.kill9();
    chain.stop();
    rmSync(pgliteDir, { recursive: true, force: true });
    if (production !== undefined) dropSchemas([schema, viewsSchema]);
  });

  describe("ponder dev (PGlite)", function () {
    before(async function () {
      dev = new IndexerProcess({
        name: "analyst-dev",
        schema: "",
        viewsSchema: "",
        port: INDEXER_PORT,
        rpcUrl: chain.rpcUrl,
        deployment,
        mode: "dev",
        env: { GRIDLEASE_PGLITE_DIR: pgliteDir },
      });
      dev.start();
      await dev.waitForBlock(await chain.blockNumber(), 300_000);
    });

    after(async function () {
      await dev?.kill9();
    });

    it("test_sql_hostileCrossJoinRefusedWhileStatusAndGraphqlAnswer (item 9)", async function () {
      const indexer = dev!;
      // Three-way cross join, a million rows asked: the row cap stops it after 10,001 rows.
      const huge = await underHostileLoad(indexer, () => sqlText(indexer, CROSS_JOIN_HUGE_LIMIT));
      expect(huge.answer.status, huge.answer.text).to.equal(413);
      expect(errorCode(huge.answer)).to.equal("ROW_LIMIT_EXCEEDED");
      expect(huge.answer.json.error.message).to.match(/LIMIT 10000 or less/);
      expect(huge.ms).to.be.lessThan(10_000);
      // Five-way cross join counted: refused from its plan, before it runs (PGlite cannot time out).
      const count = await underHostileLoad(indexer, () => sqlText(indexer, CROSS_JOIN_COUNT));
      expect(count.answer.status, count.answer.text).to.equal(422);
      expect(errorCode(count.answer)).to.equal("QUERY_TOO_EXPENSIVE");
      expect(count.answer.json.error.message).to.match(/WHERE/);
      // Each probe answered 200 with data (checked as it ran). PGlite is one connection, so its probes wait
      // their turn; how long they wait is a speed figure, for a benchmark rather than this test.
      for (const run of [huge, count]) expect(run.probes.rounds, JSON.stringify(run.probes)).to.be.greaterThan(0);
      // And the same queries as @ponder/client sends them (superjson).
      expect((await indexer.sql(CROSS_JOIN_HUGE_LIMIT)).status).to.equal(413);
      const fine = await indexer.sql("select count(*) as n from job");
      expect(fine.status, fine.text).to.equal(200);
      expect(Number(fine.rows[0]!.n)).to.be.greaterThan(0);
    });

    it("test_sql_badQueriesGet4xxWithACode (items 9 and 12)", async function () {
      const indexer = dev!;
      const cases: [string | undefined, number, string][] = [
        [undefined, 400, "MISSING_SQL"],
        ["delete from job", 400, "SQL_NOT_ALLOWED"],
        ["selec id form job", 400, "SQL_SYNTAX_ERROR"],
        ["select * from no_such_table", 400, "SQL_ERROR"],
        ["select id from job limit -1", 400, "NEGATIVE_LIMIT"],
        ["select id from job order by id limit 5 offset -2", 400, "NEGATIVE_LIMIT"],
        ['{"json":{"params":[]}}', 400, "MALFORMED_SQL_PARAMETER"],
      ];
      for (const [sql, status, code] of cases) {
        const answer = sql === undefined ? await get(`${indexer.url}/sql/db`) : await sqlText(indexer, sql);
        expect(answer.status, `${sql}: ${answer.text}`).to.equal(status);
        expect(errorCode(answer), `${sql}: ${answer.text}`).to.equal(code);
        expect(answer.json.error.message, String(sql)).to.be.a("string").and.have.length.greaterThan(20);
      }
    });

    it("test_names_modelIdsAsText (item 12)", async function () {
      const indexer = dev!;
      const jobs = await sqlText(indexer, "select gpu_model, gpu_model_name from job order by id limit 20");
      expect(jobs.status, jobs.text).to.equal(200);
      for (const row of jobs.json.rows) {
        expect(row.gpu_model_name).to.match(/^[A-Z0-9]+$/);
        expect(Buffer.from(row.gpu_model.slice(2), "hex").toString("utf8").replace(/\0+$/, "")).to.equal(
          row.gpu_model_name,
        );
      }
      expect(jobs.json.rows.map((row: { gpu_model_name: string }) => row.gpu_model_name)).to.include("H100");
      for (const sql of [
        "select model_name from model_metric group by model_name order by model_name",
        "select model_name from gpu_line group by model_name order by model_name",
      ]) {
        const answer = await sqlText(indexer, sql);
        expect(answer.status, answer.text).to.equal(200);
        expect(answer.json.rows.map((row: { model_name: string }) => row.model_name)).to.include("H100");
      }
      const graphql = await graphqlPost(
        indexer,
        "{ providers(limit: 3) { items { models modelNames } } jobs(limit: 3) { items { gpuModelName } } }",
      );
      expect(graphql.json.errors, graphql.text).to.equal(undefined);
      for (const p of graphql.json.data.providers.items) expect(p.modelNames).to.have.length(p.models.length);
      expect(graphql.json.data.providers.items[0].modelNames[0]).to.match(/^[A-Z0-9]+$/);
    });

    it("test_usd_decimalViewsEqualTheExactIntegers (item 12)", async function () {
      const indexer = dev!;
      const toWei = (decimal: string | null) => {
        if (decimal === null) return null;
        const [whole, fraction = ""] = decimal.split(".");
        return BigInt(whole!) * 10n ** 18n + BigInt(fraction.padEnd(18, "0") || "0");
      };
      const network = await sqlText(
        indexer,
        `select n.gross_usd as exact_gross, u.gross_usd as gross, n.fees_usd as exact_fees, u.fees_usd as fees
         from network_metric n join network_metric_usd u on u.period = n.period::text and u.period_start = n.period_start
         where n.period = 'all'`,
      );
      expect(network.status, network.text).to.equal(200);
      const all = network.json.rows[0];
      expect(BigInt(all.exact_gross)).to.be.greaterThan(0n);
      expect(toWei(all.gross)).to.equal(BigInt(all.exact_gross));
      expect(toWei(all.fees)).to.equal(BigInt(all.exact_fees));
      expect(all.gross).to.match(/^\d+(\.\d{1,18})?$/);
      const prices = await sqlText(
        indexer,
        `select m.median_price as exact, u.median_price as dollars, u.model_name from model_metric m
         join model_price_usd u on u.model = m.model and u.period = m.period::text and u.period_start = m.period_start
         where m.period = 'all' and m.median_price is not null`,
      );
      expect(prices.status, prices.text).to.equal(200);
      expect(prices.json.rows.length).to.be.greaterThan(0);
      for (const row of prices.json.rows) expect(toWei(row.dollars)).to.equal(BigInt(row.exact));
      const graphql = await graphqlPost(
        indexer,
        `{ networkMetricUsds(where: { period: "all" }) { items { grossUsd feesUsd } } jobUsds(limit: 5) { items { id gpuModelName valueUsd } } }`,
      );
      expect(graphql.json.errors, graphql.text).to.equal(undefined);
      expect(toWei(String(graphql.json.data.networkMetricUsds.items[0].grossUsd))).to.equal(BigInt(all.exact_gross));
    });

    it("test_sql_readmeCurlExampleAndBannerLinkWork (item 12)", async function () {
      const indexer = dev!;
      // The banner prints `<indexer>/sql`: it answers with the usage, not 404.
      const banner = readFileSync(join(PROJECT_ROOT, "scripts", "start.ts"), "utf8");
      const link = /SQL over HTTP[^\n]*\$\{indexerUrl\}(\/sql[^\s`"]*)/.exec(banner);
      expect(link, "the banner's SQL line").to.not.equal(null);
      const usage = await get(`${indexer.url}${link![1]}`);
      expect(usage.status, usage.text).to.equal(200);
      expect(usage.text).to.match(/curl -sG/);
      // The README's curl example, verbatim but for the host and port.
      const readme = readFileSync(join(PROJECT_ROOT, "indexer", "README.md"), "utf8");
      const examples = readme.split("\n").filter((line) => /^curl -sG .*\/sql\/db /.test(line));
      expect(examples.length).to.be.greaterThan(0);
      for (const example of examples) {
        const command = example.replace(/http:\/\/localhost:42069/g, indexer.url);
        const out = execFileSync("sh", ["-c", command], { encoding: "utf8" });
        const body = JSON.parse(out);
        expect(body.rows, `${example}: ${out}`).to.be.an("array").with.length.greaterThan(0);
      }
    });

    it("test_graphql_limitErrorsHaveCodes (item 12)", async function () {
      const indexer = dev!;
      const cases: [string, Record<string, unknown> | undefined, string][] = [
        ["{ jobs(limit: -1) { items { id } } }", undefined, "NEGATIVE_LIMIT"],
        ["query($n: Int) { jobs(limit: $n) { items { id } } }", { n: -5 }, "NEGATIVE_LIMIT"],
        ["{ jobs(limit: 1000000) { items { id } } }", undefined, "PAGE_SIZE_EXCEEDED"],
        ["{ jobs(limit: 2.5) { items { id } } }", undefined, "INVALID_LIMIT"],
        ['{ jobs(limit: "10") { items { id } } }', undefined, "INVALID_LIMIT"],
      ];
      for (const [query, variables, code] of cases) {
        const answer = await graphqlPost(indexer, query, variables);
        expect(answer.status, answer.text).to.equal(400);
        expect(answer.json.errors[0].extensions.code, answer.text).to.equal(code);
        expect(answer.json.errors[0].message).to.not.match(/Syntax Error/);
      }
      const fine = await graphqlPost(indexer, "{ jobs(limit: 0) { items { id } } }");
      expect(fine.status).to.equal(200);
    });

    it("test_graphql_pluralNamesReadWell (item 12)", async function () {
      const indexer = dev!;
      const answer = await graphqlPost(
        indexer,
        "{ slashEvents { totalCount } marketParameterSets { items { id feeBps } } }",
      );
      expect(answer.json.errors, answer.text).to.equal(undefined);
      expect(answer.json.data.marketParameterSets.items.length).to.be.greaterThan(0);
      const one = await graphqlPost(indexer, "{ marketParameterSet(id: 1) { feeBps } }");
      expect(one.json.errors, one.text).to.equal(undefined);
      for (const old of ["slashs", "marketParamss"]) {
        const gone = await graphqlPost(indexer, `{ ${old} { totalCount } }`);
        expect(gone.json.errors, old).to.have.length(1);
      }
    });

    it("test_jobs_ranSecondsFilledForSettledJobs (item 12)", async function () {
      const indexer = dev!;
      const settled = await sqlText(
        indexer,
        "select id, ran_seconds, started_at, delivered_at, ends_at from job where state = 'Settled' order by id",
      );
      expect(settled.status, settled.text).to.equal(200);
      expect(settled.json.rows.length).to.be.greaterThan(0);
      for (const row of settled.json.rows) {
        const end = BigInt(row.delivered_at) < BigInt(row.ends_at) ? BigInt(row.delivered_at) : BigInt(row.ends_at);
        expect(row.ran_seconds, `job ${row.id}`).to.not.equal(null);
        expect(BigInt(row.ran_seconds), `job ${row.id}`).to.equal(end - BigInt(row.started_at));
        expect(BigInt(row.ran_seconds)).to.be.greaterThan(0n);
      }
      const graphql = await graphqlPost(
        indexer,
        '{ jobs(where: { state: "Settled" }, limit: 5) { items { ranSeconds } } }',
      );
      for (const job of graphql.json.data.jobs.items) expect(job.ranSeconds).to.not.equal(null);
    });

    it("test_explorer_servedFromLocalFilesOnly (item 12)", async function () {
      const indexer = dev!;
      for (const path of ["/graphql", "/explorer"]) {
        const page = await get(`${indexer.url}${path}`, { accept: "text/html" });
        expect(page.status).to.equal(200);
        expect(page.text).to.match(/<title>Gridlease indexer: GraphQL explorer<\/title>/);
        // Nothing loaded from elsewhere: no script, style or link to another host.
        expect(page.text).to.not.match(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
        expect(page.text).to.not.match(/@import|url\(/i);
        expect(page.text).to.not.match(/<script[^>]+src=/i);
        const scripts = [...page.text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
        expect(scripts).to.have.length(1);
        expect(() => new Function(scripts[0]!)).to.not.throw();
        // The explorer's own schema query works within the server's GraphQL limits.
        const introspection = /var INTROSPECTION = "([^"]+)"/.exec(scripts[0]!)![1]!;
        const schema = await graphqlPost(indexer, introspection);
        expect(schema.json.errors, schema.text).to.equal(undefined);
        const fields = schema.json.data.__schema.types.find((t: { name: string }) => t.name === "Query").fields;
        expect(fields.map((f: { name: string }) => f.name)).to.include.members([
          "jobs",
          "slashEvents",
          "networkMetricUsds",
        ]);
      }
    });
  });

  describe("ponder start (PostgreSQL)", function () {
    before(async function () {
      await dev?.kill9(); // the port is the same
      production = new IndexerProcess({
        name: "analyst-pg",
        schema,
        viewsSchema,
        port: INDEXER_PORT,
        rpcUrl: chain.rpcUrl,
        deployment,
        // The cost ceiling lifted, so the hostile query reaches PostgreSQL and the timeout must stop it.
        env: { GRIDLEASE_SQL_TIMEOUT_MS: "1500", GRIDLEASE_SQL_MAX_COST: "1e15" },
      });
      production.start();
      await production.waitForBlock(await chain.blockNumber(), 180_000);
    });

    it("test_sql_statementTimeoutStopsHostileQueryWhileStatusAndGraphqlAnswer (item 9)", async function () {
      const indexer = production!;
      const count = await underHostileLoad(indexer, () => sqlText(indexer, CROSS_JOIN_COUNT));
      expect(count.answer.status, count.answer.text).to.equal(422);
      expect(errorCode(count.answer)).to.equal("QUERY_TIMEOUT");
      expect(count.answer.json.error.message).to.match(/1500 ms/);
      expect(count.ms, JSON.stringify(count.probes)).to.be.lessThan(10_000);
      // Three at once: the pool is not starved either.
      const three = await underHostileLoad(indexer, async () => {
        const answers = await Promise.all([1, 2, 3].map(() => sqlText(indexer, CROSS_JOIN_COUNT)));
        for (const answer of answers) expect(errorCode(answer), answer.text).to.equal("QUERY_TIMEOUT");
        return answers[0]!;
      });
      const huge = await underHostileLoad(indexer, () => sqlText(indexer, CROSS_JOIN_HUGE_LIMIT));
      expect(huge.answer.status, huge.answer.text).to.equal(413);
      expect(errorCode(huge.answer)).to.equal("ROW_LIMIT_EXCEEDED");
      for (const run of [count, three, huge])
        expect(run.probes.rounds, JSON.stringify(run.probes)).to.be.greaterThan(0);
      // Not starved: while the hostile queries ran to their 1,500 ms timeout, /status and GraphQL kept answering
      // on the pool's other connections (not merely after the timeout freed them).
      for (const run of [count, three]) {
        expect(run.probes.duringHostile, JSON.stringify(run.probes)).to.be.greaterThan(0);
      }
      const bad = await sqlText(indexer, "select id from job limit -1");
      expect(errorCode(bad), bad.text).to.equal("NEGATIVE_LIMIT");
      const fine = await indexer.sql("select count(*) as n from job");
      expect(fine.status, fine.text).to.equal(200);
    });
  });
});
