import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { commitBid, createJob, revealBid } from "../../kit/jobs.ts";
import { BID_BOND, BidStatus, deployMarket, INSTANT, JobState, PROVIDER_STAKE, USDC } from "../../kit/market.ts";
import { GRL } from "../../kit/protocol.ts";
import { BID_LOCK, COLLATERAL, freeStakeOf, setParams } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

const P15 = (15n * USDC) / 10n;
const P16 = (16n * USDC) / 10n;
const P17 = (17n * USDC) / 10n;

/** A default job with bids from alice (1.50, revealed), bob (1.70, revealed) and carol (1.60, never revealed). */
async function biddedFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f);
  await commitBid(f, f.alice, jobId, P15);
  await commitBid(f, f.bob, jobId, P17);
  await commitBid(f, f.carol, jobId, P16);
  const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
  return { ...f, jobId, bidDeadline, revealDeadline };
}

/** The same job awarded to alice: bob lost, carol forfeits. */
async function awardedFixture() {
  const f = await biddedFixture();
  await networkHelpers.time.increaseTo(f.bidDeadline);
  await revealBid(f, f.alice, f.jobId, P15);
  await revealBid(f, f.bob, f.jobId, P17);
  await networkHelpers.time.increaseTo(f.revealDeadline);
  await f.market.award(f.jobId);
  return f;
}

