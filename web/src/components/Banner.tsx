// The banner that says the indexer is down or slow (every query reports to ../data/health.ts); it goes
// away by itself when the indexer answers again.
import type { ReactNode } from "react";

import { useIndexerHealth } from "../data/health.ts";
import { useLive } from "../data/live.tsx";

/** A live region: screen readers hear when the indexer goes away and comes back. */
export function IndexerBanner(): ReactNode {
  const health = useIndexerHealth();
  const { summary } = useLive();
  const shown = summary === null ? "Nothing has been received yet" : "The figures below are the last ones received";
  return (
    <div aria-live="polite" className="banner-slot">
      {health.state === "down" ? (
        <div className="banner banner-down" role="alert" data-testid="indexer-banner">
          <strong>The indexer is not answering.</strong> {shown}; the page retries every second and updates by itself
          when it is back.
          {health.message === null ? null : <span className="banner-detail">{health.message}</span>}
        </div>
      ) : health.state === "slow" ? (
        <div className="banner banner-slow" data-testid="indexer-banner">
          <strong>The indexer is slow to answer.</strong> Waiting for it; the figures below may be a few seconds old.
        </div>
      ) : null}
    </div>
  );
}
