import { describe, expect, it } from "vitest";

import type { IndexedProviderMetric } from "../../../sdk/index.ts";

import { providerEarningsChart } from "./provider-series.ts";

const USD = 10n ** 18n;
const DAY = 1_767_225_600n;

function row(day: number, gross: bigint, fees: bigint): IndexedProviderMetric {
  return {
    period: "day",
    periodStart: DAY + BigInt(day) * 86_400n,
    grossUsd: gross,
    feesUsd: fees,
  } as IndexedProviderMetric;
}

describe("provider earnings chart", () => {
  it("stacks net pay and fees per day, oldest first", () => {
    const chart = providerEarningsChart([row(1, 20n * USD, 2n * USD), row(0, 10n * USD, USD)], "day");
    expect(chart.categories).toEqual(["2026-01-01", "2026-01-02"]);
    expect(chart.series.map((series) => [series.name, series.values, series.stack])).toEqual([
      ["Net pay", [9, 18], "gross"],
      ["Fees", [1, 2], "gross"],
    ]);
  });
});
