import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, commitBid, createJob, saltFor } from "../../kit/jobs.ts";
import {
  BID_BOND,
  BidStatus,
  HOUR,
  INSTANT,
  JobState,
  type MarketFixture,
  PROVIDER_STAKE,
  SECOND_PRICE,
  USDC,
} from "../../kit/market.ts";
import { GRL, H100, RTX4090 } from "../../kit/protocol.ts";
import {
  BID_LOCK,
  bidObject,
  COLLATERAL,
  collateralFor,
  freeStakeOf,
  GRL_USD_PRICE,
  setParams,
  storedCommitment,
} from "./helpers.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

async function commitmentFor(f: MarketFixture, provider: HardhatEthersSigner, jobId: bigint, price = USDC) {
  return f.market.bidCommitment(jobId, provider.address, price, saltFor(provider, price));
}

/** Expects `provider`'s commit on a job with `overrides` to revert with the registry's `error(...args)`. */
async function expectIneligible(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  overrides: Partial<IJobMarket.JobRequestStruct>,
  error: string,
  args: unknown[],
) {
  const jobId = await createJob(f, overrides);
  await expect(f.market.connect(provider).commitBid(jobId, await commitmentFor(f, provider, jobId)))
    .to.be.revertedWithCustomError(f.registry, error)
    .withArgs(...args);
}

