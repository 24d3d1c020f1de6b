import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, commitBid, createJob, deliverJob, revealBid } from "../../kit/jobs.ts";
import { BidStatus, DAY, DEFAULT_PARAMS, HOUR, INSTANT, JobState, SECOND_PRICE, USDC } from "../../kit/market.ts";
import { jobValue } from "../../kit/money.ts";
import {
  BUDGET,
  commitmentOf,
  MAX_AUCTION_WINDOW,
  MAX_DURATION,
  MAX_GPU_COUNT,
  MIN_AUCTION_WINDOW,
  MIN_DURATION,
  params,
  paramsObject,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

describe("JobMarket: views", function () {
  describe("stateOf", function () {
    it("test_stateOf_noneForUnknownJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.stateOf(0n)).to.equal(JobState.None);
      expect(await f.market.stateOf(1n)).to.equal(JobState.None);
    });

    for (const [name, rule] of [
      ["FirstPrice", 0n],
      ["SecondPrice", SECOND_PRICE],
    ] as const) {
      it(`test_stateOf_revealingFromBidDeadline${name}`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const jobId = await createJob(f, { pricingRule: rule });
        const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
        expect(await f.market.stateOf(jobId)).to.equal(JobState.Bidding);
        await networkHelpers.time.increaseTo(bidDeadline - 1n);
        expect(await f.market.stateOf(jobId)).to.equal(JobState.Bidding);
        await networkHelpers.time.increaseTo(bidDeadline);
        expect(await f.market.stateOf(jobId)).to.equal(JobState.Revealing);
        // Still Revealing after the reveal deadline, until someone awards the job.
        await networkHelpers.time.increaseTo(revealDeadline + DAY);
        expect(await f.market.stateOf(jobId)).to.equal(JobState.Revealing);
        // The stored state is never Revealing.
        expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Bidding);
        await f.market.award(jobId);
        expect(await f.market.stateOf(jobId)).to.equal(JobState.Expired);
      });
    }

    it("test_stateOf_instantJobStaysBiddingAfterWindow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      const { bidDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Bidding);
      await networkHelpers.time.increaseTo(bidDeadline + DAY);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Bidding);
    });

    it("test_stateOf_reportsStoredStateOnceDecided", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const awarded = await awardedJob(f, networkHelpers);
      expect(await f.market.stateOf(awarded)).to.equal(JobState.Awarded);
      const cancelled = await createJob(f);
      await f.market.connect(f.renter).cancelJob(cancelled);
      expect(await f.market.stateOf(cancelled)).to.equal(JobState.Cancelled);
      const instant = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await f.market.connect(f.bob).acceptInstant(instant);
      await networkHelpers.time.increase(DAY);
      expect(await f.market.stateOf(instant)).to.equal(JobState.Awarded);
    });

    it("test_stateOf_revealingReportedInWrongStateErrors", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, USDC);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await expect(f.market.closeBid(jobId, f.alice.address))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Revealing);
    });
  });

  describe("jobValue", function () {
    it("test_jobValue_defaultRequest", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.jobValue(2n * USDC, 4, 10n * HOUR)).to.equal(BUDGET);
    });

    it("test_jobValue_roundsDown", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.jobValue(1n, 1, 3_599n)).to.equal(0n);
      expect(await f.market.jobValue(1n, 1, 3_600n)).to.equal(1n);
      expect(await f.market.jobValue(1n, 1, 7_199n)).to.equal(1n);
      expect(await f.market.jobValue(1_234_567n, 3, 5_400n)).to.equal(jobValue(1_234_567n, 3n, 5_400n));
      expect(await f.market.jobValue(1_234_567n, 3, 5_400n)).to.equal(5_555_551n);
      expect(await f.market.jobValue(0n, 4, HOUR)).to.equal(0n);
    });

    it("test_jobValue_matchesEscrowedBudget", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const cases: [bigint, bigint, bigint][] = [
        [7n, 3n, 61n * 60n + 7n],
        [999_999n, 7n, 12_345n],
        [5n * USDC, 1n, MIN_DURATION],
      ];
      for (const [price, gpus, duration] of cases) {
        const jobId = await createJob(f, { reservePricePerGpuHour: price, gpuCount: gpus, duration });
        expect((await f.market.jobOf(jobId)).escrow).to.equal(await f.market.jobValue(price, gpus, duration));
      }
    });

    it("test_jobValue_largestRequestFits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const price = 10n ** 24n;
      expect(await f.market.jobValue(price, MAX_GPU_COUNT, MAX_DURATION)).to.equal(
        jobValue(price, MAX_GPU_COUNT, MAX_DURATION),
      );
    });

    it("test_jobValue_revertsAboveUint128", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const maxPrice = 2n ** 96n - 1n;
      const maxCount = 2n ** 32n - 1n;
      const maxDuration = 2n ** 40n - 1n;
      await expect(f.market.jobValue(maxPrice, maxCount, maxDuration))
        .to.be.revertedWithCustomError(f.market, "SafeCastOverflowedUintDowncast")
        .withArgs(128n, jobValue(maxPrice, maxCount, maxDuration));
    });
  });

  describe("bidCommitment", function () {
    it("test_bidCommitment_matchesOffChainEncoding", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const market = await f.market.getAddress();
      const { chainId } = await ethers.provider.getNetwork();
      const cases: [bigint, string, bigint, string][] = [
        [1n, f.alice.address, (15n * USDC) / 10n, ethers.id("salt")],
        [42n, f.bob.address, 1n, ethers.ZeroHash],
        [2n ** 256n - 1n, f.carol.address, 2n ** 96n - 1n, ethers.toBeHex(ethers.MaxUint256, 32)],
      ];
      // Each binds the job's spec hash: zero for an id never created.
      for (const [jobId, provider, price, salt] of cases) {
        const { specHash } = await f.market.jobOf(jobId);
        expect(await f.market.bidCommitment(jobId, provider, price, salt)).to.equal(
          commitmentOf(jobId, provider, price, salt, chainId, market, specHash),
        );
      }
    });

    it("test_bidCommitment_bindsEveryInput", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const salt = ethers.id("salt");
      const base = await f.market.bidCommitment(1n, f.alice.address, USDC, salt);
      const variants = [
        await f.market.bidCommitment(2n, f.alice.address, USDC, salt),
        await f.market.bidCommitment(1n, f.bob.address, USDC, salt),
        await f.market.bidCommitment(1n, f.alice.address, USDC + 1n, salt),
        await f.market.bidCommitment(1n, f.alice.address, USDC, ethers.id("salt2")),
      ];
      expect(new Set([base, ...variants]).size).to.equal(5);
    });

    it("test_bidCommitment_bindsMarketAddress", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const other = await ethers.deployContract("JobMarket", [
        await f.registry.getAddress(),
        await f.settlement.getAddress(),
        await f.oracle.getAddress(),
        f.treasury.address,
        f.admin.address,
        f.arbiter.address,
        DEFAULT_PARAMS,
      ]);
      const salt = ethers.id("salt");
      const here = await f.market.bidCommitment(1n, f.alice.address, USDC, salt);
      const there = await other.bidCommitment(1n, f.alice.address, USDC, salt);
      expect(here).to.not.equal(there);
      const { chainId } = await ethers.provider.getNetwork();
      expect(there).to.equal(
        commitmentOf(1n, f.alice.address, USDC, salt, chainId, await other.getAddress(), ethers.ZeroHash),
      );
    });

    it("test_bidCommitment_isWhatCommitBidStores", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const { chainId } = await ethers.provider.getNetwork();
      const salt = ethers.id("alice");
      const commitment = commitmentOf(jobId, f.alice.address, USDC, salt, chainId, await f.market.getAddress());
      await f.market.connect(f.alice).commitBid(jobId, commitment);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await expect(f.market.connect(f.alice).revealBid(jobId, USDC, salt))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.alice.address, USDC, 1n, true);
    });
  });

  describe("lockOf", function () {
    /** lockOf over the given jobs, per provider, must sum to the registry's locked total. */
    async function expectSharesSumToLockedStake(
      f: Awaited<ReturnType<typeof fixture>>,
      jobIds: bigint[],
      providers: { address: string }[],
    ): Promise<void> {
      for (const p of providers) {
        let sum = 0n;
        for (const id of jobIds) sum += await f.market.lockOf(id, p.address);
        expect((await f.registry.providerOf(p.address)).lockedStake).to.equal(sum);
      }
    }

    it("test_lockOf_zeroForUnknownJobAndForNonBidders", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.lockOf(0n, f.alice.address)).to.equal(0n);
      expect(await f.market.lockOf(7n, f.alice.address)).to.equal(0n);
      const jobId = await createJob(f);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(0n);
      expect(await f.market.lockOf(jobId, f.renter.address)).to.equal(0n);
    });

    it("test_lockOf_followsEachBidderThroughAnAuctionAndSumsToLockedStake", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const providers = [f.alice, f.bob, f.carol];
      const jobId = await createJob(f, { pricingRule: SECOND_PRICE });
      const other = await createJob(f);
      const bidLock = (await f.market.bidBondOf(jobId)) + (await f.market.jobOf(jobId)).collateral;
      // Alice best, bob second, carol never reveals; alice also bids on the other job.
      await commitBid(f, f.alice, jobId, (12n * USDC) / 10n);
      await commitBid(f, f.bob, jobId, (15n * USDC) / 10n);
      await commitBid(f, f.carol, jobId, (11n * USDC) / 10n);
      await commitBid(f, f.alice, other, (13n * USDC) / 10n);
      for (const p of providers) expect(await f.market.lockOf(jobId, p.address)).to.equal(bidLock);
      await expectSharesSumToLockedStake(f, [jobId, other], providers);

      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      await revealBid(f, f.alice, jobId, (12n * USDC) / 10n);
      await revealBid(f, f.bob, jobId, (15n * USDC) / 10n);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(bidLock);
      await networkHelpers.time.increaseTo(revealDeadline);
      await (await f.market.award(jobId)).wait();
      // The winner holds the job's collateral at the clearing price; the others keep their bid locks.
      const collateral = (await f.market.jobOf(jobId)).collateral;
      expect(collateral).to.be.lessThan(bidLock);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(collateral);
      expect((await f.market.bidOf(jobId, f.alice.address)).lockedGrl).to.equal(collateral);
      expect(await f.market.lockOf(jobId, f.bob.address)).to.equal(bidLock);
      expect(await f.market.lockOf(jobId, f.carol.address)).to.equal(bidLock);
      await expectSharesSumToLockedStake(f, [jobId, other], providers);

      // Closing the losers' bids releases the revealed one and burns the unrevealed one's bond.
      await (await f.market.closeBid(jobId, f.bob.address)).wait();
      await (await f.market.closeBid(jobId, f.carol.address)).wait();
      expect(await f.market.lockOf(jobId, f.bob.address)).to.equal(0n);
      expect(await f.market.lockOf(jobId, f.carol.address)).to.equal(0n);
      await expectSharesSumToLockedStake(f, [jobId, other], providers);

      // The winner's share goes when the job settles.
      await (await f.market.connect(f.alice).startJob(jobId)).wait();
      await deliverJob(f, networkHelpers, jobId);
      await (await f.market.connect(f.renter).settle(jobId)).wait();
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(0n);
      expect(await f.market.lockOf(other, f.alice.address)).to.equal(bidLock);
      await expectSharesSumToLockedStake(f, [jobId, other], providers);
    });

    it("test_lockOf_instantProviderHoldsTheCollateralAtReserve", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await (await f.market.connect(f.alice).acceptInstant(jobId)).wait();
      const job = await f.market.jobOf(jobId);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(job.collateral);
      await expectSharesSumToLockedStake(f, [jobId], [f.alice]);
    });
  });

  describe("other views", function () {
    it("test_views_defaultsForUnknownIds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const job = await f.market.jobOf(5n);
      expect(job.renter).to.equal(ethers.ZeroAddress);
      expect(job.state).to.equal(JobState.None);
      const bid = await f.market.bidOf(5n, f.alice.address);
      expect([bid.commitment, bid.lockedGrl, bid.price, bid.status]).to.deep.equal([
        ethers.ZeroHash,
        0n,
        0n,
        BidStatus.None,
      ]);
      const zero = await paramsObject(f, 0n);
      expect(Object.values(zero).every((v) => v === 0n)).to.equal(true);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(0n);
      expect(await f.market.accruedOf(5n)).to.equal(0n);
    });

    it("test_views_marketParamsOfInitialSet", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.currentParamsId()).to.equal(1n);
      expect(await paramsObject(f, 1n)).to.deep.equal(params());
    });

    it("test_views_requestBoundConstants", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.MAX_GPU_COUNT()).to.equal(MAX_GPU_COUNT);
      expect(await f.market.MIN_DURATION()).to.equal(MIN_DURATION);
      expect(await f.market.MAX_DURATION()).to.equal(MAX_DURATION);
      expect(await f.market.MIN_AUCTION_WINDOW()).to.equal(MIN_AUCTION_WINDOW);
      expect(await f.market.MAX_AUCTION_WINDOW()).to.equal(MAX_AUCTION_WINDOW);
      expect(await f.market.MAX_URI_LENGTH()).to.equal(256n);
    });
  });
});
