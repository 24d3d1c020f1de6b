import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { AbiCoder, keccak256, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import { SPEC_HASH } from "../../kit/jobs.ts";
import {
  BID_BOND,
  DAY,
  DEFAULT_PARAMS,
  HOUR,
  JobState,
  type MarketFixture,
  PROVIDER_STAKE,
  USDC,
} from "../../kit/market.ts";
import { BPS, ceilDiv } from "../../kit/money.ts";
import { GRL, H100 } from "../../kit/protocol.ts";

type Ethers = NetworkConnection["ethers"];
type NetworkHelpers = NetworkConnection["networkHelpers"];

/** IJobMarket.RequestField enum values. */
export const RequestField = {
  GpuModel: 0n,
  GpuCount: 1n,
  MinReputation: 2n,
  Duration: 3n,
  ReservePricePerGpuHour: 4n,
  BidWindow: 5n,
  RevealWindow: 6n,
  MinVramGb: 7n,
  SpecHash: 8n,
} as const;

/** IJobMarket.Parameter enum values, in MarketParams order. */
export const Parameter = {
  FeeBps: 0n,
  CollateralBps: 1n,
  HoldbackBps: 2n,
  SlashToRenterBps: 3n,
  FaultSlashBps: 4n,
  DisputeBondBps: 5n,
  MaxBids: 6n,
  BidBond: 7n,
  BidBondBps: 8n,
  StartWindow: 9n,
  ChallengeWindow: 10n,
  DisputeTimeout: 11n,
  DeliveryGrace: 12n,
} as const;

/** MarketParams field names, in struct (and Parameter enum) order. */
export const PARAM_KEYS = [
  "feeBps",
  "collateralBps",
  "holdbackBps",
  "slashToRenterBps",
  "faultSlashBps",
  "disputeBondBps",
  "maxBids",
  "bidBond",
  "bidBondBps",
  "startWindow",
  "challengeWindow",
  "disputeTimeout",
  "deliveryGrace",
] as const;

export type ParamKey = (typeof PARAM_KEYS)[number];

/** The hard bounds of JobMarket._setMarketParams, [min, max] per parameter. */
export const PARAM_BOUNDS: Record<ParamKey, [bigint, bigint]> = {
  feeBps: [0n, 500n],
  collateralBps: [100n, 10_000n],
  holdbackBps: [0n, 5_000n],
  slashToRenterBps: [0n, 10_000n],
  faultSlashBps: [1n, 10_000n],
  disputeBondBps: [1n, 5_000n],
  maxBids: [1n, 256n],
  bidBond: [GRL, 100_000n * GRL],
  bidBondBps: [0n, 5_000n],
  startWindow: [5n * 60n, 7n * DAY],
  challengeWindow: [HOUR, 3n * DAY],
  disputeTimeout: [HOUR, 3n * DAY],
  deliveryGrace: [0n, DAY],
};

/** JobMarket request bounds. */
export const MAX_GPU_COUNT = 1024n;
export const MIN_DURATION = 60n;
export const MAX_DURATION = 365n * DAY;
export const MIN_AUCTION_WINDOW = 60n;
export const MAX_AUCTION_WINDOW = 7n * DAY;
export const MAX_REPUTATION = 10_000n;

/** Its budget: 2 x 4 x 10 = 80 USDC. */
export const BUDGET = 80n * USDC;
/** 30% of $80 in GRL at $0.50. */
export const COLLATERAL = 48n * GRL;
/** What a bid on the default job locks: bond + collateral at the reserve. */
export const BID_LOCK = BID_BOND + COLLATERAL;
/** GRL/USD at deployment with 18 decimals ($0.50). */
export const GRL_USD_PRICE = GRL / 2n;

/** GRL worth `bps` of `budget` (a `decimals` stablecoin) at `grlUsdPrice` (18 decimals), rounded up twice. */
export function collateralFor(budget: bigint, decimals: bigint, grlUsdPrice: bigint, bps: bigint): bigint {
  const grl = ceilDiv(budget * 10n ** (18n - decimals) * GRL, grlUsdPrice);
  return ceilDiv(grl * bps, BPS);
}

/** The collateral at award: collateral x clearing / reserve, rounded up. */
export function scaledCollateral(collateral: bigint, clearing: bigint, reserve: bigint): bigint {
  return ceilDiv(collateral * clearing, reserve);
}

/** keccak256(abi.encode(jobId, provider, price, salt, chainId, market, specHash)), computed off-chain. */
export function commitmentOf(
  jobId: bigint,
  provider: string,
  price: bigint,
  salt: string,
  chainId: bigint,
  market: string,
  specHash: string = SPEC_HASH,
): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address", "uint96", "bytes32", "uint256", "address", "bytes32"],
      [jobId, provider, price, salt, chainId, market, specHash],
    ),
  );
}

