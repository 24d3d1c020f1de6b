// Per-GPU-model series from model_metric rows (newest first, models interleaved, as the SDK returns them):
// one line per model over every period any model has, oldest first, null where a model has no value.
import type { IndexedModelMetric } from "../../../sdk/indexer/index.ts";

import type { ChartSeries } from "./chart-data.ts";
import { formatPeriod } from "./format.ts";

/** The axis and one series per model of `value` (null: no value in that period). */
export function perModelSeries(
  rows: readonly IndexedModelMetric[],
  period: "hour" | "day",
  value: (row: IndexedModelMetric) => number | null,
  name: (model: string) => string,
): { categories: string[]; starts: bigint[]; models: string[]; series: ChartSeries[] } {
  const starts = [...new Set(rows.map((row) => row.periodStart))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(starts.map((start, position) => [start, position]));
  const models = [...new Set(rows.map((row) => row.modelName))].sort();
  const series: ChartSeries[] = models.map((model) => {
    const values: (number | null)[] = starts.map(() => null);
    for (const row of rows) if (row.modelName === model) values[index.get(row.periodStart)!] = value(row);
    return { name: name(model), kind: "line", values };
  });
  return { categories: starts.map((start) => formatPeriod(start, period)), starts, models, series };
}
