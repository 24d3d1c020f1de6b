// Renters: when they post jobs and what they ask for, paying in USDC or in USD credits bought by
// burning GRL, cancelling, stopping early, failing no-shows and late jobs, collecting forfeited bid
// bonds, and reviewing deliveries (disputing bad ones, and sometimes good ones). They hear of
// closed auctions, no-shows, started runs, deliveries and squatted auctions on the bus
// (subscribeRenters); funding a job is a shared action (simulator/actions/funding.ts).
import { eventsNamed } from "../../sdk/contracts.ts";
import { GPU_MODELS, gpuModelId, PricingRule, workloadSpecHash } from "../../sdk/index.ts";
import { enlist, ensureCredits, ensureGrl, ensureUsdc } from "../actions/funding.ts";
import { HOUR, MINUTE, type SimContext } from "../context.ts";
import { MARKET, REGIONS, toTokenUnits, type GpuModelName } from "../market-data.ts";
import type { PricingRuleName } from "../../sdk/index.ts";
import type { PaymentPath, RenterKind } from "../population.ts";
import type { SimJob, SimRenter } from "../world.ts";

/**
 * Subscribes the renters to the bus: closed auctions (unrevealed bonds to collect), no-shows, runs
 * under way, deliveries to review, and full auctions that may be squatted.
 */
export function subscribeRenters(ctx: SimContext): void {
  const { bus, world } = ctx;
  bus.on("sim:auctionClosed", ({ ctx, job, at }) => collectForfeits(ctx, job, at));
  bus.on("sim:noShow", ({ ctx, job }) => onNoShow(ctx, job));
  bus.on("sim:runPlanned", ({ ctx, job }) => onStarted(ctx, job));
  bus.on("JobDelivered", ({ args, at }) => {
    const job = world.advance(args.jobId, "delivered", {
      deliveredAt: at,
      challengeDeadline: Number(args.challengeDeadline),
    });
    if (job !== undefined) onDelivered(job.ctx, job);
  });
  bus.on("sim:bidCapReached", ({ ctx, job, at }) => onBidCapReached(ctx, job, at));
}

/** An hour of the day (UTC, fractional) to post at: agents round the clock, people mostly by day or evening. */
function postingHour(ctx: SimContext, kind: RenterKind): number {
  const rng = ctx.rng.renters;
  switch (kind) {
    case "agent":
      return rng.uniform(0, 24);
    case "hobbyist":
      return rng.weighted([
        [rng.uniform(0, 8), 1],
        [rng.uniform(8, 17), 2],
        [rng.uniform(17, 24), 5],
      ]);
    default:
      return rng.weighted([
        [rng.uniform(0, 7), 1],
        [rng.uniform(7, 19), 6],
        [rng.uniform(19, 24), 2],
      ]);
  }
}

/** Schedules the jobs `renter` posts on the day starting at `dayStart`. */
export function planArrivals(ctx: SimContext, renter: SimRenter, dayStart: number, intensity: number): void {
  const rng = ctx.rng.renters;
  const p = renter.profile;
  const count = rng.poisson(p.jobsPerDay * intensity);
  for (let i = 0; i < count; i++) {
    const at = dayStart + Math.floor(postingHour(ctx, p.kind) * HOUR);
    ctx.schedule(at, `post ${p.name}`, async () => void (await postJob(ctx, renter)));
  }
}

function gpuCount(ctx: SimContext, kind: RenterKind, model: GpuModelName): number {
  const counts = MARKET[model].gpuCounts.filter(([n]) =>
    kind === "ml-lab" ? n >= 4 : kind === "agent" || kind === "hobbyist" ? n <= 2 : n <= 8,
  );
  return ctx.rng.renters.weighted(counts.length > 0 ? counts : MARKET[model].gpuCounts);
}

/** The renter's ceiling per GPU-hour, in USD. */
function reserveUsd(ctx: SimContext, renter: SimRenter, model: GpuModelName, rule: PricingRuleName): number {
  const rng = ctx.rng.renters;
  const m = MARKET[model];
  if (rule === "Instant") {
    // An agent fixes a price a little under or over the going rate; rarely one nobody takes.
    if (ctx.quotas.decide("instantUnfilled", rng.chance(0.03))) return m.decentralLow * rng.uniform(0.5, 0.7);
    return m.decentralLow + (m.decentralHigh - m.decentralLow) * rng.uniform(0.4, 1.3);
  }
  if (ctx.quotas.decide("bargainReserve", rng.chance(renter.profile.bargainRate))) {
    return m.decentralLow * rng.uniform(0.55, 0.8);
  }
  const [lo, hi] = renter.profile.reserveSpread;
  return m.decentralHigh + (m.hyperscaler - m.decentralHigh) * rng.uniform(lo, hi);
}

