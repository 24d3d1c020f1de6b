import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { commitBid, createJob, EVIDENCE_HASH, revealBid } from "../../kit/jobs.ts";
import {
  DISPUTE_BOND_BPS,
  FAULT_SLASH_BPS,
  FEE_BPS,
  FIRST_PRICE,
  INSTANT,
  JobState,
  PROVIDER_STAKE,
  RENTER_FAULT,
  RENTER_FUNDS,
  SECOND_PRICE,
  SLASH_TO_RENTER_BPS,
  USDC,
} from "../../kit/market.ts";
import { bpsOf, bpsOfUp, jobValue, releasable, RESERVE } from "../../kit/money.ts";
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
  openEscrowOf,
  P1_2,
  P1_5,
  P1_8,
  reputationOf,
  successScore,
  withdrawAll,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

const HOUR = 3600n;
const BUDGET = jobValue(RESERVE);
const P1_6 = (16n * USDC) / 10n;

describe("JobMarket lifecycle: concurrent jobs share one ledger", function () {
  it("test_threeConcurrentJobs_eachConservesAndTheMarketHoldsExactlyTheLedger", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const usdc = await f.usdc.getAddress();
    const renter2Grl = await f.token.balanceOf(f.renter2.address);
    const supply = await f.token.totalSupply();

    // A: renter, first price, alice $1.50 beats bob $1.80; it will be disputed and the renter loses.
    const jobA = await createJob(f, { pricingRule: FIRST_PRICE });
    // B: renter2, second price, bob $1.20 beats carol $1.60 and clears at $1.60; bob never starts.
    const jobB = await createJob(f, { pricingRule: SECOND_PRICE }, f.renter2);
    // C: renter, instant, carol accepts at the reserve and starts at once; the renter stops it at 6 h.
    const jobC = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
    await (await f.market.connect(f.carol).acceptInstant(jobC)).wait();
    await (await f.market.connect(f.carol).startJob(jobC)).wait();
    await expectMarketBacksLedger(f, f.usdc, 3n * BUDGET);

    await commitBid(f, f.alice, jobA, P1_5);
    await commitBid(f, f.bob, jobA, P1_8);
    await commitBid(f, f.bob, jobB, P1_2);
    await commitBid(f, f.carol, jobB, P1_6);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobB)).bidDeadline);
    await revealBid(f, f.alice, jobA, P1_5);
    await revealBid(f, f.bob, jobA, P1_8);
    await revealBid(f, f.bob, jobB, P1_2);
    await revealBid(f, f.carol, jobB, P1_6);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobB)).revealDeadline);
    await (await f.market.award(jobA)).wait();
    await (await f.market.award(jobB)).wait();
    await (await f.market.connect(f.alice).startJob(jobA)).wait();

    const valueA = jobValue(P1_5);
    const valueB = jobValue(P1_6);
    const valueC = BUDGET;
    await expectMarketBacksLedger(f, f.usdc, valueA + valueB + valueC);

    // C: a claim at 4 h, a stop at 6 h.
    const claimC = await claimAt(f, networkHelpers, jobC, 4n * HOUR);
    expect(claimC).to.equal(releasable((valueC * 4n) / 10n));
    // B: bob's start deadline has passed.
    await (await f.market.connect(f.outsider).failJob(jobB)).wait();
    const startedC = (await f.market.jobOf(jobC)).startedAt;
    await networkHelpers.time.setNextBlockTimestamp(startedC + 6n * HOUR);
    await (await f.market.connect(f.renter).stopJob(jobC)).wait();
    const accruedC = (valueC * 6n) / 10n;

    // The losers' locks.
    await (await f.market.closeBid(jobA, f.bob.address)).wait();
    await (await f.market.closeBid(jobB, f.carol.address)).wait();

    // A: delivered at the end, disputed at the last second, ruled RenterFault.
    const challengeDeadline = await deliverAtEnd(f, networkHelpers, jobA);
    await networkHelpers.time.setNextBlockTimestamp(challengeDeadline - 1n);
    await (await f.market.connect(f.renter).dispute(jobA, EVIDENCE_HASH)).wait();
    const bondA = bpsOfUp(valueA, DISPUTE_BOND_BPS);
    await expectMarketBacksLedger(f, f.usdc, await openEscrowOf(f, usdc));
    expect(await openEscrowOf(f, usdc)).to.equal(valueA + bondA);
    await (await f.market.connect(f.arbiter).resolveDispute(jobA, RENTER_FAULT)).wait();

    expect((await f.market.jobOf(jobA)).state).to.equal(JobState.Settled);
    expect((await f.market.jobOf(jobB)).state).to.equal(JobState.Failed);
    expect((await f.market.jobOf(jobC)).state).to.equal(JobState.Cancelled);

    const feeA = bpsOf(valueA, FEE_BPS);
    const feesC = bpsOf(claimC, FEE_BPS) + bpsOf(accruedC - claimC, FEE_BPS);
    const l = await expectLedger(f, usdc, {
      renter: BUDGET - valueA + (valueC - accruedC),
      renter2: BUDGET,
      alice: valueA - feeA + bondA,
      carol: accruedC - feesC,
      treasury: feeA + feesC,
    });
    expect(l.renter).to.equal(52n * USDC);
    expect(l.alice).to.equal((615n * USDC) / 10n);
    expect(l.carol).to.equal((468n * USDC) / 10n);
    expect(l.treasury).to.equal((27n * USDC) / 10n);
    // Per job: A (20 refunded + 61.5 to alice incl. the bond + 1.5 fee) = 80 + 3 bond; B: 80 back to renter2;
    // C: 32 refunded + 46.8 to carol + 1.2 fee = 80.
    expect(BUDGET - valueA + (valueA - feeA + bondA) + feeA).to.equal(BUDGET + bondA);
    expect(valueC - accruedC + (accruedC - feesC) + feesC).to.equal(BUDGET);
    expect(l.renter + l.renter2 + l.alice + l.bob + l.carol + l.treasury).to.equal(3n * BUDGET + bondA);
    await expectMarketBacksLedger(f, f.usdc);

    // Stake: only bob was slashed (half of his collateral at $1.60, half of that to renter2).
    const collateralB = collateralAtClearing(collateralAtReserve(BUDGET), P1_6);
    expect(collateralB).to.equal((384n * GRL) / 10n);
    const slashedB = bpsOf(collateralB, FAULT_SLASH_BPS);
    const toRenter2 = bpsOf(slashedB, SLASH_TO_RENTER_BPS);
    await expectProviderReleased(f, f.alice, [jobA, jobB, jobC]);
    await expectProviderReleased(f, f.bob, [jobA, jobB, jobC], PROVIDER_STAKE - slashedB);
    await expectProviderReleased(f, f.carol, [jobA, jobB, jobC]);
    await expectRegistryBacksStake(f);
    expect(await f.token.balanceOf(f.renter2.address)).to.equal(renter2Grl + toRenter2);
    expect(await f.token.totalSupply()).to.equal(supply - (slashedB - toRenter2));
    expect(await reputationOf(f, f.alice)).to.equal(successScore(INITIAL_REPUTATION, valueA));
    expect(await reputationOf(f, f.bob)).to.equal(faultScore(INITIAL_REPUTATION));
    expect(await reputationOf(f, f.carol)).to.equal(INITIAL_REPUTATION);

    await withdrawAll(f, usdc, [f.renter, f.renter2, f.alice, f.carol, f.treasury]);
    expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
    expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - valueA - bondA - accruedC);
    expect(await f.usdc.balanceOf(f.renter2.address)).to.equal(RENTER_FUNDS);
  });
});
