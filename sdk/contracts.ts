// The deployed protocol as typed ethers contracts, connected to one runner: plain ethers `Contract`s on the
// SDK's ABIs, typed by TypeChain's generated types (types/ethers-contracts, from `hardhat build`; imported as
// types only, so it loads on plain Node 22 without a bundler). viem users take the `as const` ABIs instead.
import { Contract, type ContractRunner, type InterfaceAbi } from "ethers";

import type {
  ChainlinkPriceOracle,
  GridleaseGovernor,
  GridleaseTimelock,
  GridleaseToken,
  JobMarket,
  MockAggregatorV3,
  MockStablecoin,
  ProviderRegistry,
  Settlement,
} from "../types/ethers-contracts/index.ts";
import {
  ChainlinkPriceOracleAbi,
  GridleaseGovernorAbi,
  GridleaseTimelockAbi,
  GridleaseTokenAbi,
  JobMarketAbi,
  MockAggregatorV3Abi,
  MockStablecoinAbi,
  ProviderRegistryAbi,
  SettlementAbi,
} from "./abis/index.ts";
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
export function connectProtocol(
  chainId: bigint,
  addresses: DeployedAddresses,
  runner: ContractRunner | null,
): Protocol {
  const required = (name: string): string => requireAddress({ chainId, addresses, folder: undefined }, name);
  const feed = addresses.MockAggregatorV3;
  const usdc = addresses.MockStablecoin;
  return {
    chainId,
    addresses,
    token: typedContract<GridleaseToken>(required("GridleaseToken"), GridleaseTokenAbi, runner),
    registry: typedContract<ProviderRegistry>(required("ProviderRegistry"), ProviderRegistryAbi, runner),
    oracle: typedContract<ChainlinkPriceOracle>(required("ChainlinkPriceOracle"), ChainlinkPriceOracleAbi, runner),
    settlement: typedContract<Settlement>(required("Settlement"), SettlementAbi, runner),
    market: typedContract<JobMarket>(required("JobMarket"), JobMarketAbi, runner),
    timelock: typedContract<GridleaseTimelock>(required("GridleaseTimelock"), GridleaseTimelockAbi, runner),
    governor: typedContract<GridleaseGovernor>(required("GridleaseGovernor"), GridleaseGovernorAbi, runner),
    feed: feed === undefined ? undefined : typedContract<MockAggregatorV3>(feed, MockAggregatorV3Abi, runner),
    usdc: usdc === undefined ? undefined : typedContract<MockStablecoin>(usdc, MockStablecoinAbi, runner),
  };
}

/**
 * One contract at `address` as TypeChain's typed ethers contract `T`. The runtime object is a plain ethers
 * `Contract` on the SDK's own ABI (the same one TypeChain's type was generated from, by the same build), so
 * nothing of TypeChain's generated code is loaded at run time: only its types are used, and they are erased.
 */
export function typedContract<T>(address: string, abi: InterfaceAbi, runner: ContractRunner | null): T {
  return new Contract(address, abi, runner) as unknown as T;
}
