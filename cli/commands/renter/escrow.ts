// How `gridlease renter create-job` pays: a credit job draws on the renter's credits (no approval), a
// stablecoin job escrows USDC with a permit signature or after an approval. Each path checks the balance
// first, so a short account is told how to top up before anything is sent.
import type { ContractTransactionReceipt } from "ethers";

import { CREDIT_DECIMALS, formatAmount, formatUsd, type ErrorHints } from "../../../sdk/index.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import { chainNow, signerOf, stablecoinOf, type Context } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import type { Output } from "../../lib/output.ts";
import type { PaymentToken } from "../../lib/tokens.ts";
import { ensureAllowance, permitFor, send, simulate, type SentTransaction } from "../../lib/tx.ts";

/** One job to post: its request, the budget to escrow, and how to pay it. */
export interface JobToPost {
  request: IJobMarket.JobRequestStruct;
  budget: bigint;
  token: PaymentToken;
  /** Escrow USDC with an EIP-2612 permit instead of an approval. */
  permit: boolean;
  hints: ErrorHints;
}

/** Escrows the budget and creates the job as `me`; returns the creation's receipt and every transaction sent. */
export async function escrowAndCreate(
  ctx: Context,
  out: Output,
  me: string,
  job: JobToPost,
): Promise<{ receipt: ContractTransactionReceipt; transactions: SentTransaction[] }> {
  const { request, budget, token, hints } = job;
  const market = ctx.protocol.market;
  const transactions: SentTransaction[] = [];
  if (token.kind === "credits") {
    const credits = await ctx.protocol.settlement.creditsOf(me);
    if (credits < budget) {
      throw new CliError(
        "INSUFFICIENT_BALANCE",
        `The job's budget is ${formatUsd(budget, CREDIT_DECIMALS)} of credits and you have ${formatUsd(credits, CREDIT_DECIMALS)}: ` +
          "buy more with `gridlease renter buy-credits <GRL>`.",
        { exitCode: EXIT_USAGE },
      );
    }
    const r = await send(out, "create job", () => market.createJob(request), hints);
    transactions.push(r.sent);
    return { receipt: r.receipt, transactions };
  }
  const usdc = stablecoinOf(ctx);
  const balance = await usdc.balanceOf(me);
  if (balance < budget) {
    throw new CliError(
      "INSUFFICIENT_BALANCE",
      `The job's budget is ${formatAmount(budget, token.decimals)} ${token.symbol} and you have ` +
        `${formatAmount(balance, token.decimals)}: top up the account (on a local chain: gridlease renter faucet <USDC>).`,
      { exitCode: EXIT_USAGE },
    );
  }
  const marketAddress = await market.getAddress();
  if (job.permit) {
    const permit = await permitFor(signerOf(ctx), usdc, marketAddress, budget, await chainNow(ctx));
    const r = await send(
      out,
      "create job with permit",
      () => market.createJobWithPermit(request, permit.deadline, permit.v, permit.r, permit.s),
      hints,
    );
    transactions.push(r.sent);
    return { receipt: r.receipt, transactions };
  }
  // The approval comes first: simulate the job's creation (window, oracle, parameters) before sending it.
  await simulate("create job", (overrides) => market.createJob.staticCall(request, overrides), hints);
  const approval = await ensureAllowance(out, usdc, me, marketAddress, budget, `approve ${token.symbol}`, hints);
  if (approval !== undefined) transactions.push(approval);
  const r = await send(out, "create job", () => market.createJob(request), hints);
  transactions.push(r.sent);
  return { receipt: r.receipt, transactions };
}
