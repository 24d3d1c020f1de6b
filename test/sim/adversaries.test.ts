import { expect } from "chai";
import { network } from "hardhat";

import type { DeployedAddresses } from "../../sdk/index.ts";
import { hardhatAddress } from "../../simulator/accounts.ts";
import { ADVERSARY_ACCOUNTS } from "../../simulator/adversaries/accounts.ts";
import { jobValue } from "../../simulator/adversaries/books.ts";
import type { AdversaryReport } from "../../simulator/adversaries/index.ts";
import { Simulator, type RunSummary } from "../../simulator/engine.ts";
import { reconcile, type Reconciliation } from "../../simulator/reconcile.ts";
import { JobMarket__factory, Settlement__factory } from "../../types/ethers-contracts/index.ts";
import { deployLocal } from "./setup.ts";

const { ethers, ignition, networkHelpers, provider } = await network.create();

const DAY = 86_400n;
const WAD = 10n ** 18n;
/** USDC has 6 decimals; the adversaries' books keep USD with 18. */
const USDC_TO_USD = 10n ** 12n;
const SEED = 7;
const ALL = ["farmer", "squatter", "shill"] as const;

/** The local deployment `npm start` makes, with one-day epochs so that a short run claims emissions. */
async function deployedFixture(): Promise<DeployedAddresses> {
  return deployLocal(ignition, { epochLength: DAY });
}

/** One day of new jobs with every adversary, then on until every job has finished. */
async function attackedRun(addresses: DeployedAddresses): Promise<RunSummary> {
  return (await Simulator.create(provider, addresses, { seed: SEED, adversaries: ALL })).run({ days: 1, drain: true });
}

const lower = (addresses: readonly string[]) => new Set(addresses.map((a) => a.toLowerCase()));
/** The sybils' accounts, from their derivation indexes (the figures give their counts). */
const squatterSybils = (r: AdversaryReport) =>
  lower(Array.from({ length: r.squatter!.sybils }, (_, i) => hardhatAddress(ADVERSARY_ACCOUNTS.squatter + i)));
const shillSybils = (r: AdversaryReport) =>
  lower(Array.from({ length: r.shill!.sybils }, (_, i) => hardhatAddress(ADVERSARY_ACCOUNTS.shill + 1 + i)));

