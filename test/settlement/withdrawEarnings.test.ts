import { expect } from "chai";
import { network } from "hardhat";

import { MINT_CAP_PER_EPOCH, ORACLE_HEARTBEAT } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import {
  accrueEarnings,
  allAccounts,
  expectBooks,
  expectWithdrawnAtOnce,
  grantGuardian,
  grlFor,
  noCap,
  PRICE,
  price18,
  setAnswer,
  settlementFixtures,
  toEpoch,
  USD,
  withdrawOwnEarnings,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { marketRoleFixture } = settlementFixtures(ethers);

/** Alice earned $100 and bob $50 (escrowed from the renter's credits and accrued by a MARKET_ROLE EOA). */
async function fixture() {
  const f = await marketRoleFixture();
  await accrueEarnings(f, [
    [f.alice, 100n * USD],
    [f.bob, 50n * USD],
  ]);
  return f;
}

/** The fixture with a 10 GRL mint cap per epoch. */
const CAP = 10n * GRL;
async function cappedFixture() {
  const f = await fixture();
  await f.settlement.connect(f.admin).setMintCapPerEpoch(CAP);
  return f;
}

describe("Settlement: withdrawEarnings", function () {
  describe("minting at the live price", function () {
    it("test_withdrawEarnings_mintsAtTheLivePrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const grl = 200n * GRL; // $100 at $0.50
      expect(grlFor(100n * USD, PRICE)).to.equal(grl);
      const tx = withdrawOwnEarnings(f, f.alice);
      await expectWithdrawnAtOnce(f, tx, f.alice.address, 100n * USD, grl, PRICE, 0n, noCap(100n * USD));
      await expect(tx)
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(0n, f.alice.address, grl, grl, MINT_CAP_PER_EPOCH);
      await expect(tx).to.emit(f.token, "TokensMinted").withArgs(f.settlementAddress, f.alice.address, grl, grl);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.alice, f.settlement], [grl, 0n]);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(0n);
      expect(await f.settlement.totalEarningsWithdrawn()).to.equal(100n * USD);
      expect(await f.settlement.totalGrlMintedForEarnings()).to.equal(grl);
      expect(await f.settlement.mintedInEpoch(0n)).to.equal(grl);
      expect(await f.settlement.mintCapRemaining()).to.equal(MINT_CAP_PER_EPOCH - grl);
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 0n]);
      expect(await f.settlement.ticketCount()).to.equal(0n);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_returnsAmounts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [grl, mintedNow, ticketId] = await f.settlement
        .connect(f.alice)
        .withdrawEarnings.staticCall(f.alice.address);
      expect([grl, mintedNow, ticketId]).to.deep.equal([200n * GRL, 200n * GRL, 0n]);
    });

    it("test_withdrawEarnings_toAnotherRecipient", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const tx = f.settlement.connect(f.bob).withdrawEarnings(f.dave.address);
      await expect(tx)
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.bob.address,
          f.dave.address,
          50n * USD,
          100n * GRL,
          PRICE,
          100n * GRL,
          0n,
          0n,
          0n,
          noCap(50n * USD),
        );
      await expect(tx)
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(0n, f.dave.address, 100n * GRL, 100n * GRL, MINT_CAP_PER_EPOCH);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.bob, f.dave], [0n, 100n * GRL]);
      expect(await f.settlement.earningsOf(f.bob.address)).to.equal(0n);
    });

    it("test_withdrawEarnings_roundsDownAtAnOddPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const answer = 123_456_789n; // $1.23456789
      await setAnswer(f, answer);
      const price = price18(answer);
      const grl = grlFor(100n * USD, price);
      // 100 / 1.23456789 = 81.000000737...: floored to the wei.
      expect(grl).to.equal(81_000_000_737_100_006_707n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.alice),
        f.alice.address,
        100n * USD,
        grl,
        price,
        0n,
        noCap(100n * USD),
      );
      expect(await f.token.balanceOf(f.alice.address)).to.equal((await f.token.balanceOf(f.bob.address)) + grl);
    });

    it("test_withdrawEarnings_matchesQuoteGrl", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setAnswer(f, 77_777_777n);
      const quote = await f.settlement.quoteGrl(100n * USD);
      expect(quote).to.equal(grlFor(100n * USD, price18(77_777_777n)));
      await expect(withdrawOwnEarnings(f, f.alice)).to.changeTokenBalance(ethers, f.token, f.alice, quote);
    });

    it("test_withdrawEarnings_priceRiseBetweenAccrualAndWithdrawalMintsLessGrl", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Earned at $0.50; GRL rises to $2.00: the $100 are still $100, now 50 GRL.
      await setAnswer(f, 200_000_000n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.alice),
        f.alice.address,
        100n * USD,
        50n * GRL,
        price18(200_000_000n),
        0n,
        noCap(100n * USD),
      );
      expect(await f.settlement.totalEarningsWithdrawn()).to.equal(100n * USD);
    });

    it("test_withdrawEarnings_priceFallBetweenAccrualAndWithdrawalMintsMoreGrl", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setAnswer(f, 25_000_000n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.alice),
        f.alice.address,
        100n * USD,
        400n * GRL,
        price18(25_000_000n),
        0n,
        noCap(100n * USD),
      );
      expect(await f.token.totalMinted()).to.equal(400n * GRL);
    });

    it("test_withdrawEarnings_withdrawsEverythingAccruedSoFar", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await withdrawOwnEarnings(f, f.alice);
      await accrueEarnings(f, [[f.alice, 3n * USD]]);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.alice),
        f.alice.address,
        3n * USD,
        6n * GRL,
        PRICE,
        0n,
        noCap(3n * USD),
      );
      expect(await f.settlement.mintedInEpoch(0n)).to.equal(206n * GRL);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_worksWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      await expect(withdrawOwnEarnings(f, f.alice)).to.changeTokenBalance(ethers, f.token, f.alice, 200n * GRL);
    });
  });

  describe("GRL cap (cost basis)", function () {
    /** Carol earned $100 at a $0.50 floor (a 200 GRL cap); the oracle is then set to `answer`. */
    async function earnAtFloor(f: Awaited<ReturnType<typeof fixture>>, answer: bigint): Promise<void> {
      await accrueEarnings(f, [[f.carol, 100n * USD]], 500_000_000n);
      await setAnswer(f, answer);
    }

    it("test_withdrawEarnings_capBindsWhenGrlFellBelowTheFloor", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // $100 at $0.25 would be 400 GRL; the credits behind them were bought at $0.50: 200 GRL.
      await earnAtFloor(f, 25_000_000n);
      expect(await f.settlement.grlCapOf(f.carol.address)).to.equal(200n * GRL);
      expect(await f.settlement.quoteWithdrawal(f.carol.address)).to.equal(200n * GRL);
      const tx = withdrawOwnEarnings(f, f.carol);
      await expectWithdrawnAtOnce(f, tx, f.carol.address, 100n * USD, 200n * GRL, price18(25_000_000n), 0n, 200n * GRL);
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.carol, 200n * GRL);
      expect(await f.settlement.grlCapOf(f.carol.address)).to.equal(0n);
      expect(await f.settlement.earningsOf(f.carol.address)).to.equal(0n);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_capDoesNotBindWhenGrlRose", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // GRL at $2.00: $100 is 50 GRL, under the 200 GRL cap; the unused cap is spent with the earnings.
      await earnAtFloor(f, 200_000_000n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.carol),
        f.carol.address,
        100n * USD,
        50n * GRL,
        price18(200_000_000n),
        0n,
        200n * GRL,
      );
      expect(await f.settlement.grlCapOf(f.carol.address)).to.equal(0n);
    });

    it("test_withdrawEarnings_capIsExactAtTheFloorPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await earnAtFloor(f, 50_000_000n);
      expect(await f.settlement.quoteWithdrawal(f.carol.address)).to.equal(grlFor(100n * USD, PRICE));
      await expect(withdrawOwnEarnings(f, f.carol)).to.changeTokenBalance(ethers, f.token, f.carol, 200n * GRL);
    });

    it("test_withdrawEarnings_cappedAmountGoesThroughTheMintQueue", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      await earnAtFloor(f, 25_000_000n);
      // The capped 200 GRL, not the 400 at the price, is what the epoch cap (10 GRL) and queue see.
      await expect(withdrawOwnEarnings(f, f.carol))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.carol.address,
          f.carol.address,
          100n * USD,
          200n * GRL,
          price18(25_000_000n),
          CAP,
          1n,
          190n * GRL,
          0n,
          200n * GRL,
        );
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 190n * GRL]);
    });

    it("test_withdrawEarnings_revertsWithZeroCapAndKeepsTheEarnings", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await accrueEarnings(f, [[f.carol, 100n * USD]], 2n ** 64n - 1n);
      await expect(withdrawOwnEarnings(f, f.carol))
        .to.be.revertedWithCustomError(f.settlement, "SettlementMintRoundsToZero")
        .withArgs(100n * USD, PRICE);
      // A later accrual with GRL behind it makes the whole balance withdrawable up to its cap.
      await accrueEarnings(f, [[f.carol, 1n * USD]], 500_000_000n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.carol),
        f.carol.address,
        101n * USD,
        2n * GRL,
        PRICE,
        0n,
        2n * GRL,
      );
    });
  });

  describe("mint cap and queue", function () {
    it("test_withdrawEarnings_aboveTheCapMintsPartOfItAndQueuesTheRest", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      const tx = withdrawOwnEarnings(f, f.alice);
      await expect(tx)
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.alice.address,
          f.alice.address,
          100n * USD,
          200n * GRL,
          PRICE,
          CAP,
          1n,
          190n * GRL,
          0n,
          noCap(100n * USD),
        );
      await expect(tx).to.emit(f.settlement, "EarningsMinted").withArgs(0n, f.alice.address, CAP, CAP, CAP);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.alice, f.settlement], [CAP, 0n]);
      const ticket = await f.settlement.ticketOf(1n);
      expect([ticket.recipient, ticket.start, ticket.amount, ticket.claimed]).to.deep.equal([
        f.alice.address,
        0n,
        190n * GRL,
        0n,
      ]);
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 190n * GRL]);
      expect(await f.settlement.ticketCount()).to.equal(1n);
      expect(await f.settlement.mintCapRemaining()).to.equal(0n);
      expect(await f.settlement.mintedInEpoch(0n)).to.equal(CAP);
      expect(await f.settlement.totalGrlMintedForEarnings()).to.equal(CAP);
      // The whole USD amount is withdrawn: the GRL owed is fixed at this price.
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(0n);
      expect(await f.settlement.totalEarningsWithdrawn()).to.equal(100n * USD);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_returnsTheTicket", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      const [grl, mintedNow, ticketId] = await f.settlement
        .connect(f.alice)
        .withdrawEarnings.staticCall(f.alice.address);
      expect([grl, mintedNow, ticketId]).to.deep.equal([200n * GRL, CAP, 1n]);
    });

    it("test_withdrawEarnings_secondWithdrawalInTheEpochIsQueuedBehindTheFirst", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      await withdrawOwnEarnings(f, f.alice);
      const tx = withdrawOwnEarnings(f, f.bob);
      await expect(tx)
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(f.bob.address, f.bob.address, 50n * USD, 100n * GRL, PRICE, 0n, 2n, 100n * GRL, 0n, noCap(50n * USD));
      await expect(tx).not.to.emit(f.settlement, "EarningsMinted");
      await expect(tx).not.to.emit(f.settlement, "QueuedMintsReleased");
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.bob, 0n);
      const ticket = await f.settlement.ticketOf(2n);
      // FIFO: bob's ticket starts where alice's ends.
      expect([ticket.recipient, ticket.start, ticket.amount, ticket.claimed]).to.deep.equal([
        f.bob.address,
        190n * GRL,
        100n * GRL,
        0n,
      ]);
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 290n * GRL]);
      expect(await f.settlement.mintedInEpoch(0n)).to.equal(CAP);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_exactlyTheCapMintsEverythingWithoutTicket", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(200n * GRL);
      const tx = withdrawOwnEarnings(f, f.alice);
      await expectWithdrawnAtOnce(f, tx, f.alice.address, 100n * USD, 200n * GRL, PRICE, 0n, noCap(100n * USD));
      await expect(tx)
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(0n, f.alice.address, 200n * GRL, 200n * GRL, 200n * GRL);
      expect(await f.settlement.ticketCount()).to.equal(0n);
      expect(await f.settlement.mintCapRemaining()).to.equal(0n);
      // The cap is used up with an empty queue: the next withdrawal is queued whole, as ticket 1 at 0.
      await expect(withdrawOwnEarnings(f, f.bob))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(f.bob.address, f.bob.address, 50n * USD, 100n * GRL, PRICE, 0n, 1n, 100n * GRL, 0n, noCap(50n * USD));
      const ticket = await f.settlement.ticketOf(1n);
      expect([ticket.start, ticket.amount]).to.deep.equal([0n, 100n * GRL]);
    });

    it("test_withdrawEarnings_queuedTicketToAnotherRecipient", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      await expect(f.settlement.connect(f.alice).withdrawEarnings(f.dave.address))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.alice.address,
          f.dave.address,
          100n * USD,
          200n * GRL,
          PRICE,
          CAP,
          1n,
          190n * GRL,
          0n,
          noCap(100n * USD),
        );
      expect((await f.settlement.ticketOf(1n)).recipient).to.equal(f.dave.address);
      expect(await f.token.balanceOf(f.dave.address)).to.equal(CAP);
    });

    it("test_withdrawEarnings_nextEpochServesTheQueueFirst", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      await withdrawOwnEarnings(f, f.alice);
      await toEpoch(f, networkHelpers, 1n);
      await setAnswer(f, 50_000_000n); // keep the feed within its heartbeat
      // Epoch 1's cap goes to alice's ticket at the queue's front; bob is queued whole behind it.
      const tx = withdrawOwnEarnings(f, f.bob);
      await expect(tx)
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(1n, CAP, CAP, 190n * GRL);
      await expect(tx).to.emit(f.settlement, "EarningsMinted").withArgs(1n, f.settlementAddress, CAP, CAP, CAP);
      await expect(tx)
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(f.bob.address, f.bob.address, 50n * USD, 100n * GRL, PRICE, 0n, 2n, 100n * GRL, 1n, noCap(50n * USD));
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.bob, f.settlement], [0n, CAP]);
      expect(await f.settlement.mintQueue()).to.deep.equal([CAP, 290n * GRL]);
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(CAP);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_drainedQueueLetsTheRestMintAtOnce", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      await withdrawOwnEarnings(f, f.alice);
      await toEpoch(f, networkHelpers, 1n);
      await setAnswer(f, 50_000_000n);
      const cap = 1_000n * GRL;
      await f.settlement.connect(f.admin).setMintCapPerEpoch(cap);
      // Epoch 1's cap covers alice's 190 queued GRL and then bob's 100 at once.
      const tx = withdrawOwnEarnings(f, f.bob);
      await expect(tx)
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(1n, 190n * GRL, 190n * GRL, 190n * GRL);
      await expect(tx)
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(1n, f.settlementAddress, 190n * GRL, 190n * GRL, cap);
      await expect(tx)
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(1n, f.bob.address, 100n * GRL, 290n * GRL, cap);
      await expectWithdrawnAtOnce(f, tx, f.bob.address, 50n * USD, 100n * GRL, PRICE, 1n, noCap(50n * USD));
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.bob, f.settlement], [100n * GRL, 190n * GRL]);
      expect(await f.settlement.ticketCount()).to.equal(1n);
      expect(await f.settlement.mintQueue()).to.deep.equal([190n * GRL, 190n * GRL]);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_queueDrainedByTheWholeCapQueuesTheNewWithdrawal", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const cap = 100n * GRL;
      await f.settlement.connect(f.admin).setMintCapPerEpoch(cap);
      await withdrawOwnEarnings(f, f.alice);
      await toEpoch(f, networkHelpers, 1n);
      await setAnswer(f, 50_000_000n);
      // Alice's 100 queued GRL take all of epoch 1's cap: the queue is empty, but so is the cap.
      const tx = withdrawOwnEarnings(f, f.bob);
      await expect(tx).to.emit(f.settlement, "QueuedMintsReleased").withArgs(1n, cap, cap, cap);
      await expect(tx)
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(f.bob.address, f.bob.address, 50n * USD, 100n * GRL, PRICE, 0n, 2n, 100n * GRL, 1n, noCap(50n * USD));
      const ticket = await f.settlement.ticketOf(2n);
      expect([ticket.start, ticket.amount]).to.deep.equal([cap, 100n * GRL]);
      expect(await f.settlement.mintQueue()).to.deep.equal([cap, 200n * GRL]);
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(cap);
      await expectBooks(f, allAccounts(f));
    });

    it("test_withdrawEarnings_capLoweredBelowMintedQueuesEverything", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await withdrawOwnEarnings(f, f.alice);
      // 200 GRL minted this epoch; the cap drops to 100: nothing more may be minted in it.
      await f.settlement.connect(f.admin).setMintCapPerEpoch(100n * GRL);
      expect(await f.settlement.mintCapRemaining()).to.equal(0n);
      await expect(withdrawOwnEarnings(f, f.bob))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(f.bob.address, f.bob.address, 50n * USD, 100n * GRL, PRICE, 0n, 1n, 100n * GRL, 0n, noCap(50n * USD));
      expect(await f.settlement.mintedInEpoch(0n)).to.equal(200n * GRL);
    });
  });

  describe("reverts", function () {
    it("test_withdrawEarnings_revertsForZeroRecipient", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.alice).withdrawEarnings(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.settlement, "SettlementZeroAddress")
        .withArgs("recipient");
    });

    it("test_withdrawEarnings_revertsForTheSettlementAsRecipient", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // GRL minted to the settlement itself would be locked there for good and still use up the cap.
      await expect(
        f.settlement.connect(f.alice).withdrawEarnings(await f.settlement.getAddress()),
      ).to.be.revertedWithCustomError(f.settlement, "SettlementSelfRecipient");
    });

    it("test_withdrawEarnings_revertsWithoutEarnings", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(withdrawOwnEarnings(f, f.outsider))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEarnings")
        .withArgs(f.outsider.address);
    });

    it("test_withdrawEarnings_revertsOnSecondWithdrawal", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await withdrawOwnEarnings(f, f.alice);
      await expect(withdrawOwnEarnings(f, f.alice))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEarnings")
        .withArgs(f.alice.address);
    });

    it("test_withdrawEarnings_creditsAreNotEarnings", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // The renter holds credits, which are never redeemable for GRL.
      await f.settlement.connect(f.renter).buyCredits(f.renter.address, 100n * GRL, 0n);
      expect(await f.settlement.creditsOf(f.renter.address)).to.be.greaterThan(0n);
      await expect(withdrawOwnEarnings(f, f.renter))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEarnings")
        .withArgs(f.renter.address);
    });

    it("test_withdrawEarnings_revertsWhenTheMintRoundsToZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await accrueEarnings(f, [[f.carol, 1n]]);
      // 1 wei of USD at $2.00 is half a wei of GRL.
      await setAnswer(f, 200_000_000n);
      await expect(withdrawOwnEarnings(f, f.carol))
        .to.be.revertedWithCustomError(f.settlement, "SettlementMintRoundsToZero")
        .withArgs(1n, price18(200_000_000n));
      expect(await f.settlement.earningsOf(f.carol.address)).to.equal(1n);
      // At $1.00 it is worth one wei, and can be withdrawn.
      await setAnswer(f, 100_000_000n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.carol),
        f.carol.address,
        1n,
        1n,
        price18(100_000_000n),
        0n,
        noCap(1n),
      );
    });

    it("test_withdrawEarnings_revertsOnStaleOracleAndKeepsEarnings", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [, , , updatedAt] = await f.feed.latestRoundData();
      const t = updatedAt + ORACLE_HEARTBEAT + 1n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(withdrawOwnEarnings(f, f.alice))
        .to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer")
        .withArgs(updatedAt, ORACLE_HEARTBEAT, t);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(100n * USD);
      expect(await f.settlement.totalEarningsWithdrawn()).to.equal(0n);
      // A fresh answer lets the same earnings out.
      await setAnswer(f, 50_000_000n);
      await expect(withdrawOwnEarnings(f, f.alice)).to.changeTokenBalance(ethers, f.token, f.alice, 200n * GRL);
    });

    it("test_withdrawEarnings_revertsOnZeroAnswerAndKeepsEarnings", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setAnswer(f, 0n);
      await expect(withdrawOwnEarnings(f, f.alice))
        .to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer")
        .withArgs(0n);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(100n * USD);
    });

    it("test_withdrawEarnings_revertsOnIncompleteRoundAndKeepsEarnings", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const now = BigInt(await networkHelpers.time.latest());
      await f.feed.setRound(9n, 50_000_000n, now, 8n);
      await expect(withdrawOwnEarnings(f, f.alice))
        .to.be.revertedWithCustomError(f.oracle, "OracleIncompleteRound")
        .withArgs(9n, 8n, now);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(100n * USD);
    });

    it("test_withdrawEarnings_oracleRevertLeavesTheQueueUntouched", async function () {
      const f = await networkHelpers.loadFixture(cappedFixture);
      await withdrawOwnEarnings(f, f.alice);
      await toEpoch(f, networkHelpers, 1n);
      // The feed is now stale: bob's withdrawal reverts before releasing epoch 1's cap.
      await expect(withdrawOwnEarnings(f, f.bob)).to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer");
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 190n * GRL]);
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(0n);
      expect(await f.settlement.earningsOf(f.bob.address)).to.equal(50n * USD);
    });
  });
});
