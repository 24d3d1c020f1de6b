import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { EVIDENCE_HASH, runningJob } from "../../kit/jobs.ts";
import {
  deployMarket,
  DISPUTE_BOND_BPS,
  DISPUTE_TIMEOUT,
  FEE_BPS,
  HOLDBACK_BPS,
  JobState,
  type MarketFixture,
  PROVIDER_FAULT,
  PROVIDER_STAKE,
  RENTER_FAULT,
  RENTER_FUNDS,
  SLASH_TO_RENTER_BPS,
  USDC,
} from "../../kit/market.ts";
import { bpsOf, bpsOfUp, DURATION, jobValue, RESERVE } from "../../kit/money.ts";
import { GRL } from "../../kit/protocol.ts";
import {
  claimAt,
  collateralAtClearing,
  collateralAtReserve,
  deliverAtEnd,
  expectLedger,
  expectMarketBacksLedger,
  expectProviderReleased,
  expectRegistryBacksStake,
  faultScore,
  INITIAL_REPUTATION,
  P1_5,
  reputationOf,
  successScore,
  withdrawAll,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture } = marketFixtures({ ethers, networkHelpers });

const BUDGET = jobValue(RESERVE); // 80 USDC
const VALUE = jobValue(P1_5); // 60 USDC: alice alone at $1.50, first price
const AWARD_REFUND = BUDGET - VALUE; // 20 USDC
const COLLATERAL = collateralAtClearing(collateralAtReserve(BUDGET), P1_5); // 36 GRL
const BOND = bpsOfUp(VALUE, DISPUTE_BOND_BPS); // 3 USDC
/** Claimed at half time: 30 USDC accrued less the 20% holdback. */
const CLAIMED = 24n * USDC;

interface DisputedJob {
  f: MarketFixture;
  jobId: bigint;
  disputeDeadline: bigint;
  renterGrl: bigint;
  supply: bigint;
}

/**
 * Alice runs the job at $1.50, claims at half time, delivers at the end; the renter disputes one
 * second before the challenge window closes.
 */
async function disputedFixture(): Promise<DisputedJob> {
  const f = await deployMarket(ethers);
  const renterGrl = await f.token.balanceOf(f.renter.address);
  const supply = await f.token.totalSupply();
  const jobId = await runningJob(f, networkHelpers);
  await claimAt(f, networkHelpers, jobId, DURATION / 2n);
  const challengeDeadline = await deliverAtEnd(f, networkHelpers, jobId);
  const disputedAt = challengeDeadline - 1n;
  await networkHelpers.time.setNextBlockTimestamp(disputedAt);
  await (await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).wait();
  return { f, jobId, disputeDeadline: disputedAt + DISPUTE_TIMEOUT, renterGrl, supply };
}

const CLAIM_FEE = bpsOf(CLAIMED, FEE_BPS);

