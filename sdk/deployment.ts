// A deployment's addresses, without the filesystem (browser-safe): from Ignition's
// `deployed_addresses.json` content or from explicit addresses. The Node-only loader that reads an
// Ignition deployments folder is `loadDeployment` in sdk/node.ts.
import { isAddress } from "ethers";

/** Contract name -> address, as Ignition recorded them (module prefixes removed). */
export type DeployedAddresses = Record<string, string>;

/** The contracts every Gridlease deployment has. */
export const CORE_CONTRACTS = [
  "GridleaseToken",
  "ProviderRegistry",
  "ChainlinkPriceOracle",
  "Settlement",
  "JobMarket",
  "GridleaseTimelock",
  "GridleaseGovernor",
] as const;
/** The name of a contract every deployment has. */
export type CoreContract = (typeof CORE_CONTRACTS)[number];

/** Only on a local deployment (Ignition module GridleaseLocal): the settable GRL/USD feed and the USDC stand-in. */
export const LOCAL_CONTRACTS = ["MockAggregatorV3", "MockStablecoin"] as const;

/** Why a deployment could not be loaded. */
export type DeploymentErrorCode =
  | "MISSING_FOLDER"
  | "MISSING_ADDRESSES"
  | "WRONG_CHAIN"
  | "MISSING_CONTRACT"
  | "INVALID_ADDRESS";

/** A deployment that cannot be used; the message says what to do, `code` and the fields say what is wrong. */
export class DeploymentError extends Error {
  /** What is wrong. */
  readonly code: DeploymentErrorCode;
  /** The chain the caller asked for. */
  readonly chainId: bigint;
  /** The deployment folder, when the addresses came from one. */
  readonly folder: string | undefined;
  /** For WRONG_CHAIN: the chain the deployment was made on. */
  readonly recordedChainId: bigint | undefined;

  constructor(
    code: DeploymentErrorCode,
    message: string,
    fields: { chainId: bigint; folder?: string; recordedChainId?: bigint },
  ) {
    super(message);
    this.name = "DeploymentError";
    this.code = code;
    this.chainId = fields.chainId;
    this.folder = fields.folder;
    this.recordedChainId = fields.recordedChainId;
  }
}

/** A loaded deployment: the chain it is on and its contracts' addresses. */
export interface Deployment {
  /** The chain id the addresses are valid on. */
  chainId: bigint;
  /** Contract name -> address. */
  addresses: DeployedAddresses;
  /** The Ignition folder they came from, if any. */
  folder?: string;
}

/**
 * The addresses of Ignition's `deployed_addresses.json` (keys such as "GridleaseLocal#JobMarket"), keyed
 * by contract name (unique across the protocol's modules).
 */
export function parseDeployedAddresses(raw: Readonly<Record<string, string>>): DeployedAddresses {
  const addresses: DeployedAddresses = {};
  for (const [key, address] of Object.entries(raw)) addresses[key.slice(key.indexOf("#") + 1)] = address;
  return addresses;
}

/** The chain id recorded in the first line of an Ignition `journal.jsonl` (its DEPLOYMENT_INITIALIZE entry), if any. */
export function journalChainId(journal: string): bigint | undefined {
  const first = journal.split("\n", 1)[0] ?? "";
  try {
    const entry = JSON.parse(first) as { chainId?: number };
    return entry.chainId === undefined ? undefined : BigInt(entry.chainId);
  } catch {
    return undefined;
  }
}

/**
 * A deployment from explicit addresses (e.g. a web page's configuration). Checks that every name in
 * `required` (default: the core contracts) has a valid address.
 */
export function deploymentFromAddresses(
  chainId: bigint,
  addresses: Readonly<DeployedAddresses>,
  required: readonly string[] = CORE_CONTRACTS,
): Deployment {
  for (const name of required) {
    if (addresses[name] === undefined) {
      throw new DeploymentError(
        "MISSING_CONTRACT",
        `the deployment for chain ${chainId} has no ${name}: redeploy it, or pass its address`,
        {
          chainId,
        },
      );
    }
  }
  for (const [name, address] of Object.entries(addresses)) {
    if (!isAddress(address)) {
      throw new DeploymentError(
        "INVALID_ADDRESS",
        `the address of ${name} ("${address}") is not an address: pass 0x followed by 40 hex digits`,
        {
          chainId,
        },
      );
    }
  }
  return { chainId, addresses: { ...addresses } };
}

/** The address of `name` in a deployment; throws a DeploymentError saying to redeploy when it is absent. */
export function requireAddress(deployment: Pick<Deployment, "chainId" | "addresses" | "folder">, name: string): string {
  const address = deployment.addresses[name];
  if (address === undefined) {
    const where = deployment.folder === undefined ? "" : ` in ${deployment.folder}`;
    throw new DeploymentError(
      "MISSING_CONTRACT",
      `the deployment for chain ${deployment.chainId}${where} has no ${name}: redeploy it`,
      {
        chainId: deployment.chainId,
        folder: deployment.folder,
      },
    );
  }
  return address;
}
