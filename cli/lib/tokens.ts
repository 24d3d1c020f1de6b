// The payment tokens of jobs: the stablecoin (USDC) or the settlement's USD credits (BME path), with
// the symbol and decimals the CLI parses and prints amounts in.
import { CREDIT_DECIMALS } from "../../sdk/index.ts";
import { stablecoinOf, type Context } from "./context.ts";
import { stablecoinAt } from "./stablecoin.ts";

export const PAYMENT_KINDS = ["usdc", "credits"] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export interface PaymentToken {
  kind: PaymentKind | "other";
  address: string;
  symbol: string;
  decimals: number;
}

export async function paymentTokenFor(ctx: Context, kind: PaymentKind): Promise<PaymentToken> {
  if (kind === "credits") {
    return { kind, address: await ctx.protocol.settlement.getAddress(), symbol: "credits", decimals: CREDIT_DECIMALS };
  }
  const usdc = stablecoinOf(ctx);
  const [address, symbol, decimals] = await Promise.all([usdc.getAddress(), usdc.symbol(), usdc.decimals()]);
  return { kind, address, symbol, decimals: Number(decimals) };
}

/** The payment token at `address` (a job's paymentToken). */
export async function paymentTokenAt(ctx: Context, address: string): Promise<PaymentToken> {
  const settlement = await ctx.protocol.settlement.getAddress();
  if (address.toLowerCase() === settlement.toLowerCase()) {
    return { kind: "credits", address: settlement, symbol: "credits", decimals: CREDIT_DECIMALS };
  }
  const stablecoin = ctx.stablecoin === undefined ? undefined : await ctx.stablecoin.getAddress();
  const token = stablecoinAt(address, ctx.provider);
  const [symbol, decimals] = await Promise.all([token.symbol(), token.decimals()]);
  const kind = stablecoin !== undefined && stablecoin.toLowerCase() === address.toLowerCase() ? "usdc" : "other";
  return { kind, address, symbol, decimals: Number(decimals) };
}
