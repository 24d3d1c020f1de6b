// The shape every provider command's --json result shares.
import type { SentTransaction } from "../../lib/tx.ts";

/** A provider command's --json result: the command, its fields, then the transactions it sent. */
export function txResult(
  command: string,
  extra: Record<string, unknown>,
  transactions: SentTransaction[],
): Record<string, unknown> {
  return { command, ...extra, transactions };
}
