// `gridlease provider stake`: bonds GRL as free stake, with a separate approval or an EIP-2612 permit.
import type { Command } from "commander";
import { formatEther } from "ethers";

import { formatGrl } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { chainNow, connectSigner, signerOf } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { parseGrl } from "../../lib/parse.ts";
import { ensureAllowance, permitFor, send, type SentTransaction, simulate } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider stake`. */
export function addStakeCommand(provider: Command): void {
  withJson(
    provider
      .command("stake")
      .description(
        "add GRL to your free stake (approves the registry first, or signs an EIP-2612 permit with --permit)",
      )
      .argument("<grl>", "amount of GRL, e.g. 1000 or 250.5")
      .option("--permit", "use a permit signature instead of a separate approval (one transaction)"),
  ).action(async (amountText: string, opts: { permit?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const amount = parseGrl(amountText, "The stake");
      const { ctx, me } = await connectSigner();
      const { token, registry } = ctx.protocol;
      const balance = await token.balanceOf(me);
      if (balance < amount) {
        throw new CliError(
          "INSUFFICIENT_BALANCE",
          `You have ${formatGrl(balance)} and asked to stake ${formatGrl(amount)}: get more GRL first.`,
          {
            exitCode: EXIT_USAGE,
          },
        );
      }
      const registryAddress = await registry.getAddress();
      const hints = { token: { symbol: "GRL", decimals: 18 } };
      const transactions: SentTransaction[] = [];
      if (opts.permit === true) {
        const permit = await permitFor(signerOf(ctx), token, registryAddress, amount, await chainNow(ctx));
        transactions.push(
          (
            await send(
              out,
              "stake with permit",
              () => registry.stakeWithPermit(amount, permit.deadline, permit.v, permit.r, permit.s),
              hints,
            )
          ).sent,
        );
      } else {
        // The approval comes first: simulate the stake (registered, amount) before sending anything.
        await simulate("stake", (overrides) => registry.stake.staticCall(amount, overrides), hints);
        const approval = await ensureAllowance(out, token, me, registryAddress, amount, "approve GRL", hints);
        if (approval !== undefined) transactions.push(approval);
        transactions.push((await send(out, "stake", () => registry.stake(amount), hints)).sent);
      }
      const state = await registry.providerOf(me);
      out.result(
        txResult(
          "provider stake",
          { provider: me, staked: formatEther(amount), freeStake: formatEther(state.freeStake) },
          transactions,
        ),
        `Staked ${formatGrl(amount)}; free stake now ${formatGrl(state.freeStake)}.`,
      );
    }),
  );
}
