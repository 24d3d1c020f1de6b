// The agent's account: balances (USDC, credits, GRL, refunds in the market ledger, and today's spend
// against the limits) and buy_credits (burn GRL for USD credits, within the server's limit).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { formatEther } from "ethers";
import { z } from "zod";

import { burnForCredits } from "../../cli/commands/renter/buy-credits.ts";
import { signerOf, stablecoinOf } from "../../cli/lib/context.ts";
import { parseAmount, parseGrl } from "../../cli/lib/parse.ts";
import { forgetSent } from "../../cli/lib/tx.ts";
import { CREDIT_DECIMALS, formatAmount, formatUsd, parseDecimal } from "../../sdk/index.ts";
import type { McpContext } from "../context.ts";
import { checkCreditPurchase } from "../guard-rails.ts";
import { answer, SILENT, ToolRefusal, toolResult } from "../tool-result.ts";

/** Registers balances and buy_credits. */
export function registerAccountTools(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    "balances",
    {
      description:
        "This server's account: USDC, USD credits, GRL, refunds waiting in the market ledger, and today's spend against its limits.",
      inputSchema: {},
    },
    () =>
      answer(async () => {
        const chain = mcp.chain;
        const me = signerOf(chain).address;
        const usdc = stablecoinOf(chain);
        const decimals = Number(await usdc.decimals());
        const [wallet, ledger, credits, grl] = await Promise.all([
          usdc.balanceOf(me),
          chain.protocol.market.balanceOf(await usdc.getAddress(), me),
          chain.protocol.settlement.creditsOf(me),
          chain.protocol.token.balanceOf(me),
        ]);
        const spent = mcp.ledger.spentToday();
        const perDay = parseDecimal(mcp.config.maxPerDayUsd, 18);
        const data = {
          account: me,
          usdc: formatAmount(wallet, decimals),
          marketLedgerUsdc: formatAmount(ledger, decimals),
          credits: formatAmount(credits, CREDIT_DECIMALS),
          grl: formatEther(grl),
          limits: {
            spentTodayUsd: formatAmount(spent, 18),
            leftTodayUsd: formatAmount(perDay > spent ? perDay - spent : 0n, 18),
            maxPerDayUsd: mcp.config.maxPerDayUsd,
            maxPerJobUsd: mcp.config.maxPerJobUsd,
            maxPricePerGpuHourUsd: mcp.config.maxPricePerGpuHourUsd,
            allowedGpuModels: mcp.config.allowedGpuModels,
            allowedPaymentTokens: mcp.config.allowedPaymentTokens,
          },
        };
        return toolResult(
          data,
          `${me}: ${data.usdc} USDC, ${formatUsd(credits, CREDIT_DECIMALS)} credits, ${data.grl} GRL; spent ${formatUsd(spent, 18)} of ${formatUsd(perDay, 18)} today.`,
        );
      }),
  );

  server.registerTool(
    "buy_credits",
    {
      description:
        "Burn GRL for USD credits at the oracle price less the spread (credits pay for jobs with pay: credits), within this server's limit.",
      inputSchema: {
        grl: z.string().describe('GRL to burn, e.g. "100"'),
        slippage_percent: z
          .string()
          .optional()
          .describe('least credits accepted below the quote, in percent (default "1")'),
      },
    },
    ({ grl, slippage_percent }) =>
      answer(async () => {
        const amount = parseGrl(grl, "grl");
        const slippageBps = parseAmount(slippage_percent ?? "1", 2, "slippage_percent", {
          allowZero: true,
          unit: "percent",
        });
        if (slippageBps > 10_000n) {
          throw new ToolRefusal("INVALID_INPUT", `slippage_percent must be at most 100, got "${slippage_percent}".`);
        }
        checkCreditPurchase(mcp.config, amount);
        const me = signerOf(mcp.chain).address;
        const { credits, transactions } = await mcp.exclusive(() => {
          forgetSent();
          return burnForCredits(mcp.chain, SILENT, me, amount, slippageBps, false);
        });
        const balance = await mcp.chain.protocol.settlement.creditsOf(me);
        return toolResult(
          {
            grlBurned: formatEther(amount),
            credits: formatAmount(credits, CREDIT_DECIMALS),
            creditBalance: formatAmount(balance, CREDIT_DECIMALS),
            transactions,
          },
          `Burned ${formatEther(amount)} GRL for ${formatUsd(credits, CREDIT_DECIMALS)} of credits.`,
        );
      }),
  );
}
