// `gridlease provider register`: the first step of onboarding; the account starts offline, with reputation 5000 and no stake.
import type { Command } from "commander";

import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { parseInteger } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider register`. */
export function addRegisterCommand(provider: Command): void {
  withJson(
    provider
      .command("register")
      .description("register this account as a provider (offline, reputation 5000, no stake)")
      .option("--metadata-uri <uri>", "where your off-chain profile lives (at most 256 bytes)", "")
      .option("--region <code>", "your region as an ISO 3166-1 numeric country code (0 = unspecified)", "0"),
  ).action(async (opts: { metadataUri: string; region: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const region = parseInteger(opts.region, "--region", 0n, 65_535n);
      const { ctx, me } = await connectSigner();
      const { sent } = await send(out, "register", () => ctx.protocol.registry.register(opts.metadataUri, region));
      out.result(
        txResult("provider register", { provider: me, region: Number(region), metadataURI: opts.metadataUri }, [sent]),
        [
          `Registered ${me} as a provider (region ${region}, offline).`,
          "Next: stake GRL (gridlease provider stake <GRL>), list GPUs (gridlease provider gpu set <model> --count <n>), go online.",
        ],
      );
    }),
  );
}
