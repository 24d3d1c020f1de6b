// The ECharts option of a ChartData: shared axes, legend, tooltip and the colours of the light or dark scheme.
import type { ChartData, ChartUnit } from "../data/chart-data.ts";

/** Colours of one colour scheme (matching src/styles.css). */
export interface ChartPalette {
  readonly text: string;
  readonly grid: string;
  readonly series: readonly string[];
}

export const LIGHT_PALETTE: ChartPalette = {
  text: "#1f2933",
  grid: "#d5dbe1",
  series: ["#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9", "#0e7490", "#be185d"],
};

export const DARK_PALETTE: ChartPalette = {
  text: "#e5e9f0",
  grid: "#3b4252",
  series: ["#60a5fa", "#fbbf24", "#34d399", "#f87171", "#a78bfa", "#22d3ee", "#f472b6"],
};

/** An axis or tooltip value in the chart's unit. */
export function formatAxisValue(value: number, unit: ChartUnit): string {
  switch (unit) {
    case "usd":
      return Math.abs(value) >= 1000 ? `$${(value / 1000).toFixed(1)}k` : `$${value.toFixed(2)}`;
    case "ratio":
      return `${(value * 100).toFixed(0)}%`;
    case "grl":
      return Math.abs(value) >= 1e6
        ? `${(value / 1e6).toFixed(2)}M`
        : Math.abs(value) >= 1000
          ? `${(value / 1000).toFixed(1)}k`
          : value.toFixed(1);
    case "count":
      return value.toFixed(0);
  }
}

/**
 * The page's font stack (src/styles.css): ECharts measures legend and label text on a canvas, where
 * "inherit" means nothing, so it must be named for the measured width to match the drawn text.
 */
export const CHART_FONT =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif';

/** The option object ECharts draws `data` with. */
export function chartOption(data: ChartData, palette: ChartPalette): Record<string, unknown> {
  const format = (value: number): string => formatAxisValue(value, data.unit);
  return {
    animation: false,
    color: palette.series,
    textStyle: { color: palette.text, fontFamily: CHART_FONT },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, type: "scroll", textStyle: { color: palette.text } },
    tooltip: {
      trigger: "axis",
      valueFormatter: (value: unknown) => (typeof value === "number" ? format(value) : "n/a"),
    },
    xAxis: {
      type: "category",
      data: data.categories,
      axisLabel: { color: palette.text },
      axisLine: { lineStyle: { color: palette.grid } },
    },
    yAxis: {
      type: "value",
      max: data.unit === "ratio" ? 1 : undefined,
      // Counts are whole; a level drawn as lines alone (the supply) is read by its changes, not from zero.
      minInterval: data.unit === "count" ? 1 : undefined,
      scale: data.unit !== "ratio" && data.series.every((series) => series.kind === "line"),
      axisLabel: { color: palette.text, formatter: format },
      splitLine: { lineStyle: { color: palette.grid } },
    },
    series: data.series.map((series) => ({
      name: series.name,
      type: series.kind,
      data: series.values,
      stack: series.stack,
      connectNulls: false,
      showSymbol: data.categories.length <= 40,
      lineStyle: series.dashed ? { type: "dashed", width: 1.5 } : undefined,
    })),
  };
}
