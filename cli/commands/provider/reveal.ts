// `gridlease provider reveal`: reveals a sealed bid from the salt saved when it was committed.
import type { Command } from "commander";

import { formatAmount, formatUsd } from "../../../sdk/index.ts";
import { revealSavedBid } from "../../lib/bidding.ts";
import { bidFilePath, SALT_FILE_HELP } from "../../lib/bids.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { loadJob } from "../../lib/jobs.ts";
import { parseJobId } from "../../lib/parse.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider reveal`. */
export function addRevealCommand(provider: Command): void {
  withJson(
    provider
      .command("reveal")
      .description("reveal your sealed bid on a job (between its bid and reveal deadlines), from the saved salt")
      .argument("<jobId>", "the job")
      .option("--salt-file <path>", SALT_FILE_HELP),
  ).action(async (jobIdText: string, opts: { saltFile?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const result = await revealSavedBid(ctx, out, loaded, bidFilePath(opts.saltFile));
      out.result(
        txResult(
          "provider reveal",
          { jobId, pricePerGpuHour: formatAmount(result.price, loaded.token.decimals), isBest: result.isBest },
          [result.transaction],
        ),
        `Revealed ${formatUsd(result.price, loaded.token.decimals)} per GPU-hour on job #${jobId}: ` +
          `${result.isBest ? "currently the best bid" : "not the best bid"}.`,
      );
    }),
  );
}
