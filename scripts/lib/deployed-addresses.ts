// Where an Ignition deployment's addresses live, without any dependency: shared by scripts/lib/deployment.ts
// (typed contracts) and the indexer's config (which runs under plain Node and Ponder's bundler).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder (where ignition/ lives). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

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
