import { expect } from "chai";

import { JobState, type MarketFixture, PROVIDER_STAKE, USDC } from "../../kit/market.ts";
import { GRL } from "../../kit/protocol.ts";

// ------------------------------------------------------------------------------------------------
// The default job of test/kit/jobs.ts, worked out by hand
// ------------------------------------------------------------------------------------------------

/** Alice's winning bid per GPU-hour: 1.5 USDC. */
export const PRICE = (15n * USDC) / 10n;
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

/**
 * Reputation at registration, and after one success / one fault from it. The success is weighted by the
 * job's value: $60 of the $100 reference value, weight 6000, so 5000 + floor(5000 x 6000 / 100000).
 */
export const REPUTATION_START = 5_000n;
export const REPUTATION_AFTER_SUCCESS = 5_300n;
export const REPUTATION_AFTER_FAULT = 3_333n;

export const ZERO_HASH = "0x" + "00".repeat(32);

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

/**
 * Asserts the default job `jobId` closed as Settled with alice paid its whole value: nothing left in escrow,
 * her collateral unlocked and her reputation raised by the success.
 */
export async function expectSettledInFull(f: MarketFixture, jobId: bigint): Promise<void> {
  const job = await f.market.jobOf(jobId);
  expect(job.state).to.equal(JobState.Settled);
  expect(job.escrow).to.equal(0n);
  expect(job.claimed).to.equal(VALUE);
  expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(0n);
  await expectProviderState(f, f.alice, {
    freeStake: PROVIDER_STAKE,
    lockedStake: 0n,
    reputation: REPUTATION_AFTER_SUCCESS,
  });
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
