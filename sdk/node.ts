// The SDK's Node-only entry point: reading a deployment from an Ignition deployments folder on disk.
// Everything else is in the browser-safe entry, sdk/index.ts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import {
  DeploymentError,
  journalChainId,
  parseDeployedAddresses,
  type DeployedAddresses,
  type Deployment,
} from "./deployment.ts";

/** The folder Ignition writes a chain's default deployment to, under the project folder `root`. */
export function deploymentFolder(root: string, chainId: bigint): string {
  return join(root, "ignition", "deployments", `chain-${chainId}`);
}

/** Where {@link loadDeployment} reads from: an explicit folder, or the chain's default folder under `root`. */
export type DeploymentSource = { folder: string } | { root: string };

/**
 * Reads `deployed_addresses.json` of an Ignition deployment (module prefixes removed). Throws a
 * {@link DeploymentError} that says what to do when the folder or the file is missing (code
 * MISSING_FOLDER / MISSING_ADDRESSES), or when Ignition's journal records another chain (WRONG_CHAIN).
 */
export function loadDeployment(chainId: bigint, source: DeploymentSource): Deployment {
  const folder = "folder" in source ? source.folder : deploymentFolder(source.root, chainId);
  const advice =
    "deploy with Ignition first (`npm start` does it on a local chain), or point GRIDLEASE_DEPLOYMENT at a deployment folder";
  if (!existsSync(folder)) {
    throw new DeploymentError(
      "MISSING_FOLDER",
      `no Gridlease deployment for chain ${chainId} (the folder ${folder} does not exist): ${advice}`,
      {
        chainId,
        folder,
      },
    );
  }
  const journal = join(folder, "journal.jsonl");
  const recorded = existsSync(journal) ? journalChainId(readFileSync(journal, "utf8")) : undefined;
  if (recorded !== undefined && recorded !== chainId) {
    throw new DeploymentError(
      "WRONG_CHAIN",
      `the deployment in ${folder} is for chain ${recorded}, not chain ${chainId}: connect to chain ${recorded}, or load ` +
        `chain ${chainId}'s deployment (ignition/deployments/chain-${chainId})`,
      { chainId, folder, recordedChainId: recorded },
    );
  }
  const file = join(folder, "deployed_addresses.json");
  if (!existsSync(file)) {
    throw new DeploymentError(
      "MISSING_ADDRESSES",
      `no Gridlease deployment for chain ${chainId} (${file} is missing): ${advice}`,
      {
        chainId,
        folder,
      },
    );
  }
  const addresses: DeployedAddresses = parseDeployedAddresses(
    JSON.parse(readFileSync(file, "utf8")) as Record<string, string>,
  );
  return { chainId, addresses, folder };
}

/** The addresses of {@link loadDeployment}. */
export function loadDeployedAddresses(chainId: bigint, source: DeploymentSource): DeployedAddresses {
  return loadDeployment(chainId, source).addresses;
}

export * from "./renter/run-workload.ts";
export * from "./renter/save-outputs.ts";
