// The indexer's HTTP API beyond Ponder's own: the response cache (indexer/src/api/cache.ts), in-process with
// a stand-in data version, then end to end on a local node (port 8588, or the first free pair after it)
// with a scenario of a few hours:
//   - `ponder dev` (PGlite, port 8589): SQL over HTTP serves the metric tables Ponder's indexing store
//     shadows with temporary tables of the same name (issue 6);
//   - `ponder start` (PostgreSQL, port 8589 again, after the dev indexer): cached GraphQL and /summary
//     answers equal fresh ones, follow every indexed block and a reorg that replaces a block by one of the
//     same number and timestamp, and errors are never cached.
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { type BaseContract, ZeroAddress } from "ethers";
import { Hono } from "hono";

import {
  CACHE_HEADER,
  requestText,
  ResponseCache,
  responseCache,
  VersionReader,
  type StoredResponse,
} from "../../indexer/src/api/cache.ts";
import type { Protocol } from "../../sdk/contracts.ts";
import { LocalChain } from "../../indexer/harness/chain.ts";
import { freePorts } from "../../scripts/start/ports.ts";
import { dropSchemas, IndexerProcess, psql, waitFor } from "../../indexer/harness/indexerProcess.ts";
import { benchScenario, h100JobRequest, HOUR, Scenario } from "../../indexer/harness/scenario.ts";

// The node and the processes beside it take 2 consecutive ports: the first free block from the default.
const NODE_PORT = await freePorts(Number(process.env.GRIDLEASE_API_TEST_PORT ?? "8588"), 2);
const INDEXER_PORT = NODE_PORT + 1;
const RUN = `${process.pid}`;

const stored = (text: string, status = 200): StoredResponse => ({
  status,
  headers: [["content-type", "application/json"]],
  body: new TextEncoder().encode(text),
});

