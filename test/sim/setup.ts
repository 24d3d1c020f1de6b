// The deployment the simulator's tests run on: GridleaseLocal as `npm start` deploys it, with their
// own epoch length (and mint cap), as the plain addresses the simulator takes.
import type { network } from "hardhat";

import GridleaseLocal from "../../ignition/modules/GridleaseLocal.ts";
import type { DeployedAddresses } from "../../sdk/index.ts";

/** The Ignition helper of a Hardhat network connection. */
type Ignition = Awaited<ReturnType<typeof network.create>>["ignition"];

/** GridleaseLocal's parameters a test sets (module defaults for the rest). */
export interface LocalParameters {
  epochLength: bigint;
  mintCapPerEpoch?: bigint;
}

/** Deploys GridleaseLocal with `parameters` and returns its addresses by contract name. */
export async function deployLocal(ignition: Ignition, parameters: LocalParameters): Promise<DeployedAddresses> {
  const d = await ignition.deploy(GridleaseLocal, {
    displayUi: false,
    parameters: { GridleaseLocal: { ...parameters } },
  });
  return {
    GridleaseToken: await d.token.getAddress(),
    ProviderRegistry: await d.registry.getAddress(),
    ChainlinkPriceOracle: await d.oracle.getAddress(),
    Settlement: await d.settlement.getAddress(),
    JobMarket: await d.market.getAddress(),
    GridleaseTimelock: await d.timelock.getAddress(),
    GridleaseGovernor: await d.governor.getAddress(),
    MockAggregatorV3: await d.feed.getAddress(),
    MockStablecoin: await d.usdc.getAddress(),
  };
}
