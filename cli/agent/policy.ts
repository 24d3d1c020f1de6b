// The provider agent's pricing policy (a JSON file): which jobs to serve and at what price.
//
// {
//   "minPricePerGpuHour": { "H100": "1.40", "RTX4090": "0.30" },  floor per model, dollars; other models are skipped
//   "marginBelowReserveBps": 500,     bid this far below the renter's maximum price, never under the floor
//   "maxGpusPerJob": 8,               skip jobs asking for more GPUs
//   "paymentTokens": ["usdc", "credits"],
//   "acceptInstant": true,            accept instant jobs whose price is at or above the floor
//   "autoAward": true,                close auctions it leads once the reveal window is over
//   "autoStart": true,                start jobs it won (an instant job: accepted and started in one transaction)
//   "closeLosingBids": true,          release the stake locked by bids that lost
//   "pollIntervalMs": 2000, "maxJobsPerPoll": 25, "maxActionsPerPoll": 10, "maxBlocksPerPoll": 2000,
//   "maxTrackedJobs": 500, "maxFailuresPerJob": 3,
//   "renters": ["0x..."],             serve only these renters' jobs (a private node); default: every renter
//   "fromBlock": "latest"             or a block number to scan from
// }
import { readFileSync } from "node:fs";

import { getAddress, isAddress } from "ethers";

import { GPU_MODELS } from "../../sdk/index.ts";
import { CliError, EXIT_USAGE } from "../lib/errors.ts";
import { parseDollars } from "../lib/parse.ts";
import { PAYMENT_KINDS, type PaymentKind } from "../lib/tokens.ts";

export interface Policy {
  /** Floor per catalogue model name, in dollars with 18 decimals (scaled to each payment token on use). */
  floors: ReadonlyMap<string, bigint>;
  marginBelowReserveBps: bigint;
  maxGpusPerJob: number;
  paymentTokens: ReadonlySet<PaymentKind>;
  acceptInstant: boolean;
  autoAward: boolean;
  autoStart: boolean;
  closeLosingBids: boolean;
  pollIntervalMs: number;
  maxJobsPerPoll: number;
  maxActionsPerPoll: number;
  maxBlocksPerPoll: number;
  maxTrackedJobs: number;
  maxFailuresPerJob: number;
  /** Checksummed addresses whose jobs alone are served; undefined: every renter's. */
  renters: ReadonlySet<string> | undefined;
  fromBlock: "latest" | number;
}

const KNOWN_KEYS = new Set([
  "minPricePerGpuHour",
  "marginBelowReserveBps",
  "maxGpusPerJob",
  "paymentTokens",
  "acceptInstant",
  "autoAward",
  "autoStart",
  "closeLosingBids",
  "pollIntervalMs",
  "maxJobsPerPoll",
  "maxActionsPerPoll",
  "maxBlocksPerPoll",
  "maxTrackedJobs",
  "maxFailuresPerJob",
  "renters",
  "fromBlock",
]);

function bad(file: string, message: string): CliError {
  return new CliError("INVALID_POLICY", `The policy ${file} is invalid: ${message}`, { exitCode: EXIT_USAGE });
}

function integer(
  file: string,
  raw: Record<string, unknown>,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = raw[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw bad(file, `"${key}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw[key])}.`);
  }
  return value;
}

function flag(file: string, raw: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = raw[key] ?? fallback;
  if (typeof value !== "boolean") throw bad(file, `"${key}" must be true or false, got ${JSON.stringify(raw[key])}.`);
  return value;
}

