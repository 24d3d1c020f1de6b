// `gridlease provider accept`: takes an instant job at its price, optionally starting it in the same transaction.
import type { Command } from "commander";

import { formatAmount, formatTime, formatUsd } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { isInstant, loadJob } from "../../lib/jobs.ts";
import { parseJobId } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider accept`. */
export function addAcceptCommand(provider: Command): void {
  withJson(
    provider
      .command("accept")
      .description("accept an instant job at its price (first eligible provider wins)")
      .argument("<jobId>", "the job")
      .option(
        "--start",
        "start the job in the same transaction (leases your GPUs now; one transaction instead of two)",
      ),
  ).action(async (jobIdText: string, opts: { start?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx, me } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      if (!isInstant(loaded.job)) {
        throw new CliError(
          "WRONG_PRICING_RULE",
          `Job #${jobId} is an auction: bid on it with \`gridlease provider bid ${jobId} <price>\`.`,
          {
            exitCode: EXIT_USAGE,
          },
        );
      }
      const start = opts.start === true;
      const { sent } = await send(
        out,
        start ? "accept and start instant job" : "accept instant job",
        () => (start ? ctx.protocol.market.acceptInstantAndStart(jobId) : ctx.protocol.market.acceptInstant(jobId)),
        { priceDecimals: loaded.token.decimals, now: loaded.now },
      );
      const job = await ctx.protocol.market.jobOf(jobId);
      const price = formatUsd(job.clearingPrice, loaded.token.decimals);
      const fields = { jobId, provider: me, pricePerGpuHour: formatAmount(job.clearingPrice, loaded.token.decimals) };
      if (start) {
        out.result(
          txResult(
            "provider accept",
            { ...fields, startedAt: Number(job.startedAt), deliverBy: Number(job.deadline) },
            [sent],
          ),
          `Accepted and started job #${jobId} at ${price} per GPU-hour; deliver before ${formatTime(job.deadline, job.startedAt)}: ` +
            `gridlease provider deliver ${jobId} --uri <uri> --file <result>`,
        );
        return;
      }
      out.result(
        txResult("provider accept", { ...fields, startDeadline: Number(job.deadline) }, [sent]),
        `Accepted job #${jobId} at ${price} per GPU-hour; start it before ` +
          `${formatTime(job.deadline, loaded.now)}: gridlease provider start ${jobId}`,
      );
    }),
  );
}
