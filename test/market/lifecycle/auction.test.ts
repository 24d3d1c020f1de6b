import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { commitBid, createJob, revealBid, saltFor } from "../../kit/jobs.ts";
import {
  BID_BOND,
  BidStatus,
  FIRST_PRICE,
  HOUR,
  JobState,
  type MarketFixture,
  PROVIDER_STAKE,
  RENTER_FUNDS,
  SECOND_PRICE,
  START_WINDOW,
  USDC,
} from "../../kit/market.ts";
import { bpsOf, DURATION, GPUS, jobValue, releasable, RESERVE } from "../../kit/money.ts";
import { GRL, H100 } from "../../kit/protocol.ts";
import {
  claimAt,
  collateralAtClearing,
  collateralAtReserve,
  deliverAtEnd,
  expectLedger,
  expectMarketBacksLedger,
  expectProviderReleased,
  expectRegistryBacksStake,
  INITIAL_REPUTATION,
  P1_2,
  P1_5,
  P1_8,
  reputationOf,
  settleAtDeadline,
  startJob,
  successScore,
  withdrawAll,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

const BUDGET = jobValue(RESERVE); // 80 USDC
const COLLATERAL_AT_RESERVE = collateralAtReserve(BUDGET); // 48 GRL at $0.50
const BID_LOCK = BID_BOND + COLLATERAL_AT_RESERVE; // 98 GRL

type Bids = [HardhatEthersSigner, bigint][];

/** Creates a job with `pricingRule`, commits and reveals `bids` (in order), and stops at the reveal deadline. */
async function revealedAuction(f: MarketFixture, pricingRule: bigint, bids: Bids): Promise<bigint> {
  const jobId = await createJob(f, { pricingRule });
  for (const [provider, price] of bids) await commitBid(f, provider, jobId, price);
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.bidDeadline);
  for (const [provider, price] of bids) await revealBid(f, provider, jobId, price);
  return jobId;
}

/** Awards at exactly the reveal deadline and checks the JobAwarded event in full. */
async function awardAndCheck(
  f: MarketFixture,
  jobId: bigint,
  winner: HardhatEthersSigner,
  pricingRule: bigint,
  clearing: bigint,
  bidCount: bigint,
  revealCount: bigint,
): Promise<void> {
  const job = await f.market.jobOf(jobId);
  const value = jobValue(clearing);
  const collateral = collateralAtClearing(COLLATERAL_AT_RESERVE, clearing);
  await networkHelpers.time.setNextBlockTimestamp(job.revealDeadline);
  await expect(f.market.connect(f.outsider).award(jobId))
    .to.emit(f.market, "JobAwarded")
    .withArgs(
      jobId,
      f.renter.address,
      winner.address,
      H100,
      GPUS,
      pricingRule,
      clearing,
      RESERVE,
      value,
      BUDGET - value,
      collateral,
      bidCount,
      revealCount,
      job.revealDeadline + START_WINDOW,
    );
  const awarded = await f.market.jobOf(jobId);
  expect(awarded.state).to.equal(JobState.Awarded);
  expect(awarded.provider).to.equal(winner.address);
  expect(awarded.clearingPrice).to.equal(clearing);
  expect(awarded.escrow).to.equal(value);
  expect(awarded.collateral).to.equal(collateral);
  expect(await f.market.lockOf(jobId, winner.address)).to.equal(collateral);
  expect((await f.market.bidOf(jobId, winner.address)).status).to.equal(BidStatus.Closed);
}

/** Closes every losing (revealed) bid and checks its whole lock is released. */
async function closeLosers(f: MarketFixture, jobId: bigint, losers: HardhatEthersSigner[]): Promise<void> {
  for (const loser of losers) {
    expect(await f.market.lockOf(jobId, loser.address)).to.equal(BID_LOCK);
    await expect(f.market.connect(f.outsider).closeBid(jobId, loser.address))
      .to.emit(f.market, "BidReleased")
      .withArgs(jobId, loser.address, BID_LOCK);
    expect(await f.market.lockOf(jobId, loser.address)).to.equal(0n);
  }
}

/**
 * Runs an awarded job to settlement (start, a claim at half time, delivery at the end, settle at the
 * challenge deadline) and checks every final balance, the per-job conservation and solvency.
 */
