import { expect } from "chai";
import { network } from "hardhat";

import { buyCreditsFor } from "../kit/funding.ts";
import { commitBid, createJob, EVIDENCE_HASH, jobRequest, nextAt, revealBid } from "../kit/jobs.ts";
import {
  deployMarket,
  FEE_BPS,
  GRL_USD_ANSWER,
  INSTANT,
  JobState,
  type MarketFixture,
  ORACLE_HEARTBEAT,
  ORACLE_MAX_ANSWER,
  ORACLE_MIN_ANSWER,
  PROVIDER_FAULT,
} from "../kit/market.ts";
import { bpsOf, DURATION, jobValue, RESERVE } from "../kit/money.ts";
import { GRL } from "../kit/protocol.ts";
import {
  claimAt,
  collateralAtReserve,
  deliverAtEnd,
  expectMarketBacksLedger,
  openEscrowOf,
  P1_5,
  P1_8,
  settleAtDeadline,
  startJob,
  withdrawAll,
} from "../market/lifecycle/helpers.ts";
import { creditsFor, grlFor } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

/** Credits are 18-decimals dollars: a $2.00 reserve per GPU-hour. */
const CREDIT_RESERVE = 2n * 10n ** 18n;
const CREDIT_PRICE = (15n * 10n ** 18n) / 10n;
const CREDIT_BUDGET = jobValue(CREDIT_RESERVE);
const CREDIT_VALUE = jobValue(CREDIT_PRICE);
const HALF_HOUR = 1800;

/**
 * A broken answer: `apply` publishes it and returns the arguments of the error the adapter must raise
 * for a read at time `now`. The fixture's feed has published three rounds before.
 */
interface Broken {
  name: string;
  error: string;
  apply: (f: MarketFixture) => Promise<(now: bigint) => unknown[]>;
}

/** Publishes a round through the mock's full setter; `lag` rounds behind for an incomplete one. */
async function publish(f: MarketFixture, answer: bigint, updatedAt: bigint, lag = 0n): Promise<bigint> {
  const roundId = (await f.feed.latestRoundData())[0] + 1n;
  await (await f.feed.setRound(roundId, answer, updatedAt, roundId - lag)).wait();
  return roundId;
}

async function setAnswer(f: MarketFixture, answer: bigint): Promise<void> {
  await (await f.feed.setAnswer(answer)).wait();
}

const BROKEN: Broken[] = [
  {
    name: "staleAnswer",
    error: "OracleStaleAnswer",
    apply: async (f) => {
      const updatedAt = BigInt(await networkHelpers.time.latest()) - ORACLE_HEARTBEAT - 1n;
      await publish(f, GRL_USD_ANSWER, updatedAt);
      return (now) => [updatedAt, ORACLE_HEARTBEAT, now];
    },
  },
  {
    name: "zeroAnswer",
    error: "OracleNonPositiveAnswer",
    apply: async (f) => {
      await setAnswer(f, 0n);
      return () => [0n];
    },
  },
  {
    name: "negativeAnswer",
    error: "OracleNonPositiveAnswer",
    apply: async (f) => {
      await setAnswer(f, -GRL_USD_ANSWER);
      return () => [-GRL_USD_ANSWER];
    },
  },
  {
    name: "answerBelowMin",
    error: "OracleAnswerOutOfBounds",
    apply: async (f) => {
      await setAnswer(f, ORACLE_MIN_ANSWER - 1n);
      return () => [ORACLE_MIN_ANSWER - 1n, ORACLE_MIN_ANSWER, ORACLE_MAX_ANSWER];
    },
  },
  {
    name: "answerAboveMax",
    error: "OracleAnswerOutOfBounds",
    apply: async (f) => {
      await setAnswer(f, ORACLE_MAX_ANSWER + 1n);
      return () => [ORACLE_MAX_ANSWER + 1n, ORACLE_MIN_ANSWER, ORACLE_MAX_ANSWER];
    },
  },
  {
    name: "incompleteRound",
    error: "OracleIncompleteRound",
    apply: async (f) => {
      const updatedAt = BigInt(await networkHelpers.time.latest());
      const roundId = await publish(f, GRL_USD_ANSWER, updatedAt, 1n);
      return () => [roundId, roundId - 1n, updatedAt];
    },
  },
  {
    name: "roundNeverUpdated",
    error: "OracleIncompleteRound",
    apply: async (f) => {
      const roundId = await publish(f, GRL_USD_ANSWER, 0n);
      return () => [roundId, roundId, 0n];
    },
  },
];

