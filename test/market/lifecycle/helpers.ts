import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import { providerSigner, RESULT_HASH, RESULT_URI } from "../../kit/jobs.ts";
import {
  CHALLENGE_WINDOW,
  COLLATERAL_BPS,
  GRL_USD_ANSWER,
  JobState,
  type MarketFixture,
  PROVIDER_STAKE,
  USDC,
} from "../../kit/market.ts";
import { bpsOfUp, ceilDiv, RESERVE } from "../../kit/money.ts";
import { GRL, H100, reputationAfterJob } from "../../kit/protocol.ts";

type NetworkHelpers = NetworkConnection["networkHelpers"];

// ---------------------------------------------------------------------------------------------------
// The market's arithmetic, restated independently (JobMath), for exact expectations.
// ---------------------------------------------------------------------------------------------------

/** Prices used across the lifecycles, per GPU-hour. */
export const P1_2 = (12n * USDC) / 10n;
export const P1_5 = (15n * USDC) / 10n;
export const P1_8 = (18n * USDC) / 10n;

/** Initial reputation and its updates (ReputationMath). */
export const INITIAL_REPUTATION = 5_000n;
/** After a success settling a job worth `value` USDC units (a $100 job or more takes a full step). */
export function successScore(score: bigint, value: bigint, decimals = 6n): bigint {
  return reputationAfterJob(score, value, decimals);
}
export function faultScore(score: bigint): bigint {
  return (score * 2n) / 3n;
}

/** GRL collateral priced at creation: collateralBps of the budget's GRL worth, both rounded up. */
export function collateralAtReserve(
  budget: bigint,
  tokenDecimals = 6n,
  answer8: bigint = GRL_USD_ANSWER,
  collateralBps: bigint = COLLATERAL_BPS,
): bigint {
  const price18 = answer8 * 10n ** 10n;
  const grl = ceilDiv(budget * 10n ** (18n - tokenDecimals) * GRL, price18);
  return bpsOfUp(grl, collateralBps);
}

/** The collateral scaled to the clearing price at award, rounded up. */
export function collateralAtClearing(collateral: bigint, clearing: bigint, reserve: bigint = RESERVE): bigint {
  return ceilDiv(collateral * clearing, reserve);
}

// ---------------------------------------------------------------------------------------------------
// Ledger and stake checks
// ---------------------------------------------------------------------------------------------------

/** Any token the market can hold: its balance is all the conservation check needs. */
export interface BalanceToken {
  getAddress(): Promise<string>;
  balanceOf(account: string): Promise<bigint>;
}

export type Party = "renter" | "renter2" | "alice" | "bob" | "carol" | "treasury" | "admin" | "arbiter" | "outsider";

export function parties(f: MarketFixture): Record<Party, HardhatEthersSigner> {
  return {
    renter: f.renter,
    renter2: f.renter2,
    alice: f.alice,
    bob: f.bob,
    carol: f.carol,
    treasury: f.treasury,
    admin: f.admin,
    arbiter: f.arbiter,
    outsider: f.outsider,
  };
}

/** Every party's withdrawable balance of `token` on the market. */
export async function ledger(f: MarketFixture, token: string): Promise<Record<Party, bigint>> {
  const out = {} as Record<Party, bigint>;
  for (const [name, signer] of Object.entries(parties(f)) as [Party, HardhatEthersSigner][]) {
    out[name] = await f.market.balanceOf(token, signer.address);
  }
  return out;
}

/**
 * Asserts the market ledger of `token` exactly: the listed parties hold the given balances and every
 * other party holds nothing. Returns the ledger.
 */
export async function expectLedger(
  f: MarketFixture,
  token: string,
  expected: Partial<Record<Party, bigint>>,
): Promise<Record<Party, bigint>> {
  const actual = await ledger(f, token);
  const want = {} as Record<Party, bigint>;
  for (const name of Object.keys(actual) as Party[]) want[name] = expected[name] ?? 0n;
  expect(actual).to.deep.equal(want);
  return actual;
}

/**
 * Solvency: the market's balance of `token` equals the sum of every ledger balance plus the escrow
 * still held by open jobs (`openEscrow`, default 0 once every job is final) and open dispute bonds.
 */
export async function expectMarketBacksLedger(f: MarketFixture, token: BalanceToken, openEscrow = 0n): Promise<void> {
  const balances = await ledger(f, await token.getAddress());
  const sum = Object.values(balances).reduce((a, b) => a + b, 0n);
  expect(await token.balanceOf(await f.market.getAddress())).to.equal(sum + openEscrow);
}

