// `gridlease provider start`: starts a won job, or awards and starts an auction the provider leads once its reveal window closed.
import type { Command } from "commander";

import { formatAmount, formatTime, formatUsd } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { isInstant, loadJob } from "../../lib/jobs.ts";
import { parseJobId } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider start`. */
export function addStartCommand(provider: Command): void {
  withJson(
    provider
      .command("start")
      .description(
        "start a job you won, before its start deadline (leases your GPUs); an auction you lead whose reveal window " +
          "is over is awarded to you and started in the same transaction",
      )
      .argument("<jobId>", "the job"),
  ).action(async (jobIdText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx, me } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      // Nobody has closed the auction yet: the leader closes it and starts at once (awardAndStart).
      const leader = loaded.job.provider.toLowerCase() === me.toLowerCase();
      const award = loaded.state === "Revealing" && loaded.now >= loaded.job.revealDeadline && leader;
      if ((loaded.state === "Bidding" || loaded.state === "Revealing") && !isInstant(loaded.job) && !award) {
        const opens = loaded.job.revealDeadline;
        const window = loaded.state === "Bidding" ? "still taking bids" : "in its reveal window";
        throw new CliError(
          "WRONG_WINDOW",
          leader || loaded.now < opens
            ? `Job #${jobId} is ${window}: it can be awarded and started from ${formatTime(opens, loaded.now)}, when the reveal ` +
                `window closes${leader ? "" : ", by the best bidder"}. Try again then: gridlease provider start ${jobId}. Nothing was sent.`
            : `Job #${jobId}'s auction is over and ${me} is not its best bidder: only the winner starts it. Nothing was sent.`,
          { exitCode: EXIT_USAGE, details: { state: loaded.state, opensAt: Number(opens) } },
        );
      }
      const { sent } = await send(
        out,
        award ? "award and start job" : "start job",
        () => (award ? ctx.protocol.market.awardAndStart(jobId) : ctx.protocol.market.startJob(jobId)),
        { now: loaded.now },
      );
      const job = await ctx.protocol.market.jobOf(jobId);
      const fields = { jobId, awarded: award, startedAt: Number(job.startedAt), deliverBy: Number(job.deadline) };
      out.result(
        txResult(
          "provider start",
          award ? { ...fields, pricePerGpuHour: formatAmount(job.clearingPrice, loaded.token.decimals) } : fields,
          [sent],
        ),
        `${award ? `Won the auction at ${formatUsd(job.clearingPrice, loaded.token.decimals)} per GPU-hour and started` : "Started"} job #${jobId}; ` +
          `deliver before ${formatTime(job.deadline, job.startedAt)}: gridlease provider deliver ${jobId} --uri <uri> --file <result>`,
      );
    }),
  );
}
