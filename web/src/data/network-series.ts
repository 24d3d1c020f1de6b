// The overview's network charts from the indexer's network_metric rows (newest first, as the SDK returns
// them): revenue, utilization and the GRL supply per period, oldest first for the x axis.
import type { IndexedNetworkMetric } from "../../../sdk/indexer/index.ts";

import type { ChartData } from "./chart-data.ts";
import { formatPeriod, grlNumber, usdNumber } from "./format.ts";

/** Rows oldest first, with their axis labels (every chart over network_metric rows starts here). */
export function chronological(
  rows: readonly IndexedNetworkMetric[],
  period: "hour" | "day",
): { rows: IndexedNetworkMetric[]; categories: string[] } {
  const sorted = [...rows].sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0));
  return { rows: sorted, categories: sorted.map((row) => formatPeriod(row.periodStart, period)) };
}

/** Revenue per period in USD: provider payouts and fees stacked (their sum is the gross), and the gross as a line. */
export function revenueChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "usd",
    series: [
      {
        name: "Provider payouts",
        kind: "bar",
        stack: "gross",
        values: sorted.map((row) => usdNumber(row.providerPayoutsUsd)),
      },
      { name: "Protocol fees", kind: "bar", stack: "gross", values: sorted.map((row) => usdNumber(row.feesUsd)) },
      { name: "Gross", kind: "line", values: sorted.map((row) => usdNumber(row.grossUsd)) },
    ],
  };
}

/** Network utilization per period (null before any GPU was available). */
export function utilizationChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "ratio",
    series: [{ name: "Utilization", kind: "line", values: sorted.map((row) => row.utilization) }],
  };
}

/** GRL minted and burned per period (burned drawn below zero), and net emission. */
export function emissionChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "grl",
    series: [
      { name: "Minted", kind: "bar", values: sorted.map((row) => grlNumber(row.grlMinted)) },
      { name: "Burned", kind: "bar", values: sorted.map((row) => -grlNumber(row.grlBurned)) },
      { name: "Net emission", kind: "line", values: sorted.map((row) => grlNumber(row.netEmission)) },
    ],
  };
}

/** GRL total supply at the end of each period. */
export function supplyChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "grl",
    series: [{ name: "Total supply", kind: "line", values: sorted.map((row) => grlNumber(row.totalSupply)) }],
  };
}

/** USD credits outstanding (bought, not yet spent) and held in job escrows, at the end of each period. */
export function creditsChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "usd",
    series: [
      { name: "Credits outstanding", kind: "line", values: sorted.map((row) => usdNumber(row.creditsOutstanding)) },
      { name: "In job escrows", kind: "line", values: sorted.map((row) => usdNumber(row.creditsEscrowed)) },
    ],
  };
}

/** How the jobs ended, from the cumulative row: one bar per outcome. */
export function outcomeChart(all: IndexedNetworkMetric): ChartData {
  const outcomes: [string, number][] = [
    ["Completed", all.jobsCompleted],
    ["Stopped", all.jobsStopped],
    ["Failed", all.jobsFailed],
    ["Disputed", all.jobsDisputed],
    ["Cancelled", all.jobsCancelled],
    ["Expired", all.jobsExpired],
  ];
  return {
    categories: outcomes.map(([name]) => name),
    unit: "count",
    series: [{ name: "Jobs", kind: "bar", values: outcomes.map(([, count]) => count) }],
  };
}
