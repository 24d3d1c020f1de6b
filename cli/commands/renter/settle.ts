// `gridlease renter settle`: settles a delivered job, or a disputed one whose arbiter timed out (each has its own contract call).
import type { Command } from "commander";

import { JobState } from "../../../sdk/index.ts";
import { simpleJobAction, stateAfter } from "./job-action.ts";

/** Adds `renter settle`. */
export function addSettleCommand(renter: Command): void {
  simpleJobAction(
    renter,
    "settle",
    "settle a delivered job: its renter at once (accepting the result), anyone after the challenge window; or a disputed one after the arbiter's timeout",
    async (ctx, jobId) => {
      const state = Number(await ctx.protocol.market.stateOf(jobId));
      const disputed = state === JobState.valueOf("Disputed");
      return disputed
        ? { step: "settle after dispute timeout", send: () => ctx.protocol.market.settleDisputeTimeout(jobId) }
        : { step: "settle", send: () => ctx.protocol.market.settle(jobId) };
    },
    stateAfter,
  );
}