/** Parses and validates a policy object (`file` names it in messages). */
export function parsePolicy(raw: unknown, file: string): Policy {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw bad(file, "it must be a JSON object.");
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.has(key)) throw bad(file, `unknown setting "${key}" (known: ${[...KNOWN_KEYS].join(", ")}).`);
  }
  const minPrices = record.minPricePerGpuHour;
  if (
    minPrices === null ||
    typeof minPrices !== "object" ||
    Array.isArray(minPrices) ||
    Object.keys(minPrices).length === 0
  ) {
    throw bad(file, '"minPricePerGpuHour" must map at least one GPU model to a dollar floor, e.g. {"H100": "1.40"}.');
  }
  const floors = new Map<string, bigint>();
  for (const [model, price] of Object.entries(minPrices as Record<string, unknown>)) {
    const spec = GPU_MODELS.find((m) => m.name.toLowerCase() === model.toLowerCase());
    if (spec === undefined)
      throw bad(file, `unknown GPU model "${model}" (use ${GPU_MODELS.map((m) => m.name).join(", ")}).`);
    if (typeof price !== "string" && typeof price !== "number")
      throw bad(file, `the floor of ${model} must be a dollar amount.`);
    try {
      floors.set(spec.name, parseDollars(String(price), 18, `the floor of ${model}`));
    } catch (error) {
      throw bad(file, (error as Error).message);
    }
  }
  const tokens = record.paymentTokens ?? [...PAYMENT_KINDS];
  if (!Array.isArray(tokens) || tokens.length === 0 || tokens.some((t) => !PAYMENT_KINDS.includes(t as PaymentKind))) {
    throw bad(file, `"paymentTokens" must list one or more of ${PAYMENT_KINDS.join(", ")}.`);
  }
  const renters = record.renters;
  if (
    renters !== undefined &&
    (!Array.isArray(renters) || renters.length === 0 || renters.some((r) => typeof r !== "string" || !isAddress(r)))
  ) {
    throw bad(
      file,
      '"renters" must list one or more renter addresses (0x + 40 hex digits), or be left out to serve everyone.',
    );
  }
  const fromBlock = record.fromBlock ?? "latest";
  if (fromBlock !== "latest" && (typeof fromBlock !== "number" || !Number.isInteger(fromBlock) || fromBlock < 0)) {
    throw bad(file, '"fromBlock" must be "latest" or a block number.');
  }
  return {
    floors,
    marginBelowReserveBps: BigInt(integer(file, record, "marginBelowReserveBps", 0, 0, 9_999)),
    maxGpusPerJob: integer(file, record, "maxGpusPerJob", 1024, 1, 1024),
    paymentTokens: new Set(tokens as PaymentKind[]),
    acceptInstant: flag(file, record, "acceptInstant", true),
    autoAward: flag(file, record, "autoAward", true),
    autoStart: flag(file, record, "autoStart", true),
    closeLosingBids: flag(file, record, "closeLosingBids", true),
    pollIntervalMs: integer(file, record, "pollIntervalMs", 2_000, 100, 3_600_000),
    maxJobsPerPoll: integer(file, record, "maxJobsPerPoll", 25, 1, 1_000),
    maxActionsPerPoll: integer(file, record, "maxActionsPerPoll", 10, 1, 1_000),
    maxBlocksPerPoll: integer(file, record, "maxBlocksPerPoll", 2_000, 1, 100_000),
    maxTrackedJobs: integer(file, record, "maxTrackedJobs", 500, 1, 100_000),
    maxFailuresPerJob: integer(file, record, "maxFailuresPerJob", 3, 1, 100),
    renters: renters === undefined ? undefined : new Set((renters as string[]).map((r) => getAddress(r))),
    fromBlock: fromBlock as "latest" | number,
  };
}

export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError("INVALID_POLICY", `Cannot read the policy file ${file}: ${(error as Error).message}.`, {
      exitCode: EXIT_USAGE,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw bad(file, `it is not valid JSON (${(error as Error).message}).`);
  }
  return parsePolicy(raw, file);
}

/** The floor of `model` in units of a token with `decimals`, rounded up (a floor is never undercut). */
export function floorIn(policy: Policy, model: string, decimals: number): bigint | undefined {
  const floor = policy.floors.get(model);
  if (floor === undefined) return undefined;
  const scale = 10n ** BigInt(18 - decimals);
  return (floor + scale - 1n) / scale;
}

/**
 * The price to bid on a job with `reserve`: `margin` below the reserve, raised to the floor; undefined
 * when the floor is above the reserve (the job pays too little).
 */
export function bidPrice(policy: Policy, reserve: bigint, floor: bigint): bigint | undefined {
  if (floor > reserve) return undefined;
  const target = reserve - (reserve * policy.marginBelowReserveBps) / 10_000n;
  const price = target < floor ? floor : target;
  return price === 0n ? undefined : price;
}
