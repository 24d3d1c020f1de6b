// The Ponder indexer end to end, on a local Hardhat node (port 8581, or the first free block after it) deployed with Ignition, driven by a
// seeded scenario with every job outcome in both payment paths over ten days of chain time, and indexed
// in production mode (`ponder start` on the machine's PostgreSQL).
//
// The tests share one chain and run in order, as one story:
//   1. indexer B is killed (kill -9) during its backfill and restarted;
//   2. indexer C is killed while live, the market keeps running, and C is restarted;
//   3. the node reorganises (evm_snapshot, blocks, evm_revert, other blocks) under B and C;
//   4. indexer A indexes the final chain in one uninterrupted run: A, B and C hold the same rows;
//   5. A's figures equal the same figures computed from the raw logs (test/kit/indexerTruth.ts; the
//      comparisons, shared with simulator.test.ts, are in test/kit/indexerCompare.ts);
//   6. bad queries get clear errors and A keeps serving.
import { expect } from "chai";

import type { Protocol } from "../../sdk/contracts.ts";
import { LocalChain } from "../../indexer/harness/chain.ts";
import { freePorts } from "../../scripts/start/ports.ts";
import {
  big,
  expectPriceIndex,
  expectRenters,
  expectRevenue,
  expectSupply,
  expectUtilization,
} from "../kit/indexerCompare.ts";
import { dropSchemas, IndexerProcess, psql, SlowProxy, waitFor } from "../../indexer/harness/indexerProcess.ts";
import { h100JobRequest, Scenario, TEST_SCENARIO, DAY, HOUR, modelId } from "../../indexer/harness/scenario.ts";
import { computeTruth, fetchLogs, type Truth } from "../kit/indexerTruth.ts";

// The node and the processes beside it take 5 consecutive ports: the first free block from the default.
const NODE_PORT = await freePorts(Number(process.env.GRIDLEASE_INDEXER_TEST_PORT ?? "8581"), 5);
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
  emission_provider: "epoch, provider",
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
    const make = (name: string, port: number, rpcUrl: string, rpcTransport?: "http") =>
      new IndexerProcess({
        name,
        schema: `gl_test_${name}_${RUN}`,
        viewsSchema: `gl_test_views_${name}_${RUN}`,
        port,
        rpcUrl,
        deployment: deploymentFolder,
        rpcTransport,
      });
    indexers = {
      a: make("a", NODE_PORT + 2, chain.rpcUrl),
      b: make("b", NODE_PORT + 3, proxy.url, "http"),
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
      await waitFor(
        async () => indexedRange(),
        120_000,
        () => `B never indexed a block range (log: ${b.logFile})`,
      );
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
      await waitFor(
        async () => (await c.indexedBlock()) > (await chain.blockNumber()) - 20,
        60_000,
        () => "C fell behind",
      );
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
        indexer
          .sql(`select renter from job where id >= ${from} order by id`)
          .then((r) => r.rows.map((row) => row.renter));
      const request = (gpuCount: number) => h100JobRequest(protocol, gpuCount);
      const firstJob = (await protocol.market.jobCount()) + 1n;
      const [stale, canonical] = [chain.wallets[6]!, chain.wallets[7]!];
      const snapshot = await chain.snapshot();
      const t = chain.lastTimestamp + 60n;
      await chain.send(stale, protocol.market, "createJob", [request(1)], t);
      await chain.send(stale, protocol.market, "createJob", [request(2)], t + 1n);
      const staleHead = await chain.blockNumber();
      for (const indexer of [b, c]) {
        await indexer.waitForBlock(staleHead, 60_000);
        expect(await renterOf(indexer, firstJob)).to.deep.equal([
          stale.address.toLowerCase(),
          stale.address.toLowerCase(),
        ]);
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
      const { networkRows, tokens } = await expectRevenue(indexers.a, truth);
      expect(networkRows.length).to.be.greaterThan(200);
      expect(truth.grossUsd.get("all:0")).to.be.greaterThan(0n);
      expect(tokens.has(settlementAddress)).to.equal(true);
    });

    it("test_supply_equalsMintAndBurnEvents", async function () {
      const rows = await expectSupply(indexers.a, truth);
      const all = rows.find((r) => r.period === "all")!;
      expect(big(all.totalSupply)).to.equal(await protocol.token.totalSupply({ blockTag: finalBlock }));
      expect(big(all.grlMinted)).to.be.greaterThan(0n);
      expect(big(all.grlBurned)).to.be.greaterThan(0n);
    });

    it("test_utilization_equalsIntegratedLeasesPerModelProviderAndNetwork", async function () {
      await expectUtilization(indexers.a, truth, finalHour);
      const h100 = truth.leased.get(`model|${modelId("H100").toLowerCase()}|all:0`) ?? 0n;
      expect(h100).to.be.greaterThan(0n);
    });

    it("test_priceIndex_equalsClearingPricesPerModel", async function () {
      await expectPriceIndex(indexers.a, truth);
      expect(truth.prices.get(`${modelId("H100").toLowerCase()}|all:0`)!.awards).to.be.greaterThan(5);
    });

    it("test_renters_repeatCustomerRateEqualsJobCreations", async function () {
      await expectRenters(indexers.a, truth);
      const all = truth.renters.get("all:0")!;
      expect(all.repeat).to.be.greaterThan(0);
      expect(all.repeat).to.be.lessThan(all.unique);
    });

    it("test_jobs_specHashEqualsJobCreatedRequest", async function () {
      const { rows } = await indexers.a.sql("select id, spec_hash from job order by id");
      expect(rows.length).to.equal(truth.specHashes.size);
      for (const row of rows) {
        expect(String(row.spec_hash).toLowerCase(), `job ${row.id}`).to.equal(
          truth.specHashes.get(BigInt(row.id as string)),
        );
      }
      expect(new Set(truth.specHashes.values()).size).to.be.greaterThan(1);
      expect(truth.specHashMismatches).to.equal(0);
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
      const cumulativeBefore = (map: Map<string, bigint>, until: bigint) => {
        let sum = 0n;
        for (const [key, value] of map) {
          const [period, start] = key.split(":");
          if (period === "hour" && BigInt(start!) < until) sum += value;
        }
        return sum;
      };
      expect(BigInt(summary.now.grossUsd!)).to.equal(truth.grossUsd.get("all:0"));
      expect(BigInt(summary.dayAgo.grossUsd!)).to.equal(cumulativeBefore(truth.grossUsd, boundary));
      expect(BigInt(summary.dayAgo.grlMinted!)).to.equal(cumulativeBefore(truth.minted, boundary));
      expect(BigInt(summary.dayAgo.grlBurned!)).to.equal(cumulativeBefore(truth.burned, boundary));
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
      await expectError(
        "query Q($n: Int) { jobs(limit: $n) { items { id } } }",
        /limit 5000 exceeds the maximum of 200/,
        { n: 5000 },
      );
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
