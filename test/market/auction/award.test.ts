import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { commitBid, createJob, revealBid } from "../../kit/jobs.ts";
import {
  BID_BOND,
  BidStatus,
  deployMarket,
  FIRST_PRICE,
  HOUR,
  INSTANT,
  JobState,
  type MarketFixture,
  ORACLE_HEARTBEAT,
  PROVIDER_STAKE,
  SECOND_PRICE,
  USDC,
} from "../../kit/market.ts";
import { jobValue, RESERVE } from "../../kit/money.ts";
import { GRL, H100 } from "../../kit/protocol.ts";
import {
  BID_LOCK,
  BUDGET,
  COLLATERAL,
  collateralFor,
  freeStakeOf,
  onboardExtraProviders,
  scaledCollateral,
  setParams,
} from "./helpers.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

/** The market fixture plus 32 more online providers, for the gas comparison. */
async function manyProvidersFixture() {
  const f = await deployMarket(ethers);
  const providers = await onboardExtraProviders(f, ethers, networkHelpers, 32);
  return { ...f, providers };
}

const P15 = (15n * USDC) / 10n;
const P16 = (16n * USDC) / 10n;
const P17 = (17n * USDC) / 10n;

/** Creates a job, commits every bid, reveals those listed in `reveals` (default all), and stops at the reveal deadline. */
async function auctionedJob(
  f: MarketFixture,
  bids: [HardhatEthersSigner, bigint][],
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
  reveals: [HardhatEthersSigner, bigint][] = bids,
): Promise<{ jobId: bigint; revealDeadline: bigint }> {
  const jobId = await createJob(f, overrides);
  for (const [provider, price] of bids) await commitBid(f, provider, jobId, price);
  const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(bidDeadline);
  for (const [provider, price] of reveals) await revealBid(f, provider, jobId, price);
  await networkHelpers.time.increaseTo(revealDeadline);
  return { jobId, revealDeadline };
}

