// The market page: per GPU model, listed vs leased GPUs now, eligible providers and the latest day's
// prices; for the model picked, its price band over the last 7 and 30 days beside the reference cloud
// prices of docs/PROTOCOL.md, and its daily price index. Tables export CSV.
import type { ReactNode } from "react";

import { gpuModelId } from "../../../sdk/gpu-models.ts";
import { awardedJobsSince, modelMetricSeries, priceBand, type PriceBand } from "../../../sdk/indexer/index.ts";
import { referencePricesOf } from "../../../sdk/reference-prices.ts";
import { LazyChart } from "../charts/LazyChart.tsx";
import { DataTable, type Column } from "../components/DataTable.tsx";
import { Panel } from "../components/Panel.tsx";
import { downloadCsv } from "../data/csv.ts";
import { formatCount, formatRatio, formatUsd18 } from "../data/format.ts";
import { useLive } from "../data/live.tsx";
import { marketOverview, type MarketRow } from "../data/market-overview.ts";
import { priceIndexChart } from "../data/price-index.ts";
import { routeHref } from "../data/routes.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";

const DAY = 86_400n;

function price(value: bigint | null): string {
  return value === null ? "—" : formatUsd18(value, 3);
}

function marketCsv(rows: readonly MarketRow[]) {
  return {
    header: ["model", "gpus listed", "gpus available", "gpus leased", "eligible providers", "utilization today", "median price today usd/gpu-h", "vwap today usd/gpu-h"],
    rows: rows.map((row) => [
      row.name,
      row.listedGpus,
      row.availableGpus,
      row.leasedGpus,
      row.eligibleProviders,
      row.metrics?.utilization ?? null,
      row.metrics?.medianPrice == null ? null : formatUsd18(row.metrics.medianPrice, 4).replace(/[$,]/g, ""),
      row.metrics?.vwapPrice == null ? null : formatUsd18(row.metrics.vwapPrice, 4).replace(/[$,]/g, ""),
    ]),
  };
}

function bandCsv(model: string, bands: readonly { days: number; band: PriceBand }[]) {
  return {
    header: ["model", "window days", "awards", "min usd/gpu-h", "median usd/gpu-h", "vwap usd/gpu-h", "max usd/gpu-h"],
    rows: bands.map(({ days, band }) => [
      model,
      days,
      band.awards,
      ...[band.min, band.median, band.vwap, band.max].map((value) => (value === null ? null : formatUsd18(value, 4).replace(/[$,]/g, ""))),
    ]),
  };
}

const BAND_COLUMNS: readonly Column<{ days: number; band: PriceBand }>[] = [
  { header: "Window", rowHeader: true, cell: ({ days }) => `Last ${days} days` },
  { header: "Awards", numeric: true, cell: ({ band }) => formatCount(band.awards) },
  { header: "Min", numeric: true, cell: ({ band }) => price(band.min) },
  { header: "Median", numeric: true, cell: ({ band }) => price(band.median) },
  { header: "VWAP", numeric: true, cell: ({ band }) => price(band.vwap) },
  { header: "Max", numeric: true, cell: ({ band }) => price(band.max) },
];

const MARKET_COLUMNS: readonly Column<MarketRow>[] = [
  { header: "Model", rowHeader: true, cell: (row) => <a href={routeHref({ page: "market", model: row.name })}>{row.name}</a> },
  { header: "Listed", numeric: true, cell: (row) => formatCount(row.listedGpus) },
  { header: "Available", numeric: true, cell: (row) => formatCount(row.availableGpus) },
  { header: "Leased", numeric: true, cell: (row) => formatCount(row.leasedGpus) },
  { header: "Eligible providers", numeric: true, cell: (row) => formatCount(row.eligibleProviders) },
  { header: "Utilization today", numeric: true, cell: (row) => formatRatio(row.metrics?.utilization ?? null) },
  { header: "Median today", numeric: true, cell: (row) => price(row.metrics?.medianPrice ?? null) },
  { header: "VWAP today", numeric: true, cell: (row) => price(row.metrics?.vwapPrice ?? null) },
];

