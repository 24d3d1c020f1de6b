// `gridlease provider online|offline`: whether the provider takes new jobs (running jobs are not affected).
import type { Command } from "commander";

import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider online` and `provider offline`. */
export function addAvailabilityCommands(provider: Command): void {
  for (const [name, online] of [
    ["online", true],
    ["offline", false],
  ] as const) {
    withJson(
      provider
        .command(name)
        .description(
          online
            ? "accept new jobs (needs listed GPUs covered by stake)"
            : "stop accepting new jobs (running jobs continue)",
        ),
    ).action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const { ctx, me } = await connectSigner();
        const { sent } = await send(out, `go ${name}`, () => ctx.protocol.registry.setOnline(online));
        out.result(txResult(`provider ${name}`, { provider: me, online }, [sent]), `${me} is now ${name}.`);
      }),
    );
  }
}
