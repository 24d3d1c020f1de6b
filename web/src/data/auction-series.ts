// The auctions page's charts from the network_metric rows (sealed-bid jobs, counted in the period they
// close): clearing price against the reserve, bids per auction and the reveal rate, and how auctions ended.
import type { IndexedNetworkMetric } from "../../../sdk/indexer/index.ts";

import type { ChartData } from "./chart-data.ts";
import { chronological } from "./network-series.ts";

/** Clearing price over reserve (sum over sum) and the reveal rate per period, both ratios. */
export function auctionRatiosChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "ratio",
    series: [
      { name: "Clearing / reserve", kind: "line", values: sorted.map((row) => row.clearingToReserve) },
      { name: "Reveal rate", kind: "line", values: sorted.map((row) => row.revealRate) },
    ],
  };
}

/** Auctions closed per period by how they ended, stacked, and instant awards beside them. */
export function auctionOutcomesChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "count",
    series: [
      { name: "Awarded", kind: "bar", stack: "closed", values: sorted.map((row) => row.auctionsAwarded) },
      { name: "Expired", kind: "bar", stack: "closed", values: sorted.map((row) => row.auctionsExpired) },
      { name: "Instant awards", kind: "bar", values: sorted.map((row) => row.instantAwards) },
    ],
  };
}

/** Bids committed per auction closed, per period (null without auctions). */
export function bidsPerAuctionChart(rows: readonly IndexedNetworkMetric[], period: "hour" | "day"): ChartData {
  const { rows: sorted, categories } = chronological(rows, period);
  return {
    categories,
    unit: "count",
    series: [{ name: "Bids per auction", kind: "line", values: sorted.map((row) => row.bidsPerAuction) }],
  };
}
