// `gridlease provider withdraw-stake`: takes back stake whose unbonding period is over.
import type { Command } from "commander";
import { formatEther } from "ethers";

import { formatGrl } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider withdraw-stake`. */
export function addWithdrawStakeCommand(provider: Command): void {
  withJson(provider.command("withdraw-stake").description("withdraw your unbonded stake once it has unlocked")).action(
    async (_opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const { ctx, me } = await connectSigner();
        const before = (await ctx.protocol.registry.providerOf(me)).unbondingStake;
        const { sent } = await send(out, "withdraw stake", () => ctx.protocol.registry.withdraw());
        out.result(
          txResult("provider withdraw-stake", { provider: me, withdrawn: formatEther(before) }, [sent]),
          `Withdrew ${formatGrl(before)} of stake.`,
        );
      }),
  );
}
