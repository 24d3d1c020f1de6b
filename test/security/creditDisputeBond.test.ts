import { expect } from "chai";
import { network } from "hardhat";

import { commitBid, createJob, revealBid } from "../kit/jobs.ts";
import { JobState, ORACLE_HEARTBEAT, PROVIDER_FAULT } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import { deploySettlement, grlForCredits, type SettlementFixture, USD } from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * Security issue item 8, "Credit-job disputes can be blocked". A credit job's dispute bond used to be
 * paid in credits, and credits come only from `buyCredits`. A renter whose credits all went into the
 * budget could therefore not dispute a junk delivery while the guardian paused credit purchases or the
 * GRL/USD feed was stale, and the job settled with the provider paid in full: against "the guardian
 * stops new business only; disputes keep working".
 *
 * The fix: a credit job's bond is in GRL, `disputeBondBps` of the job's value at the GRL price of its
 * creation (the collateral scaled from `collateralBps`: no oracle read), pulled like a stablecoin bond and
 * paid out on the market's ledger in GRL. Here: a $60 job (4 GPUs x 10 h at $1.50), 5% bond = $3 = 6 GRL
 * at the creation price of $0.50.
 *
 * Run: npx hardhat test mocha test/security/creditDisputeBond.test.ts --no-compile
 */
const RESERVE = 2n * USD;
const BID = (15n * USD) / 10n;
const BUDGET = 80n * USD;
const VALUE = 60n * USD;
const HOLDBACK = 12n * USD;
const BOND_GRL = 6n * GRL;
const EVIDENCE_HASH = "0x" + "ee".repeat(32);
const GUARDIAN_ROLE = ethers.id("GUARDIAN_ROLE");

/**
 * The buyer holds exactly the budget in credits and spends it all on a credit job won by alice at $1.50,
 * which alice delivers (junk) at the end. Then the guardian pauses the market and credit purchases, and
 * the feed goes stale. Returns the job id and when it was delivered.
 */
async function blockedFixture(): Promise<SettlementFixture & { jobId: bigint; deliveredAt: bigint }> {
  const f = await deploySettlement(ethers);
  await f.token.connect(f.buyer).approve(f.settlementAddress, ethers.MaxUint256);
  await f.settlement.connect(f.buyer).buyCredits(f.buyer.address, grlForCredits(BUDGET), BUDGET);
  const jobId = await createJob(f, { paymentToken: f.settlementAddress, reservePricePerGpuHour: RESERVE }, f.buyer);
  expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(0n);
  await commitBid(f, f.alice, jobId, BID);
  const created = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(created.bidDeadline);
  await revealBid(f, f.alice, jobId, BID);
  await networkHelpers.time.increaseTo(created.revealDeadline);
  await f.market.connect(f.alice).awardAndStart(jobId);
  const running = await f.market.jobOf(jobId);
  const deliveredAt = BigInt(running.startedAt) + BigInt(running.duration);
  await networkHelpers.time.setNextBlockTimestamp(deliveredAt);
  await f.market.connect(f.alice).deliver(jobId, ethers.id("junk"), "ipfs://junk");

  await f.market.connect(f.admin).grantRole(GUARDIAN_ROLE, f.guardian.address);
  await f.settlement.connect(f.admin).grantRole(GUARDIAN_ROLE, f.guardian.address);
  await f.market.connect(f.guardian).pause();
  await f.settlement.connect(f.guardian).pause();
  // The feed was last updated at the fixture's deployment, more than a heartbeat ago by the dispute.
  const [, , , updatedAt] = await f.feed.latestRoundData();
  await networkHelpers.time.increaseTo(updatedAt + ORACLE_HEARTBEAT + 1n);
  expect(updatedAt + ORACLE_HEARTBEAT + 1n).to.be.lessThan(
    deliveredAt + BigInt((await f.market.marketParams(running.paramsId)).challengeWindow),
  );
  return { ...f, jobId, deliveredAt };
}