describe("JobMarket: closeBid", function () {
  describe("state", function () {
    it("test_closeBid_revertsWhileBidding", async function () {
      const f = await networkHelpers.loadFixture(biddedFixture);
      await expect(f.market.closeBid(f.jobId, f.bob.address))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Bidding);
    });

    it("test_closeBid_revertsWhileRevealing", async function () {
      const f = await networkHelpers.loadFixture(biddedFixture);
      await networkHelpers.time.increaseTo(f.bidDeadline);
      await revealBid(f, f.bob, f.jobId, P17);
      await expect(f.market.closeBid(f.jobId, f.bob.address))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Revealing);
      await expect(f.market.closeBid(f.jobId, f.carol.address))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Revealing);
    });

    it("test_closeBid_revertsAfterRevealDeadlineUntilAwarded", async function () {
      const f = await networkHelpers.loadFixture(biddedFixture);
      await networkHelpers.time.increaseTo(f.revealDeadline + 1n);
      await expect(f.market.closeBid(f.jobId, f.carol.address))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Revealing);
    });

    it("test_closeBid_revertsForUnknownJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.closeBid(7n, f.alice.address))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(7n);
    });
  });

  describe("revealed loser", function () {
    it("test_closeBid_releasesRevealedLoserLock", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      expect(await f.market.lockOf(f.jobId, f.bob.address)).to.equal(BID_LOCK);
      const tx = f.market.connect(f.outsider).closeBid(f.jobId, f.bob.address);
      await expect(tx).to.emit(f.market, "BidReleased").withArgs(f.jobId, f.bob.address, BID_LOCK);
      await expect(tx)
        .to.emit(f.registry, "CollateralUnlocked")
        .withArgs(f.bob.address, f.jobId, BID_LOCK, 0n, PROVIDER_STAKE);
      expect(await f.market.lockOf(f.jobId, f.bob.address)).to.equal(0n);
      const p = await f.registry.providerOf(f.bob.address);
      expect([p.freeStake, p.lockedStake]).to.deep.equal([PROVIDER_STAKE, 0n]);
      const bid = await f.market.bidOf(f.jobId, f.bob.address);
      expect([bid.status, bid.price]).to.deep.equal([BidStatus.Closed, P17]);
    });

    it("test_closeBid_noTokenMovesForRevealedLoser", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await expect(f.market.closeBid(f.jobId, f.bob.address)).to.changeTokenBalances(
        ethers,
        f.token,
        [f.bob, f.renter, f.registry],
        [0n, 0n, 0n],
      );
    });

    it("test_closeBid_revertsWhenAlreadyClosed", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await f.market.closeBid(f.jobId, f.bob.address);
      await expect(f.market.closeBid(f.jobId, f.bob.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(f.jobId, f.bob.address, BidStatus.Closed);
      await f.market.closeBid(f.jobId, f.carol.address);
      await expect(f.market.closeBid(f.jobId, f.carol.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(f.jobId, f.carol.address, BidStatus.Closed);
    });
  });

  describe("unrevealed bid", function () {
    it("test_closeBid_forfeitsUnrevealedBond", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await expect(f.market.connect(f.outsider).closeBid(f.jobId, f.carol.address))
        .to.emit(f.market, "BidBondForfeited")
        .withArgs(f.jobId, f.carol.address, f.renter.address, BID_BOND, COLLATERAL);
    });

    it("test_closeBid_bondIsBurnedNotPaidToTheRenter", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      expect(BID_BOND).to.equal(50n * GRL);
      const supply = await f.token.totalSupply();
      await expect(f.market.closeBid(f.jobId, f.carol.address)).to.changeTokenBalances(
        ethers,
        f.token,
        [f.renter, f.registry, f.carol, f.treasury],
        [0n, -BID_BOND, 0n, 0n],
      );
      // The whole bond is burned: no party, the renter least of all, gains from a bid left unrevealed.
      expect(await f.token.totalSupply()).to.equal(supply - BID_BOND);
    });

    it("test_closeBid_slashesBondAndUnlocksRest", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      const tx = f.market.closeBid(f.jobId, f.carol.address);
      await expect(tx)
        .to.emit(f.registry, "ProviderSlashed")
        .withArgs(f.carol.address, f.jobId, ethers.ZeroAddress, 0n, BID_BOND, COLLATERAL);
      await expect(tx)
        .to.emit(f.registry, "CollateralUnlocked")
        .withArgs(f.carol.address, f.jobId, COLLATERAL, 0n, PROVIDER_STAKE - BID_BOND);
      expect(await f.market.lockOf(f.jobId, f.carol.address)).to.equal(0n);
      const p = await f.registry.providerOf(f.carol.address);
      expect([p.freeStake, p.lockedStake]).to.deep.equal([PROVIDER_STAKE - BID_BOND, 0n]);
      expect((await f.market.bidOf(f.jobId, f.carol.address)).status).to.equal(BidStatus.Closed);
    });

    it("test_closeBid_forfeitsBondSnapshottedAtJobCreation", async function () {
      const f = await networkHelpers.loadFixture(biddedFixture);
      // Governance raises the bond after the commit: carol still forfeits the 50 GRL she locked.
      await setParams(f, { bidBond: 500n * GRL });
      await networkHelpers.time.increaseTo(f.revealDeadline);
      await f.market.award(f.jobId);
      await expect(f.market.closeBid(f.jobId, f.carol.address))
        .to.emit(f.market, "BidBondForfeited")
        .withArgs(f.jobId, f.carol.address, f.renter.address, BID_BOND, COLLATERAL);
      expect(await freeStakeOf(f, f.carol)).to.equal(PROVIDER_STAKE - BID_BOND);
    });

    it("test_closeBid_bidWithInvalidRevealedPriceForfeits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, 3n * USDC);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      await expect(revealBid(f, f.alice, jobId, 3n * USDC)).to.be.revertedWithCustomError(
        f.market,
        "MarketInvalidBidPrice",
      );
      await networkHelpers.time.increaseTo(revealDeadline);
      await f.market.award(jobId);
      await expect(f.market.closeBid(jobId, f.alice.address))
        .to.emit(f.market, "BidBondForfeited")
        .withArgs(jobId, f.alice.address, f.renter.address, BID_BOND, COLLATERAL);
    });
  });

  describe("not closable", function () {
    it("test_closeBid_revertsForWinner", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await expect(f.market.closeBid(f.jobId, f.alice.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(f.jobId, f.alice.address, BidStatus.Closed);
      // The winner's collateral stays locked.
      expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(36n * GRL);
    });

    it("test_closeBid_revertsForNeverBid", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      for (const account of [f.outsider, f.renter]) {
        await expect(f.market.closeBid(f.jobId, account.address))
          .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
          .withArgs(f.jobId, account.address, BidStatus.None);
      }
    });

    it("test_closeBid_revertsForInstantWinner", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await f.market.connect(f.alice).acceptInstant(jobId);
      await expect(f.market.closeBid(jobId, f.alice.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(jobId, f.alice.address, BidStatus.None);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(COLLATERAL);
    });

    it("test_closeBid_revertsOnCancelledJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await f.market.connect(f.renter).cancelJob(jobId);
      await expect(f.market.closeBid(jobId, f.alice.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(jobId, f.alice.address, BidStatus.None);
    });
  });

  describe("other job states", function () {
    it("test_closeBid_worksOnExpiredJob", async function () {
      const f = await networkHelpers.loadFixture(biddedFixture);
      await networkHelpers.time.increaseTo(f.revealDeadline);
      await expect(f.market.award(f.jobId))
        .to.emit(f.market, "JobExpired")
        .withArgs(f.jobId, f.renter.address, 80n * USDC, 3n);
      for (const provider of [f.alice, f.bob, f.carol]) {
        await expect(f.market.closeBid(f.jobId, provider.address))
          .to.emit(f.market, "BidBondForfeited")
          .withArgs(f.jobId, provider.address, f.renter.address, BID_BOND, COLLATERAL);
        expect(await f.market.lockOf(f.jobId, provider.address)).to.equal(0n);
        expect(await freeStakeOf(f, provider)).to.equal(PROVIDER_STAKE - BID_BOND);
      }
      expect(await f.token.balanceOf(f.renter.address)).to.equal(0n);
    });

    it("test_closeBid_worksAfterWinnerStarted", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await f.market.connect(f.alice).startJob(f.jobId);
      expect((await f.market.jobOf(f.jobId)).state).to.equal(JobState.Running);
      await expect(f.market.closeBid(f.jobId, f.bob.address))
        .to.emit(f.market, "BidReleased")
        .withArgs(f.jobId, f.bob.address, BID_LOCK);
      await expect(f.market.closeBid(f.jobId, f.carol.address)).to.emit(f.market, "BidBondForfeited");
    });

    it("test_closeBid_closingLosersLeavesWinnerLockIntact", async function () {
      const f = await networkHelpers.loadFixture(awardedFixture);
      await f.market.closeBid(f.jobId, f.bob.address);
      await f.market.closeBid(f.jobId, f.carol.address);
      expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(36n * GRL);
      expect((await f.registry.providerOf(f.alice.address)).lockedStake).to.equal(36n * GRL);
      // The registry holds exactly the three providers' stakes.
      let sum = 0n;
      for (const p of [f.alice, f.bob, f.carol]) {
        const s = await f.registry.providerOf(p.address);
        sum += s.freeStake + s.lockedStake + s.unbondingStake;
      }
      expect(await f.token.balanceOf(await f.registry.getAddress())).to.equal(sum);
    });
  });
});
