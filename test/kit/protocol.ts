import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { encodeBytes32String } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { GridleaseToken, ProviderRegistry } from "../../types/ethers-contracts/index.ts";

/** 1 GRL in wei. */
export const GRL = 10n ** 18n;
/** Genesis supply minted to the treasury: one billion GRL. */
export const INITIAL_SUPPLY = 1_000_000_000n * GRL;
/** docs/PROTOCOL.md defaults. */
export const MIN_STAKE_PER_GPU = 200n * GRL;
export const UNBONDING_PERIOD = 7n * 24n * 60n * 60n;
/** ProviderRegistry.DEFAULT_REPUTATION_REFERENCE_VALUE: a job worth $100 (USD, 18 decimals) takes a full step. */
export const REPUTATION_REFERENCE_VALUE = 100n * 10n ** 18n;
/** GRL each test provider starts with. */
export const PROVIDER_FUNDS = 100_000n * GRL;

export const H100 = gpuModel("H100");
export const RTX4090 = gpuModel("RTX4090");

/** GPU model ids are short ASCII names stored as bytes32 (ethers' bytes32 short-string encoding). */
export function gpuModel(name: string): string {
  if (name.length === 0) throw new Error("GPU model name must not be empty");
  return encodeBytes32String(name);
}

/**
 * The weight of a success (ReputationMath.weightOf): min(10000, value x 10000 / reference), rounded down,
 * with the value in USD with 18 decimals.
 */
export function reputationWeight(valueUsd18: bigint, reference: bigint = REPUTATION_REFERENCE_VALUE): bigint {
  return valueUsd18 >= reference ? 10_000n : (valueUsd18 * 10_000n) / reference;
}

/**
 * The score after a success of weight `weightBps` (ReputationMath.afterSuccess): a full step closes a tenth
 * of the gap to 10000, rounded up; a partial one that share of a tenth, rounded down.
 */
export function reputationAfterSuccess(score: bigint, weightBps: bigint = 10_000n): bigint {
  const gap = 10_000n - score;
  return weightBps >= 10_000n ? score + (gap + 9n) / 10n : score + (gap * weightBps) / 100_000n;
}

/** The score after settling a job worth `value` of a `decimals`-decimals dollar token (USDC: 6). */
export function reputationAfterJob(score: bigint, value: bigint, decimals = 6n): bigint {
  return reputationAfterSuccess(score, reputationWeight(value * 10n ** (18n - decimals)));
}

export interface ProtocolFixture {
  token: GridleaseToken;
  registry: ProviderRegistry;
  /** Holds DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE (the timelock in production). */
  admin: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  /** An EOA standing in for the job market: holds MARKET_ROLE on the registry. */
  market: HardhatEthersSigner;
  /** Funded with PROVIDER_FUNDS GRL each and registry approval, not registered. */
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  /** Holds no role and no GRL. */
  outsider: HardhatEthersSigner;
}

type Ethers = NetworkConnection["ethers"];

/** Deploys GRL and the registry with roles wired, and funds two would-be providers. */
export async function deployProtocol(ethers: Ethers): Promise<ProtocolFixture> {
  const [admin, treasury, market, alice, bob, outsider] = await ethers.getSigners();
  const token = await ethers.deployContract("GridleaseToken", [admin.address, treasury.address, INITIAL_SUPPLY]);
  const registry = await ethers.deployContract("ProviderRegistry", [
    await token.getAddress(),
    admin.address,
    MIN_STAKE_PER_GPU,
    UNBONDING_PERIOD,
  ]);
  await registry.connect(admin).grantRole(await registry.MARKET_ROLE(), market.address);
  for (const provider of [alice, bob]) {
    await token.connect(treasury).transfer(provider.address, PROVIDER_FUNDS);
    await token.connect(provider).approve(await registry.getAddress(), ethers.MaxUint256);
  }
  return { token, registry, admin, treasury, market, alice, bob, outsider };
}

/**
 * Registers `provider`, lists `gpus` H100s (80 GB, 989.5 TFLOPS), stakes enough for them plus `extraStake`,
 * and goes online.
 */
export async function onboardProvider(
  f: ProtocolFixture,
  provider: HardhatEthersSigner,
  gpus = 4n,
  extraStake = 1_000n * GRL,
): Promise<void> {
  await f.registry.connect(provider).register("ipfs://provider-profile", 840);
  await f.registry.connect(provider).stake(MIN_STAKE_PER_GPU * gpus + extraStake);
  await f.registry.connect(provider).setGpuLine(H100, gpus, 80, 98_950);
  await f.registry.connect(provider).setOnline(true);
}