describe("Security: a credit job's renter can always dispute (the bond is GRL, not credits)", function () {
  it("test_dispute_creditRenterWithNoCreditsDisputesWhilePurchasesArePausedAndTheFeedIsStale_andGetsHoldbackAndBondBack", async function () {
    const f = await networkHelpers.loadFixture(blockedFixture);
    // Credits cannot be had: purchases are paused, and the oracle would refuse the price anyway.
    await expect(f.settlement.connect(f.buyer).buyCredits(f.buyer.address, GRL, 0n)).to.be.revertedWithCustomError(
      f.settlement,
      "EnforcedPause",
    );
    await expect(f.oracle.grlUsdPrice()).to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer");

    // The bond is quoted and pulled in GRL, without the oracle.
    const grl = await f.token.getAddress();
    expect(await f.market.disputeBondOf(f.jobId)).to.deep.equal([grl, BOND_GRL]);
    await f.token.connect(f.buyer).approve(await f.market.getAddress(), BOND_GRL);
    const disputed = f.market.connect(f.buyer).dispute(f.jobId, EVIDENCE_HASH);
    await expect(disputed)
      .to.emit(f.market, "JobDisputed")
      .withArgs(f.jobId, f.buyer.address, EVIDENCE_HASH, grl, BOND_GRL, (v: bigint) => v > 0n);
    await expect(disputed).to.changeTokenBalances(ethers, f.token, [f.buyer, f.market], [-BOND_GRL, BOND_GRL]);
    await expect(disputed).not.to.emit(f.settlement, "CreditsSpent");

    // The arbiter finds the delivery junk: the holdback comes back in credits, the bond in GRL.
    await expect(f.market.connect(f.arbiter).resolveDispute(f.jobId, PROVIDER_FAULT))
      .to.emit(f.settlement, "CreditsRefunded")
      .withArgs(
        f.buyer.address,
        HOLDBACK,
        HOLDBACK + (BUDGET - VALUE),
        0n,
        (v: bigint) => v > 0n,
        (v: bigint) => v > 0n,
        (v: bigint) => v > 0n,
      );
    expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(HOLDBACK + (BUDGET - VALUE));
    expect(await f.market.balanceOf(grl, f.buyer.address)).to.equal(BOND_GRL);
    await expect(f.market.connect(f.buyer).withdraw(grl, f.buyer.address)).to.changeTokenBalances(
      ethers,
      f.token,
      [f.market, f.buyer],
      [-BOND_GRL, BOND_GRL],
    );
    expect(await f.token.balanceOf(await f.market.getAddress())).to.equal(0n);
  });

  it("test_dispute_creditJobWithoutGrlAllowanceRevertsNamingTheAllowance_andTheJobStaysDelivered", async function () {
    const f = await networkHelpers.loadFixture(blockedFixture);
    await expect(f.market.connect(f.buyer).dispute(f.jobId, EVIDENCE_HASH))
      .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
      .withArgs(await f.market.getAddress(), 0n, BOND_GRL);
    expect((await f.market.jobOf(f.jobId)).disputeBond).to.equal(0n);
    expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Delivered);
  });

  it("test_disputeBondOf_creditJobQuotesTheCreationPriceWhateverTheFeedSays", async function () {
    const f = await networkHelpers.loadFixture(blockedFixture);
    // GRL doubles: the bond stays 6 GRL ($3 at the creation price), like the job's collateral.
    await f.feed.setAnswer(100_000_000n);
    expect((await f.market.disputeBondOf(f.jobId))[1]).to.equal(BOND_GRL);
    // While a credit job is bidding, the quote is on its budget at the reserve: 5% of $80 = $4 = 8 GRL.
    await f.market.connect(f.guardian).unpause();
    await f.settlement.connect(f.guardian).unpause();
    await f.settlement.connect(f.renter).buyCredits(f.renter.address, 1_000n * GRL, 0n);
    const bidding = await createJob(f, { paymentToken: f.settlementAddress, reservePricePerGpuHour: RESERVE });
    expect((await f.market.disputeBondOf(bidding))[1]).to.equal(4n * GRL);
  });

  it("test_disputeBondOf_unknownJobReverts", async function () {
    const f = await networkHelpers.loadFixture(blockedFixture);
    await expect(f.market.disputeBondOf(99n)).to.be.revertedWithCustomError(f.market, "MarketUnknownJob").withArgs(99n);
  });
});