describe("indexer API: response cache (in-process)", function () {
  /** An app whose handler counts its runs and answers with the current stand-in data. */
  function harness(options: { cacheBytes?: number } = {}) {
    const state = { version: "v1", data: "a", runs: 0, reads: 0, status: 200, during: () => {} };
    const cache = new ResponseCache(options.cacheBytes ?? 1 << 20);
    const versions = new VersionReader(
      async () => {
        state.reads++;
        return state.version;
      },
      (version) => cache.setVersion(version),
    );
    const app = new Hono();
    app.use(
      "/q",
      responseCache({
        cache,
        versions,
        key: async (c) => requestText(c),
        cacheable: (response) => response.status === 200,
      }),
    );
    app.post("/q", async (c) => {
      state.runs++;
      state.during();
      const body = await c.req.text();
      return c.json({ body, data: state.data }, state.status as 200);
    });
    const ask = async (body: string, headers: Record<string, string> = {}) => {
      const response = await app.request("/q", { method: "POST", body, headers });
      // The entry is stored after the answer goes out (one more version read).
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { status: response.status, state: response.headers.get(CACHE_HEADER), text: await response.text() };
    };
    return { state, cache, versions, ask };
  }

  it("answers a repeated request from memory with the same body", async function () {
    const { state, ask } = harness();
    const first = await ask("query 1");
    const second = await ask("query 1");
    expect(first.state).to.equal("miss");
    expect(second.state).to.equal("hit");
    expect(second.text).to.equal(first.text);
    expect(state.runs).to.equal(1);
    expect((await ask("query 2")).state).to.equal("miss");
  });

  it("drops every answer when the data version moves", async function () {
    const { state, ask } = harness();
    await ask("query 1");
    state.version = "v2";
    state.data = "b";
    const after = await ask("query 1");
    expect(after.state).to.equal("miss");
    expect(JSON.parse(after.text).data).to.equal("b");
    expect((await ask("query 1")).state).to.equal("hit");
  });

  it("does not store an answer computed while the version moved", async function () {
    const { state, cache, ask } = harness();
    // A block is indexed while the handler runs: its answer may mix both versions.
    state.during = () => {
      state.version = "v2";
      state.data = "b";
    };
    expect((await ask("query 1")).state).to.equal("miss");
    expect(cache.size).to.equal(0);
    state.during = () => {};
    expect((await ask("query 1")).state).to.equal("miss");
    expect((await ask("query 1")).state).to.equal("hit");
  });

  it("never stores errors", async function () {
    const { state, ask } = harness();
    state.status = 500;
    expect((await ask("query 1")).state).to.equal("miss");
    expect((await ask("query 1")).state).to.equal("miss");
    expect(state.runs).to.equal(2);
  });

  it("computes afresh on Cache-Control: no-cache", async function () {
    const { state, ask } = harness();
    await ask("query 1");
    const fresh = await ask("query 1", { "cache-control": "no-cache" });
    expect(fresh.state).to.equal("bypass");
    expect(state.runs).to.equal(2);
    expect((await ask("query 1")).state).to.equal("hit");
  });

  it("shares one computation among identical concurrent misses", async function () {
    const { state, versions, ask } = harness();
    const answers = await Promise.all(Array.from({ length: 20 }, () => ask("query 1")));
    expect(new Set(answers.map((a) => a.text)).size).to.equal(1);
    expect(state.runs).to.equal(1);
    // Twenty requests, a handful of version reads (each read serves every request waiting for it).
    expect(versions.reads).to.be.lessThan(6);
  });

  it("keeps within its byte budget, evicting the least recently used", function () {
    const cache = new ResponseCache(8 * 1024);
    cache.setVersion("v");
    const body = "x".repeat(700);
    for (let i = 0; i < 20; i++) cache.set("v", `key ${i}`, stored(body));
    expect(cache.bytes).to.be.at.most(8 * 1024);
    expect(cache.size).to.be.lessThan(20);
    expect(cache.get("v", "key 19")).to.not.equal(undefined);
    expect(cache.get("v", "key 0")).to.equal(undefined);
    // A recently read entry survives the next evictions.
    const survivor = `key ${20 - cache.size}`;
    expect(cache.get("v", survivor)).to.not.equal(undefined);
    for (let i = 20; i < 25; i++) cache.set("v", `key ${i}`, stored(body));
    expect(cache.get("v", survivor)).to.not.equal(undefined);
    // An answer above an eighth of the budget is not kept at all.
    expect(cache.set("v", "big", stored("x".repeat(1100)))).to.equal(false);
    expect(cache.set("old", "key", stored(body))).to.equal(false);
  });

  it("starts a version read only after the caller asked", async function () {
    const started: number[] = [];
    let calls = 0;
    const release: (() => void)[] = [];
    const versions = new VersionReader(() => {
      started.push(calls);
      return new Promise<string>((resolve) => release.push(() => resolve(`v${started.length}`)));
    });
    calls = 1;
    const first = versions.next();
    calls = 2;
    // A read is under way: this caller must wait for the next one, shared with later callers.
    const second = versions.next();
    const third = versions.next();
    release.shift()!();
    expect(await first).to.equal("v1");
    await new Promise((resolve) => setTimeout(resolve, 0));
    release.shift()!();
    expect(await second).to.equal("v2");
    expect(await third).to.equal("v2");
    expect(started).to.deep.equal([1, 2]);
  });
});