async function runToSettlementAndCheck(
  f: MarketFixture,
  jobId: bigint,
  winner: HardhatEthersSigner,
  clearing: bigint,
  losers: HardhatEthersSigner[],
): Promise<void> {
  const value = jobValue(clearing);
  await startJob(f, jobId);
  expect((await f.registry.gpuLineOf(winner.address, H100)).leased).to.equal(GPUS);
  const firstGross = await claimAt(f, networkHelpers, jobId, DURATION / 2n);
  expect(firstGross).to.equal(releasable(value / 2n));
  await deliverAtEnd(f, networkHelpers, jobId);
  await settleAtDeadline(f, networkHelpers, jobId);

  const job = await f.market.jobOf(jobId);
  expect(job.state).to.equal(JobState.Settled);
  expect(job.escrow).to.equal(0n);
  expect(job.claimed).to.equal(value);

  const usdc = await f.usdc.getAddress();
  const fees = bpsOf(firstGross, 250n) + bpsOf(value - firstGross, 250n);
  const refund = BUDGET - value;
  const l = await expectLedger(f, usdc, {
    renter: refund,
    [partyName(f, winner)]: value - fees,
    treasury: fees,
  });
  // Per-job conservation: provider net + fees + renter refund == the escrowed budget.
  expect(l[partyName(f, winner)] + l.treasury + l.renter).to.equal(BUDGET);
  await expectMarketBacksLedger(f, f.usdc);

  await expectProviderReleased(f, winner, [jobId]);
  for (const loser of losers) await expectProviderReleased(f, loser, [jobId]);
  await expectRegistryBacksStake(f);
  expect(await reputationOf(f, winner)).to.equal(successScore(INITIAL_REPUTATION, value));
  for (const loser of losers) expect(await reputationOf(f, loser)).to.equal(INITIAL_REPUTATION);

  // Everyone withdraws: wallets end exactly where the ledger said, and the market is empty.
  await withdrawAll(f, usdc, [f.renter, winner, f.treasury]);
  expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - value);
  expect(await f.usdc.balanceOf(winner.address)).to.equal(value - fees);
  expect(await f.usdc.balanceOf(f.treasury.address)).to.equal(fees);
  expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
}

function partyName(f: MarketFixture, provider: HardhatEthersSigner): "alice" | "bob" | "carol" {
  if (provider.address === f.alice.address) return "alice";
  if (provider.address === f.bob.address) return "bob";
  return "carol";
}

