// The connection a command runs on: the JSON-RPC endpoint (GRIDLEASE_RPC_URL), the account
// (GRIDLEASE_PRIVATE_KEY) and the protocol's addresses from the Ignition deployment of the node's chain
// (or GRIDLEASE_DEPLOYMENT). Each failure says which of the three is wrong and how to fix it.
import { JsonRpcProvider, Network, Wallet } from "ethers";

import { connectProtocol, type Protocol } from "../../sdk/contracts.ts";
import { DeploymentError, type DeployedAddresses } from "../../sdk/index.ts";
import { deploymentFolder, loadDeployedAddresses } from "../../sdk/node.ts";
import type { MockStablecoin } from "../../types/ethers-contracts/index.ts";
import { deploymentOverride, ENV, privateKey, PROJECT_ROOT, rpcUrl, stablecoinOverride } from "./env.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { stablecoinAt } from "./stablecoin.ts";

export interface Context {
  rpcUrl: string;
  provider: JsonRpcProvider;
  chainId: bigint;
  /** The Ignition deployment folder the addresses came from. */
  deploymentFolder: string;
  addresses: DeployedAddresses;
  /** The protocol's contracts, connected to the signer when there is one, else read-only. */
  protocol: Protocol;
  /** The payment stablecoin (USDC), when the deployment or GRIDLEASE_STABLECOIN names one. */
  stablecoin: MockStablecoin | undefined;
  signer: Wallet | undefined;
  /** The signer's address, if any. */
  account: string | undefined;
}

export interface ConnectOptions {
  /** Write commands need the key; read commands use it only to know "my" address. */
  needsSigner: boolean;
  /** The JSON-RPC endpoint, instead of GRIDLEASE_RPC_URL (the node's config file names its own). */
  rpcUrl?: string;
  /** The Ignition deployment folder, instead of GRIDLEASE_DEPLOYMENT or the chain's default. */
  deploymentFolder?: string;
}

/** Checks the key before touching the network, so a missing key is reported as such whatever else is wrong. */
export function loadSigner(needed: boolean): Wallet | undefined {
  const key = privateKey();
  if (key === undefined) {
    if (!needed) return undefined;
    throw new CliError(
      "MISSING_KEY",
      `This command sends a transaction and needs the account's private key in ${ENV.privateKey} ` +
        "(keys are never taken from command-line arguments): export it, e.g. from a secrets manager.",
      { exitCode: EXIT_USAGE },
    );
  }
  try {
    return new Wallet(/^[0-9a-fA-F]{64}$/.test(key) ? `0x${key}` : key);
  } catch {
    throw new CliError(
      "INVALID_KEY",
      `${ENV.privateKey} is not a valid private key: expected 0x followed by 64 hex digits.`,
      {
        exitCode: EXIT_USAGE,
      },
    );
  }
}

/** Asks the endpoint for its chain id with a plain request, so an unreachable node fails fast and clearly. */
async function fetchChainId(url: string): Promise<bigint> {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new CliError(
      "INVALID_RPC_URL",
      `${ENV.rpcUrl} must be an http(s) URL such as http://127.0.0.1:8545, got "${url}".`,
      {
        exitCode: EXIT_USAGE,
      },
    );
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(
      "RPC_UNREACHABLE",
      `Cannot reach the JSON-RPC endpoint ${url} (${reason}): start a node (\`npm start\` runs one on ` +
        `127.0.0.1:8545) or point ${ENV.rpcUrl} at a running one.`,
    );
  }
  let body: { result?: string; error?: { message?: string } };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new CliError(
      "RPC_UNREACHABLE",
      `${url} answered HTTP ${response.status} without JSON: is it a JSON-RPC endpoint?`,
    );
  }
  if (typeof body.result !== "string") {
    throw new CliError(
      "RPC_UNREACHABLE",
      `${url} did not return a chain id (${body.error?.message ?? `HTTP ${response.status}`}).`,
    );
  }
  return BigInt(body.result);
}

