// One job: its terms, what it cost and paid, its timeline, and its bids.
import type { ReactNode } from "react";

import { type IndexedBid, jobDetail } from "../../../sdk/indexer/index.ts";
import { DataTable, type Column } from "../components/DataTable.tsx";
import { Panel } from "../components/Panel.tsx";
import { formatUsd18, formatUtc, shortHex } from "../data/format.ts";
import { jobTimeline, outcomeLabel } from "../data/job-timeline.ts";
import { routeHref } from "../data/routes.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";

/** Hours and minutes of a duration in seconds. */
function hours(seconds: bigint): string {
  const minutes = Number(seconds / 60n);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const BID_COLUMNS: readonly Column<IndexedBid>[] = [
  { header: "#", cell: (bid) => bid.bidIndex },
  { header: "Provider", cell: (bid) => <a href={routeHref({ page: "provider", address: bid.provider })}>{shortHex(bid.provider)}</a> },
  { header: "Status", cell: (bid) => bid.status },
  { header: "Price/GPU-h", numeric: true, cell: (bid) => (bid.priceUsd === null ? "sealed" : formatUsd18(bid.priceUsd, 4)) },
  { header: "Committed", cell: (bid) => formatUtc(bid.committedAt) },
  { header: "Revealed", cell: (bid) => (bid.revealedAt === null ? "—" : formatUtc(bid.revealedAt)) },
];

/** The job page. */
export function Job({ id }: { id: bigint }): ReactNode {
  const result = useIndexerQuery(`job ${id}`, (client) => jobDetail(client, id));
  const detail = result.data;
  return (
    <>
      <h1>Job #{id.toString()}</h1>
      {detail === null ? (
        <p className="error" role="alert">
          The indexer has no job #{id.toString()} (yet): check the number, or wait for the indexer to catch up.{" "}
          <a href="#/jobs">All jobs</a>
        </p>
      ) : (
        <>
          <Panel title="Terms and money" error={result.error} loading={detail === undefined}>
            {detail && (
              <dl className="facts" data-testid="job-facts">
                <dt>State</dt>
                <dd data-testid="job-state">
                  {detail.job.state}
                  {detail.job.outcome === null ? "" : ` · ${outcomeLabel(detail.job.outcome)}`}
                </dd>
                <dt>GPUs</dt>
                <dd>
                  {detail.job.gpuCount}× {detail.job.gpuModelName}, at least {detail.job.minVramGb} GB
                </dd>
                <dt>Duration</dt>
                <dd>{hours(detail.job.duration)}</dd>
                <dt>Pricing rule</dt>
                <dd>{detail.job.pricingRule}</dd>
                <dt>Reserve price</dt>
                <dd data-testid="job-reserve">{formatUsd18(detail.job.reservePriceUsd, 4)} per GPU-hour</dd>
                <dt>Clearing price</dt>
                <dd data-testid="job-clearing">{detail.job.clearingPriceUsd === null ? "not awarded" : `${formatUsd18(detail.job.clearingPriceUsd, 4)} per GPU-hour`}</dd>
                <dt>Value</dt>
                <dd data-testid="job-value">{detail.job.valueUsd === null ? "not awarded" : formatUsd18(detail.job.valueUsd, 2)}</dd>
                <dt>Payment</dt>
                <dd>
                  {detail.job.isCredits ? "USD credits" : "stablecoin"} <code title={detail.job.paymentToken}>{shortHex(detail.job.paymentToken)}</code>
                </dd>
                <dt>Renter</dt>
                <dd>
                  <a href={routeHref({ page: "jobs", filters: { renter: detail.job.renter } })}>
                    <code>{detail.job.renter}</code>
                  </a>
                </dd>
                <dt>Provider</dt>
                <dd>
                  {detail.job.provider === null ? (
                    "none yet"
                  ) : (
                    <a href={routeHref({ page: "provider", address: detail.job.provider })}>
                      <code>{detail.job.provider}</code>
                    </a>
                  )}
                </dd>
                <dt>Bids</dt>
                <dd data-testid="job-bids">
                  {detail.job.bidCount} committed, {detail.job.revealCount} revealed
                </dd>
                <dt>Payouts</dt>
                <dd>{detail.job.payoutCount}</dd>
                <dt>Spec hash</dt>
                <dd data-testid="job-spec-hash">
                  <code className="wrap">{detail.job.specHash}</code>
                </dd>
                <dt>Result manifest</dt>
                <dd data-testid="job-result">
                  {detail.job.resultHash === null ? (
                    "not delivered"
                  ) : (
                    <>
                      <code className="wrap">{detail.job.resultHash}</code>
                      {detail.job.resultUri === null || detail.job.resultUri === "" ? null : (
                        <>
                          {" at "}
                          <code className="wrap">{detail.job.resultUri}</code>
                        </>
                      )}
                    </>
                  )}
                </dd>
              </dl>
            )}
          </Panel>
          <Panel title="Timeline" loading={detail === undefined}>
            {detail && (
              <ol className="timeline" data-testid="job-timeline">
                {jobTimeline(detail).map((event, index) => (
                  <li key={`${event.label}-${index}`}>
                    <time dateTime={new Date(Number(event.at) * 1000).toISOString()}>{formatUtc(event.at)}</time>
                    <span className="timeline-label">{event.label}</span>
                    {event.detail === undefined ? null : <span className="muted"> {event.detail}</span>}
                  </li>
                ))}
              </ol>
            )}
          </Panel>
          <Panel title="Bids" loading={detail === undefined}>
            {detail && detail.bids.length === 0 ? <p className="muted">No bids.</p> : null}
            {detail && detail.bids.length > 0 ? (
              <DataTable caption="Bids in commit order" rows={detail.bids} columns={BID_COLUMNS} rowKey={(bid) => bid.provider} />
            ) : null}
          </Panel>
        </>
      )}
    </>
  );
}
