// The GPU models over time (model_metric rows): the price index (each model's median clearing price per
// period, with the reference cloud prices of docs/PROTOCOL.md as flat dashed lines) and utilization.
import type { IndexedModelMetric } from "../../../sdk/indexer/index.ts";
import { referencePricesOf } from "../../../sdk/reference-prices.ts";

import type { ChartData } from "./chart-data.ts";
import { usdNumber } from "./format.ts";
import { perModelSeries } from "./model-series.ts";

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
  const { categories, starts, models, series } = perModelSeries(
    picked,
    period,
    (row) => (row.medianPrice === null ? null : usdNumber(row.medianPrice)),
    (model) => `${model} median`,
  );
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
  return { categories, unit: "usd", series };
}

/** Each model's utilization per period (leased over available GPU-seconds; null while none was available). */
export function modelUtilizationChart(rows: readonly IndexedModelMetric[], period: "hour" | "day"): ChartData {
  const { categories, series } = perModelSeries(
    rows,
    period,
    (row) => row.utilization,
    (model) => model,
  );
  return { categories, unit: "ratio", series };
}
