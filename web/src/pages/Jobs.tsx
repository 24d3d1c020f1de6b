// The jobs table: newest first, filtered by state, GPU model, pricing rule, payment token, renter and
// provider (kept in the URL), paged with the indexer's cursors, exportable as CSV.
import { useState, type FormEvent, type ReactNode } from "react";

import { GPU_MODELS, recentJobs, type IndexedJob } from "../../../sdk/index.ts";
import { Panel } from "../components/Panel.tsx";
import { downloadCsv } from "../data/csv.ts";
import { formatCount, formatUsd18, formatUtc, shortHex } from "../data/format.ts";
import { routeHref, type JobFilters } from "../data/routes.ts";
import { jobQueryOptions } from "../data/job-filters.ts";
import { INDEXED_JOB_STATES, PRICING_RULES } from "../data/states.ts";
import { useIndexerQuery } from "../data/use-indexer-query.ts";

/** Rows per page. */
export const JOBS_PAGE_SIZE = 20;

/** The jobs of a page as a CSV table. */
function jobsCsv(jobs: readonly IndexedJob[]) {
  return {
    header: ["id", "state", "outcome", "model", "gpus", "pricing rule", "payment token", "credits", "renter", "provider", "clearing price usd/gpu-h", "created at"],
    rows: jobs.map((job) => [
      job.id,
      job.state,
      job.outcome,
      job.gpuModelName,
      job.gpuCount,
      job.pricingRule,
      job.paymentToken,
      job.isCredits ? "yes" : "no",
      job.renter,
      job.provider,
      job.clearingPriceUsd === null ? null : formatUsd18(job.clearingPriceUsd, 4).replace(/[$,]/g, ""),
      job.createdAt,
    ]),
  };
}

/** The jobs page. */
export function Jobs({ filters }: { filters: JobFilters }): ReactNode {
  const filterKey = routeHref({ page: "jobs", filters });
  // Cursors of the pages seen so far (page 0 has none); reset when the filters change.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: filterKey, cursors: [undefined] });
  const cursors = paging.key === filterKey ? paging.cursors : [undefined];
  const pageIndex = cursors.length - 1;
  const parsed = jobQueryOptions(filters);
  const after = cursors[pageIndex];
  const result = useIndexerQuery(`jobs ${filterKey} ${after ?? ""}`, (client) =>
    "options" in parsed
      ? recentJobs(client, { ...parsed.options, limit: JOBS_PAGE_SIZE, ...(after === undefined ? {} : { after }) })
      : Promise.resolve(null),
  );

  const apply = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Record<string, string> = {};
    for (const [key, value] of form.entries()) if (typeof value === "string" && value.trim() !== "") next[key] = value.trim();
    window.location.hash = routeHref({ page: "jobs", filters: next });
  };
  const page = result.data ?? undefined;
  const pages = page ? Math.max(1, Math.ceil(page.totalCount / JOBS_PAGE_SIZE)) : 1;
  return (
    <>
      <h1>Jobs</h1>
      <form className="filters" onSubmit={apply} aria-label="Filter jobs" key={filterKey}>
        <label>
          State
          <select name="state" defaultValue={filters.state ?? ""}>
            <option value="">Any</option>
            {INDEXED_JOB_STATES.map((state) => (
              <option key={state}>{state}</option>
            ))}
          </select>
        </label>
        <label>
          GPU model
          <select name="model" defaultValue={filters.model ?? ""}>
            <option value="">Any</option>
            {GPU_MODELS.map((model) => (
              <option key={model.name}>{model.name}</option>
            ))}
          </select>
        </label>
        <label>
          Pricing rule
          <select name="rule" defaultValue={filters.rule ?? ""}>
            <option value="">Any</option>
            {PRICING_RULES.map((rule) => (
              <option key={rule.name} value={rule.name}>
                {rule.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Payment token
          <input name="token" defaultValue={filters.token ?? ""} placeholder="0x…" spellCheck={false} />
        </label>
        <label>
          Renter
          <input name="renter" defaultValue={filters.renter ?? ""} placeholder="0x…" spellCheck={false} />
        </label>
        <label>
          Provider
          <input name="provider" defaultValue={filters.provider ?? ""} placeholder="0x…" spellCheck={false} />
        </label>
        <div className="filter-buttons">
          <button type="submit">Apply</button>
          <a className="button-secondary" href="#/jobs">
            Clear
          </a>
        </div>
      </form>
      {"invalid" in parsed ? (
        <p className="error" role="alert">
          The filter {parsed.invalid}: fix it above, or clear the filters.
        </p>
      ) : (
        <Panel
          title="Newest first"
          error={result.error}
          loading={page === undefined}
          actions={
            page ? (
              <button type="button" className="button-secondary" onClick={() => downloadCsv("gridlease-jobs.csv", jobsCsv(page.items))}>
                Export this page (CSV)
              </button>
            ) : null
          }
        >
          {page && (
            <>
              <p className="muted" data-testid="jobs-count" data-total={page.totalCount}>
                {formatCount(page.totalCount)} jobs · page {pageIndex + 1} of {pages}
              </p>
              <div className="table-scroll">
                <table data-testid="jobs-table">
                  <caption className="visually-hidden">Jobs, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Job</th>
                      <th scope="col">State</th>
                      <th scope="col">Model</th>
                      <th scope="col">Rule</th>
                      <th scope="col">Token</th>
                      <th scope="col">Renter</th>
                      <th scope="col">Provider</th>
                      <th scope="col" className="num">
                        Price/GPU-h
                      </th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((job) => (
                      <tr key={job.id.toString()} data-job-id={job.id.toString()}>
                        <td>
                          <a href={routeHref({ page: "job", id: job.id })}>#{job.id.toString()}</a>
                        </td>
                        <td data-col="state">{job.state}</td>
                        <td data-col="model">
                          {job.gpuCount}× {job.gpuModelName}
                        </td>
                        <td data-col="rule">{job.pricingRule}</td>
                        <td title={job.paymentToken}>{job.isCredits ? "credits" : shortHex(job.paymentToken)}</td>
                        <td>
                          <a href={routeHref({ page: "jobs", filters: { renter: job.renter } })} title={job.renter}>
                            {shortHex(job.renter)}
                          </a>
                        </td>
                        <td>
                          {job.provider === null ? (
                            <span className="muted">none</span>
                          ) : (
                            <a href={routeHref({ page: "provider", address: job.provider })} title={job.provider}>
                              {shortHex(job.provider)}
                            </a>
                          )}
                        </td>
                        <td className="num">{job.clearingPriceUsd === null ? "—" : formatUsd18(job.clearingPriceUsd, 3)}</td>
                        <td>{formatUtc(job.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <nav className="pager" aria-label="Job pages">
                <button type="button" disabled={pageIndex === 0} onClick={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}>
                  Previous page
                </button>
                <button
                  type="button"
                  disabled={!page.hasNextPage || page.endCursor === null}
                  onClick={() => setPaging({ key: filterKey, cursors: [...cursors, page.endCursor ?? undefined] })}
                >
                  Next page
                </button>
              </nav>
            </>
          )}
        </Panel>
      )}
    </>
  );
}
