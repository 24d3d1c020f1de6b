import { expect } from "chai";
import { network } from "hardhat";

import { itRevertsForUnknownJob } from "../../kit/callers.ts";
import { marketFixtures } from "../../kit/fixtures.ts";
import { deliverJob, disputedJob, EVIDENCE_HASH, nextAt, runningJob } from "../../kit/jobs.ts";
import {
  deployMarket,
  HOLDBACK_BPS,
  HOUR,
  JobState,
  PROVIDER_FAULT,
  PROVIDER_STAKE,
  RENTER_FAULT,
  USDC,
} from "../../kit/market.ts";
import { accrued, bpsOf, bpsOfUp, releasable } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectProviderState,
  expectSettledInFull,
  leasedGpus,
  REPUTATION_AFTER_FAULT,
  REPUTATION_AFTER_SUCCESS,
  REPUTATION_START,
  VALUE,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, disputedFixture } = marketFixtures({ ethers, networkHelpers });

/** As disputedFixture, but alice claimed 24 USDC halfway through the run. */
async function disputedAfterPartialClaimFixture() {
  const f = await deployMarket(ethers);
  const jobId = await runningJob(f, networkHelpers);
  const { startedAt } = await f.market.jobOf(jobId);
  await nextAt(networkHelpers, startedAt + 5n * HOUR);
  await f.market.connect(f.alice).claim(jobId);
  await deliverJob(f, networkHelpers, jobId);
  await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH);
  return { ...f, jobId, disputeDeadline: (await f.market.jobOf(jobId)).deadline };
}

const BOND = 3n * USDC;
/** ceil(60 USDC x 20%). */
const HOLDBACK = 12n * USDC;
/** What the provider keeps on a ProviderFault ruling: value - ceil(value x holdback). */
const PROVIDER_SHARE = VALUE - HOLDBACK;
/** The whole collateral is slashed; half to the renter, half burned. */
const SLASHED_TO_RENTER = COLLATERAL / 2n;
const SLASHED_BURNED = COLLATERAL - SLASHED_TO_RENTER;

