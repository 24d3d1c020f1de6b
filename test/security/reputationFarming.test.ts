import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../kit/fixtures.ts";
import { RESULT_HASH, RESULT_URI, SPEC_HASH } from "../kit/jobs.ts";
import { DAY, FEE_BPS, GRL_USD_ANSWER, HOUR, INSTANT, type MarketFixture, USDC } from "../kit/market.ts";
import { H100, REPUTATION_REFERENCE_VALUE, reputationAfterSuccess } from "../kit/protocol.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

/**
 * Reputation farming with self-dealt jobs, played as the attacker would. The renter controls a new provider
 * (alice, 5,000). It posts instant jobs for 1 GPU for 60 seconds; alice accepts and starts each one at once
 * and delivers it in the next block; the whole batch runs inside one challenge window (1 day) and settles at
 * its end. The attacker pays itself, so its only cost is the protocol fee (2.5%).
 *
 * Before: every success closed a tenth of the gap to 10,000, whatever the job was worth. Dust jobs (value
 * 1 unit, $0.000001, fee 0) took alice from 5,000 to 10,000 in 65 jobs, erased a fault (5,000 -> 3,333) with
 * 3 and took it to 8,120 with 12, and `minReputation` filtered nothing.
 *
 * After: a success is weighted by the job's value in USD against the registry's reference value ($100): a
 * job worth less than a thousandth of it never counts, and a full step needs a $100 job. The cheapest way to
 * 10,000 is 65 jobs of $100, paying $162.50 in fees; a fault is erased by 3 of them ($7.50 in fees).
 */

/** The smallest instant job the market accepts: 1 GPU x 60 s at 60 units per GPU-hour = 1 unit ($0.000001). */
const DUST_PRICE = 60n;
const DUST_VALUE = 1n;
const DUST_JOBS = 70;
/** 1 GPU x 60 s worth exactly the reference value ($100): $6,000 per GPU-hour. */
const FULL_PRICE = 6_000n * USDC;
const FULL_VALUE = 100n * USDC;

const START = 5_000n;
const MAX = 10_000n;

/** The unweighted rule (every success a full step), as it was before the fix. */
function oldRule(score: bigint, jobs: number): bigint {
  for (let i = 0; i < jobs; i++) score = reputationAfterSuccess(score, 10_000n);
  return score;
}

/** Full-weight successes needed to take `from` to at least `to`. */
function fullStepsBetween(from: bigint, to: bigint): number {
  let n = 0;
  for (let s = from; s < to; s = reputationAfterSuccess(s, 10_000n)) n++;
  return n;
}

/** Successes of $100 from 5,000 to 10,000, and the fee the attacker pays for them (6-decimals USDC). */
const FULL_JOBS_TO_MAX = fullStepsBetween(START, MAX);
const FEE_PER_FULL_JOB = (FULL_VALUE * FEE_BPS) / 10_000n;
const FEES_TO_MAX = BigInt(FULL_JOBS_TO_MAX) * FEE_PER_FULL_JOB;

async function reputationOf(f: MarketFixture, provider: HardhatEthersSigner): Promise<bigint> {
  return (await f.registry.providerOf(provider.address)).reputation;
}

async function treasuryUsdc(f: MarketFixture): Promise<bigint> {
  return f.market.balanceOf(await f.usdc.getAddress(), f.treasury.address);
}

/** The renter posts an instant 1-GPU, 60-second job at `price` per GPU-hour; returns its id. */
async function postInstant(f: MarketFixture, price: bigint, minReputation = 0): Promise<bigint> {
  await (
    await f.market.connect(f.renter).createJob({
      paymentToken: await f.usdc.getAddress(),
      gpuModel: H100,
      gpuCount: 1,
      minVramGb: 80,
      region: 0,
      minReputation,
      duration: 60n,
      reservePricePerGpuHour: price,
      pricingRule: INSTANT,
      bidWindow: HOUR,
      revealWindow: 0,
      specHash: SPEC_HASH,
    })
  ).wait();
  return f.market.jobCount();
}

/**
 * Runs `count` self-dealt jobs at `price`: posted, accepted and started at once, delivered in the next
 * block, all inside one challenge window, then all settled at its end. Returns the job ids.
 */
async function farm(f: MarketFixture, price: bigint, count: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const id = await postInstant(f, price);
    await (await f.market.connect(f.alice).acceptInstantAndStart(id)).wait();
    await (await f.market.connect(f.alice).deliver(id, RESULT_HASH, RESULT_URI)).wait();
    ids.push(id);
  }
  const lastDeadline = (await f.market.jobOf(ids[ids.length - 1])).deadline;
  const firstDelivered = (await f.market.jobOf(ids[0])).deliveredAt;
  expect(lastDeadline - firstDelivered, "the batch does not fit one challenge window").to.be.lessThan(2n * DAY);
  await networkHelpers.time.increaseTo(lastDeadline);
  for (const id of ids) await (await f.market.connect(f.outsider).settle(id)).wait();
  // A day has passed: the oracle answer must be fresh for the next job's collateral pricing.
  await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
  return ids;
}

