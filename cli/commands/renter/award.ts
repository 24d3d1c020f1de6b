// `gridlease renter award`: closes an auction after its reveal window (anyone may).
import type { Command } from "commander";

import { simpleJobAction, stateAfter } from "./job-action.ts";

/** Adds `renter award`. */
export function addAwardCommand(renter: Command): void {
  simpleJobAction(
    renter,
    "award",
    "close an auction after its reveal window: award the best bid, or expire the job (full refund); anyone may call it",
    async (ctx, jobId) => ({ step: "award", send: () => ctx.protocol.market.award(jobId) }),
    stateAfter,
  );
}
