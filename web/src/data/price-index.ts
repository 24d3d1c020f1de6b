// The GPU price index over time: each model's median clearing price per period (model_metric rows), with
// the reference cloud prices of docs/PROTOCOL.md as flat dashed lines.
import type { IndexedModelMetric } from "../../../sdk/index.ts";

import type { ChartData, ChartSeries } from "./chart-data.ts";
import { formatPeriod, usdNumber } from "./format.ts";
import { referencePricesOf } from "./reference-prices.ts";

/**
 * One line per model (null in periods without awards) over every period any model has, oldest first, and
 * a dashed line per reference price of the models shown (or of `onlyModel` alone).
 */
export function priceIndexChart(
  rows: readonly IndexedModelMetric[],
  period: "hour" | "day",
  onlyModel?: string,
): ChartData {
  const picked = onlyModel === undefined ? rows : rows.filter((row) => row.modelName === onlyModel);
  const starts = [...new Set(picked.map((row) => row.periodStart))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(starts.map((start, position) => [start, position]));
  const models = [...new Set(picked.map((row) => row.modelName))].sort();
  const series: ChartSeries[] = models.map((model) => {
    const values: (number | null)[] = starts.map(() => null);
    for (const row of picked) {
      if (row.modelName === model && row.medianPrice !== null)
        values[index.get(row.periodStart)!] = usdNumber(row.medianPrice);
    }
    return { name: `${model} median`, kind: "line", values };
  });
  for (const model of models) {
    for (const reference of referencePricesOf(model)) {
      series.push({
        name: `${model} ${reference.source}`,
        kind: "line",
        dashed: true,
        values: starts.map(() => reference.usdPerGpuHour),
      });
    }
  }
  return { categories: starts.map((start) => formatPeriod(start, period)), unit: "usd", series };
}
