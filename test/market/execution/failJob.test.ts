import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { commitBid, createJob, deliverJob, disputedJob, nextAt, revealBid } from "../../kit/jobs.ts";
import {
  FAULT_SLASH_BPS,
  HOUR,
  JobState,
  LATE_DELIVERY,
  NO_SHOW,
  PROVIDER_STAKE,
  SLASH_TO_RENTER_BPS,
  START_WINDOW,
} from "../../kit/market.ts";
import { bpsOf } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  BUDGET,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectProviderState,
  leasedGpus,
  PRICE,
  REPUTATION_AFTER_FAULT,
  REPUTATION_START,
  VALUE,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, awardedFixture, runningFixture } = marketFixtures({ ethers, networkHelpers });

/** faultSlashBps (50%) of the 36 GRL collateral: 18 GRL, half of it to the renter and half burned. */
const SLASHED = bpsOf(COLLATERAL, FAULT_SLASH_BPS);
const SLASHED_TO_RENTER = bpsOf(SLASHED, SLASH_TO_RENTER_BPS);
const SLASHED_BURNED = SLASHED - SLASHED_TO_RENTER;
const UNLOCKED = COLLATERAL - SLASHED;

describe("JobMarket: failJob", function () {
  describe("NoShow (Awarded, not started by the start deadline)", function () {
    it("test_failJob_noShowRefundsTheValueAndSlashesPartOfCollateral", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      const { market, registry, token, alice, renter, outsider, jobId, startDeadline } = f;
      expect([SLASHED, SLASHED_TO_RENTER, SLASHED_BURNED, UNLOCKED]).to.deep.equal([
        18n * 10n ** 18n,
        9n * 10n ** 18n,
        9n * 10n ** 18n,
        18n * 10n ** 18n,
      ]);
      const renterGrlBefore = await token.balanceOf(renter.address);
      const burnedBefore = await token.totalBurned();
      const freeBefore = (await registry.providerOf(alice.address)).freeStake;

      await nextAt(networkHelpers, startDeadline);
      await expect(market.connect(outsider).failJob(jobId))
        .to.emit(market, "JobFailed")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          NO_SHOW,
          VALUE,
          SLASHED_TO_RENTER,
          SLASHED_BURNED,
          REPUTATION_AFTER_FAULT,
        )
        .and.to.emit(registry, "ProviderSlashed")
        .withArgs(alice.address, jobId, renter.address, SLASHED_TO_RENTER, SLASHED_BURNED, UNLOCKED)
        .and.to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, jobId, UNLOCKED, 0n, freeBefore + UNLOCKED)
        .and.to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, REPUTATION_START, REPUTATION_AFTER_FAULT, false)
        .and.not.to.emit(registry, "GpusReleased");

      // The renter gets the whole budget back: the award refund plus the whole value.
      await expectLedger(f, { renter: BUDGET, alice: 0n, treasury: 0n });
      const job = await market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Failed);
      expect(job.escrow).to.equal(0n);
      expect(job.claimed).to.equal(0n);

      expect(await token.balanceOf(renter.address)).to.equal(renterGrlBefore + SLASHED_TO_RENTER);
      expect(await token.totalBurned()).to.equal(burnedBefore + SLASHED_BURNED);
      expect(await market.lockOf(jobId, alice.address)).to.equal(0n);
      await expectProviderState(f, alice, {
        freeStake: PROVIDER_STAKE - SLASHED,
        lockedStake: 0n,
        reputation: REPUTATION_AFTER_FAULT,
      });
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      await expectConservation(f);
    });

    it("test_failJob_noShowStartDeadlineIsAwardPlusStartWindow", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, PRICE);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      await revealBid(f, f.alice, jobId, PRICE);
      const awardAt = revealDeadline + 30n;
      await nextAt(networkHelpers, awardAt);
      await f.market.award(jobId);
      expect((await f.market.jobOf(jobId)).deadline).to.equal(awardAt + START_WINDOW);
    });

    itRevertsAt(
      networkHelpers,
      "test_failJob_noShowRevertsOneSecondBeforeStartDeadline",
      awardedFixture,
      "MarketTooEarly",
      (f) => f.startDeadline,
      (f) => f.startDeadline - 1n,
      (f) => f.market.failJob(f.jobId),
    );

    it("test_failJob_noShowSucceedsAtStartDeadline", async function () {
      const { market, jobId, startDeadline } = await networkHelpers.loadFixture(awardedFixture);
      await nextAt(networkHelpers, startDeadline);
      await expect(market.failJob(jobId)).to.emit(market, "JobFailed");
    });

    it("test_failJob_noShowSucceedsOneSecondAfterStartDeadline", async function () {
      const { market, jobId, startDeadline } = await networkHelpers.loadFixture(awardedFixture);
      await nextAt(networkHelpers, startDeadline + 1n);
      await expect(market.failJob(jobId)).to.emit(market, "JobFailed");
    });

    it("test_failJob_startAndFailNeverOverlap", async function () {
      const { market, alice, jobId, startDeadline } = await networkHelpers.loadFixture(awardedFixture);
      await nextAt(networkHelpers, startDeadline - 1n);
      await expect(market.failJob(jobId)).to.be.revertedWithCustomError(market, "MarketTooEarly");
      await nextAt(networkHelpers, startDeadline);
      await expect(market.connect(alice).startJob(jobId)).to.be.revertedWithCustomError(market, "MarketWindowClosed");
      await expect(market.failJob(jobId)).not.to.revert(ethers);
    });
  });

  describe("LateDelivery (Running, not delivered by endsAt + deliveryGrace)", function () {
    it("test_failJob_lateDeliveryRefundsReleasesGpusAndSlashes", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, registry, token, alice, renter, outsider, jobId, deliverBy } = f;
      expect(await leasedGpus(f, alice, H100)).to.equal(4n);
      const burnedBefore = await token.totalBurned();
      await nextAt(networkHelpers, deliverBy);
      await expect(market.connect(outsider).failJob(jobId))
        .to.emit(market, "JobFailed")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          LATE_DELIVERY,
          VALUE,
          SLASHED_TO_RENTER,
          SLASHED_BURNED,
          REPUTATION_AFTER_FAULT,
        )
        .and.to.emit(registry, "GpusReleased")
        .withArgs(alice.address, H100, 4n, 0n)
        .and.to.emit(registry, "ProviderSlashed")
        .withArgs(alice.address, jobId, renter.address, SLASHED_TO_RENTER, SLASHED_BURNED, UNLOCKED);

      await expectLedger(f, { renter: BUDGET, alice: 0n, treasury: 0n });
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      expect(await market.lockOf(jobId, alice.address)).to.equal(0n);
      await expectProviderState(f, alice, {
        freeStake: PROVIDER_STAKE - SLASHED,
        lockedStake: 0n,
        reputation: REPUTATION_AFTER_FAULT,
      });
      expect(await token.totalBurned()).to.equal(burnedBefore + SLASHED_BURNED);
      expect((await market.jobOf(jobId)).state).to.equal(JobState.Failed);
      await expectConservation(f);
    });

    it("test_failJob_lateDeliveryRefundsOnlyTheUnclaimedValue", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, renter, jobId, endsAt, deliverBy } = f;
      await nextAt(networkHelpers, endsAt);
      await market.connect(alice).claim(jobId); // 48 USDC: value less the holdback
      await nextAt(networkHelpers, deliverBy);
      await expect(market.failJob(jobId))
        .to.emit(market, "JobFailed")
        .withArgs(
          jobId,
          renter.address,
          alice.address,
          LATE_DELIVERY,
          12n * 10n ** 6n,
          SLASHED_TO_RENTER,
          SLASHED_BURNED,
          REPUTATION_AFTER_FAULT,
        );
      await expectLedger(f, { renter: AWARD_REFUND + 12n * 10n ** 6n, alice: 46_800_000n, treasury: 1_200_000n });
      await expectConservation(f);
    });

    itRevertsAt(
      networkHelpers,
      "test_failJob_lateDeliveryRevertsOneSecondBeforeDeadline",
      runningFixture,
      "MarketTooEarly",
      (f) => f.deliverBy,
      (f) => f.deliverBy - 1n,
      (f) => f.market.failJob(f.jobId),
    );

    itRevertsAt(
      networkHelpers,
      "test_failJob_lateDeliveryRevertsAtEndOfDuration",
      runningFixture,
      "MarketTooEarly",
      (f) => f.deliverBy,
      (f) => f.endsAt,
      (f) => f.market.failJob(f.jobId),
    );

    it("test_failJob_lateDeliverySucceedsAtDeadline", async function () {
      const { market, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy);
      await expect(market.failJob(jobId)).to.emit(market, "JobFailed");
    });

    it("test_failJob_lateDeliverySucceedsOneSecondAfterDeadline", async function () {
      const { market, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy + 1n);
      await expect(market.failJob(jobId)).to.emit(market, "JobFailed");
    });

    it("test_failJob_deliverAndFailNeverOverlap", async function () {
      const { market, alice, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy);
      await expect(
        market.connect(alice).deliver(jobId, "0x" + "ab".repeat(32), "ipfs://late"),
      ).to.be.revertedWithCustomError(market, "MarketWindowClosed");
      await expect(market.failJob(jobId)).not.to.revert(ethers);
    });
  });

  describe("anyone can call", function () {
    for (const who of ["outsider", "renter", "alice", "bob", "arbiter"] as const) {
      it(`test_failJob_callableBy_${who}`, async function () {
        const f = await networkHelpers.loadFixture(awardedFixture);
        await nextAt(networkHelpers, f.startDeadline);
        await expect(f.market.connect(f[who]).failJob(f.jobId)).not.to.revert(ethers);
        await expectLedger(f, { renter: BUDGET, alice: 0n });
      });
    }
  });

  describe("not failable", function () {
    it("test_failJob_revertsForUnknownJob", async function () {
      const { market } = await networkHelpers.loadFixture(awardedFixture);
      await expect(market.failJob(404n)).to.be.revertedWithCustomError(market, "MarketUnknownJob").withArgs(404n);
    });

    it("test_failJob_revertsWhileBidding", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(jobId, JobState.Bidding);
    });

    it("test_failJob_revertsWhileRevealing", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(jobId, JobState.Revealing);
    });

    it("test_failJob_revertsWhenExpired", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      await f.market.award(jobId);
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(jobId, JobState.Expired);
    });

    it("test_failJob_revertsWhenCancelled", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f);
      await f.market.connect(f.renter).cancelJob(jobId);
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(jobId, JobState.Cancelled);
    });

    it("test_failJob_revertsWhenDelivered", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await deliverJob(f, networkHelpers, f.jobId, f.deliverBy - 1n);
      await networkHelpers.time.increase(2n * HOUR);
      await expect(f.market.failJob(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(f.jobId, JobState.Delivered);
    });

    it("test_failJob_revertsWhenDisputed", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await disputedJob(f, networkHelpers);
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(jobId, JobState.Disputed);
    });

    it("test_failJob_revertsWhenSettled", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await deliverJob(f, networkHelpers, f.jobId);
      await nextAt(networkHelpers, (await f.market.jobOf(f.jobId)).deadline);
      await f.market.settle(f.jobId);
      await expect(f.market.failJob(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(f.jobId, JobState.Settled);
    });

    it("test_failJob_revertsWhenAlreadyFailed", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await nextAt(networkHelpers, f.startDeadline);
      await f.market.failJob(f.jobId);
      await expect(f.market.failJob(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(f.jobId, JobState.Failed);
      // Refunded and slashed once only.
      await expectLedger(f, { renter: BUDGET });
      await expectProviderState(f, f.alice, { freeStake: PROVIDER_STAKE - SLASHED, lockedStake: 0n });
    });
  });

  describe("conservation", function () {
    it("test_failJob_conservesMoneyAndStake", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, f.endsAt - HOUR);
      await f.market.connect(f.alice).claim(f.jobId);
      await nextAt(networkHelpers, f.deliverBy + 5n);
      await f.market.failJob(f.jobId);
      await expectConservation(f);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(BUDGET);
      let staked = 0n;
      for (const p of [f.alice, f.bob, f.carol]) {
        const s = await f.registry.providerOf(p.address);
        staked += s.freeStake + s.lockedStake + s.unbondingStake;
      }
      expect(await f.token.balanceOf(await f.registry.getAddress())).to.equal(staked);
      expect(staked).to.equal(3n * PROVIDER_STAKE - SLASHED);
    });
  });
});
