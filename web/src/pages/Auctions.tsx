// The auctions page: how the sealed-bid auctions clear (clearing price against the reserve), how many bids
// they draw and how many are revealed, and how they end, per day, with the cumulative figures.
import type { ReactNode } from "react";

import { networkMetrics } from "../../../sdk/indexer/index.ts";
import { LazyChart } from "../charts/LazyChart.tsx";
import { KpiCard } from "../components/KpiCard.tsx";
import { Panel } from "../components/Panel.tsx";
import { auctionOutcomesChart, auctionRatiosChart, bidsPerAuctionChart } from "../data/auction-series.ts";
import { formatCount, formatRatio } from "../data/format.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";

import { OVERVIEW_DAYS } from "./Overview.tsx";

/** The auctions page. */
export function Auctions(): ReactNode {
  const daily = useIndexerQuery("auctions-daily", (client) => networkMetrics(client, { period: "day", limit: OVERVIEW_DAYS }));
  const all = useIndexerQuery("auctions-all", (client) => networkMetrics(client, { period: "all", limit: 1 }));
  const total = all.data?.items[0];
  return (
    <>
      <h1>Auctions</h1>
      <Panel title="All auctions so far" error={all.error} loading={all.data === undefined}>
        {total === undefined ? (
          <p className="muted">No auctions indexed yet.</p>
        ) : (
          <div className="cards">
            <KpiCard testId="auctions-closed" label="Auctions closed" value={formatCount(total.auctionsClosed)} />
            <KpiCard testId="auctions-awarded" label="Awarded" value={formatCount(total.auctionsAwarded)} />
            <KpiCard testId="auctions-expired" label="Expired" value={formatCount(total.auctionsExpired)} />
            <KpiCard testId="auctions-bids" label="Bids per auction" value={total.bidsPerAuction === null ? "n/a" : total.bidsPerAuction.toFixed(2)} />
            <KpiCard testId="auctions-reveal" label="Reveal rate" value={formatRatio(total.revealRate)} />
            <KpiCard testId="auctions-clearing" label="Clearing / reserve" value={formatRatio(total.clearingToReserve)} />
          </div>
        )}
      </Panel>
      <div className="chart-grid">
        <Panel title="Clearing price against reserve, and reveal rate" error={daily.error} loading={daily.data === undefined}>
          {daily.data && (
            <LazyChart testId="chart-auction-ratios" title="Per day" description="sum of clearing prices over sum of reserves, and reveals over bids, per UTC day" data={auctionRatiosChart(daily.data.items, "day")} />
          )}
        </Panel>
        <Panel title="Bids per auction" error={daily.error} loading={daily.data === undefined}>
          {daily.data && (
            <LazyChart testId="chart-auction-bids" title="Per day" description="bids committed per auction closed, per UTC day" data={bidsPerAuctionChart(daily.data.items, "day")} />
          )}
        </Panel>
        <Panel title="How auctions ended" error={daily.error} loading={daily.data === undefined}>
          {daily.data && (
            <LazyChart testId="chart-auction-outcomes" title="Per day" description="auctions awarded and expired, stacked, and instant awards, per UTC day" data={auctionOutcomesChart(daily.data.items, "day")} />
          )}
        </Panel>
      </div>
    </>
  );
}
