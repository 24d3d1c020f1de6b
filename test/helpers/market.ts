import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import type {
  ChainlinkPriceOracle,
  IJobMarket,
  JobMarket,
  MockAggregatorV3,
  MockStablecoin,
  Settlement,
} from "../../types/ethers-contracts/index.js";
import { deployProtocol, GRL, H100, MIN_STAKE_PER_GPU, type ProtocolFixture } from "./fixtures.js";

type Ethers = NetworkConnection["ethers"];

/** One USDC (6 decimals). */
export const USDC = 10n ** 6n;
/** GRL/USD at deployment: $0.50, as an 8-decimals Chainlink answer. */
export const GRL_USD_ANSWER = 50_000_000n;
export const FEED_DECIMALS = 8;
export const ORACLE_HEARTBEAT = 24n * 3600n;
export const ORACLE_MIN_ANSWER = 1_000_000n; // $0.01
export const ORACLE_MAX_ANSWER = 1_000_000_000_000n; // $10,000

export const HOUR = 3600n;
export const DAY = 24n * HOUR;
export const WEEK = 7n * DAY;

/** Settlement defaults (docs/PROTOCOL.md): 1-week epochs, 25 bps purchase spread; test-sized cap and budget. */
export const EPOCH_LENGTH = WEEK;
export const SPREAD_BPS = 25n;
/** GRL mintable for earnings per epoch in the fixture. */
export const MINT_CAP_PER_EPOCH = 1_000_000n * GRL;
/** GRL shared among providers per epoch in the fixture. */
export const EMISSION_BUDGET_PER_EPOCH = 100_000n * GRL;

/** PricingRule enum values. */
export const FIRST_PRICE = 0n;
export const SECOND_PRICE = 1n;
export const INSTANT = 2n;

/** JobState enum values. */
export const JobState = {
  None: 0n,
  Bidding: 1n,
  Revealing: 2n,
  Awarded: 3n,
  Running: 4n,
  Delivered: 5n,
  Disputed: 6n,
  Settled: 7n,
  Expired: 8n,
  Cancelled: 9n,
  Failed: 10n,
  Resolved: 11n,
} as const;

/** BidStatus enum values. */
export const BidStatus = { None: 0n, Committed: 1n, Revealed: 2n, Closed: 3n } as const;

/** Ruling and FailureReason enum values. */
export const PROVIDER_FAULT = 0n;
export const RENTER_FAULT = 1n;
export const NO_SHOW = 0n;
export const LATE_DELIVERY = 1n;

/** docs/PROTOCOL.md defaults for the market's governance parameters. */
export const DEFAULT_PARAMS: IJobMarket.MarketParamsStruct = {
  feeBps: 250,
  collateralBps: 3_000,
  holdbackBps: 2_000,
  slashToRenterBps: 5_000,
  faultSlashBps: 5_000,
  disputeBondBps: 500,
  maxBids: 32,
  bidBond: 50n * GRL,
  bidBondBps: 1_000,
  startWindow: HOUR,
  challengeWindow: DAY,
  disputeTimeout: 3n * DAY,
  deliveryGrace: HOUR,
};

/** Stake each onboarded provider holds: enough for 8 GPUs plus room for bonds and collateral. */
export const PROVIDER_STAKE = 8n * MIN_STAKE_PER_GPU + 20_000n * GRL;
/** USDC minted to each renter. */
export const RENTER_FUNDS = 1_000_000n * USDC;

export interface MarketFixture extends Omit<ProtocolFixture, "market"> {
  /** The job market (it holds MARKET_ROLE on the registry and on the settlement). */
  market: JobMarket;
  /** USD credits, earnings minting and emissions; holds GRL's MINTER_ROLE. Its address is the credits token. */
  settlement: Settlement;
  usdc: MockStablecoin;
  feed: MockAggregatorV3;
  oracle: ChainlinkPriceOracle;
  /** Holds ARBITER_ROLE. */
  arbiter: HardhatEthersSigner;
  /** A third provider (alice and bob are the others). All three: 8 H100 80 GB, online, PROVIDER_STAKE. */
  carol: HardhatEthersSigner;
  /** Renters with RENTER_FUNDS USDC each, approved to the market. */
  renter: HardhatEthersSigner;
  renter2: HardhatEthersSigner;
}

/**
 * The whole protocol on the simulated network: GRL, registry, a $0.50 GRL/USD mock feed behind the
 * Chainlink adapter, a 6-decimals USDC mock (allow-listed), the market with docs/PROTOCOL.md defaults and
 * MARKET_ROLE on the registry, the settlement (GRL MINTER_ROLE, MARKET_ROLE for the market, credits
 * allow-listed as a payment token), three online H100 providers and two funded renters.
 */
