// The jobs table: newest first, filtered by state, GPU model, pricing rule, payment token, renter and
// provider (kept in the URL), paged with the indexer's cursors, exportable as CSV.
import { useState, type FormEvent, type ReactNode } from "react";

import { GPU_MODELS } from "../../../sdk/gpu-models.ts";
import { recentJobs, type IndexedJob } from "../../../sdk/indexer/index.ts";
import { DataTable, type Column } from "../components/DataTable.tsx";
import { Panel } from "../components/Panel.tsx";
import { type Choice, SelectField } from "../components/SelectField.tsx";
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

const STATE_CHOICES: readonly Choice[] = INDEXED_JOB_STATES.map((state) => ({ value: state, label: state }));
const MODEL_CHOICES: readonly Choice[] = GPU_MODELS.map((model) => ({ value: model.name, label: model.name }));
const RULE_CHOICES: readonly Choice[] = PRICING_RULES.map((rule) => ({ value: rule.name, label: rule.label }));
const ADDRESS_FILTERS: readonly (readonly ["token" | "renter" | "provider", string])[] = [
  ["token", "Payment token"],
  ["renter", "Renter"],
  ["provider", "Provider"],
];

const JOB_COLUMNS: readonly Column<IndexedJob>[] = [
  { header: "Job", cell: (job) => <a href={routeHref({ page: "job", id: job.id })}>#{job.id.toString()}</a> },
  { header: "State", testName: "state", cell: (job) => job.state },
  { header: "Model", testName: "model", cell: (job) => `${job.gpuCount}× ${job.gpuModelName}` },
  { header: "Rule", testName: "rule", cell: (job) => job.pricingRule },
  { header: "Token", cell: (job) => <span title={job.paymentToken}>{job.isCredits ? "credits" : shortHex(job.paymentToken)}</span> },
  {
    header: "Renter",
    cell: (job) => (
      <a href={routeHref({ page: "jobs", filters: { renter: job.renter } })} title={job.renter}>
        {shortHex(job.renter)}
      </a>
    ),
  },
  {
    header: "Provider",
    cell: (job) =>
      job.provider === null ? (
        <span className="muted">none</span>
      ) : (
        <a href={routeHref({ page: "provider", address: job.provider })} title={job.provider}>
          {shortHex(job.provider)}
        </a>
      ),
  },
  { header: "Price/GPU-h", numeric: true, cell: (job) => (job.clearingPriceUsd === null ? "—" : formatUsd18(job.clearingPriceUsd, 3)) },
  { header: "Created", cell: (job) => formatUtc(job.createdAt) },
];

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
        <SelectField label="State" name="state" emptyChoice="Any" defaultValue={filters.state ?? ""} choices={STATE_CHOICES} />
        <SelectField label="GPU model" name="model" emptyChoice="Any" defaultValue={filters.model ?? ""} choices={MODEL_CHOICES} />
        <SelectField label="Pricing rule" name="rule" emptyChoice="Any" defaultValue={filters.rule ?? ""} choices={RULE_CHOICES} />
        {ADDRESS_FILTERS.map(([name, label]) => (
          <label key={name}>
            {label}
            <input name={name} defaultValue={filters[name] ?? ""} placeholder="0x…" spellCheck={false} />
          </label>
        ))}
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
              <DataTable
                caption="Jobs, newest first"
                testId="jobs-table"
                rows={page.items}
                columns={JOB_COLUMNS}
                rowKey={(job) => job.id.toString()}
                rowData={(job) => ({ "data-job-id": job.id.toString() })}
              />
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
