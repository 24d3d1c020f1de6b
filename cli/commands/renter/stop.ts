// `gridlease renter stop`: stops a running job early, paying the provider what has accrued.
import type { Command } from "commander";

import { simpleJobAction, stateAfter } from "./job-action.ts";

/** Adds `renter stop`. */
export function addStopCommand(renter: Command): void {
  simpleJobAction(
    renter,
    "stop",
    "stop your running job early: pay accrued so far goes to the provider, the rest is refunded",
    async (ctx, jobId) => ({ step: "stop job", send: () => ctx.protocol.market.stopJob(jobId) }),
    stateAfter,
  );
}
