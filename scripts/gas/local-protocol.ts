// The protocol an in-process Ignition deployment of GridleaseLocal made (the gas suites, the bench and the
// BME example deploy their own), as the SDK's typed contracts connected to one signer: the same contracts
// connectProtocol gives the CLI, so the tooling needs no TypeChain factory of its own.
import type { Signer } from "ethers";

import { connectProtocol, type Protocol } from "../../sdk/contracts.ts";

/** A contract of Ignition's deployment result (only its address is used). */
interface Deployed {
  getAddress(): Promise<string>;
}

/** What `ignition.deploy(GridleaseLocal)` returns, by the module's result names. */
export type LocalDeployment = Record<
  "token" | "registry" | "oracle" | "settlement" | "market" | "timelock" | "governor" | "feed" | "usdc",
  Deployed
>;

/** The protocol of a local deployment, whose settable feed and USDC stand-in always exist. */
export type LocalProtocol = Protocol & Required<Pick<Protocol, "feed" | "usdc">>;

/** Connects the contracts of `deployment` to `signer` (reads only the chain id: nothing is sent). */
export async function connectLocalDeployment(deployment: LocalDeployment, signer: Signer): Promise<LocalProtocol> {
  if (signer.provider === null)
    throw new Error("connectLocalDeployment needs a signer connected to the deployment's chain");
  const chainId = (await signer.provider.getNetwork()).chainId;
  const byName: Record<string, Deployed> = {
    GridleaseToken: deployment.token,
    ProviderRegistry: deployment.registry,
    ChainlinkPriceOracle: deployment.oracle,
    Settlement: deployment.settlement,
    JobMarket: deployment.market,
    GridleaseTimelock: deployment.timelock,
    GridleaseGovernor: deployment.governor,
    MockAggregatorV3: deployment.feed,
    MockStablecoin: deployment.usdc,
  };
  const addresses = Object.fromEntries(
    await Promise.all(
      Object.entries(byName).map(async ([name, contract]) => [name, await contract.getAddress()] as const),
    ),
  );
  const protocol = connectProtocol(chainId, addresses, signer);
  if (protocol.feed === undefined || protocol.usdc === undefined)
    throw new Error("the local deployment has no feed or USDC stand-in");
  return { ...protocol, feed: protocol.feed, usdc: protocol.usdc };
}
