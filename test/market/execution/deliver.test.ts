import { expect } from "chai";
import { network } from "hardhat";

import { itRevertsForCallers, itRevertsForUnknownJob } from "../../kit/callers.ts";
import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, EVIDENCE_HASH, nextAt, RESULT_HASH, RESULT_URI, SPEC_HASH } from "../../kit/jobs.ts";
import { CHALLENGE_WINDOW, DELIVERY_GRACE, HOUR, JobState, PROVIDER_STAKE } from "../../kit/market.ts";
import { H100 } from "../../kit/protocol.ts";
import { itRevertsAt } from "../../kit/windows.ts";
import {
  AWARD_REFUND,
  COLLATERAL,
  expectConservation,
  expectLedger,
  expectProviderState,
  leasedGpus,
  REPUTATION_AFTER_SUCCESS,
  REPUTATION_START,
  VALUE,
  ZERO_HASH,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, runningFixture } = marketFixtures({ ethers, networkHelpers });

const MAX_URI_LENGTH = 256;

describe("JobMarket: deliver", function () {
  describe("happy path", function () {
    it("test_deliver_opensChallengeWindowAndReleasesGpus", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, registry, alice, jobId, endsAt } = f;
      await nextAt(networkHelpers, endsAt);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.emit(market, "JobDelivered")
        .withArgs(jobId, alice.address, RESULT_HASH, SPEC_HASH, RESULT_URI, endsAt + CHALLENGE_WINDOW)
        .and.to.emit(registry, "GpusReleased")
        .withArgs(alice.address, H100, 4n, 0n);

      const job = await market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Delivered);
      expect(job.deadline).to.equal(endsAt + CHALLENGE_WINDOW);
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      expect((await registry.gpuLineOf(alice.address, H100)).count).to.equal(8n);
      // The collateral stays locked until settlement; no money moves on delivery.
      expect(await market.lockOf(jobId, alice.address)).to.equal(COLLATERAL);
      await expectProviderState(f, alice, {
        freeStake: PROVIDER_STAKE - COLLATERAL,
        lockedStake: COLLATERAL,
        reputation: REPUTATION_START,
      });
      expect(job.escrow).to.equal(VALUE);
      expect(job.claimed).to.equal(0n);
      await expectLedger(f, { alice: 0n, treasury: 0n, renter: AWARD_REFUND });
      await expectConservation(f);
    });

    it("test_deliver_earlyIsAllowedAndAccruesUpToTheDelivery", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, jobId, startedAt } = f;
      const t = startedAt + HOUR;
      await nextAt(networkHelpers, t);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.emit(market, "JobDelivered")
        .withArgs(jobId, alice.address, RESULT_HASH, SPEC_HASH, RESULT_URI, t + CHALLENGE_WINDOW);
      // One hour of ten: until the job settles, pay has accrued only up to the delivery.
      expect(await market.accruedOf(jobId)).to.equal(VALUE / 10n);
      expect((await market.jobOf(jobId)).deliveredAt).to.equal(t);
      expect(await leasedGpus(f, alice, H100)).to.equal(0n);
      // Later pay does not accrue while the job waits out its challenge window.
      await networkHelpers.time.increase(5n * HOUR);
      expect(await market.accruedOf(jobId)).to.equal(VALUE / 10n);
    });

    it("test_deliver_earlySettlementPaysTheWholeValue", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, jobId, startedAt } = f;
      await nextAt(networkHelpers, startedAt + HOUR);
      await market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI);
      await networkHelpers.time.increase(CHALLENGE_WINDOW);
      // Accepted (no dispute): an early delivery earns the whole price.
      await expect(market.settle(jobId))
        .to.emit(market, "JobSettled")
        .withArgs(
          jobId,
          f.renter.address,
          alice.address,
          await f.usdc.getAddress(),
          VALUE,
          VALUE,
          VALUE / 40n,
          0n,
          0n,
          REPUTATION_AFTER_SUCCESS,
        );
    });

    it("test_deliver_oneSecondAfterStart", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, f.startedAt + 1n);
      await expect(f.market.connect(f.alice).deliver(f.jobId, RESULT_HASH, RESULT_URI)).not.to.revert(ethers);
      expect((await f.market.jobOf(f.jobId)).state).to.equal(JobState.Delivered);
    });

    it("test_deliver_acceptsEmptyUri", async function () {
      const { market, alice, jobId, endsAt } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, endsAt);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, ""))
        .to.emit(market, "JobDelivered")
        .withArgs(jobId, alice.address, RESULT_HASH, SPEC_HASH, "", endsAt + CHALLENGE_WINDOW);
    });

    it("test_deliver_acceptsUriOfMaxLength", async function () {
      const { market, alice, jobId } = await networkHelpers.loadFixture(runningFixture);
      const uri = "u".repeat(MAX_URI_LENGTH);
      const t = BigInt(await networkHelpers.time.latest()) + 5n;
      await nextAt(networkHelpers, t);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, uri))
        .to.emit(market, "JobDelivered")
        .withArgs(jobId, alice.address, RESULT_HASH, SPEC_HASH, uri, t + CHALLENGE_WINDOW);
    });

    it("test_deliver_countsUriLengthInBytes", async function () {
      // 128 two-byte characters are 256 bytes (accepted); one more ASCII byte is 257 (rejected).
      const { market, alice, jobId } = await networkHelpers.loadFixture(runningFixture);
      const uri = "é".repeat(128);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, uri + "x"))
        .to.be.revertedWithCustomError(market, "MarketUriTooLong")
        .withArgs(257n, 256n);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, uri)).not.to.revert(ethers);
    });
  });

  describe("result checks", function () {
    it("test_deliver_revertsOnEmptyResultHash", async function () {
      const { market, alice, jobId } = await networkHelpers.loadFixture(runningFixture);
      await expect(market.connect(alice).deliver(jobId, ZERO_HASH, RESULT_URI)).to.be.revertedWithCustomError(
        market,
        "MarketEmptyResult",
      );
    });

    it("test_deliver_revertsOnUriOneByteTooLong", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, jobId } = f;
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, "u".repeat(MAX_URI_LENGTH + 1)))
        .to.be.revertedWithCustomError(market, "MarketUriTooLong")
        .withArgs(257n, 256n);
      expect((await market.jobOf(jobId)).state).to.equal(JobState.Running);
      expect(await leasedGpus(f, alice, H100)).to.equal(4n);
    });

    it("test_deliver_revertsOnVeryLongUri", async function () {
      const { market, alice, jobId } = await networkHelpers.loadFixture(runningFixture);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, "u".repeat(1_000)))
        .to.be.revertedWithCustomError(market, "MarketUriTooLong")
        .withArgs(1_000n, 256n);
    });
  });

  describe("delivery deadline (endsAt + deliveryGrace, half-open)", function () {
    it("test_deliver_deadlineIsEndPlusGrace", async function () {
      const { deliverBy, endsAt } = await networkHelpers.loadFixture(runningFixture);
      expect(deliverBy).to.equal(endsAt + DELIVERY_GRACE);
    });

    it("test_deliver_succeedsOneSecondBeforeDeadline", async function () {
      const { market, alice, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy - 1n);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.emit(market, "JobDelivered")
        .withArgs(jobId, alice.address, RESULT_HASH, SPEC_HASH, RESULT_URI, deliverBy - 1n + CHALLENGE_WINDOW);
    });

    itRevertsAt(
      networkHelpers,
      "test_deliver_revertsAtDeadline",
      runningFixture,
      "MarketWindowClosed",
      (f) => f.deliverBy,
      (f) => f.deliverBy,
      (f) => f.market.connect(f.alice).deliver(f.jobId, RESULT_HASH, RESULT_URI),
    );

    it("test_deliver_revertsOneSecondAfterDeadline", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      const { market, alice, jobId, deliverBy } = f;
      await nextAt(networkHelpers, deliverBy + 1n);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.be.revertedWithCustomError(market, "MarketWindowClosed")
        .withArgs(jobId, deliverBy, deliverBy + 1n);
      expect(await leasedGpus(f, alice, H100)).to.equal(4n);
    });

    it("test_deliver_withinGraceAfterEndOfDuration", async function () {
      const { market, alice, jobId, endsAt } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, endsAt + 1n);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.emit(market, "JobDelivered")
        .withArgs(jobId, alice.address, RESULT_HASH, SPEC_HASH, RESULT_URI, endsAt + 1n + CHALLENGE_WINDOW);
    });
  });

  describe("caller", function () {
    itRevertsForCallers(
      () => networkHelpers.loadFixture(runningFixture),
      "MarketNotProvider",
      {
        test_deliver_revertsForRenter: (f) => f.renter,
        test_deliver_revertsForOtherProvider: (f) => f.bob,
      },
      (market, jobId) => market.deliver(jobId, RESULT_HASH, RESULT_URI),
    );

    itRevertsForUnknownJob(
      "test_deliver_revertsForUnknownJob",
      () => networkHelpers.loadFixture(runningFixture),
      (f) => f.alice,
      3n,
      (market, jobId) => market.deliver(jobId, RESULT_HASH, RESULT_URI),
    );
  });

  describe("state", function () {
    it("test_deliver_revertsWhenAwarded", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await awardedJob(f, networkHelpers);
      await expect(f.market.connect(f.alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_deliver_revertsWhenAlreadyDelivered", async function () {
      const { market, alice, jobId } = await networkHelpers.loadFixture(runningFixture);
      await market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Delivered);
    });

    it("test_deliver_revertsWhenDisputed", async function () {
      const { market, alice, renter, jobId } = await networkHelpers.loadFixture(runningFixture);
      await market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI);
      await market.connect(renter).dispute(jobId, EVIDENCE_HASH);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Disputed);
    });

    it("test_deliver_revertsWhenStopped", async function () {
      const { market, alice, renter, jobId } = await networkHelpers.loadFixture(runningFixture);
      await market.connect(renter).stopJob(jobId);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Cancelled);
    });

    it("test_deliver_revertsWhenFailedForLateDelivery", async function () {
      const { market, alice, outsider, jobId, deliverBy } = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, deliverBy);
      await market.connect(outsider).failJob(jobId);
      await expect(market.connect(alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.be.revertedWithCustomError(market, "MarketWrongState")
        .withArgs(jobId, JobState.Failed);
    });
  });

  describe("conservation", function () {
    it("test_deliver_conservesMoneyAfterClaims", async function () {
      const f = await networkHelpers.loadFixture(runningFixture);
      await nextAt(networkHelpers, f.startedAt + 2n * HOUR);
      await f.market.connect(f.alice).claim(f.jobId);
      await f.market.connect(f.alice).deliver(f.jobId, RESULT_HASH, RESULT_URI);
      await f.market.connect(f.alice).claim(f.jobId);
      await expectConservation(f);
    });
  });
});
