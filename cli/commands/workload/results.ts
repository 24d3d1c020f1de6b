// `gridlease results <jobId>`: downloads a delivered job's manifest, log and outputs again from the winner's
// node, as its renter, and verifies them against the on-chain result hash (the node refuses anyone else; the
// CLI says so before asking).
import { join, resolve } from "node:path";

import type { Command } from "commander";

import { findNodeApi, NodeClient } from "../../../sdk/index.ts";
import { deliveredResult, downloadResult, saveResult } from "../../../sdk/node.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner, signerOf } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { parseJobId } from "../../lib/parse.ts";
import { workloadCliError } from "./errors.ts";

/** Adds `gridlease results`. */
export function resultsCommand(program: Command): void {
  withJson(
    program
      .command("results")
      .description("download a delivered job's results again and verify them against the on-chain hash (renter only)")
      .argument("<jobId>", "the job")
      .option("--out <dir>", "where to save them (default ./gridlease-results/job-<id>)")
      .option("--node-url <url>", "the provider node's API, instead of the one its on-chain profile names"),
  ).action(async (jobIdText: string, opts: { out?: string; nodeUrl?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx, me } = await connectSigner();
      const market = ctx.protocol.market;
      if (jobId > (await market.jobCount())) {
        throw new CliError("UNKNOWN_JOB", `There is no job #${jobId} on this market: check the job id.`, {
          exitCode: EXIT_USAGE,
        });
      }
      const job = await market.jobOf(jobId);
      if (job.renter.toLowerCase() !== me.toLowerCase()) {
        throw new CliError(
          "NOT_RENTER",
          `Job #${jobId} was rented by ${job.renter}, not by your account ${me}: only its renter can download its results (the node refuses anyone else).`,
          { exitCode: EXIT_USAGE },
        );
      }
      const delivered = await deliveredResult(ctx.protocol, jobId);
      if (delivered === undefined) {
        throw new CliError(
          "NOT_DELIVERED",
          `Job #${jobId} has no delivery yet: its results can be downloaded once the provider delivers them on-chain.`,
          { exitCode: EXIT_USAGE },
        );
      }
      try {
        const url = opts.nodeUrl ?? (await findNodeApi(ctx.protocol.registry, job.provider));
        const client = new NodeClient({
          url,
          signer: signerOf(ctx),
          chainId: ctx.protocol.chainId,
          market: await market.getAddress(),
        });
        const result = await downloadResult(client, jobId, delivered.resultHash);
        const saved = saveResult(resolve(opts.out ?? join("gridlease-results", `job-${jobId}`)), result);
        const verified = !result.manifestMismatch && result.mismatches.length === 0;
        const data = {
          command: "results",
          jobId,
          verified,
          resultHash: delivered.resultHash,
          manifestHash: result.manifestHash,
          exitCode: result.manifest.exitCode,
          outputs: [...result.files.keys()],
          outputDir: saved.outputs,
          manifest: saved.manifest,
          mismatches: result.mismatches,
          manifestMismatch: result.manifestMismatch,
        };
        if (!verified) {
          throw new CliError(
            "RESULT_MISMATCH",
            `Job #${jobId}'s results do not match the on-chain hash ${delivered.resultHash}: ` +
              (result.manifestMismatch
                ? `the node's manifest hashes to ${result.manifestHash}`
                : result.mismatches.map((m) => `${m.path} (${m.problem})`).join(", ")) +
              `. What was served is in ${saved.outputs}.`,
            { details: data },
          );
        }
        out.result(data, [
          `Job #${jobId}: ${data.outputs.length} output(s) verified against the on-chain hash ${delivered.resultHash}.`,
          `Saved in ${saved.outputs} (manifest ${saved.manifest}).`,
        ]);
      } catch (error) {
        throw workloadCliError(error);
      }
    }),
  );
}
