// A failed wallet action in plain language: reverts decoded by the SDK's shared table (the same words as the
// CLI), a rejection in the wallet said as such, and nothing shown as a raw "execution reverted".
import { decodeRevert, type ErrorHints, JobRequestError, revertDataOf } from "../../../sdk/index.ts";

import { WalletError } from "./wallet.ts";

function isRejection(error: unknown): boolean {
  const record = error as { code?: unknown; info?: { error?: { code?: unknown } } } | null;
  return record?.code === "ACTION_REJECTED" || record?.code === 4001 || record?.info?.error?.code === 4001;
}

/** What went wrong in `action` ("Post the job"), in one sentence or two that say what to do. */
export function describeTxError(action: string, error: unknown, hints: ErrorHints = {}): string {
  if (error instanceof WalletError) return error.message;
  if (error instanceof JobRequestError) return `${action}: ${error.message} Nothing was sent.`;
  if (isRejection(error)) return `${action}: you declined it in your wallet. Nothing was sent.`;
  const data = revertDataOf(error);
  const decoded = data === undefined ? undefined : decodeRevert(data, hints);
  if (decoded !== undefined) return `${action} failed: ${decoded.message}`;
  const message = (error as { shortMessage?: unknown; message?: unknown } | null)?.shortMessage;
  const text = typeof message === "string" ? message : error instanceof Error ? error.message : String(error);
  if (/could not coalesce|failed to fetch|network/i.test(text)) {
    return `${action} failed: the wallet could not reach the chain (${text}). Check its network, then try again.`;
  }
  return `${action} failed: ${text}`;
}
