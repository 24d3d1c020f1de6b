// The providers leaderboard: reputation, success rate, earnings, GPUs leased now, slashes and stake,
// sorted by the column the user picks, exportable as CSV.
import { useState, type ReactNode } from "react";

import { listProviders, type IndexedProvider, type ProviderOrder } from "../../../sdk/indexer/index.ts";
import { DataTable, type Column } from "../components/DataTable.tsx";
import { Panel } from "../components/Panel.tsx";
import { SelectField } from "../components/SelectField.tsx";
import { downloadCsv } from "../data/csv.ts";
import { formatCount, formatGrlAmount, formatRatio, formatUsd18, shortHex } from "../data/format.ts";
import { routeHref } from "../data/routes.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";

/** Providers shown (the indexer's largest page). */
export const LEADERBOARD_SIZE = 100;

const ORDERS: readonly { value: ProviderOrder; label: string }[] = [
  { value: "reputation", label: "Reputation" },
  { value: "grossEarnedUsd", label: "Earnings" },
  { value: "jobsSettled", label: "Settled jobs" },
  { value: "totalStaked", label: "Stake" },
  { value: "lastActiveAt", label: "Last active" },
];

/** Leased GPUs over listed ones now (null without listed GPUs). */
export function leasedShare(provider: Pick<IndexedProvider, "leasedGpus" | "listedGpus">): number | null {
  return provider.listedGpus === 0 ? null : Number(provider.leasedGpus) / provider.listedGpus;
}

function providersCsv(providers: readonly IndexedProvider[]) {
  return {
    header: ["address", "online", "reputation", "success rate", "jobs settled", "gross earned usd", "gpus listed", "gpus leased", "slashes", "staked grl"],
    rows: providers.map((p) => [
      p.address,
      p.online ? "yes" : "no",
      p.reputation,
      p.successRate,
      p.jobsSettled,
      formatUsd18(p.grossEarnedUsd).replace(/[$,]/g, ""),
      p.listedGpus,
      p.leasedGpus,
      p.slashCount,
      p.totalStaked,
    ]),
  };
}

const PROVIDER_COLUMNS: readonly Column<IndexedProvider>[] = [
  { header: "#", cell: (_provider, index) => index + 1 },
  {
    header: "Provider",
    cell: (provider) => (
      <a href={routeHref({ page: "provider", address: provider.address })} title={provider.address}>
        {shortHex(provider.address)}
      </a>
    ),
  },
  { header: "Online", cell: (provider) => (provider.online ? "yes" : "no") },
  { header: "Reputation", numeric: true, cell: (provider) => `${(provider.reputation / 100).toFixed(2)}%` },
  { header: "Success", numeric: true, cell: (provider) => formatRatio(provider.successRate) },
  { header: "Settled", numeric: true, cell: (provider) => formatCount(provider.jobsSettled) },
  { header: "Earned", numeric: true, cell: (provider) => formatUsd18(provider.grossEarnedUsd) },
  {
    header: "Leased now",
    numeric: true,
    cell: (provider) => `${formatCount(provider.leasedGpus)}/${formatCount(provider.listedGpus)} (${formatRatio(leasedShare(provider))})`,
  },
  { header: "Slashes", numeric: true, cell: (provider) => provider.slashCount },
  { header: "Stake", numeric: true, cell: (provider) => formatGrlAmount(provider.totalStaked) },
];

/** The providers page. */
export function Providers(): ReactNode {
  const [order, setOrder] = useState<ProviderOrder>("reputation");
  const result = useIndexerQuery(`providers ${order}`, (client) => listProviders(client, { orderBy: order, limit: LEADERBOARD_SIZE }));
  const page = result.data;
  return (
    <>
      <h1>Providers</h1>
      <Panel
        title="Leaderboard"
        error={result.error}
        loading={page === undefined}
        actions={
          <div className="panel-actions">
            <SelectField label="Sort by" choices={ORDERS} value={order} onChange={(value) => setOrder(value as ProviderOrder)} />
            {page ? (
              <button type="button" className="button-secondary" onClick={() => downloadCsv("gridlease-providers.csv", providersCsv(page.items))}>
                Export CSV
              </button>
            ) : null}
          </div>
        }
      >
        {page && (
          <>
            <p className="muted">
              {formatCount(page.totalCount)} providers{page.totalCount > page.items.length ? `, the first ${page.items.length} shown` : ""}
            </p>
            <DataTable caption="Providers, best first" testId="providers-table" rows={page.items} columns={PROVIDER_COLUMNS} rowKey={(provider) => provider.address} />
          </>
        )}
      </Panel>
    </>
  );
}
