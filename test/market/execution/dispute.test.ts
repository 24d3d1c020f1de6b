import { expect } from "chai";
import { network } from "hardhat";

import { itRevertsForCallers, itRevertsForUnknownJob } from "../../kit/callers.ts";
import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, deliverJob, EVIDENCE_HASH, nextAt, runningJob } from "../../kit/jobs.ts";
import { DISPUTE_BOND_BPS, DISPUTE_TIMEOUT, HOUR, JobState, PROVIDER_STAKE, USDC } from "../../kit/market.ts";
import { bpsOfUp } from "../../kit/money.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectProviderState,
  REPUTATION_START,
  VALUE,
  ZERO_HASH,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, deliveredFixture } = marketFixtures({ ethers, networkHelpers });

/** ceil(60 USDC x 5%) = 3 USDC. */
const BOND = 3n * USDC;

describe("JobMarket: dispute", function () {
  describe("happy path", function () {
    it("test_dispute_bondsAndOpensTheDispute", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      const { market, usdc, renter, jobId, deliveredAt } = f;
      expect(bpsOfUp(VALUE, DISPUTE_BOND_BPS)).to.equal(BOND);
      const renterUsdcBefore = await usdc.balanceOf(renter.address);
      const marketUsdcBefore = await usdc.balanceOf(await market.getAddress());
      const t = deliveredAt + HOUR;
      await nextAt(networkHelpers, t);
      await expect(market.connect(renter).dispute(jobId, EVIDENCE_HASH))
        .to.emit(market, "JobDisputed")
        .withArgs(jobId, renter.address, EVIDENCE_HASH, await usdc.getAddress(), BOND, t + DISPUTE_TIMEOUT)
        .and.to.emit(usdc, "Transfer")
        .withArgs(renter.address, await market.getAddress(), BOND);

      // The bond is pulled in the payment token, not taken from the renter's ledger balance.
      expect(await usdc.balanceOf(renter.address)).to.equal(renterUsdcBefore - BOND);
      expect(await usdc.balanceOf(await market.getAddress())).to.equal(marketUsdcBefore + BOND);
      await expectLedger(f, { renter: AWARD_REFUND, alice: 0n, treasury: 0n });

      const job = await market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Disputed);
      expect(job.disputeBond).to.equal(BOND);
      expect(job.deadline).to.equal(t + DISPUTE_TIMEOUT);
      expect(job.escrow).to.equal(VALUE);
      await expectConservation(f);
    });

    it("test_dispute_keepsCollateralLockedAndReputation", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      await f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH);
      expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(COLLATERAL);
      await expectProviderState(f, f.alice, {
        freeStake: PROVIDER_STAKE - COLLATERAL,
        lockedStake: COLLATERAL,
        reputation: REPUTATION_START,
      });
    });

    it("test_dispute_acceptsZeroEvidenceHash", async function () {
      const { market, renter, jobId } = await networkHelpers.loadFixture(deliveredFixture);
      await expect(market.connect(renter).dispute(jobId, ZERO_HASH)).to.emit(market, "JobDisputed");
    });

    it("test_dispute_bondIsOnTheWholeValueAfterClaims", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      await deliverJob(f, networkHelpers, jobId);
      await f.market.connect(f.alice).claim(jobId); // 48 USDC released: escrow 12, claimed 48
      const t = BigInt(await networkHelpers.time.latest()) + 10n;
      await nextAt(networkHelpers, t);
      await expect(f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH))
        .to.emit(f.market, "JobDisputed")
        .withArgs(jobId, f.renter.address, EVIDENCE_HASH, await f.usdc.getAddress(), BOND, t + DISPUTE_TIMEOUT);
      await expectConservation(f);
    });

    it("test_dispute_bondRoundsUp", async function () {
      // 1 GPU for 1 h at 1.500001 USDC: value 1_500_001; 5% is 75_000.05, bonded as 75_001.
      const f = await networkHelpers.loadFixture(marketFixture);
      const value = 1_500_001n;
      const jobId = await runningJob(f, networkHelpers, [[f.alice, value]], { gpuCount: 1, duration: HOUR });
      await deliverJob(f, networkHelpers, jobId);
      const before = await f.usdc.balanceOf(f.renter.address);
      await expect(f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH))
        .to.emit(f.market, "JobDisputed")
        .withArgs(jobId, f.renter.address, EVIDENCE_HASH, await f.usdc.getAddress(), 75_001n, (v: bigint) => v > 0n);
      expect(await f.usdc.balanceOf(f.renter.address)).to.equal(before - 75_001n);
      expect((await f.market.jobOf(jobId)).disputeBond).to.equal(75_001n);
      await expectConservation(f);
    });
  });

  describe("bond payment", function () {
    it("test_dispute_revertsWithoutAllowance", async function () {
      const { market, usdc, renter, jobId } = await networkHelpers.loadFixture(deliveredFixture);
      await usdc.connect(renter).approve(await market.getAddress(), 0n);
      await expect(market.connect(renter).dispute(jobId, EVIDENCE_HASH))
        .to.be.revertedWithCustomError(usdc, "ERC20InsufficientAllowance")
        .withArgs(await market.getAddress(), 0n, BOND);
      expect((await market.jobOf(jobId)).state).to.equal(JobState.Delivered);
    });

    it("test_dispute_revertsWithoutFunds", async function () {
      const { market, usdc, renter, outsider, jobId } = await networkHelpers.loadFixture(deliveredFixture);
      const balance = await usdc.balanceOf(renter.address);
      await usdc.connect(renter).transfer(outsider.address, balance);
      await expect(market.connect(renter).dispute(jobId, EVIDENCE_HASH))
        .to.be.revertedWithCustomError(usdc, "ERC20InsufficientBalance")
        .withArgs(renter.address, 0n, BOND);
    });
  });

  describe("challenge window (half-open: the deadline itself is too late)", function () {
    it("test_dispute_succeedsOneSecondBeforeDeadline", async function () {
      const { market, usdc, renter, jobId, challengeDeadline } = await networkHelpers.loadFixture(deliveredFixture);
      await nextAt(networkHelpers, challengeDeadline - 1n);
      await expect(market.connect(renter).dispute(jobId, EVIDENCE_HASH))
        .to.emit(market, "JobDisputed")
        .withArgs(
          jobId,
          renter.address,
          EVIDENCE_HASH,
          await usdc.getAddress(),
          BOND,
          challengeDeadline - 1n + DISPUTE_TIMEOUT,
        );
    });

    itRevertsAt(
      networkHelpers,
      "test_dispute_revertsAtDeadline",
      deliveredFixture,
      "MarketWindowClosed",
      (f) => f.challengeDeadline,
      (f) => f.challengeDeadline,
      (f) => f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH),
    );

    itRevertsAt(
      networkHelpers,
      "test_dispute_revertsOneSecondAfterDeadline",
      deliveredFixture,
      "MarketWindowClosed",
      (f) => f.challengeDeadline,
      (f) => f.challengeDeadline + 1n,
      (f) => f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH),
    );
  });

  describe("caller", function () {
    itRevertsForCallers(
      () => networkHelpers.loadFixture(deliveredFixture),
      "MarketNotRenter",
      {
        test_dispute_revertsForProvider: (f) => f.alice,
        test_dispute_revertsForOtherRenter: (f) => f.renter2,
        test_dispute_revertsForArbiter: (f) => f.arbiter,
      },
      (market, jobId) => market.dispute(jobId, EVIDENCE_HASH),
    );

    itRevertsForUnknownJob(
      "test_dispute_revertsForUnknownJob",
      () => networkHelpers.loadFixture(deliveredFixture),
      (f) => f.renter,
      9n,
      (market, jobId) => market.dispute(jobId, EVIDENCE_HASH),
    );
  });

  describe("state", function () {
    it("test_dispute_revertsWhenAwarded", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await awardedJob(f, networkHelpers);
      await expect(f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_dispute_revertsWhenRunning", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      await expect(f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Running);
    });

    it("test_dispute_revertsWhenAlreadyDisputed", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      await f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH);
      await expect(f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Disputed);
      // Bonded once only.
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(AWARD_REFUND + VALUE + BOND);
    });

    it("test_dispute_revertsWhenSettled", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      await nextAt(networkHelpers, f.challengeDeadline);
      await f.market.settle(f.jobId);
      await expect(f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Settled);
    });

    it("test_dispute_revertsWhenResolved", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      await f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH);
      await f.market.connect(f.arbiter).resolveDispute(f.jobId, 0n);
      await expect(f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Resolved);
    });
  });

  describe("conservation", function () {
    it("test_dispute_conservesMoneyIncludingTheBond", async function () {
      const f = await networkHelpers.loadFixture(deliveredFixture);
      await f.market.connect(f.alice).claim(f.jobId);
      await f.market.connect(f.renter).dispute(f.jobId, EVIDENCE_HASH);
      // Everything releasable was claimed before the dispute: nothing more while Disputed.
      await expect(f.market.connect(f.alice).claim(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNothingToClaim")
        .withArgs(f.jobId);
      await expectConservation(f);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(AWARD_REFUND + VALUE + BOND);
    });
  });
});
