// Providers: bidding in sealed auctions and accepting instant jobs by their pricing, starting,
// streaming claims, delivering, going offline and back, restaking after a slash, and claiming their
// epochs' emissions. They hear of jobs, awards and slashes on the bus (subscribeProviders); onboarding
// and cashing out are shared actions (simulator/actions/).
import { eventsNamed } from "../../sdk/contracts.ts";
import { bidCommitment } from "../../sdk/index.ts";
import { claimEmission } from "../actions/earnings.ts";
import { DAY, HOUR, MINUTE, type SimContext } from "../context.ts";
import { toTokenUnits } from "../market-data.ts";
import { canServe, releaseGpus, reserveGpus, type SimBid, type SimJob, type SimProvider } from "../world.ts";

/**
 * Subscribes the providers to the bus: new jobs, auctions closed, won or cancelled, runs that ended,
 * their own reputation, availability and slashes, and the GPU-seconds behind each epoch's emissions.
 */
export function subscribeProviders(ctx: SimContext): void {
  const { bus, world } = ctx;
  /** The providers with GPU-seconds recorded in each epoch: they claim its emission once it has ended. */
  const epochProviders = new Map<number, Set<SimProvider>>();
  bus.on("sim:jobOpened", ({ ctx, job }) => onJobPosted(ctx, job));
  bus.on("sim:auctionClosed", ({ ctx, job, winner, at }) => releaseLosingBids(ctx, job, winner, at));
  bus.on("sim:jobWon", ({ ctx, job, winner, clearing, value, startDeadline, at }) =>
    onAwarded(ctx, job, winner, clearing, value, startDeadline, at),
  );
  bus.on("sim:auctionCancelled", ({ ctx, job, at }) => onJobCancelled(ctx, job, at));
  // The renter stopped or failed a running job: its GPUs are free again.
  bus.on("JobStopped", ({ args }) => freeRunningJob(world.jobs.get(args.jobId)));
  bus.on("JobFailed", ({ args }) => freeRunningJob(world.jobs.get(args.jobId)));
  bus.on("ReputationUpdated", ({ args }) => {
    const p = world.providerAt(args.provider);
    if (p !== undefined) p.reputation = Number(args.current);
  });
  bus.on("ProviderAvailabilityChanged", ({ args }) => {
    const p = world.providerAt(args.provider);
    if (p !== undefined) p.online = args.online;
  });
  bus.on("ProviderSlashed", ({ args, at }) => {
    const p = world.providerAt(args.provider);
    if (p !== undefined) onSlashed(ctx, p, args.toRecipient + args.burned, at);
  });
  bus.on("GpuSecondsRecorded", ({ args }) => {
    const p = world.providerAt(args.provider);
    if (p === undefined) return;
    const epoch = Number(args.epoch);
    let set = epochProviders.get(epoch);
    if (set === undefined) epochProviders.set(epoch, (set = new Set()));
    set.add(p);
  });
  bus.on("sim:epochEnded", async ({ epoch }) => {
    for (const provider of epochProviders.get(epoch) ?? []) await claimEmission(ctx, provider, epoch);
    epochProviders.delete(epoch);
  });
}

function reaction(ctx: SimContext, p: SimProvider): number {
  const [lo, hi] = p.profile.reactionMinutes;
  return Math.round(ctx.rng.providers.uniform(lo, hi) * MINUTE);
}

/** The provider's floor for the job's model, in the job's payment token units (undefined if not listed). */
function floorFor(p: SimProvider, job: SimJob): bigint | undefined {
  const micro = p.profile.floor[job.model];
  return micro === undefined ? undefined : toTokenUnits(micro, job.decimals);
}

/**
 * Its sealed bid: floor times a markup. Under a second-price rule bidding one's true floor is the
 * dominant strategy, so the markup is small there.
 */
function bidPrice(ctx: SimContext, p: SimProvider, job: SimJob, floor: bigint): bigint {
  const markup =
    job.rule === "SecondPrice" ? ctx.rng.providers.uniform(0, 0.04) : ctx.rng.providers.uniform(0, p.profile.markup);
  const price = (floor * BigInt(Math.round((1 + markup) * 10_000))) / 10_000n;
  // Round to a tenth of a cent per GPU-hour, as a person would quote.
  const step = toTokenUnits(1_000n, job.decimals);
  const rounded = ((price + step - 1n) / step) * step;
  return rounded > job.reserve ? job.reserve : rounded;
}

