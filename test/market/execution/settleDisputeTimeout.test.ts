import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { deliverJob, EVIDENCE_HASH, nextAt, runningJob } from "../../kit/jobs.ts";
import {
  CHALLENGE_WINDOW,
  DISPUTE_TIMEOUT,
  HOUR,
  JobState,
  PROVIDER_FAULT,
  PROVIDER_STAKE,
  USDC,
} from "../../kit/market.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectSettledInFull,
  REPUTATION_AFTER_SUCCESS,
  REPUTATION_START,
  VALUE,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, disputedFixture } = marketFixtures({ ethers, networkHelpers });

const BOND = 3n * USDC;

describe("JobMarket: settleDisputeTimeout", function () {
  describe("happy path", function () {
    it("test_settleDisputeTimeout_settlesAsDeliveredAndRefundsTheBond", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      const { market, registry, token, alice, renter, outsider, jobId, disputeDeadline, paymentToken } = f;
      const burnedBefore = await token.totalBurned();
      await nextAt(networkHelpers, disputeDeadline);
      await expect(market.connect(outsider).settleDisputeTimeout(jobId))
        .to.emit(market, "JobSettled")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          paymentToken,
          VALUE,
          VALUE,
          1_500_000n,
          0n,
          BOND,
          REPUTATION_AFTER_SUCCESS,
        )
        .and.to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, jobId, COLLATERAL, 0n, PROVIDER_STAKE)
        .and.to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, REPUTATION_START, REPUTATION_AFTER_SUCCESS, true)
        .and.not.to.emit(market, "DisputeResolvedForProvider");

      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND + BOND });
      await expectSettledInFull(f, jobId);
      expect(await token.totalBurned()).to.equal(burnedBefore);
      await expectConservation(f);
    });

    it("test_settleDisputeTimeout_deadlineIsDisputeTimeAfterTheDispute", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      const deliveredAt = await deliverJob(f, networkHelpers, jobId);
      const disputedAt = deliveredAt + CHALLENGE_WINDOW - 1n;
      await nextAt(networkHelpers, disputedAt);
      await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH);
      expect((await f.market.jobOf(jobId)).deadline).to.equal(disputedAt + DISPUTE_TIMEOUT);
    });

    it("test_settleDisputeTimeout_paysOnlyWhatWasNotClaimed", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      const { market, alice, renter, jobId, disputeDeadline, paymentToken } = f;
      await market.connect(alice).claim(jobId); // 48 USDC while Disputed
      await nextAt(networkHelpers, disputeDeadline + 1n);
      await expect(market.settleDisputeTimeout(jobId))
        .to.emit(market, "JobSettled")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          paymentToken,
          VALUE,
          12n * USDC,
          300_000n,
          0n,
          BOND,
          REPUTATION_AFTER_SUCCESS,
        );
      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND + BOND });
      await expectConservation(f);
    });
  });

  describe("dispute deadline (the timeout opens at the deadline)", function () {
    itRevertsAt(
      networkHelpers,
      "test_settleDisputeTimeout_revertsOneSecondBeforeDeadline",
      disputedFixture,
      "MarketTooEarly",
      (f) => f.disputeDeadline,
      (f) => f.disputeDeadline - 1n,
      (f) => f.market.settleDisputeTimeout(f.jobId),
    );

    it("test_settleDisputeTimeout_revertsRightAfterTheDispute", async function () {
      const { market, jobId, disputeDeadline } = await networkHelpers.loadFixture(disputedFixture);
      const t = disputeDeadline - DISPUTE_TIMEOUT + 1n;
      await nextAt(networkHelpers, t);
      await expect(market.settleDisputeTimeout(jobId))
        .to.be.revertedWithCustomError(market, "MarketTooEarly")
        .withArgs(jobId, disputeDeadline, t);
    });

    it("test_settleDisputeTimeout_succeedsAtDeadline", async function () {
      const { market, jobId, disputeDeadline } = await networkHelpers.loadFixture(disputedFixture);
      await nextAt(networkHelpers, disputeDeadline);
      await expect(market.settleDisputeTimeout(jobId)).to.emit(market, "JobSettled");
    });

    it("test_settleDisputeTimeout_succeedsOneSecondAfterDeadline", async function () {
      const { market, jobId, disputeDeadline } = await networkHelpers.loadFixture(disputedFixture);
      await nextAt(networkHelpers, disputeDeadline + 1n);
      await expect(market.settleDisputeTimeout(jobId)).to.emit(market, "JobSettled");
    });

    it("test_settleDisputeTimeout_arbiterAndTimeoutNeverOverlap", async function () {
      // At deadline - 1 only the arbiter may act; at the deadline only the timeout.
      const f = await networkHelpers.loadFixture(disputedFixture);
      const { market, arbiter, jobId, disputeDeadline } = f;
      await nextAt(networkHelpers, disputeDeadline - 1n);
      await expect(market.settleDisputeTimeout(jobId)).to.be.revertedWithCustomError(market, "MarketTooEarly");
      await nextAt(networkHelpers, disputeDeadline);
      await expect(market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT)).to.be.revertedWithCustomError(
        market,
        "MarketWindowClosed",
      );
      await expect(market.settleDisputeTimeout(jobId)).not.to.revert(ethers);
    });
  });

  describe("anyone can call", function () {
    for (const who of ["renter", "alice", "arbiter", "outsider"] as const) {
      it(`test_settleDisputeTimeout_callableBy_${who}`, async function () {
        const f = await networkHelpers.loadFixture(disputedFixture);
        await nextAt(networkHelpers, f.disputeDeadline);
        await expect(f.market.connect(f[who]).settleDisputeTimeout(f.jobId)).not.to.revert(ethers);
        await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND + BOND });
      });
    }
  });

  describe("state", function () {
    it("test_settleDisputeTimeout_revertsForUnknownJob", async function () {
      const { market } = await networkHelpers.loadFixture(disputedFixture);
      await expect(market.settleDisputeTimeout(12n))
        .to.be.revertedWithCustomError(market, "MarketUnknownJob")
        .withArgs(12n);
    });

    it("test_settleDisputeTimeout_revertsWhenDelivered", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      await deliverJob(f, networkHelpers, jobId);
      await networkHelpers.time.increase(10n * 24n * HOUR);
      await expect(f.market.settleDisputeTimeout(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Delivered);
    });

    it("test_settleDisputeTimeout_revertsWhenRunning", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      await expect(f.market.settleDisputeTimeout(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Running);
    });

    it("test_settleDisputeTimeout_revertsWhenAlreadySettled", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      await nextAt(networkHelpers, f.disputeDeadline);
      await f.market.settleDisputeTimeout(f.jobId);
      await expect(f.market.settleDisputeTimeout(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Settled);
      // The bond is refunded once only.
      await expectLedger(f, { renter: AWARD_REFUND + BOND });
      await expectConservation(f);
    });

    it("test_settleDisputeTimeout_revertsWhenResolved", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      await f.market.connect(f.arbiter).resolveDispute(f.jobId, PROVIDER_FAULT);
      await nextAt(networkHelpers, f.disputeDeadline);
      await expect(f.market.settleDisputeTimeout(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Resolved);
    });
  });

  describe("conservation", function () {
    it("test_settleDisputeTimeout_conservesMoney", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      await expectConservation(f);
      await nextAt(networkHelpers, f.disputeDeadline);
      await f.market.settleDisputeTimeout(f.jobId);
      await expectConservation(f);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(AWARD_REFUND + VALUE + BOND);
    });
  });
});