describe("JobMarket lifecycle: auctions", function () {
  it("test_fixture_budgetAndCollateralFigures", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    expect(BUDGET).to.equal(80n * USDC);
    expect(COLLATERAL_AT_RESERVE).to.equal(48n * GRL);
    const jobId = await createJob(f);
    const job = await f.market.jobOf(jobId);
    expect(job.escrow).to.equal(BUDGET);
    expect(job.collateral).to.equal(COLLATERAL_AT_RESERVE);
    expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(BUDGET);
    await expectMarketBacksLedger(f, f.usdc, BUDGET);
  });

  describe("first price", function () {
    it("test_firstPrice_threeBidders_lowestWinsAtItsOwnPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await revealedAuction(f, FIRST_PRICE, [
        [f.alice, P1_5],
        [f.bob, P1_2],
        [f.carol, P1_8],
      ]);
      const auction = await f.market.jobOf(jobId);
      expect(auction.provider).to.equal(f.bob.address);
      expect(auction.bestPrice).to.equal(P1_2);
      expect(auction.secondPrice).to.equal(P1_5);
      await awardAndCheck(f, jobId, f.bob, FIRST_PRICE, P1_2, 3n, 3n);
      expect(jobValue(P1_2)).to.equal(48n * USDC);
      expect(collateralAtClearing(COLLATERAL_AT_RESERVE, P1_2)).to.equal((288n * GRL) / 10n);
      await closeLosers(f, jobId, [f.alice, f.carol]);
      await expect(f.market.closeBid(jobId, f.bob.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(jobId, f.bob.address, BidStatus.Closed);
      await runToSettlementAndCheck(f, jobId, f.bob, P1_2, [f.alice, f.carol]);
    });

    it("test_firstPrice_tie_earliestRevealWins", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await revealedAuction(f, FIRST_PRICE, [
        [f.alice, P1_2],
        [f.bob, P1_2],
        [f.carol, P1_8],
      ]);
      const auction = await f.market.jobOf(jobId);
      expect(auction.provider).to.equal(f.alice.address);
      expect(auction.secondPrice).to.equal(P1_2);
      await awardAndCheck(f, jobId, f.alice, FIRST_PRICE, P1_2, 3n, 3n);
      await closeLosers(f, jobId, [f.bob, f.carol]);
      await runToSettlementAndCheck(f, jobId, f.alice, P1_2, [f.bob, f.carol]);
    });

    it("test_firstPrice_tie_revealOrderDecidesNotCommitOrder", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: FIRST_PRICE });
      await commitBid(f, f.alice, jobId, P1_2);
      await commitBid(f, f.bob, jobId, P1_2);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      // Bob committed second but reveals first.
      await expect(f.market.connect(f.bob).revealBid(jobId, P1_2, saltFor(f.bob, P1_2)))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.bob.address, P1_2, 1n, true);
      await expect(f.market.connect(f.alice).revealBid(jobId, P1_2, saltFor(f.alice, P1_2)))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.alice.address, P1_2, 2n, false);
      await awardAndCheck(f, jobId, f.bob, FIRST_PRICE, P1_2, 2n, 2n);
      await closeLosers(f, jobId, [f.alice]);
      await runToSettlementAndCheck(f, jobId, f.bob, P1_2, [f.alice, f.carol]);
    });
  });

  describe("second price", function () {
    it("test_secondPrice_threeBidders_lowestWinsAtSecondLowestPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await revealedAuction(f, SECOND_PRICE, [
        [f.alice, P1_5],
        [f.bob, P1_2],
        [f.carol, P1_8],
      ]);
      await awardAndCheck(f, jobId, f.bob, SECOND_PRICE, P1_5, 3n, 3n);
      expect(jobValue(P1_5)).to.equal(60n * USDC);
      expect(collateralAtClearing(COLLATERAL_AT_RESERVE, P1_5)).to.equal(36n * GRL);
      await closeLosers(f, jobId, [f.alice, f.carol]);
      await runToSettlementAndCheck(f, jobId, f.bob, P1_5, [f.alice, f.carol]);
    });

    it("test_secondPrice_tie_earliestRevealWinsAtTheTiedPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await revealedAuction(f, SECOND_PRICE, [
        [f.alice, P1_2],
        [f.bob, P1_2],
        [f.carol, P1_8],
      ]);
      await awardAndCheck(f, jobId, f.alice, SECOND_PRICE, P1_2, 3n, 3n);
      await closeLosers(f, jobId, [f.bob, f.carol]);
      await runToSettlementAndCheck(f, jobId, f.alice, P1_2, [f.bob, f.carol]);
    });

    it("test_secondPrice_singleBidder_clearsAtTheReserve", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await revealedAuction(f, SECOND_PRICE, [[f.alice, P1_5]]);
      await awardAndCheck(f, jobId, f.alice, SECOND_PRICE, RESERVE, 1n, 1n);
      // The whole budget is the value: nothing refunded at award, the collateral stays at the reserve.
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(0n);
      expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(COLLATERAL_AT_RESERVE);
      await runToSettlementAndCheck(f, jobId, f.alice, RESERVE, [f.bob, f.carol]);
    });

    it("test_secondPrice_lateLowerRevealPushesTheOldBestToSecond", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await revealedAuction(f, SECOND_PRICE, [
        [f.carol, P1_8],
        [f.alice, P1_5],
        [f.bob, P1_2],
      ]);
      const auction = await f.market.jobOf(jobId);
      expect([auction.provider, auction.bestPrice, auction.secondPrice]).to.deep.equal([f.bob.address, P1_2, P1_5]);
      await awardAndCheck(f, jobId, f.bob, SECOND_PRICE, P1_5, 3n, 3n);
      await closeLosers(f, jobId, [f.alice, f.carol]);
      await runToSettlementAndCheck(f, jobId, f.bob, P1_5, [f.alice, f.carol]);
    });
  });

  describe("unrevealed bids", function () {
    it("test_nonReveal_bondIsBurnedViaCloseBid", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const renterGrl = await f.token.balanceOf(f.renter.address);
      const supply = await f.token.totalSupply();
      const registryGrl = await f.token.balanceOf(await f.registry.getAddress());

      const jobId = await createJob(f, { pricingRule: FIRST_PRICE });
      await commitBid(f, f.alice, jobId, P1_5);
      await commitBid(f, f.bob, jobId, P1_2); // bob never reveals
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await revealBid(f, f.alice, jobId, P1_5);
      // Closing a bid is only possible once the auction is over.
      await expect(f.market.closeBid(jobId, f.bob.address))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Revealing);
      await awardAndCheck(f, jobId, f.alice, FIRST_PRICE, P1_5, 2n, 1n);

      await expect(f.market.connect(f.outsider).closeBid(jobId, f.bob.address))
        .to.emit(f.market, "BidBondForfeited")
        .withArgs(jobId, f.bob.address, f.renter.address, BID_BOND, COLLATERAL_AT_RESERVE)
        .and.to.emit(f.registry, "ProviderSlashed")
        .withArgs(f.bob.address, jobId, ethers.ZeroAddress, 0n, BID_BOND, COLLATERAL_AT_RESERVE);
      await expect(f.market.closeBid(jobId, f.bob.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(jobId, f.bob.address, BidStatus.Closed);

      // The 50 GRL bond left bob's stake and was burned; the renter got nothing.
      expect(BID_BOND).to.equal(50n * GRL);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl);
      expect(await f.token.totalSupply()).to.equal(supply - BID_BOND);
      expect(await f.token.balanceOf(await f.registry.getAddress())).to.equal(registryGrl - BID_BOND);
      await expectProviderReleased(f, f.bob, [jobId], PROVIDER_STAKE - BID_BOND);

      await runToSettlementAndCheck(f, jobId, f.alice, P1_5, [f.carol]);
      await expectProviderReleased(f, f.bob, [jobId], PROVIDER_STAKE - BID_BOND);
      // Forfeiting a bond is not a job fault: bob's reputation is untouched.
      expect(await reputationOf(f, f.bob)).to.equal(INITIAL_REPUTATION);
    });
  });

  describe("auctions without a winner", function () {
    it("test_noBids_awardExpiresWithAFullRefund", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: SECOND_PRICE });
      const job = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(job.revealDeadline - 1n);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(jobId, job.revealDeadline, job.revealDeadline - 1n);
      await networkHelpers.time.setNextBlockTimestamp(job.revealDeadline);
      await expect(f.market.connect(f.outsider).award(jobId))
        .to.emit(f.market, "JobExpired")
        .withArgs(jobId, f.renter.address, BUDGET, 0n);

      const expired = await f.market.jobOf(jobId);
      expect(expired.state).to.equal(JobState.Expired);
      expect(expired.escrow).to.equal(0n);
      const usdc = await f.usdc.getAddress();
      await expectLedger(f, usdc, { renter: BUDGET });
      await expectMarketBacksLedger(f, f.usdc);
      await expect(f.market.closeBid(jobId, f.alice.address))
        .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
        .withArgs(jobId, f.alice.address, BidStatus.None);
      await expect(f.market.award(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Expired);

      await expect(f.market.connect(f.renter).withdraw(usdc, f.renter.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(usdc, f.renter.address, f.renter.address, BUDGET);
      expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
      for (const p of [f.alice, f.bob, f.carol]) {
        await expectProviderReleased(f, p, [jobId]);
        expect(await reputationOf(f, p)).to.equal(INITIAL_REPUTATION);
      }
    });

    it("test_bidsWithoutReveals_expireAndForfeitEveryBond", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const renterGrl = await f.token.balanceOf(f.renter.address);
      const supply = await f.token.totalSupply();
      const jobId = await createJob(f, { pricingRule: FIRST_PRICE });
      await commitBid(f, f.alice, jobId, P1_5);
      await commitBid(f, f.bob, jobId, P1_2);
      const job = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(job.revealDeadline);
      await expect(f.market.connect(f.outsider).award(jobId))
        .to.emit(f.market, "JobExpired")
        .withArgs(jobId, f.renter.address, BUDGET, 2n);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Expired);

      for (const p of [f.alice, f.bob]) {
        expect(await f.market.lockOf(jobId, p.address)).to.equal(BID_LOCK);
        await expect(f.market.connect(f.outsider).closeBid(jobId, p.address))
          .to.emit(f.market, "BidBondForfeited")
          .withArgs(jobId, p.address, f.renter.address, BID_BOND, COLLATERAL_AT_RESERVE);
        await expectProviderReleased(f, p, [jobId], PROVIDER_STAKE - BID_BOND);
        expect(await reputationOf(f, p)).to.equal(INITIAL_REPUTATION);
      }
      await expectProviderReleased(f, f.carol, [jobId]);
      await expectRegistryBacksStake(f);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl);
      expect(await f.token.totalSupply()).to.equal(supply - 2n * BID_BOND);

      const usdc = await f.usdc.getAddress();
      await expectLedger(f, usdc, { renter: BUDGET });
      await expectMarketBacksLedger(f, f.usdc);
      await withdrawAll(f, usdc, [f.renter]);
      expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
    });

    it("test_revealsAboveTheReserveAreRejected_soTheJobExpires", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, { pricingRule: SECOND_PRICE });
      const tooHigh = RESERVE + 1n;
      await commitBid(f, f.alice, jobId, tooHigh);
      const job = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(job.bidDeadline);
      await expect(f.market.connect(f.alice).revealBid(jobId, tooHigh, saltFor(f.alice, tooHigh)))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidBidPrice")
        .withArgs(tooHigh, RESERVE);
      await networkHelpers.time.setNextBlockTimestamp(job.revealDeadline + HOUR);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobExpired").withArgs(jobId, f.renter.address, BUDGET, 1n);
      await (await f.market.closeBid(jobId, f.alice.address)).wait();
      await expectProviderReleased(f, f.alice, [jobId], PROVIDER_STAKE - BID_BOND);
      await expectLedger(f, await f.usdc.getAddress(), { renter: BUDGET });
      await expectMarketBacksLedger(f, f.usdc);
    });
  });
});