/** The commitment as the market stores it: its low 248 bits (the first byte reads 0). */
export function storedCommitment(commitment: string): string {
  return "0x00" + commitment.slice(4);
}

/** The stored job as a plain object (field name -> value), for deep comparisons. */
export async function jobObject(f: MarketFixture, jobId: bigint): Promise<Record<string, unknown>> {
  const job = await f.market.jobOf(jobId);
  return {
    renter: job.renter,
    gpuCount: job.gpuCount,
    pricingRule: job.pricingRule,
    state: job.state,
    region: job.region,
    minReputation: job.minReputation,
    paymentToken: job.paymentToken,
    bidDeadline: job.bidDeadline,
    revealDeadline: job.revealDeadline,
    gpuModel: job.gpuModel,
    reservePricePerGpuHour: job.reservePricePerGpuHour,
    duration: job.duration,
    minVramGb: job.minVramGb,
    paramsId: job.paramsId,
    bidCount: job.bidCount,
    revealCount: job.revealCount,
    provider: job.provider,
    bestPrice: job.bestPrice,
    secondPrice: job.secondPrice,
    clearingPrice: job.clearingPrice,
    deadline: job.deadline,
    escrow: job.escrow,
    claimed: job.claimed,
    collateral: job.collateral,
    disputeBond: job.disputeBond,
    startedAt: job.startedAt,
    specHash: job.specHash,
  };
}

/** The provider's bid as a plain object. */
export async function bidObject(
  f: MarketFixture,
  jobId: bigint,
  provider: string,
): Promise<{ commitment: string; lockedGrl: bigint; price: bigint; status: bigint }> {
  const bid = await f.market.bidOf(jobId, provider);
  return { commitment: bid.commitment, lockedGrl: bid.lockedGrl, price: bid.price, status: bid.status };
}

/** MarketParams as bigints, with DEFAULT_PARAMS for every field not overridden. */
export function params(overrides: Partial<Record<ParamKey, bigint>> = {}): Record<ParamKey, bigint> {
  const out = {} as Record<ParamKey, bigint>;
  for (const key of PARAM_KEYS) out[key] = overrides[key] ?? BigInt(DEFAULT_PARAMS[key]);
  return out;
}

/** A MarketParams struct's fields as an ordered array (what a struct event argument decodes to). */
export function paramsTuple(p: IJobMarket.MarketParamsStruct): bigint[] {
  return PARAM_KEYS.map((key) => BigInt(p[key]));
}

/** The stored parameter set `id` as a plain object. */
export async function paramsObject(f: MarketFixture, id: bigint): Promise<Record<ParamKey, bigint>> {
  const p = await f.market.marketParams(id);
  const out = {} as Record<ParamKey, bigint>;
  for (const key of PARAM_KEYS) out[key] = p[key];
  return out;
}

export async function freeStakeOf(f: MarketFixture, account: { address: string }): Promise<bigint> {
  return (await f.registry.providerOf(account.address)).freeStake;
}

/** Sets the governance parameters for jobs created from now on. */
export async function setParams(f: MarketFixture, overrides: Partial<Record<ParamKey, bigint>>): Promise<void> {
  await (await f.market.connect(f.admin).setMarketParams(params(overrides))).wait();
}

/**
 * Onboards `count` extra providers (impersonated accounts with deterministic addresses), each like the
 * fixture's: registered in region 840, PROVIDER_STAKE staked, 8 H100 80 GB listed, online.
 */
