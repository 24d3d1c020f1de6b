import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { commitBid, createJob, revealBid, saltFor } from "../../kit/jobs.ts";
import { BidStatus, deployMarket, INSTANT, JobState, type MarketFixture, USDC } from "../../kit/market.ts";
import { RESERVE } from "../../kit/money.ts";
import { BID_LOCK, commitmentOf, freeStakeOf } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

/** A default job with alice's bid of 1.50 committed, and the job's deadlines. */
async function committedFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f);
  await commitBid(f, f.alice, jobId, PRICE);
  const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
  return { ...f, jobId, bidDeadline, revealDeadline };
}

const PRICE = (15n * USDC) / 10n;

async function reveal(f: MarketFixture, provider: HardhatEthersSigner, jobId: bigint, price: bigint, salt?: string) {
  return f.market.connect(provider).revealBid(jobId, price, salt ?? saltFor(provider, price));
}

/** Commits each [provider, price] on a fresh default job, moves to the reveal window, returns the job id. */
async function jobInRevealWindow(f: MarketFixture, bids: [HardhatEthersSigner, bigint][], overrides = {}) {
  const jobId = await createJob(f, overrides);
  for (const [provider, price] of bids) await commitBid(f, provider, jobId, price);
  await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
  return jobId;
}

describe("JobMarket: revealBid", function () {
  describe("window", function () {
    it("test_revealBid_revertsOneSecondBeforeBidDeadline", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline - 1n);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(f.jobId, f.bidDeadline, f.bidDeadline - 1n);
    });

    it("test_revealBid_revertsRightAfterCommit", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      const now = BigInt(await networkHelpers.time.latest());
      await networkHelpers.time.setNextBlockTimestamp(now + 1n);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(f.jobId, f.bidDeadline, now + 1n);
    });

    it("test_revealBid_allowedAtBidDeadline", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.bidDeadline);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.emit(f.market, "BidRevealed")
        .withArgs(f.jobId, f.alice.address, PRICE, 1n, true);
    });

    it("test_revealBid_allowedOneSecondBeforeRevealDeadline", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.revealDeadline - 1n);
      await expect(reveal(f, f.alice, f.jobId, PRICE)).to.emit(f.market, "BidRevealed");
    });

    it("test_revealBid_revertsAtRevealDeadline", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.revealDeadline);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(f.jobId, f.revealDeadline, f.revealDeadline);
    });

    it("test_revealBid_revertsAfterRevealDeadline", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.revealDeadline + 1n);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(f.jobId, f.revealDeadline, f.revealDeadline + 1n);
    });

    it("test_revealBid_revertsAfterAward", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await commitBid(f, f.bob, f.jobId, USDC);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await revealBid(f, f.bob, f.jobId, USDC);
      await networkHelpers.time.increaseTo(f.revealDeadline);
      await f.market.award(f.jobId);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Awarded);
    });

    it("test_revealBid_revertsForExpiredJob", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.increaseTo(f.revealDeadline);
      await f.market.award(f.jobId);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Expired);
    });

    it("test_revealBid_revertsForUnknownJob", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await expect(reveal(f, f.alice, f.jobId + 1n, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(f.jobId + 1n);
    });

    it("test_revealBid_instantJobHasNoRevealWindow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      const { bidDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(bidDeadline - 1n);
      await expect(reveal(f, f.alice, jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(jobId, bidDeadline, bidDeadline - 1n);
      await networkHelpers.time.setNextBlockTimestamp(bidDeadline);
      await expect(reveal(f, f.alice, jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(jobId, bidDeadline, bidDeadline);
    });
  });

  describe("bid checks", function () {
    it("test_revealBid_revertsWithoutCommittedBid", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await expect(reveal(f, f.bob, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketNoCommittedBid")
        .withArgs(f.jobId, f.bob.address);
      await expect(reveal(f, f.outsider, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketNoCommittedBid")
        .withArgs(f.jobId, f.outsider.address);
    });

    it("test_revealBid_revertsWhenAlreadyRevealed", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await reveal(f, f.alice, f.jobId, PRICE);
      await expect(reveal(f, f.alice, f.jobId, PRICE))
        .to.be.revertedWithCustomError(f.market, "MarketNoCommittedBid")
        .withArgs(f.jobId, f.alice.address);
      expect((await f.market.jobOf(f.jobId)).revealCount).to.equal(1n);
    });

    it("test_revealBid_revertsForWrongSalt", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await expect(reveal(f, f.alice, f.jobId, PRICE, ethers.id("wrong salt")))
        .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
        .withArgs(f.jobId, f.alice.address);
    });

    it("test_revealBid_revertsForWrongPrice", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      // The committed salt with another price (lower or higher) does not match.
      for (const price of [PRICE - 1n, PRICE + 1n, RESERVE]) {
        await expect(reveal(f, f.alice, f.jobId, price, saltFor(f.alice, PRICE)))
          .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
          .withArgs(f.jobId, f.alice.address);
      }
    });

    it("test_revealBid_revertsForCopiedCommitment", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      // Bob copies alice's commitment from the chain and, once she reveals, her price and salt.
      const aliceCommitment = (await f.market.bidOf(f.jobId, f.alice.address)).commitment;
      await f.market.connect(f.bob).commitBid(f.jobId, aliceCommitment);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await reveal(f, f.alice, f.jobId, PRICE);
      await expect(reveal(f, f.bob, f.jobId, PRICE, saltFor(f.alice, PRICE)))
        .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
        .withArgs(f.jobId, f.bob.address);
    });

    it("test_revealBid_revertsForCommitmentBoundToOtherContext", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const market = await f.market.getAddress();
      const { chainId } = await ethers.provider.getNetwork();
      const salt = ethers.id("salt");
      const bound = (over: {
        jobId?: bigint;
        chainId?: bigint;
        market?: string;
        provider?: string;
        specHash?: string;
      }) =>
        commitmentOf(
          over.jobId ?? jobId,
          over.provider ?? f.alice.address,
          PRICE,
          salt,
          over.chainId ?? chainId,
          over.market ?? market,
          over.specHash,
        );
      // Sanity: the correctly bound commitment is the market's.
      expect(bound({})).to.equal(await f.market.bidCommitment(jobId, f.alice.address, PRICE, salt));
      const wrong: [HardhatEthersSigner, string][] = [
        [f.alice, bound({ jobId: jobId + 1n })],
        [f.bob, bound({ provider: f.bob.address, chainId: chainId + 1n })],
        [f.carol, bound({ provider: f.carol.address, market: f.outsider.address })],
      ];
      for (const [provider, commitment] of wrong) await f.market.connect(provider).commitBid(jobId, commitment);
      // A bid for another workload: a second job, bound to it in every way but its spec hash.
      const otherJob = await createJob(f);
      await f.market
        .connect(f.alice)
        .commitBid(otherJob, bound({ jobId: otherJob, specHash: ethers.id("another workload") }));
      await networkHelpers.time.increaseTo((await f.market.jobOf(otherJob)).bidDeadline);
      for (const [provider] of wrong) {
        await expect(reveal(f, provider, jobId, PRICE, salt))
          .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
          .withArgs(jobId, provider.address);
      }
      await expect(reveal(f, f.alice, otherJob, PRICE, salt))
        .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
        .withArgs(otherJob, f.alice.address);
    });

    it("test_revealBid_revertsForZeroPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [[f.alice, 0n]]);
      await expect(reveal(f, f.alice, jobId, 0n))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidBidPrice")
        .withArgs(0n, RESERVE);
    });

    it("test_revealBid_revertsForPriceAboveReserve", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [
        [f.alice, RESERVE + 1n],
        [f.bob, RESERVE],
      ]);
      await expect(reveal(f, f.alice, jobId, RESERVE + 1n))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidBidPrice")
        .withArgs(RESERVE + 1n, RESERVE);
      // The reserve itself is a valid price.
      await expect(reveal(f, f.bob, jobId, RESERVE))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.bob.address, RESERVE, 1n, true);
      // An invalid price leaves the bid committed (and its bond forfeitable).
      expect((await f.market.bidOf(jobId, f.alice.address)).status).to.equal(BidStatus.Committed);
    });

    it("test_revealBid_minimumPriceOfOneUnit", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [[f.alice, 1n]]);
      await expect(reveal(f, f.alice, jobId, 1n))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.alice.address, 1n, 1n, true);
    });
  });

  describe("effects and best/second tracking", function () {
    it("test_revealBid_storesPriceAndStatus", async function () {
      const f = await networkHelpers.loadFixture(committedFixture);
      const commitment = (await f.market.bidOf(f.jobId, f.alice.address)).commitment;
      const free = await freeStakeOf(f, f.alice);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await reveal(f, f.alice, f.jobId, PRICE);
      const bid = await f.market.bidOf(f.jobId, f.alice.address);
      // The commitment's word now holds the price: the view reads the commitment as zero.
      expect(commitment).to.not.equal(ethers.ZeroHash);
      expect([bid.commitment, bid.lockedGrl, bid.price, bid.status]).to.deep.equal([
        ethers.ZeroHash,
        BID_LOCK,
        PRICE,
        BidStatus.Revealed,
      ]);
      const job = await f.market.jobOf(f.jobId);
      expect(job.revealCount).to.equal(1n);
      expect(job.provider).to.equal(f.alice.address);
      expect(job.bestPrice).to.equal(PRICE);
      expect(job.secondPrice).to.equal(0n);
      expect(job.clearingPrice).to.equal(0n);
      expect(job.state).to.equal(JobState.Bidding);
      expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Revealing);
      // Revealing does not touch the stake lock.
      expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(BID_LOCK);
      expect(await freeStakeOf(f, f.alice)).to.equal(free);
    });

    it("test_revealBid_lowerBidBecomesBestAndPushesSecond", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [
        [f.alice, (18n * USDC) / 10n],
        [f.bob, (15n * USDC) / 10n],
        [f.carol, (16n * USDC) / 10n],
      ]);
      await expect(reveal(f, f.alice, jobId, (18n * USDC) / 10n))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.alice.address, (18n * USDC) / 10n, 1n, true);
      await expect(reveal(f, f.bob, jobId, (15n * USDC) / 10n))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.bob.address, (15n * USDC) / 10n, 2n, true);
      let job = await f.market.jobOf(jobId);
      expect([job.provider, job.bestPrice, job.secondPrice]).to.deep.equal([
        f.bob.address,
        (15n * USDC) / 10n,
        (18n * USDC) / 10n,
      ]);
      // Between best and second: not best, but the new second.
      await expect(reveal(f, f.carol, jobId, (16n * USDC) / 10n))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.carol.address, (16n * USDC) / 10n, 3n, false);
      job = await f.market.jobOf(jobId);
      expect([job.provider, job.bestPrice, job.secondPrice, job.revealCount]).to.deep.equal([
        f.bob.address,
        (15n * USDC) / 10n,
        (16n * USDC) / 10n,
        3n,
      ]);
    });

    it("test_revealBid_higherBidSetsEmptySecondOnly", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [
        [f.alice, (15n * USDC) / 10n],
        [f.bob, (17n * USDC) / 10n],
        [f.carol, (19n * USDC) / 10n],
      ]);
      await reveal(f, f.alice, jobId, (15n * USDC) / 10n);
      await expect(reveal(f, f.bob, jobId, (17n * USDC) / 10n))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.bob.address, (17n * USDC) / 10n, 2n, false);
      expect((await f.market.jobOf(jobId)).secondPrice).to.equal((17n * USDC) / 10n);
      // Above the second price: neither best nor second.
      await expect(reveal(f, f.carol, jobId, (19n * USDC) / 10n))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.carol.address, (19n * USDC) / 10n, 3n, false);
      const job = await f.market.jobOf(jobId);
      expect([job.provider, job.bestPrice, job.secondPrice]).to.deep.equal([
        f.alice.address,
        (15n * USDC) / 10n,
        (17n * USDC) / 10n,
      ]);
    });

    it("test_revealBid_tieKeepsEarliestRevealAsBest", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Bob committed first but alice reveals first: the earliest reveal wins the tie.
      const jobId = await jobInRevealWindow(f, [
        [f.bob, PRICE],
        [f.alice, PRICE],
      ]);
      await expect(reveal(f, f.alice, jobId, PRICE))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.alice.address, PRICE, 1n, true);
      await expect(reveal(f, f.bob, jobId, PRICE))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.bob.address, PRICE, 2n, false);
      const job = await f.market.jobOf(jobId);
      // The equal price becomes the second price (a Vickrey auction then clears at it).
      expect([job.provider, job.bestPrice, job.secondPrice]).to.deep.equal([f.alice.address, PRICE, PRICE]);
    });

    it("test_revealBid_tieWithSecondKeepsSecond", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [
        [f.alice, USDC],
        [f.bob, PRICE],
        [f.carol, PRICE],
      ]);
      await reveal(f, f.alice, jobId, USDC);
      await reveal(f, f.bob, jobId, PRICE);
      await expect(reveal(f, f.carol, jobId, PRICE))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.carol.address, PRICE, 3n, false);
      const job = await f.market.jobOf(jobId);
      expect([job.provider, job.bestPrice, job.secondPrice]).to.deep.equal([f.alice.address, USDC, PRICE]);
    });

    it("test_revealBid_newBestAfterTieMovesOldBestToSecond", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [
        [f.alice, PRICE],
        [f.bob, PRICE],
        [f.carol, USDC],
      ]);
      await reveal(f, f.alice, jobId, PRICE);
      await reveal(f, f.bob, jobId, PRICE);
      await expect(reveal(f, f.carol, jobId, USDC))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.carol.address, USDC, 3n, true);
      const job = await f.market.jobOf(jobId);
      expect([job.provider, job.bestPrice, job.secondPrice]).to.deep.equal([f.carol.address, USDC, PRICE]);
    });

    it("test_revealBid_unrevealedBidsDoNotCount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await jobInRevealWindow(f, [
        [f.alice, USDC],
        [f.bob, PRICE],
      ]);
      await reveal(f, f.bob, jobId, PRICE);
      const job = await f.market.jobOf(jobId);
      expect([job.bidCount, job.revealCount, job.provider, job.bestPrice, job.secondPrice]).to.deep.equal([
        2n,
        1n,
        f.bob.address,
        PRICE,
        0n,
      ]);
    });
  });
});
