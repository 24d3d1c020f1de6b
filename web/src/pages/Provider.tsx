// One provider: stake, reputation and track record, its GPU models, and its latest jobs.
import type { ReactNode } from "react";

import { providerByAddress, providerMetricSeries, recentJobs } from "../../../sdk/indexer/index.ts";
import { LazyChart } from "../charts/LazyChart.tsx";
import { KpiCard } from "../components/KpiCard.tsx";
import { Panel } from "../components/Panel.tsx";
import { formatCount, formatGrlAmount, formatRatio, formatUsd18, formatUtc } from "../data/format.ts";
import { providerEarningsChart } from "../data/provider-series.ts";
import { routeHref } from "../data/routes.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";

/** Jobs listed on the provider page (the full list is the jobs page filtered by provider). */
const RECENT_JOBS = 10;
/** Days of earnings history on the provider page. */
const EARNINGS_DAYS = 30;

/** The provider page. */
export function Provider({ address }: { address: string }): ReactNode {
  const row = useIndexerQuery(`provider ${address}`, (client) => providerByAddress(client, address));
  const jobs = useIndexerQuery(`provider-jobs ${address}`, (client) => recentJobs(client, { provider: address, limit: RECENT_JOBS }));
  const earnings = useIndexerQuery(`provider-earnings ${address}`, (client) =>
    providerMetricSeries(client, address, { period: "day", limit: EARNINGS_DAYS }),
  );
  const provider = row.data;
  return (
    <>
      <h1>
        Provider <code className="wrap">{address}</code>
      </h1>
      {provider === null ? (
        <p className="error" role="alert">
          The indexer has not seen this provider register: check the address. <a href="#/providers">All providers</a>
        </p>
      ) : (
        <>
          <Panel title="Track record" error={row.error} loading={provider === undefined}>
            {provider && (
              <div className="cards">
                <KpiCard testId="provider-reputation" label="Reputation" value={`${(provider.reputation / 100).toFixed(2)}%`} />
                <KpiCard testId="provider-success" label="Success rate" value={formatRatio(provider.successRate)} />
                <KpiCard testId="provider-earned" label="Gross earned" value={formatUsd18(provider.grossEarnedUsd)} />
                <KpiCard testId="provider-fees" label="Fees paid" value={formatUsd18(provider.feesPaidUsd)} />
                <KpiCard testId="provider-settled" label="Jobs settled" value={formatCount(provider.jobsSettled)} />
                <KpiCard testId="provider-failed" label="Jobs failed" value={formatCount(provider.jobsFailed)} />
                <KpiCard testId="provider-stake" label="Free stake" value={formatGrlAmount(provider.freeStake)} />
                <KpiCard testId="provider-locked" label="Locked stake" value={formatGrlAmount(provider.lockedStake)} />
                <KpiCard testId="provider-slashed" label={`Slashed (${provider.slashCount}×)`} value={formatGrlAmount(provider.totalSlashed)} />
              </div>
            )}
          </Panel>
          <Panel title="Earnings per day" id="provider-earnings" error={earnings.error} loading={earnings.data === undefined}>
            {earnings.data && !earnings.data.items.some((day) => day.grossUsd > 0n) ? (
              <p className="muted">No pay released to this provider in the last {EARNINGS_DAYS} days.</p>
            ) : null}
            {earnings.data?.items.some((day) => day.grossUsd > 0n) ? (
              <LazyChart testId="chart-provider-earnings" title={`Last ${EARNINGS_DAYS} days (USD)`} description="pay released to the provider per UTC day: what it kept and the protocol fee, stacked to the gross" data={providerEarningsChart(earnings.data.items, "day")} />
            ) : null}
          </Panel>
          <Panel title="GPUs" loading={provider === undefined}>
            {provider && (
              <dl className="facts">
                <dt>Status</dt>
                <dd>{provider.online ? "online" : "offline"}</dd>
                <dt>Models</dt>
                <dd>{provider.modelNames.length === 0 ? "none listed" : provider.modelNames.join(", ")}</dd>
                <dt>GPUs listed / available / leased</dt>
                <dd>
                  {provider.listedGpus} / {formatCount(provider.availableGpus)} / {formatCount(provider.leasedGpus)}
                </dd>
                <dt>Registered</dt>
                <dd>{formatUtc(provider.registeredAt)}</dd>
                <dt>Last active</dt>
                <dd>{formatUtc(provider.lastActiveAt)}</dd>
              </dl>
            )}
          </Panel>
          <Panel
            title="Latest jobs"
            error={jobs.error}
            loading={jobs.data === undefined}
            actions={<a href={routeHref({ page: "jobs", filters: { provider: address } })}>All of its jobs</a>}
          >
            {jobs.data && jobs.data.items.length === 0 ? <p className="muted">No jobs yet.</p> : null}
            {jobs.data && jobs.data.items.length > 0 ? (
              <ul className="plain-list">
                {jobs.data.items.map((job) => (
                  <li key={job.id.toString()}>
                    <a href={routeHref({ page: "job", id: job.id })}>#{job.id.toString()}</a> {job.state}, {job.gpuCount}× {job.gpuModelName}
                    {job.valueUsd === null ? "" : `, ${formatUsd18(job.valueUsd)}`}
                  </li>
                ))}
              </ul>
            ) : null}
          </Panel>
        </>
      )}
    </>
  );
}
