import { expect } from "chai";
import { network } from "hardhat";

import { PROVIDER_STAKE } from "../kit/market.ts";
import { GRL, PROVIDER_FUNDS } from "../kit/protocol.ts";
import {
  accrueEarnings,
  allAccounts,
  buildQueue,
  expectBooks,
  grantGuardian,
  QUEUE_CAP,
  setAnswer,
  settlementFixtures,
  toEpoch,
  USD,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { marketRoleFixture } = settlementFixtures(ethers);

/** GRL alice and bob hold outside the registry before any earnings. */
const WALLET = PROVIDER_FUNDS - PROVIDER_STAKE;

/** Ticket 1: alice, 10 GRL at [0, 10). Ticket 2: bob, 20 GRL at [10, 30). Cap 10 GRL, epoch 0 used up. */
async function fixture() {
  const f = await marketRoleFixture();
  await buildQueue(f);
  return f;
}

/** The queue, in epoch 1. */
async function epoch1Fixture() {
  const f = await fixture();
  await toEpoch(f, networkHelpers, 1n);
  return f;
}

describe("Settlement: claimQueuedMint", function () {
  describe("release and claim", function () {
    it("test_claimQueuedMint_queueAsBuilt", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const t1 = await f.settlement.ticketOf(1n);
      const t2 = await f.settlement.ticketOf(2n);
      expect([t1.recipient, t1.start, t1.amount, t1.claimed]).to.deep.equal([f.alice.address, 0n, 10n * GRL, 0n]);
      expect([t2.recipient, t2.start, t2.amount, t2.claimed]).to.deep.equal([f.bob.address, 10n * GRL, 20n * GRL, 0n]);
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 30n * GRL]);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(WALLET + 10n * GRL);
      expect(await f.token.balanceOf(f.bob.address)).to.equal(WALLET);
    });

    it("test_claimQueuedMint_revertsWhileTheEpochsCapIsUsedUp", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.settlement.claimableOf(1n)).to.equal(0n);
      await expect(f.settlement.connect(f.alice).claimQueuedMint(1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(1n);
    });

    it("test_claimQueuedMint_nextEpochReleasesAndPaysTheFront", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      expect(await f.settlement.claimableOf(1n)).to.equal(10n * GRL);
      expect(await f.settlement.claimableOf(2n)).to.equal(0n);
      const tx = f.settlement.connect(f.alice).claimQueuedMint(1n);
      await expect(tx)
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(1n, 10n * GRL, 10n * GRL, 30n * GRL);
      await expect(tx)
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(1n, f.settlementAddress, 10n * GRL, 10n * GRL, QUEUE_CAP);
      await expect(tx)
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(1n, f.alice.address, 10n * GRL, 10n * GRL, 10n * GRL);
      // Minted into custody and passed on in the same call.
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.alice, f.settlement], [10n * GRL, 0n]);
      expect((await f.settlement.ticketOf(1n)).claimed).to.equal(10n * GRL);
      expect(await f.settlement.claimableOf(1n)).to.equal(0n);
      expect(await f.settlement.mintQueue()).to.deep.equal([10n * GRL, 30n * GRL]);
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(QUEUE_CAP);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimQueuedMint_returnsAmount", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      expect(await f.settlement.connect(f.alice).claimQueuedMint.staticCall(1n)).to.equal(10n * GRL);
    });

    it("test_claimQueuedMint_anyoneMayClaimForTheRecipient", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      const tx = f.settlement.connect(f.outsider).claimQueuedMint(1n);
      await expect(tx)
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(1n, f.alice.address, 10n * GRL, 10n * GRL, 10n * GRL);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.alice, f.outsider], [10n * GRL, 0n]);
    });

    it("test_claimQueuedMint_paysTheTicketsRecipientNotTheEarner", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      await setAnswer(f, 50_000_000n);
      await accrueEarnings(f, [[f.carol, 10n * USD]]);
      // Epoch 1's cap is released to the front (alice) by this withdrawal; carol's 20 GRL are queued for dave.
      await f.settlement.connect(f.carol).withdrawEarnings(f.dave.address);
      const t3 = await f.settlement.ticketOf(3n);
      expect([t3.recipient, t3.start, t3.amount]).to.deep.equal([f.dave.address, 30n * GRL, 20n * GRL]);
      await toEpoch(f, networkHelpers, 2n);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(100n * GRL);
      const tx = f.settlement.connect(f.carol).claimQueuedMint(3n);
      await expect(tx)
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(3n, f.dave.address, 20n * GRL, 20n * GRL, 20n * GRL);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.dave, f.carol], [20n * GRL, 0n]);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimQueuedMint_worksWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.alice).claimQueuedMint(1n)).to.changeTokenBalance(
        ethers,
        f.token,
        f.alice,
        10n * GRL,
      );
    });
  });

  describe("FIFO and partial claims", function () {
    it("test_claimQueuedMint_laterTicketWaitsForTheFront", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      // Epoch 1's 10 GRL cover exactly alice's ticket: bob's, behind it, gets nothing yet.
      await expect(f.settlement.connect(f.bob).claimQueuedMint(2n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(2n);
      await f.settlement.releaseQueuedMints();
      await expect(f.settlement.connect(f.bob).claimQueuedMint(2n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(2n);
      expect(await f.settlement.claimableOf(2n)).to.equal(0n);
      expect(await f.settlement.claimableOf(1n)).to.equal(10n * GRL);
    });

    it("test_claimQueuedMint_partialClaimsAcrossEpochs", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      // A 15 GRL cap in epoch 1 reaches all of ticket 1 and the first 5 GRL of ticket 2.
      await f.settlement.connect(f.admin).setMintCapPerEpoch(15n * GRL);
      expect(await f.settlement.claimableOf(2n)).to.equal(5n * GRL);
      const first = f.settlement.connect(f.bob).claimQueuedMint(2n);
      await expect(first)
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(1n, 15n * GRL, 15n * GRL, 30n * GRL);
      await expect(first)
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(1n, f.settlementAddress, 15n * GRL, 15n * GRL, 15n * GRL);
      await expect(first)
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(2n, f.bob.address, 5n * GRL, 5n * GRL, 20n * GRL);
      await expect(first).to.changeTokenBalances(ethers, f.token, [f.bob, f.settlement], [5n * GRL, 10n * GRL]);
      // Custody holds alice's 10 GRL until she claims them; nothing more is released in epoch 1.
      expect(await f.token.balanceOf(f.settlementAddress)).to.equal(10n * GRL);
      const second = f.settlement.connect(f.alice).claimQueuedMint(1n);
      await expect(second).not.to.emit(f.settlement, "QueuedMintsReleased");
      await expect(second)
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(1n, f.alice.address, 10n * GRL, 10n * GRL, 10n * GRL);
      await expect(f.settlement.connect(f.bob).claimQueuedMint(2n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(2n);
      expect(await f.token.balanceOf(f.settlementAddress)).to.equal(0n);
      await expectBooks(f, allAccounts(f));

      // Epoch 2 releases the last 15 GRL: bob's ticket is paid in full.
      await toEpoch(f, networkHelpers, 2n);
      expect(await f.settlement.claimableOf(2n)).to.equal(15n * GRL);
      const third = f.settlement.connect(f.bob).claimQueuedMint(2n);
      await expect(third)
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(2n, 15n * GRL, 30n * GRL, 30n * GRL);
      await expect(third)
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(2n, f.bob.address, 15n * GRL, 20n * GRL, 20n * GRL);
      expect(await f.token.balanceOf(f.bob.address)).to.equal(WALLET + 20n * GRL);
      expect(await f.settlement.mintQueue()).to.deep.equal([30n * GRL, 30n * GRL]);
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(15n * GRL);
      expect(await f.settlement.mintedInEpoch(2n)).to.equal(15n * GRL);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimQueuedMint_carriesOverEpochByEpoch", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Epoch 1 serves alice, epochs 2 and 3 serve bob 10 GRL each.
      await toEpoch(f, networkHelpers, 1n);
      await f.settlement.claimQueuedMint(1n);
      await toEpoch(f, networkHelpers, 2n);
      await expect(f.settlement.claimQueuedMint(2n))
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(2n, f.bob.address, 10n * GRL, 10n * GRL, 20n * GRL);
      await expect(f.settlement.claimQueuedMint(2n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(2n);
      await toEpoch(f, networkHelpers, 3n);
      await expect(f.settlement.claimQueuedMint(2n))
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(2n, f.bob.address, 10n * GRL, 20n * GRL, 20n * GRL);
      for (const epoch of [0n, 1n, 2n, 3n]) expect(await f.settlement.mintedInEpoch(epoch)).to.equal(QUEUE_CAP);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(WALLET + 20n * GRL);
      expect(await f.token.balanceOf(f.bob.address)).to.equal(WALLET + 20n * GRL);
      expect(await f.settlement.totalGrlMintedForEarnings()).to.equal(40n * GRL);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimQueuedMint_frontClaimReleasesForTicketsBehind", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(100n * GRL);
      // Alice's claim releases the whole queue; bob's later claim in the epoch only draws from custody.
      await expect(f.settlement.connect(f.alice).claimQueuedMint(1n))
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(1n, 30n * GRL, 30n * GRL, 30n * GRL);
      expect(await f.token.balanceOf(f.settlementAddress)).to.equal(20n * GRL);
      const tx = f.settlement.connect(f.bob).claimQueuedMint(2n);
      await expect(tx).not.to.emit(f.settlement, "EarningsMinted");
      await expect(tx)
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(2n, f.bob.address, 20n * GRL, 20n * GRL, 20n * GRL);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.bob, f.settlement], [20n * GRL, -20n * GRL]);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimQueuedMint_mintedInEpochNeverAboveTheCap", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      await setAnswer(f, 50_000_000n);
      await accrueEarnings(f, [[f.carol, 50n * USD]]);
      await f.settlement.connect(f.carol).withdrawEarnings(f.carol.address);
      await f.settlement.claimQueuedMint(1n);
      await expect(f.settlement.claimQueuedMint(2n)).to.be.revertedWithCustomError(
        f.settlement,
        "SettlementNothingToClaim",
      );
      await expect(f.settlement.claimQueuedMint(3n)).to.be.revertedWithCustomError(
        f.settlement,
        "SettlementNothingToClaim",
      );
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(QUEUE_CAP);
      expect(await f.settlement.mintCapRemaining()).to.equal(0n);
    });
  });

  describe("reverts", function () {
    it("test_claimQueuedMint_revertsForUnknownTicket", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      for (const id of [0n, 3n, 2n ** 256n - 1n]) {
        await expect(f.settlement.claimQueuedMint(id))
          .to.be.revertedWithCustomError(f.settlement, "SettlementUnknownTicket")
          .withArgs(id);
      }
    });

    it("test_claimQueuedMint_revertsWhenPaidInFull", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      await f.settlement.claimQueuedMint(1n);
      await expect(f.settlement.claimQueuedMint(1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(1n);
      // Still nothing in a later epoch: the ticket is done.
      await toEpoch(f, networkHelpers, 2n);
      await expect(f.settlement.claimQueuedMint(1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(1n);
    });

    it("test_claimQueuedMint_revertedClaimReleasesNothing", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      await expect(f.settlement.claimQueuedMint(2n)).to.be.revertedWithCustomError(
        f.settlement,
        "SettlementNothingToClaim",
      );
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 30n * GRL]);
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(0n);
    });
  });

  describe("claimableOf", function () {
    it("test_claimableOf_countsTheCurrentEpochsUnusedCap", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.settlement.claimableOf(1n)).to.equal(0n);
      expect(await f.settlement.claimableOf(2n)).to.equal(0n);
      await toEpoch(f, networkHelpers, 1n);
      // Nothing has been released on-chain yet; the view counts what a claim would release.
      expect(await f.settlement.mintQueue()).to.deep.equal([0n, 30n * GRL]);
      expect(await f.settlement.claimableOf(1n)).to.equal(10n * GRL);
      expect(await f.settlement.claimableOf(2n)).to.equal(0n);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(25n * GRL);
      expect(await f.settlement.claimableOf(1n)).to.equal(10n * GRL);
      expect(await f.settlement.claimableOf(2n)).to.equal(15n * GRL);
    });

    it("test_claimableOf_matchesWhatClaimPays", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(17n * GRL);
      const claimable = await f.settlement.claimableOf(2n);
      expect(claimable).to.equal(7n * GRL);
      await expect(f.settlement.claimQueuedMint(2n)).to.changeTokenBalance(ethers, f.token, f.bob, claimable);
      expect(await f.settlement.claimableOf(2n)).to.equal(0n);
      expect(await f.settlement.claimableOf(1n)).to.equal(10n * GRL);
    });

    it("test_claimableOf_unknownTicketIsZero", async function () {
      const f = await networkHelpers.loadFixture(epoch1Fixture);
      expect(await f.settlement.claimableOf(0n)).to.equal(0n);
      expect(await f.settlement.claimableOf(99n)).to.equal(0n);
    });
  });
});