/** A new job is visible: interested providers plan their bids (or race to accept an instant job). */
function onJobPosted(ctx: SimContext, job: SimJob): void {
  const rng = ctx.rng.providers;
  const able = ctx.world.providers.filter((p) => {
    const floor = floorFor(p, job);
    return floor !== undefined && floor <= job.reserve && canServe(p, job);
  });
  if (job.rule === "Instant") {
    // The fastest willing provider accepts; if it cannot when the time comes, the next one tries.
    const racers = able
      .map((p) => ({ p, at: job.createdAt + Math.max(45, reaction(ctx, p)) }))
      .sort((a, b) => a.at - b.at || a.p.profile.accountIndex - b.p.profile.accountIndex);
    if (racers.length > 0) {
      ctx.schedule(racers[0].at, `accept #${job.id}`, () =>
        acceptInstant(
          ctx,
          job,
          racers.map((r) => r.p),
        ),
      );
    }
    return;
  }
  const bidders = rng.sample(
    able.filter((p) => rng.chance(p.profile.bidInterest)),
    Math.min(ctx.params.maxBids, rng.int(2, 6)),
  );
  const window = job.bidDeadline - job.createdAt;
  for (const p of bidders) {
    const bid: SimBid = {
      provider: p,
      price: bidPrice(ctx, p, job, floorFor(p, job)!),
      salt: rng.bytes32(),
      reveals: true,
      status: "planned",
    };
    job.bids.set(p.address, bid);
    ctx.schedule(job.createdAt + Math.round(rng.uniform(0.1, 0.75) * window), `commit #${job.id}`, () =>
      commit(ctx, job, bid),
    );
  }
}

function commitment(ctx: SimContext, job: SimJob, bid: SimBid): string {
  return bidCommitment(
    job.id,
    bid.provider.address,
    bid.price,
    bid.salt,
    ctx.params.chainId,
    ctx.addresses.market,
    job.specHash,
  );
}

async function commit(ctx: SimContext, job: SimJob, bid: SimBid): Promise<void> {
  const p = bid.provider;
  if (job.phase !== "bidding" || ctx.now >= job.bidDeadline - MINUTE || !canServe(p, job)) {
    job.bids.delete(p.address);
    return;
  }
  reserveGpus(p, job.model, job.gpus);
  const data = ctx.protocol.market.interface.encodeFunctionData("commitBid", [job.id, commitment(ctx, job, bid)]);
  const outcome = await ctx.send(p.address, ctx.addresses.market, data, ctx.now, `commit #${job.id}`);
  if (!outcome.ok) {
    releaseGpus(p, job.model, job.gpus);
    job.bids.delete(p.address);
    return;
  }
  bid.status = "committed";
  bid.reveals = !ctx.quotas.decide("nonReveal", ctx.rng.providers.chance(p.profile.nonRevealRate));
  if (bid.reveals) {
    const window = job.revealDeadline - job.bidDeadline;
    const at = job.bidDeadline + Math.round(ctx.rng.providers.uniform(0.05, 0.6) * window);
    ctx.schedule(at, `reveal #${job.id}`, () => reveal(ctx, job, bid));
  }
}

async function reveal(ctx: SimContext, job: SimJob, bid: SimBid): Promise<void> {
  if (job.phase !== "bidding" || bid.status !== "committed") return;
  // The market re-checks qualification at reveal: a provider that went offline (a maintenance window) or
  // whose reputation fell below the job's minimum since it committed cannot reveal, and its bond is forfeited.
  const p = bid.provider;
  if (!p.online || p.reputation < job.minReputation) {
    bid.reveals = false;
    return;
  }
  const data = ctx.protocol.market.interface.encodeFunctionData("revealBid", [job.id, bid.price, bid.salt]);
  const outcome = await ctx.send(bid.provider.address, ctx.addresses.market, data, ctx.now, `reveal #${job.id}`);
  if (outcome.ok) bid.status = "revealed";
}

