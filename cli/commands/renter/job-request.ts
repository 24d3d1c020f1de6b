// What `gridlease renter create-job` checks before it connects or sends anything: every option parsed,
// and a request no provider could fill (more VRAM than the model has, a region that is no country) refused
// unless --force, so a mistyped option never locks an escrow until the job expires.
import { readFileSync } from "node:fs";

import { keccak256 } from "ethers";

import { PricingRule, type GpuModelSpec, type PricingRuleName } from "../../../sdk/index.ts";
import { invalidInput } from "../../lib/errors.ts";
import {
  parseBytes32,
  parseChoice,
  parseDuration,
  parseGpuModel,
  parseHours,
  parseInteger,
  parseProtocolEnum,
} from "../../lib/parse.ts";
import { PAYMENT_KINDS, type PaymentKind } from "../../lib/tokens.ts";

/** create-job's options, as commander gives them (text). */
export interface CreateJobOptions {
  model: string;
  count: string;
  hours: string;
  maxPrice: string;
  vram?: string;
  region: string;
  minReputation: string;
  rule: string;
  pay: string;
  bidWindow: string;
  revealWindow: string;
  permit?: boolean;
  spec?: string;
  specHash?: string;
  force?: boolean;
}

/** The parts of a job request that need no chain: everything but the payment token's address and the reserve in its units. */
export interface OfflineJobRequest {
  gpuModel: string;
  spec: GpuModelSpec;
  count: bigint;
  duration: bigint;
  vram: bigint;
  region: bigint;
  minReputation: bigint;
  rule: PricingRuleName;
  pay: PaymentKind;
  bidWindow: bigint;
  revealWindow: bigint;
  specHash: string;
  /** The --spec file the hash was read from, or null for --spec-hash. */
  specFile: string | null;
}

/** The highest ISO 3166-1 numeric country code assigned (894, Zambia): a region above it matches no provider. */
const MAX_ISO_REGION = 894n;

/**
 * The job's workload spec hash from exactly one of `--spec <file>` (the keccak256 of the file's bytes) and
 * `--spec-hash <hash>`. Checked before anything is sent.
 */
function specHashOf(opts: Pick<CreateJobOptions, "spec" | "specHash">): { specHash: string; specFile: string | null } {
  if (opts.spec === undefined && opts.specHash === undefined) {
    throw invalidInput(
      "create-job needs the job's workload: give --spec <file> (its keccak256 is posted) or --spec-hash <0x + 64 hex digits>.",
    );
  }
  if (opts.spec !== undefined && opts.specHash !== undefined) {
    throw invalidInput("Give either --spec <file> or --spec-hash <hash>, not both.");
  }
  if (opts.specHash !== undefined) {
    const hash = parseBytes32(opts.specHash, "--spec-hash");
    if (BigInt(hash) === 0n)
      throw invalidInput("--spec-hash must not be zero: it is the hash of the job's workload spec.");
    return { specHash: hash, specFile: null };
  }
  const file = opts.spec as string;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw invalidInput(`--spec: cannot read the workload spec file "${file}" (${reason}).`);
  }
  return { specHash: keccak256(bytes), specFile: file };
}

/**
 * Parses and checks create-job's options, in the order a user fixes them; `revealWindowGiven` is whether
 * --reveal-window was typed (an instant job refuses it rather than ignoring it).
 */
export function parseJobRequest(opts: CreateJobOptions, revealWindowGiven: boolean): OfflineJobRequest {
  const { id: gpuModel, spec } = parseGpuModel(opts.model);
  const count = parseInteger(opts.count, "--count", 1n, 1024n);
  const duration = parseHours(opts.hours, "--hours");
  const vram = opts.vram === undefined ? BigInt(spec.vramGb) : parseInteger(opts.vram, "--vram", 0n, 65_535n);
  const region = parseInteger(opts.region, "--region", 0n, 65_535n);
  const minReputation = parseInteger(opts.minReputation, "--min-reputation", 0n, 10_000n);
  const rule = parseProtocolEnum(opts.rule, PricingRule, "--rule");
  const pay = parseChoice(opts.pay, PAYMENT_KINDS, "--pay");
  const bidWindow = parseDuration(opts.bidWindow, "--bid-window");
  if (rule === "Instant" && revealWindowGiven) {
    throw invalidInput(
      "--reveal-window applies to auctions only: an instant job has no sealed bids to reveal (drop it, or use --rule first|second).",
    );
  }
  const revealWindow = rule === "Instant" ? 0n : parseDuration(opts.revealWindow, "--reveal-window");
  if (opts.force !== true && vram > BigInt(spec.vramGb)) {
    throw invalidInput(
      `--vram ${vram} is more than a ${spec.name} has (${spec.vramGb} GB): no provider can fill this job, and its escrow would stay ` +
        `locked until it expires. Ask for at most ${spec.vramGb}, pick a larger model, or pass --force. Nothing was sent.`,
    );
  }
  if (opts.force !== true && region > MAX_ISO_REGION) {
    throw invalidInput(
      `--region ${region} is not an ISO 3166-1 numeric country code (they go up to ${MAX_ISO_REGION}; 0 = any region): no provider ` +
        "can be in it, and the escrow would stay locked until the job expires. Pass --force to post it anyway. Nothing was sent.",
    );
  }
  if (!/^\$?\d+(\.\d+)?$/.test(opts.maxPrice.trim())) {
    throw invalidInput(`--max-price must be a dollar amount such as 1.80, got "${opts.maxPrice}".`);
  }
  if (opts.permit === true && pay === "credits")
    throw invalidInput("--permit applies to USDC only; credit jobs need no approval.");
  const { specHash, specFile } = specHashOf(opts);
  return {
    gpuModel,
    spec,
    count,
    duration,
    vram,
    region,
    minReputation,
    rule,
    pay,
    bidWindow,
    revealWindow,
    specHash,
    specFile,
  };
}
