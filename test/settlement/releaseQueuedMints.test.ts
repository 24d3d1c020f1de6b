import { expect } from "chai";
import { network } from "hardhat";

import { GRL } from "../kit/protocol.ts";
import {
  accrueEarnings,
  allAccounts,
  buildQueue,
  expectBooks,
  grantGuardian,
  noCap,
  PRICE,
  QUEUE_CAP,
  setAnswer,
  settlementFixtures,
  toEpoch,
  USD,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { marketRoleFixture: emptyFixture } = settlementFixtures(ethers);

/** Ticket 1: alice, 10 GRL at [0, 10). Ticket 2: bob, 20 GRL at [10, 30). Cap 10 GRL, epoch 0 used up. */
async function fixture() {
  const f = await emptyFixture();
  await buildQueue(f);
  return f;
}

describe("Settlement: releaseQueuedMints", function () {
  it("test_releaseQueuedMints_emptyQueueReleasesNothing", async function () {
    const f = await networkHelpers.loadFixture(emptyFixture);
    expect(await f.settlement.releaseQueuedMints.staticCall()).to.equal(0n);
    const tx = f.settlement.connect(f.outsider).releaseQueuedMints();
    await expect(tx).not.to.emit(f.settlement, "QueuedMintsReleased");
    await expect(tx).not.to.emit(f.settlement, "EarningsMinted");
    expect(await f.settlement.mintedInEpoch(0n)).to.equal(0n);
  });

  it("test_releaseQueuedMints_nothingWhileTheEpochsCapIsUsedUp", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    expect(await f.settlement.releaseQueuedMints.staticCall()).to.equal(0n);
    await expect(f.settlement.releaseQueuedMints()).not.to.emit(f.settlement, "QueuedMintsReleased");
    expect(await f.settlement.mintQueue()).to.deep.equal([0n, 30n * GRL]);
  });

  it("test_releaseQueuedMints_mintsTheUnusedCapIntoCustody", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await toEpoch(f, networkHelpers, 1n);
    expect(await f.settlement.releaseQueuedMints.staticCall()).to.equal(QUEUE_CAP);
    const tx = f.settlement.connect(f.outsider).releaseQueuedMints();
    await expect(tx)
      .to.emit(f.settlement, "QueuedMintsReleased")
      .withArgs(1n, QUEUE_CAP, QUEUE_CAP, 30n * GRL);
    await expect(tx)
      .to.emit(f.settlement, "EarningsMinted")
      .withArgs(1n, f.settlementAddress, QUEUE_CAP, QUEUE_CAP, QUEUE_CAP);
    await expect(tx)
      .to.emit(f.token, "TokensMinted")
      .withArgs(f.settlementAddress, f.settlementAddress, QUEUE_CAP, 20n * GRL);
    await expect(tx).to.changeTokenBalances(ethers, f.token, [f.settlement, f.outsider, f.alice], [QUEUE_CAP, 0n, 0n]);
    expect(await f.settlement.mintQueue()).to.deep.equal([QUEUE_CAP, 30n * GRL]);
    expect(await f.settlement.mintedInEpoch(1n)).to.equal(QUEUE_CAP);
    expect(await f.settlement.mintCapRemaining()).to.equal(0n);
    expect(await f.settlement.totalGrlMintedForEarnings()).to.equal(20n * GRL);
    // The release reached ticket 1 only; its recipient now pulls it.
    expect(await f.settlement.claimableOf(1n)).to.equal(10n * GRL);
    expect(await f.settlement.claimableOf(2n)).to.equal(0n);
    await expectBooks(f, allAccounts(f));
  });

  it("test_releaseQueuedMints_secondCallInTheEpochReleasesNothing", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await toEpoch(f, networkHelpers, 1n);
    await f.settlement.releaseQueuedMints();
    expect(await f.settlement.releaseQueuedMints.staticCall()).to.equal(0n);
    await expect(f.settlement.releaseQueuedMints()).not.to.emit(f.settlement, "QueuedMintsReleased");
    expect(await f.settlement.mintQueue()).to.deep.equal([QUEUE_CAP, 30n * GRL]);
  });

  it("test_releaseQueuedMints_capAboveTheQueueReleasesItAll", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await toEpoch(f, networkHelpers, 1n);
    const cap = 100n * GRL;
    await f.settlement.connect(f.admin).setMintCapPerEpoch(cap);
    const tx = f.settlement.releaseQueuedMints();
    await expect(tx)
      .to.emit(f.settlement, "QueuedMintsReleased")
      .withArgs(1n, 30n * GRL, 30n * GRL, 30n * GRL);
    await expect(tx)
      .to.emit(f.settlement, "EarningsMinted")
      .withArgs(1n, f.settlementAddress, 30n * GRL, 30n * GRL, cap);
    expect(await f.settlement.mintCapRemaining()).to.equal(70n * GRL);
    // The rest of the cap lets the next withdrawal mint at once, with no ticket.
    await setAnswer(f, 50_000_000n);
    await accrueEarnings(f, [[f.carol, 5n * USD]]);
    await expect(f.settlement.connect(f.carol).withdrawEarnings(f.carol.address))
      .to.emit(f.settlement, "EarningsWithdrawn")
      .withArgs(f.carol.address, f.carol.address, 5n * USD, 10n * GRL, PRICE, 10n * GRL, 0n, 0n, 1n, noCap(5n * USD));
    expect(await f.settlement.mintedInEpoch(1n)).to.equal(40n * GRL);
    await expectBooks(f, allAccounts(f));
  });

  it("test_releaseQueuedMints_raisingTheCapMidEpochReleasesTheDifference", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    // Epoch 0's 10 GRL went to alice directly; a cap of 25 leaves 15 for the queue in the same epoch.
    await f.settlement.connect(f.admin).setMintCapPerEpoch(25n * GRL);
    await expect(f.settlement.releaseQueuedMints())
      .to.emit(f.settlement, "QueuedMintsReleased")
      .withArgs(0n, 15n * GRL, 15n * GRL, 30n * GRL);
    expect(await f.settlement.mintedInEpoch(0n)).to.equal(25n * GRL);
    await expectBooks(f, allAccounts(f));
  });

  it("test_releaseQueuedMints_drainsOverSeveralEpochs", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await f.settlement.connect(f.admin).setMintCapPerEpoch(25n * GRL);
    await toEpoch(f, networkHelpers, 1n);
    await expect(f.settlement.releaseQueuedMints())
      .to.emit(f.settlement, "QueuedMintsReleased")
      .withArgs(1n, 25n * GRL, 25n * GRL, 30n * GRL);
    await toEpoch(f, networkHelpers, 2n);
    // Only 5 GRL are left in the queue: the rest of epoch 2's cap stays unminted.
    await expect(f.settlement.releaseQueuedMints())
      .to.emit(f.settlement, "QueuedMintsReleased")
      .withArgs(2n, 5n * GRL, 30n * GRL, 30n * GRL);
    expect(await f.settlement.mintedInEpoch(2n)).to.equal(5n * GRL);
    expect(await f.settlement.mintCapRemaining()).to.equal(20n * GRL);
    expect(await f.token.balanceOf(f.settlementAddress)).to.equal(30n * GRL);
    await f.settlement.claimQueuedMint(1n);
    await f.settlement.claimQueuedMint(2n);
    expect(await f.token.balanceOf(f.settlementAddress)).to.equal(0n);
    await expectBooks(f, allAccounts(f));
  });

  it("test_releaseQueuedMints_anEpochNobodyTouchedReleasesNothing", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    // Documented behaviour (ISettlement): an epoch's cap is used only by calls made during it. Epoch 1
    // passes with no call, so its 10 GRL are never minted; epoch 2 releases its own cap only.
    await toEpoch(f, networkHelpers, 2n);
    await expect(f.settlement.releaseQueuedMints())
      .to.emit(f.settlement, "QueuedMintsReleased")
      .withArgs(2n, QUEUE_CAP, QUEUE_CAP, 30n * GRL);
    expect(await f.settlement.mintedInEpoch(1n)).to.equal(0n);
    expect(await f.settlement.mintedInEpoch(2n)).to.equal(QUEUE_CAP);
    expect(await f.settlement.mintQueue()).to.deep.equal([QUEUE_CAP, 30n * GRL]);
  });

  it("test_releaseQueuedMints_mintedInEpochNeverAboveTheCap", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    for (const epoch of [1n, 2n, 3n]) {
      await toEpoch(f, networkHelpers, epoch);
      await f.settlement.releaseQueuedMints();
      await f.settlement.releaseQueuedMints();
      expect(await f.settlement.mintedInEpoch(epoch)).to.equal(QUEUE_CAP);
    }
    expect(await f.settlement.mintQueue()).to.deep.equal([30n * GRL, 30n * GRL]);
    // Epoch 4: nothing is left to release.
    await toEpoch(f, networkHelpers, 4n);
    await expect(f.settlement.releaseQueuedMints()).not.to.emit(f.settlement, "QueuedMintsReleased");
    expect(await f.settlement.mintedInEpoch(4n)).to.equal(0n);
    await expectBooks(f, allAccounts(f));
  });

  it("test_releaseQueuedMints_worksWhilePaused", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await grantGuardian(f);
    await f.settlement.connect(f.guardian).pause();
    await toEpoch(f, networkHelpers, 1n);
    await expect(f.settlement.releaseQueuedMints())
      .to.emit(f.settlement, "QueuedMintsReleased")
      .withArgs(1n, QUEUE_CAP, QUEUE_CAP, 30n * GRL);
  });

  it("test_releaseQueuedMints_needsNoOracle", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    // A week later the feed is stale; the queue's GRL amounts were fixed at withdrawal.
    await toEpoch(f, networkHelpers, 1n);
    await expect(f.oracle.grlUsdPrice()).to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer");
    await expect(f.settlement.releaseQueuedMints()).to.emit(f.settlement, "QueuedMintsReleased");
    await expect(f.settlement.claimQueuedMint(1n)).to.emit(f.settlement, "QueuedMintClaimed");
  });
});
