// The Ponder indexer end to end, on a local Hardhat node (port 8581) deployed with Ignition, driven by a
// seeded scenario with every job outcome in both payment paths over ten days of chain time, and indexed
// in production mode (`ponder start` on the machine's PostgreSQL).
//
// The tests share one chain and run in order, as one story:
//   1. indexer B is killed (kill -9) during its backfill and restarted;
//   2. indexer C is killed while live, the market keeps running, and C is restarted;
//   3. the node reorganises (evm_snapshot, blocks, evm_revert, other blocks) under B and C;
//   4. indexer A indexes the final chain in one uninterrupted run: A, B and C hold the same rows;
//   5. A's figures equal the same figures computed here from the raw logs;
//   6. bad queries get clear errors and A keeps serving.
import { expect } from "chai";

import type { Protocol } from "../../scripts/lib/deployment.js";
import { LocalChain } from "./helpers/chain.js";
import { dropSchemas, IndexerProcess, psql, SlowProxy, waitFor } from "./helpers/indexer.js";
import { Scenario, TEST_SCENARIO, DAY, HOUR, modelId } from "./helpers/scenario.js";
import { computeTruth, fetchLogs, type Truth } from "./helpers/truth.js";

const NODE_PORT = Number(process.env.GRIDLEASE_INDEXER_TEST_PORT ?? "8581");
const DEPLOYMENT_ID = "indexer-test";
const RUN = `${process.pid}`;

/** Every table and its primary key, for comparing two indexers row by row. */
const TABLES: Record<string, string> = {
  indexer_clock: "id",
  payment_token: "address",
  provider: "address",
  gpu_model: "id",
  gpu_line: "provider, model",
  job: "id",
  bid: "job_id, provider",
  payout: "job_id, seq",
  dispute: "job_id",
  slash: "block_number, log_index",
  credit_purchase: "block_number, log_index",
  mint: "block_number, log_index",
  burn: "block_number, log_index",
  emission: "epoch, provider",
  emission_epoch: "epoch",
  earnings_withdrawal: "block_number, log_index",
  parameter_change: "block_number, log_index",
  market_params: "id",
  withdrawal: "block_number, log_index",
  mint_ticket: "id",
  renter: "address",
  renter_period: "renter, period, period_start",
  network_metric: "period, period_start",
  token_metric: "token, period, period_start",
  model_metric: "model, period, period_start",
  price_sample: "model, period, period_start",
  provider_metric: "provider, period, period_start",
  reputation_leaderboard: "rank, address",
};

type Row = Record<string, string | number | null>;