describe("Security: reputation cannot be farmed with self-dealt dust jobs", function () {
  this.timeout(300_000);

  it(`test_farm_${DUST_JOBS}DustJobs_leaveANewProviderAt5000_wasAt10000`, async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const treasuryBefore = await treasuryUsdc(f);
    const ids = await farm(f, DUST_PRICE, DUST_JOBS);
    for (const id of ids) expect((await f.market.jobOf(id)).escrow).to.equal(0n);
    expect((await f.market.jobOf(ids[0])).claimed, "a dust job is worth one unit").to.equal(DUST_VALUE);

    // The old rule: 70 dust successes took 5,000 to 10,000 (65 were enough) at no fee.
    expect(oldRule(START, DUST_JOBS)).to.equal(MAX);
    expect(fullStepsBetween(START, MAX)).to.equal(65);
    // Now: not a point gained, and still no fee (2.5% of one unit rounds to 0).
    expect(await reputationOf(f, f.alice), `${DUST_JOBS} dust jobs raised reputation above 5,000`).to.equal(START);
    expect(await treasuryUsdc(f)).to.equal(treasuryBefore);

    // minReputation filters again: a job asking for 5,001 is out of the farmer's reach.
    const picky = await postInstant(f, DUST_PRICE, 5_001);
    await expect(f.market.connect(f.alice).acceptInstant(picky))
      .to.be.revertedWithCustomError(f.registry, "RegistryReputationTooLow")
      .withArgs(START, 5_001n);
  });

  it(`test_farm_reaching10000NowTakes${FULL_JOBS_TO_MAX}JobsOf100Usd_costing162_50UsdInFees_was0`, async function () {
    const f = await networkHelpers.loadFixture(fixture);
    expect(REPUTATION_REFERENCE_VALUE).to.equal(await f.registry.reputationReferenceValue());
    expect(FULL_JOBS_TO_MAX).to.equal(65);
    expect(FEE_PER_FULL_JOB).to.equal((25n * USDC) / 10n);
    expect(FEES_TO_MAX).to.equal((16_250n * USDC) / 100n);

    const treasuryBefore = await treasuryUsdc(f);
    // One job short of the path: not there yet.
    await farm(f, FULL_PRICE, FULL_JOBS_TO_MAX - 1);
    expect(await reputationOf(f, f.alice)).to.be.lessThan(MAX);
    await farm(f, FULL_PRICE, 1);
    expect(await reputationOf(f, f.alice)).to.equal(MAX);
    // Every job was worth exactly the reference value, so each took a full step and paid $2.50.
    expect(await treasuryUsdc(f), "fees paid to farm 5,000 -> 10,000").to.equal(treasuryBefore + FEES_TO_MAX);
  });

  it("test_farm_12DustJobsNoLongerEraseAFault_3333Stays3333_was8120_erasingNowCosts3JobsOf100Usd_7_50UsdInFees", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    // Alice accepts a job and never starts it: a no-show, reputation 5,000 -> 3,333.
    const noShow = await postInstant(f, DUST_PRICE);
    await (await f.market.connect(f.alice).acceptInstant(noShow)).wait();
    await networkHelpers.time.increaseTo((await f.market.jobOf(noShow)).deadline);
    await (await f.market.connect(f.outsider).failJob(noShow)).wait();
    const faulted = await reputationOf(f, f.alice);
    expect(faulted).to.equal(3_333n);

    // Before: 12 dust jobs took 3,333 to 8,120, far above where the fault found it.
    expect(oldRule(faulted, 12)).to.equal(8_120n);
    await farm(f, DUST_PRICE, 12);
    expect(await reputationOf(f, f.alice), "12 dust jobs erased a fault").to.equal(faulted);

    // Erasing the fault now takes 3 jobs of $100 (3,333 -> 4,000 -> 4,600 -> 5,140) and $7.50 in fees.
    expect(fullStepsBetween(faulted, START)).to.equal(3);
    const treasuryBefore = await treasuryUsdc(f);
    await farm(f, FULL_PRICE, 3);
    expect(await reputationOf(f, f.alice)).to.equal(5_140n);
    expect(await treasuryUsdc(f)).to.equal(treasuryBefore + 3n * FEE_PER_FULL_JOB);
    expect(3n * FEE_PER_FULL_JOB).to.equal((75n * USDC) / 10n);
  });
});
