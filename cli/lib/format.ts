// Human-readable amounts, times and durations for text output and error messages.
import { formatUnits } from "ethers";

/** `units` of a token with `decimals`, without a trailing ".0" ("1500000", 6 -> "1.5"). */
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

/** A GRL amount (18 decimals) with its symbol. */
export function formatGrl(wei: bigint): string {
  return `${formatAmount(wei, 18)} GRL`;
}

/** Seconds as "2h 5m 3s" (largest units first, zero parts left out). */
export function formatDuration(seconds: bigint | number): string {
  let rest = BigInt(seconds);
  if (rest < 0n) rest = -rest;
  if (rest === 0n) return "0s";
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400n], ["h", 3_600n], ["m", 60n], ["s", 1n]] as const) {
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

/** Basis points as a percentage ("250" -> "2.5%"). */
export function formatBps(bps: bigint | number): string {
  return `${formatAmount(BigInt(bps), 2)}%`;
}