describe("JobMarket lifecycle: disputes", function () {
  it("test_dispute_bondsFivePercentAndOpensTheDisputeWindow", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const usdc = await f.usdc.getAddress();
    const jobId = await runningJob(f, networkHelpers);
    await claimAt(f, networkHelpers, jobId, DURATION / 2n);
    const challengeDeadline = await deliverAtEnd(f, networkHelpers, jobId);
    await expect(f.market.connect(f.alice).dispute(jobId, EVIDENCE_HASH))
      .to.be.revertedWithCustomError(f.market, "MarketNotRenter")
      .withArgs(jobId, f.alice.address);
    await networkHelpers.time.setNextBlockTimestamp(challengeDeadline - 1n);
    expect(BOND).to.equal(3n * USDC);
    const renterUsdc = await f.usdc.balanceOf(f.renter.address);
    const marketUsdc = await f.usdc.balanceOf(await f.market.getAddress());
    await expect(f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH))
      .to.emit(f.market, "JobDisputed")
      .withArgs(
        jobId,
        f.renter.address,
        EVIDENCE_HASH,
        await f.usdc.getAddress(),
        BOND,
        challengeDeadline - 1n + DISPUTE_TIMEOUT,
      );
    expect(await f.usdc.balanceOf(f.renter.address)).to.equal(renterUsdc - BOND);
    expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(marketUsdc + BOND);
    const job = await f.market.jobOf(jobId);
    expect(job.state).to.equal(JobState.Disputed);
    expect(job.disputeBond).to.equal(BOND);
    // The market holds the ledger, the remaining escrow and the bond.
    await expectMarketBacksLedger(f, f.usdc, VALUE - CLAIMED + BOND);
    await expect(f.market.settle(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Disputed);
    await expectLedger(f, usdc, { renter: AWARD_REFUND, alice: CLAIMED - CLAIM_FEE, treasury: CLAIM_FEE });
  });

  it("test_dispute_revertsOnceTheChallengeWindowClosed", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const jobId = await runningJob(f, networkHelpers);
    const challengeDeadline = await deliverAtEnd(f, networkHelpers, jobId);
    await networkHelpers.time.setNextBlockTimestamp(challengeDeadline);
    await expect(f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH))
      .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
      .withArgs(jobId, challengeDeadline, challengeDeadline);
  });

  it("test_dispute_wonByTheRenter_providerFault", async function () {
    const { f, jobId, disputeDeadline, renterGrl, supply } = await networkHelpers.loadFixture(disputedFixture);
    const usdc = await f.usdc.getAddress();
    const arbiterRole = await f.market.ARBITER_ROLE();
    await expect(f.market.connect(f.outsider).resolveDispute(jobId, PROVIDER_FAULT))
      .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
      .withArgs(f.outsider.address, arbiterRole);

    // The provider keeps pay up to the holdback; the holdback and the bond go back to the renter.
    const providerShare = VALUE - bpsOfUp(VALUE, HOLDBACK_BPS); // 48 USDC
    const topUp = providerShare - CLAIMED;
    const refund = VALUE - providerShare; // the 12 USDC holdback
    const toRenter = bpsOf(COLLATERAL, SLASH_TO_RENTER_BPS);
    const burned = COLLATERAL - toRenter;
    expect([toRenter, burned]).to.deep.equal([18n * GRL, 18n * GRL]);
    const reputation = faultScore(INITIAL_REPUTATION);
    await networkHelpers.time.setNextBlockTimestamp(disputeDeadline - 1n);
    await expect(f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT))
      .to.emit(f.market, "DisputeResolvedForRenter")
      .withArgs(
        jobId,
        f.renter.address,
        f.alice.address,
        f.arbiter.address,
        topUp,
        bpsOf(topUp, FEE_BPS),
        refund,
        toRenter,
        burned,
        reputation,
      );

    const job = await f.market.jobOf(jobId);
    expect(job.state).to.equal(JobState.Resolved);
    expect(job.escrow).to.equal(0n);
    const fees = CLAIM_FEE + bpsOf(topUp, FEE_BPS);
    const l = await expectLedger(f, usdc, {
      renter: AWARD_REFUND + refund + BOND,
      alice: providerShare - fees,
      treasury: fees,
    });
    // Conservation: provider net + fees + renter refunds == budget + the bond the renter paid in.
    expect(l.renter + l.alice + l.treasury).to.equal(BUDGET + BOND);
    await expectMarketBacksLedger(f, f.usdc);
    // A lost dispute slashes the whole collateral.
    await expectProviderReleased(f, f.alice, [jobId], PROVIDER_STAKE - COLLATERAL);
    await expectRegistryBacksStake(f);
    expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl + toRenter);
    expect(await f.token.totalSupply()).to.equal(supply - burned);
    expect(await reputationOf(f, f.alice)).to.equal(reputation);

    await expect(f.market.settleDisputeTimeout(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Resolved);
    await withdrawAll(f, usdc, [f.renter, f.alice, f.treasury]);
    expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - providerShare);
    expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
  });

  it("test_dispute_wonByTheProvider_renterFault", async function () {
    const { f, jobId, disputeDeadline, renterGrl, supply } = await networkHelpers.loadFixture(disputedFixture);
    const usdc = await f.usdc.getAddress();
    const finalGross = VALUE - CLAIMED;
    const finalFee = bpsOf(finalGross, FEE_BPS);
    const reputation = successScore(INITIAL_REPUTATION, VALUE);
    await networkHelpers.time.setNextBlockTimestamp(disputeDeadline - 1n);
    await expect(f.market.connect(f.arbiter).resolveDispute(jobId, RENTER_FAULT))
      .to.emit(f.market, "DisputeResolvedForProvider")
      .withArgs(jobId, f.arbiter.address)
      .and.to.emit(f.market, "JobSettled")
      .withArgs(jobId, f.renter.address, f.alice.address, usdc, VALUE, finalGross, finalFee, BOND, 0n, reputation);

    expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Settled);
    const fees = CLAIM_FEE + finalFee;
    const l = await expectLedger(f, usdc, {
      renter: AWARD_REFUND,
      alice: VALUE - fees + BOND,
      treasury: fees,
    });
    expect(l.renter + l.alice + l.treasury).to.equal(BUDGET + BOND);
    await expectMarketBacksLedger(f, f.usdc);
    await expectProviderReleased(f, f.alice, [jobId]);
    await expectRegistryBacksStake(f);
    expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl);
    expect(await f.token.totalSupply()).to.equal(supply);
    expect(await reputationOf(f, f.alice)).to.equal(reputation);

    await withdrawAll(f, usdc, [f.renter, f.alice, f.treasury]);
    expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - VALUE - BOND);
    expect(await f.usdc.balanceOf(f.alice.address)).to.equal(VALUE - fees + BOND);
    expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
  });

  it("test_dispute_arbiterSilent_settleDisputeTimeoutReturnsTheBond", async function () {
    const { f, jobId, disputeDeadline, renterGrl, supply } = await networkHelpers.loadFixture(disputedFixture);
    const usdc = await f.usdc.getAddress();
    await networkHelpers.time.setNextBlockTimestamp(disputeDeadline - 1n);
    await expect(f.market.connect(f.outsider).settleDisputeTimeout(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
      .withArgs(jobId, disputeDeadline, disputeDeadline - 1n);
    await networkHelpers.time.setNextBlockTimestamp(disputeDeadline);
    await expect(f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT))
      .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
      .withArgs(jobId, disputeDeadline, disputeDeadline);

    const finalGross = VALUE - CLAIMED;
    const finalFee = bpsOf(finalGross, FEE_BPS);
    const reputation = successScore(INITIAL_REPUTATION, VALUE);
    await networkHelpers.time.setNextBlockTimestamp(disputeDeadline);
    await expect(f.market.connect(f.outsider).settleDisputeTimeout(jobId))
      .to.emit(f.market, "JobSettled")
      .withArgs(jobId, f.renter.address, f.alice.address, usdc, VALUE, finalGross, finalFee, 0n, BOND, reputation);

    expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Settled);
    const fees = CLAIM_FEE + finalFee;
    const l = await expectLedger(f, usdc, {
      renter: AWARD_REFUND + BOND,
      alice: VALUE - fees,
      treasury: fees,
    });
    expect(l.renter + l.alice + l.treasury).to.equal(BUDGET + BOND);
    await expectMarketBacksLedger(f, f.usdc);
    await expectProviderReleased(f, f.alice, [jobId]);
    await expectRegistryBacksStake(f);
    expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl);
    expect(await f.token.totalSupply()).to.equal(supply);
    expect(await reputationOf(f, f.alice)).to.equal(reputation);

    await withdrawAll(f, usdc, [f.renter, f.alice, f.treasury]);
    expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - VALUE);
    expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
  });
});
