// `gridlease node --config node.json`: the provider node, one long-running process. It publishes its profile
// on-chain, runs the bidding agent by the config's policy, hands every job the agent wins to the node, which
// takes the renter's spec, runs the workload in a container, delivers, claims and withdraws; until SIGINT or
// SIGTERM, when bidding stops, the jobs in progress are driven as far as they go and the state is closed.
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { Command } from "commander";

import { agentPreflight } from "../agent/preflight.ts";
import { ProviderAgent } from "../agent/provider-agent.ts";
import { run, withJson } from "../lib/command.ts";
import { connect, signerOf, type Context } from "../lib/context.ts";
import { ENV, privateKey } from "../lib/env.ts";
import { CliError, describeError, EXIT_USAGE } from "../lib/errors.ts";
import type { Output } from "../lib/output.ts";
import { send } from "../lib/tx.ts";
import { connectProtocol } from "../../sdk/contracts.ts";
import { profileUriFor, providerMetadataUri } from "../../sdk/index.ts";
import { SerialWallet } from "../../node/chain/serial-wallet.ts";
import { loadNodeConfig, type NodeConfig } from "../../node/config.ts";
import type { ProviderNode } from "../../node/provider-node.ts";

/**
 * Points the provider's on-chain metadataURI at the node's profile, so renters find the node (`findNodeApi`).
 * One transaction when it differs, none when it is already there (a restart sends nothing).
 */
export async function publishProfile(ctx: Context, publicUrl: string, out: Output): Promise<boolean> {
  const me = signerOf(ctx).address;
  const registry = ctx.protocol.registry;
  const wanted = profileUriFor(publicUrl);
  const current = await providerMetadataUri(registry, me);
  if (current === wanted) {
    out.event({ event: "profile_current", metadataURI: wanted }, `profile already published at ${wanted}`);
    return false;
  }
  const { region } = await registry.providerOf(me);
  const { sent } = await send(out, "update profile", () => registry.updateProfile(wanted, region));
  out.event(
    { event: "profile_updated", metadataURI: wanted, previous: current, tx: sent.hash },
    `profile published: metadataURI ${wanted} (was ${current ?? "none"}; ${sent.hash})`,
  );
  return true;
}

/** The node's connection: the config's RPC and deployment, and a wallet that never races itself for nonces. */
async function connectNode(config: NodeConfig): Promise<Context> {
  const key = privateKey();
  if (key === undefined) {
    throw new CliError(
      "MISSING_KEY",
      `The provider node sends transactions (bids, deliveries, claims) and needs the provider account's private key in ${ENV.privateKey}. ` +
        `It is never read from the config file (${config.file}) nor from an argument: export it in the node's environment ` +
        "(e.g. from a secrets manager or a systemd credential) and start the node again.",
      { exitCode: EXIT_USAGE },
    );
  }
  const ctx = await connect({ needsSigner: true, rpcUrl: config.rpcUrl, deploymentFolder: config.deployment });
  const wallet = new SerialWallet(signerOf(ctx).privateKey, ctx.provider);
  return { ...ctx, signer: wallet, protocol: connectProtocol(ctx.chainId, ctx.addresses, wallet) };
}

/** Refuses an unregistered account (no profile can be published); reports whatever else keeps it from winning. */
async function preflight(ctx: Context, config: NodeConfig, out: Output): Promise<void> {
  const me = signerOf(ctx).address;
  const problems = await agentPreflight(ctx, config.policy);
  if (!(await ctx.protocol.registry.providerOf(me)).registered) {
    throw new CliError(
      "NODE_NOT_READY",
      `The node did not start: ${me} is not a registered provider, so it can neither publish its profile nor win a job:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
      { exitCode: EXIT_USAGE, details: { problems } },
    );
  }
  // The node still finishes and serves the jobs it holds, so the rest is reported, not refused; the agent
  // bids as soon as the account is ready (it reads the registry on every job).
  for (const problem of problems)
    out.event({ event: "not_ready", problem }, `not ready to win jobs: ${problem} (the node runs on meanwhile)`);
}

/** Logs what no job's own handling caught, so one job's failure never takes the node down. */
function guardProcess(out: Output): () => void {
  const report = (kind: string) => (error: unknown) => {
    const described = describeError(error);
    out.event(
      { event: "unexpected_error", kind, error: { code: described.code, message: described.message } },
      `unexpected error (${kind}), the node carries on: ${described.message}`,
    );
  };
  const onRejection = report("unhandledRejection");
  const onException = report("uncaughtException");
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}

async function runNode(config: NodeConfig, out: Output): Promise<void> {
  const ctx = await connectNode(config);
  await preflight(ctx, config, out);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const unguard = guardProcess(out);
  let node: ProviderNode | undefined;
  try {
    // Loaded here, not with the CLI: the node's state store uses node:sqlite, whose experimental-feature
    // warning would otherwise be printed on stderr by every command.
    const { startProviderNode } = await import("../../node/provider-node.ts");
    node = await startProviderNode({
      chainId: ctx.chainId,
      addresses: ctx.addresses,
      signer: signerOf(ctx),
      dataDir: config.dataDir,
      socketPath: config.engineSocket,
      host: config.api.host,
      port: config.api.port,
      publicUrl: config.publicUrl,
      log: (message) => out.event({ event: "node", message }, message),
    });
    const started = node;
    out.event(
      {
        event: "node_started",
        provider: started.market.provider,
        api: started.api.url,
        publicUrl: started.publicUrl,
        dataDir: config.dataDir,
        engineSocket: config.engineSocket,
      },
      `provider node for ${started.market.provider}: API ${started.api.url} (public ${started.publicUrl}), data ${config.dataDir}, engine ${config.engineSocket}`,
    );
    await publishProfile(ctx, started.publicUrl, out);
    const agent = new ProviderAgent(ctx, out, config.policy, {
      // Bid salts and the scan cursor live with the node's other state: one folder is the whole node.
      saltFile: join(config.dataDir, "bids.json"),
      onJobWon: (jobId) => {
        started.holdJob(jobId);
        out.event({ event: "job_held", jobId }, `job #${jobId}: held by the node, waiting for the renter's spec`);
      },
    });
    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        // The state is written before every side effect: a restarted node resumes each job where it was.
        out.event({ event: "node_killed", signal }, `${signal} again: exiting now; a restart resumes the jobs`);
        process.exit(130);
      }
      out.event({ event: "node_stopping", signal }, `${signal}: bidding stops; jobs in progress finish first`);
      agent.stop();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    try {
      await agent.start();
      await agent.runUntilStopped();
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
  } finally {
    await node?.stop();
    unguard();
    ctx.provider.destroy();
  }
  out.event({ event: "node_stopped" }, "provider node stopped");
}

export function nodeCommand(): Command {
  const node = withJson(
    new Command("node")
      .description(
        "provider node: publishes its profile, bids by policy, runs each won job's workload in a container " +
          "(Docker Engine API), delivers, claims and withdraws, and serves renters its API; runs until Ctrl-C",
      )
      .requiredOption(
        "--config <file>",
        "node configuration (JSON): rpcUrl, deployment, dataDir, engineSocket, api {host, port}, publicUrl, policy; see examples/node.json",
      ),
  );
  node.action(async (opts: { config: string }, cmd: Command) =>
    run(cmd, async (out) => runNode(loadNodeConfig(opts.config), out)),
  );
  return node;
}
