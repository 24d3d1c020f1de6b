import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { connectProtocol } from "./contracts.ts";
import {
  CORE_CONTRACTS,
  deploymentFromAddresses,
  DeploymentError,
  parseDeployedAddresses,
  requireAddress,
} from "./deployment.ts";
import { deploymentFolder, loadDeployedAddresses, loadDeployment } from "./node.ts";

const root = mkdtempSync(join(tmpdir(), "gridlease-sdk-deployment-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const RAW = Object.fromEntries(
  [...CORE_CONTRACTS, "MockStablecoin", "MockAggregatorV3"].map((name, i) => [
    `GridleaseLocal#${name}`,
    address(i + 1),
  ]),
);

/** An Ignition deployment folder as `hardhat ignition deploy` leaves it. */
function writeDeployment(folder: string, chainId: number | undefined, raw: Record<string, string> = RAW): void {
  mkdirSync(folder, { recursive: true });
  if (chainId !== undefined)
    writeFileSync(
      join(folder, "journal.jsonl"),
      `${JSON.stringify({ chainId, type: "DEPLOYMENT_INITIALIZE" })}\n{"type":"RUN_START"}\n`,
    );
  writeFileSync(join(folder, "deployed_addresses.json"), JSON.stringify(raw));
}

function caught(fn: () => unknown): DeploymentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentError);
    return error as DeploymentError;
  }
  throw new Error("did not throw");
}

describe("loadDeployment (Node)", () => {
  it("reads a chain's default folder under the root passed in, module prefixes removed", () => {
    writeDeployment(deploymentFolder(root, 31337n), 31337);
    const deployment = loadDeployment(31337n, { root });
    expect(deployment.chainId).toBe(31337n);
    expect(deployment.folder).toBe(join(root, "ignition", "deployments", "chain-31337"));
    expect(deployment.addresses.JobMarket).toBe(address(CORE_CONTRACTS.indexOf("JobMarket") + 1));
    expect(Object.keys(deployment.addresses)).not.toContain("GridleaseLocal#JobMarket");
    expect(loadDeployedAddresses(31337n, { folder: deployment.folder as string })).toEqual(deployment.addresses);
    // The typed contracts connect to it without a network.
    expect(connectProtocol(31337n, deployment.addresses, null).usdc).toBeDefined();
  });

  it("reads an explicit folder without a journal (copied addresses)", () => {
    const folder = join(root, "copied");
    writeDeployment(folder, undefined);
    expect(loadDeployment(8453n, { folder }).addresses.Settlement).toBe(
      address(CORE_CONTRACTS.indexOf("Settlement") + 1),
    );
  });

  it("says to deploy when the folder is missing", () => {
    const error = caught(() => loadDeployment(11155111n, { root }));
    expect(error.code).toBe("MISSING_FOLDER");
    expect(error.folder).toBe(join(root, "ignition", "deployments", "chain-11155111"));
    expect(error.message).toBe(
      `no Gridlease deployment for chain 11155111 (the folder ${error.folder} does not exist): deploy with Ignition first ` +
        "(`npm start` does it on a local chain), or point GRIDLEASE_DEPLOYMENT at a deployment folder",
    );
  });

  it("says to deploy when the folder has no addresses", () => {
    const folder = join(root, "empty");
    mkdirSync(folder, { recursive: true });
    const error = caught(() => loadDeployment(31337n, { folder }));
    expect(error.code).toBe("MISSING_ADDRESSES");
    expect(error.message).toMatch(
      /^no Gridlease deployment for chain 31337 \(.*deployed_addresses\.json is missing\): deploy with Ignition first/,
    );
  });

  it("refuses a deployment Ignition made on another chain, naming both", () => {
    const folder = join(root, "mainnet");
    writeDeployment(folder, 1);
    const error = caught(() => loadDeployment(31337n, { folder }));
    expect(error.code).toBe("WRONG_CHAIN");
    expect(error.recordedChainId).toBe(1n);
    expect(error.message).toBe(
      `the deployment in ${folder} is for chain 1, not chain 31337: connect to chain 1, or load chain 31337's deployment ` +
        "(ignition/deployments/chain-31337)",
    );
  });
});

describe("deployments from explicit addresses (browser-safe)", () => {
  const addresses = parseDeployedAddresses(RAW);

  it("accepts a complete set", () => {
    expect(deploymentFromAddresses(31337n, addresses).addresses).toEqual(addresses);
  });

  it("names a missing contract", () => {
    const { JobMarket: _, ...rest } = addresses;
    const error = caught(() => deploymentFromAddresses(31337n, rest));
    expect(error.code).toBe("MISSING_CONTRACT");
    expect(error.message).toBe("the deployment for chain 31337 has no JobMarket: redeploy it, or pass its address");
    expect(() => requireAddress({ chainId: 1n, addresses: rest, folder: "/x" }, "JobMarket")).toThrow(
      "the deployment for chain 1 in /x has no JobMarket: redeploy it",
    );
  });

  it("refuses what is not an address", () => {
    const error = caught(() => deploymentFromAddresses(31337n, { ...addresses, JobMarket: "0x1234" }));
    expect(error.code).toBe("INVALID_ADDRESS");
  });
});
