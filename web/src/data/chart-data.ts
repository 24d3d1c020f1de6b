// The shape every chart of the dashboard draws: categories on the x axis (oldest first) and named series
// of numbers (null: no value in that period). The data modules build it; src/charts/ renders it.

/** What the y axis measures (its labels and tooltips follow). */
export type ChartUnit = "usd" | "ratio" | "grl" | "count";

/** One line or bar series. */
export interface ChartSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
  readonly kind: "line" | "bar";
  /** A reference drawn dashed (the cloud prices beside the market's). */
  readonly dashed?: boolean;
  /** Bars of the same stack are stacked. */
  readonly stack?: string;
}

/** A chart's data. */
export interface ChartData {
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly unit: ChartUnit;
}
