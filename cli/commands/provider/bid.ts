// `gridlease provider bid`: commits a sealed bid; the price and salt stay in the local salt file until the reveal.
import type { Command } from "commander";

import { formatAmount, formatTime, formatUsd } from "../../../sdk/index.ts";
import { commitSealedBid } from "../../lib/bidding.ts";
import { bidFilePath, SALT_FILE_HELP } from "../../lib/bids.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { invalidInput } from "../../lib/errors.ts";
import { loadJob } from "../../lib/jobs.ts";
import { parseDollars, parseJobId } from "../../lib/parse.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider bid`. */
export function addBidCommand(provider: Command): void {
  withJson(
    provider
      .command("bid")
      .description(
        "commit a sealed bid on an auction job; the price and a random salt are saved locally for the reveal",
      )
      .argument("<jobId>", "the job")
      .argument("<price>", "your price per GPU-hour in dollars, at most the job's maximum price (e.g. 1.45)")
      .option("--salt-file <path>", SALT_FILE_HELP),
  ).action(async (jobIdText: string, priceText: string, opts: { saltFile?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      if (!/^\$?\d+(\.\d+)?$/.test(priceText.trim()))
        throw invalidInput(`The price must be a dollar amount such as 1.45, got "${priceText}".`);
      const { ctx } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const price = parseDollars(priceText, loaded.token.decimals, "The price");
      const result = await commitSealedBid(ctx, out, loaded, price, bidFilePath(opts.saltFile));
      out.result(
        txResult(
          "provider bid",
          {
            jobId,
            pricePerGpuHour: formatAmount(price, loaded.token.decimals),
            commitment: result.commitment,
            saltFile: result.saltFile,
            revealFrom: Number(loaded.job.bidDeadline),
            revealUntil: Number(loaded.job.revealDeadline),
          },
          [result.transaction],
        ),
        [
          `Committed a sealed bid of ${formatUsd(price, loaded.token.decimals)} per GPU-hour on job #${jobId}; salt saved in ${result.saltFile}.`,
          `Reveal it between ${formatTime(loaded.job.bidDeadline, loaded.now)} and ${formatTime(loaded.job.revealDeadline, loaded.now)}: gridlease provider reveal ${jobId}`,
        ],
      );
    }),
  );
}
