// `gridlease agent --config policy.json`: runs the provider agent until SIGINT (Ctrl-C) or SIGTERM.
import { Command } from "commander";

import { loadPolicy } from "../agent/policy.ts";
import { ProviderAgent } from "../agent/provider-agent.ts";
import { bidFilePath } from "../lib/bids.ts";
import { run, withJson } from "../lib/command.ts";
import { connect, signerOf } from "../lib/context.ts";
import { CliError, EXIT_USAGE } from "../lib/errors.ts";
import { parseInteger } from "../lib/parse.ts";
import { agentPreflight } from "../agent/preflight.ts";

export function agentCommand(): Command {
  const agent = withJson(
    new Command("agent")
      .description(
        "provider agent: watches new jobs and, by the pricing policy, bids (and reveals), accepts instant jobs, " +
          "closes auctions it leads and starts jobs it won; logs every action; runs until Ctrl-C",
      )
      .requiredOption(
        "--config <file>",
        "pricing policy (JSON): see cli/agent/policy.ts or the README for the settings",
      )
      .option(
        "--salt-file <path>",
        "file holding the salts of the agent's sealed bids (default: $GRIDLEASE_HOME/bids.json)",
      )
      .option("--poll-interval <ms>", "override the policy's pollIntervalMs")
      .option(
        "--once",
        "run a single poll and exit (for cron or scripts; the last scanned block is saved, so the next run goes on from it)",
      )
      .option("--skip-preflight", "start even if the account is not registered, staked, listed and online"),
  );
  agent.action(
    async (
      opts: { config: string; saltFile?: string; pollInterval?: string; once?: boolean; skipPreflight?: boolean },
      cmd: Command,
    ) =>
      run(cmd, async (out) => {
        const loaded = loadPolicy(opts.config);
        const policy =
          opts.pollInterval === undefined
            ? loaded
            : {
                ...loaded,
                pollIntervalMs: Number(parseInteger(opts.pollInterval, "--poll-interval", 100n, 3_600_000n)),
              };
        const ctx = await connect({ needsSigner: true });
        if (opts.skipPreflight !== true) {
          const problems = await agentPreflight(ctx, policy);
          if (problems.length > 0) {
            throw new CliError(
              "AGENT_NOT_READY",
              `The agent could never win a job for ${signerOf(ctx).address}, so it did not start:\n` +
                problems.map((p) => `  - ${p}`).join("\n") +
                "\nFix these (gridlease provider status shows the account), then start the agent again.",
              { exitCode: EXIT_USAGE, details: { problems } },
            );
          }
        }
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
