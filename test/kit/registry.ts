import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import type { GridleaseToken, ProviderRegistry } from "../../types/ethers-contracts/index.ts";
import { signPermit as signPermitWith } from "../../sdk/index.ts";
import {
  deployProtocol,
  H100,
  MIN_STAKE_PER_GPU,
  onboardProvider,
  type ProtocolFixture,
  REPUTATION_REFERENCE_VALUE,
  reputationAfterSuccess,
  reputationWeight,
} from "./protocol.ts";

type Ethers = NetworkConnection["ethers"];

/** Profile used by `onboardProvider` in the shared fixture. */
export const ONBOARD_METADATA = "ipfs://provider-profile";
export const ONBOARD_REGION = 840n;
export const ONBOARD_VRAM = 80n;
export const ONBOARD_TFLOPS = 98_950n;

/** ReputationMath constants. */
export const INITIAL_REPUTATION = 5_000n;
export const MAX_REPUTATION = 10_000n;

/** ProviderRegistry hard bounds. */
export const MAX_METADATA_URI_LENGTH = 256n;
export const MIN_STAKE_PER_GPU_FLOOR = 10n ** 18n;
export const MIN_STAKE_PER_GPU_CEILING = 1_000_000n * 10n ** 18n;
export const UNBONDING_PERIOD_FLOOR = 7n * 24n * 60n * 60n;
export const UNBONDING_PERIOD_CEILING = 90n * 24n * 60n * 60n;
export const REPUTATION_REFERENCE_VALUE_FLOOR = 10n ** 18n;
export const REPUTATION_REFERENCE_VALUE_CEILING = 1_000_000n * 10n ** 18n;

/** A plain-object copy of `IProviderRegistry.Provider`, for deep comparisons. */
export interface ProviderState {
  freeStake: bigint;
  lockedStake: bigint;
  unbondingStake: bigint;
  unbondingUnlocksAt: bigint;
  reputation: bigint;
  region: bigint;
  registered: boolean;
  online: boolean;
  listedGpus: bigint;
}

/** A plain-object copy of `IProviderRegistry.GpuLine`. */
export interface GpuLineState {
  count: bigint;
  leased: bigint;
  vramGb: bigint;
  tflopsX100: bigint;
}

/** What `providerOf` returns for an account that never registered. */
export const UNREGISTERED: ProviderState = {
  freeStake: 0n,
  lockedStake: 0n,
  unbondingStake: 0n,
  unbondingUnlocksAt: 0n,
  reputation: 0n,
  region: 0n,
  registered: false,
  online: false,
  listedGpus: 0n,
};

export const NO_LINE: GpuLineState = { count: 0n, leased: 0n, vramGb: 0n, tflopsX100: 0n };

type AccountLike = string | { address: string };

function addressOf(account: AccountLike): string {
  return typeof account === "string" ? account : account.address;
}

export async function providerState(registry: ProviderRegistry, account: AccountLike): Promise<ProviderState> {
  const p = await registry.providerOf(addressOf(account));
  return {
    freeStake: p.freeStake,
    lockedStake: p.lockedStake,
    unbondingStake: p.unbondingStake,
    unbondingUnlocksAt: p.unbondingUnlocksAt,
    reputation: p.reputation,
    region: p.region,
    registered: p.registered,
    online: p.online,
    listedGpus: p.listedGpus,
  };
}

/** Asserts the listed fields of `providerOf(account)` (all fields when `expected` is a full ProviderState). */
export async function expectProvider(
  registry: ProviderRegistry,
  account: AccountLike,
  expected: Partial<ProviderState>,
): Promise<void> {
  const actual = await providerState(registry, account);
  const picked: Partial<ProviderState> = {};
  for (const key of Object.keys(expected) as (keyof ProviderState)[]) {
    (picked as Record<string, unknown>)[key] = actual[key];
  }
  expect(picked).to.deep.equal(expected);
}

export async function gpuLineState(
  registry: ProviderRegistry,
  account: AccountLike,
  model: string,
): Promise<GpuLineState> {
  const line = await registry.gpuLineOf(addressOf(account), model);
  return { count: line.count, leased: line.leased, vramGb: line.vramGb, tflopsX100: line.tflopsX100 };
}

