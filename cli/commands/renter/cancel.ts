// `gridlease renter cancel`: cancels a job nobody bid on or accepted, refunding the escrow.
import type { Command } from "commander";

import { simpleJobAction, stateAfter } from "./job-action.ts";

/** Adds `renter cancel`. */
export function addCancelCommand(renter: Command): void {
  simpleJobAction(
    renter,
    "cancel",
    "cancel your job while it has no bid (or an instant job nobody accepted): the escrow is refunded",
    async (ctx, jobId) => ({ step: "cancel job", send: () => ctx.protocol.market.cancelJob(jobId) }),
    stateAfter,
  );
}
