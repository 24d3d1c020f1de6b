// The console's job form, checked in the browser before anything is signed: every field parsed with a message
// that names the field and what to type, so a bad request never reaches the wallet (no gas, no escrow locked).
import {
  AmountParseError,
  findGpuModel,
  gpuModelId,
  hashWorkloadSpec,
  parseDecimal,
  parseWorkloadSpec,
  PricingRule,
  type GpuModelSpec,
  type PricingRuleName,
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

/** A checked request, ready for IJobMarket.JobRequest (less the payment token's address). */
export interface CheckedJobRequest {
  readonly spec: GpuModelSpec;
  readonly gpuModel: string;
  readonly gpuCount: bigint;
  readonly duration: bigint;
  readonly reservePricePerGpuHour: bigint;
  readonly pricingRule: bigint;
  readonly ruleName: PricingRuleName;
  readonly bidWindow: bigint;
  readonly revealWindow: bigint;
  readonly specHash: string;
  /** The escrow: reserve x GPUs x seconds / 3600, rounded down as JobMath.jobValue does. */
  readonly budget: bigint;
}

/** The outcome of {@link checkJobForm}: the request, or one message per faulty field. */
export type JobFormCheck =
  | { readonly ok: true; readonly request: CheckedJobRequest }
  | { readonly ok: false; readonly errors: Partial<Record<JobFormField, string>> };

/** The largest reserve the market stores (a uint96 in token units). */
export const MAX_RESERVE_UNITS = 2n ** 96n - 1n;
/** The most GPUs one job may ask for from one provider (what the CLI accepts). */
export const MAX_GPUS = 1024n;

const RULES: Readonly<Record<JobFormInput["rule"], PricingRuleName>> = {
  instant: "Instant",
  first: "FirstPrice",
  second: "SecondPrice",
};

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

function maxPriceUnits(text: string, decimals: number, symbol: string): bigint {
  const units = parseDecimal(text, decimals, { unit: `${symbol} (${decimals} decimals)`, what: "The maximum price" });
  if (units > MAX_RESERVE_UNITS) {
    const whole = MAX_RESERVE_UNITS / 10n ** BigInt(decimals);
    throw new AmountParseError(
      `The maximum price is above what the market can store (at most ${whole.toLocaleString("en-US")} ${symbol} per GPU-hour): type a real price such as 2.50.`,
    );
  }
  return units;
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
 * Checks the whole form for a payment token with `decimals` (USDC: 6) and `symbol`; collects one message per
 * faulty field so the renter sees them all at once.
 */
export function checkJobForm(input: JobFormInput, decimals: number, symbol: string): JobFormCheck {
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
  const spec = field("model", () => formModel(input.model));
  const gpuCount = field("gpus", () => wholeNumber(input.gpus, "GPUs", 1n, MAX_GPUS));
  const duration = field("hours", () => hoursToSeconds(input.hours));
  const reserve = field("maxPrice", () => maxPriceUnits(input.maxPrice, decimals, symbol));
  const ruleName = RULES[input.rule];
  const bidWindow = field("bidWindowMinutes", () => wholeNumber(input.bidWindowMinutes, "The bid window", 1n, 10_080n));
  const revealWindow =
    ruleName === "Instant"
      ? 0n
      : field("revealWindowMinutes", () => wholeNumber(input.revealWindowMinutes, "The reveal window", 1n, 10_080n));
  const specHash = field("specJson", () => specHashOf(input));
  if (
    spec === undefined ||
    gpuCount === undefined ||
    duration === undefined ||
    reserve === undefined ||
    bidWindow === undefined ||
    revealWindow === undefined ||
    specHash === undefined
  ) {
    return { ok: false, errors };
  }
  const budget = (reserve * gpuCount * duration) / 3600n;
  if (budget === 0n) {
    return {
      ok: false,
      errors: { maxPrice: "The budget (max price × GPUs × hours) rounds to zero: raise the price, GPUs or hours." },
    };
  }
  return {
    ok: true,
    request: {
      spec,
      gpuModel: gpuModelId(spec.name),
      gpuCount,
      duration,
      reservePricePerGpuHour: reserve,
      pricingRule: BigInt(PricingRule.valueOf(ruleName)),
      ruleName,
      bidWindow: bidWindow * 60n,
      revealWindow: revealWindow * 60n,
      specHash,
      budget,
    },
  };
}
