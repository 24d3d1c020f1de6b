// How the dashboard writes numbers: USD and GRL from their 18-decimal integers (exactly, no floating point
// until the last digits shown), ratios as percentages, addresses shortened. The e2e test formats GraphQL's
// answers with these same functions to compare them with the page.

const USD_DECIMALS = 18n;

/** Groups the digits of a non-negative integer string by thousands. */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A fixed-point amount with `decimals` decimals, rounded half up to `shown` decimals, digits grouped. */
export function formatFixed(units: bigint, decimals: bigint, shown: number): string {
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const scale = 10n ** decimals;
  const step = 10n ** BigInt(shown);
  const rounded = (magnitude * step + scale / 2n) / scale;
  const whole = groupThousands((rounded / step).toString());
  const fraction = shown === 0 ? "" : `.${(rounded % step).toString().padStart(shown, "0")}`;
  return `${negative && rounded !== 0n ? "-" : ""}${whole}${fraction}`;
}

/** USD with 18 decimals as "$1,234.56" (`shown` decimals, default 2; -$ for negatives). */
export function formatUsd18(units: bigint, shown = 2): string {
  const text = formatFixed(units, USD_DECIMALS, shown);
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
}

/** GRL wei as "1,234.5 GRL" (one decimal). */
export function formatGrlAmount(wei: bigint): string {
  return `${formatFixed(wei, 18n, 1)} GRL`;
}

/** A ratio in [0, 1] as "41.3%", or "n/a" when the indexer has none (its denominator is still zero). */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? "n/a" : `${(ratio * 100).toFixed(1)}%`;
}

/** A count with grouped digits. */
export function formatCount(value: number | bigint): string {
  const text = value.toString();
  return text.startsWith("-") ? `-${groupThousands(text.slice(1))}` : groupThousands(text);
}

/** GPU-seconds as GPU-hours, one decimal. */
export function formatGpuHours(gpuSeconds: bigint): string {
  return `${formatFixed(gpuSeconds, 0n, 0) === "0" ? "0.0" : formatFixed((gpuSeconds * 10n) / 3600n, 1n, 1)} GPU-h`;
}

/** "0x1234…abcd" for an address or hash. */
export function shortHex(hex: string): string {
  return hex.length <= 12 ? hex : `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}

/** A unix time as "2026-01-01 00:00 UTC" (chain time; the dashboard never uses the browser's clock for it). */
export function formatUtc(seconds: bigint | number): string {
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A period start as its day ("2026-01-01") or hour ("01-01 13h"), for chart axes. */
export function formatPeriod(seconds: bigint, period: "hour" | "day"): string {
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return period === "day" ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 13)}h`;
}

/** The sign and size of a change, e.g. "+$12.00" or "-3.1 pp", with its direction for styling. */
export interface Change {
  readonly text: string;
  readonly direction: "up" | "down" | "flat";
}

/** A change between two USD amounts. */
export function usdChange(now: bigint, before: bigint): Change {
  const delta = now - before;
  return {
    text: `${delta > 0n ? "+" : ""}${formatUsd18(delta)}`,
    direction: direction(delta > 0n ? 1 : delta < 0n ? -1 : 0),
  };
}

/** A change between two GRL amounts. */
export function grlChange(now: bigint, before: bigint): Change {
  const delta = now - before;
  return {
    text: `${delta > 0n ? "+" : ""}${formatGrlAmount(delta)}`,
    direction: direction(delta > 0n ? 1 : delta < 0n ? -1 : 0),
  };
}

/** A change between two ratios, in percentage points ("n/a" when either is missing). */
export function ratioChange(now: number | null, before: number | null): Change {
  if (now === null || before === null) return { text: "n/a", direction: "flat" };
  const points = (now - before) * 100;
  const shown = points.toFixed(1);
  return {
    text: `${points > 0 && shown !== "0.0" ? "+" : ""}${shown === "-0.0" ? "0.0" : shown} pp`,
    direction: direction(Number(shown)),
  };
}

/** A change between two counts. */
export function countChange(now: number, before: number): Change {
  const delta = now - before;
  return { text: `${delta > 0 ? "+" : ""}${formatCount(delta)}`, direction: direction(delta) };
}

function direction(sign: number): Change["direction"] {
  return sign > 0 ? "up" : sign < 0 ? "down" : "flat";
}

/** 18-decimal USD as a float, for chart axes only (never for figures shown as text). */
export function usdNumber(units: bigint): number {
  return Number(units / 10n ** 12n) / 1e6;
}

/** GRL wei as a float, for chart axes only. */
export function grlNumber(wei: bigint): number {
  return Number(wei / 10n ** 12n) / 1e6;
}
