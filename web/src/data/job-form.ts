// The console's job form, checked in the browser before anything is signed: every field parsed with a message
// that names the field and what to type, so a bad request never reaches the wallet (no gas, no escrow locked).
import {
  AmountParseError,
  findGpuModel,
  type GpuModelSpec,
  hashWorkloadSpec,
  JobRequestError,
  type JobPostRequest,
  type OnChainJobRequest,
  parseDecimal,
  parseWorkloadSpec,
  validateJobRequest,
} from "../../../sdk/index.ts";

/** What the renter typed (the form's text fields as they are). */
export interface JobFormInput {
  readonly model: string;
  readonly gpus: string;
  readonly hours: string;
  readonly maxPrice: string;
  readonly rule: "instant" | "first" | "second";
  /** Minutes providers may bid (or accept an instant job). */
  readonly bidWindowMinutes: string;
  /** Minutes bidders may reveal after the bid window (auctions only). */
  readonly revealWindowMinutes: string;
  /** A spec hash (0x + 64 hex digits), or empty when a spec JSON is given. */
  readonly specHash: string;
  /** A workload spec (gridlease.workload/v1) as JSON text, or empty. */
  readonly specJson: string;
}

/** The form's fields, for messages keyed by field. */
export type JobFormField = keyof JobFormInput;

/** A checked request: what the SDK's postJob takes, the on-chain struct it becomes, and its escrow. */
export interface CheckedJobRequest {
  readonly spec: GpuModelSpec;
  /** For sdk/renter/post-job.ts's postJob (USDC, by permit). */
  readonly post: JobPostRequest;
  /** The struct postJob will send (validateJobRequest's answer). */
  readonly onChain: OnChainJobRequest;
  /** The escrow: reserve x GPUs x seconds / 3600, rounded down as JobMath.jobValue does. */
  readonly budget: bigint;
}

/** The outcome of {@link checkJobForm}: the request, or one message per faulty field. */
export type JobFormCheck =
  | { readonly ok: true; readonly request: CheckedJobRequest }
  | { readonly ok: false; readonly errors: Partial<Record<JobFormField, string>> };

/** The most GPUs one job may ask for from one provider (the SDK's limit). */
export const MAX_GPUS = 1024n;

/** The SDK's request fields as this form names them. */
const FORM_FIELD: Readonly<Partial<Record<keyof JobPostRequest, JobFormField>>> = {
  model: "model",
  gpus: "gpus",
  durationSeconds: "hours",
  maxPricePerGpuHour: "maxPrice",
  bidWindowSeconds: "bidWindowMinutes",
  revealWindowSeconds: "revealWindowMinutes",
  specHash: "specJson",
};

/** The SDK's request fields as the form's labels, so its messages name what the renter sees. */
const LABELS = {
  model: "GPU model",
  gpus: "GPUs",
  durationSeconds: "Hours",
  maxPricePerGpuHour: "The maximum price",
  bidWindowSeconds: "The bid window",
  revealWindowSeconds: "The reveal window",
  specHash: "The spec hash",
} as const;

/** Stand-ins for fields the form already refused, so the SDK's check still reports the others. */
const STAND_IN = { gpus: 1n, durationSeconds: 3_600n, window: 600n, specHash: `0x${"11".repeat(32)}` } as const;

const SPEC_HASH = /^0x[0-9a-fA-F]{64}$/;

function wholeNumber(text: string, label: string, min: bigint, max: bigint): bigint {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new AmountParseError(`${label} must be a whole number, got "${text}".`);
  const value = BigInt(trimmed);
  if (value < min || value > max) throw new AmountParseError(`${label} must be between ${min} and ${max}.`);
  return value;
}

function hoursToSeconds(text: string): bigint {
  const micros = parseDecimal(text, 6, { unit: "hours", what: "Hours" });
  if ((micros * 3600n) % 1_000_000n !== 0n) {
    throw new AmountParseError(`Hours must come to a whole number of seconds, got "${text}" (try 0.5 or 1.25).`);
  }
  return (micros * 3600n) / 1_000_000n;
}

