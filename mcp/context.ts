// What every tool of the MCP server works with: the chain connection with the agent's key (from the
// environment only), the indexer, the guard rails and the day's spend. Writes are serialized, so two tool
// calls never race on the account's nonce or on the daily limit.
import type { Context } from "../cli/lib/context.ts";
import type { IndexerClient } from "../sdk/index.ts";
import type { McpConfig } from "./config.ts";
import type { SpendLedger } from "./spend-ledger.ts";

export interface McpContext {
  /** The CLI's connection, with the agent's signer. */
  readonly chain: Context;
  readonly indexer: IndexerClient;
  readonly config: McpConfig;
  readonly ledger: SpendLedger;
  /** Finds the base URL of a provider's node API (its on-chain profile by default). */
  readonly nodeApiOf: (provider: string) => Promise<string>;
  /** Runs `work` after every write started before it has finished. */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
}

/** A queue of one: each call waits for the previous one to settle, whatever its outcome. */
export function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
}
