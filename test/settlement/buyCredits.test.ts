import { expect } from "chai";
import { network } from "hardhat";

import { ORACLE_HEARTBEAT, ORACLE_MAX_ANSWER, ORACLE_MIN_ANSWER, SPREAD_BPS } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import {
  allAccounts,
  creditsFor,
  expectBooks,
  grantGuardian,
  PRICE,
  price18,
  RENTER_GRL,
  setAnswer,
  settlementFixtures,
  USD,
  usdValue,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture } = settlementFixtures(ethers);

describe("Settlement: buyCredits", function () {
  describe("pricing", function () {
    it("test_buyCredits_creditsAtPriceLessSpread", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 1_000n * GRL;
      // $500 at $0.50, less 25 bps: $498.75.
      const credits = creditsFor(grl, PRICE);
      expect(credits).to.equal((49_875n * USD) / 100n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, credits))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(f.renter.address, f.renter.address, grl, 500n * USD, credits, PRICE, SPREAD_BPS, credits);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(credits);
      expect(await f.settlement.totalCreditsBought()).to.equal(credits);
      expect(await f.settlement.creditsOutstanding()).to.equal(credits);
      await expectBooks(f, allAccounts(f));
    });

    it("test_buyCredits_returnsCredits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 3n * GRL;
      expect(await f.settlement.connect(f.renter).buyCredits.staticCall(f.renter.address, grl, 0n)).to.equal(
        creditsFor(grl, PRICE),
      );
    });

    it("test_buyCredits_matchesQuoteCredits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 12_345_678_901_234_567_891n;
      const quote = await f.settlement.quoteCredits(grl);
      expect(quote).to.equal(creditsFor(grl, PRICE));
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, quote))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(f.renter.address, f.renter.address, grl, usdValue(grl, PRICE), quote, PRICE, SPREAD_BPS, quote);
    });

    it("test_buyCredits_roundsOnceDownAtAnOddPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // $1.23456789 and a GRL amount with every digit set: one floor over the whole product.
      const answer = 123_456_789n;
      await setAnswer(f, answer);
      const price = price18(answer);
      const grl = 777_777_777_777_777_777_777n;
      const credits = creditsFor(grl, price);
      // 777.777...777 x 1.23456789 x 0.9975, floored to 18 decimals.
      expect(credits).to.equal(957_818_921_324_999_999_999n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, credits))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(f.renter.address, f.renter.address, grl, usdValue(grl, price), credits, price, SPREAD_BPS, credits);
    });

    it("test_buyCredits_spreadZeroGivesFullValue", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setSpreadBps(0);
      const grl = 1_000n * GRL;
      const credits = creditsFor(grl, PRICE, 0n);
      expect(credits).to.equal(500n * USD);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, credits))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(f.renter.address, f.renter.address, grl, 500n * USD, 500n * USD, PRICE, 0n, 500n * USD);
    });

    it("test_buyCredits_spreadAtMaximum500Bps", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setSpreadBps(500);
      const grl = 1_000n * GRL;
      const credits = creditsFor(grl, PRICE, 500n);
      expect(credits).to.equal(475n * USD);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, credits))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(f.renter.address, f.renter.address, grl, 500n * USD, 475n * USD, PRICE, 500n, 475n * USD);
    });

    it("test_buyCredits_followsTheLivePrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 100n * GRL;
      const first = creditsFor(grl, PRICE);
      await f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, 0n);
      // The price doubles to $1.00: the same GRL buys twice the credits.
      await setAnswer(f, 100_000_000n);
      const second = creditsFor(grl, price18(100_000_000n));
      expect(second).to.equal(2n * first);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, 0n))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(
          f.renter.address,
          f.renter.address,
          grl,
          100n * USD,
          second,
          price18(100_000_000n),
          SPREAD_BPS,
          first + second,
        );
      expect(await f.settlement.totalCreditsBought()).to.equal(first + second);
    });

    it("test_buyCredits_atOracleMinAndMaxAnswers", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 1_000n * GRL;
      await setAnswer(f, ORACLE_MIN_ANSWER);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, 0n))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(
          f.renter.address,
          f.renter.address,
          grl,
          10n * USD,
          creditsFor(grl, price18(ORACLE_MIN_ANSWER)),
          price18(ORACLE_MIN_ANSWER),
          SPREAD_BPS,
          creditsFor(grl, price18(ORACLE_MIN_ANSWER)),
        );
      await setAnswer(f, ORACLE_MAX_ANSWER);
      const atMax = creditsFor(grl, price18(ORACLE_MAX_ANSWER));
      expect(atMax).to.equal(9_975_000n * USD);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, atMax)).to.emit(
        f.settlement,
        "CreditsPurchased",
      );
    });
  });

  describe("burn", function () {
    it("test_buyCredits_burnsTheBuyersGrl", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 1_000n * GRL;
      const supply = await f.token.totalSupply();
      const tx = f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, 0n);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.renter, f.settlement], [-grl, 0n]);
      await expect(tx).to.emit(f.token, "TokensBurned").withArgs(f.renter.address, grl, grl);
      await expect(tx).to.emit(f.token, "Transfer").withArgs(f.renter.address, ethers.ZeroAddress, grl);
      expect(await f.token.totalSupply()).to.equal(supply - grl);
      expect(await f.token.totalBurned()).to.equal(grl);
      expect(await f.settlement.totalGrlBurned()).to.equal(grl);
      // The burn spends the allowance like a transfer (the fixture's is unlimited, so it stays).
      expect(await f.token.allowance(f.renter.address, f.settlementAddress)).to.equal(ethers.MaxUint256);
    });

    it("test_buyCredits_burnsCumulate", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.renter).buyCredits(f.renter.address, 10n * GRL, 0n);
      await expect(f.settlement.connect(f.renter2).buyCredits(f.renter2.address, 5n * GRL, 0n))
        .to.emit(f.token, "TokensBurned")
        .withArgs(f.renter2.address, 5n * GRL, 15n * GRL);
      expect(await f.settlement.totalGrlBurned()).to.equal(15n * GRL);
      expect(await f.token.totalBurned()).to.equal(15n * GRL);
      await expectBooks(f, allAccounts(f));
    });

    it("test_buyCredits_spendsAnExactAllowance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 40n * GRL;
      await f.token.connect(f.buyer).approve(f.settlementAddress, grl);
      await f.settlement.connect(f.buyer).buyCredits(f.buyer.address, grl, 0n);
      expect(await f.token.allowance(f.buyer.address, f.settlementAddress)).to.equal(0n);
      expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(creditsFor(grl, PRICE));
    });

    it("test_buyCredits_wholeBalance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.renter).buyCredits(f.renter.address, RENTER_GRL, 0n);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(0n);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(creditsFor(RENTER_GRL, PRICE));
    });
  });

  describe("account", function () {
    it("test_buyCredits_creditsAnotherAccount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 200n * GRL;
      const credits = creditsFor(grl, PRICE);
      const tx = f.settlement.connect(f.renter).buyCredits(f.dave.address, grl, credits);
      // The buyer pays in GRL; the account receives the credits.
      await expect(tx)
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(f.renter.address, f.dave.address, grl, 100n * USD, credits, PRICE, SPREAD_BPS, credits);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.renter, f.dave], [-grl, 0n]);
      expect(await f.settlement.creditsOf(f.dave.address)).to.equal(credits);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(0n);
      await expectBooks(f, allAccounts(f));
    });

    it("test_buyCredits_addsToAnExistingBalance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const first = creditsFor(100n * GRL, PRICE);
      await f.settlement.connect(f.renter2).buyCredits(f.renter.address, 100n * GRL, 0n);
      const second = creditsFor(7n * GRL, PRICE);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, 7n * GRL, 0n))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(
          f.renter.address,
          f.renter.address,
          7n * GRL,
          (35n * USD) / 10n,
          second,
          PRICE,
          SPREAD_BPS,
          first + second,
        );
    });
  });

  describe("reverts", function () {
    it("test_buyCredits_revertsForZeroAccount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.renter).buyCredits(ethers.ZeroAddress, GRL, 0n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementZeroAddress")
        .withArgs("account");
    });

    it("test_buyCredits_revertsForTheSettlementAsAccount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(
        f.settlement.connect(f.renter).buyCredits(await f.settlement.getAddress(), GRL, 0n),
      ).to.be.revertedWithCustomError(f.settlement, "SettlementSelfRecipient");
    });

    it("test_buyCredits_revertsForZeroAmount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, 0n, 0n)).to.be.revertedWithCustomError(
        f.settlement,
        "SettlementZeroAmount",
      );
    });

    it("test_buyCredits_revertsWhenMinCreditsAboveQuote", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 1_000n * GRL;
      const credits = creditsFor(grl, PRICE);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, credits + 1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementSlippage")
        .withArgs(credits, credits + 1n);
    });

    it("test_buyCredits_revertsWhenThePriceFellBelowTheBuyersMinimum", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 1_000n * GRL;
      const quoted = await f.settlement.quoteCredits(grl);
      // The price drops to $0.40 between the quote and the purchase.
      await setAnswer(f, 40_000_000n);
      const credits = creditsFor(grl, price18(40_000_000n));
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, quoted))
        .to.be.revertedWithCustomError(f.settlement, "SettlementSlippage")
        .withArgs(credits, quoted);
    });

    it("test_buyCredits_revertsWhenCreditsRoundToZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // 1 wei of GRL at $0.01: 1 x 1e16 x 9975 / 1e22 rounds to zero credits, even with no minimum.
      await setAnswer(f, ORACLE_MIN_ANSWER);
      expect(creditsFor(1n, price18(ORACLE_MIN_ANSWER))).to.equal(0n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, 1n, 0n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementSlippage")
        .withArgs(0n, 0n);
    });

    it("test_buyCredits_smallestAmountThatBuysACredit", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // At $0.50 less 25 bps one wei of credit costs ceil(1e22 / (5e17 x 9975)) = 3 wei of GRL. Rounding
      // twice (the USD value first, then the spread) would give floor(1 x 0.9975) = 0 for those 3 wei.
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, 2n, 0n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementSlippage")
        .withArgs(0n, 0n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, 3n, 1n))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(f.renter.address, f.renter.address, 3n, 1n, 1n, PRICE, SPREAD_BPS, 1n);
    });

    it("test_buyCredits_revertsWithoutAllowance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 10n * GRL;
      await expect(f.settlement.connect(f.buyer).buyCredits(f.buyer.address, grl, 0n))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(f.settlementAddress, 0n, grl);
    });

    it("test_buyCredits_revertsWithTooSmallAllowance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 10n * GRL;
      await f.token.connect(f.buyer).approve(f.settlementAddress, grl - 1n);
      await expect(f.settlement.connect(f.buyer).buyCredits(f.buyer.address, grl, 0n))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(f.settlementAddress, grl - 1n, grl);
    });

    it("test_buyCredits_revertsBeyondBalance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, RENTER_GRL + 1n, 0n))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientBalance")
        .withArgs(f.renter.address, RENTER_GRL, RENTER_GRL + 1n);
    });

    it("test_buyCredits_revertsOnStaleOracle", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [, , , updatedAt] = await f.feed.latestRoundData();
      const t = updatedAt + ORACLE_HEARTBEAT + 1n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n))
        .to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer")
        .withArgs(updatedAt, ORACLE_HEARTBEAT, t);
    });

    it("test_buyCredits_worksAtTheHeartbeat", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [, , , updatedAt] = await f.feed.latestRoundData();
      await networkHelpers.time.setNextBlockTimestamp(updatedAt + ORACLE_HEARTBEAT);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n)).to.emit(
        f.settlement,
        "CreditsPurchased",
      );
    });

    it("test_buyCredits_revertsOnZeroAnswer", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setAnswer(f, 0n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n))
        .to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer")
        .withArgs(0n);
    });

    it("test_buyCredits_revertsOnNegativeAnswer", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setAnswer(f, -1n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n))
        .to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer")
        .withArgs(-1n);
    });

    it("test_buyCredits_revertsOnAnswerOutOfBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setAnswer(f, ORACLE_MAX_ANSWER + 1n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n))
        .to.be.revertedWithCustomError(f.oracle, "OracleAnswerOutOfBounds")
        .withArgs(ORACLE_MAX_ANSWER + 1n, ORACLE_MIN_ANSWER, ORACLE_MAX_ANSWER);
      await setAnswer(f, ORACLE_MIN_ANSWER - 1n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n))
        .to.be.revertedWithCustomError(f.oracle, "OracleAnswerOutOfBounds")
        .withArgs(ORACLE_MIN_ANSWER - 1n, ORACLE_MIN_ANSWER, ORACLE_MAX_ANSWER);
    });

    it("test_buyCredits_revertsOnIncompleteRound", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const now = BigInt(await networkHelpers.time.latest());
      await f.feed.setRound(7n, 50_000_000n, now, 6n);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n))
        .to.be.revertedWithCustomError(f.oracle, "OracleIncompleteRound")
        .withArgs(7n, 6n, now);
    });

    it("test_buyCredits_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n)).to.be.revertedWithCustomError(
        f.settlement,
        "EnforcedPause",
      );
    });

    it("test_buyCredits_worksAgainAfterUnpause", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      await f.settlement.connect(f.guardian).unpause();
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(
          f.renter.address,
          f.renter.address,
          GRL,
          USD / 2n,
          creditsFor(GRL, PRICE),
          PRICE,
          SPREAD_BPS,
          creditsFor(GRL, PRICE),
        );
    });

    it("test_buyCredits_failedPurchaseLeavesNoTrace", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 10n * GRL;
      const credits = creditsFor(grl, PRICE);
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, grl, credits + 1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementSlippage")
        .withArgs(credits, credits + 1n);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(RENTER_GRL);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(0n);
      expect(await f.settlement.totalGrlBurned()).to.equal(0n);
      expect(await f.settlement.totalCreditsBought()).to.equal(0n);
    });
  });
});
