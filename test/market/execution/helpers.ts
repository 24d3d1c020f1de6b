import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import type { IJobMarket } from "../../../types/ethers-contracts/index.js";
import { GRL } from "../../helpers/fixtures.js";
import {
  awardedJob,
  commitBid,
  createJob,
  DAY,
  HOUR,
  JobState,
  type MarketFixture,
  PROVIDER_STAKE,
  revealBid,
  runningJob,
  USDC,
} from "../../helpers/market.js";

type NetworkHelpers = NetworkConnection["networkHelpers"];

// ------------------------------------------------------------------------------------------------
// The default job of test/helpers/market.ts, worked out by hand
// ------------------------------------------------------------------------------------------------

/** Alice's winning bid per GPU-hour: 1.5 USDC. */
export const PRICE = (15n * USDC) / 10n;
/** 10 hours. */
export const DURATION = 10n * HOUR;
/** Escrowed at creation: 2 USDC x 4 GPUs x 10 h. */
export const BUDGET = 80n * USDC;
/** Job value at the clearing price: 1.5 USDC x 4 GPUs x 10 h. */
export const VALUE = 60n * USDC;
/** Budget above the value, credited back to the renter at award. */
export const AWARD_REFUND = BUDGET - VALUE;
/**
 * Collateral at creation: ceil(30% of 160 GRL (80 USDC at $0.50)) = 48 GRL; at award it is scaled to the
 * clearing price, ceil(48 x 1.5 / 2) = 36 GRL.
 */
export const COLLATERAL = 36n * GRL;

export const FEE_BPS = 250n;
export const HOLDBACK_BPS = 2_000n;
export const SLASH_TO_RENTER_BPS = 5_000n;
export const FAULT_SLASH_BPS = 5_000n;
export const DISPUTE_BOND_BPS = 500n;
export const START_WINDOW = HOUR;
export const CHALLENGE_WINDOW = DAY;
export const DISPUTE_TIMEOUT = 3n * DAY;
export const DELIVERY_GRACE = HOUR;

/**
 * Reputation at registration, and after one success / one fault from it. The success is weighted by the
 * job's value: $60 of the $100 reference value, weight 6000, so 5000 + floor(5000 x 6000 / 100000).
 */
export const REPUTATION_START = 5_000n;
export const REPUTATION_AFTER_SUCCESS = 5_300n;
export const REPUTATION_AFTER_FAULT = 3_333n;

export const RESULT_HASH = "0x" + "ab".repeat(32);
export const RESULT_URI = "ipfs://bafy-result";
export const EVIDENCE_HASH = "0x" + "cd".repeat(32);
export const ZERO_HASH = "0x" + "00".repeat(32);

export { PROVIDER_STAKE };

// ------------------------------------------------------------------------------------------------
// The money arithmetic as IJobMarket and JobMath state it
// ------------------------------------------------------------------------------------------------

export function bpsOf(amount: bigint, bps: bigint): bigint {
  return (amount * bps) / 10_000n;
}

export function bpsOfUp(amount: bigint, bps: bigint): bigint {
  return (amount * bps + 9_999n) / 10_000n;
}

/** Gross pay accrued after `elapsed` of `duration` seconds, rounded down. */
export function accrued(value: bigint, elapsed: bigint, duration: bigint = DURATION): bigint {
  return elapsed >= duration ? value : (value * elapsed) / duration;
}

/** Pay the provider may have released once `accruedPay` accrued: accrued less the holdback rounded up. */
export function releasable(accruedPay: bigint, holdbackBps: bigint = HOLDBACK_BPS): bigint {
  return accruedPay - bpsOfUp(accruedPay, holdbackBps);
}

/** The protocol fee on a gross payout (rounded down). */
export function feeOf(gross: bigint): bigint {
  return bpsOf(gross, FEE_BPS);
}

/** What the provider nets from a gross payout. */
export function netOf(gross: bigint): bigint {
  return gross - feeOf(gross);
}

// ------------------------------------------------------------------------------------------------
// Scenario builders
// ------------------------------------------------------------------------------------------------

/** The signer among the three providers with this address. */
export function providerSigner(f: MarketFixture, address: string): HardhatEthersSigner {
  const signer = [f.alice, f.bob, f.carol].find((s) => s.address === address);
  if (signer === undefined) throw new Error(`not a fixture provider: ${address}`);
  return signer;
}

/** Mines the next transaction at exactly `t`. */
export async function nextAt(networkHelpers: NetworkHelpers, t: bigint): Promise<void> {
  await networkHelpers.time.setNextBlockTimestamp(t);
}

