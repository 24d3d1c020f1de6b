// The checks shared by the two ways to accept an instant job, acceptInstant and acceptInstantAndStart:
// both run the same market checks and the same registry eligibility check, with the same errors, and
// a refused accept leaves the job Bidding with nothing locked or leased. Each test file calls
// describeInstantAcceptChecks for its entry point, so both are held to every case.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import { createJob } from "../../kit/jobs.ts";
import {
  deployMarket,
  FIRST_PRICE,
  HOUR,
  INSTANT,
  JobState,
  type MarketFixture,
  PROVIDER_STAKE,
  SECOND_PRICE,
  USDC,
} from "../../kit/market.ts";
import { GRL, H100, RTX4090 } from "../../kit/protocol.ts";
import { freeStakeOf } from "./helpers.ts";

export const INSTANT_JOB = { pricingRule: INSTANT, revealWindow: 0 } as const;

export type InstantAccept = "acceptInstant" | "acceptInstantAndStart";

/** Sends `fn` for `jobId` from `provider`. */
export function accept(f: MarketFixture, fn: InstantAccept, provider: HardhatEthersSigner, jobId: bigint) {
  return f.market.connect(provider)[fn](jobId);
}

export function describeInstantAcceptChecks(
  fn: InstantAccept,
  { ethers, networkHelpers }: Pick<NetworkConnection, "ethers" | "networkHelpers">,
): void {
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

  async function expectNothingTaken(f: MarketFixture, provider: HardhatEthersSigner, jobId: bigint) {
    expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Bidding);
    expect(await f.market.lockOf(jobId, provider.address)).to.equal(0n);
    expect((await f.registry.gpuLineOf(provider.address, H100)).leased).to.equal(0n);
  }

  async function expectIneligible(
    f: MarketFixture,
    provider: HardhatEthersSigner,
    overrides: Partial<IJobMarket.JobRequestStruct>,
    error: string,
    args: unknown[],
  ) {
    const jobId = await createJob(f, { ...INSTANT_JOB, ...overrides });
    await expect(accept(f, fn, provider, jobId))
      .to.be.revertedWithCustomError(f.registry, error)
      .withArgs(...args);
    expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Bidding);
  }

  describe("checks", function () {
    it(`test_${fn}_revertsForAuctionJobs`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      for (const rule of [FIRST_PRICE, SECOND_PRICE]) {
        const jobId = await createJob(f, { pricingRule: rule });
        await expect(accept(f, fn, f.alice, jobId))
          .to.be.revertedWithCustomError(f.market, "MarketWrongPricingRule")
          .withArgs(jobId, rule);
      }
    });

    it(`test_${fn}_revertsForUnknownJob`, async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await expect(accept(f, fn, f.alice, f.jobId + 1n))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(f.jobId + 1n);
    });

    it(`test_${fn}_allowedOneSecondBeforeDeadline`, async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline - 1n);
      await expect(accept(f, fn, f.alice, f.jobId)).to.emit(f.market, "JobAwarded");
    });

    it(`test_${fn}_revertsAtDeadline`, async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline);
      await expect(accept(f, fn, f.alice, f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(f.jobId, f.bidDeadline, f.bidDeadline);
      await expectNothingTaken(f, f.alice, f.jobId);
    });

    it(`test_${fn}_revertsAfterDeadline`, async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline + 1n);
      await expect(accept(f, fn, f.alice, f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(f.jobId, f.bidDeadline, f.bidDeadline + 1n);
    });

    it(`test_${fn}_revertsForCancelledJob`, async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.renter).cancelJob(f.jobId);
      await expect(accept(f, fn, f.alice, f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Cancelled);
    });

    it(`test_${fn}_revertsForExpiredJob`, async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await f.market.award(f.jobId);
      await expect(accept(f, fn, f.alice, f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Expired);
    });
  });

  describe("eligibility (registry errors bubble up)", function () {
    it(`test_${fn}_revertsForNonProvider`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.outsider, {}, "RegistryNotProvider", [f.outsider.address]);
      // The renter cannot accept its own job either.
      await expectIneligible(f, f.renter, {}, "RegistryNotProvider", [f.renter.address]);
    });

    it(`test_${fn}_revertsForOfflineProvider`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.registry.connect(f.alice).setOnline(false);
      await expectIneligible(f, f.alice, {}, "RegistryProviderOffline", [f.alice.address]);
    });

    it(`test_${fn}_revertsForTooFewGpus`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { gpuCount: 9 }, "RegistryInsufficientGpus", [H100, 8n, 9n]);
    });

    it(`test_${fn}_revertsWhenGpusAreLeased`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const first = await createJob(f, { ...INSTANT_JOB, gpuCount: 5 });
      await f.market.connect(f.alice).acceptInstant(first);
      await f.market.connect(f.alice).startJob(first);
      await expectIneligible(f, f.alice, {}, "RegistryInsufficientGpus", [H100, 3n, 4n]);
      expect((await f.registry.gpuLineOf(f.alice.address, H100)).leased).to.equal(5n);
    });

    it(`test_${fn}_revertsForTooLittleVram`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { minVramGb: 81 }, "RegistryVramTooLow", [H100, 80n, 81n]);
    });

    it(`test_${fn}_revertsForModelNotListed`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { gpuModel: RTX4090 }, "RegistryGpuModelNotListed", [
        f.alice.address,
        RTX4090,
      ]);
    });

    it(`test_${fn}_revertsForRegionMismatch`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { region: 250 }, "RegistryRegionMismatch", [840n, 250n]);
    });

    it(`test_${fn}_revertsForLowReputation`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { minReputation: 5_001 }, "RegistryReputationTooLow", [5_000n, 5_001n]);
    });

    it(`test_${fn}_revertsWhenCollateralExceedsFreeStake`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // $10,000 job: 6000 GRL collateral. Alice keeps 5999.999... GRL free, bob exactly 6000.
      const jobId = await createJob(f, { ...INSTANT_JOB, gpuCount: 8, duration: 625n * HOUR });
      const collateral = 6_000n * GRL;
      expect((await f.market.jobOf(jobId)).collateral).to.equal(collateral);
      await f.registry.connect(f.alice).requestUnbond(PROVIDER_STAKE - collateral + 1n);
      await expect(accept(f, fn, f.alice, jobId))
        .to.be.revertedWithCustomError(f.registry, "RegistryLockExceedsFree")
        .withArgs(collateral, collateral - 1n);
      await expectNothingTaken(f, f.alice, jobId);
      await f.registry.connect(f.bob).requestUnbond(PROVIDER_STAKE - collateral);
      await expect(accept(f, fn, f.bob, jobId)).to.emit(f.market, "JobAwarded");
      expect(await freeStakeOf(f, f.bob)).to.equal(0n);
    });

    it(`test_${fn}_eligibleAtExactRequirements`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, {
        ...INSTANT_JOB,
        gpuCount: 8,
        minVramGb: 80,
        region: 840,
        minReputation: 5_000,
        reservePricePerGpuHour: USDC,
      });
      await expect(accept(f, fn, f.alice, jobId)).to.emit(f.market, "JobAwarded");
    });
  });
}
