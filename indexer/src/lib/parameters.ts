// Governance's audit trail: one parameter_change row per setter event of any contract, keyed by its log.
import { parameterChange } from "ponder:schema";

import type { Ctx } from "./core";

/** What every setter event carries: where it was logged, and the value before and after it. */
export interface ParameterSetEvent {
  readonly block: { readonly number: bigint; readonly timestamp: bigint };
  readonly log: { readonly logIndex: number };
  readonly args: { readonly previous: bigint | number | string; readonly current: bigint | number | string };
}

/** Records that `name` of `contract` went from the event's `previous` to its `current` value (as text). */
export async function recordParameterChange(
  ctx: Ctx,
  event: ParameterSetEvent,
  contract: "JobMarket" | "ProviderRegistry" | "Settlement",
  name: string,
): Promise<void> {
  await ctx.db.insert(parameterChange).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    contract,
    name,
    previous: String(event.args.previous),
    current: String(event.args.current),
    timestamp: event.block.timestamp,
  });
}
