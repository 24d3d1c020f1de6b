// The live connection to the indexer: one client, and a poll of /summary every `pollMs` whose block number
// drives every other query (they re-run when a new block is indexed, or when the indexer comes back), so a
// new block shows within about one poll interval without polling each query.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { IndexerClient, marketSummary, type MarketSummary } from "../../../sdk/indexer/index.ts";
import type { DashboardConfig } from "../../config.ts";

import { tracked } from "./health.ts";

/** What every page reads from the live connection. */
export interface LiveIndexer {
  readonly client: IndexerClient;
  /** The latest /summary (null until the first answer). */
  readonly summary: MarketSummary | null;
  /** Bumped when a new block is indexed or the indexer answers again after failing: queries re-run on it. */
  readonly version: number;
}

const LiveContext = createContext<LiveIndexer | null>(null);

/** Requests that take longer than this fail as "timeout" (the banner says slow after 3 s already). */
const REQUEST_TIMEOUT_MS = 8_000;

/** Provides the live connection to the pages below it. */
export function LiveIndexerProvider({ config, children }: { config: DashboardConfig; children: ReactNode }): ReactNode {
  const client = useMemo(() => new IndexerClient({ url: config.indexerUrl, timeoutMs: REQUEST_TIMEOUT_MS }), [config.indexerUrl]);
  const [state, setState] = useState<{ summary: MarketSummary | null; version: number }>({ summary: null, version: 0 });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failed = false;
    const poll = async (): Promise<void> => {
      try {
        const summary = await tracked(() => marketSummary(client));
        if (stopped) return;
        const recovered = failed;
        failed = false;
        setState((previous) =>
          previous.summary === null || recovered || previous.summary.asOf.blockNumber !== summary.asOf.blockNumber
            ? { summary, version: previous.version + 1 }
            : previous,
        );
      } catch {
        failed = true;
      }
      if (!stopped) timer = setTimeout(poll, config.pollMs);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, config.pollMs]);

  const value = useMemo(() => ({ client, ...state }), [client, state]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** The live connection (inside {@link LiveIndexerProvider}). */
export function useLive(): LiveIndexer {
  const live = useContext(LiveContext);
  if (live === null) throw new Error("useLive is used outside LiveIndexerProvider: wrap the page in it (see web/src/App.tsx)");
  return live;
}
