// `gridlease agent --config policy.json`: runs the provider agent until SIGINT (Ctrl-C) or SIGTERM.
import { Command } from "commander";

import { loadPolicy } from "../agent/policy.js";
import { ProviderAgent } from "../agent/provider-agent.js";
import { bidFilePath } from "../lib/bids.js";
import { run, withJson } from "../lib/command.js";
import { connect } from "../lib/context.js";
import { parseInteger } from "../lib/parse.js";

export function agentCommand(): Command {
  const agent = withJson(
    new Command("agent")
      .description(
        "provider agent: watches new jobs and, by the pricing policy, bids (and reveals), accepts instant jobs, " +
          "closes auctions it leads and starts jobs it won; logs every action; runs until Ctrl-C",
      )
      .requiredOption("--config <file>", "pricing policy (JSON): see cli/agent/policy.ts or the README for the settings")
      .option("--salt-file <path>", "file holding the salts of the agent's sealed bids (default: $GRIDLEASE_HOME/bids.json)")
      .option("--poll-interval <ms>", "override the policy's pollIntervalMs")
      .option("--once", "run a single poll and exit (for cron or scripts)"),
  );
  agent.action(async (opts: { config: string; saltFile?: string; pollInterval?: string; once?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const loaded = loadPolicy(opts.config);
      const policy =
        opts.pollInterval === undefined
          ? loaded
          : { ...loaded, pollIntervalMs: Number(parseInteger(opts.pollInterval, "--poll-interval", 100n, 3_600_000n)) };
      const ctx = await connect({ needsSigner: true });
      const providerAgent = new ProviderAgent(ctx, out, policy, { saltFile: bidFilePath(opts.saltFile) });
      await providerAgent.start();
      if (opts.once === true) {
        await providerAgent.pollSafely();
        return;
      }
      const stop = () => providerAgent.stop();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await providerAgent.runUntilStopped();
    }),
  );
  return agent;
}
