// The local record of sealed bids: the price and random salt of each commitment, which the reveal needs
// and the chain never shows. Kept in $GRIDLEASE_HOME/bids.json (~/.gridlease by default) or --salt-file,
// readable by the owner only, and written before the commitment is sent so a crash cannot lose a salt.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { gridleaseHome } from "./env.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";

/** The help of the provider commands' `--salt-file` option (bid, reveal, status). */
export const SALT_FILE_HELP =
  "file holding the salts of your sealed bids (default: $GRIDLEASE_HOME/bids.json, ~/.gridlease/bids.json)";

export interface SavedBid {
  chainId: string;
  market: string;
  jobId: string;
  provider: string;
  /** Price per GPU-hour in payment token units. */
  price: string;
  salt: string;
  savedAt: string;
  /** The commit transaction, once mined. */
  commitTx?: string;
}

type BidFile = Record<string, SavedBid>;

/** The bid file: --salt-file when given, else $GRIDLEASE_HOME/bids.json. */
export function bidFilePath(override?: string): string {
  return override ?? join(gridleaseHome(), "bids.json");
}

function keyOf(chainId: bigint | string, market: string, jobId: bigint | string, provider: string): string {
  return `${chainId}:${market.toLowerCase()}:${jobId}:${provider.toLowerCase()}`;
}

function read(file: string): BidFile {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BidFile;
  } catch {
    throw new CliError(
      "BAD_SALT_FILE",
      `The bid file ${file} is not valid JSON: fix or move it (it holds your bid salts).`,
      {
        exitCode: EXIT_USAGE,
      },
    );
  }
}

function write(file: string, bids: BidFile): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(bids, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export function saveBid(file: string, bid: SavedBid): void {
  const bids = read(file);
  bids[keyOf(bid.chainId, bid.market, bid.jobId, bid.provider)] = bid;
  write(file, bids);
}

export function findBid(
  file: string,
  chainId: bigint,
  market: string,
  jobId: bigint,
  provider: string,
): SavedBid | undefined {
  return read(file)[keyOf(chainId, market, jobId, provider)];
}

export function removeBid(file: string, chainId: bigint, market: string, jobId: bigint, provider: string): void {
  const bids = read(file);
  const key = keyOf(chainId, market, jobId, provider);
  if (!(key in bids)) return;
  delete bids[key];
  write(file, bids);
}

/** Every saved bid of `provider` on this market. */
export function bidsOf(file: string, chainId: bigint, market: string, provider: string): SavedBid[] {
  const prefix = `${chainId}:${market.toLowerCase()}:`;
  return Object.entries(read(file))
    .filter(([key, bid]) => key.startsWith(prefix) && bid.provider.toLowerCase() === provider.toLowerCase())
    .map(([, bid]) => bid);
}
