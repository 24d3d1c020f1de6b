import { expect } from "chai";
import { network } from "hardhat";

import { itRevertsForCallers, itRevertsForUnknownJob } from "../../kit/callers.ts";
import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, createJob, deliverJob, nextAt } from "../../kit/jobs.ts";
import { HOUR, JobState, PROVIDER_STAKE, USDC } from "../../kit/market.ts";
import { accrued, DURATION, feeOf, netOf, releasable } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectProviderState,
  leasedGpus,
  REPUTATION_START,
  VALUE,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, runningFixture } = marketFixtures({ ethers, networkHelpers });

describe("JobMarket: stopJob", function () {
  describe("pro-rata split", function () {
    it("test_stopJob_paysAccruedAndRefundsTheRest", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, registry, alice, renter, jobId, startedAt } = f;
      // After 4 of 10 hours: 24 USDC accrued (no holdback on a stop), 0.6 USDC fee, 36 USDC refunded.
      const ran = 4n * HOUR;
      await nextAt(networkHelpers, startedAt + ran);
      await expect(market.connect(renter).stopJob(jobId))
        .to.emit(market, "JobStopped")
        .withArgs(jobId, renter.address, alice.address, 24n * USDC, 600_000n, 36n * USDC, ran)
        .and.to.emit(registry, "GpusReleased")
        .withArgs(alice.address, H100, 4n, 0n)
        .and.to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, jobId, COLLATERAL, 0n, PROVIDER_STAKE);

      await expectLedger(f, {
        alice: 23_400_000n,
        treasury: 600_000n,
        renter: AWARD_REFUND + 36n * USDC,
      });
      const job = await market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Cancelled);
      expect(job.escrow).to.equal(0n);
      expect(job.claimed).to.equal(24n * USDC);
      await expectConservation(f);
    });

    it("test_stopJob_releasesGpusAndUnlocksCollateral", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId } = f;
      expect(await leasedGpus(f, alice, H100)).to.equal(4n);
      await market.connect(renter).stopJob(jobId);
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      expect(await market.lockOf(jobId, alice.address)).to.equal(0n);
      // No fault: nothing slashed, reputation unchanged.
      await expectProviderState(f, alice, {
        freeStake: PROVIDER_STAKE,
        lockedStake: 0n,
        reputation: REPUTATION_START,
      });
    });

    it("test_stopJob_paysOnlyWhatWasNotClaimed", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId, startedAt } = f;
      await nextAt(networkHelpers, startedAt + 2n * HOUR);
      await market.connect(alice).claim(jobId);
      const claimed = releasable(accrued(VALUE, 2n * HOUR));
      expect(claimed).to.equal(9_600_000n);
      // At 4 h: 24 USDC accrued in all, 9.6 already claimed, the held-back part included: 14.4 more.
      await nextAt(networkHelpers, startedAt + 4n * HOUR);
      await expect(market.connect(renter).stopJob(jobId))
        .to.emit(market, "JobStopped")
        .withArgs(jobId, renter.address, alice.address, 14_400_000n, 360_000n, 36n * USDC, 4n * HOUR);
      await expectLedger(f, { alice: 23_400_000n, treasury: 600_000n, renter: AWARD_REFUND + 36n * USDC });
      expect((await market.jobOf(jobId)).claimed).to.equal(24n * USDC);
      await expectConservation(f);
    });

    it("test_stopJob_roundsAccruedDown", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId, startedAt } = f;
      // After 1 s: floor(60e6 / 36000) = 1666 accrued; fee floor(41.65) = 41.
      await nextAt(networkHelpers, startedAt + 1n);
      await expect(market.connect(renter).stopJob(jobId))
        .to.emit(market, "JobStopped")
        .withArgs(jobId, renter.address, alice.address, 1_666n, 41n, VALUE - 1_666n, 1n);
      await expectLedger(f, { alice: 1_625n, treasury: 41n, renter: AWARD_REFUND + VALUE - 1_666n });
      await expectConservation(f);
    });
  });

  describe("end of the paid duration", function () {
    it("test_stopJob_oneSecondBeforeEnd", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId, endsAt } = f;
      const gross = accrued(VALUE, DURATION - 1n);
      expect(gross).to.equal(59_998_333n);
      await nextAt(networkHelpers, endsAt - 1n);
      await expect(market.connect(renter).stopJob(jobId))
        .to.emit(market, "JobStopped")
        .withArgs(jobId, renter.address, alice.address, gross, feeOf(gross), VALUE - gross, DURATION - 1n);
    });

    it("test_stopJob_atEndPaysFullValue", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId, endsAt } = f;
      await nextAt(networkHelpers, endsAt);
      await expect(market.connect(renter).stopJob(jobId))
        .to.emit(market, "JobStopped")
        .withArgs(jobId, renter.address, alice.address, VALUE, 1_500_000n, 0n, DURATION);
      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND });
    });

    it("test_stopJob_afterEndPaysFullValueAndCapsRanSeconds", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId, endsAt } = f;
      await nextAt(networkHelpers, endsAt + 1n);
      await expect(market.connect(renter).stopJob(jobId))
        .to.emit(market, "JobStopped")
        .withArgs(jobId, renter.address, alice.address, VALUE, 1_500_000n, 0n, DURATION);
      await expectLedger(f, { alice: netOf(VALUE), treasury: feeOf(VALUE), renter: AWARD_REFUND });
      await expectConservation(f);
    });

    it("test_stopJob_afterEndPaysTheHoldbackLeftAfterAFullClaim", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId, endsAt } = f;
      await nextAt(networkHelpers, endsAt + 10n);
      await market.connect(alice).claim(jobId);
      await nextAt(networkHelpers, endsAt + 20n);
      await expect(market.connect(renter).stopJob(jobId))
        .to.emit(market, "JobStopped")
        .withArgs(jobId, renter.address, alice.address, 12n * USDC, 300_000n, 0n, DURATION);
      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND });
      await expectConservation(f);
    });
  });

  describe("caller", function () {
    it("test_stopJob_oneSecondBeforeDeliveryDeadline", async function () {
      const { market, renter, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy - 1n);
      await expect(market.connect(renter).stopJob(jobId)).to.emit(market, "JobStopped");
    });

    it("test_stopJob_revertsAtDeliveryDeadline", async function () {
      const { market, renter, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      // Past the deadline the provider has failed to deliver: failJob refunds and slashes instead.
      await nextAt(networkHelpers, deliverBy);
      await expect(market.connect(renter).stopJob(jobId))
        .to.be.revertedWithCustomError(market, "MarketWindowClosed")
        .withArgs(jobId, deliverBy, deliverBy);
    });

    itRevertsAt(
      networkHelpers,
      "test_stopJob_revertsOneSecondAfterDeliveryDeadline",
      runningFixture,
      "MarketWindowClosed",
      (f) => f.deliverBy,
      (f) => f.deliverBy + 1n,
      (f) => f.market.connect(f.renter).stopJob(f.jobId),
    );

    itRevertsForCallers(
      () => networkHelpers.loadFixture(runningFixture),
      "MarketNotRenter",
      {
        test_stopJob_revertsForProvider: (f) => f.alice,
        test_stopJob_revertsForOtherRenter: (f) => f.renter2,
        test_stopJob_revertsForOutsider: (f) => f.outsider,
      },
      (market, jobId) => market.stopJob(jobId),
    );

    itRevertsForUnknownJob(
      "test_stopJob_revertsForUnknownJob",
      () => networkHelpers.loadFixture(runningFixture),
      (f) => f.renter,
      7n,
      (market, jobId) => market.stopJob(jobId),
    );
  });

  describe("state", function () {
    it("test_stopJob_revertsWhileBidding", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.renter).stopJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Bidding);
    });

    it("test_stopJob_revertsWhileRevealing", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await expect(f.market.connect(f.renter).stopJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Revealing);
    });

    it("test_stopJob_revertsWhenAwarded", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await awardedJob(f, networkHelpers);
      await expect(f.market.connect(f.renter).stopJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_stopJob_revertsWhenDelivered", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await deliverJob(f, networkHelpers, f.jobId, f.startedAt + HOUR);
      await expect(f.market.connect(f.renter).stopJob(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Delivered);
    });

    it("test_stopJob_revertsWhenAlreadyStopped", async function () {
      const { market, renter, jobId } = await networkHelpers.loadFixture(runningFixture);
      await market.connect(renter).stopJob(jobId);
      await expect(market.connect(renter).stopJob(jobId))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Cancelled);
    });

    it("test_stopJob_revertsWhenFailed", async function () {
      const { market, renter, outsider, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy);
      await market.connect(outsider).failJob(jobId);
      await expect(market.connect(renter).stopJob(jobId))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Failed);
    });
  });

  describe("conservation", function () {
    it("test_stopJob_conservesMoney", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, renter, jobId, startedAt } = f;
      await nextAt(networkHelpers, startedAt + 3n * HOUR + 7n);
      await market.connect(renter).stopJob(jobId);
      await expectConservation(f);
      // The market holds exactly the ledger balances now that the job's escrow is gone.
      const total =
        (await f.market.balanceOf(await f.usdc.getAddress(), renter.address)) +
        (await f.market.balanceOf(await f.usdc.getAddress(), f.alice.address)) +
        (await f.market.balanceOf(await f.usdc.getAddress(), f.treasury.address));
      expect(total).to.equal(AWARD_REFUND + VALUE);
      expect(await f.usdc.balanceOf(await market.getAddress())).to.equal(total);
    });
  });
});
