import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { commitBid, createJob, RESULT_HASH, RESULT_URI, revealBid } from "../../kit/jobs.ts";
import {
  BID_BOND,
  CHALLENGE_WINDOW,
  DEFAULT_PARAMS,
  FEE_BPS,
  GRL_USD_ANSWER,
  HOUR,
  INSTANT,
  JobState,
  START_WINDOW,
  USDC,
} from "../../kit/market.ts";
import { bpsOf, DURATION, jobValue, releasable, RESERVE } from "../../kit/money.ts";
import { GRL } from "../../kit/protocol.ts";
import {
  claimAt,
  collateralAtClearing,
  collateralAtReserve,
  expectLedger,
  expectMarketBacksLedger,
  expectProviderReleased,
  expectRegistryBacksStake,
  INITIAL_REPUTATION,
  P1_5,
  reputationOf,
  successScore,
} from "./helpers.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

const DAY = 24n * HOUR;
const BUDGET = jobValue(RESERVE);

/** Set right after job 1 is created: a bigger bid bond, a shorter start window, a higher fee. */
const PARAMS_2: IJobMarket.MarketParamsStruct = {
  ...DEFAULT_PARAMS,
  feeBps: 400,
  bidBond: 100n * GRL,
  startWindow: 10n * 60n,
};

/** Set while job 1 runs: the maximum fee, no holdback, a longer challenge window, more collateral. */
const PARAMS_3: IJobMarket.MarketParamsStruct = {
  ...DEFAULT_PARAMS,
  feeBps: 500,
  holdbackBps: 0,
  collateralBps: 5_000,
  challengeWindow: 2n * DAY,
};