describe("Market simulator: adversaries", function () {
  let addresses: DeployedAddresses;
  let summary: RunSummary;
  let report: AdversaryReport;
  let reconciliation: Reconciliation;

  before(async function () {
    this.timeout(90_000);
    addresses = await networkHelpers.loadFixture(deployedFixture);
    summary = await attackedRun(addresses);
    report = summary.adversaries!;
    reconciliation = await reconcile(provider, addresses);
  });

  function contracts() {
    return {
      market: JobMarket__factory.connect(addresses.JobMarket, ethers.provider),
      settlement: Settlement__factory.connect(addresses.Settlement, ethers.provider),
    };
  }

  describe("the run", function () {
    it("test_run_withAdversaries_reconcilesEveryBalanceWithEvents", async function () {
      for (const check of reconciliation.checks) expect(check.actual, check.name).to.equal(check.expected);
      expect(reconciliation.ok).to.equal(true);
      expect(reconciliation.openJobs).to.equal(0);
    });

    it("test_run_withAdversaries_rejectsOnlyHonestBidsTheSquatTurnedAway", async function () {
      expect(Object.keys(summary.revertsByError)).to.deep.equal(["MarketBidCapReached"]);
      expect(summary.revertsByError.MarketBidCapReached).to.equal(report.squatter!.honestBidsTurnedAway);
    });
  });

  describe("farmer", function () {
    it("test_farmer_emissionNeverExceedsTheFeesItPaid", async function () {
      const f = report.farmer!;
      const { market, settlement } = contracts();
      const claims = await settlement.queryFilter(settlement.filters.EmissionClaimed(undefined, f.provider));
      expect(claims, "emission claims").to.not.be.empty;
      // Each claim, at its own price, is worth at most the fees recorded for it.
      for (const e of claims) expect(e.args.amount * e.args.grlUsdPrice).to.be.at.most(e.args.feesUsd * WAD);
      // ...and the recorded fees are the fees the treasury was paid on its jobs, to the unit.
      let fees = 0n;
      for (const e of await market.queryFilter(market.filters.JobSettled(undefined, f.renter)))
        fees += e.args.fee * USDC_TO_USD;
      expect(f.feesUsd).to.equal(fees);
      expect(f.feesRecordedUsd).to.equal(fees);
      expect(f.emissionUsd).to.be.at.most(f.feesUsd);
      expect(f.emissionGrl).to.equal(claims.reduce((sum, e) => sum + e.args.amount, 0n));
      // The cap bound: without it the farmer's GPU-seconds would have drawn far more.
      expect(f.shareGrl).to.be.greaterThan(f.emissionGrl * 100n);
    });

    it("test_farmer_netProfitIsNotPositive_belowTheMedianHonestProvider", async function () {
      const f = report.farmer!;
      // Its payments go round to itself: what leaves the pair is the fees, what comes back the emission.
      expect(f.netUsd).to.equal(f.emissionUsd - f.feesUsd - f.stakeLostUsd);
      expect(f.netUsd).to.be.at.most(0n);
      expect(f.netUsd).to.be.lessThan(report.honest.medianProviderProfitUsd!);
      expect(f.settled).to.equal(f.jobs);
    });

    it("test_farmer_recordsTheSecondsItRanNotTheDurationsItClaimed", async function () {
      const f = report.farmer!;
      const { settlement } = contracts();
      const recorded = (
        await settlement.queryFilter(settlement.filters.GpuSecondsRecorded(undefined, f.provider))
      ).reduce((sum, e) => sum + e.args.gpuSeconds, 0n);
      expect(f.recordedGpuSeconds).to.equal(recorded);
      expect(f.claimedGpuSeconds).to.be.greaterThan(f.recordedGpuSeconds * 1_000n);
    });

    it("test_farmer_reputationRisesOnlyWithTheReferenceSizedJobsItPaidFeesOn", async function () {
      const f = report.farmer!;
      // One reference-sized job ($100, a full step) a day: 5,000 + (10,000 - 5,000) / 10.
      expect([f.reputationStart, f.reputationEnd]).to.deep.equal([5_000, 5_500]);
    });
  });

  describe("squatter", function () {
    it("test_squatter_everySquatIsCancelled_winsNothingAtTheReserve_losesNoStake", async function () {
      const q = report.squatter!;
      expect(q.auctionsSquatted).to.be.greaterThan(0);
      expect(q.sealedBids).to.be.greaterThan(q.auctionsSquatted);
      expect(q.honestBidsTurnedAway).to.be.greaterThan(0);
      expect(q.cancelledByRenter).to.equal(q.auctionsSquatted);
      expect([q.jobsWon, q.jobsWonAtReserve, q.bondsForfeited]).to.deep.equal([0, 0, 0]);
      expect(q.stakeLostGrl).to.equal(0n);
      expect(q.netUsd).to.equal(0n);
      expect(q.netUsd).to.be.lessThan(report.honest.medianProviderProfitUsd!);
      expect(q.gasUsed).to.be.greaterThan(0n);
    });

    it("test_squatter_eachSealedBidIsReleasedInFull", async function () {
      const { market } = contracts();
      const sybils = squatterSybils(report);
      const committed = (await market.queryFilter(market.filters.BidCommitted())).filter((e) =>
        sybils.has(e.args.provider.toLowerCase()),
      );
      const released = await market.queryFilter(market.filters.BidReleased());
      const cancelled = new Set((await market.queryFilter(market.filters.JobCancelled())).map((e) => e.args.jobId));
      expect(committed.length).to.equal(report.squatter!.sealedBids);
      for (const bid of committed) {
        expect(cancelled.has(bid.args.jobId), `#${bid.args.jobId} cancelled`).to.equal(true);
        const release = released.find((e) => e.args.jobId === bid.args.jobId && e.args.provider === bid.args.provider);
        expect(release?.args.unlockedGrl, `bid of ${bid.args.provider} on #${bid.args.jobId}`).to.equal(
          bid.args.lockedGrl,
        );
      }
    });

    it("test_squatter_squattedRenterRepostsTheSameJob_thatNoSybilWins", async function () {
      const { market } = contracts();
      const sybils = squatterSybils(report);
      const created = await market.queryFilter(market.filters.JobCreated());
      const awarded = new Map(
        (await market.queryFilter(market.filters.JobAwarded())).map((e) => [e.args.jobId, e.args.provider]),
      );
      const squatted = new Set(
        (await market.queryFilter(market.filters.BidCommitted()))
          .filter((e) => sybils.has(e.args.provider.toLowerCase()))
          .map((e) => e.args.jobId),
      );
      expect(squatted.size).to.equal(report.squatter!.auctionsSquatted);
      for (const jobId of squatted) {
        const original = created.find((e) => e.args.jobId === jobId)!;
        const { gpuModel, gpuCount, duration, reservePricePerGpuHour, pricingRule } = original.args.request;
        const repost = created.find(
          (e) =>
            e.args.jobId > jobId &&
            e.args.renter === original.args.renter &&
            e.args.request.gpuModel === gpuModel &&
            e.args.request.gpuCount === gpuCount &&
            e.args.request.duration === duration &&
            e.args.request.reservePricePerGpuHour === reservePricePerGpuHour &&
            e.args.request.pricingRule === pricingRule,
        );
        expect(repost, `repost of #${jobId}`).to.not.equal(undefined);
        const winner = awarded.get(repost!.args.jobId);
        if (winner !== undefined)
          expect(sybils.has(winner.toLowerCase()), `winner of #${repost!.args.jobId}`).to.equal(false);
      }
    });
  });

  describe("shill", function () {
    it("test_shill_countsEveryForfeitedBondAtItsProportionalSize", async function () {
      const s = report.shill!;
      const { market } = contracts();
      const sybils = shillSybils(report);
      const forfeits = (await market.queryFilter(market.filters.BidBondForfeited())).filter((e) =>
        sybils.has(e.args.provider.toLowerCase()),
      );
      expect(s.bondsForfeited, "bonds forfeited").to.be.greaterThan(0);
      expect(forfeits.length).to.equal(s.bondsForfeited);
      for (const e of forfeits) {
        const job = await market.jobOf(e.args.jobId);
        const { bidBond, bidBondBps, collateralBps } = await market.marketParams(job.paramsId);
        // 10% of the budget in GRL (the collateral at the reserve is 30% of it), at least bidBond.
        const proportional = (job.collateral * bidBondBps + collateralBps - 1n) / collateralBps;
        expect(e.args.bond).to.equal(proportional > bidBond ? proportional : bidBond);
        expect(e.args.bond).to.equal(await market.bidBondOf(e.args.jobId));
        expect(e.args.renter).to.equal(s.renter);
      }
      expect(s.bondsBurnedGrl).to.equal(forfeits.reduce((sum, e) => sum + e.args.bond, 0n));
      expect(s.bondsBurnedUsd).to.be.greaterThan(0n);
    });

    it("test_shill_savingIsTheHonestSecondPriceLessWhatItPaid", async function () {
      const s = report.shill!;
      const { market } = contracts();
      const sybils = shillSybils(report);
      const revealed = await market.queryFilter(market.filters.BidRevealed());
      let saved = 0n;
      for (const job of await market.queryFilter(market.filters.JobCreated(undefined, s.renter))) {
        const [award] = await market.queryFilter(market.filters.JobAwarded(job.args.jobId));
        if (award === undefined) continue;
        const honest = revealed
          .filter((e) => e.args.jobId === job.args.jobId && !sybils.has(e.args.provider.toLowerCase()))
          .map((e) => e.args.price)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const counterfactual = honest.length >= 2 ? honest[1] : job.args.request.reservePricePerGpuHour;
        const { gpuCount, duration } = job.args.request;
        saved += (jobValue(counterfactual, BigInt(gpuCount), BigInt(duration)) - award.args.value) * USDC_TO_USD;
      }
      expect(s.savedUsd).to.equal(saved);
      expect(s.savedUsd).to.be.greaterThan(0n);
      expect(s.netUsd).to.equal(s.savedUsd - s.bondsBurnedUsd);
      // The saving is the Vickrey spread it avoided: its jobs paid less over their winners' bids than honest renters' did.
      expect(s.medianSpreadUsd!).to.be.lessThan(report.honest.medianSecondPriceSpreadUsd!);
    });
  });
  // Last: each run below starts from a fresh deployment, so the chain the tests above read is gone.
  describe("determinism", function () {
    it("test_run_withAdversaries_replaysIdenticallyForASeed", async function () {
      this.timeout(60_000);
      const again = await attackedRun(await networkHelpers.loadFixture(deployedFixture));
      expect(again.totals).to.deep.equal(summary.totals);
      expect(again.adversaries).to.deep.equal(summary.adversaries);
    });

    it("test_run_withoutAdversaries_reportsNone", async function () {
      this.timeout(60_000);
      const sim = await Simulator.create(provider, await networkHelpers.loadFixture(deployedFixture), {
        seed: SEED,
        adversaries: [],
      });
      expect((await sim.run({ days: 1 })).adversaries).to.equal(undefined);
    });
  });
});
