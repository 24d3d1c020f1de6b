import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { itRevertsForCallers, itRevertsForUnknownJob } from "../../kit/callers.ts";
import { marketFixtures } from "../../kit/fixtures.ts";
import {
  awardedJob,
  commitBid,
  createJob,
  deliverJob,
  EVIDENCE_HASH,
  nextAt,
  revealBid,
  runningJob,
} from "../../kit/jobs.ts";
import { HOLDBACK_BPS, HOUR, JobState, USDC } from "../../kit/market.ts";
import { accrued, bpsOfUp, DURATION, feeOf, netOf, releasable } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import { AWARD_REFUND, COLLATERAL, expectConservation, expectLedger, leasedGpus, PRICE, VALUE } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, runningFixture } = marketFixtures({ ethers, networkHelpers });

/** value - ceil(value x holdback): what the provider may hold before settlement. */
const MAX_BEFORE_SETTLEMENT = VALUE - bpsOfUp(VALUE, HOLDBACK_BPS);

describe("JobMarket: claim", function () {
  describe("delivery deadline", function () {
    it("test_claim_oneSecondBeforeDeliveryDeadline", async function () {
      const { market, alice, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy - 1n);
      await expect(market.connect(alice).claim(jobId)).to.emit(market, "PaymentClaimed");
    });

    it("test_claim_revertsAtDeliveryDeadline", async function () {
      const { market, alice, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      // An undelivered job past its deadline can only fail: no more pay leaves the escrow.
      await nextAt(networkHelpers, deliverBy);
      await expect(market.connect(alice).claim(jobId))
        .to.be.revertedWithCustomError(market, "MarketWindowClosed")
        .withArgs(jobId, deliverBy, deliverBy);
    });

    itRevertsAt(
      networkHelpers,
      "test_claim_revertsOneSecondAfterDeliveryDeadline",
      runningFixture,
      "MarketWindowClosed",
      (f) => f.deliverBy,
      (f) => f.deliverBy + 1n,
      (f) => f.market.connect(f.alice).claim(f.jobId),
    );
  });

  describe("streaming while running", function () {
    it("test_claim_halfwayReleasesAccruedLessHoldback", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, startedAt } = f;
      // Halfway: 30 USDC accrued, 6 USDC held back, 24 USDC released (0.6 USDC fee).
      const gross = 24n * USDC;
      expect(releasable(accrued(VALUE, 5n * HOUR))).to.equal(gross);
      await nextAt(networkHelpers, startedAt + 5n * HOUR);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), gross, 600_000n, gross);

      await expectLedger(f, { alice: 23_400_000n, treasury: 600_000n, renter: AWARD_REFUND });
      const job = await market.jobOf(jobId);
      expect(job.claimed).to.equal(gross);
      expect(job.escrow).to.equal(VALUE - gross);
      expect(job.state).to.equal(JobState.Running);
      await expectConservation(f);
    });

    it("test_claim_returnsGross", async function () {
      const { market, alice, jobId, startedAt } = await networkHelpers.loadFixture(runningFixture);
      // Evaluated on the pending block, which is mined at the timestamp set for it.
      await nextAt(networkHelpers, startedAt + 5n * HOUR);
      expect(await market.connect(alice).claim.staticCall(jobId, { blockTag: "pending" })).to.equal(24n * USDC);
    });

    it("test_claim_roundsAccruedDownAndHoldbackUp", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, startedAt } = f;
      // After 1 s: accrued = floor(60e6 / 36000) = 1666; holdback = ceil(333.2) = 334; released 1332;
      // fee = floor(33.3) = 33.
      await nextAt(networkHelpers, startedAt + 1n);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), 1_332n, 33n, 1_332n);
      await expectLedger(f, { alice: 1_299n, treasury: 33n });
      await expectConservation(f);
    });

    it("test_claim_twiceReleasesOnlyTheIncrement", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, startedAt } = f;
      await nextAt(networkHelpers, startedAt + 5n * HOUR);
      await market.connect(alice).claim(jobId);
      // At 7.5 h: 45 USDC accrued, 9 held back, 36 releasable, 24 already claimed: 12 more.
      await nextAt(networkHelpers, startedAt + (15n * HOUR) / 2n);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), 12n * USDC, 300_000n, 36n * USDC);
      await expectLedger(f, { alice: 35_100_000n, treasury: 900_000n, renter: AWARD_REFUND });
      const job = await market.jobOf(jobId);
      expect(job.claimed).to.equal(36n * USDC);
      expect(job.escrow).to.equal(24n * USDC);
      await expectConservation(f);
    });

    it("test_claim_atEndOfDurationReleasesValueLessHoldback", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, endsAt } = f;
      await nextAt(networkHelpers, endsAt);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), 48n * USDC, 1_200_000n, 48n * USDC);
      await expectLedger(f, { alice: 46_800_000n, treasury: 1_200_000n });
    });

    it("test_claim_oneSecondBeforeEndOfDuration", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, endsAt } = f;
      const gross = releasable(accrued(VALUE, DURATION - 1n));
      // floor(60e6 x 35999 / 36000) = 59_998_333; holdback ceil(11_999_666.6) = 11_999_667.
      expect(gross).to.equal(47_998_666n);
      await nextAt(networkHelpers, endsAt - 1n);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), gross, feeOf(gross), gross);
    });

    it("test_claim_afterEndOfDurationIsCappedAtValueLessHoldback", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, endsAt } = f;
      // Still Running (before the delivery deadline): accrual stops at the job's value.
      await nextAt(networkHelpers, endsAt + 1_800n);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(
          jobId,
          alice.address,
          await usdc.getAddress(),
          MAX_BEFORE_SETTLEMENT,
          1_200_000n,
          MAX_BEFORE_SETTLEMENT,
        );
      expect(await market.accruedOf(jobId)).to.equal(VALUE);
      await expectConservation(f);
    });

    it("test_claim_revertsOnSecondClaimAfterEndOfDuration", async function () {
      const { market, alice, jobId, endsAt } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, endsAt + 1n);
      await market.connect(alice).claim(jobId);
      await expect(market.connect(alice).claim(jobId))
        .to.be.revertedWithCustomError(market, "MarketNothingToClaim")
        .withArgs(jobId);
    });

    it("test_claim_doesNotTouchGpusOrCollateral", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, jobId, startedAt } = f;
      await nextAt(networkHelpers, startedAt + 5n * HOUR);
      await market.connect(alice).claim(jobId);
      expect(await leasedGpus(f, alice, H100)).to.equal(4n);
      expect(await market.lockOf(jobId, alice.address)).to.equal(COLLATERAL);
    });
  });

  describe("after delivery", function () {
    it("test_claim_inDeliveredReleasesAccruedToDeliveryLessHoldback", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, startedAt } = f;
      await nextAt(networkHelpers, startedAt + 5n * HOUR);
      await market.connect(alice).claim(jobId); // 30 accrued, 24 released
      // Early delivery at 6 h: pay has accrued up to the delivery (36 USDC), not the whole value, until
      // the job settles; releasable 36 - ceil(36 x 20%) = 28.8, so 4.8 more.
      await deliverJob(f, networkHelpers, jobId, startedAt + 6n * HOUR);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), 4_800_000n, 120_000n, 28_800_000n);
      await expectLedger(f, { alice: 28_080_000n, treasury: 720_000n, renter: AWARD_REFUND });
      const job = await market.jobOf(jobId);
      expect(job.escrow).to.equal(31_200_000n);
      expect(job.state).to.equal(JobState.Delivered);
      await expectConservation(f);
    });

    it("test_claim_inDeliveredWithoutEarlierClaims", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, startedAt } = f;
      // Delivered after 1 h of 10: 6 USDC accrued, 4.8 releasable.
      await deliverJob(f, networkHelpers, jobId, startedAt + HOUR);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), 4_800_000n, 120_000n, 4_800_000n);
    });

    it("test_claim_inDeliveredAtEndReleasesValueLessHoldback", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, jobId, endsAt } = f;
      await deliverJob(f, networkHelpers, jobId, endsAt);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(
          jobId,
          alice.address,
          await usdc.getAddress(),
          MAX_BEFORE_SETTLEMENT,
          1_200_000n,
          MAX_BEFORE_SETTLEMENT,
        );
    });

    it("test_claim_revertsInDeliveredOnceEverythingReleasable", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await deliverJob(f, networkHelpers, f.jobId, f.startedAt + HOUR);
      await f.market.connect(f.alice).claim(f.jobId);
      await expect(f.market.connect(f.alice).claim(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNothingToClaim")
        .withArgs(f.jobId);
    });

    it("test_claim_inDisputedReleasesUpToValueLessHoldback", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, usdc, alice, renter, jobId } = f;
      await deliverJob(f, networkHelpers, jobId);
      await market.connect(renter).dispute(jobId, EVIDENCE_HASH);
      await expect(market.connect(alice).claim(jobId))
        .to.emit(market, "PaymentClaimed")
        .withArgs(jobId, alice.address, await usdc.getAddress(), 48n * USDC, 1_200_000n, 48n * USDC);
      await expectConservation(f);
    });
  });

  describe("nothing to claim", function () {
    it("test_claim_revertsWhenAccrualRoundsToZero", async function () {
      // 1 GPU at 0.000001 USDC per hour for 10 h: value 10 units. After 1 s nothing has accrued; after
      // 1 h, 1 unit has, all of it held back (ceil(0.2) = 1).
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers, [[f.alice, 1n]], { gpuCount: 1 });
      const { startedAt, escrow } = await f.market.jobOf(jobId);
      expect(escrow).to.equal(10n);
      await nextAt(networkHelpers, startedAt + 1n);
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNothingToClaim")
        .withArgs(jobId);
      await nextAt(networkHelpers, startedAt + HOUR);
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNothingToClaim")
        .withArgs(jobId);
      // After 5 h: accrued 5, held back 1, releasable 4 (fee rounds to 0).
      await nextAt(networkHelpers, startedAt + 5n * HOUR);
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.emit(f.market, "PaymentClaimed")
        .withArgs(jobId, f.alice.address, await f.usdc.getAddress(), 4n, 0n, 4n);
    });
  });

  describe("caller", function () {
    itRevertsForCallers(
      () => networkHelpers.loadFixture(runningFixture),
      "MarketNotProvider",
      {
        test_claim_revertsForRenter: (f) => f.renter,
        test_claim_revertsForOtherProvider: (f) => f.bob,
        test_claim_revertsForTreasury: (f) => f.treasury,
      },
      (market, jobId) => market.claim(jobId),
    );

    itRevertsForUnknownJob(
      "test_claim_revertsForUnknownJob",
      () => networkHelpers.loadFixture(runningFixture),
      (f) => f.alice,
      42n,
      (market, jobId) => market.claim(jobId),
    );
  });

  describe("state", function () {
    it("test_claim_revertsWhenAwarded", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await awardedJob(f, networkHelpers);
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_claim_revertsForAnyoneWhileNoBidIsRevealed", async function () {
      // A job in auction has no provider until a bid is revealed, so the caller check fails first.
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotProvider")
        .withArgs(jobId, f.alice.address);
    });

    // claim reports the effective state (Revealing), like every other entry point.
    it("test_claim_revertsForBestBidderWhileRevealing", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, PRICE);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await revealBid(f, f.alice, jobId, PRICE);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Revealing);
      // As everywhere else (_requireState, failJob, closeBid), the error reports the job's state as
      // stateOf does: Revealing (never stored) for a Bidding job past its bid window.
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Revealing);
    });

    it("test_claim_revertsForBestBidderBeforeAward", async function () {
      // The part of the Revealing case that holds today: the best bidder cannot claim before award.
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, PRICE);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await revealBid(f, f.alice, jobId, PRICE);
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, anyValue);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(80n * USDC);
    });

    it("test_claim_revertsWhenSettled", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await deliverJob(f, networkHelpers, f.jobId);
      const { deadline } = await f.market.jobOf(f.jobId);
      await nextAt(networkHelpers, deadline);
      await f.market.settle(f.jobId);
      await expect(f.market.connect(f.alice).claim(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Settled);
    });

    it("test_claim_revertsWhenStopped", async function () {
      const { market, alice, renter, jobId } = await networkHelpers.loadFixture(runningFixture);
      await market.connect(renter).stopJob(jobId);
      await expect(market.connect(alice).claim(jobId))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Cancelled);
    });

    it("test_claim_revertsWhenFailed", async function () {
      const { market, alice, outsider, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy);
      await market.connect(outsider).failJob(jobId);
      await expect(market.connect(alice).claim(jobId))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Failed);
    });

    it("test_claim_revertsWhenResolved", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await deliverJob(f, networkHelpers, f.jobId);
      await f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH);
      await f.market.connect(f.arbiter).resolveDispute(f.jobId, 0n);
      await expect(f.market.connect(f.alice).claim(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Resolved);
    });
  });

  describe("fees and conservation", function () {
    it("test_claim_feesGoToTreasuryAndNetToProvider", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, jobId, startedAt } = f;
      let gross = 0n;
      for (const elapsed of [1n, 17n, HOUR + 3n, 4n * HOUR + 11n, 9n * HOUR + 59n]) {
        await nextAt(networkHelpers, startedAt + elapsed);
        const before = { alice: await market.balanceOf(await f.usdc.getAddress(), alice.address) };
        await market.connect(alice).claim(jobId);
        const step = releasable(accrued(VALUE, elapsed)) - gross;
        gross += step;
        expect(await market.balanceOf(await f.usdc.getAddress(), alice.address)).to.equal(before.alice + netOf(step));
        await expectConservation(f);
      }
      expect((await market.jobOf(jobId)).claimed).to.equal(gross);
      expect(await f.usdc.balanceOf(await market.getAddress())).to.equal(VALUE + AWARD_REFUND);
    });
  });
});