export async function connect(options: ConnectOptions): Promise<Context> {
  const wallet = loadSigner(options.needsSigner);
  const url = options.rpcUrl ?? rpcUrl();
  const chainId = await fetchChainId(url);
  const network = Network.from(chainId);
  const provider = new JsonRpcProvider(url, network, {
    staticNetwork: network,
    pollingInterval: 250,
    cacheTimeout: -1,
  });

  const folder = options.deploymentFolder ?? deploymentOverride() ?? deploymentFolder(PROJECT_ROOT, chainId);
  let addresses: DeployedAddresses;
  try {
    addresses = loadDeployedAddresses(chainId, { folder });
  } catch (error) {
    if (error instanceof DeploymentError && error.code === "WRONG_CHAIN") {
      throw new CliError(
        "WRONG_NETWORK",
        `The deployment in ${folder} is for chain ${error.recordedChainId}, but ${url} is chain ${chainId}: point ${ENV.rpcUrl} ` +
          `at the deployment's network, or ${ENV.deployment} at this chain's deployment.`,
        { exitCode: EXIT_USAGE },
      );
    }
    throw new CliError("NO_DEPLOYMENT", `${(error as Error).message}.`, { exitCode: EXIT_USAGE, details: { folder } });
  }
  const signer = wallet?.connect(provider);
  let protocol: Protocol;
  try {
    protocol = connectProtocol(chainId, addresses, signer ?? provider);
  } catch (error) {
    throw new CliError("NO_DEPLOYMENT", `${(error as Error).message} (${folder}).`, {
      exitCode: EXIT_USAGE,
      details: { folder },
    });
  }
  const marketAddress = addresses.JobMarket;
  if ((await provider.getCode(marketAddress)) === "0x") {
    throw new CliError(
      "WRONG_NETWORK",
      `There is no contract at the JobMarket address ${marketAddress} on chain ${chainId} (${url}): the deployment in ` +
        `${folder} belongs to another network or to a node that was restarted. Redeploy (\`npm start\`), or fix ` +
        `${ENV.rpcUrl} / ${ENV.deployment}.`,
      { exitCode: EXIT_USAGE },
    );
  }
  const override = stablecoinOverride();
  const stablecoin =
    override === undefined || override.toLowerCase() === addresses.MockStablecoin?.toLowerCase()
      ? protocol.usdc
      : stablecoinAt(override, signer ?? provider);
  return {
    rpcUrl: url,
    provider,
    chainId,
    deploymentFolder: folder,
    addresses,
    protocol,
    stablecoin,
    signer,
    account: signer?.address,
  };
}

/** Connects a write command with the key (see {@link connect}) and returns the signer's address too. */
export async function connectSigner(): Promise<{ ctx: Context; me: string }> {
  const ctx = await connect({ needsSigner: true });
  return { ctx, me: signerOf(ctx).address };
}

/** The signer of a write command (connect was called with needsSigner). */
export function signerOf(ctx: Context): Wallet {
  if (ctx.signer === undefined)
    throw new CliError("MISSING_KEY", `${ENV.privateKey} is not set.`, { exitCode: EXIT_USAGE });
  return ctx.signer;
}

/** The stablecoin, or a message saying how to name it. */
export function stablecoinOf(ctx: Context): MockStablecoin {
  if (ctx.stablecoin === undefined) {
    throw new CliError(
      "NO_STABLECOIN",
      `The deployment does not record a stablecoin: set ${ENV.stablecoin} to the USDC address the market allow-lists.`,
      { exitCode: EXIT_USAGE },
    );
  }
  return ctx.stablecoin;
}

/**
 * The chain's clock for time-gated decisions: the timestamp the next block will have. An idle chain mines
 * no blocks, so the latest block's timestamp stands still while time passes; the next block is stamped
 * with the node's clock (its pending block, on nodes that report one), never before the wall clock on a
 * live chain, and always at least the latest block's timestamp + 1 (the chain's rule).
 */
export async function chainNow(ctx: Context): Promise<bigint> {
  const [block, pending] = await Promise.all([
    ctx.provider.getBlock("latest"),
    ctx.provider.send("eth_getBlockByNumber", ["pending", false]).catch(() => null) as Promise<{
      timestamp?: string;
    } | null>,
  ]);
  if (block === null) throw new CliError("RPC_UNREACHABLE", `${ctx.rpcUrl} returned no latest block.`);
  return nextBlockTime(
    BigInt(block.timestamp),
    pending?.timestamp === undefined ? undefined : BigInt(pending.timestamp),
  );
}

/** The next block's timestamp from the latest block's, the node's pending block's (if any) and the wall clock. */
export function nextBlockTime(latest: bigint, pending: bigint | undefined, wallClockMs: number = Date.now()): bigint {
  let next = latest + 1n;
  if (pending !== undefined && pending > next) next = pending;
  const wall = BigInt(Math.floor(wallClockMs / 1000));
  return wall > next ? wall : next;
}

/** The latest block's timestamp (what a read-only call sees). */
export async function latestBlockTime(ctx: Context): Promise<bigint> {
  const block = await ctx.provider.getBlock("latest");
  if (block === null) throw new CliError("RPC_UNREACHABLE", `${ctx.rpcUrl} returned no latest block.`);
  return BigInt(block.timestamp);
}
