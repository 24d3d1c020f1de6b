// Whether the indexer answers, shared by every query of the page: the banner reads it. "down" after a
// failed request (until one succeeds), "slow" while a request has been waiting longer than SLOW_AFTER_MS.
import { useSyncExternalStore } from "react";

/** Milliseconds after which a request still waiting counts as slow. */
export const SLOW_AFTER_MS = 3_000;

/** The indexer as the page sees it. */
export interface IndexerHealth {
  readonly state: "ok" | "slow" | "down";
  /** The last failure's message (the SDK's IndexerError says what failed and what to do). */
  readonly message: string | null;
}

let current: IndexerHealth = { state: "ok", message: null };
let failing = false;
let lastError: string | null = null;
const pending = new Set<number>();
const listeners = new Set<() => void>();
let nextId = 0;

function publish(): void {
  const state: IndexerHealth["state"] = failing ? "down" : pending.size > 0 ? "slow" : "ok";
  if (state === current.state && lastError === current.message) return;
  current = { state, message: failing ? lastError : null };
  for (const listener of listeners) listener();
}

/** Runs a request, recording its outcome and whether it was slow. */
export async function tracked<T>(request: () => Promise<T>): Promise<T> {
  const id = nextId++;
  const slow = setTimeout(() => {
    pending.add(id);
    publish();
  }, SLOW_AFTER_MS);
  try {
    const result = await request();
    failing = false;
    lastError = null;
    return result;
  } catch (error) {
    failing = true;
    lastError = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    clearTimeout(slow);
    pending.delete(id);
    publish();
  }
}

/** The indexer's health, re-rendering when it changes. */
export function useIndexerHealth(): IndexerHealth {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
