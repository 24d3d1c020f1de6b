import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import type {
  ChainlinkPriceOracle,
  IJobMarket,
  JobMarket,
  MockAggregatorV3,
  MockStablecoin,
  Settlement,
} from "../../types/ethers-contracts/index.ts";
import {
  BidStatus as SdkBidStatus,
  FailureReason,
  JobState as SdkJobState,
  PricingRule,
  Ruling,
} from "../../sdk/index.ts";
import { deployProtocol, GRL, H100, MIN_STAKE_PER_GPU, type ProtocolFixture } from "./protocol.ts";

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

/** The contracts' enums as the bigints ethers returns, from the SDK's one definition (sdk/enums.ts). */
export const FIRST_PRICE = PricingRule.onChain.FirstPrice;
export const SECOND_PRICE = PricingRule.onChain.SecondPrice;
export const INSTANT = PricingRule.onChain.Instant;
export const JobState = SdkJobState.onChain;
export const BidStatus = SdkBidStatus.onChain;
export const PROVIDER_FAULT = Ruling.onChain.ProviderFault;
export const RENTER_FAULT = Ruling.onChain.RenterFault;
export const NO_SHOW = FailureReason.onChain.NoShow;
export const LATE_DELIVERY = FailureReason.onChain.LateDelivery;

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

/** DEFAULT_PARAMS as bigints, for the arithmetic of expectations. */
export const FEE_BPS = BigInt(DEFAULT_PARAMS.feeBps);
export const COLLATERAL_BPS = BigInt(DEFAULT_PARAMS.collateralBps);
export const HOLDBACK_BPS = BigInt(DEFAULT_PARAMS.holdbackBps);
export const SLASH_TO_RENTER_BPS = BigInt(DEFAULT_PARAMS.slashToRenterBps);
export const FAULT_SLASH_BPS = BigInt(DEFAULT_PARAMS.faultSlashBps);
export const DISPUTE_BOND_BPS = BigInt(DEFAULT_PARAMS.disputeBondBps);
export const BID_BOND = BigInt(DEFAULT_PARAMS.bidBond);
export const START_WINDOW = BigInt(DEFAULT_PARAMS.startWindow);
export const CHALLENGE_WINDOW = BigInt(DEFAULT_PARAMS.challengeWindow);
export const DISPUTE_TIMEOUT = BigInt(DEFAULT_PARAMS.disputeTimeout);
export const DELIVERY_GRACE = BigInt(DEFAULT_PARAMS.deliveryGrace);

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
