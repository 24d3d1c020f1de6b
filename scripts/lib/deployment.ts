// The deployed protocol as typed contracts, from an Ignition deployment folder. Shared by the demo,
// the simulator and the CLI, so none of them copies an address by hand.
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
} from "../../types/ethers-contracts/index.js";
import type { DeployedAddresses } from "./deployed-addresses.js";

export { deploymentFolder, loadDeployedAddresses, PROJECT_ROOT, type DeployedAddresses } from "./deployed-addresses.js";

/** The protocol's contracts, connected to one runner (a signer or a provider). */
export interface Protocol {
  chainId: bigint;
  addresses: DeployedAddresses;
  token: GridleaseToken;
  registry: ProviderRegistry;
  oracle: ChainlinkPriceOracle;
  settlement: Settlement;
  market: JobMarket;
  timelock: GridleaseTimelock;
  governor: GridleaseGovernor;
  /** Only on a local deployment (GridleaseLocal): the settable GRL/USD feed and the USDC stand-in. */
  feed?: MockAggregatorV3;
  usdc?: MockStablecoin;
}

/** Connects the typed contracts of a deployment to `runner`. */
export function connectProtocol(chainId: bigint, addresses: DeployedAddresses, runner: ContractRunner): Protocol {
  const required = (name: string): string => {
    const address = addresses[name];
    if (address === undefined) throw new Error(`the deployment for chain ${chainId} has no ${name}: redeploy it`);
    return address;
  };
  const optional = (name: string): string | undefined => addresses[name];
  const feed = optional("MockAggregatorV3");
  const usdc = optional("MockStablecoin");
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
