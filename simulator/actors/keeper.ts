// The keeper (calls the transitions anyone may trigger once their time has come: award, settle,
// dispute timeouts, mint-queue releases), the arbiter (rules on disputes, and sometimes misses its
// deadline) and the treasury (collects protocol fees). They hear of jobs to close, deliveries to
// settle, disputes and mint-queue tickets on the bus (subscribeKeeper).
import { eventsNamed } from "../../sdk/contracts.ts";
import { Ruling } from "../../sdk/index.ts";
import { MINUTE, HOUR, type SimContext } from "../context.ts";
import type { SimJob } from "../world.ts";

/**
 * Subscribes the keeper and the arbiter to the bus: jobs whose bidding only the keeper closes,
 * accepted deliveries, disputes, and the mint-queue tickets withdrawals open (claimed at each epoch's end).
 */
export function subscribeKeeper(ctx: SimContext): void {
  const { bus, world } = ctx;
  /** Open mint-queue tickets: id -> recipient. */
  const tickets = new Map<bigint, string>();
  bus.on("sim:awardPending", ({ ctx, job }) => scheduleAward(ctx, job));
  bus.on("sim:deliveryAccepted", ({ ctx, job }) => scheduleSettle(ctx, job));
  bus.on("JobDisputed", ({ args, at }) => {
    const job = world.advance(args.jobId, "disputed", { disputeDeadline: Number(args.disputeDeadline) });
    if (job !== undefined) onDisputed(job.ctx, job, at);
  });
  bus.on("EarningsWithdrawn", ({ args }) => {
    if (args.ticketId !== 0n) tickets.set(args.ticketId, args.recipient);
  });
  bus.on("QueuedMintClaimed", ({ args }) => {
    if (args.claimed === args.ticketAmount) tickets.delete(args.ticketId);
  });
  bus.on("sim:epochEnded", () => claimQueuedMints(ctx, tickets));
}

/** Closes the auction shortly after its reveal window (or expires an instant job nobody took). */
function scheduleAward(ctx: SimContext, job: SimJob): void {
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
  const at = outcome.timestamp;
  const winner = awarded === undefined ? undefined : ctx.world.providerAt(awarded.args.provider);
  if (awarded !== undefined && winner === undefined) {
    // Someone outside the simulation (a provider using the CLI) won: the job is theirs to run.
    ctx.debug(`job #${job.id} was won by ${awarded.args.provider}, who is not simulated`);
  }
  ctx.bus.emit("sim:auctionClosed", { ctx, job, winner, at });
  if (awarded === undefined || winner === undefined) {
    ctx.world.close(job);
    return;
  }
  const { clearingPrice: clearing, value, startDeadline } = awarded.args;
  ctx.bus.emit("sim:jobWon", { ctx, job, winner, clearing, value, startDeadline: Number(startDeadline), at });
}

/** Settles an undisputed delivery once its challenge window has closed. */
function scheduleSettle(ctx: SimContext, job: SimJob): void {
  const at = job.challengeDeadline + Math.round(ctx.rng.keeper.uniform(1, 60) * MINUTE);
  ctx.schedule(at, `settle #${job.id}`, async () => {
    if (job.phase !== "delivered") return;
    const data = ctx.protocol.market.interface.encodeFunctionData("settle", [job.id]);
    if ((await ctx.send(ctx.keeper, ctx.addresses.market, data, ctx.now, `settle #${job.id}`)).ok) ctx.world.close(job);
  });
}

/**
 * The arbiter looks at the evidence and rules for whoever is right, usually within a day or two; now
 * and then it misses the deadline, and the keeper settles the job as delivered with the bond refunded.
 */
function onDisputed(ctx: SimContext, job: SimJob, at: number): void {
  const rng = ctx.rng.keeper;
  const misses = ctx.arbiter === undefined || ctx.quotas.decide("arbiterTimeout", rng.chance(0.1));
  if (misses) {
    const timeoutAt = job.disputeDeadline + Math.round(rng.uniform(1, 60) * MINUTE);
    ctx.schedule(timeoutAt, `dispute timeout #${job.id}`, async () => {
      if (job.phase !== "disputed") return;
      const data = ctx.protocol.market.interface.encodeFunctionData("settleDisputeTimeout", [job.id]);
      const outcome = await ctx.send(ctx.keeper, ctx.addresses.market, data, ctx.now, `timeout #${job.id}`);
      if (outcome.ok) ctx.world.close(job);
    });
    return;
  }
  const ruleAt = Math.min(at + Math.round(rng.uniform(2, 40) * HOUR), job.disputeDeadline - HOUR);
  ctx.schedule(ruleAt, `rule #${job.id}`, async () => {
    if (job.phase !== "disputed") return;
    const ruling = job.badResult ? Ruling.valueOf("ProviderFault") : Ruling.valueOf("RenterFault");
    const data = ctx.protocol.market.interface.encodeFunctionData("resolveDispute", [job.id, ruling]);
    if ((await ctx.send(ctx.arbiter!, ctx.addresses.market, data, ctx.now, `rule #${job.id}`)).ok) ctx.world.close(job);
  });
}

/** Ticket holders collect what each new epoch's mint cap released to the front of the queue. */
async function claimQueuedMints(ctx: SimContext, tickets: Map<bigint, string>): Promise<void> {
  const { settlement } = ctx.protocol;
  for (const [ticketId, recipient] of [...tickets]) {
    if ((await settlement.claimableOf(ticketId)) === 0n) continue;
    const data = settlement.interface.encodeFunctionData("claimQueuedMint", [ticketId]);
    await ctx.send(recipient, ctx.addresses.settlement, data, ctx.now, `claim ticket ${ticketId}`);
  }
}
