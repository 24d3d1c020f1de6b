// Sending transactions: one call per step, waiting for the receipt, with reverts turned into the
// plain-language message of their custom error; approvals and EIP-2612 permits for the token a step spends.
import type { ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";

import { decodeRevert, revertDataOf, signPermit, type ErrorHints, type PermitToken } from "../../sdk/index.ts";
import { CliError, describeError, EXIT_FAILURE, EXIT_USAGE } from "./errors.ts";
import type { Output } from "./output.ts";

/** What a command reports about each transaction it sent. */
export interface SentTransaction {
  step: string;
  hash: string;
  blockNumber: number;
  gasUsed: string;
}

/** Every transaction this process broadcast (hash known as soon as it is sent), for partial-failure reports. */
const broadcast: { step: string; hash: string }[] = [];

/** The transactions this process has broadcast so far. */
export function sentSoFar(): readonly { step: string; hash: string }[] {
  return broadcast;
}

/**
 * A contract refusal found before a transaction went out (gas estimation or a simulation reverted): exit
 * status 2 when nothing at all was sent, else 1 with what was sent before this step.
 */
function refusal(error: unknown, hints: ErrorHints, step: string): CliError {
  const report = describeError(error, hints);
  if (report.code !== "CONTRACT_ERROR") {
    return new CliError(report.code, report.message, {
      exitCode: report.exitCode,
      contractError: report.contractError,
      details: { step },
    });
  }
  const nothingSent = broadcast.length === 0;
  const message = nothingSent
    ? `${report.message} Nothing was sent.`
    : `${report.message} (Already sent before the ${step} step: ${broadcast.map((t) => `${t.step} ${t.hash}`).join(", ")}.)`;
  return new CliError(report.code, message, {
    exitCode: nothingSent ? EXIT_USAGE : EXIT_FAILURE,
    contractError: report.contractError,
    details: { step, sent: broadcast.map((t) => ({ ...t })) },
  });
}

/** Sends one transaction and waits for it; a revert becomes a CliError with its decoded message. */
export async function send(
  out: Output,
  step: string,
  submit: () => Promise<ContractTransactionResponse>,
  hints: ErrorHints = {},
): Promise<{ receipt: ContractTransactionReceipt; sent: SentTransaction }> {
  let response: ContractTransactionResponse;
  try {
    // Gas estimation runs the call first: a revert here means nothing went out.
    response = await submit();
  } catch (error) {
    throw refusal(error, hints, step);
  }
  broadcast.push({ step, hash: response.hash });
  let receipt: ContractTransactionReceipt | null;
  try {
    receipt = await response.wait();
  } catch (error) {
    const report = describeError(error, hints);
    throw new CliError(report.code, report.message, {
      exitCode: report.exitCode === EXIT_USAGE ? EXIT_FAILURE : report.exitCode,
      contractError: report.contractError,
      details: { step, hash: response.hash },
    });
  }
  if (receipt === null)
    throw new CliError("TX_DROPPED", `The ${step} transaction was dropped: retry.`, { details: { step } });
  const sent = { step, hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString() };
  out.progress(`  ${step}: ${receipt.hash} (block ${receipt.blockNumber})`);
  return { receipt, sent };
}

/** Reverts a simulation may meet only because an approval that comes first has not been sent yet. */
export const APPROVAL_PENDING_ERRORS = ["ERC20InsufficientAllowance"] as const;

/**
 * Simulates a command's real call (state, time window, oracle) before its first transaction, at the time the
 * next block will have (the node's pending block), so a call bound to fail sends nothing (no approval first).
 * `tolerate` names reverts that the transactions to come fix (a missing allowance).
 */
export async function simulate(
  step: string,
  call: (overrides: { blockTag: "pending" }) => Promise<unknown>,
  hints: ErrorHints = {},
  tolerate: readonly string[] = APPROVAL_PENDING_ERRORS,
): Promise<void> {
  try {
    await call({ blockTag: "pending" });
  } catch (error) {
    const data = revertDataOf(error);
    const decoded = data === undefined ? undefined : decodeRevert(data, hints);
    if (decoded !== undefined && tolerate.includes(decoded.name)) return;
    throw refusal(error, hints, step);
  }
}

/** An ERC-20 the CLI approves for a spender. */
export interface ApprovableToken {
  allowance(owner: string, spender: string): Promise<bigint>;
  approve(spender: string, value: bigint): Promise<ContractTransactionResponse>;
}

/** Approves `spender` for `amount` unless the allowance already covers it; returns the approval sent, if any. */
export async function ensureAllowance(
  out: Output,
  token: ApprovableToken,
  owner: string,
  spender: string,
  amount: bigint,
  step: string,
  hints: ErrorHints = {},
): Promise<SentTransaction | undefined> {
  if ((await token.allowance(owner, spender)) >= amount) return undefined;
  return (await send(out, step, () => token.approve(spender, amount), hints)).sent;
}

/** An EIP-2612 permit for `spender` to take `value`, valid for an hour of chain time. */
export async function permitFor(
  signer: Signer,
  token: PermitToken,
  spender: string,
  value: bigint,
  now: bigint,
): Promise<{ deadline: bigint; v: number; r: string; s: string }> {
  const deadline = now + 3600n;
  const owner = await signer.getAddress();
  const signature = await signPermit(signer, token, { owner, spender, value, deadline });
  return { deadline, ...signature };
}

/** The first log of `receipt` that `parse` recognises (an event the step emitted). */
export function findEvent<T>(
  receipt: ContractTransactionReceipt,
  parse: (log: { topics: readonly string[]; data: string }) => T | null,
): T | undefined {
  for (const log of receipt.logs) {
    try {
      const parsed = parse({ topics: log.topics, data: log.data });
      if (parsed !== null) return parsed;
    } catch {
      // a log of another contract
    }
  }
  return undefined;
}

/**
 * Starts a new unit of work in a long-running process (the MCP server): what earlier calls broadcast is not
 * "already sent" by the next one.
 */
export function forgetSent(): void {
  broadcast.length = 0;
}
