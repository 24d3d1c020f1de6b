// `gridlease renter status`: a job's state and next step, with its delivered result read from the chain's logs.
import type { Command } from "commander";

import { run, withJson } from "../../lib/command.ts";
import { connect } from "../../lib/context.ts";
import { describeJob, loadJob } from "../../lib/jobs.ts";
import { table } from "../../lib/output.ts";
import { parseJobId } from "../../lib/parse.ts";

/** Adds `renter status`. */
export function addStatusCommand(renter: Command): void {
  withJson(
    renter
      .command("status")
      .description("a job's state, prices, deadlines and next step")
      .argument("<jobId>", "the job"),
  ).action(async (jobIdText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const ctx = await connect({ needsSigner: false });
      const loaded = await loadJob(ctx, jobId);
      const { data, lines } = describeJob(loaded);
      // The delivered result (URI and hash) is in the JobDelivered event, read from the chain's logs (exact).
      let result: { uri: string; hash: string; block: number; source: string } | null = null;
      if (loaded.job.deliveredAt !== 0n) {
        const market = ctx.protocol.market;
        const logs = await market.queryFilter(market.filters.JobDelivered(jobId));
        const last = logs.at(-1);
        if (last !== undefined) {
          result = {
            uri: last.args.resultURI,
            hash: last.args.resultHash,
            block: last.blockNumber,
            source: "chain logs (JobDelivered)",
          };
        }
      }
      const extra =
        result === null
          ? []
          : table([
              ["result URI", result.uri],
              ["result hash", result.hash],
            ]);
      out.result({ command: "renter status", job: { ...data, result } }, [...lines, ...extra]);
    }),
  );
}