/** What a renter asks for: everything createJob needs that it chose (the rest follows from its profile). */
interface JobSpec {
  model: GpuModelName;
  gpus: number;
  durationSeconds: number;
  rule: PricingRuleName;
  payment: PaymentPath;
  /** Per GPU-hour, in the payment token's units. */
  reserve: bigint;
  region: number;
  minReputation: number;
  bidWindow: number;
  revealWindow: number;
}

/** Posts one job (funding it first) and lets the market react to it; returns it once created. */
export async function postJob(ctx: SimContext, renter: SimRenter): Promise<SimJob | undefined> {
  const p = renter.profile;
  if (!ctx.acceptingJobs || (p.jobLimit !== undefined && renter.jobsPosted >= p.jobLimit)) return undefined;
  if (!renter.enlisted && !(await enlist(ctx, renter))) return undefined;
  const rng = ctx.rng.renters;
  const model = rng.weighted(p.models);
  const gpus = gpuCount(ctx, p.kind, model);
  const durationSeconds =
    Math.max(10, Math.round(rng.uniform(p.durationMinutes[0], p.durationMinutes[1]) / 5) * 5) * MINUTE;
  const rule = rng.weighted(p.rules);
  const payment = rng.chance(p.creditsShare) ? "credits" : "usdc";
  const decimals = payment === "usdc" ? ctx.params.usdcDecimals : 18;
  // Whole cents per GPU-hour.
  const reserve = toTokenUnits(
    BigInt(Math.max(1, Math.round(reserveUsd(ctx, renter, model, rule) * 100))) * 10_000n,
    decimals,
  );
  const region = rng.chance(p.regionLock) ? REGIONS[p.home] : 0;
  const bidWindow = (rule === "Instant" ? rng.pick([3, 5, 10]) : rng.pick([10, 15, 20, 30])) * MINUTE;
  const revealWindow = rule === "Instant" ? 0 : rng.pick([10, 15]) * MINUTE;
  const spec: JobSpec = {
    model,
    gpus,
    durationSeconds,
    rule,
    payment,
    reserve,
    region,
    minReputation: p.minReputation,
    bidWindow,
    revealWindow,
  };
  const job = await createJob(ctx, renter, spec);
  if (job === undefined) return undefined;
  if (ctx.quotas.decide("cancelEarly", rng.chance(p.cancelRate))) {
    // Changed its mind (wrong model, found capacity elsewhere) before any provider reacted.
    ctx.schedule(job.createdAt + 20, `cancel #${job.id}`, () => cancel(ctx, job));
    return job;
  }
  openToProviders(ctx, job);
  return job;
}

/** Funds and creates the job `spec` describes; undefined if either failed. */
async function createJob(ctx: SimContext, renter: SimRenter, spec: JobSpec): Promise<SimJob | undefined> {
  const p = renter.profile;
  const { model, gpus, durationSeconds, rule, payment, reserve, region, minReputation, bidWindow, revealWindow } = spec;
  const decimals = payment === "usdc" ? ctx.params.usdcDecimals : 18;
  const budget = (reserve * BigInt(gpus) * BigInt(durationSeconds)) / BigInt(HOUR);
  const funded = payment === "usdc" ? await ensureUsdc(ctx, renter, budget) : await ensureCredits(ctx, renter, budget);
  if (!funded) return undefined;

  const token = payment === "usdc" ? ctx.addresses.usdc : ctx.addresses.settlement;
  // A renter picks the model for its memory, so it asks for the model's full VRAM.
  const minVramGb = GPU_MODELS.find((m) => m.name === model)!.vramGb;
  // What the job runs: one deterministic spec per kind of renter (no draw from the random streams).
  const specHash = workloadSpecHash(p.kind);
  const data = ctx.protocol.market.interface.encodeFunctionData("createJob", [
    {
      paymentToken: token,
      gpuModel: gpuModelId(model),
      gpuCount: gpus,
      minVramGb,
      region,
      minReputation,
      duration: durationSeconds,
      reservePricePerGpuHour: reserve,
      pricingRule: PricingRule.valueOf(rule),
      bidWindow,
      revealWindow,
      specHash,
    },
  ]);
  const outcome = await ctx.send(renter.address, ctx.addresses.market, data, ctx.now, `post ${p.name}`);
  if (!outcome.ok) return undefined;
  const created = eventsNamed(outcome.events, "JobCreated")[0].args;
  renter.jobsPosted++;
  const job: SimJob = {
    id: created.jobId,
    ctx,
    renter,
    payment,
    token,
    decimals,
    model,
    gpus,
    durationSeconds,
    region,
    minReputation,
    minVramGb,
    specHash,
    reserve,
    rule,
    createdAt: outcome.timestamp,
    bidDeadline: Number(created.bidDeadline),
    revealDeadline: Number(created.revealDeadline),
    phase: "bidding",
    bids: new Map(),
    winner: undefined,
    clearing: 0n,
    value: 0n,
    startDeadline: 0,
    startedAt: 0,
    deliveredAt: 0,
    deliveryDeadline: 0,
    challengeDeadline: 0,
    disputeDeadline: 0,
    badResult: false,
    late: false,
  };
  ctx.world.jobs.set(job.id, job);
  return job;
}

