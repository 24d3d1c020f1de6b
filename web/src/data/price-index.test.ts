import { describe, expect, it } from "vitest";

import type { IndexedModelMetric } from "../../../sdk/index.ts";

import { modelUtilizationChart, priceIndexChart } from "./price-index.ts";

const USD = 10n ** 18n;
const DAY = 1_767_225_600n;

function metric(
  modelName: string,
  day: number,
  median: bigint | null,
  utilization: number | null = null,
): IndexedModelMetric {
  return {
    modelName,
    period: "day",
    periodStart: DAY + BigInt(day) * 86_400n,
    medianPrice: median,
    utilization,
  } as IndexedModelMetric;
}

describe("priceIndexChart", () => {
  it("draws a line per model over every period, null where a model had no award, and reference prices dashed", () => {
    const chart = priceIndexChart(
      [metric("H100", 1, 2n * USD), metric("A100", 1, USD), metric("H100", 0, null), metric("A100", 0, USD / 2n)],
      "day",
    );
    expect(chart.categories).toEqual(["2026-01-01", "2026-01-02"]);
    const byName = Object.fromEntries(chart.series.map((series) => [series.name, series]));
    expect(byName["A100 median"]!.values).toEqual([0.5, 1]);
    expect(byName["H100 median"]!.values).toEqual([null, 2]);
    expect(byName["H100 AWS p5"]).toMatchObject({ dashed: true, values: [3.93, 3.93] });
    expect(Object.keys(byName).filter((name) => name.startsWith("A100"))).toEqual(["A100 median"]);
  });

  it("keeps one model when asked", () => {
    const chart = priceIndexChart([metric("H100", 0, USD), metric("A100", 0, USD)], "day", "A100");
    expect(chart.series.map((series) => series.name)).toEqual(["A100 median"]);
  });

  it("draws each model's utilization per period", () => {
    const chart = modelUtilizationChart(
      [metric("H100", 1, null, 0.5), metric("A100", 0, null, 0.25), metric("H100", 0, null, null)],
      "day",
    );
    expect(chart.unit).toBe("ratio");
    expect(chart.series.map((series) => [series.name, series.values])).toEqual([
      ["A100", [0.25, null]],
      ["H100", [null, 0.5]],
    ]);
  });
});
