// `gridlease arbiter verify <jobId|manifest.json> --outputs <dir>`: the arbiter's (or anyone's) check of a
// result: the manifest must hash to the result the job delivered on-chain, and the files in the folder must
// be exactly the outputs the manifest lists. Needs no key and no node.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

import type { Command } from "commander";

import { hashResultManifest, parseResultManifest, verifyOutputs } from "../../../sdk/index.ts";
import { deliveredResult, readOutputFolder } from "../../../sdk/node.ts";
import { run, withJson } from "../../lib/command.ts";
import { connect } from "../../lib/context.ts";
import { CliError, invalidInput } from "../../lib/errors.ts";
import { parseJobId } from "../../lib/parse.ts";

function readManifest(file: string): ReturnType<typeof parseResultManifest> & { file: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw invalidInput(`Cannot read the manifest "${file}" as JSON (${(e as Error).message}).`);
  }
  return { ...parseResultManifest(json), file };
}

/** Adds `arbiter verify` to the arbiter command. */
export function addArbiterVerifyCommand(arbiter: Command): void {
  withJson(
    arbiter
      .command("verify")
      .description(
        "check a result manifest against the job's on-chain result hash and an output folder;\ngive a job id (the manifest is read from --manifest, or manifest.json next to --outputs) or a manifest file (the job from --job, or found by its hash)",
      )
      .argument("<jobId|manifest.json>", "the job, or its manifest file")
      .requiredOption(
        "--outputs <dir>",
        "the folder holding the outputs (as `gridlease run` and `gridlease results` save them)",
      )
      .option("--manifest <file>", "with a job id: the manifest file")
      .option("--job <id>", "with a manifest file: the job it belongs to"),
  ).action(async (target: string, opts: { outputs: string; manifest?: string; job?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const isJobId = /^#?\d+$/.test(target.trim());
      const manifestFile = isJobId ? (opts.manifest ?? join(dirname(opts.outputs), "manifest.json")) : target;
      if (!existsSync(opts.outputs)) throw invalidInput(`--outputs: no such folder "${opts.outputs}".`);
      const parsed = readManifest(manifestFile);
      if (!parsed.ok) {
        throw invalidInput(`"${manifestFile}" is not a gridlease.result/v1 manifest: ${parsed.errors.join("; ")}.`);
      }
      const manifest = parsed.value;
      const manifestHash = hashResultManifest(manifest);
      const ctx = await connect({ needsSigner: false });
      const market = ctx.protocol.market;
      let jobId: bigint;
      if (isJobId) jobId = parseJobId(target);
      else if (opts.job !== undefined) jobId = parseJobId(opts.job);
      else {
        const deliveries = await market.queryFilter(market.filters.JobDelivered());
        const match = deliveries.find((d) => d.args.resultHash.toLowerCase() === manifestHash);
        if (match === undefined) {
          throw new CliError(
            "RESULT_MISMATCH",
            `No job on this market delivered the hash of "${manifestFile}" (${manifestHash}): the manifest is not what any provider committed to (give --job <id> to compare with one job).`,
            { details: { manifestHash } },
          );
        }
        jobId = match.args.jobId;
      }
      const delivered = await deliveredResult(ctx.protocol, jobId);
      if (delivered === undefined)
        throw invalidInput(`Job #${jobId} has no delivery on-chain: there is nothing to verify against.`);
      const mismatches = verifyOutputs(manifest, readOutputFolder(opts.outputs));
      const manifestMatches = delivered.resultHash.toLowerCase() === manifestHash;
      const data = {
        command: "arbiter verify",
        jobId,
        verified: manifestMatches && mismatches.length === 0,
        resultHash: delivered.resultHash,
        manifestHash,
        manifestMatches,
        mismatches,
      };
      if (!data.verified) {
        throw new CliError(
          "RESULT_MISMATCH",
          `Job #${jobId} does not verify: ` +
            [
              manifestMatches
                ? ""
                : `the manifest hashes to ${manifestHash}, the job delivered ${delivered.resultHash}`,
              mismatches.map((m) => `${m.path}: ${m.problem}`).join(", "),
            ]
              .filter((s) => s !== "")
              .join("; ") +
            ".",
          { details: data },
        );
      }
      out.result(data, [
        `Job #${jobId} verifies: the manifest is the delivered result ${delivered.resultHash}, and all ${manifest.outputs.length} output(s) in ${opts.outputs} match it.`,
      ]);
    }),
  );
}
