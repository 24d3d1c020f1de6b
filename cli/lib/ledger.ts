// Money owed to an account: the market's per-token ledger (stablecoin pay and refunds) and the
// settlement's USD earnings (credit jobs), which are withdrawn as GRL minted at the oracle price.
import type { Context } from "./context.ts";
import { CREDIT_DECIMALS, formatAmount } from "../../sdk/index.ts";
import type { Output } from "./output.ts";
import { findEvent, send, type SentTransaction } from "./tx.ts";

export interface LedgerWithdrawal {
  token: string;
  symbol: string;
  amount: string;
  transaction: SentTransaction;
}

/** Withdraws the account's market ledger balance of the stablecoin, if any. */
export async function withdrawMarketLedger(
  ctx: Context,
  out: Output,
  account: string,
  to: string,
): Promise<LedgerWithdrawal | undefined> {
  if (ctx.stablecoin === undefined) return undefined;
  const token = await ctx.stablecoin.getAddress();
  const balance = await ctx.protocol.market.balanceOf(token, account);
  if (balance === 0n) return undefined;
  const [symbol, decimals] = await Promise.all([ctx.stablecoin.symbol(), ctx.stablecoin.decimals()]);
  const { sent } = await send(out, `withdraw ${symbol}`, () => ctx.protocol.market.withdraw(token, to), {
    token: { symbol, decimals: Number(decimals) },
  });
  return { token, symbol, amount: formatAmount(balance, Number(decimals)), transaction: sent };
}

/** Withdraws the account's GRL on the market ledger (credit jobs' dispute bonds won or returned), if any. */
export async function withdrawBondLedger(
  ctx: Context,
  out: Output,
  account: string,
  to: string,
): Promise<LedgerWithdrawal | undefined> {
  const token = await ctx.protocol.token.getAddress();
  const balance = await ctx.protocol.market.balanceOf(token, account);
  if (balance === 0n) return undefined;
  const { sent } = await send(out, "withdraw GRL dispute bonds", () => ctx.protocol.market.withdraw(token, to), {
    token: { symbol: "GRL", decimals: 18 },
  });
  return { token, symbol: "GRL", amount: formatAmount(balance, 18), transaction: sent };
}

export interface EarningsWithdrawal {
  usd: string;
  grl: string;
  grlMintedNow: string;
  /** The mint ticket for GRL beyond this epoch's mint cap (claim it later), or null. */
  ticketId: string | null;
  transaction: SentTransaction;
}

/** Converts all the account's USD earnings to GRL (settlement.withdrawEarnings), if it has any. */
export async function withdrawEarnings(
  ctx: Context,
  out: Output,
  account: string,
  to: string,
): Promise<EarningsWithdrawal | undefined> {
  const settlement = ctx.protocol.settlement;
  const usd = await settlement.earningsOf(account);
  if (usd === 0n) return undefined;
  const { receipt, sent } = await send(out, "withdraw earnings as GRL", () => settlement.withdrawEarnings(to));
  const event = findEvent(receipt, (log) => {
    const parsed = settlement.interface.parseLog(log);
    return parsed?.name === "EarningsWithdrawn" ? parsed : null;
  });
  const grl = event === undefined ? 0n : (event.args.grlAmount as bigint);
  const minted = event === undefined ? 0n : (event.args.mintedNow as bigint);
  const ticket = event === undefined ? 0n : (event.args.ticketId as bigint);
  return {
    usd: formatAmount(usd, CREDIT_DECIMALS),
    grl: formatAmount(grl, 18),
    grlMintedNow: formatAmount(minted, 18),
    ticketId: ticket === 0n ? null : ticket.toString(),
    transaction: sent,
  };
}

export function describeWithdrawals(
  ledger: LedgerWithdrawal | undefined,
  earnings: EarningsWithdrawal | undefined,
  bonds?: LedgerWithdrawal,
): string[] {
  const lines: string[] = [];
  if (ledger !== undefined) lines.push(`Withdrew ${ledger.amount} ${ledger.symbol} from the market ledger.`);
  if (bonds !== undefined) lines.push(`Withdrew ${bonds.amount} GRL of dispute bonds from the market ledger.`);
  if (earnings !== undefined) {
    const queued = earnings.ticketId === null ? "" : `, the rest queued as mint ticket #${earnings.ticketId}`;
    lines.push(
      `Withdrew $${earnings.usd} of earnings as ${earnings.grl} GRL (${earnings.grlMintedNow} GRL minted now${queued}).`,
    );
  }
  return lines;
}