export async function deployMarket(ethers: Ethers): Promise<MarketFixture> {
  const base = await deployProtocol(ethers);
  const signers = await ethers.getSigners();
  const [arbiter, carol, renter, renter2] = signers.slice(6, 10);
  const feed = await ethers.deployContract("MockAggregatorV3", [FEED_DECIMALS, GRL_USD_ANSWER]);
  const oracle = await ethers.deployContract("ChainlinkPriceOracle", [
    await feed.getAddress(),
    ORACLE_HEARTBEAT,
    ORACLE_MIN_ANSWER,
    ORACLE_MAX_ANSWER,
  ]);
  const usdc = await ethers.deployContract("MockStablecoin", ["USD Coin (mock)", "USDC", 6]);
  const settlement = await ethers.deployContract("Settlement", [
    await base.token.getAddress(),
    await oracle.getAddress(),
    base.admin.address,
    EPOCH_LENGTH,
    SPREAD_BPS,
    MINT_CAP_PER_EPOCH,
    EMISSION_BUDGET_PER_EPOCH,
  ]);
  const market = await ethers.deployContract("JobMarket", [
    await base.registry.getAddress(),
    await settlement.getAddress(),
    await oracle.getAddress(),
    base.treasury.address,
    base.admin.address,
    arbiter.address,
    DEFAULT_PARAMS,
  ]);
  await base.registry.connect(base.admin).grantRole(await base.registry.MARKET_ROLE(), await market.getAddress());
  await market.connect(base.admin).setPaymentToken(await usdc.getAddress(), true);
  await base.token.connect(base.admin).grantRole(await base.token.MINTER_ROLE(), await settlement.getAddress());
  await settlement.connect(base.admin).grantRole(await settlement.MARKET_ROLE(), await market.getAddress());
  await market.connect(base.admin).setPaymentToken(await settlement.getAddress(), true);

  const { market: _marketRoleEoa, ...rest } = base;
  const f: MarketFixture = { ...rest, market, settlement, usdc, feed, oracle, arbiter, carol, renter, renter2 };
  await base.token.connect(base.treasury).transfer(carol.address, 100_000n * GRL);
  await base.token.connect(carol).approve(await base.registry.getAddress(), ethers.MaxUint256);
  for (const provider of [base.alice, base.bob, carol]) {
    await base.registry.connect(provider).register("ipfs://provider", 840);
    await base.registry.connect(provider).stake(PROVIDER_STAKE);
    await base.registry.connect(provider).setGpuLine(H100, 8, 80, 98_950);
    await base.registry.connect(provider).setOnline(true);
  }
  for (const r of [renter, renter2]) {
    await usdc.mint(r.address, RENTER_FUNDS);
    await usdc.connect(r).approve(await market.getAddress(), ethers.MaxUint256);
  }
  return f;
}

/** The workload spec hash test jobs run (any non-zero hash: the market stores and emits it, bids bind it). */
export const SPEC_HASH = "0xfb467e72a8846509db252cb7779f63b20db81c18d005ca74c47625274958a839";

/** A valid request: 4 H100 (>= 80 GB) for 10 hours at most $2.00 per GPU-hour, first price, 1 h + 1 h windows. */
export function jobRequest(
  f: MarketFixture,
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<IJobMarket.JobRequestStruct> {
  return f.usdc.getAddress().then((paymentToken) => ({
    paymentToken,
    gpuModel: H100,
    gpuCount: 4,
    minVramGb: 80,
    region: 0,
    minReputation: 0,
    duration: 10n * HOUR,
    reservePricePerGpuHour: 2n * USDC,
    pricingRule: FIRST_PRICE,
    bidWindow: HOUR,
    revealWindow: HOUR,
    specHash: SPEC_HASH,
    ...overrides,
  }));
}

/** Creates a job as `renter` (default f.renter) and returns its id. */
export async function createJob(
  f: MarketFixture,
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
  renter: HardhatEthersSigner = f.renter,
): Promise<bigint> {
  const request = await jobRequest(f, overrides);
  await (await f.market.connect(renter).createJob(request)).wait();
  return f.market.jobCount();
}

/** A deterministic salt per provider and price, so tests can reveal without bookkeeping. */
export function saltFor(provider: HardhatEthersSigner, price: bigint): string {
  const hex = (BigInt(provider.address) ^ price).toString(16).padStart(64, "0");
  return "0x" + hex.slice(-64);
}

/** Commits `provider`'s sealed bid of `price` on `jobId` (salt from saltFor). */
export async function commitBid(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  jobId: bigint,
  price: bigint,
): Promise<void> {
  const commitment = await f.market.bidCommitment(jobId, provider.address, price, saltFor(provider, price));
  await (await f.market.connect(provider).commitBid(jobId, commitment)).wait();
}

/** Reveals the bid committed with commitBid. */
export async function revealBid(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  jobId: bigint,
  price: bigint,
): Promise<void> {
  await (await f.market.connect(provider).revealBid(jobId, price, saltFor(provider, price))).wait();
}

/**
 * Runs a job to `Awarded`: creates it, has each [provider, price] commit and reveal, and awards it.
 * Returns the job id.
 */
export async function awardedJob(
  f: MarketFixture,
  networkHelpers: NetworkConnection["networkHelpers"],
  bids: [HardhatEthersSigner, bigint][] = [[f.alice, 15n * USDC / 10n]],
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<bigint> {
  const jobId = await createJob(f, overrides);
  for (const [provider, price] of bids) await commitBid(f, provider, jobId, price);
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.bidDeadline);
  for (const [provider, price] of bids) await revealBid(f, provider, jobId, price);
  await networkHelpers.time.increaseTo(job.revealDeadline);
  await (await f.market.award(jobId)).wait();
  return jobId;
}

/** Runs a job to `Running` (awarded as above, then started by the winner). */
export async function runningJob(
  f: MarketFixture,
  networkHelpers: NetworkConnection["networkHelpers"],
  bids: [HardhatEthersSigner, bigint][] = [[f.alice, 15n * USDC / 10n]],
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<bigint> {
  const jobId = await awardedJob(f, networkHelpers, bids, overrides);
  const winner = (await f.market.jobOf(jobId)).provider;
  const signer = [f.alice, f.bob, f.carol].find((s) => s.address === winner)!;
  await (await f.market.connect(signer).startJob(jobId)).wait();
  return jobId;
}