/**
 * After a job is final: no lock left for it, nothing locked at all, no GPU leased, and the free stake
 * equal to `freeStake` (PROVIDER_STAKE less what was slashed).
 */
export async function expectProviderReleased(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  jobIds: bigint[],
  freeStake: bigint = PROVIDER_STAKE,
): Promise<void> {
  for (const jobId of jobIds) expect(await f.market.lockOf(jobId, provider.address)).to.equal(0n);
  const p = await f.registry.providerOf(provider.address);
  expect(p.lockedStake).to.equal(0n);
  expect(p.freeStake).to.equal(freeStake);
  expect(p.unbondingStake).to.equal(0n);
  expect((await f.registry.gpuLineOf(provider.address, H100)).leased).to.equal(0n);
}

/** The registry holds exactly the stake of the three providers (GRL conservation in the registry). */
export async function expectRegistryBacksStake(f: MarketFixture): Promise<void> {
  let sum = 0n;
  for (const provider of [f.alice, f.bob, f.carol]) {
    const p = await f.registry.providerOf(provider.address);
    sum += p.freeStake + p.lockedStake + p.unbondingStake;
  }
  expect(await f.token.balanceOf(await f.registry.getAddress())).to.equal(sum);
}

export async function reputationOf(f: MarketFixture, provider: HardhatEthersSigner): Promise<bigint> {
  return (await f.registry.providerOf(provider.address)).reputation;
}

// ---------------------------------------------------------------------------------------------------
// Lifecycle steps at exact timestamps
// ---------------------------------------------------------------------------------------------------

/** Starts an awarded job as its winner; returns the start time. */
export async function startJob(f: MarketFixture, jobId: bigint): Promise<bigint> {
  const job = await f.market.jobOf(jobId);
  await (await f.market.connect(providerSigner(f, job.provider)).startJob(jobId)).wait();
  return (await f.market.jobOf(jobId)).startedAt;
}

/** Claims as the job's provider exactly `elapsed` seconds after the start; returns the gross released. */
export async function claimAt(
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  jobId: bigint,
  elapsed: bigint,
): Promise<bigint> {
  const job = await f.market.jobOf(jobId);
  const before = job.claimed;
  await networkHelpers.time.setNextBlockTimestamp(job.startedAt + elapsed);
  await (await f.market.connect(providerSigner(f, job.provider)).claim(jobId)).wait();
  return (await f.market.jobOf(jobId)).claimed - before;
}

/** Delivers exactly at the end of the paid duration; returns the challenge deadline. */
export async function deliverAtEnd(f: MarketFixture, networkHelpers: NetworkHelpers, jobId: bigint): Promise<bigint> {
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.setNextBlockTimestamp(job.startedAt + job.duration);
  await (await f.market.connect(providerSigner(f, job.provider)).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
  const deadline = (await f.market.jobOf(jobId)).deadline;
  expect(deadline).to.equal(job.startedAt + job.duration + CHALLENGE_WINDOW);
  return deadline;
}

/** Settles a delivered job at the first second the challenge window allows it. */
export async function settleAtDeadline(f: MarketFixture, networkHelpers: NetworkHelpers, jobId: bigint): Promise<void> {
  const deadline = (await f.market.jobOf(jobId)).deadline;
  await networkHelpers.time.setNextBlockTimestamp(deadline);
  await (await f.market.connect(f.outsider).settle(jobId)).wait();
}

/** Withdraws every listed party's whole balance of `token` to itself. */
export async function withdrawAll(f: MarketFixture, token: string, who: HardhatEthersSigner[]): Promise<void> {
  for (const s of who) {
    if ((await f.market.balanceOf(token, s.address)) > 0n) {
      await (await f.market.connect(s).withdraw(token, s.address)).wait();
    }
  }
}

/**
 * Payment token the market still holds for open jobs in `token`: every job's remaining escrow, plus
 * the dispute bond of jobs still disputed.
 */
export async function openEscrowOf(f: MarketFixture, token: string): Promise<bigint> {
  let sum = 0n;
  const count = await f.market.jobCount();
  for (let id = 1n; id <= count; id++) {
    const job = await f.market.jobOf(id);
    if (job.paymentToken !== token) continue;
    sum += job.escrow;
    if (job.state === JobState.Disputed) sum += job.disputeBond;
  }
  return sum;
}