/** The price band panel of one model. */
function ModelDetail({ model }: { model: string }): ReactNode {
  const { summary } = useLive();
  const now = summary === null ? null : BigInt(summary.asOf.timestamp);
  let id: string | null = null;
  try {
    id = gpuModelId(model);
  } catch {
    id = null;
  }
  // Windows end at the indexed chain time, not the browser's clock.
  const since30 = now === null ? null : now - 30n * DAY;
  const awards = useIndexerQuery(`awards ${model}`, (client) =>
    id === null || since30 === null ? Promise.resolve(null) : awardedJobsSince(client, id, since30),
  );
  const series = useIndexerQuery(`model-series ${model}`, (client) =>
    id === null ? Promise.resolve(null) : modelMetricSeries(client, { model: id, period: "day", limit: 30 }),
  );
  if (id === null) {
    return (
      <p className="error" role="alert">
        "{model}" is not a GPU model of the catalogue: pick one in the table above.
      </p>
    );
  }
  const jobs = awards.data?.jobs ?? [];
  const bands =
    now === null
      ? []
      : [7, 30].map((days) => ({
          days,
          band: priceBand(jobs.filter((job) => job.awardedAt !== null && job.awardedAt >= now - BigInt(days) * DAY)),
        }));
  const references = referencePricesOf(model);
  return (
    <>
      <Panel
        title={`${model}: price band`}
        id="band"
        error={awards.error}
        loading={awards.data === undefined}
        actions={
          <button type="button" className="button-secondary" onClick={() => downloadCsv(`gridlease-${model}-price-band.csv`, bandCsv(model, bands))}>
            Export CSV
          </button>
        }
      >
        <DataTable
          caption="Clearing prices per GPU-hour (USD) of the jobs awarded in the window"
          showCaption
          testId="price-band"
          rows={bands}
          columns={BAND_COLUMNS}
          rowKey={(row) => String(row.days)}
        />
        {awards.data?.truncated ? <p className="muted">More than 1,000 awards in 30 days: the band is of the newest 1,000.</p> : null}
        <h3>Reference cloud prices</h3>
        {references.length === 0 ? (
          <p className="muted">The protocol document quotes no cloud price for {model}.</p>
        ) : (
          <ul className="plain-list" data-testid="reference-prices">
            {references.map((reference) => (
              <li key={reference.source}>
                {reference.source}: ${reference.usdPerGpuHour.toFixed(2)} per GPU-hour
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <Panel title={`${model}: price index per day`} error={series.error} loading={series.data === undefined}>
        {series.data && (
          <LazyChart testId="chart-model-prices" title="Median clearing price per day (USD per GPU-hour)" description={`${model} median clearing price per day, reference cloud prices dashed`} data={priceIndexChart(series.data.items, "day", model)} />
        )}
      </Panel>
    </>
  );
}

/** The market page (`model`: the GPU model whose band is shown). */
export function Market({ model }: { model?: string }): ReactNode {
  const result = useIndexerQuery("market", marketOverview);
  const rows = result.data;
  return (
    <>
      <h1>GPU market</h1>
      <Panel
        title="Capacity and prices now"
        error={result.error}
        loading={rows === undefined}
        actions={
          rows ? (
            <button type="button" className="button-secondary" onClick={() => downloadCsv("gridlease-market.csv", marketCsv(rows))}>
              Export CSV
            </button>
          ) : null
        }
      >
        {rows && (
          <DataTable
            caption="GPU models"
            testId="market-table"
            rows={rows}
            columns={MARKET_COLUMNS}
            rowKey={(row) => row.id}
            rowData={(row) => ({ "aria-current": row.name === model ? "true" : undefined })}
          />
        )}
      </Panel>
      {model === undefined ? <p className="muted">Pick a model above for its price band over 7 and 30 days.</p> : <ModelDetail model={model} />}
    </>
  );
}
