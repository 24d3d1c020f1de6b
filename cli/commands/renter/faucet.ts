// `gridlease renter faucet`: mints test USDC, on a local deployment only (its USDC stand-in has an open faucet).
import type { Command } from "commander";

import { formatAmount } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner, stablecoinOf } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { parseDollars } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";

/** Adds `renter faucet`. */
export function addFaucetCommand(renter: Command): void {
  withJson(
    renter
      .command("faucet")
      .description("mint test USDC to your account (local deployments only: the USDC stand-in has an open faucet)")
      .argument("<usdc>", "amount of USDC"),
  ).action(async (amountText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const { ctx, me } = await connectSigner();
      const usdc = stablecoinOf(ctx);
      if (
        ctx.addresses.MockStablecoin === undefined ||
        ctx.addresses.MockStablecoin.toLowerCase() !== (await usdc.getAddress()).toLowerCase()
      ) {
        throw new CliError(
          "NOT_LOCAL",
          "The faucet exists only on a local deployment (GridleaseLocal's USDC stand-in).",
          { exitCode: EXIT_USAGE },
        );
      }
      const decimals = Number(await usdc.decimals());
      const amount = parseDollars(amountText, decimals, "The amount");
      const { sent } = await send(out, "mint USDC", () => usdc.mint(me, amount));
      const balance = await usdc.balanceOf(me);
      out.result(
        {
          command: "renter faucet",
          account: me,
          minted: formatAmount(amount, decimals),
          balance: formatAmount(balance, decimals),
          transactions: [sent],
        },
        `Minted ${formatAmount(amount, decimals)} USDC; balance ${formatAmount(balance, decimals)} USDC.`,
      );
    }),
  );
}