/** Delivers a running job as its provider, at `at` (default: exactly the end of the paid duration). */
export async function deliverJob(
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  jobId: bigint,
  at?: bigint,
): Promise<bigint> {
  const job = await f.market.jobOf(jobId);
  const t = at ?? job.startedAt + job.duration;
  await nextAt(networkHelpers, t);
  await (await f.market.connect(providerSigner(f, job.provider)).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
  return t;
}

/** The default job, run and delivered exactly at the end of its duration. */
export async function deliveredJob(
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  bids?: [HardhatEthersSigner, bigint][],
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<bigint> {
  const jobId = await runningJob(f, networkHelpers, bids, overrides);
  await deliverJob(f, networkHelpers, jobId);
  return jobId;
}

/** The default job, delivered and disputed by the renter one hour later. */
export async function disputedJob(
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  bids?: [HardhatEthersSigner, bigint][],
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<bigint> {
  const jobId = await deliveredJob(f, networkHelpers, bids, overrides);
  const job = await f.market.jobOf(jobId);
  await nextAt(networkHelpers, job.deadline - CHALLENGE_WINDOW + HOUR);
  const renter = [f.renter, f.renter2].find((s) => s.address === job.renter)!;
  await (await f.market.connect(renter).dispute(jobId, EVIDENCE_HASH)).wait();
  return jobId;
}

/**
 * Several jobs auctioned side by side (so all are Awarded at once): each entry is the request overrides
 * and the [provider, price] bids. Returns the job ids in order.
 */
export async function awardedJobsInParallel(
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  jobs: { overrides?: Partial<IJobMarket.JobRequestStruct>; bids: [HardhatEthersSigner, bigint][] }[],
): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const j of jobs) ids.push(await createJob(f, j.overrides ?? {}));
  for (let i = 0; i < jobs.length; i++) {
    for (const [provider, price] of jobs[i].bids) await commitBid(f, provider, ids[i], price);
  }
  const last = await f.market.jobOf(ids[ids.length - 1]);
  await networkHelpers.time.increaseTo(last.bidDeadline);
  for (let i = 0; i < jobs.length; i++) {
    for (const [provider, price] of jobs[i].bids) await revealBid(f, provider, ids[i], price);
  }
  await networkHelpers.time.increaseTo(last.revealDeadline);
  for (const id of ids) await (await f.market.award(id)).wait();
  return ids;
}

export { awardedJob, runningJob };

// ------------------------------------------------------------------------------------------------
// Assertions
// ------------------------------------------------------------------------------------------------

/** The market's pull-payment balance of `account` in the fixture's USDC. */
export async function ledger(f: MarketFixture, account: string | { address: string }): Promise<bigint> {
  const address = typeof account === "string" ? account : account.address;
  return f.market.balanceOf(await f.usdc.getAddress(), address);
}

/** Asserts the USDC ledger balances of the renter, the treasury and the listed providers. */
export async function expectLedger(
  f: MarketFixture,
  expected: { renter?: bigint; treasury?: bigint; alice?: bigint; bob?: bigint; carol?: bigint },
): Promise<void> {
  const accounts: Record<string, string> = {
    renter: f.renter.address,
    treasury: f.treasury.address,
    alice: f.alice.address,
    bob: f.bob.address,
    carol: f.carol.address,
  };
  const actual: Record<string, bigint> = {};
  for (const key of Object.keys(expected)) actual[key] = await ledger(f, accounts[key]);
  expect(actual).to.deep.equal(expected);
}

export interface ProviderFields {
  freeStake?: bigint;
  lockedStake?: bigint;
  reputation?: bigint;
}

/** Asserts the listed fields of `registry.providerOf(provider)`. */
export async function expectProviderState(
  f: MarketFixture,
  provider: { address: string },
  expected: ProviderFields,
): Promise<void> {
  const p = await f.registry.providerOf(provider.address);
  const all: Record<string, bigint> = { freeStake: p.freeStake, lockedStake: p.lockedStake, reputation: p.reputation };
  const actual: Record<string, bigint> = {};
  for (const key of Object.keys(expected)) actual[key] = all[key];
  expect(actual).to.deep.equal(expected);
}

/** GPUs of `model` the provider has leased. */
export async function leasedGpus(f: MarketFixture, provider: { address: string }, model: string): Promise<bigint> {
  return (await f.registry.gpuLineOf(provider.address, model)).leased;
}

/**
 * Money conservation for `token` (default the fixture's USDC): the market's token balance equals every
 * pull-payment balance (renters, providers, treasury and `extra` accounts) plus, over every job, the escrow
 * still held and the dispute bond of jobs still Disputed.
 */
export async function expectConservation(
  f: MarketFixture,
  extra: string[] = [],
  token?: { getAddress(): Promise<string>; balanceOf(account: string): Promise<bigint> },
): Promise<void> {
  const t = token ?? f.usdc;
  const tokenAddress = await t.getAddress();
  const accounts = new Set<string>([
    f.renter.address,
    f.renter2.address,
    f.alice.address,
    f.bob.address,
    f.carol.address,
    f.treasury.address,
    f.outsider.address,
    f.admin.address,
    f.arbiter.address,
    ...extra,
  ]);
  let owed = 0n;
  for (const account of accounts) owed += await f.market.balanceOf(tokenAddress, account);
  const jobCount = await f.market.jobCount();
  for (let id = 1n; id <= jobCount; id++) {
    const job = await f.market.jobOf(id);
    if (job.paymentToken !== tokenAddress) continue;
    owed += job.escrow;
    if (job.state === JobState.Disputed) owed += job.disputeBond;
  }
  expect(await t.balanceOf(await f.market.getAddress())).to.equal(owed);
}
