// `gridlease provider deliver`: posts a job's result hash and URI, which opens the renter's challenge window.
import type { Command } from "commander";

import { formatTime } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { invalidInput } from "../../lib/errors.ts";
import { loadJob } from "../../lib/jobs.ts";
import { hashFromOptions } from "../../lib/hash-option.ts";
import { parseJobId } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider deliver`. */
export function addDeliverCommand(provider: Command): void {
  withJson(
    provider
      .command("deliver")
      .description("deliver a job's result (hash + URI); opens the renter's challenge window")
      .argument("<jobId>", "the job")
      .requiredOption("--uri <uri>", "where the result is (at most 256 bytes)")
      .option("--hash <bytes32>", "the result's hash")
      .option("--file <path>", "hash this file's contents (keccak256) as the result hash"),
  ).action(async (jobIdText: string, opts: { uri: string; hash?: string; file?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const resultHash = hashFromOptions(opts.hash, opts.file, { hash: "--hash", file: "--file", what: "result" });
      if (/^0x0{64}$/.test(resultHash)) throw invalidInput("The result hash must not be zero.");
      if (Buffer.byteLength(opts.uri, "utf8") > 256)
        throw invalidInput(`--uri is ${Buffer.byteLength(opts.uri, "utf8")} bytes; at most 256 are allowed.`);
      const { ctx } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const { sent } = await send(out, "deliver", () => ctx.protocol.market.deliver(jobId, resultHash, opts.uri), {
        now: loaded.now,
      });
      const job = await ctx.protocol.market.jobOf(jobId);
      out.result(
        txResult(
          "provider deliver",
          { jobId, resultHash, resultURI: opts.uri, challengeDeadline: Number(job.deadline) },
          [sent],
        ),
        `Delivered job #${jobId}; the renter may dispute until ${formatTime(job.deadline, job.deliveredAt)}, then anyone may settle it.`,
      );
    }),
  );
}
