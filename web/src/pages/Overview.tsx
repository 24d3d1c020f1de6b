// The overview: headline cards from /summary with their 24 h change, and the network's charts (revenue,
// utilization, the GPU price index against reference cloud prices, jobs by outcome, GRL emission and supply).
import type { ReactNode } from "react";

import { modelMetricSeries, networkMetrics, type TokenRevenue, tokenRevenue } from "../../../sdk/indexer/index.ts";
import { LazyChart } from "../charts/LazyChart.tsx";
import { type Column, DataTable } from "../components/DataTable.tsx";
import { KpiCard } from "../components/KpiCard.tsx";
import { Panel } from "../components/Panel.tsx";
import {
  countChange,
  formatCount,
  formatFixed,
  formatGrlAmount,
  formatRatio,
  formatUsd18,
  grlChange,
  shortHex,
  ratioChange,
  usdChange,
} from "../data/format.ts";
import { useLive } from "../data/live.tsx";
import { creditsChart, emissionChart, outcomeChart, revenueChart, supplyChart, utilizationChart } from "../data/network-series.ts";
import { modelUtilizationChart, priceIndexChart } from "../data/price-index.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";

/** Days of history the daily charts show. */
export const OVERVIEW_DAYS = 30;
/** Hours of history the hourly utilization chart shows. */
export const OVERVIEW_HOURS = 48;

const TOKEN_COLUMNS: readonly Column<TokenRevenue>[] = [
  {
    header: "Payment token",
    cell: (t) => <span title={t.token}>{t.tokenInfo?.isCredits ? "USD credits" : `Stablecoin ${shortHex(t.token)}`}</span>,
  },
  { header: "Gross", numeric: true, cell: (t) => formatFixed(t.gross, decimalsOf(t), 2) },
  { header: "Provider payouts", numeric: true, cell: (t) => formatFixed(t.providerPayouts, decimalsOf(t), 2) },
  { header: "Fees", numeric: true, cell: (t) => formatFixed(t.fees, decimalsOf(t), 2) },
  { header: "Gross (USD)", numeric: true, cell: (t) => formatUsd18(t.grossUsd) },
  { header: "Jobs", numeric: true, cell: (t) => formatCount(t.jobsCreated) },
];

/** A token's decimals; credits and a token the indexer has no row of count in 18, as the indexer stores them. */
function decimalsOf(row: TokenRevenue): bigint {
  return BigInt(row.tokenInfo?.decimals ?? 18);
}

