// A provider's earnings over time from its provider_metric rows (newest first, as the SDK returns them):
// net pay and fees stacked per day (their sum is the gross released to it), oldest first for the x axis.
import type { IndexedProviderMetric } from "../../../sdk/indexer/index.ts";

import type { ChartData } from "./chart-data.ts";
import { formatPeriod, usdNumber } from "./format.ts";

/** The provider's pay per period in USD: what it kept and the protocol's fee, stacked to the gross. */
export function providerEarningsChart(rows: readonly IndexedProviderMetric[], period: "hour" | "day"): ChartData {
  const sorted = [...rows].sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0));
  return {
    categories: sorted.map((row) => formatPeriod(row.periodStart, period)),
    unit: "usd",
    series: [
      {
        name: "Net pay",
        kind: "bar",
        stack: "gross",
        values: sorted.map((row) => usdNumber(row.grossUsd - row.feesUsd)),
      },
      { name: "Fees", kind: "bar", stack: "gross", values: sorted.map((row) => usdNumber(row.feesUsd)) },
    ],
  };
}
