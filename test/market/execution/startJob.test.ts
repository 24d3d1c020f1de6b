import { expect } from "chai";
import { network } from "hardhat";

import { itRevertsForCallers, itRevertsForUnknownJob } from "../../kit/callers.ts";
import { marketFixtures } from "../../kit/fixtures.ts";
import {
  awardedJob,
  awardedJobsInParallel,
  commitBid,
  createJob,
  deliverJob,
  nextAt,
  revealBid,
  runningJob,
} from "../../kit/jobs.ts";
import { DELIVERY_GRACE, deployMarket, INSTANT, JobState, PROVIDER_STAKE, USDC } from "../../kit/market.ts";
import { DURATION } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectProviderState,
  leasedGpus,
  PRICE,
  REPUTATION_START,
  VALUE,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture } = marketFixtures({ ethers, networkHelpers });

/** The default job awarded to alice at 1.5 USDC (bob bid 1.7 USDC and lost). */
async function awardedFixture() {
  const f = await deployMarket(ethers);
  const jobId = await awardedJob(f, networkHelpers, [
    [f.alice, PRICE],
    [f.bob, (17n * USDC) / 10n],
  ]);
  const startDeadline = (await f.market.jobOf(jobId)).deadline;
  return { ...f, jobId, startDeadline };
}

/** Alice won two jobs at once: A needs 6 of her 8 H100, B needs 4. */
async function twoAwardedJobsFixture() {
  const f = await deployMarket(ethers);
  const [jobA, jobB] = await awardedJobsInParallel(f, networkHelpers, [
    { overrides: { gpuCount: 6 }, bids: [[f.alice, PRICE]] },
    { overrides: { gpuCount: 4 }, bids: [[f.alice, PRICE]] },
  ]);
  return { ...f, jobA, jobB };
}

