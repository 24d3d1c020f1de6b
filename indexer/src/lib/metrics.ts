// Per-period metric rows: every change is added to its hour, its day and the cumulative ("all") row, and
// the derived columns (ratios, averages, levels) are recomputed from the row's own counters.
import type { Hex } from "viem";

import { modelMetric, networkMetric, priceSample, providerMetric, tokenMetric } from "ponder:schema";

import {
  addToRow,
  type Ctx,
  type DeltasOf,
  floorDiv,
  modelName,
  nonZero,
  type OnlyColumns,
  overlay,
  type Period,
  periodsOfHour,
  ratio,
} from "./core";

/** Deltas per metric table, typed by its columns: a misspelt or derived column does not compile. */
export type NetworkDeltas = DeltasOf<typeof networkMetric, "periodStart">;
export type TokenDeltas = DeltasOf<typeof tokenMetric, "periodStart">;
export type ModelDeltas = DeltasOf<typeof modelMetric, "periodStart">;
export type ProviderDeltas = DeltasOf<typeof providerMetric, "periodStart">;

type Row = Record<string, unknown>;

const big = (row: Row, column: string): bigint => row[column] as bigint;
const int = (row: Row, column: string): number => row[column] as number;

function deriveNetwork(row: Row): Row {
  const jobsAwarded = int(row, "jobsAwarded");
  return {
    utilization: ratio(big(row, "leasedGpuSeconds"), big(row, "availableGpuSeconds")),
    netEmission: big(row, "grlMinted") - big(row, "grlBurned"),
    bidsPerAuction: ratio(int(row, "closedAuctionBids"), int(row, "auctionsClosed")),
    revealRate: ratio(int(row, "closedAuctionReveals"), int(row, "closedAuctionBids")),
    clearingToReserve: ratio(big(row, "auctionClearingUsd"), big(row, "auctionReserveUsd")),
    avgTimeToAward: ratio(big(row, "awardSeconds"), jobsAwarded),
    repeatCustomerRate: ratio(int(row, "repeatRenters"), int(row, "uniqueRenters")),
    avgJobSizeUsd: floorDiv(big(row, "awardedValueUsd"), BigInt(jobsAwarded)),
    avgJobGpuHours: jobsAwarded === 0 ? null : Number(big(row, "awardedGpuSeconds")) / 3600 / jobsAwarded,
  };
}

/** Levels are the cumulative row's running balances; hour and day rows copy them (end-of-period values). */
function levelsOf(all: Row): Row {
  return {
    totalSupply: big(all, "grlIssued") - big(all, "grlBurned"),
    creditsOutstanding: big(all, "creditsBought") - big(all, "creditsSpent") + big(all, "creditsRefunded"),
    creditsEscrowed: big(all, "creditsSpent") - big(all, "creditsRefunded") - big(all, "earningsAccruedUsd"),
    stakedTotal: big(all, "stakeAdded") - big(all, "stakeWithdrawn") - big(all, "slashed"),
    totalProviders: int(all, "newProviders"),
    totalRenters: int(all, "newRenters"),
  };
}

/**
 * Adds to one network row and returns it. The cumulative row is written first, so period rows copy fresh
 * levels: `levels` when the caller has just written the cumulative row, else read from it.
 */
export async function addNetworkPeriod<D extends NetworkDeltas>(
  ctx: Ctx,
  period: Period,
  periodStart: bigint,
  deltas: OnlyColumns<D, NetworkDeltas>,
  levels?: Row,
): Promise<Row> {
  if (period === "all") {
    const { after } = await addToRow(ctx.db, networkMetric, { period, periodStart: 0n }, deltas, (row) => ({
      ...deriveNetwork(row),
      ...levelsOf(row),
    }));
    return after;
  }
  let copied = levels;
  if (copied === undefined) {
    const all = await ctx.db.find(networkMetric, { period: "all", periodStart: 0n });
    copied = all === null ? {} : levelsOf(all as Row);
  }
  const fixed = copied;
  const { after } = await addToRow(ctx.db, networkMetric, { period, periodStart }, deltas, (row) => ({
    ...deriveNetwork(row),
    ...fixed,
  }));
  return after;
}

/** Adds `deltas` to the network rows of the hour `hs` (its hour, day and the cumulative row). */
export async function addNetwork<D extends NetworkDeltas>(
  ctx: Ctx,
  hs: bigint,
  deltas: OnlyColumns<D, NetworkDeltas>,
): Promise<void> {
  const checked: NetworkDeltas = deltas;
  const [hour, day, all] = periodsOfHour(hs);
  const levels = levelsOf(await addNetworkPeriod(ctx, all!.period, all!.periodStart, checked));
  await addNetworkPeriod(ctx, hour!.period, hour!.periodStart, checked, levels);
  await addNetworkPeriod(ctx, day!.period, day!.periodStart, checked, levels);
}

