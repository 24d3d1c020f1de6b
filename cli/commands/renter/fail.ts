// `gridlease renter fail`: fails a job whose provider missed its start or delivery deadline (anyone may).
import type { Command } from "commander";

import { simpleJobAction, stateAfter } from "./job-action.ts";

/** Adds `renter fail`. */
export function addFailCommand(renter: Command): void {
  simpleJobAction(
    renter,
    "fail",
    "fail a job whose provider did not start or did not deliver in time: refund and slash; anyone may call it",
    async (ctx, jobId) => ({ step: "fail job", send: () => ctx.protocol.market.failJob(jobId) }),
    stateAfter,
  );
}
