// `gridlease renter balance`: a renter's USDC, credits, GRL and refunds waiting in the market ledger.
import type { Command } from "commander";
import { formatEther } from "ethers";

import { CREDIT_DECIMALS, formatAmount, formatGrl, formatUsd } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connect, stablecoinOf } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { table } from "../../lib/output.ts";
import { parseAddress } from "../../lib/parse.ts";

/** Adds `renter balance`. */
export function addBalanceCommand(renter: Command): void {
  withJson(
    renter
      .command("balance")
      .description("your USDC, credits, GRL and refunds waiting in the market ledger")
      .option("--address <address>", "whose balances (default: the GRIDLEASE_PRIVATE_KEY account)"),
  ).action(async (opts: { address?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const ctx = await connect({ needsSigner: false });
      const who = opts.address === undefined ? ctx.account : parseAddress(opts.address, "--address");
      if (who === undefined)
        throw new CliError("MISSING_ADDRESS", "Pass --address <address>, or set GRIDLEASE_PRIVATE_KEY.", {
          exitCode: EXIT_USAGE,
        });
      const usdc = stablecoinOf(ctx);
      const decimals = Number(await usdc.decimals());
      const [wallet, ledger, credits, grl] = await Promise.all([
        usdc.balanceOf(who),
        ctx.protocol.market.balanceOf(await usdc.getAddress(), who),
        ctx.protocol.settlement.creditsOf(who),
        ctx.protocol.token.balanceOf(who),
      ]);
      out.result(
        {
          command: "renter balance",
          account: who,
          usdc: formatAmount(wallet, decimals),
          marketLedgerUsdc: formatAmount(ledger, decimals),
          credits: formatAmount(credits, CREDIT_DECIMALS),
          grl: formatEther(grl),
        },
        [
          `Balances of ${who}`,
          ...table([
            ["USDC", formatAmount(wallet, decimals)],
            ["refunds", `${formatAmount(ledger, decimals)} USDC in the market ledger (gridlease renter withdraw)`],
            ["credits", formatUsd(credits, CREDIT_DECIMALS)],
            ["GRL", formatGrl(grl)],
          ]),
        ],
      );
    }),
  );
}