/**
 * A renter with credits and a credit job that alice ran and that settled: alice and the treasury hold
 * USD earnings. The feed is then refreshed (the job took longer than the heartbeat) and has published
 * three rounds in all.
 */
async function earningsFixture() {
  const f = await deployMarket(ethers);
  const credits = await buyCreditsFor(f, f.renter, 1_000n * GRL);
  const credits18 = await f.settlement.getAddress();
  const jobId = await createJob(f, { paymentToken: credits18, reservePricePerGpuHour: CREDIT_RESERVE });
  await commitBid(f, f.alice, jobId, CREDIT_PRICE);
  await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
  await revealBid(f, f.alice, jobId, CREDIT_PRICE);
  await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
  await (await f.market.award(jobId)).wait();
  await startJob(f, jobId);
  await deliverAtEnd(f, networkHelpers, jobId);
  await settleAtDeadline(f, networkHelpers, jobId);
  await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
  await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
  expect((await f.feed.latestRoundData())[0]).to.equal(3n);
  return { ...f, credits };
}

describe("Security: stale, zero and out-of-bounds oracle answers", function () {
  it("test_fixture_earningsAndCreditsInPlace", async function () {
    const f = await networkHelpers.loadFixture(earningsFixture);
    const fee = bpsOf(CREDIT_VALUE, FEE_BPS);
    expect(await f.settlement.earningsOf(f.alice.address)).to.equal(CREDIT_VALUE - fee);
    expect(await f.settlement.earningsOf(f.treasury.address)).to.equal(fee);
    expect(await f.settlement.creditsOf(f.renter.address)).to.equal(f.credits - CREDIT_VALUE);
    expect(f.credits).to.equal(creditsFor(1_000n * GRL));
  });

  for (const b of BROKEN) {
    describe(b.name, function () {
      it(`test_createJob_reverts_${b.name}`, async function () {
        const f = await networkHelpers.loadFixture(earningsFixture);
        const args = await b.apply(f);
        const request = await jobRequest(f);
        const jobs = await f.market.jobCount();
        const balance = await f.usdc.balanceOf(f.renter.address);
        const now = BigInt(await networkHelpers.time.latest()) + 1n;
        await nextAt(networkHelpers, now);
        await expect(f.market.connect(f.renter).createJob(request))
          .to.be.revertedWithCustomError(f.oracle, b.error)
          .withArgs(...args(now));
        expect(await f.market.jobCount()).to.equal(jobs);
        expect(await f.usdc.balanceOf(f.renter.address)).to.equal(balance);
      });

      it(`test_buyCredits_reverts_${b.name}`, async function () {
        const f = await networkHelpers.loadFixture(earningsFixture);
        const args = await b.apply(f);
        await (await f.token.connect(f.treasury).transfer(f.renter2.address, 100n * GRL)).wait();
        await (await f.token.connect(f.renter2).approve(f.settlement, 100n * GRL)).wait();
        const supply = await f.token.totalSupply();
        const now = BigInt(await networkHelpers.time.latest()) + 1n;
        await nextAt(networkHelpers, now);
        await expect(f.settlement.connect(f.renter2).buyCredits(f.renter2.address, 100n * GRL, 0n))
          .to.be.revertedWithCustomError(f.oracle, b.error)
          .withArgs(...args(now));
        expect(await f.token.totalSupply()).to.equal(supply);
        expect(await f.settlement.creditsOf(f.renter2.address)).to.equal(0n);
      });

      it(`test_withdrawEarnings_reverts_${b.name}_earningsKept`, async function () {
        const f = await networkHelpers.loadFixture(earningsFixture);
        const args = await b.apply(f);
        const earnings = await f.settlement.earningsOf(f.alice.address);
        const supply = await f.token.totalSupply();
        const now = BigInt(await networkHelpers.time.latest()) + 1n;
        await nextAt(networkHelpers, now);
        await expect(f.settlement.connect(f.alice).withdrawEarnings(f.alice.address))
          .to.be.revertedWithCustomError(f.oracle, b.error)
          .withArgs(...args(now));
        expect(await f.settlement.earningsOf(f.alice.address)).to.equal(earnings);
        expect(await f.token.totalSupply()).to.equal(supply);
      });
    });
  }

  describe("the bounds themselves are accepted", function () {
    for (const [name, answer] of [
      ["min", ORACLE_MIN_ANSWER],
      ["max", ORACLE_MAX_ANSWER],
    ] as const) {
      it(`test_createJob_sizesCollateralAtThe${name === "min" ? "Min" : "Max"}Answer`, async function () {
        const f = await networkHelpers.loadFixture(earningsFixture);
        await (await f.feed.setAnswer(answer)).wait();
        const jobId = await createJob(f);
        expect((await f.market.jobOf(jobId)).collateral).to.equal(collateralAtReserve(jobValue(RESERVE), 6n, answer));
      });
    }
  });

  describe("after creation nothing depends on the oracle", function () {
    /**
     * Jobs created while the feed was healthy, then the feed answers 0 (every read reverts):
     * 1 USDC first-price, alice and bob bid; 2 USDC instant; 3 credits first-price, alice bids;
     * 4 credits with no bid; 5 USDC with no bid.
     */
    async function brokenAfterCreationFixture() {
      const f = await deployMarket(ethers);
      await buyCreditsFor(f, f.renter, 1_000n * GRL);
      const credits18 = await f.settlement.getAddress();
      const auction = await createJob(f);
      const instant = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      const credit = await createJob(f, { paymentToken: credits18, reservePricePerGpuHour: CREDIT_RESERVE });
      const creditNoBid = await createJob(f, { paymentToken: credits18, reservePricePerGpuHour: CREDIT_RESERVE });
      const noBid = await createJob(f);
      await (await f.feed.setAnswer(0n)).wait();
      const brokenAt = BigInt(await networkHelpers.time.latest());
      await expect(f.oracle.grlUsdPrice()).to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer");
      return { ...f, brokenAt, auction, instant, credit, creditNoBid, noBid };
    }

    it("test_auctionToSettlementAndWithdrawals_withTheOracleDown", async function () {
      const f = await networkHelpers.loadFixture(brokenAfterCreationFixture);
      const usdc = await f.usdc.getAddress();
      await commitBid(f, f.alice, f.auction, P1_5);
      await commitBid(f, f.bob, f.auction, P1_8);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.auction)).bidDeadline);
      await revealBid(f, f.alice, f.auction, P1_5);
      await revealBid(f, f.bob, f.auction, P1_8);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.auction)).revealDeadline);
      await expect(f.market.award(f.auction)).to.emit(f.market, "JobAwarded");
      await expect(f.market.closeBid(f.auction, f.bob.address)).to.emit(f.market, "BidReleased");
      await startJob(f, f.auction);
      const claimed = await claimAt(f, networkHelpers, f.auction, DURATION / 2n);
      expect(claimed).to.be.greaterThan(0n);
      await deliverAtEnd(f, networkHelpers, f.auction);
      await settleAtDeadline(f, networkHelpers, f.auction);
      expect((await f.market.jobOf(f.auction)).state).to.equal(JobState.Settled);
      await withdrawAll(f, usdc, [f.renter, f.alice, f.treasury]);
      await expectMarketBacksLedger(f, f.usdc, await openEscrowOf(f, usdc));
      expect(await f.market.balanceOf(usdc, f.alice.address)).to.equal(0n);
    });

    it("test_noShowFailJob_withTheOracleDown", async function () {
      const f = await networkHelpers.loadFixture(brokenAfterCreationFixture);
      await commitBid(f, f.alice, f.auction, P1_5);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.auction)).bidDeadline);
      await revealBid(f, f.alice, f.auction, P1_5);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.auction)).revealDeadline);
      await (await f.market.award(f.auction)).wait();
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.auction)).deadline);
      await expect(f.market.failJob(f.auction)).to.emit(f.market, "JobFailed");
      expect((await f.market.jobOf(f.auction)).state).to.equal(JobState.Failed);
    });

    it("test_instantStopAndDisputeRuling_withTheOracleDown", async function () {
      const f = await networkHelpers.loadFixture(brokenAfterCreationFixture);
      await expect(f.market.connect(f.alice).acceptInstant(f.instant)).to.emit(f.market, "JobAwarded");
      await startJob(f, f.instant);
      await networkHelpers.time.increase(HALF_HOUR);
      await expect(f.market.connect(f.renter).stopJob(f.instant)).to.emit(f.market, "JobStopped");

      await commitBid(f, f.bob, f.auction, P1_5);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.auction)).bidDeadline);
      await revealBid(f, f.bob, f.auction, P1_5);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.auction)).revealDeadline);
      await (await f.market.award(f.auction)).wait();
      await startJob(f, f.auction);
      await deliverAtEnd(f, networkHelpers, f.auction);
      await expect(f.market.connect(f.renter).dispute(f.auction, EVIDENCE_HASH)).to.emit(f.market, "JobDisputed");
      await expect(f.market.connect(f.arbiter).resolveDispute(f.auction, PROVIDER_FAULT)).to.emit(
        f.market,
        "DisputeResolvedForRenter",
      );
    });

    it("test_creditRefundsAndEarnings_withTheOracleDown_withdrawAfterRecovery", async function () {
      const f = await networkHelpers.loadFixture(brokenAfterCreationFixture);
      // A credit job with no bid is cancelled: its credits come back without a price.
      const before = await f.settlement.creditsOf(f.renter.address);
      await expect(f.market.connect(f.renter).cancelJob(f.creditNoBid))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(
          f.renter.address,
          CREDIT_BUDGET,
          before + CREDIT_BUDGET,
          CREDIT_BUDGET,
          2n * CREDIT_BUDGET,
          500_000_000n,
          2n * (before + CREDIT_BUDGET),
        );

      // A credit job settles; its pay and fee become USD earnings.
      await commitBid(f, f.alice, f.credit, CREDIT_PRICE);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.credit)).bidDeadline);
      await revealBid(f, f.alice, f.credit, CREDIT_PRICE);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.credit)).revealDeadline);
      await expect(f.market.award(f.credit)).to.emit(f.settlement, "CreditsRefunded");
      await startJob(f, f.credit);
      await deliverAtEnd(f, networkHelpers, f.credit);
      await settleAtDeadline(f, networkHelpers, f.credit);
      const fee = bpsOf(CREDIT_VALUE, FEE_BPS);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(CREDIT_VALUE - fee);
      expect(await f.settlement.creditsEscrowed()).to.equal(0n);

      // Converting earnings to GRL needs a price: it waits, losing nothing, until the feed recovers. The
      // zero answer has by now also outlived the heartbeat, which the adapter checks first.
      const now = BigInt(await networkHelpers.time.latest()) + 1n;
      await nextAt(networkHelpers, now);
      await expect(f.settlement.connect(f.alice).withdrawEarnings(f.alice.address))
        .to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer")
        .withArgs(f.brokenAt, ORACLE_HEARTBEAT, now);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(CREDIT_VALUE - fee);
      await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
      const grl = grlFor(CREDIT_VALUE - fee);
      await expect(f.settlement.connect(f.alice).withdrawEarnings(f.alice.address))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.alice.address,
          f.alice.address,
          CREDIT_VALUE - fee,
          grl,
          GRL_USD_ANSWER * 10n ** 10n,
          grl,
          0n,
          0n,
          0n,
          2n * (CREDIT_VALUE - fee),
        );
    });

    it("test_expiryRefund_withTheOracleDown", async function () {
      const f = await networkHelpers.loadFixture(brokenAfterCreationFixture);
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.noBid)).revealDeadline);
      await expect(f.market.award(f.noBid))
        .to.emit(f.market, "JobExpired")
        .withArgs(f.noBid, f.renter.address, jobValue(RESERVE), 0n);
    });
  });
});