describe("JobMarket: commitBid", function () {
  describe("happy path", function () {
    it("test_commitBid_emitsBidCommitted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const commitment = await commitmentFor(f, f.alice, jobId);
      await expect(f.market.connect(f.alice).commitBid(jobId, commitment))
        .to.emit(f.market, "BidCommitted")
        .withArgs(jobId, f.alice.address, commitment, BID_LOCK, 1n);
      const bobCommitment = await commitmentFor(f, f.bob, jobId);
      await expect(f.market.connect(f.bob).commitBid(jobId, bobCommitment))
        .to.emit(f.market, "BidCommitted")
        .withArgs(jobId, f.bob.address, bobCommitment, BID_LOCK, 2n);
    });

    it("test_commitBid_locksBondPlusCollateralInRegistry", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      expect(BID_LOCK).to.equal(98n * GRL);
      const commitment = await commitmentFor(f, f.alice, jobId);
      await expect(f.market.connect(f.alice).commitBid(jobId, commitment))
        .to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, jobId, BID_LOCK, BID_LOCK, PROVIDER_STAKE - BID_LOCK);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(BID_LOCK);
      const p = await f.registry.providerOf(f.alice.address);
      expect(p.freeStake).to.equal(PROVIDER_STAKE - BID_LOCK);
      expect(p.lockedStake).to.equal(BID_LOCK);
    });

    it("test_commitBid_storesBidAndCount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      expect(await bidObject(f, jobId, f.alice.address)).to.deep.equal({
        commitment: ethers.ZeroHash,
        lockedGrl: 0n,
        price: 0n,
        status: BidStatus.None,
      });
      const commitment = await commitmentFor(f, f.alice, jobId);
      await f.market.connect(f.alice).commitBid(jobId, commitment);
      expect(await bidObject(f, jobId, f.alice.address)).to.deep.equal({
        commitment: storedCommitment(commitment),
        lockedGrl: BID_LOCK,
        price: 0n,
        status: BidStatus.Committed,
      });
      const job = await f.market.jobOf(jobId);
      expect(job.bidCount).to.equal(1n);
      expect(job.revealCount).to.equal(0n);
      expect(job.state).to.equal(JobState.Bidding);
      // The escrow and collateral do not move at commit.
      expect(job.collateral).to.equal(COLLATERAL);
    });

    it("test_commitBid_lockScalesWithJobValue", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // 8 GPUs x 24 h at $3: budget $576 = 1152 GRL at $0.50; collateral 30% = 345.6 GRL, and the bond
      // 10% = 115.2 GRL (above the 50 GRL floor).
      const jobId = await createJob(f, { gpuCount: 8, duration: 24n * HOUR, reservePricePerGpuHour: 3n * USDC });
      const collateral = collateralFor(576n * USDC, 6n, GRL_USD_PRICE, 3_000n);
      expect(collateral).to.equal((3456n * GRL) / 10n);
      expect((await f.market.jobOf(jobId)).collateral).to.equal(collateral);
      expect(await f.market.bidBondOf(jobId)).to.equal((1152n * GRL) / 10n);
      await commitBid(f, f.alice, jobId, USDC);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal((1152n * GRL) / 10n + collateral);
    });

    it("test_commitBid_smallJobBondsTheFloor", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // The default job's budget is 160 GRL: 10% is 16 GRL, below the 50 GRL floor.
      const jobId = await createJob(f);
      expect(await f.market.bidBondOf(jobId)).to.equal(BID_BOND);
      await setParams(f, { bidBondBps: 5_000n });
      const half = await createJob(f);
      // 50% of 160 GRL, rounded up from the collateral at the reserve (48 GRL x 5,000 / 3,000).
      expect(await f.market.bidBondOf(half)).to.equal(80n * GRL);
      await commitBid(f, f.alice, half, USDC);
      expect(await f.market.lockOf(half, f.alice.address)).to.equal(80n * GRL + COLLATERAL);
    });

    it("test_commitBid_locksPerJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const a = await createJob(f);
      const b = await createJob(f);
      await commitBid(f, f.alice, a, USDC);
      await commitBid(f, f.alice, b, USDC);
      expect(await f.market.lockOf(a, f.alice.address)).to.equal(BID_LOCK);
      expect(await f.market.lockOf(b, f.alice.address)).to.equal(BID_LOCK);
      expect(await freeStakeOf(f, f.alice)).to.equal(PROVIDER_STAKE - 2n * BID_LOCK);
    });

    it("test_commitBid_secondPriceJobAcceptsBids", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: SECOND_PRICE });
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId))).not.to.revert(
        ethers,
      );
    });

    it("test_commitBid_doesNotCheckCommitmentContents", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      // Any non-zero value is accepted; a wrong one simply cannot be revealed. Two providers may even
      // commit the same value.
      const arbitrary = ethers.id("anything");
      await f.market.connect(f.alice).commitBid(jobId, arbitrary);
      await f.market.connect(f.bob).commitBid(jobId, arbitrary);
      expect((await f.market.bidOf(jobId, f.bob.address)).commitment).to.equal(storedCommitment(arbitrary));
    });
  });

  describe("job and window checks", function () {
    it("test_commitBid_revertsForUnknownJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.connect(f.alice).commitBid(1n, ethers.id("x")))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(1n);
      await expect(f.market.connect(f.alice).commitBid(0n, ethers.id("x")))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(0n);
    });

    it("test_commitBid_revertsForCancelledJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await f.market.connect(f.renter).cancelJob(jobId);
      await expect(f.market.connect(f.alice).commitBid(jobId, ethers.id("x")))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Cancelled);
    });

    it("test_commitBid_revertsForAwardedJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await awardedJob(f, networkHelpers);
      await expect(f.market.connect(f.bob).commitBid(jobId, ethers.id("x")))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_commitBid_revertsForExpiredJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      await f.market.award(jobId);
      await expect(f.market.connect(f.bob).commitBid(jobId, ethers.id("x")))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Expired);
    });

    it("test_commitBid_revertsForInstantJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await expect(f.market.connect(f.alice).commitBid(jobId, ethers.id("x")))
        .to.be.revertedWithCustomError(f.market, "MarketWrongPricingRule")
        .withArgs(jobId, INSTANT);
    });

    it("test_commitBid_allowedOneSecondBeforeBidDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const { bidDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(bidDeadline - 1n);
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId))).to.emit(
        f.market,
        "BidCommitted",
      );
    });

    it("test_commitBid_revertsAtBidDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const { bidDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(bidDeadline);
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId)))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(jobId, bidDeadline, bidDeadline);
    });

    it("test_commitBid_revertsAfterBidDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(bidDeadline + 1n);
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId)))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(jobId, bidDeadline, bidDeadline + 1n);
      // Still closed after the reveal window (the job is still stored as Bidding).
      await networkHelpers.time.setNextBlockTimestamp(revealDeadline + 1n);
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId)))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(jobId, bidDeadline, revealDeadline + 1n);
    });

    it("test_commitBid_revertsForZeroCommitment", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.alice).commitBid(jobId, ethers.ZeroHash)).to.be.revertedWithCustomError(
        f.market,
        "MarketZeroCommitment",
      );
    });

    it("test_commitBid_revertsWhenAlreadyBid", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, USDC);
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId, 2n * USDC)))
        .to.be.revertedWithCustomError(f.market, "MarketAlreadyBid")
        .withArgs(jobId, f.alice.address);
      // The rejected second commit did not lock more stake.
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(BID_LOCK);
      expect((await f.market.jobOf(jobId)).bidCount).to.equal(1n);
    });
  });

  describe("bid cap", function () {
    it("test_commitBid_revertsWhenBidCapReached", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setParams(f, { maxBids: 2n });
      const jobId = await createJob(f);
      expect((await f.market.jobOf(jobId)).paramsId).to.equal(2n);
      await commitBid(f, f.alice, jobId, USDC);
      await commitBid(f, f.bob, jobId, USDC);
      await expect(f.market.connect(f.carol).commitBid(jobId, await commitmentFor(f, f.carol, jobId)))
        .to.be.revertedWithCustomError(f.market, "MarketBidCapReached")
        .withArgs(jobId, 2n);
    });

    it("test_commitBid_capOfOne", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setParams(f, { maxBids: 1n });
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, USDC);
      await expect(f.market.connect(f.bob).commitBid(jobId, await commitmentFor(f, f.bob, jobId)))
        .to.be.revertedWithCustomError(f.market, "MarketBidCapReached")
        .withArgs(jobId, 1n);
    });

    it("test_commitBid_capIsSnapshottedAtCreation", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const before = await createJob(f);
      await setParams(f, { maxBids: 1n });
      const after = await createJob(f);
      // The job created under the default cap (32) still takes a second and third bid.
      await commitBid(f, f.alice, before, USDC);
      await commitBid(f, f.bob, before, USDC);
      await commitBid(f, f.carol, before, USDC);
      expect((await f.market.jobOf(before)).bidCount).to.equal(3n);
      await commitBid(f, f.alice, after, USDC);
      await expect(f.market.connect(f.bob).commitBid(after, await commitmentFor(f, f.bob, after)))
        .to.be.revertedWithCustomError(f.market, "MarketBidCapReached")
        .withArgs(after, 1n);
      // Raising the cap later does not reopen the capped job either.
      await setParams(f, { maxBids: 32n });
      await expect(f.market.connect(f.bob).commitBid(after, await commitmentFor(f, f.bob, after)))
        .to.be.revertedWithCustomError(f.market, "MarketBidCapReached")
        .withArgs(after, 1n);
    });

    it("test_commitBid_bidBondIsSnapshottedAtCreation", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const before = await createJob(f);
      await setParams(f, { bidBond: 200n * GRL });
      const after = await createJob(f);
      await commitBid(f, f.alice, before, USDC);
      await commitBid(f, f.alice, after, USDC);
      expect(await f.market.lockOf(before, f.alice.address)).to.equal(BID_LOCK);
      expect(await f.market.lockOf(after, f.alice.address)).to.equal(200n * GRL + COLLATERAL);
    });
  });

  describe("eligibility (registry errors bubble up)", function () {
    it("test_commitBid_revertsForNonProvider", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.outsider, {}, "RegistryNotProvider", [f.outsider.address]);
      await expectIneligible(f, f.renter, {}, "RegistryNotProvider", [f.renter.address]);
    });

    it("test_commitBid_revertsForOfflineProvider", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.registry.connect(f.alice).setOnline(false);
      await expectIneligible(f, f.alice, {}, "RegistryProviderOffline", [f.alice.address]);
    });

    it("test_commitBid_revertsForTooFewGpus", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { gpuCount: 9 }, "RegistryInsufficientGpus", [H100, 8n, 9n]);
      // Exactly the listed 8 is fine.
      const jobId = await createJob(f, { gpuCount: 8 });
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId))).not.to.revert(
        ethers,
      );
    });

    it("test_commitBid_revertsWhenGpusAreLeased", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Alice runs a 6-GPU job: only 2 of her 8 H100 are free for a new 4-GPU job.
      const running = await awardedJob(f, networkHelpers, [[f.alice, USDC]], { gpuCount: 6 });
      await f.market.connect(f.alice).startJob(running);
      await expectIneligible(f, f.alice, {}, "RegistryInsufficientGpus", [H100, 2n, 4n]);
    });

    it("test_commitBid_revertsForTooLittleVram", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { minVramGb: 81 }, "RegistryVramTooLow", [H100, 80n, 81n]);
    });

    it("test_commitBid_revertsForModelNotListed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { gpuModel: RTX4090 }, "RegistryGpuModelNotListed", [
        f.alice.address,
        RTX4090,
      ]);
    });

    it("test_commitBid_revertsForRegionMismatch", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { region: 250 }, "RegistryRegionMismatch", [840n, 250n]);
      // The provider's own region, or 0 (any), is fine.
      const jobId = await createJob(f, { region: 840 });
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId))).not.to.revert(
        ethers,
      );
    });

    it("test_commitBid_revertsForLowReputation", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectIneligible(f, f.alice, { minReputation: 5_001 }, "RegistryReputationTooLow", [5_000n, 5_001n]);
      const jobId = await createJob(f, { minReputation: 5_000 });
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId))).not.to.revert(
        ethers,
      );
    });

    it("test_commitBid_revertsWhenStakeBelowMinimum", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.registry.connect(f.admin).setMinStakePerGpu(3_000n * GRL);
      await expectIneligible(f, f.alice, {}, "RegistryInsufficientStake", [24_000n * GRL, PROVIDER_STAKE]);
    });

    it("test_commitBid_revertsWhenLockExceedsFreeStake", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // A $10,000 job (8 GPUs x 625 h at $2): collateral 6000 GRL and bond 2000 GRL, so a bid locks 8000 GRL.
      const overrides = { gpuCount: 8, duration: 625n * HOUR };
      const lock = 2_000n * GRL + 6_000n * GRL;
      const jobId = await createJob(f, overrides);
      expect((await f.market.bidBondOf(jobId)) + (await f.market.jobOf(jobId)).collateral).to.equal(lock);
      // Alice unbonds all but lock - 1 of her free stake (she stays eligible: 1600 GRL cover her 8 GPUs).
      await f.registry.connect(f.alice).requestUnbond(PROVIDER_STAKE - (lock - 1n));
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId)))
        .to.be.revertedWithCustomError(f.registry, "RegistryLockExceedsFree")
        .withArgs(lock, lock - 1n);
      // Exactly enough free stake: the commit goes through and leaves nothing free.
      await f.registry.connect(f.bob).requestUnbond(PROVIDER_STAKE - lock);
      await commitBid(f, f.bob, jobId, USDC);
      expect(await freeStakeOf(f, f.bob)).to.equal(0n);
      expect(await f.market.lockOf(jobId, f.bob.address)).to.equal(lock);
    });

    it("test_commitBid_revertsWhenBondAloneExceedsFreeStake", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setParams(f, { bidBond: 30_000n * GRL });
      const jobId = await createJob(f);
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId)))
        .to.be.revertedWithCustomError(f.registry, "RegistryLockExceedsFree")
        .withArgs(30_000n * GRL + COLLATERAL, PROVIDER_STAKE);
    });

    it("test_commitBid_failedCommitLeavesNoTrace", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.registry.connect(f.alice).setOnline(false);
      const jobId = await createJob(f);
      await expect(f.market.connect(f.alice).commitBid(jobId, await commitmentFor(f, f.alice, jobId))).to.revert(
        ethers,
      );
      expect((await f.market.jobOf(jobId)).bidCount).to.equal(0n);
      expect((await f.market.bidOf(jobId, f.alice.address)).status).to.equal(BidStatus.None);
      // Back online, alice can bid normally.
      await f.registry.connect(f.alice).setOnline(true);
      await commitBid(f, f.alice, jobId, USDC);
      expect((await f.market.jobOf(jobId)).bidCount).to.equal(1n);
    });
  });
});