function specHashOf(input: JobFormInput): string {
  const json = input.specJson.trim();
  const hash = input.specHash.trim();
  if (json !== "" && hash !== "") throw new AmountParseError("Give either a spec hash or a spec JSON, not both.");
  if (json !== "") {
    const parsed = parseWorkloadSpec(json);
    if (!parsed.ok) throw new AmountParseError(`The workload spec is not valid: ${parsed.errors.join("; ")}.`);
    return hashWorkloadSpec(parsed.value);
  }
  if (hash === "") {
    throw new AmountParseError(
      "The job needs its workload: paste a spec JSON (gridlease.workload/v1) or a spec hash (0x + 64 hex digits).",
    );
  }
  if (!SPEC_HASH.test(hash)) throw new AmountParseError(`A spec hash is 0x followed by 64 hex digits, got "${hash}".`);
  if (BigInt(hash) === 0n)
    throw new AmountParseError("The spec hash must not be zero: it is the hash of the workload.");
  return hash.toLowerCase();
}

/** The GPU model of the form, or a message naming the known ones. */
export function formModel(text: string): GpuModelSpec {
  const spec = findGpuModel(text);
  if (spec === undefined) throw new AmountParseError(`Unknown GPU model "${text}": pick one from the list.`);
  return spec;
}

/**
 * Checks the whole form for a payment token (USDC: 6 decimals): the form's own text (hours, minutes, a pasted
 * spec) here, everything else by the SDK's validateJobRequest, the same rules `gridlease renter create-job`
 * applies. One message per faulty field, so the renter sees them all at once.
 */
export function checkJobForm(
  input: JobFormInput,
  token: { address: string; symbol: string; decimals: number },
): JobFormCheck {
  const errors: Partial<Record<JobFormField, string>> = {};
  const field = <T>(name: JobFormField, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof AmountParseError)) throw error;
      errors[name] = error.message;
      return undefined;
    }
  };
  const gpus = field("gpus", () => wholeNumber(input.gpus, "GPUs", 1n, MAX_GPUS));
  const duration = field("hours", () => hoursToSeconds(input.hours));
  const bidWindow = field("bidWindowMinutes", () => wholeNumber(input.bidWindowMinutes, "The bid window", 1n, 10_080n));
  const revealWindow =
    input.rule === "instant"
      ? 0n
      : field("revealWindowMinutes", () => wholeNumber(input.revealWindowMinutes, "The reveal window", 1n, 10_080n));
  const specHash = field("specJson", () => specHashOf(input));
  const post: JobPostRequest = {
    model: input.model,
    gpus: gpus ?? STAND_IN.gpus,
    durationSeconds: duration ?? STAND_IN.durationSeconds,
    maxPricePerGpuHour: input.maxPrice,
    rule: input.rule,
    pay: "usdc",
    bidWindowSeconds: bidWindow === undefined ? STAND_IN.window : bidWindow * 60n,
    revealWindowSeconds: revealWindow === undefined ? STAND_IN.window : revealWindow * 60n,
    specHash: specHash ?? STAND_IN.specHash,
    permit: true,
  };
  let onChain: OnChainJobRequest | undefined;
  try {
    onChain = validateJobRequest(post, token, LABELS);
  } catch (error) {
    if (!(error instanceof JobRequestError)) throw error;
    const name = (error.field === undefined ? undefined : FORM_FIELD[error.field]) ?? "maxPrice";
    errors[name] ??= error.message;
  }
  if (onChain === undefined || Object.keys(errors).length > 0) return { ok: false, errors };
  const budget = (onChain.reservePricePerGpuHour * onChain.gpuCount * onChain.duration) / 3600n;
  if (budget === 0n) {
    return {
      ok: false,
      errors: { maxPrice: "The budget (max price × GPUs × hours) rounds to zero: raise the price, GPUs or hours." },
    };
  }
  return { ok: true, request: { spec: formModel(input.model), post, onChain, budget } };
}