describe("JobMarket lifecycle: governance parameters are snapshotted at creation", function () {
  it("test_paramsChangeMidJob_jobKeepsItsCreationParameters", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const usdc = await f.usdc.getAddress();

    // Job 1 is created under parameter set 1.
    const jobId = await createJob(f);
    expect((await f.market.jobOf(jobId)).paramsId).to.equal(1n);
    await expect(f.market.connect(f.admin).setMarketParams(PARAMS_2)).to.emit(f.market, "MarketParamsSet");
    expect(await f.market.currentParamsId()).to.equal(2n);
    expect((await f.market.marketParams(2)).feeBps).to.equal(400n);

    // The bid locks the bond of set 1 (50 GRL), not 100 GRL.
    const collateralAtReserveGrl = collateralAtReserve(BUDGET);
    const commitment = await f.market.bidCommitment(jobId, f.alice.address, P1_5, "0x" + "11".repeat(32));
    await expect(f.market.connect(f.alice).commitBid(jobId, commitment))
      .to.emit(f.market, "BidCommitted")
      .withArgs(jobId, f.alice.address, commitment, BID_BOND + collateralAtReserveGrl, 1n);
    const job = await f.market.jobOf(jobId);
    await networkHelpers.time.increaseTo(job.bidDeadline);
    await (await f.market.connect(f.alice).revealBid(jobId, P1_5, "0x" + "11".repeat(32))).wait();
    await networkHelpers.time.setNextBlockTimestamp(job.revealDeadline);
    await (await f.market.award(jobId)).wait();
    // The start window of set 1 (1 hour), not 10 minutes: starting 30 minutes after award works.
    expect((await f.market.jobOf(jobId)).deadline).to.equal(job.revealDeadline + START_WINDOW);
    await networkHelpers.time.setNextBlockTimestamp(job.revealDeadline + 30n * 60n);
    await (await f.market.connect(f.alice).startJob(jobId)).wait();

    // Governance changes the fee (and more) while the job runs.
    await (await f.market.connect(f.admin).setMarketParams(PARAMS_3)).wait();
    expect(await f.market.currentParamsId()).to.equal(3n);
    expect((await f.market.jobOf(jobId)).paramsId).to.equal(1n);

    const value = jobValue(P1_5);
    // Holdback of set 1 (20%), fee of set 1 (2.5%).
    const firstGross = await claimAt(f, networkHelpers, jobId, DURATION / 2n);
    expect(firstGross).to.equal(releasable(value / 2n));
    expect(firstGross).to.equal(24n * USDC);
    const startedAt = (await f.market.jobOf(jobId)).startedAt;
    await networkHelpers.time.setNextBlockTimestamp(startedAt + DURATION);
    await (await f.market.connect(f.alice).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
    // Challenge window of set 1 (1 day), not 2 days.
    const challengeDeadline = startedAt + DURATION + CHALLENGE_WINDOW;
    expect((await f.market.jobOf(jobId)).deadline).to.equal(challengeDeadline);
    const finalGross = value - firstGross;
    await networkHelpers.time.setNextBlockTimestamp(challengeDeadline);
    await expect(f.market.settle(jobId))
      .to.emit(f.market, "JobSettled")
      .withArgs(
        jobId,
        f.renter.address,
        f.alice.address,
        usdc,
        value,
        finalGross,
        bpsOf(finalGross, FEE_BPS),
        0n,
        0n,
        successScore(INITIAL_REPUTATION, value),
      );

    const fees = bpsOf(firstGross, FEE_BPS) + bpsOf(finalGross, FEE_BPS);
    expect(fees).to.equal((15n * USDC) / 10n); // 2.5% of 60 USDC, not 5%
    const l = await expectLedger(f, usdc, { renter: BUDGET - value, alice: value - fees, treasury: fees });
    expect(l.renter + l.alice + l.treasury).to.equal(BUDGET);
    await expectMarketBacksLedger(f, f.usdc);
    await expectProviderReleased(f, f.alice, [jobId]);
    expect(await reputationOf(f, f.alice)).to.equal(successScore(INITIAL_REPUTATION, value));

    // A job created now uses set 3: 50% collateral, no holdback, a 5% fee, a 2-day challenge window.
    // (The feed is refreshed first: its last answer is more than a heartbeat old by now.)
    await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
    const job2 = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 }, f.renter2);
    const created2 = await f.market.jobOf(job2);
    expect(created2.paramsId).to.equal(3n);
    const collateral2 = collateralAtReserve(BUDGET, 6n, undefined, 5_000n);
    expect(collateral2).to.equal(80n * GRL);
    expect(created2.collateral).to.equal(collateral2);
    await (await f.market.connect(f.bob).acceptInstant(job2)).wait();
    await (await f.market.connect(f.bob).startJob(job2)).wait();
    const started2 = (await f.market.jobOf(job2)).startedAt;
    // No holdback: a claim at half time releases the whole accrued half.
    const half2 = await claimAt(f, networkHelpers, job2, DURATION / 2n);
    expect(half2).to.equal(BUDGET / 2n);
    await networkHelpers.time.setNextBlockTimestamp(started2 + DURATION);
    await (await f.market.connect(f.bob).deliver(job2, RESULT_HASH, RESULT_URI)).wait();
    const deadline2 = (await f.market.jobOf(job2)).deadline;
    expect(deadline2).to.equal(started2 + DURATION + 2n * DAY);
    await networkHelpers.time.setNextBlockTimestamp(deadline2);
    await (await f.market.settle(job2)).wait();
    expect((await f.market.jobOf(job2)).state).to.equal(JobState.Settled);

    const fees2 = bpsOf(half2, 500n) + bpsOf(BUDGET - half2, 500n);
    expect(fees2).to.equal(4n * USDC);
    const all = await expectLedger(f, usdc, {
      renter: BUDGET - value,
      alice: value - fees,
      bob: BUDGET - fees2,
      treasury: fees + fees2,
    });
    expect(all.renter2 + all.bob + (all.treasury - fees)).to.equal(BUDGET);
    await expectMarketBacksLedger(f, f.usdc);
    await expectProviderReleased(f, f.bob, [job2]);
    await expectRegistryBacksStake(f);
  });

  it("test_paramsChange_duringTheAuction_collateralStaysAtTheCreationRatio", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await (await f.market.connect(f.admin).setMarketParams(PARAMS_3)).wait();
    await commitBid(f, f.alice, jobId, P1_5);
    const job = await f.market.jobOf(jobId);
    await networkHelpers.time.increaseTo(job.bidDeadline);
    await revealBid(f, f.alice, jobId, P1_5);
    await networkHelpers.time.increaseTo(job.revealDeadline);
    await (await f.market.award(jobId)).wait();
    // 30% of the value (set 1), not 50% (set 3).
    const expected = collateralAtClearing(collateralAtReserve(BUDGET), P1_5);
    expect(expected).to.equal(36n * GRL);
    expect((await f.market.jobOf(jobId)).collateral).to.equal(expected);
    expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(expected);
  });
});
