// `gridlease provider close-bid`: releases the stake a losing bid locked (or forfeits an unrevealed one) after the auction.
import type { Command } from "commander";

import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { parseAddress, parseJobId } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider close-bid`. */
export function addCloseBidCommand(provider: Command): void {
  withJson(
    provider
      .command("close-bid")
      .description("release the stake locked by a losing (or forfeit an unrevealed) bid once the auction closed")
      .argument("<jobId>", "the job")
      .option("--provider <address>", "whose bid (default: yours)"),
  ).action(async (jobIdText: string, opts: { provider?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx, me } = await connectSigner();
      const bidder = opts.provider === undefined ? me : parseAddress(opts.provider, "--provider");
      const { sent } = await send(out, "close bid", () => ctx.protocol.market.closeBid(jobId, bidder));
      out.result(
        txResult("provider close-bid", { jobId, provider: bidder }, [sent]),
        `Closed the bid of ${bidder} on job #${jobId}.`,
      );
    }),
  );
}