/** Providers see the job; the keeper closes its auction, or the renter follows up an unfilled instant job. */
function openToProviders(ctx: SimContext, job: SimJob): void {
  ctx.bus.emit("sim:jobOpened", { ctx, job });
  if (job.rule === "Instant") {
    ctx.schedule(job.bidDeadline + Math.round(ctx.rng.renters.uniform(1, 10) * MINUTE), `unfilled #${job.id}`, () =>
      instantUnfilled(ctx, job),
    );
  } else {
    ctx.bus.emit("sim:awardPending", { ctx, job });
  }
}

/** A provider with no success on record: the registry's starting reputation or less. */
const STARTING_REPUTATION = 5_000;

/**
 * The job's bid cap filled while its bids are sealed. Honest auctions draw a handful of bids, so a
 * full cap minutes after posting is the mark of a squat (sybils filling `maxBids` to win at the
 * reserve): the renter looks at who bid and, if most bidders have no success on record, cancels while
 * it still may (before the bid deadline, see IJobMarket.cancelJob) and posts the same job again.
 */
function onBidCapReached(ctx: SimContext, job: SimJob, at: number): void {
  ctx.schedule(at + Math.round(ctx.rng.renters.uniform(1, 4) * MINUTE), `review bids #${job.id}`, () =>
    reviewFullAuction(ctx, job),
  );
}

async function reviewFullAuction(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "bidding" || ctx.now >= job.bidDeadline - 10) return;
  const { market, registry } = ctx.protocol;
  const bidders = (await market.queryFilter(market.filters.BidCommitted(job.id))).map((e) => e.args.provider);
  let unproven = 0;
  for (const bidder of bidders)
    if (Number((await registry.providerOf(bidder)).reputation) <= STARTING_REPUTATION) unproven++;
  if (unproven * 2 < bidders.length) return;
  const data = market.interface.encodeFunctionData("cancelJob", [job.id]);
  if (!(await ctx.send(job.renter.address, ctx.addresses.market, data, ctx.now, `cancel squatted #${job.id}`)).ok)
    return;
  ctx.world.close(job);
  ctx.bus.emit("sim:auctionCancelled", { ctx, job, at: ctx.now });
  const again = await createJob(ctx, job.renter, {
    model: job.model,
    gpus: job.gpus,
    durationSeconds: job.durationSeconds,
    rule: job.rule,
    payment: job.payment,
    reserve: job.reserve,
    region: job.region,
    minReputation: job.minReputation,
    bidWindow: job.bidDeadline - job.createdAt,
    revealWindow: job.revealDeadline - job.bidDeadline,
  });
  if (again !== undefined) openToProviders(ctx, again);
}

async function cancel(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "bidding") return;
  const data = ctx.protocol.market.interface.encodeFunctionData("cancelJob", [job.id]);
  if ((await ctx.send(job.renter.address, ctx.addresses.market, data, ctx.now, `cancel #${job.id}`)).ok)
    ctx.world.close(job);
}

/** Nobody took the instant job: the renter withdraws it, or leaves it to expire. */
async function instantUnfilled(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "bidding") return;
  if (ctx.rng.renters.chance(0.5)) await cancel(ctx, job);
  else ctx.bus.emit("sim:awardPending", { ctx, job });
}

/** After an auction, the renter claims the bonds of bids that were never revealed. */
function collectForfeits(ctx: SimContext, job: SimJob, at: number): void {
  for (const bid of job.bids.values()) {
    if (bid.status !== "committed") continue;
    ctx.schedule(at + Math.round(ctx.rng.renters.uniform(5, 90) * MINUTE), `forfeit #${job.id}`, async () => {
      if (bid.status !== "committed") return;
      const data = ctx.protocol.market.interface.encodeFunctionData("closeBid", [job.id, bid.provider.address]);
      if ((await ctx.send(job.renter.address, ctx.addresses.market, data, ctx.now, `forfeit #${job.id}`)).ok) {
        bid.status = "closed";
      }
    });
  }
}

