// Collecting what an account earned: USDC pay, GRL dispute bonds won and credit earnings (providers,
// and the treasury's fees), and epoch emissions (honest providers and adversaries' alike).
import type { SimContext } from "../context.ts";
import type { SimProvider } from "../world.ts";

/** Withdraws the account's USDC pay and GRL dispute bonds won (a provider's, or the treasury's fees), and converts its credit earnings to GRL. */
export async function cashOut(ctx: SimContext, account: string): Promise<void> {
  const { market, settlement } = ctx.protocol;
  for (const [token, what] of [
    [ctx.addresses.usdc, "USDC"],
    [ctx.addresses.token, "GRL bonds"],
  ] as const) {
    if ((await market.balanceOf(token, account)) === 0n) continue;
    const data = market.interface.encodeFunctionData("withdraw", [token, account]);
    await ctx.send(account, ctx.addresses.market, data, ctx.now, `withdraw ${what}`);
  }
  // quoteWithdrawal is the GRL owed now, capped by the GRL behind the credits that paid (0: nothing to mint).
  if ((await settlement.earningsOf(account)) > 0n && (await settlement.quoteWithdrawal(account)) > 0n) {
    const data = settlement.interface.encodeFunctionData("withdrawEarnings", [account]);
    await ctx.send(account, ctx.addresses.settlement, data, ctx.now, "withdraw earnings");
  }
}

/** Claims the provider's emission of an ended epoch: its share, capped at the GRL worth of the fees its jobs paid. */
export async function claimEmission(ctx: SimContext, p: SimProvider, epoch: number): Promise<void> {
  const data = ctx.protocol.settlement.interface.encodeFunctionData("claimEmission", [epoch, p.address]);
  await ctx.send(p.address, ctx.addresses.settlement, data, ctx.now, `claim emission ${epoch}`);
}
