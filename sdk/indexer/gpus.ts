// GPU capacity and prices by model: the indexer's `gpu_model` rows (listed, available and leased GPUs now)
// joined with their `model_metric` row of a period (utilization and the clearing-price index).

import type { IndexerClient } from "./client.ts";
import { MAX_INDEXER_PAGE_SIZE } from "./client.ts";
import { decodePage, pageLimit, pageSelection, type Page, type PageOptions } from "./pages.ts";
import type { Row } from "./fields.ts";

/** A metrics period: an hour, a day, or cumulative since the deployment ("all", periodStart 0). */
export type MetricPeriod = "hour" | "day" | "all";

/** The indexer's `gpu_model` row: GPUs of the model listed by providers, available (online) and leased now. */
export const INDEXED_GPU_MODEL_FIELDS = {
  id: "string",
  name: "string",
  listedGpus: "bigint",
  lines: "int",
  availableGpus: "bigint",
  leasedGpus: "bigint",
  accruedUntil: "bigint",
} as const;
/** A GPU model row of the indexer (see {@link INDEXED_GPU_MODEL_FIELDS}). */
export type IndexedGpuModel = Row<typeof INDEXED_GPU_MODEL_FIELDS>;

/**
 * The indexer's `model_metric` row: utilization and clearing prices of awards in USD (18 decimals) per
 * GPU-hour. Median: the middle price (the floor of the mean of the two middle ones); VWAP weights are the
 * jobs' GPU-seconds; discountVsReserve = 1 - sum(clearing) / sum(reserve). Prices are null without awards.
 */
export const INDEXED_MODEL_METRIC_FIELDS = {
  model: "string",
  modelName: "string",
  period: "string",
  periodStart: "bigint",
  leasedGpuSeconds: "bigint",
  availableGpuSeconds: "bigint",
  utilization: "float?",
  jobsCreated: "int",
  awards: "int",
  awardedGpuSeconds: "bigint",
  minPrice: "bigint?",
  maxPrice: "bigint?",
  meanPrice: "bigint?",
  medianPrice: "bigint?",
  vwapPrice: "bigint?",
  sumPrice: "bigint",
  sumPriceGpuSeconds: "bigint",
  sumReserve: "bigint",
  meanReserve: "bigint?",
  discountVsReserve: "float?",
} as const;
/** A model metric row of the indexer (see {@link INDEXED_MODEL_METRIC_FIELDS}). */
export type IndexedModelMetric = Row<typeof INDEXED_MODEL_METRIC_FIELDS>;

/** One GPU model's capacity now and its metrics in the period asked for. */
export interface GpuMarketEntry extends IndexedGpuModel {
  /** The model's metrics of the period (the latest one for "hour" and "day"), or null if it has none yet. */
  readonly metrics: IndexedModelMetric | null;
}

/** Options of {@link gpuMarket}. */
export interface GpuMarketOptions {
  /** Which metrics (default "all": cumulative since the deployment). */
  readonly period?: MetricPeriod;
  /** For "hour" and "day": the period's start (unix seconds); default the latest period each model has. */
  readonly periodStart?: bigint;
}

const GPU_MARKET = `query GpuMarket($where: modelMetricFilter, $limit: Int) {
  gpuModels(orderBy: "name", orderDirection: "asc", limit: $limit) { ${pageSelection(INDEXED_GPU_MODEL_FIELDS)} }
  modelMetrics(where: $where, orderBy: "periodStart", orderDirection: "desc", limit: $limit) { ${pageSelection(INDEXED_MODEL_METRIC_FIELDS)} }
}`;

/**
 * GPU prices and capacity by model, by model name. Covers up to 200 models; for "hour" and "day" without
 * `periodStart`, each model's latest period among the newest 200 metric rows.
 */
export async function gpuMarket(client: IndexerClient, options: GpuMarketOptions = {}): Promise<GpuMarketEntry[]> {
  const endpoint = `${client.url}/graphql`;
  const period = options.period ?? "all";
  const where: Record<string, unknown> = { period };
  if (period === "all") where.periodStart = "0";
  else if (options.periodStart !== undefined) where.periodStart = options.periodStart.toString();
  const data = await client.graphql(GPU_MARKET, { where, limit: MAX_INDEXER_PAGE_SIZE });
  const models = decodePage(INDEXED_GPU_MODEL_FIELDS, data, "gpuModels", endpoint).items;
  const latest = new Map<string, IndexedModelMetric>();
  // Newest first: the first row of a model is its latest period.
  for (const row of decodePage(INDEXED_MODEL_METRIC_FIELDS, data, "modelMetrics", endpoint).items) {
    if (!latest.has(row.model)) latest.set(row.model, row);
  }
  return models.map((model) => ({ ...model, metrics: latest.get(model.id) ?? null }));
}

/** Options of {@link modelMetricSeries}. */
export interface ModelMetricSeriesOptions extends PageOptions {
  /** "hour" or "day" (default "day"). */
  readonly period?: Exclude<MetricPeriod, "all">;
  /** Only this GPU model id (bytes32 hex, see gpuModelId); default every model, interleaved. */
  readonly model?: string;
  /** Only periods starting at or after this unix second. */
  readonly since?: bigint;
}

const MODEL_METRIC_SERIES = `query ModelMetricSeries($where: modelMetricFilter, $limit: Int, $after: String) {
  modelMetrics(where: $where, orderBy: "periodStart", orderDirection: "desc", limit: $limit, after: $after) { ${pageSelection(INDEXED_MODEL_METRIC_FIELDS)} }
}`;

/** GPU models' utilization and price index per hour or per day, newest period first (a price index over time). */
export async function modelMetricSeries(
  client: IndexerClient,
  options: ModelMetricSeriesOptions = {},
): Promise<Page<IndexedModelMetric>> {
  const where: Record<string, unknown> = { period: options.period ?? "day" };
  if (options.model !== undefined) where.model = options.model.toLowerCase();
  if (options.since !== undefined) where.periodStart_gte = options.since.toString();
  const data = await client.graphql(MODEL_METRIC_SERIES, {
    where,
    limit: pageLimit(options.limit, "modelMetricSeries"),
    after: options.after ?? null,
  });
  return decodePage(INDEXED_MODEL_METRIC_FIELDS, data, "modelMetrics", `${client.url}/graphql`);
}
