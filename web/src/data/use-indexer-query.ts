// A query of the indexer that follows the chain: it runs when its inputs change and again at every newly
// indexed block (the live connection's version), keeping the last answer on screen while the next loads.
import { useEffect, useRef, useState } from "react";

import type { IndexerClient } from "../../../sdk/indexer/index.ts";

import { tracked } from "./health.ts";
import { useLive } from "./live.tsx";

/** A query's latest answer and error. */
export interface QueryResult<T> {
  /** The last answer (kept while a newer one loads); undefined before the first. */
  readonly data: T | undefined;
  /** The last failure's message, cleared by the next success. */
  readonly error: string | null;
  /** The indexer block the answer was asked at (the /summary block that triggered it). */
  readonly block: bigint | null;
}

/**
 * Runs `query` with the live client; `key` names its inputs (a change re-runs it at once and drops the
 * previous inputs' answer).
 */
export function useIndexerQuery<T>(key: string, query: (client: IndexerClient) => Promise<T>): QueryResult<T> {
  const { client, version, summary } = useLive();
  const [result, setResult] = useState<QueryResult<T> & { key: string }>({
    data: undefined,
    error: null,
    block: null,
    key,
  });
  const latest = useRef(0);
  const queryRef = useRef(query);
  queryRef.current = query;
  // The block is read when the answer arrives; the version, which moves with it, is what re-runs the query.
  const blockRef = useRef<bigint | null>(null);
  blockRef.current = summary?.asOf.blockNumber ?? null;

  useEffect(() => {
    if (version === 0) return;
    const request = ++latest.current;
    const block = blockRef.current;
    tracked(() => queryRef.current(client)).then(
      (data) => {
        if (request === latest.current) setResult({ data, error: null, block, key });
      },
      (error: unknown) => {
        if (request === latest.current) {
          setResult((previous) => ({
            ...previous,
            error: error instanceof Error ? error.message : String(error),
            key,
          }));
        }
      },
    );
  }, [client, version, key]);

  return result.key === key ? result : { data: undefined, error: null, block: null };
}