export async function onboardExtraProviders(
  f: MarketFixture,
  ethers: Ethers,
  networkHelpers: NetworkHelpers,
  count: number,
): Promise<HardhatEthersSigner[]> {
  const registry = await f.registry.getAddress();
  const providers: HardhatEthersSigner[] = [];
  for (let i = 0; i < count; i++) {
    const address = ethers.getAddress(ethers.dataSlice(ethers.id(`gridlease-auction-provider-${i}`), 12));
    await networkHelpers.impersonateAccount(address);
    await networkHelpers.setBalance(address, 10n ** 20n);
    const provider = await ethers.getSigner(address);
    await (await f.token.connect(f.treasury).transfer(address, PROVIDER_STAKE)).wait();
    await (await f.token.connect(provider).approve(registry, PROVIDER_STAKE)).wait();
    await (await f.registry.connect(provider).register("ipfs://provider", 840)).wait();
    await (await f.registry.connect(provider).stake(PROVIDER_STAKE)).wait();
    await (await f.registry.connect(provider).setGpuLine(H100, 8, 80, 98_950)).wait();
    await (await f.registry.connect(provider).setOnline(true)).wait();
    providers.push(provider);
  }
  return providers;
}

/** A receipt's logs as comparable records (emitter, topics, data), in order. */
export type LogRecord = { address: string; topics: readonly string[]; data: string };

/**
 * Sends the transactions `sends` makes, in order, mined together in one block at timestamp `at`, and
 * returns their logs: what a combined call made at `at` must emit, log for log. A fixed gas limit
 * skips estimation, which would run each call before the previous one is mined.
 */
export async function logsOfOneBlock(
  ethers: Ethers,
  networkHelpers: NetworkHelpers,
  at: bigint,
  sends: Send[],
): Promise<LogRecord[]> {
  await ethers.provider.send("evm_setAutomine", [false]);
  const sent: ContractTransactionResponse[] = [];
  try {
    for (const send of sends) sent.push(await send({ gasLimit: 1_000_000n }));
    await networkHelpers.time.setNextBlockTimestamp(at);
    await networkHelpers.mine();
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  const receipts: (ContractTransactionReceipt | null)[] = [];
  for (const tx of sent) receipts.push(await tx.wait());
  return logsOf(...receipts);
}

/** The logs of receipts as comparable records, in order. */
export function logsOf(...receipts: (ContractTransactionReceipt | null)[]): LogRecord[] {
  return receipts.flatMap((r) =>
    (r as ContractTransactionReceipt).logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })),
  );
}

/** A transaction sender that takes the overrides (the gas limit) a one-block batch needs. */
export type Send = (overrides: { gasLimit: bigint }) => Promise<ContractTransactionResponse>;

/**
 * Checks that a combined call (`combined`) at timestamp `at` emits exactly the logs of the `separate`
 * calls mined together in one block at `at`, and leaves the same `outcome`. Each side starts from
 * the fixture `load`.
 */
export async function expectCombinedLikeSeparate<F>(
  ethers: Ethers,
  networkHelpers: NetworkHelpers,
  load: () => Promise<F>,
  at: bigint,
  calls: {
    separate: (f: F) => Send[];
    combined: (f: F) => Promise<ContractTransactionResponse>;
    outcome: (f: F) => Promise<unknown>;
  },
): Promise<void> {
  let f = await networkHelpers.loadFixture(load);
  const separateLogs = await logsOfOneBlock(ethers, networkHelpers, at, calls.separate(f));
  const separateOutcome = await calls.outcome(f);
  f = await networkHelpers.loadFixture(load);
  await networkHelpers.time.setNextBlockTimestamp(at);
  const combinedLogs = logsOf(await (await calls.combined(f)).wait());
  expect(combinedLogs).to.deep.equal(separateLogs);
  expect(await calls.outcome(f)).to.deep.equal(separateOutcome);
}

/**
 * Runs a job that `provider` just started to its end: delivers after the duration (the GPUs are
 * released), settles after the challenge window, and checks that the lock is gone.
 */
export async function expectDeliversAndSettles(
  f: MarketFixture,
  ethers: Ethers,
  networkHelpers: NetworkHelpers,
  provider: HardhatEthersSigner,
  jobId: bigint,
): Promise<void> {
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increase(job.duration);
  await expect(f.market.connect(provider).deliver(jobId, ethers.id("result"), "ipfs://result"))
    .to.emit(f.registry, "GpusReleased")
    .withArgs(provider.address, job.gpuModel, job.gpuCount, 0n);
  await networkHelpers.time.increase(3n * DAY);
  await expect(f.market.settle(jobId)).to.emit(f.market, "JobSettled");
  expect(await f.market.stateOf(jobId)).to.equal(JobState.Settled);
  expect(await f.market.lockOf(jobId, provider.address)).to.equal(0n);
}
