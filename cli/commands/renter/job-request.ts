// What `gridlease renter create-job` (and `gridlease run`) read from their options before connecting: each
// option's text parsed (flag names in the messages), the workload spec's canonical hash, and the typed
// request the SDK's postJob checks and posts (sdk/renter/post-job.ts).
import { readFileSync } from "node:fs";

import {
  hashWorkloadSpec,
  type JobRequestError,
  parseWorkloadSpec,
  PRICING_RULE_OPTIONS,
  PricingRule,
  type GpuModelSpec,
  type JobPostRequest,
  type JobRequestLabels,
  type WorkloadSpec,
} from "../../../sdk/index.ts";
import { CliError, EXIT_USAGE, invalidInput } from "../../lib/errors.ts";
import {
  parseBytes32,
  parseChoice,
  parseDuration,
  parseGpuModel,
  parseHours,
  parseInteger,
  parseProtocolEnum,
} from "../../lib/parse.ts";
import { PAYMENT_KINDS } from "../../lib/tokens.ts";

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

/** How the SDK's messages name create-job's flags. */
export const JOB_REQUEST_FLAGS: JobRequestLabels = {
  model: "--model",
  gpus: "--count",
  durationSeconds: "--hours",
  maxPricePerGpuHour: "--max-price",
  rule: "--rule",
  pay: "--pay",
  bidWindowSeconds: "--bid-window",
  revealWindowSeconds: "--reveal-window",
  minVramGb: "--vram",
  region: "--region",
  minReputation: "--min-reputation",
  permit: "--permit",
  specHash: "--spec-hash",
  force: "--force",
};

/** A job request read from the command line, ready for postJob. */
export interface ParsedJobRequest {
  request: JobPostRequest;
  /** The model's catalogue entry (for the summary line). */
  spec: GpuModelSpec;
  /** The --spec file the hash was computed from, or null for --spec-hash. */
  specFile: string | null;
}

/**
 * Reads and checks a workload spec file: its canonical hash (`hashWorkloadSpec`) is what the job posts and what
 * the provider's node checks the handed-over spec against. `what` names the option in messages.
 */
export function readSpecFile(file: string, what: string): { spec: WorkloadSpec; specHash: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw invalidInput(`${what}: cannot read the workload spec file "${file}" (${reason}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`${what}: "${file}" is not JSON (${(e as Error).message}): a workload spec is a JSON document.`);
  }
  const parsed = parseWorkloadSpec(json);
  if (!parsed.ok) {
    throw invalidInput(
      `${what}: "${file}" is not a valid workload spec: ${parsed.errors.join("; ")}. Nothing was sent.`,
      {
        issues: parsed.errors,
      },
    );
  }
  return { spec: parsed.value, specHash: hashWorkloadSpec(parsed.value) };
}

/** The job's spec hash from exactly one of `--spec <file>` and `--spec-hash <hash>`. */
function specHashOf(opts: Pick<CreateJobOptions, "spec" | "specHash">): { specHash: string; specFile: string | null } {
  if (opts.spec === undefined && opts.specHash === undefined) {
    throw invalidInput(
      "create-job needs the job's workload: give --spec <file> (its canonical hash is posted) or --spec-hash <0x + 64 hex digits>.",
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
  return { specHash: readSpecFile(opts.spec as string, "--spec").specHash, specFile: opts.spec as string };
}

/**
 * Parses create-job's options (everything but the spec) into the SDK's request; `revealWindowGiven` is whether
 * --reveal-window was typed (an instant job refuses it rather than ignoring it).
 */
export function parseJobOptions(
  opts: Omit<CreateJobOptions, "spec" | "specHash">,
  revealWindowGiven: boolean,
  specHash: string,
): { request: JobPostRequest; spec: GpuModelSpec } {
  const { spec } = parseGpuModel(opts.model);
  const count = parseInteger(opts.count, "--count", 1n, 1024n);
  const duration = parseHours(opts.hours, "--hours");
  const vram = opts.vram === undefined ? undefined : parseInteger(opts.vram, "--vram", 0n, 65_535n);
  const region = parseInteger(opts.region, "--region", 0n, 65_535n);
  const minReputation = parseInteger(opts.minReputation, "--min-reputation", 0n, 10_000n);
  const rule = PRICING_RULE_OPTIONS[parseProtocolEnum(opts.rule, PricingRule, "--rule")];
  const pay = parseChoice(opts.pay, PAYMENT_KINDS, "--pay");
  const bidWindow = parseDuration(opts.bidWindow, "--bid-window");
  const revealWindow =
    rule === "instant" && !revealWindowGiven ? 0n : parseDuration(opts.revealWindow, "--reveal-window");
  return {
    spec,
    request: {
      model: opts.model,
      gpus: count,
      durationSeconds: duration,
      maxPricePerGpuHour: opts.maxPrice,
      rule,
      pay,
      bidWindowSeconds: bidWindow,
      revealWindowSeconds: revealWindow,
      specHash,
      minVramGb: vram,
      region,
      minReputation,
      permit: opts.permit === true,
      force: opts.force === true,
    },
  };
}

/** Parses and checks create-job's options, in the order a user fixes them. */
export function parseJobRequest(opts: CreateJobOptions, revealWindowGiven: boolean): ParsedJobRequest {
  const parsed = parseJobOptions(opts, revealWindowGiven, "");
  const { specHash, specFile } = specHashOf(opts);
  return { request: { ...parsed.request, specHash }, spec: parsed.spec, specFile };
}

/** The CLI's report of a request the SDK refused: exit 2, nothing sent. */
export function jobRequestRefusal(error: JobRequestError): CliError {
  if (error.code === "INSUFFICIENT_BALANCE") return new CliError(error.code, error.message, { exitCode: EXIT_USAGE });
  if (error.code === "NO_STABLECOIN") return new CliError(error.code, error.message, { exitCode: EXIT_USAGE });
  return invalidInput(error.message);
}
