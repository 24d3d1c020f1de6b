// `gridlease run <spec.json>`: one workload end to end through the SDK's runWorkload: post the job with the
// spec's hash, wait for the winner, hand the spec and secrets over, follow the logs, download and verify the
// results against the chain, then settle (or dispute a mismatch with --dispute-on-mismatch). Progress goes to
// stderr; with --json, stdout carries one JSON event per line, then the result. A service prints its endpoint
// and keeps the lease until it ends or Ctrl-C (which stops it: the renter's stopJob).
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

import type { Command } from "commander";

import {
  canonicalJsonBytes,
  formatAmount,
  GPU_MODELS,
  PRICING_RULE_OPTIONS,
  type JobPostRequest,
} from "../../../sdk/index.ts";
import { runWorkload, type RunEvent, type RunWorkloadResult, saveResult } from "../../../sdk/node.ts";
import { withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { describeError } from "../../lib/errors.ts";
import { createOutput, toJson } from "../../lib/output.ts";
import { PAYMENT_KINDS, paymentTokenFor } from "../../lib/tokens.ts";
import { withSentStatus } from "../../lib/command.ts";
import { type CreateJobOptions, parseJobOptions, readSpecFile } from "../renter/job-request.ts";
import { cliPostOptions, postingHints } from "../renter/post.ts";
import { workloadCliError } from "./errors.ts";
import { collect, parseSecrets } from "./secrets.ts";
import { describeEvent, resultLines } from "./report.ts";

interface RunOptions extends Omit<CreateJobOptions, "spec" | "specHash"> {
  out?: string;
  secret?: string[];
  secretsFile?: string;
  disputeOnMismatch?: boolean;
  settle: boolean;
  nodeUrl?: string;
  json?: boolean;
}

/** Adds `gridlease run`. */
export function runCommand(program: Command): void {
  withJson(
    program
      .command("run")
      .description(
        "run a workload: post the job for <spec.json>, hand the spec to the winner's node, follow its logs, verify the results against the chain, settle",
      )
      .argument("<spec.json>", "the workload spec (gridlease.workload/v1)")
      .requiredOption("--model <name>", `GPU model: ${GPU_MODELS.map((m) => m.name).join(", ")}`)
      .option("--count <n>", "GPUs, all from one provider", "1")
      .requiredOption("--hours <hours>", "paid compute time, e.g. 1 or 0.25")
      .requiredOption("--max-price <dollars>", "the most you pay per GPU-hour, e.g. 2.00")
      .option("--rule <rule>", `pricing rule: ${Object.values(PRICING_RULE_OPTIONS).join(" | ")}`, "instant")
      .option("--pay <token>", `payment: ${PAYMENT_KINDS.join(" | ")}`, "usdc")
      .option("--vram <gb>", "minimum VRAM per GPU (default: the model's)")
      .option("--region <code>", "required provider region, ISO 3166-1 numeric (0 = any)", "0")
      .option("--min-reputation <score>", "minimum provider reputation, 0-10000", "0")
      .option("--bid-window <duration>", "how long providers may bid or accept, e.g. 10m", "10m")
      .option("--reveal-window <duration>", "auctions: how long bidders may reveal", "10m")
      .option("--permit", "escrow USDC with a permit signature (the default here; kept for create-job's spelling)")
      .option("--force", "post a request no provider can fill as specified")
      .option("--out <dir>", "where to save the outputs, manifest and log (default ./gridlease-results/job-<id>)")
      .option("--secret <NAME=value>", "a secret the spec names (repeatable)", collect)
      .option("--secrets-file <file>", "a JSON object of the spec's secrets")
      .option("--dispute-on-mismatch", "open a dispute with the mismatch as evidence when the results do not verify")
      .option("--no-settle", "stop after verifying (settle later with gridlease renter settle)")
      .option("--node-url <url>", "the provider node's API, instead of the one its on-chain profile names"),
  ).action(async (specFile: string, opts: RunOptions, cmd: Command) => {
    const json = opts.json === true;
    const out = createOutput(json);
    // Transactions' progress lines go to stderr with the rest of the progress.
    const progress = createOutput(json, { stdout: process.stderr, stderr: process.stderr });
    const stop = new AbortController();
    try {
      const { spec, specHash } = readSpecFile(specFile, "<spec.json>");
      const secrets = parseSecrets(spec, opts.secret, opts.secretsFile);
      const { request } = parseJobOptions(
        { ...opts, permit: opts.permit },
        cmd.getOptionValueSource("revealWindow") === "cli",
        specHash,
      );
      const { ctx } = await connectSigner();
      const token = await paymentTokenFor(ctx, request.pay);
      const hints = await postingHints(ctx, token);
      const { specHash: _posted, ...jobRequest } = { ...request, permit: request.pay === "usdc" } as JobPostRequest;
      const emit = (event: RunEvent): void => {
        if (json) process.stdout.write(`${toJson({ event: event.type, ...event })}\n`);
        else if (event.type === "log") process.stderr.write(event.text);
        else process.stderr.write(`${describeEvent(event, token)}\n`);
      };
      const result = await runWorkload({
        signer: ctx.signer!,
        chainId: ctx.protocol.chainId,
        addresses: ctx.addresses,
        spec,
        secrets,
        request: jobRequest,
        disputeOnMismatch: opts.disputeOnMismatch === true,
        settle: opts.settle,
        nodeUrl: opts.nodeUrl,
        onEvent: emit,
        signal: stop.signal,
        postOptions: cliPostOptions(progress, token, hints),
      });
      const saved =
        result.result === undefined
          ? undefined
          : saveResult(resolve(opts.out ?? join("gridlease-results", `job-${result.jobId}`)), result.result);
      if (saved !== undefined && result.disputed !== undefined) {
        // The evidence the dispute's hash commits to: keep it for the arbiter.
        writeFileSync(join(dirname(saved.outputs), "evidence.json"), canonicalJsonBytes(result.disputed.evidence));
      }
      const summary = runSummary(result, saved?.outputs, token.decimals);
      if (json) process.stdout.write(`${toJson({ event: "result", ...summary })}\n`);
      else process.stdout.write(`${resultLines(result, saved?.outputs).join("\n")}\n`);
      if (result.service !== undefined) await holdService(result, json);
      if (result.result !== undefined && !result.verified) process.exitCode = 1;
    } catch (error) {
      const report = withSentStatus(describeError(workloadCliError(error)));
      out.error(report);
      process.exitCode = report.exitCode;
    }
  });
}

/** The result as --json prints it. */
function runSummary(result: RunWorkloadResult, outputs: string | undefined, decimals: number): Record<string, unknown> {
  return {
    command: "run",
    jobId: result.jobId,
    provider: result.provider,
    nodeUrl: result.nodeUrl,
    budget: formatAmount(result.posted.budget, decimals),
    verified: result.verified,
    resultHash: result.result?.resultHash,
    exitCode: result.result?.manifest.exitCode,
    outputs: result.result === undefined ? undefined : [...result.result.files.keys()],
    outputDir: outputs,
    mismatches: result.result?.mismatches,
    manifestMismatch: result.result?.manifestMismatch,
    settled: result.settled,
    disputed: result.disputed,
    service: result.service === undefined ? undefined : { url: result.service.url, endsAt: result.service.endsAt },
    timings: result.timings,
  };
}

/** Keeps a service's lease until it ends, or stops it on Ctrl-C. */
async function holdService(result: RunWorkloadResult, json: boolean): Promise<void> {
  const service = result.service!;
  await new Promise<void>((done) => {
    const onSignal = (): void => {
      process.stderr.write("stopping the service (renter stopJob)...\n");
      service.stop().then(
        (hash) => {
          if (json) process.stdout.write(`${toJson({ event: "stopped", jobId: result.jobId, txHash: hash })}\n`);
          else process.stderr.write(`stopped: ${hash}\n`);
          done();
        },
        (error: unknown) => {
          process.stderr.write(
            `could not stop job #${result.jobId}: ${(error as Error).message}; use gridlease renter stop ${result.jobId}\n`,
          );
          done();
        },
      );
    };
    process.once("SIGINT", onSignal);
    const wait = Number(service.endsAt) * 1000 - Date.now();
    setTimeout(
      () => {
        process.off("SIGINT", onSignal);
        done();
      },
      Math.max(0, wait),
    );
  });
}
