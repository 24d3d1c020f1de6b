// A section of a page with its heading, and what to show while its query loads or when it failed.
import type { ReactNode } from "react";

/** Props of {@link Panel}. */
export interface PanelProps {
  readonly title: string;
  readonly id?: string;
  /** The query's error; shown above the last good content. */
  readonly error?: string | null;
  /** True until the first answer: a placeholder instead of the children. */
  readonly loading?: boolean;
  readonly actions?: ReactNode;
  readonly children?: ReactNode;
}

/** A titled page section. */
export function Panel({ title, id, error, loading, actions, children }: PanelProps): ReactNode {
  return (
    <section className="panel" id={id} aria-labelledby={id === undefined ? undefined : `${id}-title`}>
      <div className="panel-head">
        <h2 id={id === undefined ? undefined : `${id}-title`}>{title}</h2>
        {actions}
      </div>
      {error ? <p className="error">Could not load this: {error}</p> : null}
      {loading ? <p className="muted" aria-busy="true">Loading…</p> : children}
    </section>
  );
}
