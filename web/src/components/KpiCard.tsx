// A headline figure with its change over the last 24 hours and a link to its full series.
import type { ReactNode } from "react";

import type { Change } from "../data/format.ts";

/** Props of {@link KpiCard}. */
export interface KpiCardProps {
  readonly label: string;
  readonly value: string;
  /** The change over 24 h, or what happened in them for a flow (e.g. "+$1,200.00 in 24 h"). */
  readonly change?: Change;
  readonly changeLabel?: string;
  /** Where the full series is (an anchor of the page). */
  readonly seriesHref?: string;
  readonly testId: string;
}

const ARROWS: Readonly<Record<Change["direction"], string>> = { up: "▲", down: "▼", flat: "■" };

/** One KPI card. */
export function KpiCard({ label, value, change, changeLabel = "24 h", seriesHref, testId }: KpiCardProps): ReactNode {
  return (
    <section className="card" aria-label={label} data-testid={testId}>
      <h3 className="card-label">{label}</h3>
      <p className="card-value" data-testid={`${testId}-value`}>
        {value}
      </p>
      {change === undefined ? null : (
        <p className={`card-change change-${change.direction}`}>
          <span aria-hidden="true">{ARROWS[change.direction]} </span>
          {change.text} <span className="muted">{changeLabel}</span>
        </p>
      )}
      {seriesHref === undefined ? null : (
        <a className="card-link" href={seriesHref}>
          Series<span className="visually-hidden"> of {label}</span>
        </a>
      )}
    </section>
  );
}
