// Ground truth after a seeded run of the market simulator (simulator/): a local Hardhat node on its own port
// (8586, or the first free pair after it) deployed with Ignition as `npm start` deploys it, two simulated days
// of the simulator's market over JSON-RPC (providers going offline and back, auctions and instant jobs in USDC
// and credits, stops, cancellations, disputes, slashes, cash-outs, a moving GRL price) and a drain until every
// job has finished, then one uninterrupted `ponder start` on the machine's PostgreSQL (a fresh schema, dropped
// after). Every published figure (revenue per period and token in its units and USD, provider payouts, fees,
// GRL burned and minted, utilization per network, model and provider with a row for every hour, the price
// index per model, the repeat-customer rate) must equal the same figure computed from the raw logs by
// test/kit/indexerTruth.ts: exactly for bigints, within 1e-12 (relative) for the float ratios.
import { expect } from "chai";

import type { Protocol } from "../../sdk/contracts.ts";
import { loadDeployedAddresses } from "../../sdk/node.ts";
import { httpTransport } from "../../simulator/chain.ts";
import { Simulator, type RunSummary } from "../../simulator/engine.ts";
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
import { dropSchemas, IndexerProcess } from "../../indexer/harness/indexerProcess.ts";
import { computeTruth, fetchLogs, HOUR, type ChainLog, type Truth } from "../kit/indexerTruth.ts";

// The node and the processes beside it take 2 consecutive ports: the first free block from the default.
const NODE_PORT = await freePorts(Number(process.env.GRIDLEASE_SIMULATOR_TEST_PORT ?? "8586"), 2);
const DEPLOYMENT_ID = "indexer-simulator-test";
// Capped earnings withdrawals (the credits' cost basis) changed the run's path: seed 13 no longer produced
// a dispute the provider wins; seed 15 produces every outcome.
const SEED = 15;
/** Enough for every outcome to happen in two days while the whole file stays well under 90 s. */
const PROVIDERS = 8;
const DAYS = 2;
/**
 * One-day epochs, so epochs end and providers claim emissions during the run, and a mint cap small
 * enough that earnings withdrawals queue and queued mints are claimed: more kinds of minting.
 */
const OVERRIDES = { epochLength: "86400n", mintCapPerEpoch: "500000000000000000000n" };

describe("indexer on a simulated market (Ponder, production mode)", function () {
  this.timeout(240_000);

  const chain = new LocalChain(NODE_PORT);
  let indexer: IndexerProcess | undefined;
  let protocol: Protocol;
  let summary: RunSummary;
  let logs: ChainLog[];
  let truth: Truth;
  let finalBlock = 0;
  let finalHour = 0n;

  before(async function () {
    await chain.start();
    const deployed = chain.deploy(DEPLOYMENT_ID, OVERRIDES);
    protocol = deployed.protocol;
    const sim = await Simulator.create(
      httpTransport(chain.rpcUrl),
      loadDeployedAddresses(31337n, { folder: deployed.folder }),
      {
        seed: SEED,
        providers: PROVIDERS,
      },
    );
    summary = await sim.run({ days: DAYS, drain: true });
    // The chain ends on the hour, so every hour before it is closed for every subject.
    await chain.syncClock();
    finalHour = chain.lastTimestamp - (chain.lastTimestamp % HOUR) + HOUR;
    await chain.mine(finalHour);
    finalBlock = await chain.blockNumber();

    indexer = new IndexerProcess({
      name: "sim",
      schema: `gl_test_sim_${process.pid}`,
      viewsSchema: `gl_test_views_sim_${process.pid}`,
      port: NODE_PORT + 1,
      rpcUrl: chain.rpcUrl,
      deployment: deployed.folder,
    });
    indexer.start();
    logs = await fetchLogs(chain.provider, protocol, finalBlock);
    truth = computeTruth(logs, finalHour);
    await indexer.waitForBlock(finalBlock, 120_000);
  });

  after(async function () {
    await indexer?.kill9();
    chain.stop();
    if (indexer !== undefined) dropSchemas([indexer.options.schema, indexer.options.viewsSchema]);
  });

  it("test_simulation_producesEveryKindOfActivity", async function () {
    expect(summary.stopped).to.equal(false);
    expect(summary.totals.reverts).to.equal(0);
    // The figures below are only worth comparing if the run took every path that moves them.
    const names = new Set(logs.map((l) => l.name));
    for (const name of [
      "PaymentClaimed",
      "JobSettled",
      "JobStopped",
      "JobFailed",
      "JobCancelled",
      "JobExpired",
      "DisputeResolvedForRenter",
      "DisputeResolvedForProvider",
      "ProviderSlashed",
      "BidBondForfeited",
      "CreditsPurchased",
      "CreditsRefunded",
      "EarningsWithdrawn",
      "QueuedMintClaimed",
      "EmissionClaimed",
      "ProviderAvailabilityChanged",
      "GpusLeased",
      "GpusReleased",
      "TokensMinted",
      "TokensBurned",
    ]) {
      expect(names.has(name), name).to.equal(true);
    }
    const created = logs.filter((l) => l.name === "JobCreated").length;
    expect(created).to.equal(summary.totals.jobsCreated);
    expect(created).to.be.greaterThan(100);
    // The drain ran until every job had reached a final state, so no figure still waits on an open job.
    const open = await indexer!.sql(
      "select count(*) as n from job where state not in ('Settled', 'Resolved', 'Failed', 'Cancelled', 'Expired')",
    );
    expect(open.status).to.equal(200);
    expect(Number(open.rows[0]!.n)).to.equal(0);
  });

  it("test_revenue_equalsPayEventsPerPeriodAndToken", async function () {
    const { tokens } = await expectRevenue(indexer!, truth);
    expect(truth.grossUsd.get("all:0")).to.be.greaterThan(0n);
    expect(tokens.has((await protocol.settlement.getAddress()).toLowerCase())).to.equal(true);
    expect(tokens.has((await protocol.usdc!.getAddress()).toLowerCase())).to.equal(true);
  });

  it("test_supply_equalsMintAndBurnEvents", async function () {
    const rows = await expectSupply(indexer!, truth);
    const all = rows.find((r) => r.period === "all")!;
    expect(big(all.totalSupply)).to.equal(await protocol.token.totalSupply({ blockTag: finalBlock }));
    expect(big(all.grlMinted)).to.be.greaterThan(0n);
    expect(big(all.grlBurned)).to.be.greaterThan(0n);
  });

  it("test_utilization_equalsIntegratedLeasesPerModelProviderAndNetwork", async function () {
    await expectUtilization(indexer!, truth, finalHour);
    expect(truth.leased.get("network|all|all:0")).to.be.greaterThan(0n);
  });

  it("test_priceIndex_equalsClearingPricesPerModel", async function () {
    await expectPriceIndex(indexer!, truth);
    expect(truth.prices.size).to.be.greaterThan(0);
  });

  it("test_renters_repeatCustomerRateEqualsJobCreations", async function () {
    await expectRenters(indexer!, truth);
    expect(truth.renters.get("all:0")!.repeat).to.be.greaterThan(0);
  });
});