describe("JobMarket: resolveDispute", function () {
  describe("ProviderFault", function () {
    it("test_resolveDispute_providerFaultRefundsHoldbackAndBondAndSlashesAll", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      const { market, registry, token, alice, renter, arbiter, jobId } = f;
      expect(bpsOfUp(VALUE, HOLDBACK_BPS)).to.equal(HOLDBACK);
      const renterGrlBefore = await token.balanceOf(renter.address);
      const burnedBefore = await token.totalBurned();
      const supplyBefore = await token.totalSupply();

      await expect(market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.emit(market, "DisputeResolvedForRenter")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          arbiter.address,
          PROVIDER_SHARE,
          bpsOf(PROVIDER_SHARE, 250n),
          HOLDBACK,
          SLASHED_TO_RENTER,
          SLASHED_BURNED,
          REPUTATION_AFTER_FAULT,
        )
        .and.to.emit(registry, "ProviderSlashed")
        .withArgs(alice.address, jobId, renter.address, SLASHED_TO_RENTER, SLASHED_BURNED, 0n)
        .and.to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, REPUTATION_START, REPUTATION_AFTER_FAULT, false)
        .and.not.to.emit(market, "JobSettled");

      // Provider: value - holdback = 48 USDC gross (1.2 USDC fee). Renter: award refund + holdback + bond.
      await expectLedger(f, {
        alice: 46_800_000n,
        treasury: 1_200_000n,
        renter: AWARD_REFUND + HOLDBACK + BOND,
      });
      const job = await market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Resolved);
      expect(job.escrow).to.equal(0n);
      expect(job.claimed).to.equal(PROVIDER_SHARE);

      // Collateral: 18 GRL transferred to the renter as tokens, 18 GRL burned, nothing left locked.
      expect(await token.balanceOf(renter.address)).to.equal(renterGrlBefore + SLASHED_TO_RENTER);
      expect(await token.totalBurned()).to.equal(burnedBefore + SLASHED_BURNED);
      expect(await token.totalSupply()).to.equal(supplyBefore - SLASHED_BURNED);
      expect(await market.lockOf(jobId, alice.address)).to.equal(0n);
      await expectProviderState(f, alice, {
        freeStake: PROVIDER_STAKE - COLLATERAL,
        lockedStake: 0n,
        reputation: REPUTATION_AFTER_FAULT,
      });
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      await expectConservation(f);
    });

    it("test_resolveDispute_providerFaultPaysOnlyWhatWasNotClaimed", async function () {
      const f = await networkHelpers.loadFixture(disputedAfterPartialClaimFixture);
      const { market, alice, renter, arbiter, jobId } = f;
      const claimed = releasable(accrued(VALUE, 5n * HOUR));
      expect(claimed).to.equal(24n * USDC);
      await market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT);
      // 24 USDC claimed before, 24 USDC paid now: 48 in all, net 46.8, fees 1.2.
      await expectLedger(f, {
        alice: 46_800_000n,
        treasury: 1_200_000n,
        renter: AWARD_REFUND + HOLDBACK + BOND,
      });
      expect((await market.jobOf(jobId)).claimed).to.equal(PROVIDER_SHARE);
      expect(await f.token.balanceOf(renter.address)).to.equal(SLASHED_TO_RENTER);
      expect((await f.registry.providerOf(alice.address)).reputation).to.equal(REPUTATION_AFTER_FAULT);
      await expectConservation(f);
    });

    it("test_resolveDispute_providerFaultAfterFullClaimPaysNothingMore", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      const { market, alice, renter, arbiter, jobId } = f;
      await market.connect(alice).claim(jobId); // 48 USDC while Disputed
      const aliceBefore = await market.balanceOf(f.paymentToken, alice.address);
      await expect(market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.emit(market, "DisputeResolvedForRenter")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          arbiter.address,
          0n,
          0n,
          HOLDBACK,
          SLASHED_TO_RENTER,
          SLASHED_BURNED,
          REPUTATION_AFTER_FAULT,
        );
      expect(await market.balanceOf(f.paymentToken, alice.address)).to.equal(aliceBefore);
      await expectLedger(f, { alice: 46_800_000n, treasury: 1_200_000n, renter: AWARD_REFUND + HOLDBACK + BOND });
      await expectConservation(f);
    });

    it("test_resolveDispute_providerFaultAfterEarlyDeliveryRefundsWhatHadNotAccrued", async function () {
      // Delivering junk early cannot earn the whole value: the provider keeps only what accrued up to
      // its delivery (6 USDC after 1 h of 10) less the holdback; the renter gets the other 55.2 back.
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      const { startedAt } = await f.market.jobOf(jobId);
      await deliverJob(f, networkHelpers, jobId, startedAt + HOUR);
      await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH);
      const { collateral } = await f.market.jobOf(jobId);
      await expect(f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.emit(f.market, "DisputeResolvedForRenter")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          f.arbiter.address,
          4_800_000n,
          120_000n,
          55_200_000n,
          collateral / 2n,
          collateral - collateral / 2n,
          REPUTATION_AFTER_FAULT,
        );
      await expectLedger(f, { alice: 4_680_000n, treasury: 120_000n, renter: AWARD_REFUND + 55_200_000n + BOND });
      await expectConservation(f);
    });

    it("test_resolveDispute_providerFaultRoundsTheHoldbackUp", async function () {
      // 1 GPU for 1 h at 1.500001 USDC: value 1_500_001, holdback ceil(300_000.2) = 300_001, provider
      // keeps 1_200_000; bond ceil(75_000.05) = 75_001.
      const f = await networkHelpers.loadFixture(marketFixture);
      const value = 1_500_001n;
      const jobId = await disputedJob(f, networkHelpers, [[f.alice, value]], { gpuCount: 1, duration: HOUR });
      const { collateral } = await f.market.jobOf(jobId);
      const toRenter = collateral / 2n;
      await expect(f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.emit(f.market, "DisputeResolvedForRenter")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          f.arbiter.address,
          1_200_000n,
          30_000n,
          300_001n,
          toRenter,
          collateral - toRenter,
          REPUTATION_AFTER_FAULT,
        );
      // Renter: 2 USDC budget - 1_500_001 value refunded at award, then holdback + bond.
      await expectLedger(f, {
        alice: 1_200_000n - 30_000n,
        treasury: 30_000n,
        renter: 2n * USDC - value + 300_001n + 75_001n,
      });
      await expectConservation(f);
    });
  });

  describe("RenterFault", function () {
    it("test_resolveDispute_renterFaultPaysBondToProviderAndSettles", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      const { market, registry, token, alice, renter, arbiter, jobId, paymentToken } = f;
      const burnedBefore = await token.totalBurned();
      await expect(market.connect(arbiter).resolveDispute(jobId, RENTER_FAULT))
        .to.emit(market, "DisputeResolvedForProvider")
        .withArgs(jobId, arbiter.address)
        .and.to.emit(market, "JobSettled")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          paymentToken,
          VALUE,
          VALUE,
          1_500_000n,
          BOND,
          0n,
          REPUTATION_AFTER_SUCCESS,
        )
        .and.to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, jobId, COLLATERAL, 0n, PROVIDER_STAKE)
        .and.not.to.emit(registry, "ProviderSlashed");

      // The bond goes to the provider without a fee.
      await expectLedger(f, { alice: 58_500_000n + BOND, treasury: 1_500_000n, renter: AWARD_REFUND });
      await expectSettledInFull(f, jobId);
      expect(await token.totalBurned()).to.equal(burnedBefore);
      await expectConservation(f);
    });

    it("test_resolveDispute_renterFaultAfterPartialClaim", async function () {
      const f = await networkHelpers.loadFixture(disputedAfterPartialClaimFixture);
      const { market, alice, renter, arbiter, jobId } = f;
      await expect(market.connect(arbiter).resolveDispute(jobId, RENTER_FAULT))
        .to.emit(market, "JobSettled")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          await f.usdc.getAddress(),
          VALUE,
          36n * USDC,
          900_000n,
          BOND,
          0n,
          REPUTATION_AFTER_SUCCESS,
        );
      await expectLedger(f, { alice: 58_500_000n + BOND, treasury: 1_500_000n, renter: AWARD_REFUND });
      await expectConservation(f);
    });
  });

  describe("dispute deadline (half-open: at the deadline the arbiter can no longer rule)", function () {
    it("test_resolveDispute_succeedsOneSecondBeforeDeadline", async function () {
      const { market, arbiter, jobId, disputeDeadline } = await networkHelpers.loadFixture(disputedFixture);
      await nextAt(networkHelpers, disputeDeadline - 1n);
      await expect(market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT)).to.emit(
        market,
        "DisputeResolvedForRenter",
      );
    });

    itRevertsAt(
      networkHelpers,
      "test_resolveDispute_revertsAtDeadline",
      disputedFixture,
      "MarketWindowClosed",
      (f) => f.disputeDeadline,
      (f) => f.disputeDeadline,
      (f) => f.market.connect(f.arbiter).resolveDispute(f.jobId, PROVIDER_FAULT),
    );

    itRevertsAt(
      networkHelpers,
      "test_resolveDispute_revertsOneSecondAfterDeadline",
      disputedFixture,
      "MarketWindowClosed",
      (f) => f.disputeDeadline,
      (f) => f.disputeDeadline + 1n,
      (f) => f.market.connect(f.arbiter).resolveDispute(f.jobId, RENTER_FAULT),
    );
  });

  describe("caller", function () {
    for (const who of ["renter", "alice", "admin", "outsider"] as const) {
      it(`test_resolveDispute_revertsFor_${who}`, async function () {
        const f = await networkHelpers.loadFixture(disputedFixture);
        const role = await f.market.ARBITER_ROLE();
        await expect(f.market.connect(f[who]).resolveDispute(f.jobId, PROVIDER_FAULT))
          .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
          .withArgs(f[who].address, role);
      });
    }

    it("test_resolveDispute_newArbiterCanRule", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      await f.market.connect(f.admin).grantRole(await f.market.ARBITER_ROLE(), f.outsider.address);
      await expect(f.market.connect(f.outsider).resolveDispute(f.jobId, RENTER_FAULT))
        .to.emit(f.market, "DisputeResolvedForProvider")
        .withArgs(f.jobId, f.outsider.address);
    });

    itRevertsForUnknownJob(
      "test_resolveDispute_revertsForUnknownJob",
      () => networkHelpers.loadFixture(disputedFixture),
      (f) => f.arbiter,
      77n,
      (market, jobId) => market.resolveDispute(jobId, PROVIDER_FAULT),
    );

    it("test_resolveDispute_revertsOnInvalidRuling", async function () {
      const { market, arbiter, jobId } = await networkHelpers.loadFixture(disputedFixture);
      // An out-of-range enum value fails ABI decoding (Panic 0x21 when decoded, or a revert without data).
      await expect(market.connect(arbiter).resolveDispute(jobId, 2n)).to.be.revert(ethers);
    });
  });

  describe("state", function () {
    it("test_resolveDispute_revertsWhenDelivered", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      await deliverJob(f, networkHelpers, jobId);
      await expect(f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Delivered);
    });

    it("test_resolveDispute_revertsWhenRunning", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await runningJob(f, networkHelpers);
      await expect(f.market.connect(f.arbiter).resolveDispute(jobId, RENTER_FAULT))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Running);
    });

    it("test_resolveDispute_revertsWhenAlreadyResolved", async function () {
      const { market, arbiter, jobId } = await networkHelpers.loadFixture(disputedFixture);
      await market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT);
      await expect(market.connect(arbiter).resolveDispute(jobId, RENTER_FAULT))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Resolved);
    });

    it("test_resolveDispute_revertsWhenSettledByRenterFault", async function () {
      const { market, arbiter, jobId } = await networkHelpers.loadFixture(disputedFixture);
      await market.connect(arbiter).resolveDispute(jobId, RENTER_FAULT);
      await expect(market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Settled);
    });

    it("test_resolveDispute_revertsAfterTimeoutSettlement", async function () {
      const { market, arbiter, jobId, disputeDeadline } = await networkHelpers.loadFixture(disputedFixture);
      await nextAt(networkHelpers, disputeDeadline);
      await market.settleDisputeTimeout(jobId);
      await expect(market.connect(arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Settled);
    });
  });

  describe("conservation", function () {
    it("test_resolveDispute_conservesMoneyAndStake", async function () {
      const f = await networkHelpers.loadFixture(disputedAfterPartialClaimFixture);
      await expectConservation(f);
      await f.market.connect(f.arbiter).resolveDispute(f.jobId, PROVIDER_FAULT);
      await expectConservation(f);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(AWARD_REFUND + VALUE + BOND);
      // GRL: the registry holds exactly the providers' stakes.
      let staked = 0n;
      for (const p of [f.alice, f.bob, f.carol]) {
        const s = await f.registry.providerOf(p.address);
        staked += s.freeStake + s.lockedStake + s.unbondingStake;
      }
      expect(await f.token.balanceOf(await f.registry.getAddress())).to.equal(staked);
      expect(staked).to.equal(3n * PROVIDER_STAKE - COLLATERAL);
    });
  });
});
