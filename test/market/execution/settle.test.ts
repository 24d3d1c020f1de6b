import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, deliverJob, EVIDENCE_HASH, nextAt, runningJob } from "../../kit/jobs.ts";
import { CHALLENGE_WINDOW, HOUR, JobState, PROVIDER_STAKE, USDC } from "../../kit/market.ts";
import { feeOf, netOf } from "../../kit/money.ts";
import { H100, reputationAfterJob } from "../../kit/protocol.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectSettledInFull,
  leasedGpus,
  PRICE,
  REPUTATION_AFTER_SUCCESS,
  REPUTATION_START,
  VALUE,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, deliveredFixture } = marketFixtures({ ethers, networkHelpers });

describe("JobMarket: settle", function () {
  describe("happy path", function () {
    it("test_settle_paysTheRestReleasesCollateralAndRaisesReputation", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      const { market, registry, alice, renter, outsider, jobId, challengeDeadline, paymentToken } = f;
      expect(challengeDeadline).to.equal(f.deliveredAt + CHALLENGE_WINDOW);
      await nextAt(networkHelpers, challengeDeadline);
      await expect(market.connect(outsider).settle(jobId))
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
          0n,
          REPUTATION_AFTER_SUCCESS,
        )
        .and.to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, jobId, COLLATERAL, 0n, PROVIDER_STAKE)
        .and.to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, REPUTATION_START, REPUTATION_AFTER_SUCCESS, true);

      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND });
      await expectSettledInFull(f, jobId);
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      await expectConservation(f);
    });

    it("test_settle_paysOnlyTheHoldbackAfterFullClaims", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const { market, alice, renter } = f;
      const jobId = await runningJob(f, networkHelpers);
      const { startedAt } = await market.jobOf(jobId);
      await nextAt(networkHelpers, startedAt + 5n * HOUR);
      await market.connect(alice).claim(jobId); // 24 USDC
      await deliverJob(f, networkHelpers, jobId);
      await market.connect(alice).claim(jobId); // 24 USDC more: 48 = value - holdback
      const { deadline } = await market.jobOf(jobId);
      await nextAt(networkHelpers, deadline);
      await expect(market.connect(renter).settle(jobId))
        .to.emit(market, "JobSettled")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          await f.usdc.getAddress(),
          VALUE,
          12n * USDC,
          300_000n,
          0n,
          0n,
          REPUTATION_AFTER_SUCCESS,
        );
      // Over the three payouts alice nets 97.5% of the value and the treasury gets 2.5%.
      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND });
      await expectConservation(f);
    });

    it("test_settle_feeRoundsDownOnAnOddValue", async function () {
      // 1 GPU for 1 h at 1.500001 USDC: value 1_500_001, fee floor(37_500.025) = 37_500.
      const f = await networkHelpers.loadFixture(marketFixture);
      const value = 1_500_001n;
      const jobId = await runningJob(f, networkHelpers, [[f.alice, value]], { gpuCount: 1, duration: HOUR });
      await deliverJob(f, networkHelpers, jobId);
      const { deadline } = await f.market.jobOf(jobId);
      await nextAt(networkHelpers, deadline);
      await expect(f.market.settle(jobId))
        .to.emit(f.market, "JobSettled")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          await f.usdc.getAddress(),
          value,
          value,
          37_500n,
          0n,
          0n,
          // A $1.500001 job weighs 150 bps of the $100 reference: 5000 + floor(5000 x 150 / 100000).
          reputationAfterJob(REPUTATION_START, value),
        );
      expect(feeOf(value)).to.equal(37_500n);
      await expectLedger(f, { alice: netOf(value), treasury: 37_500n });
      await expectConservation(f);
    });
  });

  describe("challenge deadline (settle opens at the deadline)", function () {
    itRevertsAt(
      networkHelpers,
      "test_settle_revertsOneSecondBeforeDeadline",
      deliveredFixture,
      "MarketTooEarly",
      (f) => f.challengeDeadline,
      (f) => f.challengeDeadline - 1n,
      (f) => f.market.settle(f.jobId),
    );

    itRevertsAt(
      networkHelpers,
      "test_settle_revertsRightAfterDelivery",
      deliveredFixture,
      "MarketTooEarly",
      (f) => f.challengeDeadline,
      (f) => f.deliveredAt + 1n,
      (f) => f.market.settle(f.jobId),
    );

    it("test_settle_byRenterRightAfterDelivery_acceptsTheResultAndPaysInFull", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      const { market, alice, renter, jobId, paymentToken } = f;
      await expect(market.connect(renter).settle(jobId))
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
          0n,
          REPUTATION_AFTER_SUCCESS,
        );
      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND });
      await expectSettledInFull(f, jobId);
      await expectConservation(f);
    });

    it("test_settle_byRenterOneSecondBeforeDeadline_succeeds", async function () {
      const { market, renter, jobId, challengeDeadline } = await networkHelpers.loadFixture(deliveredFixture);
      await nextAt(networkHelpers, challengeDeadline - 1n);
      await expect(market.connect(renter).settle(jobId)).to.emit(market, "JobSettled");
    });

    it("test_settle_byProviderBeforeDeadline_reverts", async function () {
      const { market, alice, jobId, challengeDeadline } = await networkHelpers.loadFixture(deliveredFixture);
      const now = BigInt(await networkHelpers.time.latest()) + 1n;
      await expect(market.connect(alice).settle(jobId))
        .to.be.revertedWithCustomError(market, "MarketTooEarly")
        .withArgs(jobId, challengeDeadline, now);
    });

    it("test_settle_byRenterAfterDispute_reverts", async function () {
      const { market, renter, jobId } = await networkHelpers.loadFixture(deliveredFixture);
      await market.connect(renter).dispute(jobId, EVIDENCE_HASH);
      await expect(market.connect(renter).settle(jobId)).to.be.revertedWithCustomError(market, "MarketWrongState");
    });

    it("test_settle_succeedsAtDeadline", async function () {
      const { market, jobId, challengeDeadline } = await networkHelpers.loadFixture(deliveredFixture);
      await nextAt(networkHelpers, challengeDeadline);
      await expect(market.settle(jobId)).to.emit(market, "JobSettled");
      expect((await market.jobOf(jobId)).state).to.equal(JobState.Settled);
    });

    it("test_settle_succeedsOneSecondAfterDeadline", async function () {
      const { market, jobId, challengeDeadline } = await networkHelpers.loadFixture(deliveredFixture);
      await nextAt(networkHelpers, challengeDeadline + 1n);
      await expect(market.settle(jobId)).to.emit(market, "JobSettled");
    });
  });

  describe("anyone can call", function () {
    for (const who of ["alice", "renter", "outsider", "bob", "treasury"] as const) {
      it(`test_settle_callableBy_${who}`, async function () {
        const f = await networkHelpers.loadFixture(deliveredFixture);
        await nextAt(networkHelpers, f.challengeDeadline);
        await expect(f.market.connect(f[who]).settle(f.jobId)).not.to.revert(ethers);
        // Whoever calls, the provider is paid, not the caller.
        await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND });
      });
    }
  });

  describe("state", function () {
    it("test_settle_revertsForUnknownJob", async function () {
      const { market } = await networkHelpers.loadFixture(deliveredFixture);
      await expect(market.settle(5n)).to.be.revertedWithCustomError(market, "MarketUnknownJob").withArgs(5n);
    });

    it("test_settle_revertsWhenAwarded", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await awardedJob(f, networkHelpers);
      await expect(f.market.settle(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_settle_revertsWhenRunning", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers, [[f.alice, PRICE]]);
      await networkHelpers.time.increase(30n * 24n * HOUR);
      await expect(f.market.settle(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Running);
    });

    it("test_settle_revertsWhenDisputed", async function () {
      const { market, renter, jobId, challengeDeadline } = await networkHelpers.loadFixture(deliveredFixture);
      await market.connect(renter).dispute(jobId, EVIDENCE_HASH);
      await nextAt(networkHelpers, challengeDeadline);
      await expect(market.settle(jobId))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Disputed);
    });

    it("test_settle_revertsWhenAlreadySettled", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      await nextAt(networkHelpers, f.challengeDeadline);
      await f.market.settle(f.jobId);
      await expect(f.market.settle(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Settled);
      // Nothing paid twice.
      await expectLedger(f, { alice: 58_500_000n, treasury: 1_500_000n, renter: AWARD_REFUND });
      expect((await f.registry.providerOf(f.alice.address)).reputation).to.equal(REPUTATION_AFTER_SUCCESS);
    });
  });

  describe("conservation", function () {
    it("test_settle_conservesMoneyAndEmptiesEscrow", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      await expectConservation(f);
      await nextAt(networkHelpers, f.challengeDeadline);
      await f.market.settle(f.jobId);
      await expectConservation(f);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(VALUE + AWARD_REFUND);
      // Everything the market holds is now withdrawable by someone.
      await f.market.connect(f.alice).withdraw(f.paymentToken, f.alice.address);
      await f.market.connect(f.treasury).withdraw(f.paymentToken, f.treasury.address);
      await f.market.connect(f.renter).withdraw(f.paymentToken, f.renter.address);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
    });
  });
});
