import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import type { IJobMarket } from "../../../types/ethers-contracts/index.js";
import { GRL, H100, RTX4090 } from "../../helpers/fixtures.js";
import {
  BidStatus,
  createJob,
  deployMarket,
  FIRST_PRICE,
  HOUR,
  INSTANT,
  JobState,
  type MarketFixture,
  PROVIDER_STAKE,
  SECOND_PRICE,
  USDC,
} from "../../helpers/market.js";
import { BUDGET, COLLATERAL, freeStakeOf, jobObject, RESERVE, setParams } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();

const INSTANT_JOB = { pricingRule: INSTANT, revealWindow: 0 } as const;

async function fixture() {
  return deployMarket(ethers);
}

/** A default instant job (4 H100 x 10 h at $2, 1 h acceptance window) and its deadline. */
async function instantFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f, INSTANT_JOB);
  const { bidDeadline } = await f.market.jobOf(jobId);
  return { ...f, jobId, bidDeadline };
}

async function expectIneligible(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  overrides: Partial<IJobMarket.JobRequestStruct>,
  error: string,
  args: unknown[],
) {
  const jobId = await createJob(f, { ...INSTANT_JOB, ...overrides });
  await expect(f.market.connect(provider).acceptInstant(jobId))
    .to.be.revertedWithCustomError(f.registry, error)
    .withArgs(...args);
  expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Bidding);
}

