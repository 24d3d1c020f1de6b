// Exact decimal amounts: token amounts and prices per GPU-hour are bigint token units, parsed from and
// printed as decimal strings without floating point. Also the generic time and duration formats the
// CLI's messages use.
import { formatUnits, parseUnits } from "ethers";

/** Thrown by {@link parseDecimal} for text that is not an acceptable amount; the message says what is accepted. */
export class AmountParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AmountParseError";
  }
}

/** Options of {@link parseDecimal}. */
export interface ParseDecimalOptions {
  /** Accept zero (default: an amount must be above zero). */
  allowZero?: boolean;
  /** The unit named in messages ("dollars", "GRL"); default "the token". */
  unit?: string;
  /** The input's name in messages ("--max-price"); default "The amount". */
  what?: string;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A non-negative decimal string ("1.5", "$1.50", "1_000") as an exact number of units of a token with
 * `decimals`. Refuses signs, exponents, more fraction digits than the token has, and zero unless allowed.
 *
 * @example parseDecimal("1.80", 6) === 1_800_000n
 */
export function parseDecimal(text: string, decimals: number, options: ParseDecimalOptions = {}): bigint {
  const unit = options.unit ?? "";
  const what = options.what ?? "The amount";
  const trimmed = text.trim().replace(/^\$/, "").replace(/_/g, "");
  const match = DECIMAL.exec(trimmed);
  if (match === null) {
    throw new AmountParseError(
      `${what} must be a decimal number${unit === "" ? "" : ` of ${unit}`} such as 1.5, got "${text}".`,
    );
  }
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new AmountParseError(
      `${what} has ${fraction.length} decimals but ${unit === "" ? "the token" : unit} has only ${decimals}: got "${text}".`,
    );
  }
  const value = parseUnits(trimmed, decimals);
  if (value === 0n && options.allowZero !== true)
    throw new AmountParseError(`${what} must be above zero, got "${text}".`);
  return value;
}

/** `units` of a token with `decimals`, without a trailing ".0" (1500000n, 6 -> "1.5"). */
export function formatAmount(units: bigint, decimals: number): string {
  const text = formatUnits(units, decimals);
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

/** A dollar amount with at least cents ("$1.50", "$0.000125"). */
export function formatUsd(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const text = formatUnits(negative ? -units : units, decimals);
  const [whole, fraction = ""] = text.split(".");
  const cents = fraction.replace(/0+$/, "").padEnd(2, "0");
  return `${negative ? "-" : ""}$${whole}.${cents}`;
}

/** GRL has 18 decimals. */
export const GRL_DECIMALS = 18;

/** Credits and USD earnings have 18 decimals (ISettlement.decimals). */
export const CREDIT_DECIMALS = 18;

/** A GRL amount (18 decimals) with its symbol ("1.5 GRL"). */
export function formatGrl(wei: bigint): string {
  return `${formatAmount(wei, GRL_DECIMALS)} GRL`;
}

/** Basis points as a percentage (250 -> "2.5%"). */
export function formatBps(bps: bigint | number): string {
  return `${formatAmount(BigInt(bps), 2)}%`;
}

/** Seconds as "2h 5m 3s" (largest units first, zero parts left out; the sign is dropped). */
export function formatDuration(seconds: bigint | number): string {
  let rest = BigInt(seconds);
  if (rest < 0n) rest = -rest;
  if (rest === 0n) return "0s";
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400n],
    ["h", 3_600n],
    ["m", 60n],
    ["s", 1n],
  ] as const) {
    if (rest >= size) {
      parts.push(`${rest / size}${unit}`);
      rest %= size;
    }
  }
  return parts.join(" ");
}

/** A unix time as ISO-8601 UTC, with how far it is from `now` when given ("... (in 9m 58s)"). */
export function formatTime(timestamp: bigint | number, now?: bigint | number): string {
  const ts = BigInt(timestamp);
  const iso = new Date(Number(ts) * 1000).toISOString().replace(".000Z", "Z");
  if (now === undefined) return iso;
  const delta = ts - BigInt(now);
  if (delta === 0n) return `${iso} (now)`;
  return delta > 0n ? `${iso} (in ${formatDuration(delta)})` : `${iso} (${formatDuration(delta)} ago)`;
}
