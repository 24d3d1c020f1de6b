// The CLI's environment variables, read in one place. Keys come only from the environment, never from
// command-line arguments (which other users of the machine can read in the process list).
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ENV = {
  rpcUrl: "GRIDLEASE_RPC_URL",
  privateKey: "GRIDLEASE_PRIVATE_KEY",
  deployment: "GRIDLEASE_DEPLOYMENT",
  stablecoin: "GRIDLEASE_STABLECOIN",
  home: "GRIDLEASE_HOME",
} as const;

/** The project folder the CLI runs from (package.json, ignition/deployments). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** The JSON-RPC endpoint. */
export function rpcUrl(): string {
  const value = process.env[ENV.rpcUrl]?.trim();
  return value === undefined || value === "" ? DEFAULT_RPC_URL : value;
}

/** The private key, if set (never logged). */
export function privateKey(): string | undefined {
  const value = process.env[ENV.privateKey]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** An explicit Ignition deployment folder, resolved against the working directory. */
export function deploymentOverride(): string | undefined {
  const value = process.env[ENV.deployment]?.trim();
  return value === undefined || value === "" ? undefined : resolve(value);
}

/** An explicit stablecoin address (public networks, where the deployment does not record USDC). */
export function stablecoinOverride(): string | undefined {
  const value = process.env[ENV.stablecoin]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** Where the CLI keeps local state (bid salts): $GRIDLEASE_HOME, else ~/.gridlease. */
export function gridleaseHome(): string {
  const value = process.env[ENV.home]?.trim();
  return value === undefined || value === "" ? join(homedir(), ".gridlease") : resolve(value);
}
