import { describe, expect, it } from "vitest";

import type { IndexedNetworkMetric } from "../../../sdk/index.ts";

import { auctionOutcomesChart, auctionRatiosChart, bidsPerAuctionChart } from "./auction-series.ts";

const DAY = 1_767_225_600n;

function row(day: number, fields: Partial<IndexedNetworkMetric>): IndexedNetworkMetric {
  return { period: "day", periodStart: DAY + BigInt(day) * 86_400n, ...fields } as IndexedNetworkMetric;
}

describe("auction charts", () => {
  const rows = [
    row(1, {
      clearingToReserve: 0.8,
      revealRate: 0.9,
      auctionsAwarded: 3,
      auctionsExpired: 1,
      instantAwards: 5,
      bidsPerAuction: 2.5,
    }),
    row(0, {
      clearingToReserve: null,
      revealRate: null,
      auctionsAwarded: 0,
      auctionsExpired: 0,
      instantAwards: 2,
      bidsPerAuction: null,
    }),
  ];

  it("puts the ratios oldest first, null before the first auction", () => {
    const chart = auctionRatiosChart(rows, "day");
    expect(chart.categories).toEqual(["2026-01-01", "2026-01-02"]);
    expect(chart.series.map((series) => series.values)).toEqual([
      [null, 0.8],
      [null, 0.9],
    ]);
  });

  it("stacks awarded and expired auctions, with instant awards beside them, and bids per auction", () => {
    expect(
      auctionOutcomesChart(rows, "day").series.map((series) => [series.name, series.stack, series.values]),
    ).toEqual([
      ["Awarded", "closed", [0, 3]],
      ["Expired", "closed", [0, 1]],
      ["Instant awards", undefined, [2, 5]],
    ]);
    expect(bidsPerAuctionChart(rows, "day").series[0]!.values).toEqual([null, 2.5]);
  });
});
