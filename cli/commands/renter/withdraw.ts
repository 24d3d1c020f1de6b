// `gridlease renter withdraw`: refunds (USDC) and returned GRL dispute bonds from the market ledger.
import type { Command } from "commander";

import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { describeWithdrawals, withdrawBondLedger, withdrawMarketLedger } from "../../lib/ledger.ts";
import { parseAddress } from "../../lib/parse.ts";

/** Adds `renter withdraw`. */
export function addWithdrawCommand(renter: Command): void {
  withJson(
    renter
      .command("withdraw")
      .description(
        "withdraw your refunds (USDC) and returned GRL dispute bonds (credit jobs) from the market ledger; credit refunds " +
          "return to your credits by themselves",
      )
      .option("--to <address>", "recipient (default: your account)"),
  ).action(async (opts: { to?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const { ctx, me } = await connectSigner();
      const to = opts.to === undefined ? me : parseAddress(opts.to, "--to");
      const ledger = await withdrawMarketLedger(ctx, out, me, to);
      const bonds = await withdrawBondLedger(ctx, out, me, to);
      if (ledger === undefined && bonds === undefined) {
        throw new CliError(
          "NOTHING_TO_WITHDRAW",
          `${me} has no refunds or dispute bonds waiting in the market ledger. Nothing was sent.`,
          {
            exitCode: EXIT_USAGE,
          },
        );
      }
      const withdrawals = [ledger, bonds].filter((w) => w !== undefined);
      out.result(
        {
          command: "renter withdraw",
          account: me,
          to,
          // The stablecoin refunds first (or the GRL bonds when there were none), then every withdrawal.
          withdrawn: withdrawals[0].amount,
          token: withdrawals[0].symbol,
          withdrawals: withdrawals.map(({ token, symbol, amount }) => ({ token, symbol, amount })),
          transactions: withdrawals.map((w) => w.transaction),
        },
        describeWithdrawals(ledger, undefined, bonds),
      );
    }),
  );
}
