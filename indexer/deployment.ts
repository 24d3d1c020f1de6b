// Where the indexer reads from: the RPC endpoint, the chain, the contract addresses and the first block,
// all taken from the Ignition deployment (the SDK's loader, sdk/node.ts) and the environment, never typed in.
//
//   GRIDLEASE_RPC_URL        JSON-RPC endpoint (default http://127.0.0.1:8545)
//   GRIDLEASE_CHAIN_ID       chain id (default 31337, the local Hardhat node)
//   GRIDLEASE_DEPLOYMENT     Ignition deployment folder (default ignition/deployments/chain-<id>)
//   GRIDLEASE_START_BLOCK    first block to index (default: the block that deployed the first contract)
//   GRIDLEASE_CLOCK_BLOCKS   blocks between clock ticks that close hours without events (default 1 on the
//                            local chain, whose blocks only come with transactions; else 100)
//   GRIDLEASE_RPC_LANES      parallel request lanes to the endpoint (default 64 on the local chain, else 1)
//   GRIDLEASE_RPC_TRANSPORT  how Ponder talks to the endpoint: "ws" (WebSocket on the same host and port) or
//                            "http" (default ws on the local chain, whose Hardhat node serves both; else http)
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { deploymentFolder, loadDeployedAddresses } from "../sdk/node.ts";

/** The project folder (where ignition/ lives): GRIDLEASE_DEPLOYMENT and the default folder are relative to it. */
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export const INDEXED = ["GridleaseToken", "ProviderRegistry", "JobMarket", "Settlement"] as const;
export type IndexedContract = (typeof INDEXED)[number];

export interface IndexerDeployment {
  chainId: number;
  rpcUrl: string;
  /**
   * The endpoint as Ponder's list of RPC URLs. Ponder paces each URL from 20 requests per second up,
   * slowly, which is right for a shared provider and throttles a local node for nothing; the local
   * node answers on any path, so lanes ("?lane=N") give it Ponder's budget N times over. Over WebSocket
   * on the local chain: a backfill asks for every block, and a request on an open socket costs Ponder's
   * thread a fraction of an HTTP request's (see README, "Tests and benchmark").
   */
  rpcUrls: string[];
  folder: string;
  addresses: Record<IndexedContract, `0x${string}`>;
  startBlock: number;
  clockBlocks: number;
}

/** The lowest block of the deployment's confirmed transactions that created one of the indexed contracts. */
function deploymentBlock(folder: string, addresses: string[]): number | undefined {
  const journal = join(folder, "journal.jsonl");
  if (!existsSync(journal)) return undefined;
  const wanted = new Set(addresses.map((a) => a.toLowerCase()));
  let lowest: number | undefined;
  for (const line of readFileSync(journal, "utf8").split("\n")) {
    if (!line.includes('"TRANSACTION_CONFIRM"')) continue;
    const entry = JSON.parse(line) as { receipt?: { blockNumber: number; contractAddress?: string | null } };
    const receipt = entry.receipt;
    if (receipt?.contractAddress == null || !wanted.has(receipt.contractAddress.toLowerCase())) continue;
    if (lowest === undefined || receipt.blockNumber < lowest) lowest = receipt.blockNumber;
  }
  return lowest;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function loadIndexerDeployment(env: NodeJS.ProcessEnv = process.env): IndexerDeployment {
  const chainId = positiveInteger("GRIDLEASE_CHAIN_ID", 31337);
  const rpcUrl = env.GRIDLEASE_RPC_URL ?? "http://127.0.0.1:8545";
  const configured = env.GRIDLEASE_DEPLOYMENT;
  const folder =
    configured === undefined || configured === ""
      ? deploymentFolder(PROJECT_ROOT, BigInt(chainId))
      : isAbsolute(configured)
        ? configured
        : resolve(PROJECT_ROOT, configured);
  const deployed = loadDeployedAddresses(BigInt(chainId), { folder });
  const addresses = {} as Record<IndexedContract, `0x${string}`>;
  for (const name of INDEXED) {
    const address = deployed[name];
    if (address === undefined) throw new Error(`the deployment in ${folder} has no ${name}: redeploy it`);
    addresses[name] = address as `0x${string}`;
  }
  const fromJournal = deploymentBlock(folder, Object.values(addresses));
  const startBlock = positiveInteger("GRIDLEASE_START_BLOCK", fromJournal ?? 0);
  const clockBlocks = Math.max(1, positiveInteger("GRIDLEASE_CLOCK_BLOCKS", chainId === 31337 ? 1 : 100));
  const lanes = Math.max(1, positiveInteger("GRIDLEASE_RPC_LANES", chainId === 31337 ? 64 : 1));
  const transport = env.GRIDLEASE_RPC_TRANSPORT ?? (chainId === 31337 ? "ws" : "http");
  if (transport !== "ws" && transport !== "http") {
    throw new Error(`GRIDLEASE_RPC_TRANSPORT must be "ws" or "http", got "${transport}"`);
  }
  const endpoint = transport === "ws" ? rpcUrl.replace(/^http(s?):/, "ws$1:") : rpcUrl;
  const separator = endpoint.includes("?") ? "&" : "?";
  const rpcUrls =
    lanes === 1 ? [endpoint] : Array.from({ length: lanes }, (_, i) => `${endpoint}${separator}lane=${i}`);
  return { chainId, rpcUrl, rpcUrls, folder, addresses, startBlock, clockBlocks };
}
