import { describe, expect, it } from "vitest";

import type { IndexedNetworkMetric } from "../../../sdk/index.ts";

import { creditsChart, emissionChart, outcomeChart, revenueChart, utilizationChart } from "./network-series.ts";

const USD = 10n ** 18n;
const DAY = 1_767_225_600n;

/** A network metric row with the fields the charts read (the rest are not looked at). */
function row(day: number, gross: bigint, fees: bigint, utilization: number | null): IndexedNetworkMetric {
  return {
    period: "day",
    periodStart: DAY + BigInt(day) * 86_400n,
    grossUsd: gross,
    feesUsd: fees,
    providerPayoutsUsd: gross - fees,
    utilization,
    grlMinted: 5n * USD,
    grlBurned: 2n * USD,
    netEmission: 3n * USD,
    totalSupply: 1_000n * USD,
    creditsOutstanding: BigInt(day + 1) * 100n * USD,
    creditsEscrowed: BigInt(day + 1) * 10n * USD,
    jobsCompleted: 10,
    jobsStopped: 1,
    jobsFailed: 2,
    jobsDisputed: 3,
    jobsCancelled: 4,
    jobsExpired: 5,
  } as IndexedNetworkMetric;
}

describe("network charts", () => {
  it("puts the newest-first rows oldest first, one point per period", () => {
    const rows = [row(2, 30n * USD, 3n * USD, 0.5), row(0, 10n * USD, USD, null), row(1, 20n * USD, 2n * USD, 0.25)];
    const chart = revenueChart(rows, "day");
    expect(chart.categories).toEqual(["2026-01-01", "2026-01-02", "2026-01-03"]);
    expect(chart.series.map((series) => [series.name, series.values])).toEqual([
      ["Provider payouts", [9, 18, 27]],
      ["Protocol fees", [1, 2, 3]],
      ["Gross", [10, 20, 30]],
    ]);
    expect(utilizationChart(rows, "day").series[0]!.values).toEqual([null, 0.25, 0.5]);
  });

  it("draws burned GRL below zero and counts jobs by outcome", () => {
    const emission = emissionChart([row(0, 0n, 0n, null)], "day");
    expect(emission.series.map((series) => series.values[0])).toEqual([5, -2, 3]);
    const outcomes = outcomeChart(row(0, 0n, 0n, null));
    expect(outcomes.categories).toEqual(["Completed", "Stopped", "Failed", "Disputed", "Cancelled", "Expired"]);
    expect(outcomes.series[0]!.values).toEqual([10, 1, 2, 3, 4, 5]);
  });

  it("draws the credits outstanding and those in escrow at the end of each day, oldest first", () => {
    const chart = creditsChart([row(1, 0n, 0n, null), row(0, 0n, 0n, null)], "day");
    expect(chart.unit).toBe("usd");
    expect(chart.series.map((series) => [series.name, series.values])).toEqual([
      ["Credits outstanding", [100, 200]],
      ["In job escrows", [10, 20]],
    ]);
  });
});