describe("JobMarket: startJob", function () {
  describe("happy path", function () {
    it("test_startJob_startsLeasesGpusAndEmits", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      const { market, registry, alice, jobId } = f;
      const t = f.startDeadline - 600n;
      await nextAt(networkHelpers, t);
      await expect(market.connect(alice).startJob(jobId))
        .to.emit(market, "JobStarted")
        .withArgs(jobId, alice.address, H100, 4n, t, t + DURATION)
        .and.to.emit(registry, "GpusLeased")
        .withArgs(alice.address, H100, 4n, 4n);

      const job = await market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Running);
      expect(await market.stateOf(jobId)).to.equal(JobState.Running);
      expect(job.startedAt).to.equal(t);
      // The deadline is now the delivery deadline: end of the paid duration plus the grace.
      expect(job.deadline).to.equal(t + DURATION + DELIVERY_GRACE);
      // Money is untouched: the value stays escrowed, nothing is claimed.
      expect(job.escrow).to.equal(VALUE);
      expect(job.claimed).to.equal(0n);
      expect(job.collateral).to.equal(COLLATERAL);
      await expectLedger(f, { renter: AWARD_REFUND, alice: 0n, treasury: 0n });
    });

    it("test_startJob_leasesExactlyTheJobsGpusAndKeepsCollateralLocked", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      const { market, registry, alice, bob, jobId } = f;
      await market.connect(alice).startJob(jobId);
      const line = await registry.gpuLineOf(alice.address, H100);
      expect(line.count).to.equal(8n);
      expect(line.leased).to.equal(4n);
      // Only the winner's GPUs are leased.
      expect(await leasedGpus(f, bob, H100)).to.equal(0n);
      expect(await market.lockOf(jobId, alice.address)).to.equal(COLLATERAL);
      await expectProviderState(f, alice, {
        freeStake: PROVIDER_STAKE - COLLATERAL,
        lockedStake: COLLATERAL,
        reputation: REPUTATION_START,
      });
    });

    it("test_startJob_accruedStartsAtZero", async function () {
      const { market, alice, jobId } = await networkHelpers.loadFixture(awardedFixture);
      await market.connect(alice).startJob(jobId);
      expect(await market.accruedOf(jobId)).to.equal(0n);
    });

    it("test_startJob_startsAnInstantJob", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const { market, alice } = f;
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await market.connect(alice).acceptInstant(jobId);
      await expect(market.connect(alice).startJob(jobId)).not.to.revert(ethers);
      expect(await leasedGpus(f, alice, H100)).to.equal(4n);
      expect((await market.jobOf(jobId)).state).to.equal(JobState.Running);
    });
  });

  describe("start deadline (half-open: the deadline itself is too late)", function () {
    it("test_startJob_succeedsOneSecondBeforeDeadline", async function () {
      const { market, alice, jobId, startDeadline } = await networkHelpers.loadFixture(awardedFixture);
      await nextAt(networkHelpers, startDeadline - 1n);
      await expect(market.connect(alice).startJob(jobId))
        .to.emit(market, "JobStarted")
        .withArgs(jobId, alice.address, H100, 4n, startDeadline - 1n, startDeadline - 1n + DURATION);
    });

    it("test_startJob_revertsAtDeadline", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      const { market, alice, jobId, startDeadline } = f;
      await nextAt(networkHelpers, startDeadline);
      await expect(market.connect(alice).startJob(jobId))
        .to.be.revertedWithCustomError(market, "MarketWindowClosed")
        .withArgs(jobId, startDeadline, startDeadline);
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      expect((await market.jobOf(jobId)).state).to.equal(JobState.Awarded);
    });

    itRevertsAt(
      networkHelpers,
      "test_startJob_revertsOneSecondAfterDeadline",
      awardedFixture,
      "MarketWindowClosed",
      (f) => f.startDeadline,
      (f) => f.startDeadline + 1n,
      (f) => f.market.connect(f.alice).startJob(f.jobId),
    );
  });

  describe("caller", function () {
    itRevertsForCallers(
      () => networkHelpers.loadFixture(awardedFixture),
      "MarketNotProvider",
      {
        test_startJob_revertsForLosingBidder: (f) => f.bob,
        test_startJob_revertsForRenter: (f) => f.renter,
        test_startJob_revertsForOutsider: (f) => f.outsider,
      },
      (market, jobId) => market.startJob(jobId),
    );

    it("test_startJob_revertsForAnyoneOnAJobWithoutProvider", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.alice).startJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotProvider")
        .withArgs(jobId, f.alice.address);
    });

    itRevertsForUnknownJob(
      "test_startJob_revertsForUnknownJob",
      () => networkHelpers.loadFixture(awardedFixture),
      (f) => f.alice,
      999n,
      (market, jobId) => market.startJob(jobId),
    );
  });

  describe("state", function () {
    it("test_startJob_revertsWhenAlreadyRunning", async function () {
      const { market, alice, jobId } = await networkHelpers.loadFixture(awardedFixture);
      await market.connect(alice).startJob(jobId);
      await expect(market.connect(alice).startJob(jobId))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Running);
    });

    it("test_startJob_revertsForBestBidderWhileRevealing", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, PRICE);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await revealBid(f, f.alice, jobId, PRICE);
      // Alice is the best bidder (job.provider) but the auction is not awarded yet.
      expect((await f.market.jobOf(jobId)).provider).to.equal(f.alice.address);
      await expect(f.market.connect(f.alice).startJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Revealing);
    });

    it("test_startJob_revertsWhenDelivered", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await f.market.connect(f.alice).startJob(f.jobId);
      await deliverJob(f, networkHelpers, f.jobId, (await f.market.jobOf(f.jobId)).startedAt + 60n);
      await expect(f.market.connect(f.alice).startJob(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Delivered);
    });

    it("test_startJob_revertsWhenFailedForNoShow", async function () {
      const { market, alice, outsider, jobId, startDeadline } = await networkHelpers.loadFixture(awardedFixture);
      await nextAt(networkHelpers, startDeadline);
      await market.connect(outsider).failJob(jobId);
      await expect(market.connect(alice).startJob(jobId))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Failed);
    });
  });

  describe("GPU availability", function () {
    it("test_startJob_revertsWhenGpusAreLeasedToAnotherRunningJob", async function () {
      const f = await networkHelpers.loadFixture(twoAwardedJobsFixture);
      const { market, registry, alice, jobA, jobB } = f;
      await market.connect(alice).startJob(jobA);
      expect(await leasedGpus(f, alice, H100)).to.equal(6n);
      // 8 listed, 6 leased to job A: only 2 free for job B's 4.
      await expect(market.connect(alice).startJob(jobB))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientGpus")
        .withArgs(H100, 2n, 4n);
      expect((await market.jobOf(jobB)).state).to.equal(JobState.Awarded);
    });

    it("test_startJob_succeedsOnceTheOtherJobReleasedItsGpus", async function () {
      const f = await networkHelpers.loadFixture(twoAwardedJobsFixture);
      const { market, alice, jobA, jobB } = f;
      await market.connect(alice).startJob(jobA);
      // Delivering job A early releases its 6 GPUs.
      await deliverJob(f, networkHelpers, jobA, (await market.jobOf(jobA)).startedAt + 60n);
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      await expect(market.connect(alice).startJob(jobB)).not.to.revert(ethers);
      expect(await leasedGpus(f, alice, H100)).to.equal(4n);
    });

    it("test_startJob_bothJobsFitWhenEnoughGpus", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const [jobA, jobB] = await awardedJobsInParallel(f, networkHelpers, [
        { overrides: { gpuCount: 4 }, bids: [[f.alice, PRICE]] },
        { overrides: { gpuCount: 4 }, bids: [[f.alice, PRICE]] },
      ]);
      await f.market.connect(f.alice).startJob(jobA);
      await f.market.connect(f.alice).startJob(jobB);
      const line = await f.registry.gpuLineOf(f.alice.address, H100);
      expect(line.leased).to.equal(8n);
      expect(line.count).to.equal(8n);
    });
  });

  describe("conservation", function () {
    it("test_startJob_conservesMoney", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await expectConservation(f);
      await f.market.connect(f.alice).startJob(f.jobId);
      await expectConservation(f);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(VALUE + AWARD_REFUND);
    });

    it("test_startJob_runningJobHelperMatches", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Running);
      await expectConservation(f);
    });
  });
});