/** The overview page. */
export function Overview(): ReactNode {
  const { summary } = useLive();
  const daily = useIndexerQuery("overview-daily", (client) => networkMetrics(client, { period: "day", limit: OVERVIEW_DAYS }));
  const hourly = useIndexerQuery("overview-hourly", (client) => networkMetrics(client, { period: "hour", limit: OVERVIEW_HOURS }));
  const all = useIndexerQuery("overview-all", (client) => networkMetrics(client, { period: "all", limit: 1 }));
  const byToken = useIndexerQuery("overview-tokens", tokenRevenue);
  const prices = useIndexerQuery("overview-prices", (client) => modelMetricSeries(client, { period: "day", limit: 200 }));

  const now = summary?.now;
  const dayAgo = summary?.dayAgo;
  const last24h = summary?.last24h;
  return (
    <>
      <h1>Network overview</h1>
      {now === undefined || dayAgo === undefined || last24h === undefined ? (
        <p className="muted" aria-busy="true">
          Waiting for the indexer's first summary…
        </p>
      ) : (
        <div className="cards" data-testid="headline-cards">
          <KpiCard testId="kpi-gross" label="Gross revenue" value={formatUsd18(now.grossUsd)} change={usdChange(now.grossUsd, dayAgo.grossUsd)} seriesHref="#revenue" />
          <KpiCard testId="kpi-payouts" label="Provider payouts" value={formatUsd18(now.providerPayoutsUsd)} change={usdChange(now.providerPayoutsUsd, dayAgo.providerPayoutsUsd)} seriesHref="#revenue" />
          <KpiCard testId="kpi-fees" label="Protocol fees" value={formatUsd18(now.feesUsd)} change={usdChange(now.feesUsd, dayAgo.feesUsd)} seriesHref="#revenue" />
          <KpiCard testId="kpi-utilization" label="Utilization" value={formatRatio(now.utilization)} change={ratioChange(now.utilization, dayAgo.utilization)} seriesHref="#utilization" />
          <KpiCard testId="kpi-jobs" label="Jobs created" value={formatCount(now.jobsCreated)} change={countChange(now.jobsCreated, dayAgo.jobsCreated)} seriesHref="#outcomes" />
          <KpiCard testId="kpi-providers" label="Providers" value={formatCount(now.totalProviders)} change={countChange(now.totalProviders, dayAgo.totalProviders)} />
          <KpiCard testId="kpi-supply" label="GRL supply" value={formatGrlAmount(now.totalSupply)} change={grlChange(now.totalSupply, dayAgo.totalSupply)} seriesHref="#supply" />
          <KpiCard testId="kpi-emission" label="Net GRL emission" value={formatGrlAmount(now.netEmission)} change={grlChange(now.netEmission, dayAgo.netEmission)} seriesHref="#emission" />
          <KpiCard testId="kpi-credits" label="Credits outstanding" value={formatUsd18(now.creditsOutstanding)} change={usdChange(now.creditsOutstanding, dayAgo.creditsOutstanding)} seriesHref="#credits" />
          <KpiCard testId="kpi-staked" label="GRL staked" value={formatGrlAmount(now.stakedTotal)} change={grlChange(now.stakedTotal, dayAgo.stakedTotal)} />
        </div>
      )}
      <div className="chart-grid">
        <Panel title="Revenue per day" id="revenue" error={daily.error} loading={daily.data === undefined}>
          {daily.data && (
            <LazyChart testId="chart-revenue" title="Revenue per day (USD)" description="provider payouts and protocol fees stacked, gross as a line, one point per UTC day" data={revenueChart(daily.data.items, "day")} />
          )}
        </Panel>
        <Panel title="Revenue per payment token" id="revenue-tokens" error={byToken.error} loading={byToken.data === undefined}>
          {byToken.data && byToken.data.length === 0 ? <p className="muted">No revenue yet.</p> : null}
          {byToken.data && byToken.data.length > 0 ? (
            <DataTable caption="All time, in each token's own units and in USD" rows={byToken.data} columns={TOKEN_COLUMNS} rowKey={(t) => t.token} testId="revenue-by-token" />
          ) : null}
        </Panel>
        <Panel title="Utilization" id="utilization" error={daily.error ?? hourly.error} loading={daily.data === undefined || hourly.data === undefined}>
          {hourly.data && (
            <LazyChart testId="chart-utilization-hour" title={`Per hour, last ${OVERVIEW_HOURS} h`} description="leased over available GPU-seconds per hour" data={utilizationChart(hourly.data.items, "hour")} height={200} />
          )}
          {daily.data && (
            <LazyChart testId="chart-utilization-day" title="Per day" description="leased over available GPU-seconds per day" data={utilizationChart(daily.data.items, "day")} height={200} />
          )}
        </Panel>
        <Panel title="Utilization per GPU model" id="model-utilization" error={prices.error} loading={prices.data === undefined}>
          {prices.data && (
            <LazyChart
              testId="chart-model-utilization"
              title="Per day"
              description="leased over available GPU-seconds per day, one line per GPU model"
              data={modelUtilizationChart(prices.data.items, "day")}
            />
          )}
        </Panel>
        <Panel title="GPU price index" id="prices" error={prices.error} loading={prices.data === undefined}>
          {prices.data && (
            <LazyChart testId="chart-prices" title="Median clearing price per GPU-hour, per day (USD)" description="one line per GPU model; dashed lines are reference cloud prices from the protocol document" data={priceIndexChart(prices.data.items, "day")} />
          )}
        </Panel>
        <Panel title="Jobs by outcome" id="outcomes" error={all.error} loading={all.data === undefined}>
          {all.data?.items[0] === undefined ? (
            <p className="muted">No jobs indexed yet.</p>
          ) : (
            <LazyChart testId="chart-outcomes" title="All jobs so far" description="jobs completed, stopped, failed, disputed, cancelled and expired" data={outcomeChart(all.data.items[0])} />
          )}
        </Panel>
        <Panel title="GRL minted and burned per day" id="emission" error={daily.error} loading={daily.data === undefined}>
          {daily.data && (
            <LazyChart testId="chart-emission" title="GRL per day" description="minted above zero, burned below, net emission as a line" data={emissionChart(daily.data.items, "day")} />
          )}
        </Panel>
        <Panel title="GRL supply" id="supply" error={daily.error} loading={daily.data === undefined}>
          {daily.data && (
            <LazyChart testId="chart-supply" title="Total supply at the end of each day" description="GRL total supply per day" data={supplyChart(daily.data.items, "day")} />
          )}
        </Panel>
        <Panel title="Credits outstanding" id="credits" error={daily.error} loading={daily.data === undefined}>
          {daily.data && (
            <LazyChart testId="chart-credits" title="USD credits at the end of each day" description="credits bought and not yet spent, and the part held in job escrows" data={creditsChart(daily.data.items, "day")} />
          )}
        </Panel>
      </div>
    </>
  );
}
