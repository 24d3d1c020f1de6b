// The keeper (calls the transitions anyone may trigger once their time has come: award, settle,
// dispute timeouts, mint-queue releases), the arbiter (rules on disputes, and sometimes misses its
// deadline) and the treasury (collects protocol fees).
import { MINUTE, HOUR, type SimContext } from "../context.ts";
import { eventsNamed } from "../../sdk/contracts.ts";
import type { SimJob } from "../world.ts";
import { onAuctionClosed } from "./providers.ts";

const PROVIDER_FAULT = 0;
const RENTER_FAULT = 1;

/** The job reached a final state: nothing more to plan for it. */
export function closeJob(ctx: SimContext, job: SimJob): void {
  job.phase = "closed";
  ctx.world.jobs.delete(job.id);
}

/** Closes the auction shortly after its reveal window (or expires an instant job nobody took). */
export function scheduleAward(ctx: SimContext, job: SimJob): void {
  const at = Math.max(job.revealDeadline, ctx.now) + Math.round(ctx.rng.keeper.uniform(0.5, 5) * MINUTE);
  ctx.schedule(at, `award #${job.id}`, () => award(ctx, job));
}

async function award(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "bidding") return;
  const data = ctx.protocol.market.interface.encodeFunctionData("award", [job.id]);
  const outcome = await ctx.send(ctx.keeper, ctx.addresses.market, data, ctx.now, `award #${job.id}`);
  if (!outcome.ok) return;
  const awarded = eventsNamed(outcome.events, "JobAwarded")[0];
  // A best bidder that lapsed (went offline) after its reveal loses the job, which expires; the award
  // itself closes that bid and burns its bond.
  for (const forfeited of eventsNamed(outcome.events, "BidBondForfeited")) {
    const bid = job.bids.get(forfeited.args.provider);
    if (bid !== undefined) bid.status = "closed";
  }
  if (awarded === undefined) {
    onAuctionClosed(ctx, job, undefined, outcome.timestamp);
    closeJob(ctx, job);
    return;
  }
  const winner = ctx.world.providerAt(awarded.args.provider);
  if (winner === undefined) {
    // Someone outside the simulation (a provider using the CLI) won: the job is theirs to run.
    ctx.debug(`job #${job.id} was won by ${awarded.args.provider}, who is not simulated`);
    onAuctionClosed(ctx, job, undefined, outcome.timestamp);
    closeJob(ctx, job);
    return;
  }
  onAuctionClosed(
    ctx,
    job,
    {
      winner,
      clearing: awarded.args.clearingPrice,
      value: awarded.args.value,
      startDeadline: Number(awarded.args.startDeadline),
    },
    outcome.timestamp,
  );
}

/** Settles an undisputed delivery once its challenge window has closed. */
export function scheduleSettle(ctx: SimContext, job: SimJob): void {
  const at = job.challengeDeadline + Math.round(ctx.rng.keeper.uniform(1, 60) * MINUTE);
  ctx.schedule(at, `settle #${job.id}`, async () => {
    if (job.phase !== "delivered") return;
    const data = ctx.protocol.market.interface.encodeFunctionData("settle", [job.id]);
    if ((await ctx.send(ctx.keeper, ctx.addresses.market, data, ctx.now, `settle #${job.id}`)).ok) closeJob(ctx, job);
  });
}

/**
 * The arbiter looks at the evidence and rules for whoever is right, usually within a day or two; now
 * and then it misses the deadline, and the keeper settles the job as delivered with the bond refunded.
 */
export function onDisputed(ctx: SimContext, job: SimJob, at: number): void {
  const rng = ctx.rng.keeper;
  const misses = ctx.arbiter === undefined || ctx.quotas.decide("arbiterTimeout", rng.chance(0.1));
  if (misses) {
    const timeoutAt = job.disputeDeadline + Math.round(rng.uniform(1, 60) * MINUTE);
    ctx.schedule(timeoutAt, `dispute timeout #${job.id}`, async () => {
      if (job.phase !== "disputed") return;
      const data = ctx.protocol.market.interface.encodeFunctionData("settleDisputeTimeout", [job.id]);
      const outcome = await ctx.send(ctx.keeper, ctx.addresses.market, data, ctx.now, `timeout #${job.id}`);
      if (outcome.ok) closeJob(ctx, job);
    });
    return;
  }
  const ruleAt = Math.min(at + Math.round(rng.uniform(2, 40) * HOUR), job.disputeDeadline - HOUR);
  ctx.schedule(ruleAt, `rule #${job.id}`, async () => {
    if (job.phase !== "disputed") return;
    const ruling = job.badResult ? PROVIDER_FAULT : RENTER_FAULT;
    const data = ctx.protocol.market.interface.encodeFunctionData("resolveDispute", [job.id, ruling]);
    if ((await ctx.send(ctx.arbiter!, ctx.addresses.market, data, ctx.now, `rule #${job.id}`)).ok) closeJob(ctx, job);
  });
}

/** Ticket holders collect what each new epoch's mint cap released to the front of the queue. */
export async function claimQueuedMints(ctx: SimContext, tickets: Map<bigint, string>): Promise<void> {
  const { settlement } = ctx.protocol;
  for (const [ticketId, recipient] of [...tickets]) {
    if ((await settlement.claimableOf(ticketId)) === 0n) continue;
    const data = settlement.interface.encodeFunctionData("claimQueuedMint", [ticketId]);
    await ctx.send(recipient, ctx.addresses.settlement, data, ctx.now, `claim ticket ${ticketId}`);
  }
}
