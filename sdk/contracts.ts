// The deployed protocol as typed ethers contracts (TypeChain, generated into types/ethers-contracts by
// `hardhat build`), connected to one runner. viem users take the `as const` ABIs of sdk/abis instead.
import type { ContractRunner } from "ethers";

import {
  ChainlinkPriceOracle__factory,
  GridleaseGovernor__factory,
  GridleaseTimelock__factory,
  GridleaseToken__factory,
  JobMarket__factory,
  MockAggregatorV3__factory,
  MockStablecoin__factory,
  ProviderRegistry__factory,
  Settlement__factory,
  type ChainlinkPriceOracle,
  type GridleaseGovernor,
  type GridleaseTimelock,
  type GridleaseToken,
  type JobMarket,
  type MockAggregatorV3,
  type MockStablecoin,
  type ProviderRegistry,
  type Settlement,
} from "../types/ethers-contracts/index.js";
import { requireAddress, type DeployedAddresses } from "./deployment.ts";

export * from "./events.ts";

/** The protocol's contracts, connected to one runner (a signer or a provider). */
export interface Protocol {
  /** The chain the deployment is on. */
  chainId: bigint;
  /** Contract name -> address. */
  addresses: DeployedAddresses;
  /** GRL. */
  token: GridleaseToken;
  /** Provider profiles, inventory and stake. */
  registry: ProviderRegistry;
  /** The GRL/USD price. */
  oracle: ChainlinkPriceOracle;
  /** Credits, burn-mint settlement and emissions. */
  settlement: Settlement;
  /** Jobs, auctions, escrow and disputes. */
  market: JobMarket;
  /** Governance's timelock. */
  timelock: GridleaseTimelock;
  /** Governance's governor. */
  governor: GridleaseGovernor;
  /** Only on a local deployment (GridleaseLocal): the settable GRL/USD feed. */
  feed?: MockAggregatorV3;
  /** Only on a local deployment (GridleaseLocal): the USDC stand-in. */
  usdc?: MockStablecoin;
}

/** Connects the typed contracts of a deployment to `runner`; throws a DeploymentError naming a missing contract. */
export function connectProtocol(chainId: bigint, addresses: DeployedAddresses, runner: ContractRunner | null): Protocol {
  const required = (name: string): string => requireAddress({ chainId, addresses, folder: undefined }, name);
  const feed = addresses.MockAggregatorV3;
  const usdc = addresses.MockStablecoin;
  return {
    chainId,
    addresses,
    token: GridleaseToken__factory.connect(required("GridleaseToken"), runner),
    registry: ProviderRegistry__factory.connect(required("ProviderRegistry"), runner),
    oracle: ChainlinkPriceOracle__factory.connect(required("ChainlinkPriceOracle"), runner),
    settlement: Settlement__factory.connect(required("Settlement"), runner),
    market: JobMarket__factory.connect(required("JobMarket"), runner),
    timelock: GridleaseTimelock__factory.connect(required("GridleaseTimelock"), runner),
    governor: GridleaseGovernor__factory.connect(required("GridleaseGovernor"), runner),
    feed: feed === undefined ? undefined : MockAggregatorV3__factory.connect(feed, runner),
    usdc: usdc === undefined ? undefined : MockStablecoin__factory.connect(usdc, runner),
  };
}
