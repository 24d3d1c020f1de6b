// A renter's money: letting the simulator act for it (approvals), and topping up the USDC, GRL or
// credits a job or a dispute bond needs, for an honest renter and for an adversary's.
import { MaxUint256 } from "ethers";

import type { SimContext } from "../context.ts";
import type { SimRenter } from "../world.ts";

const USDC_TOP_UP = 500n;
const CREDITS_TOP_UP_USD = 200n;

/** Lets the simulator act for the renter, and approves the market (USDC) and the settlement (GRL). */
export async function enlist(ctx: SimContext, renter: SimRenter): Promise<boolean> {
  await ctx.chain.enlist(renter.address);
  const { usdc, token } = ctx.protocol;
  const approvals: [string, string][] = [
    [ctx.addresses.usdc, usdc!.interface.encodeFunctionData("approve", [ctx.addresses.market, MaxUint256])],
    [ctx.addresses.token, token.interface.encodeFunctionData("approve", [ctx.addresses.settlement, MaxUint256])],
    // A credit job's dispute bond is GRL, pulled by the market.
    [ctx.addresses.token, token.interface.encodeFunctionData("approve", [ctx.addresses.market, MaxUint256])],
  ];
  for (const [to, data] of approvals) {
    if (!(await ctx.send(renter.address, to, data, ctx.now, "approve")).ok) return false;
  }
  renter.enlisted = true;
  return true;
}

/** Makes sure the renter holds `amount` USDC: withdraws its refunds first, then mints (the local faucet). */
export async function ensureUsdc(ctx: SimContext, renter: SimRenter, amount: bigint): Promise<boolean> {
  const { usdc, market } = ctx.protocol;
  let held = await usdc!.balanceOf(renter.address);
  if (held >= amount) return true;
  const owed = await market.balanceOf(ctx.addresses.usdc, renter.address);
  if (owed > 0n) {
    const data = market.interface.encodeFunctionData("withdraw", [ctx.addresses.usdc, renter.address]);
    if ((await ctx.send(renter.address, ctx.addresses.market, data, ctx.now, "withdraw refunds")).ok) held += owed;
    if (held >= amount) return true;
  }
  const topUp = amount - held + USDC_TOP_UP * 10n ** BigInt(ctx.params.usdcDecimals);
  const data = usdc!.interface.encodeFunctionData("mint", [renter.address, topUp]);
  return (await ctx.send(renter.address, ctx.addresses.usdc, data, ctx.now, "mint USDC")).ok;
}

/** Makes sure the renter holds `amount` GRL: buys the difference from the treasury. */
export async function ensureGrl(ctx: SimContext, renter: SimRenter, amount: bigint): Promise<boolean> {
  const { token } = ctx.protocol;
  const held = await token.balanceOf(renter.address);
  if (held >= amount) return true;
  const data = token.interface.encodeFunctionData("transfer", [renter.address, amount - held]);
  return (await ctx.send(ctx.treasury, ctx.addresses.token, data, ctx.now, "sell GRL")).ok;
}

/** Makes sure the renter has `amount` credits: buys GRL from the treasury and burns it for credits. */
export async function ensureCredits(ctx: SimContext, renter: SimRenter, amount: bigint): Promise<boolean> {
  const { settlement, token } = ctx.protocol;
  const have = await settlement.creditsOf(renter.address);
  if (have >= amount) return true;
  const need = amount - have;
  const buy = need + need / 2n + CREDITS_TOP_UP_USD * 10n ** 18n;
  const keep = 10_000n - BigInt(ctx.params.spreadBps);
  const price = ctx.grlUsdPrice();
  const grl = (buy * 10n ** 18n * 10_000n + price * keep - 1n) / (price * keep);
  const held = await token.balanceOf(renter.address);
  if (held < grl) {
    const data = token.interface.encodeFunctionData("transfer", [renter.address, grl - held]);
    if (!(await ctx.send(ctx.treasury, ctx.addresses.token, data, ctx.now, "sell GRL")).ok) return false;
  }
  const data = settlement.interface.encodeFunctionData("buyCredits", [renter.address, grl, need]);
  return (await ctx.send(renter.address, ctx.addresses.settlement, data, ctx.now, "buy credits")).ok;
}