async function acceptInstant(ctx: SimContext, job: SimJob, racers: SimProvider[]): Promise<void> {
  for (const p of racers) {
    if (job.phase !== "bidding" || ctx.now >= job.bidDeadline - 10) return;
    if (!canServe(p, job)) continue;
    reserveGpus(p, job.model, job.gpus);
    const data = ctx.protocol.market.interface.encodeFunctionData("acceptInstant", [job.id]);
    const outcome = await ctx.send(p.address, ctx.addresses.market, data, ctx.now, `accept #${job.id}`);
    if (!outcome.ok) {
      releaseGpus(p, job.model, job.gpus);
      continue;
    }
    const awarded = eventsNamed(outcome.events, "JobAwarded")[0];
    onAwarded(
      ctx,
      job,
      p,
      awarded.args.clearingPrice,
      awarded.args.value,
      Number(awarded.args.startDeadline),
      outcome.timestamp,
    );
    return;
  }
}

/**
 * The auction closed (award): losers free their GPUs and take their stake back (the simulated winner,
 * if any, plans its start on sim:jobWon); unrevealed bids are left for the renter to collect.
 */
function releaseLosingBids(ctx: SimContext, job: SimJob, winner: SimProvider | undefined, at: number): void {
  for (const bid of job.bids.values()) {
    if (bid.status === "planned" || bid.provider === winner) continue;
    releaseGpus(bid.provider, job.model, job.gpus);
    if (bid.status === "revealed") {
      ctx.schedule(at + reaction(ctx, bid.provider), `close bid #${job.id}`, () => closeOwnBid(ctx, job, bid));
    }
  }
}

/**
 * The renter cancelled while bids were sealed (a squatted auction): bidders free their GPUs and take
 * their whole lock back (closeBid releases a sealed bid on a cancelled job in full).
 */
function onJobCancelled(ctx: SimContext, job: SimJob, at: number): void {
  for (const bid of job.bids.values()) {
    if (bid.status !== "committed") continue;
    releaseGpus(bid.provider, job.model, job.gpus);
    ctx.schedule(at + reaction(ctx, bid.provider), `close bid #${job.id}`, () => closeOwnBid(ctx, job, bid));
  }
}

async function closeOwnBid(ctx: SimContext, job: SimJob, bid: SimBid): Promise<void> {
  // A revealed losing bid, or a sealed one on a cancelled job; a sealed bid on an awarded job is the
  // renter's to close (collectForfeits).
  if (bid.status !== "revealed" && !(bid.status === "committed" && job.phase === "closed")) return;
  const data = ctx.protocol.market.interface.encodeFunctionData("closeBid", [job.id, bid.provider.address]);
  const outcome = await ctx.send(bid.provider.address, ctx.addresses.market, data, ctx.now, `close bid #${job.id}`);
  if (outcome.ok) bid.status = "closed";
}

function onAwarded(
  ctx: SimContext,
  job: SimJob,
  winner: SimProvider,
  clearing: bigint,
  value: bigint,
  startDeadline: number,
  at: number,
): void {
  job.phase = "awarded";
  job.winner = winner;
  job.clearing = clearing;
  job.value = value;
  job.startDeadline = startDeadline;
  const bid = job.bids.get(winner.address);
  if (bid !== undefined) bid.status = "closed";
  if (ctx.quotas.decide("noShow", ctx.rng.providers.chance(winner.profile.noShowRate))) {
    releaseGpus(winner, job.model, job.gpus);
    ctx.bus.emit("sim:noShow", { ctx, job });
    return;
  }
  const startAt = Math.min(at + reaction(ctx, winner) * 3, startDeadline - 5 * MINUTE);
  ctx.schedule(startAt, `start #${job.id}`, () => start(ctx, job));
}

