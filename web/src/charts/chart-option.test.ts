import { describe, expect, it } from "vitest";

import type { ChartData } from "../data/chart-data.ts";

import { chartOption, formatAxisValue, LIGHT_PALETTE } from "./chart-option.ts";

describe("chartOption", () => {
  it("writes axis values in the chart's unit", () => {
    expect(formatAxisValue(1.5, "usd")).toBe("$1.50");
    expect(formatAxisValue(12_345, "usd")).toBe("$12.3k");
    expect(formatAxisValue(0.41, "ratio")).toBe("41%");
    expect(formatAxisValue(1_000_000_000, "grl")).toBe("1000.00M");
    expect(formatAxisValue(3, "count")).toBe("3");
  });

  it("draws one series per ChartSeries over the categories; references dashed; a level of lines off zero", () => {
    const data: ChartData = {
      categories: ["2026-01-01", "2026-01-02"],
      unit: "usd",
      series: [
        { name: "H100 median", kind: "line", values: [1.5, null] },
        { name: "H100 AWS p5", kind: "line", dashed: true, values: [3.93, 3.93] },
      ],
    };
    const option = chartOption(data, LIGHT_PALETTE) as {
      xAxis: { data: string[] };
      yAxis: { scale: boolean; minInterval?: number };
      series: { name: string; type: string; data: (number | null)[]; lineStyle?: { type: string } }[];
    };
    expect(option.xAxis.data).toEqual(data.categories);
    expect(option.series.map((series) => [series.name, series.type, series.data, series.lineStyle?.type])).toEqual([
      ["H100 median", "line", [1.5, null], undefined],
      ["H100 AWS p5", "line", [3.93, 3.93], "dashed"],
    ]);
    expect(option.yAxis.scale).toBe(true);
    const counts = chartOption(
      { categories: ["a"], unit: "count", series: [{ name: "Jobs", kind: "bar", values: [2] }] },
      LIGHT_PALETTE,
    ) as {
      yAxis: { scale: boolean; minInterval?: number };
    };
    expect(counts.yAxis).toMatchObject({ scale: false, minInterval: 1 });
  });
});
