// Network-wide figures: the REST /summary (headline now, a day ago and over the last 24 h) and the
// `network_metric` series per hour, per day or cumulative.

import type { IndexerClient } from "./client.ts";
import { decodeRow, type Row } from "./fields.ts";
import type { MetricPeriod } from "./gpus.ts";
import { decodePage, pageLimit, pageSelection, type Page, type PageOptions } from "./pages.ts";

/**
 * The headline figures of /summary. USD and credit amounts have 18 decimals, GRL amounts are wei, GPU time
 * is GPU-seconds; utilization = leased / available GPU-seconds and repeatCustomerRate are null while their
 * denominator is zero.
 */
export const HEADLINE_FIELDS = {
  grossUsd: "bigint",
  providerPayoutsUsd: "bigint",
  feesUsd: "bigint",
  grlMinted: "bigint",
  grlBurned: "bigint",
  netEmission: "bigint",
  totalSupply: "bigint",
  creditsOutstanding: "bigint",
  emissionsPaid: "bigint",
  stakedTotal: "bigint",
  totalProviders: "int",
  totalRenters: "int",
  repeatRenters: "int",
  repeatCustomerRate: "float?",
  jobsCreated: "int",
  jobsCompleted: "int",
  jobsFailed: "int",
  jobsDisputed: "int",
  leasedGpuSeconds: "bigint",
  availableGpuSeconds: "bigint",
  utilization: "float?",
} as const;
/** Headline figures at one moment (see {@link HEADLINE_FIELDS}). */
export type HeadlineFigures = Row<typeof HEADLINE_FIELDS>;

/** What happened over the last 24 hours of chain time (same units as {@link HEADLINE_FIELDS}). */
export const LAST_24H_FIELDS = {
  since: "int",
  grossUsd: "bigint",
  feesUsd: "bigint",
  grlMinted: "bigint",
  grlBurned: "bigint",
  jobsCreated: "int",
  jobsCompleted: "int",
  utilization: "float?",
} as const;
/** The last-24-hours block of /summary (see {@link LAST_24H_FIELDS}). */
export type Last24h = Row<typeof LAST_24H_FIELDS>;

/** The market summary: revenue, fees, token supply, stake, utilization and job counts. */
export interface MarketSummary {
  /** The latest indexed block the figures are at. */
  readonly asOf: { readonly blockNumber: bigint; readonly timestamp: number };
  /** The indexer's note on units. */
  readonly units: string;
  /** The figures at the latest indexed block. */
  readonly now: HeadlineFigures;
  /** The figures at the start of the hour containing now - 24 h (`timestamp`, unix seconds). */
  readonly dayAgo: HeadlineFigures & { readonly timestamp: number };
  /** What happened since then. */
  readonly last24h: Last24h;
}

const AS_OF_FIELDS = { blockNumber: "bigint", timestamp: "int" } as const;

/** The market summary from the indexer's GET /summary (503 until something is indexed: kind "http", status 503). */
export async function marketSummary(client: IndexerClient): Promise<MarketSummary> {
  const endpoint = `${client.url}/summary`;
  const json = await client.getJson("/summary");
  const body = decodeRow({ units: "string" }, json, endpoint, "summary");
  const part = (field: string): unknown => (json as Record<string, unknown>)[field];
  return {
    asOf: decodeRow(AS_OF_FIELDS, part("asOf"), endpoint, "summary.asOf"),
    units: body.units,
    now: decodeRow(HEADLINE_FIELDS, part("now"), endpoint, "summary.now"),
    dayAgo: decodeRow({ ...HEADLINE_FIELDS, timestamp: "int" }, part("dayAgo"), endpoint, "summary.dayAgo"),
    last24h: decodeRow(LAST_24H_FIELDS, part("last24h"), endpoint, "summary.last24h"),
  };
}

/**
 * The indexer's `network_metric` row: the period's flows (revenue, GRL minted and burned, credits, stake,
 * jobs, auctions, participants) and its levels at the period's end (totalSupply, stakedTotal, ...). Units as
 * in {@link HEADLINE_FIELDS}; ratios are null while their denominator is zero.
 */
export const NETWORK_METRIC_FIELDS = {
  period: "string",
  periodStart: "bigint",
  grossUsd: "bigint",
  providerPayoutsUsd: "bigint",
  feesUsd: "bigint",
  payouts: "int",
  leasedGpuSeconds: "bigint",
  availableGpuSeconds: "bigint",
  utilization: "float?",
  grlIssued: "bigint",
  grlMinted: "bigint",
  grlBurned: "bigint",
  netEmission: "bigint",
  grlBurnedForCredits: "bigint",
  grlBurnedBySlashing: "bigint",
  grlMintedForEarnings: "bigint",
  emissionsPaid: "bigint",
  creditsBought: "bigint",
  creditsSpent: "bigint",
  creditsRefunded: "bigint",
  earningsAccruedUsd: "bigint",
  earningsWithdrawnUsd: "bigint",
  totalSupply: "bigint",
  creditsOutstanding: "bigint",
  creditsEscrowed: "bigint",
  stakedTotal: "bigint",
  totalProviders: "int",
  totalRenters: "int",
  auctionsClosed: "int",
  auctionsAwarded: "int",
  auctionsExpired: "int",
  instantAwards: "int",
  bidsCommitted: "int",
  bidsRevealed: "int",
  bidsPerAuction: "float?",
  revealRate: "float?",
  clearingToReserve: "float?",
  avgTimeToAward: "float?",
  newProviders: "int",
  activeProviders: "int",
  servingProviders: "int",
  stakeAdded: "bigint",
  stakeWithdrawn: "bigint",
  slashed: "bigint",
  uniqueRenters: "int",
  newRenters: "int",
  repeatRenters: "int",
  repeatCustomerRate: "float?",
  jobsCreated: "int",
  jobsAwarded: "int",
  jobsStarted: "int",
  jobsDelivered: "int",
  jobsCompleted: "int",
  jobsDisputed: "int",
  jobsFailed: "int",
  jobsStopped: "int",
  jobsCancelled: "int",
  jobsExpired: "int",
  awardedValueUsd: "bigint",
  awardedGpuSeconds: "bigint",
  avgJobSizeUsd: "bigint?",
  avgJobGpuHours: "float?",
} as const;
/** A network metric row of the indexer (see {@link NETWORK_METRIC_FIELDS}). */
export type IndexedNetworkMetric = Row<typeof NETWORK_METRIC_FIELDS>;

/** Options of {@link networkMetrics}. */
export interface NetworkMetricsOptions extends PageOptions {
  /** "hour" or "day" for a series (newest first), "all" for the one cumulative row (default "day"). */
  readonly period?: MetricPeriod;
}

const NETWORK_METRICS = `query NetworkMetrics($where: networkMetricFilter, $limit: Int, $after: String) {
  networkMetrics(where: $where, orderBy: "periodStart", orderDirection: "desc", limit: $limit, after: $after) { ${pageSelection(NETWORK_METRIC_FIELDS)} }
}`;

/** The network's figures per hour or per day, newest period first (or the cumulative row for "all"). */
export async function networkMetrics(
  client: IndexerClient,
  options: NetworkMetricsOptions = {},
): Promise<Page<IndexedNetworkMetric>> {
  const data = await client.graphql(NETWORK_METRICS, {
    where: { period: options.period ?? "day" },
    limit: pageLimit(options.limit, "networkMetrics"),
    after: options.after ?? null,
  });
  return decodePage(NETWORK_METRIC_FIELDS, data, "networkMetrics", `${client.url}/graphql`);
}
