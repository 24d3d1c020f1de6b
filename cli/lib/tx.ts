// Sending transactions: one call per step, waiting for the receipt, with reverts turned into the
// plain-language message of their custom error; approvals and EIP-2612 permits for the token a step spends.
import type { ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";

import { signPermit, type PermitToken } from "../../scripts/lib/permit.js";
import { CliError, describeError, type ErrorHints } from "./errors.js";
import type { Output } from "./output.js";

/** What a command reports about each transaction it sent. */
export interface SentTransaction {
  step: string;
  hash: string;
  blockNumber: number;
  gasUsed: string;
}

/** Sends one transaction and waits for it; a revert becomes a CliError with its decoded message. */
export async function send(
  out: Output,
  step: string,
  submit: () => Promise<ContractTransactionResponse>,
  hints: ErrorHints = {},
): Promise<{ receipt: ContractTransactionReceipt; sent: SentTransaction }> {
  let receipt: ContractTransactionReceipt | null;
  try {
    const response = await submit();
    receipt = await response.wait();
  } catch (error) {
    const report = describeError(error, hints);
    throw new CliError(report.code, report.message, {
      exitCode: report.exitCode,
      contractError: report.contractError,
      details: { step },
    });
  }
  if (receipt === null) throw new CliError("TX_DROPPED", `The ${step} transaction was dropped: retry.`, { details: { step } });
  const sent = { step, hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString() };
  out.progress(`  ${step}: ${receipt.hash} (block ${receipt.blockNumber})`);
  return { receipt, sent };
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
export function findEvent<T>(receipt: ContractTransactionReceipt, parse: (log: { topics: readonly string[]; data: string }) => T | null): T | undefined {
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
