// The deployed protocol as typed contracts, from an Ignition deployment folder. Shared by the demo,
// the simulator and the CLI, so none of them copies an address by hand.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

/** The project's root folder (where ignition/ lives). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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

/** Contract name -> address, as Ignition recorded them (module prefixes removed). */
export type DeployedAddresses = Record<string, string>;

/** The folder Ignition writes a chain's deployment to. */
export function deploymentFolder(chainId: bigint, root: string = PROJECT_ROOT): string {
  return join(root, "ignition", "deployments", `chain-${chainId}`);
}

/**
 * Reads `deployed_addresses.json` of the chain's Ignition deployment (`folder` overrides where).
 * Throws a message that says what to do when there is no deployment for the chain.
 */
export function loadDeployedAddresses(chainId: bigint, folder: string = deploymentFolder(chainId)): DeployedAddresses {
  const file = join(folder, "deployed_addresses.json");
  if (!existsSync(file)) {
    throw new Error(
      `no Gridlease deployment for chain ${chainId} (${file} is missing): deploy with Ignition first ` +
        "(`npm start` does it on a local chain), or point GRIDLEASE_DEPLOYMENT at a deployment folder",
    );
  }
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const addresses: DeployedAddresses = {};
  // Keys look like "GridleaseLocal#JobMarket"; the contract name is unique across the modules.
  for (const [key, address] of Object.entries(raw)) addresses[key.slice(key.indexOf("#") + 1)] = address;
  return addresses;
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
