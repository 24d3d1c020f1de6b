// One provider's figures per hour or per day (the indexer's provider_metric rows): what it earned and paid in
// fees (USD), how busy its GPUs were, and its jobs won, settled and failed, for a provider's history.

import type { IndexerClient } from "./client.ts";
import type { Row } from "./fields.ts";
import type { MetricPeriod } from "./gpus.ts";
import { decodePage, pageLimit, pageSelection, type Page, type PageOptions } from "./pages.ts";

/** A provider_metric row: USD amounts with 18 decimals, GPU time in GPU-seconds, slashed GRL in wei. */
export const PROVIDER_METRIC_FIELDS = {
  provider: "string",
  period: "string",
  periodStart: "bigint",
  leasedGpuSeconds: "bigint",
  availableGpuSeconds: "bigint",
  utilization: "float?",
  grossUsd: "bigint",
  feesUsd: "bigint",
  jobsWon: "int",
  jobsSettled: "int",
  jobsFailed: "int",
  disputesLost: "int",
  slashed: "bigint",
} as const;
/** A provider metric row of the indexer (see {@link PROVIDER_METRIC_FIELDS}). */
export type IndexedProviderMetric = Row<typeof PROVIDER_METRIC_FIELDS>;

/** Options of {@link providerMetricSeries}. */
export interface ProviderMetricsOptions extends PageOptions {
  /** "hour" or "day" (newest first), or "all" for the cumulative row (default "day"). */
  readonly period?: MetricPeriod;
}

const PROVIDER_METRICS = `query ProviderMetrics($where: providerMetricFilter, $limit: Int, $after: String) {
  providerMetrics(where: $where, orderBy: "periodStart", orderDirection: "desc", limit: $limit, after: $after) { ${pageSelection(PROVIDER_METRIC_FIELDS)} }
}`;

/** A provider's figures per period, newest first. */
export async function providerMetricSeries(
  client: IndexerClient,
  provider: string,
  options: ProviderMetricsOptions = {},
): Promise<Page<IndexedProviderMetric>> {
  const data = await client.graphql(PROVIDER_METRICS, {
    where: { provider: provider.toLowerCase(), period: options.period ?? "day" },
    limit: pageLimit(options.limit, "providerMetricSeries"),
    after: options.after ?? null,
  });
  return decodePage(PROVIDER_METRIC_FIELDS, data, "providerMetrics", `${client.url}/graphql`);
}