/** The winner will not start: the renter fails the job once the start window has closed. */
function onNoShow(ctx: SimContext, job: SimJob): void {
  const at = job.startDeadline + Math.round(ctx.rng.renters.uniform(2, 60) * MINUTE);
  ctx.schedule(at, `fail #${job.id}`, () => fail(ctx, job));
}

async function fail(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "awarded" && job.phase !== "running") return;
  // The winner frees its GPUs on the JobFailed event.
  const data = ctx.protocol.market.interface.encodeFunctionData("failJob", [job.id]);
  if ((await ctx.send(job.renter.address, ctx.addresses.market, data, ctx.now, `fail #${job.id}`)).ok)
    ctx.world.close(job);
}

/** The job is running: the renter may plan to stop it early, and fails it if it is never delivered. */
function onStarted(ctx: SimContext, job: SimJob): void {
  const rng = ctx.rng.renters;
  if (job.late) {
    ctx.schedule(job.deliveryDeadline + Math.round(rng.uniform(5, 60) * MINUTE), `fail late #${job.id}`, () =>
      fail(ctx, job),
    );
    return;
  }
  if (ctx.quotas.decide("stopEarly", rng.chance(job.renter.profile.stopRate))) {
    const stopAt = job.startedAt + Math.round(rng.uniform(0.15, 0.85) * job.durationSeconds);
    ctx.schedule(stopAt, `stop #${job.id}`, () => stop(ctx, job));
  }
}

async function stop(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "running") return;
  const data = ctx.protocol.market.interface.encodeFunctionData("stopJob", [job.id]);
  // The winner frees its GPUs on the JobStopped event.
  if ((await ctx.send(job.renter.address, ctx.addresses.market, data, ctx.now, `stop #${job.id}`)).ok)
    ctx.world.close(job);
}

/** The renter reviews a delivery: disputes a bad result (usually noticed), rarely a good one. */
function onDelivered(ctx: SimContext, job: SimJob): void {
  const rng = ctx.rng.renters;
  const noticed = job.badResult && rng.chance(0.95);
  const frivolous =
    !job.badResult && ctx.quotas.decide("frivolousDispute", rng.chance(job.renter.profile.frivolousDisputeRate));
  if (!noticed && !frivolous) {
    ctx.bus.emit("sim:deliveryAccepted", { ctx, job });
    return;
  }
  const at = Math.min(job.deliveredAt + Math.round(rng.uniform(0.5, 12) * HOUR), job.challengeDeadline - 30 * MINUTE);
  ctx.schedule(at, `dispute #${job.id}`, () => dispute(ctx, job));
}

async function dispute(ctx: SimContext, job: SimJob): Promise<void> {
  if (job.phase !== "delivered") return;
  // A stablecoin job's bond is in USDC; a credit job's in GRL (so a pause of credit purchases cannot block it).
  const [, bond] = await ctx.protocol.market.disputeBondOf(job.id);
  const funded =
    job.payment === "usdc" ? await ensureUsdc(ctx, job.renter, bond) : await ensureGrl(ctx, job.renter, bond);
  const evidence = ctx.rng.renters.bytes32();
  const data = ctx.protocol.market.interface.encodeFunctionData("dispute", [job.id, evidence]);
  const outcome = funded
    ? await ctx.send(job.renter.address, ctx.addresses.market, data, ctx.now, `dispute #${job.id}`)
    : undefined;
  // A dispute that went through is the arbiter's from its JobDisputed event (the keeper's subscription).
  if (outcome === undefined || !outcome.ok) ctx.bus.emit("sim:deliveryAccepted", { ctx, job });
}

/** Renters with refunds (USDC, or GRL dispute bonds back) sitting in the market's ledger take them out now and then. */
export async function withdrawRefunds(ctx: SimContext, renter: SimRenter): Promise<void> {
  const { market } = ctx.protocol;
  if (!renter.enlisted) return;
  for (const token of [ctx.addresses.usdc, ctx.addresses.token]) {
    if ((await market.balanceOf(token, renter.address)) === 0n) continue;
    const data = market.interface.encodeFunctionData("withdraw", [token, renter.address]);
    await ctx.send(renter.address, ctx.addresses.market, data, ctx.now, "withdraw refunds");
  }
}
