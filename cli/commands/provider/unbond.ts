// `gridlease provider unbond`: starts the unbonding period for free stake, refusing (before sending) more than the listed GPUs leave free.
import type { Command } from "commander";
import { formatEther } from "ethers";

import { formatAmount, formatGrl, formatTime } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { parseGrl } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider unbond`. */
export function addUnbondCommand(provider: Command): void {
  withJson(
    provider
      .command("unbond")
      .description("move free stake into unbonding (withdrawable after the unbonding period, 7 days by default)")
      .argument("<grl>", "amount of GRL"),
  ).action(async (amountText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const amount = parseGrl(amountText, "The amount to unbond");
      const { ctx, me } = await connectSigner();
      const [p, required] = await Promise.all([
        ctx.protocol.registry.providerOf(me),
        ctx.protocol.registry.requiredStakeOf(me),
      ]);
      if (p.registered) {
        // Free stake may leave only as far as free + locked stake still covers the listed GPUs.
        const cover = p.freeStake + p.lockedStake - required;
        const max = cover < 0n ? 0n : cover < p.freeStake ? cover : p.freeStake;
        if (amount > max) {
          const why =
            max === p.freeStake
              ? `your free stake is ${formatGrl(p.freeStake)}`
              : `${formatGrl(required)} must stay bonded for your ${p.listedGpus} listed GPUs (free ${formatGrl(p.freeStake)}, locked ${formatGrl(p.lockedStake)})`;
          throw new CliError(
            "UNBOND_TOO_LARGE",
            `You can unbond at most ${formatGrl(max)} now: ${why}. ` +
              (max === 0n
                ? "List fewer GPUs (gridlease provider gpu set/remove) or wait for locked stake to be released, then retry."
                : `Run \`gridlease provider unbond ${formatAmount(max, 18)}\`, or list fewer GPUs first to unbond more.`) +
              " Nothing was sent.",
            {
              exitCode: EXIT_USAGE,
              details: {
                maxUnbond: formatEther(max),
                freeStake: formatEther(p.freeStake),
                requiredForListedGpus: formatEther(required),
              },
            },
          );
        }
      }
      const { sent } = await send(out, "request unbond", () => ctx.protocol.registry.requestUnbond(amount));
      const state = await ctx.protocol.registry.providerOf(me);
      out.result(
        txResult(
          "provider unbond",
          { provider: me, unbonding: formatEther(state.unbondingStake), unlocksAt: Number(state.unbondingUnlocksAt) },
          [sent],
        ),
        `${formatGrl(state.unbondingStake)} unbonding, withdrawable from ${formatTime(state.unbondingUnlocksAt)}.`,
      );
    }),
  );
}
