// The providers leaderboard: reputation, success rate, earnings, GPUs leased now, slashes and stake,
// sorted by the column the user picks, exportable as CSV.
import { useState, type ReactNode } from "react";

import { listProviders, type IndexedProvider, type ProviderOrder } from "../../../sdk/index.ts";
import { Panel } from "../components/Panel.tsx";
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
            <label>
              Sort by{" "}
              <select value={order} onChange={(event) => setOrder(event.target.value as ProviderOrder)}>
                {ORDERS.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
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
            <div className="table-scroll">
              <table data-testid="providers-table">
                <caption className="visually-hidden">Providers, best first</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Online</th>
                    <th scope="col" className="num">Reputation</th>
                    <th scope="col" className="num">Success</th>
                    <th scope="col" className="num">Settled</th>
                    <th scope="col" className="num">Earned</th>
                    <th scope="col" className="num">Leased now</th>
                    <th scope="col" className="num">Slashes</th>
                    <th scope="col" className="num">Stake</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((provider, index) => (
                    <tr key={provider.address}>
                      <td>{index + 1}</td>
                      <td>
                        <a href={routeHref({ page: "provider", address: provider.address })} title={provider.address}>
                          {shortHex(provider.address)}
                        </a>
                      </td>
                      <td>{provider.online ? "yes" : "no"}</td>
                      <td className="num">{(provider.reputation / 100).toFixed(2)}%</td>
                      <td className="num">{formatRatio(provider.successRate)}</td>
                      <td className="num">{formatCount(provider.jobsSettled)}</td>
                      <td className="num">{formatUsd18(provider.grossEarnedUsd)}</td>
                      <td className="num">
                        {formatCount(provider.leasedGpus)}/{formatCount(provider.listedGpus)} ({formatRatio(leasedShare(provider))})
                      </td>
                      <td className="num">{provider.slashCount}</td>
                      <td className="num">{formatGrlAmount(provider.totalStaked)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Panel>
    </>
  );
}