export async function expectGpuLine(
  registry: ProviderRegistry,
  account: AccountLike,
  model: string,
  expected: GpuLineState,
): Promise<void> {
  expect(await gpuLineState(registry, account, model)).to.deep.equal(expected);
}

/**
 * Stake conservation: the registry's GRL balance equals the sum over `providers` of free + locked + unbonding
 * stake. `providers` must include every account that ever staked in the scenario.
 */
export async function expectConservation(f: ProtocolFixture, providers: AccountLike[]): Promise<void> {
  let sum = 0n;
  for (const provider of providers) {
    const p = await providerState(f.registry, provider);
    sum += p.freeStake + p.lockedStake + p.unbondingStake;
  }
  expect(await f.token.balanceOf(await f.registry.getAddress())).to.equal(sum);
}

/** Registers `provider` with a profile and, if `amount` > 0, stakes `amount` (no GPUs listed, offline). */
export async function registerAndStake(
  f: ProtocolFixture,
  provider: HardhatEthersSigner,
  amount: bigint,
  metadataURI = ONBOARD_METADATA,
  region = ONBOARD_REGION,
): Promise<void> {
  await f.registry.connect(provider).register(metadataURI, region);
  if (amount > 0n) await f.registry.connect(provider).stake(amount);
}

/**
 * Locks `amount` of `provider`'s free stake under `lockId` as the market does, through lockIfEligible, for a
 * job of one H100 with no region, VRAM or reputation floor: the provider must be online with an H100 line
 * (as `onboardProvider` leaves it).
 */
export function lockStake(f: ProtocolFixture, provider: AccountLike, lockId: bigint, amount: bigint) {
  return f.registry.connect(f.market).lockIfEligible(addressOf(provider), lockId, amount, H100, 1, 0, 0, 0);
}

/**
 * The reputation score after a success, as IProviderRegistry.unlockAndRecordSuccess specifies it, for a
 * job worth `valueUsd18` (default: the reference value, a full step).
 */
export function successScore(score: bigint, valueUsd18: bigint = REPUTATION_REFERENCE_VALUE): bigint {
  return reputationAfterSuccess(score, reputationWeight(valueUsd18));
}

/** The reputation score after a fault, as IProviderRegistry.recordFault specifies it. */
export function faultScore(score: bigint): bigint {
  return (score * 2n) / 3n;
}

export interface PermitRequest {
  /** The key that signs; defaults to `owner` (a different signer yields an invalid permit). */
  signer?: HardhatEthersSigner;
  owner: HardhatEthersSigner;
  spender: string;
  value: bigint;
  deadline: bigint;
  /** Defaults to the owner's current permit nonce. */
  nonce?: bigint;
}

/** Signs an EIP-2612 permit for GRL and returns its v, r, s. */
export async function signPermit(
  token: GridleaseToken,
  request: PermitRequest,
): Promise<{ v: number; r: string; s: string }> {
  return signPermitWith(request.signer ?? request.owner, token, {
    owner: request.owner.address,
    spender: request.spender,
    value: request.value,
    deadline: request.deadline,
    nonce: request.nonce,
  });
}

/** loadFixture functions for the registry tests (each built once per connection: loadFixture keys on identity). */
export interface RegistryFixtures {
  /** deployProtocol: nobody registered. */
  fixture(): Promise<ProtocolFixture>;
  /** Alice registered with exactly enough stake for 4 GPUs (800 GRL), nothing listed, offline. */
  stakedFixture(): Promise<ProtocolFixture>;
  /** Alice onboarded (onboardProvider): 4 H100 at 80 GB, 1800 GRL free (800 required), online, reputation 5000. */
  onboardedFixture(): Promise<ProtocolFixture>;
}

/** The registry fixtures of one network connection. */
export function registryFixtures(ethers: Ethers): RegistryFixtures {
  return {
    async fixture() {
      return deployProtocol(ethers);
    },
    async stakedFixture() {
      const f = await deployProtocol(ethers);
      await registerAndStake(f, f.alice, 4n * MIN_STAKE_PER_GPU);
      return f;
    },
    async onboardedFixture() {
      const f = await deployProtocol(ethers);
      await onboardProvider(f, f.alice);
      return f;
    },
  };
}