describe("indexer API end to end (local node; ponder dev, then ponder start)", function () {
  this.timeout(600_000);

  const chain = new LocalChain(NODE_PORT);
  let protocol: Protocol;
  let deployment = "";
  let dev: IndexerProcess | undefined;
  let production: IndexerProcess | undefined;
  const schema = `gl_test_api_${RUN}`;
  const pgliteDir = join(tmpdir(), `gridlease-api-test-pglite-${RUN}`);
  const viewsSchema = `gl_test_api_views_${RUN}`;

  before(async function () {
    await chain.start();
    const deployed = chain.deploy("indexer-api-test");
    deployment = deployed.folder;
    protocol = deployed.protocol;
    await chain.syncClock();
    const start = chain.lastTimestamp - (chain.lastTimestamp % HOUR) + HOUR + 600n;
    // The bench market's first five hours: a job every 15 minutes, 12 providers. At every hour roll-over
    // each provider's hour, day and cumulative rows are updated (36 rows in one flush, more than the 20 of
    // Ponder's batch threshold), so the indexing store goes through its temporary provider_metric table.
    const scenario = new Scenario(chain, protocol, benchScenario(40), start);
    await scenario.plan();
    await scenario.runUntil(start + 5n * HOUR);
  });

  after(async function () {
    await dev?.kill9();
    await production?.kill9();
    chain.stop();
    rmSync(pgliteDir, { recursive: true, force: true });
    if (production !== undefined) dropSchemas([schema, viewsSchema]);
  });

  const fetchGraphql = async (indexer: IndexerProcess, query: string, fresh = false) => {
    const response = await fetch(`${indexer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(fresh ? { "cache-control": "no-cache" } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, cache: response.headers.get(CACHE_HEADER), text: await response.text() };
  };

  describe("ponder dev (PGlite)", function () {
    it("test_sql_servesMetricTablesRewrittenAtHourRollOver", async function () {
      // A PGlite directory of its own, so a developer's `npm start` in this checkout is left alone.
      dev = new IndexerProcess({
        name: "api-dev",
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
      const tables = {
        network_metric: { field: "networkMetrics", subject: undefined },
        model_metric: { field: "modelMetrics", subject: "model" },
        provider_metric: { field: "providerMetrics", subject: "provider" },
      };
      for (const [table, { field, subject }] of Object.entries(tables)) {
        const keys = subject === undefined ? "period, period_start" : `${subject}, period, period_start`;
        const sql = await dev.sql(`select ${keys} from ${table} order by ${keys}`);
        expect(sql.status, `${table}: ${sql.text}`).to.equal(200);
        const graphqlKeys = subject === undefined ? "period periodStart" : `${subject} period periodStart`;
        const graphql = await dev.graphql(`{ ${field}(limit: 200) { totalCount items { ${graphqlKeys} } } }`);
        expect(graphql.errors).to.equal(undefined);
        const fromGraphql = (graphql.data[field].items as Record<string, string>[])
          .map((row) => `${subject === undefined ? "" : `${row[subject]}|`}${row.period}|${row.periodStart}`)
          .sort();
        const fromSql = sql.rows
          .map((row) => `${subject === undefined ? "" : `${row[subject]}|`}${row.period}|${row.period_start}`)
          .sort();
        expect(graphql.data[field].totalCount, table).to.be.greaterThan(5).and.at.most(200);
        expect(fromSql, table).to.deep.equal(fromGraphql);
      }
      // Still read-only, and the dev API answers uncached (the cache runs on PostgreSQL only).
      expect((await dev.sql("delete from provider_metric")).status).to.not.equal(200);
      expect((await fetchGraphql(dev, "{ jobs { totalCount } }")).cache).to.equal(null);
    });

    it("test_parameterChanges_recordsEachContractsSettersAsGovernanceSentThem", async function () {
      // A passed proposal reaches the contracts as calls from the timelock: the node sends them as it.
      const timelock = await protocol.timelock.getAddress();
      await chain.provider.send("hardhat_impersonateAccount", [timelock]);
      await chain.provider.send("hardhat_setBalance", [timelock, "0x56bc75e2d63100000"]);
      const asGovernance = async (contract: BaseContract, method: string, args: unknown[]) => {
        const data = contract.interface.encodeFunctionData(method, args);
        const hash = (await chain.provider.send("eth_sendTransaction", [
          { from: timelock, to: await contract.getAddress(), data },
        ])) as string;
        const receipt = await chain.provider.getTransactionReceipt(hash);
        expect(receipt?.status, `${method} as the timelock`).to.equal(1);
      };
      const unbonding = await protocol.registry.unbondingPeriod();
      const spread = await protocol.settlement.spreadBps();
      const treasury = await protocol.market.treasury();
      const newTreasury = chain.wallets[7].address;
      await asGovernance(protocol.registry, "setUnbondingPeriod", [unbonding + 86_400n]);
      await asGovernance(protocol.settlement, "setSpreadBps", [spread + 25n]);
      await asGovernance(protocol.market, "setTreasury", [newTreasury]);
      await chain.provider.send("hardhat_stopImpersonatingAccount", [timelock]);
      await chain.syncClock();
      await dev!.waitForBlock(await chain.blockNumber(), 120_000);

      const rows = async (where: string) => {
        const answer = await dev!.graphql(
          `{ parameterChanges(where: ${where}, orderBy: "blockNumber", orderDirection: "asc", limit: 10) {
               items { contract name previous current } } }`,
        );
        expect(answer.errors).to.equal(undefined);
        return answer.data.parameterChanges.items as Record<string, string>[];
      };
      // Each contract's constructor leaves a row first (from nothing), then governance's follows.
      const unbondings = await rows(`{ name: "unbondingPeriod" }`);
      expect(unbondings.map((r) => [r.contract, r.previous, r.current])).to.deep.equal([
        ["ProviderRegistry", "0", `${unbonding}`],
        ["ProviderRegistry", `${unbonding}`, `${unbonding + 86_400n}`],
      ]);
      const spreads = await rows(`{ name: "spreadBps" }`);
      expect(spreads.map((r) => [r.contract, r.previous, r.current])).to.deep.equal([
        ["Settlement", "0", `${spread}`],
        ["Settlement", `${spread}`, `${spread + 25n}`],
      ]);
      const treasuries = await rows(`{ contract: "JobMarket", name: "treasury" }`);
      // Addresses as Ponder decodes them: lower case.
      const [zero, first, second] = [ZeroAddress, treasury, newTreasury].map((a) => a.toLowerCase());
      expect(treasuries.map((r) => [r.previous, r.current])).to.deep.equal([
        [zero, first],
        [first, second],
      ]);
    });

    after(async function () {
      await dev?.kill9();
    });
  });

  describe("ponder start (PostgreSQL): the response cache", function () {
    const JOBS = `{ jobs(orderBy: "id", orderDirection: "desc", limit: 3) { totalCount items { id renter gpuCount } } indexerClock(id: 0) { blockNumber blockTimestamp } }`;
    const DASHBOARD = [
      `{ networkMetrics(where: { period: hour }, orderBy: "periodStart", orderDirection: "desc", limit: 24) { items { periodStart grossUsd utilization jobsCreated } } }`,
      `{ modelMetrics(where: { period: day }, orderBy: "periodStart", orderDirection: "desc", limit: 30) { items { model periodStart medianPrice vwapPrice } } }`,
      `{ reputationLeaderboards(orderBy: "rank", limit: 20) { items { rank address reputation } } }`,
      `{ providerMetrics(where: { period: day }, orderBy: "periodStart", orderDirection: "desc", limit: 100) { items { provider periodStart utilization } } }`,
    ];
    const request = (gpuCount: number) => h100JobRequest(protocol, gpuCount);
    const summary = async (indexer: IndexerProcess) => {
      const response = await fetch(`${indexer.url}/summary`);
      return { cache: response.headers.get(CACHE_HEADER), text: await response.text() };
    };
    /** Waits until the indexer's database holds job `id` with `renter` (direct SQL, no API cache). */
    const waitForJob = (id: bigint, renter: string) =>
      waitFor(
        async () => psql(`select renter from "${schema}".job where id = ${id}`) === renter.toLowerCase(),
        60_000,
        () => `job ${id} of ${renter} never reached ${schema}`,
      );

    before(async function () {
      await dev?.kill9(); // the port is the same
      production = new IndexerProcess({
        name: "api-pg",
        schema,
        viewsSchema,
        port: INDEXER_PORT,
        rpcUrl: chain.rpcUrl,
        deployment,
      });
      production.start();
      await production.waitForBlock(await chain.blockNumber(), 180_000);
    });

    it("test_cache_answersRepeatedQueriesWithTheFreshAnswer", async function () {
      const indexer = production!;
      for (const query of [...DASHBOARD, JOBS]) {
        const first = await fetchGraphql(indexer, query);
        expect(first.status).to.equal(200);
        expect(JSON.parse(first.text).errors, query).to.equal(undefined);
        await waitFor(
          async () => (await fetchGraphql(indexer, query)).cache === "hit",
          5_000,
          () => `no hit for ${query}`,
        );
        const hit = await fetchGraphql(indexer, query);
        const fresh = await fetchGraphql(indexer, query, true);
        expect(hit.cache).to.equal("hit");
        expect(fresh.cache).to.equal("bypass");
        // Equal as JSON: Ponder's executor orders root fields as their resolvers finish, so two computed
        // answers to a query with several root fields can differ in key order.
        expect(JSON.parse(hit.text)).to.deep.equal(JSON.parse(fresh.text));
      }
      await summary(indexer);
      await waitFor(
        async () => (await summary(indexer)).cache === "hit",
        5_000,
        () => "no hit for /summary",
      );
      const fresh = await fetch(`${indexer.url}/summary`, { headers: { "cache-control": "no-cache" } });
      expect(JSON.parse((await summary(indexer)).text)).to.deep.equal(await fresh.json());
    });

    it("test_cache_followsEveryIndexedBlock", async function () {
      const indexer = production!;
      await waitFor(
        async () => (await fetchGraphql(indexer, JOBS)).cache === "hit",
        5_000,
        () => "no hit",
      );
      const before = JSON.parse((await fetchGraphql(indexer, JOBS)).text).data;
      const summaryBefore = JSON.parse((await summary(indexer)).text);
      const renter = chain.wallets[6]!;
      await chain.send(renter, protocol.market, "createJob", [request(1)]);
      const block = await chain.blockNumber();
      const id = BigInt(before.jobs.totalCount) + 1n;
      await waitForJob(id, renter.address);
      await waitFor(
        async () => (await indexer.statusBlock()) >= block,
        30_000,
        () => `block ${block} not indexed`,
      );
      const after = await fetchGraphql(indexer, JOBS);
      expect(after.cache).to.equal("miss");
      const data = JSON.parse(after.text).data;
      expect(data.jobs.totalCount).to.equal(before.jobs.totalCount + 1);
      expect(data.jobs.items[0].renter).to.equal(renter.address.toLowerCase());
      expect(Number(data.indexerClock.blockNumber)).to.equal(block);
      expect(data).to.deep.equal(JSON.parse((await fetchGraphql(indexer, JOBS, true)).text).data);
      expect(JSON.parse((await summary(indexer)).text).asOf.blockNumber).to.equal(String(block));
      expect(summaryBefore.asOf.blockNumber).to.not.equal(String(block));
    });

    it("test_cache_followsReorgToBlockOfSameNumberAndTimestamp", async function () {
      const indexer = production!;
      const [first, second] = [chain.wallets[7]!, chain.wallets[8]!];
      const id = (await protocol.market.jobCount()) + 1n;
      const at = chain.lastTimestamp + 60n;
      const snapshot = await chain.snapshot();
      await chain.send(first, protocol.market, "createJob", [request(2)], at);
      const block = await chain.blockNumber();
      await waitForJob(id, first.address);
      await waitFor(
        async () => (await indexer.statusBlock()) >= block,
        30_000,
        () => `block ${block} not indexed`,
      );
      const checkpoint = () => psql(`select latest_checkpoint from "${schema}"._ponder_checkpoint`);
      const replaced = checkpoint();
      await waitFor(
        async () => (await fetchGraphql(indexer, JOBS)).cache === "hit",
        5_000,
        () => "no hit",
      );
      expect(JSON.parse((await fetchGraphql(indexer, JOBS)).text).data.jobs.items[0].renter).to.equal(
        first.address.toLowerCase(),
      );

      // The same block number and timestamp, another job: Ponder's checkpoint ends where it was.
      await chain.revert(snapshot);
      await chain.send(second, protocol.market, "createJob", [request(3)], at);
      expect(await chain.blockNumber()).to.equal(block);
      await waitForJob(id, second.address);
      await waitFor(
        async () => checkpoint() === replaced,
        30_000,
        () => "the replacing block was not indexed",
      );
      expect(indexer.logLines().some((l) => l.msg === "Reorged block")).to.equal(true);
      const after = await fetchGraphql(indexer, JOBS);
      expect(after.cache).to.not.equal("hit");
      const job = JSON.parse(after.text).data.jobs.items[0];
      expect(job).to.deep.include({ id: String(id), renter: second.address.toLowerCase(), gpuCount: 3 });
      expect(JSON.parse(after.text)).to.deep.equal(JSON.parse((await fetchGraphql(indexer, JOBS, true)).text));
    });

    it("test_cache_neverStoresErrors", async function () {
      const indexer = production!;
      for (const query of [
        "{ jobs(limit: 1000) { items { id } } }",
        "{ jobs { items { id noSuchField } } }",
        "{ jobs { items { id ",
      ]) {
        for (let i = 0; i < 3; i++) {
          const answer = await fetchGraphql(indexer, query);
          expect(answer.cache, query).to.equal("miss");
          expect(JSON.parse(answer.text).errors, query).to.have.length.greaterThan(0);
        }
      }
      expect((await fetchGraphql(indexer, "{ jobs(limit: 200) { totalCount } }")).text).to.match(/"totalCount":\d+/);
    });
  });
});
