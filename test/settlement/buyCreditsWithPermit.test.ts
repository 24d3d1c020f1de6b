import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { signPermit } from "../../sdk/index.ts";
import { HOUR, SPREAD_BPS } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import {
  allAccounts,
  BUYER_GRL,
  creditsFor,
  expectBooks,
  grantGuardian,
  PRICE,
  setAnswer,
  type SettlementFixture,
  settlementFixtures,
  usdValue,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture } = settlementFixtures(ethers);

const AMOUNT = 100n * GRL;
const CREDITS = creditsFor(AMOUNT, PRICE);

async function permitFor(
  f: SettlementFixture,
  owner: HardhatEthersSigner,
  value: bigint,
  deadline: bigint,
  signer: HardhatEthersSigner = owner,
) {
  return signPermit(signer, f.token, { owner: owner.address, spender: f.settlementAddress, value, deadline });
}

async function futureDeadline(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest()) + HOUR;
}

describe("Settlement: buyCreditsWithPermit", function () {
  it("test_buyCreditsWithPermit_buysWithoutPriorApproval", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    expect(await f.token.allowance(f.buyer.address, f.settlementAddress)).to.equal(0n);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    const tx = f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, CREDITS, deadline, v, r, s);
    await expect(tx)
      .to.emit(f.settlement, "CreditsPurchased")
      .withArgs(f.buyer.address, f.buyer.address, AMOUNT, usdValue(AMOUNT, PRICE), CREDITS, PRICE, SPREAD_BPS, CREDITS);
    await expect(tx).to.emit(f.token, "TokensBurned").withArgs(f.buyer.address, AMOUNT, AMOUNT);
    await expect(tx).to.changeTokenBalance(ethers, f.token, f.buyer, -AMOUNT);
    // The permit was used (nonce consumed) and its allowance burned exactly.
    expect(await f.token.nonces(f.buyer.address)).to.equal(1n);
    expect(await f.token.allowance(f.buyer.address, f.settlementAddress)).to.equal(0n);
    expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(CREDITS);
    expect(await f.settlement.totalGrlBurned()).to.equal(AMOUNT);
    await expectBooks(f, allAccounts(f));
  });

  it("test_buyCreditsWithPermit_returnsCredits", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    expect(
      await f.settlement
        .connect(f.buyer)
        .buyCreditsWithPermit.staticCall(f.buyer.address, AMOUNT, 0n, deadline, v, r, s),
    ).to.equal(CREDITS);
  });

  it("test_buyCreditsWithPermit_creditsAnotherAccount", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    await expect(f.settlement.connect(f.buyer).buyCreditsWithPermit(f.dave.address, AMOUNT, 0n, deadline, v, r, s))
      .to.emit(f.settlement, "CreditsPurchased")
      .withArgs(f.buyer.address, f.dave.address, AMOUNT, usdValue(AMOUNT, PRICE), CREDITS, PRICE, SPREAD_BPS, CREDITS);
    expect(await f.settlement.creditsOf(f.dave.address)).to.equal(CREDITS);
    expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(0n);
  });

  it("test_buyCreditsWithPermit_frontRunPermitIsIgnored", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    // Someone copies the permit from the mempool and submits it first.
    await f.token.connect(f.outsider).permit(f.buyer.address, f.settlementAddress, AMOUNT, deadline, v, r, s);
    expect(await f.token.allowance(f.buyer.address, f.settlementAddress)).to.equal(AMOUNT);
    // The settlement's own permit call now fails (nonce used) and is ignored; the allowance is in place.
    const tx = f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, CREDITS, deadline, v, r, s);
    await expect(tx)
      .to.emit(f.settlement, "CreditsPurchased")
      .withArgs(f.buyer.address, f.buyer.address, AMOUNT, usdValue(AMOUNT, PRICE), CREDITS, PRICE, SPREAD_BPS, CREDITS);
    await expect(tx).to.changeTokenBalance(ethers, f.token, f.buyer, -AMOUNT);
    expect(await f.token.nonces(f.buyer.address)).to.equal(1n);
    expect(await f.token.allowance(f.buyer.address, f.settlementAddress)).to.equal(0n);
  });

  it("test_buyCreditsWithPermit_invalidPermitFallsBackToAllowance", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    // The renter has a standing approval; a garbage permit is ignored.
    await expect(
      f.settlement
        .connect(f.renter)
        .buyCreditsWithPermit(f.renter.address, AMOUNT, CREDITS, 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
    ).to.changeTokenBalance(ethers, f.token, f.renter, -AMOUNT);
    expect(await f.settlement.creditsOf(f.renter.address)).to.equal(CREDITS);
  });

  it("test_buyCreditsWithPermit_revertsForGarbagePermitWithoutAllowance", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await expect(
      f.settlement
        .connect(f.buyer)
        .buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
    )
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
      .withArgs(f.settlementAddress, 0n, AMOUNT);
  });

  it("test_buyCreditsWithPermit_revertsWithoutAllowanceWhenPermitIsForLess", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    // Signed for one wei less: the settlement's permit (for the full amount) does not verify.
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT - 1n, deadline);
    await expect(f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, deadline, v, r, s))
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
      .withArgs(f.settlementAddress, 0n, AMOUNT);
    expect(await f.token.nonces(f.buyer.address)).to.equal(0n);
  });

  it("test_buyCreditsWithPermit_revertsWithoutAllowanceWhenPermitExpired", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const t = BigInt(await networkHelpers.time.latest()) + 100n;
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, t - 1n);
    await networkHelpers.time.setNextBlockTimestamp(t);
    await expect(f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, t - 1n, v, r, s))
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
      .withArgs(f.settlementAddress, 0n, AMOUNT);
  });

  it("test_buyCreditsWithPermit_permitDeadlineIsInclusive", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const t = BigInt(await networkHelpers.time.latest()) + 100n;
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, t);
    await networkHelpers.time.setNextBlockTimestamp(t);
    await expect(
      f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, t, v, r, s),
    ).to.changeTokenBalance(ethers, f.token, f.buyer, -AMOUNT);
  });

  it("test_buyCreditsWithPermit_revertsForPermitSignedByAnotherKey", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    // renter2 signs a permit over the buyer's tokens: invalid, so the buyer still has no allowance.
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline, f.renter2);
    await expect(f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, deadline, v, r, s))
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
      .withArgs(f.settlementAddress, 0n, AMOUNT);
  });

  it("test_buyCreditsWithPermit_permitIsForTheCaller", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    // The buyer's permit submitted by the renter: the settlement asks for a permit over the renter's
    // tokens, which the signature does not cover; the renter pays from its own standing approval.
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    await expect(
      f.settlement.connect(f.renter).buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, deadline, v, r, s),
    ).to.changeTokenBalances(ethers, f.token, [f.buyer, f.renter], [0n, -AMOUNT]);
    expect(await f.token.nonces(f.buyer.address)).to.equal(0n);
    expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(CREDITS);
  });

  it("test_buyCreditsWithPermit_revertsWhenPaused", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await grantGuardian(f);
    await f.settlement.connect(f.guardian).pause();
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    await expect(
      f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, deadline, v, r, s),
    ).to.be.revertedWithCustomError(f.settlement, "EnforcedPause");
    // The permit was not consumed by the reverted call.
    expect(await f.token.nonces(f.buyer.address)).to.equal(0n);
  });

  it("test_buyCreditsWithPermit_revertsForZeroAccount", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    await expect(f.settlement.connect(f.buyer).buyCreditsWithPermit(ethers.ZeroAddress, AMOUNT, 0n, deadline, v, r, s))
      .to.be.revertedWithCustomError(f.settlement, "SettlementZeroAddress")
      .withArgs("account");
  });

  it("test_buyCreditsWithPermit_revertsForZeroAmount", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, 0n, deadline);
    await expect(
      f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, 0n, 0n, deadline, v, r, s),
    ).to.be.revertedWithCustomError(f.settlement, "SettlementZeroAmount");
  });

  it("test_buyCreditsWithPermit_revertsOnSlippage", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    await expect(
      f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, CREDITS + 1n, deadline, v, r, s),
    )
      .to.be.revertedWithCustomError(f.settlement, "SettlementSlippage")
      .withArgs(CREDITS, CREDITS + 1n);
    // The whole call reverted, the permit with it: the signature can still be used.
    expect(await f.token.allowance(f.buyer.address, f.settlementAddress)).to.equal(0n);
    await expect(
      f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, CREDITS, deadline, v, r, s),
    ).to.emit(f.settlement, "CreditsPurchased");
  });

  it("test_buyCreditsWithPermit_revertsOnOracleFailure", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await setAnswer(f, 0n);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, AMOUNT, deadline);
    await expect(f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, AMOUNT, 0n, deadline, v, r, s))
      .to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer")
      .withArgs(0n);
  });

  it("test_buyCreditsWithPermit_revertsBeyondBalance", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.buyer, BUYER_GRL + 1n, deadline);
    await expect(
      f.settlement.connect(f.buyer).buyCreditsWithPermit(f.buyer.address, BUYER_GRL + 1n, 0n, deadline, v, r, s),
    )
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientBalance")
      .withArgs(f.buyer.address, BUYER_GRL, BUYER_GRL + 1n);
  });
});