/** All rows of a GraphQL list field, 200 at a time through the cursors. */
async function allRows(indexer: IndexerProcess, field: string, selection: string, where = ""): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await indexer.graphql(
      `query Page($after: String) { ${field}(limit: 200, after: $after${where === "" ? "" : `, where: ${where}`}) {
        items { ${selection} } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    if (result.errors !== undefined) throw new Error(`${field}: ${result.errors[0]!.message}`);
    const page = result.data[field] as { items: Row[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    rows.push(...page.items);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

const big = (value: string | number | null | undefined): bigint => BigInt(value ?? 0);

/**
 * Ratios are floats: equal to the exact quotient within 1e-12 (relative). Compared by hand because the
 * chai-matchers plugin that other test files load turns closeTo into a bigint comparison.
 */
function expectRatio(actual: unknown, expected: number, what: string): void {
  const value = Number(actual);
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  expect(Math.abs(value - expected) <= tolerance, `${what}: ${value} vs ${expected}`).to.equal(true);
}

describe("indexer (Ponder, production mode)", function () {
  this.timeout(600_000);

  const chain = new LocalChain(NODE_PORT);
  const proxy = new SlowProxy(NODE_PORT + 1, chain.rpcUrl);
  let deploymentFolder = "";
  let scenario: Scenario;
  let indexers: { a: IndexerProcess; b: IndexerProcess; c: IndexerProcess };
  let finalBlock = 0;
  let finalHour = 0n;
  let truth: Truth;
  let settlementAddress = "";
  let protocol: Protocol;
  let phaseAEnd = 0n;

  before(async function () {
    await chain.start();
    const deployed = chain.deploy(DEPLOYMENT_ID);
    deploymentFolder = deployed.folder;
    protocol = deployed.protocol;
    settlementAddress = (await protocol.settlement.getAddress()).toLowerCase();
    await chain.syncClock();
    // Start 10 minutes into a fresh hour, so hour boundaries fall at the same places in every run.
    const start = chain.lastTimestamp - (chain.lastTimestamp % HOUR) + HOUR + 600n;
    scenario = new Scenario(chain, deployed.protocol, TEST_SCENARIO, start);
    await scenario.plan();
    phaseAEnd = start + 6n * DAY + 12n * HOUR;
    await scenario.runUntil(phaseAEnd);
    await proxy.start();
    const make = (name: string, port: number, rpcUrl: string) =>
      new IndexerProcess({
        name,
        schema: `gl_test_${name}_${RUN}`,
        viewsSchema: `gl_test_views_${name}_${RUN}`,
        port,
        rpcUrl,
        deployment: deploymentFolder,
      });
    indexers = {
      a: make("a", NODE_PORT + 2, chain.rpcUrl),
      b: make("b", NODE_PORT + 3, proxy.url),
      c: make("c", NODE_PORT + 4, chain.rpcUrl),
    };
  });

  after(async function () {
    for (const indexer of Object.values(indexers ?? {})) await indexer.kill9();
    await proxy.stop();
    chain.stop();
    if (indexers !== undefined) {
      dropSchemas(Object.values(indexers).flatMap((i) => [i.options.schema, i.options.viewsSchema]));
    }
  });

  describe("crash recovery and reorgs", function () {
    it("test_restart_resumesAfterKillDuringBackfill", async function () {
      const { b, c } = indexers;
      // One JSON-RPC answer at a time, 10 ms each: the backfill takes long enough to be cut short.
      proxy.delayMs = 10;
      b.start();
      const indexedRange = () => b.logLines().some((l) => l.msg === "Indexed block range");
      await waitFor(async () => indexedRange(), 120_000, () => `B never indexed a block range (log: ${b.logFile})`);
      const completed = () => b.logLines().some((l) => l.msg === "Completed backfill indexing across all chains");
      expect(completed(), "the backfill finished before the kill").to.equal(false);
      await b.kill9();
      proxy.delayMs = 0;
      b.start();
      // C starts meanwhile (B waits for its schema's lock to expire, about 25 s).
      c.start();
      const head = await chain.blockNumber();
      await b.waitForBlock(head, 120_000);
      expect(b.logLines().some((l) => l.msg === "Detected crash recovery")).to.equal(true);
      expect(b.starts).to.equal(2);
    });

    it("test_restart_resumesAfterKillWhileLive", async function () {
      const { b, c } = indexers;
      await c.waitForBlock(await chain.blockNumber(), 120_000);
      // Part of the second week runs while both indexers are live; C dies in the middle of it.
      await scenario.runUntil(phaseAEnd + 18n * HOUR);
      await waitFor(async () => (await c.indexedBlock()) > (await chain.blockNumber()) - 20, 60_000, () => "C fell behind");
      expect(await c.ready()).to.equal(true);
      await c.kill9();
      c.start();
      await scenario.runUntil();
      expect(scenario.pending).to.equal(0);
      const head = await chain.blockNumber();
      await c.waitForBlock(head, 120_000);
      await b.waitForBlock(head, 120_000);
      expect(c.logLines().some((l) => l.msg === "Detected crash recovery")).to.equal(true);
    });

    it("test_reorg_replacesRevertedBlocks", async function () {
      const { b, c } = indexers;
      const renterOf = (indexer: IndexerProcess, from: bigint) =>
        indexer.sql(`select renter from job where id >= ${from} order by id`).then((r) => r.rows.map((row) => row.renter));
      const request = (gpuCount: number) => ({
        paymentToken: protocol.usdc!.target,
        gpuModel: modelId("H100"),
        gpuCount,
        minVramGb: 80,
        region: 0,
        minReputation: 0,
        duration: HOUR,
        reservePricePerGpuHour: 2_000_000n,
        pricingRule: 0,
        bidWindow: 600n,
        revealWindow: 600n,
      });
      const firstJob = (await protocol.market.jobCount()) + 1n;
      const [stale, canonical] = [chain.wallets[6]!, chain.wallets[7]!];
      const snapshot = await chain.snapshot();
      const t = chain.lastTimestamp + 60n;
      await chain.send(stale, protocol.market, "createJob", [request(1)], t);
      await chain.send(stale, protocol.market, "createJob", [request(2)], t + 1n);
      const staleHead = await chain.blockNumber();
      for (const indexer of [b, c]) {
        await indexer.waitForBlock(staleHead, 60_000);
        expect(await renterOf(indexer, firstJob)).to.deep.equal([stale.address.toLowerCase(), stale.address.toLowerCase()]);
      }

      await chain.revert(snapshot);
      for (let i = 0n; i < 3n; i++) await chain.send(canonical, protocol.market, "createJob", [request(1)], t + 5n + i);
      // The canonical chain ends on the hour, so every hour before it is closed for every subject.
      finalHour = chain.lastTimestamp - (chain.lastTimestamp % HOUR) + HOUR;
      await chain.mine(finalHour);
      finalBlock = await chain.blockNumber();
      expect(finalBlock).to.be.greaterThan(staleHead);
      for (const indexer of [b, c]) {
        await indexer.waitForBlock(finalBlock, 60_000);
        expect(await renterOf(indexer, firstJob)).to.deep.equal(Array(3).fill(canonical.address.toLowerCase()));
        expect(indexer.logLines().some((l) => l.msg === "Reorged block")).to.equal(true);
      }
    });

    it("test_restart_matchesUninterruptedRun", async function () {
      const { a, b, c } = indexers;
      a.start();
      await a.waitForBlock(finalBlock, 120_000);
      const expected = await a.dump(TABLES);
      expect(JSON.parse(expected.job!)).to.have.length.greaterThan(30);
      for (const other of [b, c]) {
        const actual = await other.dump(TABLES);
        for (const table of Object.keys(TABLES)) {
          expect(actual[table], `${other.options.name}.${table}`).to.equal(expected[table]);
        }
      }
      // Readers use the stable names of the views schema.
      const viaViews = psql(`select count(*) from "${a.options.viewsSchema}".job`);
      expect(Number(viaViews)).to.equal(JSON.parse(expected.job!).length);
      truth = computeTruth(await fetchLogs(chain.provider, protocol, finalBlock), finalHour);
    });
  });

  describe("ground truth from raw logs", function () {
    it("test_revenue_equalsPayEventsPerPeriodAndToken", async function () {
      const rows = await allRows(indexers.a, "networkMetrics", "period periodStart grossUsd feesUsd providerPayoutsUsd");
      expect(rows.length).to.be.greaterThan(200);
      for (const row of rows) {
        const key = `${row.period}:${row.periodStart}`;
        expect(big(row.grossUsd), `gross ${key}`).to.equal(truth.grossUsd.get(key) ?? 0n);
        expect(big(row.feesUsd), `fees ${key}`).to.equal(truth.feesUsd.get(key) ?? 0n);
        expect(big(row.providerPayoutsUsd)).to.equal((truth.grossUsd.get(key) ?? 0n) - (truth.feesUsd.get(key) ?? 0n));
      }
      expect(truth.grossUsd.get("all:0")).to.be.greaterThan(0n);
      const tokens = await allRows(indexers.a, "tokenMetrics", "token period periodStart gross fees");
      const seen = new Set<string>();
      for (const row of tokens) {
        const key = `${row.token}|${row.period}:${row.periodStart}`;
        seen.add(key);
        expect(big(row.gross), `gross ${key}`).to.equal(truth.tokenGross.get(key) ?? 0n);
        expect(big(row.fees), `fees ${key}`).to.equal(truth.tokenFees.get(key) ?? 0n);
      }
      for (const [key, value] of truth.tokenGross) if (value > 0n) expect(seen.has(key), key).to.equal(true);
      expect([...seen].some((k) => k.startsWith(settlementAddress))).to.equal(true);
    });

    it("test_supply_equalsMintAndBurnEvents", async function () {
      const rows = await allRows(indexers.a, "networkMetrics", "period periodStart grlMinted grlBurned netEmission totalSupply");
      for (const row of rows) {
        const key = `${row.period}:${row.periodStart}`;
        const minted = truth.minted.get(key) ?? 0n;
        const burned = truth.burned.get(key) ?? 0n;
        expect(big(row.grlMinted), `minted ${key}`).to.equal(minted);
        expect(big(row.grlBurned), `burned ${key}`).to.equal(burned);
        expect(big(row.netEmission)).to.equal(minted - burned);
      }
      const all = rows.find((r) => r.period === "all")!;
      expect(big(all.totalSupply)).to.equal(await protocol.token.totalSupply({ blockTag: finalBlock }));
      expect(big(all.grlMinted)).to.be.greaterThan(0n);
      expect(big(all.grlBurned)).to.be.greaterThan(0n);
    });

    it("test_utilization_equalsIntegratedLeasesPerModelProviderAndNetwork", async function () {
      const selection = "period periodStart leasedGpuSeconds availableGpuSeconds utilization";
      const scopes: [string, string, string][] = [
        ["network", "networkMetrics", ""],
        ["model", "modelMetrics", "model"],
        ["provider", "providerMetrics", "provider"],
      ];
      for (const [scope, field, subjectField] of scopes) {
        const rows = await allRows(indexers.a, field, `${subjectField} ${selection}`);
        const hours = new Map<string, Set<bigint>>();
        for (const row of rows) {
          const subject = subjectField === "" ? "all" : String(row[subjectField]);
          const key = `${scope}|${subject}|${row.period}:${row.periodStart}`;
          const leased = truth.leased.get(key) ?? 0n;
          const available = truth.available.get(key) ?? 0n;
          expect(big(row.leasedGpuSeconds), `leased ${key}`).to.equal(leased);
          expect(big(row.availableGpuSeconds), `available ${key}`).to.equal(available);
          if (available === 0n) expect(row.utilization).to.equal(null);
          else expectRatio(row.utilization, Number(leased) / Number(available), `utilization ${key}`);
          if (row.period === "hour") {
            if (!hours.has(subject)) hours.set(subject, new Set());
            hours.get(subject)!.add(big(row.periodStart));
          }
        }
        // Every hour from the subject's first to the last closed one has a row, events or not.
        for (const [subjectKey, first] of truth.firstHour) {
          if (!subjectKey.startsWith(`${scope}|`)) continue;
          const subject = subjectKey.slice(scope.length + 1);
          for (let h = first; h < finalHour; h += HOUR) {
            expect(hours.get(subject)?.has(h), `${subjectKey} hour ${h}`).to.equal(true);
          }
        }
      }
      const h100 = truth.leased.get(`model|${modelId("H100").toLowerCase()}|all:0`) ?? 0n;
      expect(h100).to.be.greaterThan(0n);
    });

    it("test_priceIndex_equalsClearingPricesPerModel", async function () {
      const rows = await allRows(
        indexers.a,
        "modelMetrics",
        "model period periodStart awards minPrice maxPrice meanPrice medianPrice vwapPrice sumReserve discountVsReserve",
      );
      let checked = 0;
      for (const row of rows) {
        const key = `${row.model}|${row.period}:${row.periodStart}`;
        const expected = truth.prices.get(key);
        if (expected === undefined) {
          expect(row.awards, key).to.equal(0);
          expect(row.medianPrice).to.equal(null);
          continue;
        }
        expect(row.awards, key).to.equal(expected.awards);
        expect(big(row.minPrice), `min ${key}`).to.equal(expected.min);
        expect(big(row.maxPrice), `max ${key}`).to.equal(expected.max);
        expect(big(row.meanPrice), `mean ${key}`).to.equal(expected.mean);
        expect(big(row.medianPrice), `median ${key}`).to.equal(expected.median);
        expect(big(row.vwapPrice), `vwap ${key}`).to.equal(expected.vwap);
        expect(big(row.sumReserve)).to.equal(expected.sumReserve);
        expectRatio(row.discountVsReserve, expected.discount, `discount ${key}`);
        checked++;
      }
      expect(checked).to.equal(truth.prices.size);
      expect(truth.prices.get(`${modelId("H100").toLowerCase()}|all:0`)!.awards).to.be.greaterThan(5);
    });

    it("test_renters_repeatCustomerRateEqualsJobCreations", async function () {
      const rows = await allRows(
        indexers.a,
        "networkMetrics",
        "period periodStart uniqueRenters newRenters repeatRenters repeatCustomerRate jobsCompleted jobsFailed jobsDisputed",
      );
      for (const row of rows) {
        const key = `${row.period}:${row.periodStart}`;
        const expected = truth.renters.get(key) ?? { unique: 0, fresh: 0, repeat: 0 };
        expect([row.uniqueRenters, row.newRenters, row.repeatRenters], key).to.deep.equal([
          expected.unique,
          expected.fresh,
          expected.repeat,
        ]);
        if (expected.unique === 0) expect(row.repeatCustomerRate).to.equal(null);
        else expectRatio(row.repeatCustomerRate, expected.repeat / expected.unique, `repeat rate ${key}`);
        expect(big(row.jobsCompleted)).to.equal(truth.jobsCompleted.get(key) ?? 0n);
        expect(big(row.jobsFailed)).to.equal(truth.jobsFailed.get(key) ?? 0n);
        expect(big(row.jobsDisputed)).to.equal(truth.jobsDisputed.get(key) ?? 0n);
      }
      const all = truth.renters.get("all:0")!;
      expect(all.repeat).to.be.greaterThan(0);
      expect(all.repeat).to.be.lessThan(all.unique);
    });

    it("test_summary_reportsNowAndDayEarlierInChainTime", async function () {
      const summary = (await (await fetch(`${indexers.a.url}/summary`)).json()) as {
        asOf: { blockNumber: string; timestamp: number };
        now: Record<string, string | number>;
        dayAgo: Record<string, string | number> & { timestamp: number };
      };
      expect(Number(summary.asOf.blockNumber)).to.equal(finalBlock);
      expect(BigInt(summary.asOf.timestamp)).to.equal(finalHour);
      const boundary = finalHour - DAY;
      expect(BigInt(summary.dayAgo.timestamp)).to.equal(boundary);
      const before = (map: Map<string, bigint>, until: bigint) => {
        let sum = 0n;
        for (const [key, value] of map) {
          const [period, start] = key.split(":");
          if (period === "hour" && BigInt(start!) < until) sum += value;
        }
        return sum;
      };
      expect(BigInt(summary.now.grossUsd!)).to.equal(truth.grossUsd.get("all:0"));
      expect(BigInt(summary.dayAgo.grossUsd!)).to.equal(before(truth.grossUsd, boundary));
      expect(BigInt(summary.dayAgo.grlMinted!)).to.equal(before(truth.minted, boundary));
      expect(BigInt(summary.dayAgo.grlBurned!)).to.equal(before(truth.burned, boundary));
      expect(BigInt(summary.now.leasedGpuSeconds!)).to.equal(truth.leased.get("network|all|all:0"));
    });
  });

  describe("API limits", function () {
    const expectError = async (query: string, pattern: RegExp, variables: Record<string, unknown> = {}) => {
      const result = await indexers.a.graphql(query, variables);
      expect(result.data ?? null).to.equal(null);
      expect(result.errors?.[0]?.message).to.match(pattern);
    };

    it("test_graphql_rejectsTooDeepQuery", async function () {
      await expectError(
        "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }",
        /depth/i,
      );
    });

    it("test_graphql_rejectsTooLargePage", async function () {
      await expectError("{ jobs(limit: 1000) { items { id } } }", /limit 1000 exceeds the maximum of 200/);
      await expectError("query Q($n: Int) { jobs(limit: $n) { items { id } } }", /limit 5000 exceeds the maximum of 200/, { n: 5000 });
    });

    it("test_graphql_rejectsUnknownField", async function () {
      await expectError("{ jobs { items { id noSuchField } } }", /Cannot query field "noSuchField"/);
    });

    it("test_graphql_rejectsTooManyAliases", async function () {
      const aliases = Array.from({ length: 12 }, (_, i) => `a${i}: jobs { totalCount }`).join(" ");
      await expectError(`{ ${aliases} }`, /aliases/i);
    });

    it("test_sql_rejectsWrites", async function () {
      const result = await indexers.a.sql("delete from job");
      expect(result.status).to.not.equal(200);
      expect((await indexers.a.sql("select count(*) as n from job")).rows[0]!.n).to.not.equal("0");
    });

    it("test_graphql_keepsServingAfterBadQueries", async function () {
      const result = await indexers.a.graphql("{ jobs(limit: 200) { totalCount items { id state } } }");
      expect(result.errors).to.equal(undefined);
      expect(result.data.jobs.totalCount).to.be.greaterThan(30);
      expect((await fetch(`${indexers.a.url}/health`)).status).to.equal(200);
    });
  });
});
