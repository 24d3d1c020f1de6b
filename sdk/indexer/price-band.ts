// A GPU model's price band over a window (the market page's 7 and 30 days): min, median, volume-weighted
// mean and max of the clearing prices of the jobs awarded in it, exactly as the indexer's model_metric
// defines them (median: the middle price, or the floor of the mean of the two middle ones; VWAP weights: the
// job's GPU-seconds, floored), computed from the jobs because daily medians do not add up to a weekly one.
import type { IndexedJob } from "./jobs.ts";

/** USD per GPU-hour, 18 decimals; all null when nothing was awarded in the window. */
export interface PriceBand {
  readonly awards: number;
  readonly min: bigint | null;
  readonly median: bigint | null;
  readonly vwap: bigint | null;
  readonly max: bigint | null;
}

/** The band of the jobs' USD clearing prices (jobs without one are skipped). */
export function priceBand(jobs: readonly Pick<IndexedJob, "clearingPriceUsd" | "gpuCount" | "duration">[]): PriceBand {
  const priced = jobs.filter((job): job is typeof job & { clearingPriceUsd: bigint } => job.clearingPriceUsd !== null);
  if (priced.length === 0) return { awards: 0, min: null, median: null, vwap: null, max: null };
  const prices = priced.map((job) => job.clearingPriceUsd).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const middle = Math.floor(prices.length / 2);
  const median = prices.length % 2 === 1 ? prices[middle]! : (prices[middle - 1]! + prices[middle]!) / 2n;
  let weighted = 0n;
  let weights = 0n;
  for (const job of priced) {
    const gpuSeconds = BigInt(job.gpuCount) * job.duration;
    weighted += job.clearingPriceUsd * gpuSeconds;
    weights += gpuSeconds;
  }
  return {
    awards: priced.length,
    min: prices[0]!,
    median,
    vwap: weights === 0n ? null : weighted / weights,
    max: prices[prices.length - 1]!,
  };
}
