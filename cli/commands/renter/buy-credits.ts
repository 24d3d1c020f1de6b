// `gridlease renter buy-credits`: burns GRL for USD credits at the oracle price less the spread, with a slippage bound.
import type { Command } from "commander";
import { type ContractTransactionReceipt, formatEther } from "ethers";

import { CREDIT_DECIMALS, formatAmount, formatGrl, formatUsd } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { chainNow, connectSigner, signerOf, type Context } from "../../lib/context.ts";
import type { Output } from "../../lib/output.ts";
import { CliError, EXIT_USAGE, invalidInput } from "../../lib/errors.ts";
import { parseAmount, parseGrl } from "../../lib/parse.ts";
import { ensureAllowance, findEvent, permitFor, send, type SentTransaction, simulate } from "../../lib/tx.ts";

/** Adds `renter buy-credits`. */
export function addBuyCreditsCommand(renter: Command): void {
  withJson(
    renter
      .command("buy-credits")
      .description(
        "burn GRL for USD credits at the oracle price less the spread (credits pay for jobs with --pay credits)",
      )
      .argument("<grl>", "GRL to burn")
      .option("--slippage <percent>", "least credits accepted, as a percentage below the quote", "1")
      .option("--permit", "use a permit signature instead of a separate approval (one transaction)"),
  ).action(async (amountText: string, opts: { slippage: string; permit?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const amount = parseGrl(amountText, "The amount of GRL");
      const slippageBps = parseAmount(opts.slippage, 2, "--slippage", { allowZero: true, unit: "percent" });
      if (slippageBps > 10_000n)
        throw invalidInput(`--slippage must be at most 100 (percent), got "${opts.slippage}".`);
      const { ctx, me } = await connectSigner();
      const { credits, event, transactions } = await burnForCredits(
        ctx,
        out,
        me,
        amount,
        slippageBps,
        opts.permit === true,
      );
      const creditBalance = await ctx.protocol.settlement.creditsOf(me);
      out.result(
        {
          command: "renter buy-credits",
          account: me,
          grlBurned: formatEther(amount),
          credits: formatAmount(credits, CREDIT_DECIMALS),
          grlUsdPrice: event === undefined ? null : formatAmount(event.args.grlUsdPrice as bigint, 18),
          creditBalance: formatAmount(creditBalance, CREDIT_DECIMALS),
          transactions,
        },
        `Burned ${formatGrl(amount)} for ${formatUsd(credits, CREDIT_DECIMALS)} of credits; credit balance ${formatUsd(creditBalance, CREDIT_DECIMALS)}.`,
      );
    }),
  );
}

/**
 * Burns `amount` GRL for credits as `me`, accepting no less than the quote minus `slippageBps`: checks the
 * balance, simulates, approves (or signs a permit) and sends. Also the MCP server's buy_credits.
 */
export async function burnForCredits(
  ctx: Context,
  out: Output,
  me: string,
  amount: bigint,
  slippageBps: bigint,
  permit: boolean,
): Promise<{ credits: bigint; event: ReturnType<typeof findCreditsPurchased>; transactions: SentTransaction[] }> {
  const { token, settlement } = ctx.protocol;
  const balance = await token.balanceOf(me);
  if (balance < amount) {
    throw new CliError(
      "INSUFFICIENT_BALANCE",
      `You have ${formatGrl(balance)} and asked to burn ${formatGrl(amount)}.`,
      { exitCode: EXIT_USAGE },
    );
  }
  const quote = await settlement.quoteCredits(amount);
  const minCredits = (quote * (10_000n - slippageBps)) / 10_000n;
  const settlementAddress = await settlement.getAddress();
  const hints = { token: { symbol: "GRL", decimals: 18 }, now: await chainNow(ctx) };
  const transactions: SentTransaction[] = [];
  let receipt: ContractTransactionReceipt;
  if (permit) {
    const permit = await permitFor(signerOf(ctx), token, settlementAddress, amount, await chainNow(ctx));
    const sent = await send(
      out,
      "buy credits with permit",
      () => settlement.buyCreditsWithPermit(me, amount, minCredits, permit.deadline, permit.v, permit.r, permit.s),
      hints,
    );
    receipt = sent.receipt;
    transactions.push(sent.sent);
  } else {
    await simulate(
      "buy credits",
      (overrides) => settlement.buyCredits.staticCall(me, amount, minCredits, overrides),
      hints,
    );
    const approval = await ensureAllowance(out, token, me, settlementAddress, amount, "approve GRL", hints);
    if (approval !== undefined) transactions.push(approval);
    const sent = await send(out, "buy credits", () => settlement.buyCredits(me, amount, minCredits), hints);
    receipt = sent.receipt;
    transactions.push(sent.sent);
  }
  const event = findCreditsPurchased(ctx, receipt);
  const credits = event === undefined ? quote : (event.args.credits as bigint);
  return { credits, event, transactions };
}

function findCreditsPurchased(ctx: Context, receipt: ContractTransactionReceipt) {
  return findEvent(receipt, (log) => {
    const parsed = ctx.protocol.settlement.interface.parseLog(log);
    return parsed?.name === "CreditsPurchased" ? parsed : null;
  });
}