async function start(ctx: SimContext, job: SimJob): Promise<void> {
  const p = job.winner!;
  if (job.phase !== "awarded") return;
  const data = ctx.protocol.market.interface.encodeFunctionData("startJob", [job.id]);
  const outcome = await ctx.send(p.address, ctx.addresses.market, data, ctx.now, `start #${job.id}`);
  if (!outcome.ok) {
    // It could not start after all (the renter will fail the job once the start window closes).
    releaseGpus(p, job.model, job.gpus);
    ctx.bus.emit("sim:noShow", { ctx, job });
    return;
  }
  const rng = ctx.rng.providers;
  job.phase = "running";
  job.startedAt = outcome.timestamp;
  job.deliveryDeadline = job.startedAt + job.durationSeconds + ctx.params.deliveryGrace;
  job.badResult = ctx.quotas.decide("badDelivery", rng.chance(p.profile.badDeliveryRate));
  job.late = !job.badResult && ctx.quotas.decide("lateDelivery", rng.chance(p.profile.lateDeliveryRate));
  if (job.durationSeconds >= HOUR && rng.chance(p.profile.midRunClaimRate)) {
    ctx.schedule(job.startedAt + Math.round(rng.uniform(0.3, 0.7) * job.durationSeconds), `claim #${job.id}`, () =>
      claim(ctx, job),
    );
  }
  if (!job.late) {
    const at = job.startedAt + job.durationSeconds + Math.round(rng.uniform(1, 15) * MINUTE);
    ctx.schedule(at, `deliver #${job.id}`, () => deliver(ctx, job));
  }
  ctx.bus.emit("sim:runPlanned", { ctx, job });
}

async function claim(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "running") return;
  const data = ctx.protocol.market.interface.encodeFunctionData("claim", [job.id]);
  await ctx.send(job.winner!.address, ctx.addresses.market, data, ctx.now, `claim #${job.id}`);
}

async function deliver(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "running") return;
  const rng = ctx.rng.providers;
  const resultHash = rng.bytes32();
  const uri = `ipfs://gridlease-sim/results/${job.id}`;
  const data = ctx.protocol.market.interface.encodeFunctionData("deliver", [job.id, resultHash, uri]);
  // The renter reviews the delivery from its JobDelivered event (the bus delivers it within send).
  if ((await ctx.send(job.winner!.address, ctx.addresses.market, data, ctx.now, `deliver #${job.id}`)).ok) {
    releaseGpus(job.winner!, job.model, job.gpus);
  }
}

/** Frees the winner's GPUs when a simulated job that was running is stopped or failed. */
function freeRunningJob(job: SimJob | undefined): void {
  if (job?.phase === "running") releaseGpus(job.winner!, job.model, job.gpus);
}

/** Plans the day's maintenance windows (a gamer reclaiming their RTX 4090 for the evening, say). */
export function planAvailability(ctx: SimContext, p: SimProvider, dayStart: number): void {
  const rng = ctx.rng.providers;
  if (!p.onboarded || !rng.chance(p.profile.offlinePerDay)) return;
  const offAt = dayStart + Math.round(rng.uniform(0, DAY));
  const hours = rng.uniform(p.profile.offlineHours[0], p.profile.offlineHours[1]);
  ctx.schedule(
    offAt,
    `offline ${p.profile.name}`,
    () => setOnline(ctx, p, false, offAt + Math.round(hours * HOUR)),
    true,
  );
}

async function setOnline(ctx: SimContext, p: SimProvider, online: boolean, backAt?: number): Promise<void> {
  if (p.online === online || (online === false && p.backOnlineAt !== undefined)) return;
  const data = ctx.protocol.registry.interface.encodeFunctionData("setOnline", [online]);
  const outcome = await ctx.send(
    p.address,
    ctx.addresses.registry,
    data,
    ctx.now,
    `online=${online} ${p.profile.name}`,
  );
  if (!outcome.ok) return;
  if (!online && backAt !== undefined) {
    p.backOnlineAt = backAt;
    ctx.schedule(
      backAt,
      `online ${p.profile.name}`,
      async () => {
        p.backOnlineAt = undefined;
        await setOnline(ctx, p, true);
      },
      true,
    );
  }
}

/** After a slash, the provider tops its stake back up (buying GRL from the treasury if it must). */
function onSlashed(ctx: SimContext, p: SimProvider, amount: bigint, at: number): void {
  ctx.schedule(
    at + Math.round(ctx.rng.providers.uniform(10, 120) * MINUTE),
    `restake ${p.profile.name}`,
    async () => {
      const { token, registry } = ctx.protocol;
      const held = await token.balanceOf(p.address);
      if (held < amount) {
        const data = token.interface.encodeFunctionData("transfer", [p.address, amount - held]);
        if (!(await ctx.send(ctx.treasury, ctx.addresses.token, data, ctx.now, "sell GRL")).ok) return;
      }
      await ctx.send(
        p.address,
        ctx.addresses.registry,
        registry.interface.encodeFunctionData("stake", [amount]),
        ctx.now,
        "restake",
      );
    },
    true,
  );
}