describe("JobMarket: acceptInstant", function () {
  describe("happy path", function () {
    it("test_acceptInstant_emitsJobAwardedAtReserve", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      const t = f.bidDeadline - 600n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          f.jobId,
          f.renter.address,
          f.alice.address,
          H100,
          4n,
          INSTANT,
          RESERVE,
          RESERVE,
          BUDGET,
          0n,
          COLLATERAL,
          0n,
          0n,
          t + HOUR,
        );
    });

    it("test_acceptInstant_storesAwardedJob", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      const before = await jobObject(f, f.jobId);
      const t = f.bidDeadline - 600n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.alice).acceptInstant(f.jobId);
      expect(await jobObject(f, f.jobId)).to.deep.equal({
        ...before,
        state: JobState.Awarded,
        provider: f.alice.address,
        bestPrice: RESERVE,
        clearingPrice: RESERVE,
        deadline: t + HOUR,
      });
      expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Awarded);
    });

    it("test_acceptInstant_locksCollateralOnly", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      // No bid bond on the instant path: only the collateral is locked.
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, f.jobId, COLLATERAL, COLLATERAL, PROVIDER_STAKE - COLLATERAL);
      expect(await f.registry.lockOf(f.alice.address, f.jobId)).to.equal(COLLATERAL);
      expect(await freeStakeOf(f, f.alice)).to.equal(PROVIDER_STAKE - COLLATERAL);
      // No bid record is created.
      expect((await f.market.bidOf(f.jobId, f.alice.address)).status).to.equal(BidStatus.None);
    });

    it("test_acceptInstant_noRefundAndNoTokenMovement", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId)).to.changeTokenBalances(
        ethers,
        f.usdc,
        [f.renter, f.market],
        [0n, 0n],
      );
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(0n);
      expect((await f.market.jobOf(f.jobId)).escrow).to.equal(BUDGET);
    });

    it("test_acceptInstant_startDeadlineUsesSnapshottedStartWindow", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await setParams(f, { startWindow: 6n * HOUR });
      const t = f.bidDeadline - 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.bob).acceptInstant(f.jobId);
      expect((await f.market.jobOf(f.jobId)).deadline).to.equal(t + HOUR);
    });

    it("test_acceptInstant_winnerCanStart", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.carol).acceptInstant(f.jobId);
      await expect(f.market.connect(f.carol).startJob(f.jobId)).to.emit(f.market, "JobStarted");
      expect((await f.market.jobOf(f.jobId)).state).to.equal(JobState.Running);
    });
  });

  describe("checks", function () {
    it("test_acceptInstant_revertsForAuctionJobs", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      for (const rule of [FIRST_PRICE, SECOND_PRICE]) {
        const jobId = await createJob(f, { pricingRule: rule });
        await expect(f.market.connect(f.alice).acceptInstant(jobId))
          .to.be.revertedWithCustomError(f.market, "MarketWrongPricingRule")
          .withArgs(jobId, rule);
      }
    });

    it("test_acceptInstant_revertsForUnknownJob", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId + 1n))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(f.jobId + 1n);
    });

    it("test_acceptInstant_allowedOneSecondBeforeDeadline", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline - 1n);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId)).to.emit(f.market, "JobAwarded");
    });

    it("test_acceptInstant_revertsAtDeadline", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(f.jobId, f.bidDeadline, f.bidDeadline);
    });

    it("test_acceptInstant_revertsAfterDeadline", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline + 1n);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(f.jobId, f.bidDeadline, f.bidDeadline + 1n);
    });

    it("test_acceptInstant_secondAcceptRevertsWithWrongState", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.alice).acceptInstant(f.jobId);
      for (const provider of [f.bob, f.alice]) {
        await expect(f.market.connect(provider).acceptInstant(f.jobId))
          .to.be.revertedWithCustomError(f.market, "MarketWrongState")
          .withArgs(f.jobId, JobState.Awarded);
      }
      expect((await f.market.jobOf(f.jobId)).provider).to.equal(f.alice.address);
      expect(await f.registry.lockOf(f.bob.address, f.jobId)).to.equal(0n);
    });

    it("test_acceptInstant_revertsForCancelledJob", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.renter).cancelJob(f.jobId);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Cancelled);
    });

    it("test_acceptInstant_revertsForExpiredJob", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await f.market.award(f.jobId);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Expired);
    });
  });

  describe("eligibility (registry errors bubble up)", function () {
    it("test_acceptInstant_revertsForNonProvider", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.outsider, {}, "RegistryNotProvider", [f.outsider.address]);
      // The renter cannot accept its own job either.
      await expectIneligible(f, f.renter, {}, "RegistryNotProvider", [f.renter.address]);
    });

    it("test_acceptInstant_revertsForOfflineProvider", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.registry.connect(f.alice).setOnline(false);
      await expectIneligible(f, f.alice, {}, "RegistryProviderOffline", [f.alice.address]);
    });

    it("test_acceptInstant_revertsForTooFewGpus", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { gpuCount: 9 }, "RegistryInsufficientGpus", [H100, 8n, 9n]);
    });

    it("test_acceptInstant_revertsWhenGpusAreLeased", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const first = await createJob(f, { ...INSTANT_JOB, gpuCount: 5 });
      await f.market.connect(f.alice).acceptInstant(first);
      await f.market.connect(f.alice).startJob(first);
      await expectIneligible(f, f.alice, {}, "RegistryInsufficientGpus", [H100, 3n, 4n]);
    });

    it("test_acceptInstant_revertsForTooLittleVram", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { minVramGb: 81 }, "RegistryVramTooLow", [H100, 80n, 81n]);
    });

    it("test_acceptInstant_revertsForModelNotListed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { gpuModel: RTX4090 }, "RegistryGpuModelNotListed", [
        f.alice.address,
        RTX4090,
      ]);
    });

    it("test_acceptInstant_revertsForRegionMismatch", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { region: 250 }, "RegistryRegionMismatch", [840n, 250n]);
    });

    it("test_acceptInstant_revertsForLowReputation", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { minReputation: 5_001 }, "RegistryReputationTooLow", [5_000n, 5_001n]);
    });

    it("test_acceptInstant_revertsWhenCollateralExceedsFreeStake", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // $10,000 job: 6000 GRL collateral. Alice keeps 5999.999... GRL free, bob exactly 6000.
      const overrides = { ...INSTANT_JOB, gpuCount: 8, duration: 625n * HOUR };
      const collateral = 6_000n * GRL;
      const jobId = await createJob(f, overrides);
      expect((await f.market.jobOf(jobId)).collateral).to.equal(collateral);
      await f.registry.connect(f.alice).requestUnbond(PROVIDER_STAKE - collateral + 1n);
      await expect(f.market.connect(f.alice).acceptInstant(jobId))
        .to.be.revertedWithCustomError(f.registry, "RegistryLockExceedsFree")
        .withArgs(collateral, collateral - 1n);
      await f.registry.connect(f.bob).requestUnbond(PROVIDER_STAKE - collateral);
      await expect(f.market.connect(f.bob).acceptInstant(jobId)).to.emit(f.market, "JobAwarded");
      expect(await freeStakeOf(f, f.bob)).to.equal(0n);
    });

    it("test_acceptInstant_eligibleAtExactRequirements", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, {
        ...INSTANT_JOB,
        gpuCount: 8,
        minVramGb: 80,
        region: 840,
        minReputation: 5_000,
        reservePricePerGpuHour: USDC,
      });
      await expect(f.market.connect(f.alice).acceptInstant(jobId)).to.emit(f.market, "JobAwarded");
    });
  });
});