describe("JobMarket: award", function () {
  describe("timing and state", function () {
    it("test_award_revertsOneSecondBeforeRevealDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const { revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(revealDeadline - 1n);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(jobId, revealDeadline, revealDeadline - 1n);
    });

    it("test_award_revertsDuringBidWindow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const { revealDeadline } = await f.market.jobOf(jobId);
      const now = BigInt(await networkHelpers.time.latest());
      await networkHelpers.time.setNextBlockTimestamp(now + 1n);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(jobId, revealDeadline, now + 1n);
    });

    it("test_award_allowedAtRevealDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, P15);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      await revealBid(f, f.alice, jobId, P15);
      await networkHelpers.time.setNextBlockTimestamp(revealDeadline);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobAwarded");
    });

    it("test_award_allowedAfterRevealDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      const { revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(revealDeadline + 1n);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobExpired");
    });

    it("test_award_revertsForUnknownJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.award(1n)).to.be.revertedWithCustomError(f.market, "MarketUnknownJob").withArgs(1n);
    });

    it("test_award_twiceRevertsWithWrongState", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, [[f.alice, P15]]);
      await f.market.award(jobId);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_award_expiredTwiceRevertsWithWrongState", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, []);
      await f.market.award(jobId);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Expired);
      // The refund was credited once.
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET);
    });

    it("test_award_revertsForCancelledJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await f.market.connect(f.renter).cancelJob(jobId);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Cancelled);
    });

    it("test_award_callableByAnyone", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, [[f.alice, P15]]);
      await expect(f.market.connect(f.outsider).award(jobId)).to.emit(f.market, "JobAwarded");
    });

    it("test_award_worksWhileOracleIsStale", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, P15);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await revealBid(f, f.alice, jobId, P15);
      // The feed stops updating: collateral was priced at creation, so the auction still closes.
      await networkHelpers.time.increase(ORACLE_HEARTBEAT + 1n);
      await expect(f.oracle.grlUsdPrice()).to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer");
      await expect(f.market.award(jobId)).to.emit(f.market, "JobAwarded");
      expect((await f.market.jobOf(jobId)).collateral).to.equal(36n * GRL);
    });
  });

  describe("no valid reveal", function () {
    it("test_award_expiresWithoutBidsAndCreditsFullRefund", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, []);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobExpired").withArgs(jobId, f.renter.address, BUDGET, 0n);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET);
      const job = await f.market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Expired);
      expect(job.escrow).to.equal(0n);
      expect(job.provider).to.equal(ethers.ZeroAddress);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Expired);
    });

    it("test_award_expiresWhenNoBidRevealed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(
        f,
        [
          [f.alice, P15],
          [f.bob, P16],
        ],
        {},
        [],
      );
      await expect(f.market.award(jobId)).to.emit(f.market, "JobExpired").withArgs(jobId, f.renter.address, BUDGET, 2n);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET);
      // The unrevealed bids stay locked until closed (their bonds are forfeitable).
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(BID_LOCK);
      expect((await f.market.bidOf(jobId, f.alice.address)).status).to.equal(BidStatus.Committed);
    });

    it("test_award_expiresWhenOnlyInvalidPricesWereOffered", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, RESERVE + 1n);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      await expect(revealBid(f, f.alice, jobId, RESERVE + 1n)).to.be.revertedWithCustomError(
        f.market,
        "MarketInvalidBidPrice",
      );
      await networkHelpers.time.increaseTo(revealDeadline);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobExpired").withArgs(jobId, f.renter.address, BUDGET, 1n);
    });

    it("test_award_expiresUnacceptedInstantJobAfterItsWindow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      expect(revealDeadline).to.equal(bidDeadline);
      await networkHelpers.time.setNextBlockTimestamp(bidDeadline - 1n);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(jobId, bidDeadline, bidDeadline - 1n);
      await networkHelpers.time.setNextBlockTimestamp(bidDeadline);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobExpired").withArgs(jobId, f.renter.address, BUDGET, 0n);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET);
    });

    it("test_award_revertsForAcceptedInstantJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await f.market.connect(f.alice).acceptInstant(jobId);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });
  });

  describe("first price", function () {
    it("test_award_firstPriceClearsAtLowestBid", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId, revealDeadline } = await auctionedJob(f, [
        [f.bob, P17],
        [f.alice, P15],
        [f.carol, P16],
      ]);
      const value = jobValue(P15, 4n, 10n * HOUR);
      const collateral = scaledCollateral(COLLATERAL, P15, RESERVE);
      expect([value, collateral]).to.deep.equal([60n * USDC, 36n * GRL]);
      const t = revealDeadline + 5n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.market.connect(f.outsider).award(jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          H100,
          4n,
          FIRST_PRICE,
          P15,
          RESERVE,
          value,
          BUDGET - value,
          collateral,
          3n,
          3n,
          t + HOUR,
        );
      const job = await f.market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Awarded);
      expect(job.provider).to.equal(f.alice.address);
      expect(job.clearingPrice).to.equal(P15);
      expect(job.escrow).to.equal(value);
      expect(job.collateral).to.equal(collateral);
      expect(job.deadline).to.equal(t + HOUR);
    });

    it("test_award_creditsRefundOfEscrowAboveValue", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, [[f.alice, P15]]);
      // The refund is credited, not transferred.
      await expect(f.market.award(jobId)).to.changeTokenBalances(ethers, f.usdc, [f.renter, f.market], [0n, 0n]);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(20n * USDC);
    });

    it("test_award_reducesWinnerLockToScaledCollateral", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, [
        [f.alice, P15],
        [f.bob, P16],
      ]);
      const collateral = 36n * GRL;
      // The winner's bond and the collateral above the clearing price are released.
      await expect(f.market.award(jobId))
        .to.emit(f.registry, "CollateralUnlocked")
        .withArgs(f.alice.address, jobId, BID_LOCK - collateral, collateral, PROVIDER_STAKE - collateral);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(collateral);
      expect(await freeStakeOf(f, f.alice)).to.equal(PROVIDER_STAKE - collateral);
      // The winner's bid is closed; the loser's lock is untouched until closeBid.
      expect((await f.market.bidOf(jobId, f.alice.address)).status).to.equal(BidStatus.Closed);
      // Its lockedGrl now shows what stays locked for the job: the collateral.
      expect((await f.market.bidOf(jobId, f.alice.address)).lockedGrl).to.equal(collateral);
      expect((await f.market.bidOf(jobId, f.bob.address)).status).to.equal(BidStatus.Revealed);
      expect(await f.market.lockOf(jobId, f.bob.address)).to.equal(BID_LOCK);
    });

    it("test_award_roundsScaledCollateralUp", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // At $0.30 the job's collateral is 80 GRL + 1 wei; at 1.50/2.00 of it: 60 GRL + 0.75 wei -> + 1 wei.
      await f.feed.setAnswer(30_000_000n);
      const { jobId } = await auctionedJob(f, [[f.alice, P15]]);
      const reserveCollateral = collateralFor(BUDGET, 6n, (3n * GRL) / 10n, 3_000n);
      expect((await f.market.jobOf(jobId)).collateral).to.equal(reserveCollateral);
      const expected = scaledCollateral(reserveCollateral, P15, RESERVE);
      expect(expected).to.equal(60n * GRL + 1n);
      expect((reserveCollateral * P15) % RESERVE).to.not.equal(0n);
      await f.market.award(jobId);
      expect((await f.market.jobOf(jobId)).collateral).to.equal(expected);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(expected);
    });

    it("test_award_firstPriceAtReserveKeepsFullCollateral", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, [[f.alice, RESERVE]]);
      await expect(f.market.award(jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          H100,
          4n,
          FIRST_PRICE,
          RESERVE,
          RESERVE,
          BUDGET,
          0n,
          COLLATERAL,
          1n,
          1n,
          (v: bigint) => v > 0n,
        );
      // Only the bond is released.
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(COLLATERAL);
      expect(await freeStakeOf(f, f.alice)).to.equal(PROVIDER_STAKE - BID_LOCK + BID_BOND);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(0n);
    });

    it("test_award_tieGoesToEarliestReveal", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(
        f,
        [
          [f.alice, P15],
          [f.bob, P15],
        ],
        {},
        [
          [f.bob, P15],
          [f.alice, P15],
        ],
      );
      await f.market.award(jobId);
      expect((await f.market.jobOf(jobId)).provider).to.equal(f.bob.address);
    });

    it("test_award_ignoresUnrevealedLowerBid", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(
        f,
        [
          [f.alice, USDC],
          [f.bob, P17],
        ],
        {},
        [[f.bob, P17]],
      );
      await expect(f.market.award(jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          jobId,
          f.renter.address,
          f.bob.address,
          H100,
          4n,
          FIRST_PRICE,
          P17,
          RESERVE,
          68n * USDC,
          12n * USDC,
          (408n * GRL) / 10n,
          2n,
          1n,
          (v: bigint) => v > 0n,
        );
    });

    it("test_award_startDeadlineUsesSnapshottedStartWindow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId, revealDeadline } = await auctionedJob(f, [[f.alice, P15]]);
      await setParams(f, { startWindow: 5n * 60n });
      const t = revealDeadline + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.award(jobId);
      expect((await f.market.jobOf(jobId)).deadline).to.equal(t + HOUR);
    });
  });

  describe("second price", function () {
    it("test_award_secondPriceClearsAtSecondLowest", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId, revealDeadline } = await auctionedJob(
        f,
        [
          [f.carol, P17],
          [f.alice, P15],
          [f.bob, P16],
        ],
        { pricingRule: SECOND_PRICE },
      );
      const value = jobValue(P16, 4n, 10n * HOUR);
      const collateral = scaledCollateral(COLLATERAL, P16, RESERVE);
      expect([value, collateral]).to.deep.equal([64n * USDC, (384n * GRL) / 10n]);
      const t = revealDeadline + 1n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.market.award(jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          H100,
          4n,
          SECOND_PRICE,
          P16,
          RESERVE,
          value,
          BUDGET - value,
          collateral,
          3n,
          3n,
          t + HOUR,
        );
      const job = await f.market.jobOf(jobId);
      expect([
        job.provider,
        job.bestPrice,
        job.secondPrice,
        job.clearingPrice,
        job.escrow,
        job.collateral,
      ]).to.deep.equal([f.alice.address, P15, P16, P16, value, collateral]);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(collateral);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET - value);
    });

    it("test_award_secondPriceSingleRevealClearsAtReserve", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(f, [[f.alice, P15]], { pricingRule: SECOND_PRICE });
      await expect(f.market.award(jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          H100,
          4n,
          SECOND_PRICE,
          RESERVE,
          RESERVE,
          BUDGET,
          0n,
          COLLATERAL,
          1n,
          1n,
          (v: bigint) => v > 0n,
        );
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(COLLATERAL);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(0n);
    });

    it("test_award_secondPriceWithUnrevealedSecondClearsAtReserve", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(
        f,
        [
          [f.alice, P15],
          [f.bob, P16],
        ],
        { pricingRule: SECOND_PRICE },
        [[f.alice, P15]],
      );
      await f.market.award(jobId);
      const job = await f.market.jobOf(jobId);
      expect([job.provider, job.clearingPrice, job.escrow]).to.deep.equal([f.alice.address, RESERVE, BUDGET]);
    });

    it("test_award_secondPriceTieClearsAtTheTiedPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(
        f,
        [
          [f.alice, P15],
          [f.bob, P15],
          [f.carol, P17],
        ],
        { pricingRule: SECOND_PRICE },
      );
      await f.market.award(jobId);
      const job = await f.market.jobOf(jobId);
      expect([job.provider, job.clearingPrice, job.escrow]).to.deep.equal([f.alice.address, P15, 60n * USDC]);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(20n * USDC);
    });

    it("test_award_secondPriceSecondAtReserve", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { jobId } = await auctionedJob(
        f,
        [
          [f.alice, P15],
          [f.bob, RESERVE],
        ],
        { pricingRule: SECOND_PRICE },
      );
      await f.market.award(jobId);
      const job = await f.market.jobOf(jobId);
      expect([job.clearingPrice, job.escrow, job.collateral]).to.deep.equal([RESERVE, BUDGET, COLLATERAL]);
    });
  });

  describe("gas", function () {
    /** Award gas of a first-price job with `n` committed and revealed bids (the lowest wins). */
    async function awardGas(n: number): Promise<bigint> {
      const f = await networkHelpers.loadFixture(manyProvidersFixture);
      const bidders = f.providers.slice(0, n);
      const bids: [HardhatEthersSigner, bigint][] = bidders.map((p, i) => [p, P15 + BigInt(i) * 1_000n]);
      const { jobId } = await auctionedJob(f, bids);
      const job = await f.market.jobOf(jobId);
      expect([job.bidCount, job.revealCount]).to.deep.equal([BigInt(n), BigInt(n)]);
      const receipt = await (await f.market.award(jobId)).wait();
      expect((await f.market.jobOf(jobId)).provider).to.equal(bidders[0].address);
      return receipt!.gasUsed;
    }

    it("test_award_gasIndependentOfBidCount", async function () {
      const gas1 = await awardGas(1);
      const gas2 = await awardGas(2);
      const gas8 = await awardGas(8);
      const gas32 = await awardGas(32);
      // O(1) award: whatever the number of bids, the award costs exactly the same. The one-bid award
      // included: no Job slot it writes is still zero (the clearing price is derived, not stored).
      expect(gas2).to.equal(gas1);
      expect(gas8).to.equal(gas1);
      expect(gas32).to.equal(gas1);
    });
  });
});