export async function addToken<D extends TokenDeltas>(
  ctx: Ctx,
  token: Hex,
  hs: bigint,
  deltas: OnlyColumns<D, TokenDeltas>,
): Promise<void> {
  const kept = nonZero<TokenDeltas>(deltas);
  if (Object.keys(kept).length === 0) return;
  for (const { period, periodStart } of periodsOfHour(hs)) {
    await addToRow(ctx.db, tokenMetric, { token, period, periodStart }, kept);
  }
}

function deriveModel(row: Row): Row {
  const awards = int(row, "awards");
  return {
    utilization: ratio(big(row, "leasedGpuSeconds"), big(row, "availableGpuSeconds")),
    meanPrice: floorDiv(big(row, "sumPrice"), BigInt(awards)),
    vwapPrice: floorDiv(big(row, "sumPriceGpuSeconds"), big(row, "awardedGpuSeconds")),
    meanReserve: floorDiv(big(row, "sumReserve"), BigInt(awards)),
    discountVsReserve: awards === 0 ? null : 1 - (ratio(big(row, "sumPrice"), big(row, "sumReserve")) ?? 0),
  };
}

export async function addModelPeriod<D extends ModelDeltas>(
  ctx: Ctx,
  model: Hex,
  period: Period,
  periodStart: bigint,
  deltas: OnlyColumns<D, ModelDeltas>,
  extra?: (row: Row) => Row,
): Promise<void> {
  await addToRow(ctx.db, modelMetric, { model, period, periodStart }, deltas, (row) => {
    const extras = extra?.(row) ?? {};
    return { ...extras, ...deriveModel(overlay(row, extras)), modelName: modelName(model) };
  });
}

export async function addModel<D extends ModelDeltas>(
  ctx: Ctx,
  model: Hex,
  hs: bigint,
  deltas: OnlyColumns<D, ModelDeltas>,
): Promise<void> {
  const checked: ModelDeltas = deltas;
  for (const { period, periodStart } of periodsOfHour(hs))
    await addModelPeriod(ctx, model, period, periodStart, checked);
}

/** The median of an ascending list: the middle element, or the floor of the mean of the two middle ones. */
export function median(sorted: readonly bigint[]): bigint | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2n;
}

function insertSorted(sorted: readonly bigint[], value: bigint): bigint[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return [...sorted.slice(0, lo), value, ...sorted.slice(lo)];
}

/** Records one clearing price (USD per GPU-hour) with its volume (GPU-seconds) and the job's reserve. */
export async function addClearingPrice(
  ctx: Ctx,
  model: Hex,
  hs: bigint,
  price: bigint,
  gpuSeconds: bigint,
  reserve: bigint,
): Promise<void> {
  for (const { period, periodStart } of periodsOfHour(hs)) {
    const key = { model, period, periodStart };
    const sample = await ctx.db.find(priceSample, key);
    const prices = insertSorted(sample?.prices ?? [], price);
    if (sample === null) await ctx.db.insert(priceSample).values({ ...key, prices });
    else await ctx.db.update(priceSample, key).set({ prices });
    await addModelPeriod(
      ctx,
      model,
      period,
      periodStart,
      {
        awards: 1,
        awardedGpuSeconds: gpuSeconds,
        sumPrice: price,
        sumPriceGpuSeconds: price * gpuSeconds,
        sumReserve: reserve,
      },
      () => ({ minPrice: prices[0]!, maxPrice: prices[prices.length - 1]!, medianPrice: median(prices) }),
    );
  }
}

function deriveProvider(row: Row): Row {
  return { utilization: ratio(big(row, "leasedGpuSeconds"), big(row, "availableGpuSeconds")) };
}

/** Adds to one provider row; returns whether the row's available / leased GPU-seconds just became non-zero. */
export async function addProviderPeriod<D extends ProviderDeltas>(
  ctx: Ctx,
  address: Hex,
  period: Period,
  periodStart: bigint,
  deltas: OnlyColumns<D, ProviderDeltas>,
): Promise<{ becameActive: boolean; becameServing: boolean }> {
  const { previous, after } = await addToRow(
    ctx.db,
    providerMetric,
    { provider: address, period, periodStart },
    deltas,
    deriveProvider,
  );
  // A column without a delta did not change, so its value before is its value now.
  const was = (column: string) => previous !== null && ((previous[column] ?? after[column]) as bigint) > 0n;
  return {
    becameActive: !was("availableGpuSeconds") && big(after, "availableGpuSeconds") > 0n,
    becameServing: !was("leasedGpuSeconds") && big(after, "leasedGpuSeconds") > 0n,
  };
}

export async function addProvider<D extends ProviderDeltas>(
  ctx: Ctx,
  address: Hex,
  hs: bigint,
  deltas: OnlyColumns<D, ProviderDeltas>,
): Promise<void> {
  const kept = nonZero<ProviderDeltas>(deltas);
  if (Object.keys(kept).length === 0) return;
  for (const { period, periodStart } of periodsOfHour(hs))
    await addProviderPeriod(ctx, address, period, periodStart, kept);
}
