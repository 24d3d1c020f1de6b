// `gridlease agent --config policy.json`: runs the provider agent until SIGINT (Ctrl-C) or SIGTERM.
import { Command } from "commander";

import { loadPolicy } from "../agent/policy.ts";
import { ProviderAgent } from "../agent/provider-agent.ts";
import { bidFilePath } from "../lib/bids.ts";
import { run, withJson } from "../lib/command.ts";
import { connect, signerOf, type Context } from "../lib/context.ts";
import { CliError, EXIT_USAGE } from "../lib/errors.ts";
import { formatGrl } from "../../sdk/index.ts";
import { parseGpuModel, parseInteger } from "../lib/parse.ts";
import type { Policy } from "../agent/policy.ts";

/**
 * What the account lacks to ever bid: registration, GPUs of the policy's models, stake, being online.
 * Each problem comes with the command that fixes it.
 */
export async function agentPreflight(ctx: Context, policy: Policy): Promise<string[]> {
  const me = signerOf(ctx).address;
  const registry = ctx.protocol.registry;
  const p = await registry.providerOf(me);
  if (!p.registered) {
    return [
      `${me} is not a registered provider: gridlease provider register --region <ISO 3166-1 numeric code>`,
      `then list GPUs (gridlease provider gpu set <model> --count <n>), stake GRL (gridlease provider stake <GRL>) and go online (gridlease provider online)`,
    ];
  }
  const problems: string[] = [];
  const models = [...policy.floors.keys()];
  const lines = await Promise.all(
    models.map(async (name) => ({ name, line: await registry.gpuLineOf(me, parseGpuModel(name).id) })),
  );
  const listed = lines.filter((l) => l.line.count > l.line.leased);
  if (listed.length === 0) {
    problems.push(
      `no free GPUs of the policy's models (${models.join(", ")}) are listed: gridlease provider gpu set ${models[0] ?? "<model>"} --count <n>`,
    );
  }
  const [required, perGpu] = await Promise.all([registry.requiredStakeOf(me), registry.minStakePerGpu()]);
  const bonded = p.freeStake + p.lockedStake;
  const needed = required === 0n ? perGpu : required;
  if (p.freeStake === 0n || bonded < needed) {
    problems.push(
      `not enough stake: ${formatGrl(p.freeStake)} free and ${formatGrl(p.lockedStake)} locked, ${formatGrl(needed)} needed for the listed GPUs ` +
        `(plus bid bonds and collateral): gridlease provider stake <GRL>`,
    );
  }
  if (!p.online) problems.push("offline, so no job can be won: gridlease provider online");
  return problems;
}

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
