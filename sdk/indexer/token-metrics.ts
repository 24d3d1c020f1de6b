// Revenue per payment token (the indexer's token_metric rows): what each token paid, in its own units and in
// USD, per hour, per day or in all; and the payment tokens the market knows, to name and scale them.

import type { IndexerClient } from "./client.ts";
import type { Row } from "./fields.ts";
import type { MetricPeriod } from "./gpus.ts";
import { decodePage, pageLimit, pageSelection, type Page, type PageOptions } from "./pages.ts";

/** A token_metric row: amounts in the token's units, and the same in USD with 18 decimals. */
export const TOKEN_METRIC_FIELDS = {
  token: "string",
  period: "string",
  periodStart: "bigint",
  gross: "bigint",
  providerPayouts: "bigint",
  fees: "bigint",
  grossUsd: "bigint",
  providerPayoutsUsd: "bigint",
  feesUsd: "bigint",
  payouts: "int",
  jobsCreated: "int",
  escrowed: "bigint",
} as const;
/** A token metric row of the indexer (see {@link TOKEN_METRIC_FIELDS}). */
export type IndexedTokenMetric = Row<typeof TOKEN_METRIC_FIELDS>;

/** A payment token of the market: its decimals, and whether it is the settlement's USD credits. */
export const PAYMENT_TOKEN_FIELDS = {
  address: "string",
  allowed: "boolean",
  decimals: "int",
  isCredits: "boolean",
} as const;
/** A payment token row of the indexer (see {@link PAYMENT_TOKEN_FIELDS}). */
export type IndexedPaymentToken = Row<typeof PAYMENT_TOKEN_FIELDS>;

/** Options of {@link tokenMetrics}. */
export interface TokenMetricsOptions extends PageOptions {
  /** "hour" or "day" for a series (newest first), "all" for one cumulative row per token (default "all"). */
  readonly period?: MetricPeriod;
}

const TOKEN_METRICS = `query TokenMetrics($where: tokenMetricFilter, $limit: Int, $after: String) {
  tokenMetrics(where: $where, orderBy: "periodStart", orderDirection: "desc", limit: $limit, after: $after) { ${pageSelection(TOKEN_METRIC_FIELDS)} }
}`;

const TOKEN_REVENUE = `query TokenRevenue($where: tokenMetricFilter, $limit: Int) {
  tokenMetrics(where: $where, orderBy: "periodStart", orderDirection: "desc", limit: $limit) { ${pageSelection(TOKEN_METRIC_FIELDS)} }
  paymentTokens(limit: $limit) { ${pageSelection(PAYMENT_TOKEN_FIELDS)} }
}`;

/** A token's revenue row with the token's decimals and kind (undefined for a token the indexer has no row of). */
export interface TokenRevenue extends IndexedTokenMetric {
  readonly tokenInfo: IndexedPaymentToken | undefined;
}

/** Revenue per payment token per period, newest period first (or the cumulative rows for "all"). */
export async function tokenMetrics(
  client: IndexerClient,
  options: TokenMetricsOptions = {},
): Promise<Page<IndexedTokenMetric>> {
  const data = await client.graphql(TOKEN_METRICS, {
    where: { period: options.period ?? "all" },
    limit: pageLimit(options.limit, "tokenMetrics"),
    after: options.after ?? null,
  });
  return decodePage(TOKEN_METRIC_FIELDS, data, "tokenMetrics", `${client.url}/graphql`);
}

/**
 * Every payment token's cumulative revenue with its decimals and whether it is the credits, in one request
 * (a page that polls makes one call, not two).
 */
export async function tokenRevenue(client: IndexerClient): Promise<TokenRevenue[]> {
  const data = await client.graphql(TOKEN_REVENUE, { where: { period: "all" }, limit: 100 });
  const endpoint = `${client.url}/graphql`;
  const tokens = new Map(
    decodePage(PAYMENT_TOKEN_FIELDS, data, "paymentTokens", endpoint).items.map((t) => [t.address.toLowerCase(), t]),
  );
  return decodePage(TOKEN_METRIC_FIELDS, data, "tokenMetrics", endpoint).items.map((row) => ({
    ...row,
    tokenInfo: tokens.get(row.token.toLowerCase()),
  }));
}
