// JobMarket: jobs, sealed bids, awards (the price index), execution, pay (revenue), disputes and failures.
import { ponder } from "ponder:registry";
import {
  bid,
  dispute,
  job,
  marketParameterSet,
  paymentToken,
  payout,
  provider,
  renter,
  renterPeriod,
  withdrawal,
} from "ponder:schema";
import type { Hex } from "viem";

import { FailureReason, PricingRule } from "../../sdk/enums.ts";
import { type Ctx, hourStart, modelName, periodsOfHour, toUsd, tokenDecimals } from "./lib/core";
import { addClearingPrice, addModel, addNetwork, addNetworkPeriod, addProvider, addToken } from "./lib/metrics";
import { recordParameterChange } from "./lib/parameters";
import { tick } from "./lib/utilization";

const INSTANT = PricingRule.valueOf("Instant");

type Job = NonNullable<Awaited<ReturnType<typeof findJob>>>;

async function findJob(ctx: Ctx, id: bigint) {
  return ctx.db.find(job, { id });
}

async function mustJob(ctx: Ctx, id: bigint): Promise<Job> {
  const row = await findJob(ctx, id);
  if (row === null) throw new Error(`job ${id} has no JobCreated event`);
  return row;
}

/**
 * How long a settled job ran: from its start to its delivery, at most its booked duration (a delivery in
 * the grace period after endsAt ran the full duration). Null for a job with no start or delivery recorded.
 */
function ranUntilDelivery(row: Job): bigint | null {
  if (row.startedAt === null || row.deliveredAt === null) return null;
  const end = row.endsAt !== null && row.endsAt < row.deliveredAt ? row.endsAt : row.deliveredAt;
  return end > row.startedAt ? end - row.startedAt : 0n;
}

type ProviderRow = NonNullable<Awaited<ReturnType<typeof findProvider>>>;

async function findProvider(ctx: Ctx, address: Hex) {
  return ctx.db.find(provider, { address });
}

/** Applies counter changes to a provider and recomputes its success rate and dispute rate. */
async function updateReliability(ctx: Ctx, address: Hex, change: (row: ProviderRow) => Partial<ProviderRow>) {
  await ctx.db.update(provider, { address }).set((row) => {
    const delta = change(row);
    const next = { ...row, ...delta };
    const outcomes = next.jobsSettled + next.jobsFailed + next.disputesLost;
    return {
      ...delta,
      // Stopped jobs are the renter's choice and count for neither side.
      successRate: outcomes === 0 ? null : next.jobsSettled / outcomes,
      disputeRate: next.jobsDelivered === 0 ? null : next.jobsDisputed / next.jobsDelivered,
    };
  });
}

/** Records pay released to the provider: a payout row, and revenue per network, token and provider. */
async function recordPayout(
  ctx: Ctx,
  event: { block: { number: bigint; timestamp: bigint }; transaction: { hash: Hex } },
  row: Job,
  kind: "claim" | "stop" | "settle" | "ruling",
  gross: bigint,
  fee: bigint,
): Promise<void> {
  if (gross === 0n) return;
  const t = event.block.timestamp;
  const hs = hourStart(t);
  const decimals = await tokenDecimals(ctx, row.paymentToken);
  const grossUsd = toUsd(gross, decimals);
  const feeUsd = toUsd(fee, decimals);
  const seq = row.payoutCount + 1;
  await ctx.db.insert(payout).values({
    jobId: row.id,
    seq,
    kind,
    provider: row.provider!,
    renter: row.renter,
    token: row.paymentToken,
    gross,
    fee,
    net: gross - fee,
    grossUsd,
    feeUsd,
    timestamp: t,
    blockNumber: event.block.number,
    transactionHash: event.transaction.hash,
  });
  await ctx.db
    .update(job, { id: row.id })
    .set((j) => ({ payoutCount: seq, grossPaid: j.grossPaid + gross, feesPaid: j.feesPaid + fee }));
  await ctx.db.update(provider, { address: row.provider! }).set((p) => ({
    grossEarnedUsd: p.grossEarnedUsd + grossUsd,
    feesPaidUsd: p.feesPaidUsd + feeUsd,
  }));
  await ctx.db.update(renter, { address: row.renter }).set((r) => ({ paidUsd: r.paidUsd + grossUsd }));
  await addNetwork(ctx, hs, { grossUsd, feesUsd: feeUsd, providerPayoutsUsd: grossUsd - feeUsd, payouts: 1 });
  await addToken(ctx, row.paymentToken, hs, {
    gross,
    fees: fee,
    providerPayouts: gross - fee,
    grossUsd,
    feesUsd: feeUsd,
    providerPayoutsUsd: grossUsd - feeUsd,
    payouts: 1,
  });
  await addProvider(ctx, row.provider!, hs, { grossUsd, feesUsd: feeUsd });
}

/** Whether the job's dispute bond was posted in its payment token (a stablecoin job), not GRL (a credit job). */
function bondInJobToken(row: Job): boolean {
  return row.disputeBondToken?.toLowerCase() === row.paymentToken.toLowerCase();
}

async function addRefund(ctx: Ctx, id: bigint, amount: bigint): Promise<void> {
  if (amount === 0n) return;
  await ctx.db.update(job, { id }).set((j) => ({ refunded: j.refunded + amount }));
}

/** Unique / new / repeat renters of the periods of a new job (repeat: job count reached 2 by then). */
async function countRenter(ctx: Ctx, address: Hex, t: bigint): Promise<void> {
  const existing = await ctx.db.find(renter, { address });
  const jobs = (existing?.jobsCreated ?? 0) + 1;
  if (existing === null) {
    await ctx.db.insert(renter).values({ address, firstJobAt: t, lastJobAt: t, jobsCreated: 1 });
  } else {
    await ctx.db.update(renter, { address }).set({ jobsCreated: jobs, lastJobAt: t });
  }
  for (const { period, periodStart } of periodsOfHour(hourStart(t))) {
    const key = { renter: address, period, periodStart };
    const seen = await ctx.db.find(renterPeriod, key);
    const repeatNow = jobs >= 2 && !(seen?.repeat ?? false);
    if (seen === null) await ctx.db.insert(renterPeriod).values({ ...key, jobs: 1, repeat: jobs >= 2 });
    else await ctx.db.update(renterPeriod, key).set({ jobs: seen.jobs + 1, repeat: seen.repeat || jobs >= 2 });
    await addNetworkPeriod(ctx, period, periodStart, {
      uniqueRenters: seen === null ? 1 : 0,
      newRenters: jobs === 1 ? 1 : 0,
      repeatRenters: repeatNow ? 1 : 0,
      becameRepeatRenters: jobs === 2 ? 1 : 0,
    });
  }
}

ponder.on("JobMarket:JobCreated", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const a = event.args;
  // The request as the renter sent it (GPUs, requirements, duration, reserve, rule, windows, spec hash).
  const r = a.request;
  const decimals = await tokenDecimals(context, a.paymentToken);
  const settlement = context.contracts.Settlement.address.toLowerCase();
  await context.db.insert(job).values({
    id: a.jobId,
    renter: a.renter,
    paymentToken: a.paymentToken,
    isCredits: a.paymentToken.toLowerCase() === settlement,
    gpuModel: r.gpuModel,
    gpuModelName: modelName(r.gpuModel),
    gpuCount: r.gpuCount,
    minVramGb: r.minVramGb,
    region: r.region,
    minReputation: r.minReputation,
    duration: BigInt(r.duration),
    reservePricePerGpuHour: r.reservePricePerGpuHour,
    reservePriceUsd: toUsd(r.reservePricePerGpuHour, decimals),
    pricingRule: PricingRule.nameOf(r.pricingRule)!,
    specHash: r.specHash,
    bidDeadline: BigInt(a.bidDeadline),
    revealDeadline: BigInt(a.revealDeadline),
    budget: a.escrow,
    paramsId: a.paramsId,
    state: "Bidding",
    createdAt: t,
    createdBlock: event.block.number,
  });
  await countRenter(context, a.renter, t);
  const hs = hourStart(t);
  await addNetwork(context, hs, { jobsCreated: 1 });
  await addToken(context, a.paymentToken, hs, { jobsCreated: 1, escrowed: a.escrow });
  await addModel(context, r.gpuModel, hs, { jobsCreated: 1 });
});

// A credit job's mint floor: set right after JobCreated, raised if a dispute bond's credits carry a higher one.
ponder.on("JobMarket:CreditFloorSet", async ({ event, context }) => {
  await tick(context, event.block);
  await context.db.update(job, { id: event.args.jobId }).set({ creditFloor: event.args.floorPrice });
});

ponder.on("JobMarket:JobCancelled", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  await context.db.update(job, { id: event.args.jobId }).set({ state: "Cancelled", outcome: "cancelled", closedAt: t });
  await addRefund(context, event.args.jobId, event.args.refund);
  await addNetwork(context, hourStart(t), { jobsCancelled: 1 });
});

ponder.on("JobMarket:BidCommitted", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const { jobId, provider: address, commitment, lockedGrl, bidCount } = event.args;
  await context.db.insert(bid).values({
    jobId,
    provider: address,
    commitment,
    lockedGrl,
    bidIndex: bidCount,
    committedAt: t,
    status: "committed",
  });
  await context.db.update(job, { id: jobId }).set({ bidCount });
  await context.db.update(provider, { address }).set((p) => ({ bidsCommitted: p.bidsCommitted + 1, lastActiveAt: t }));
  await addNetwork(context, hourStart(t), { bidsCommitted: 1 });
});

ponder.on("JobMarket:BidRevealed", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const { jobId, provider: address, price, revealCount, isBest } = event.args;
  const row = await mustJob(context, jobId);
  const decimals = await tokenDecimals(context, row.paymentToken);
  await context.db.update(bid, { jobId, provider: address }).set({
    price,
    priceUsd: toUsd(price, decimals),
    revealedAt: t,
    revealIndex: revealCount,
    wasBest: isBest,
    status: "revealed",
  });
  await context.db.update(job, { id: jobId }).set({ revealCount });
  await context.db.update(provider, { address }).set((p) => ({ bidsRevealed: p.bidsRevealed + 1, lastActiveAt: t }));
  await addNetwork(context, hourStart(t), { bidsRevealed: 1 });
});

ponder.on("JobMarket:BidReleased", async ({ event, context }) => {
  await tick(context, event.block);
  const { jobId, provider: address, unlockedGrl } = event.args;
  await context.db
    .update(bid, { jobId, provider: address })
    .set({ status: "released", unlockedGrl, closedAt: event.block.timestamp });
});

ponder.on("JobMarket:BidBondForfeited", async ({ event, context }) => {
  await tick(context, event.block);
  const { jobId, provider: address, bond, unlockedGrl } = event.args;
  await context.db
    .update(bid, { jobId, provider: address })
    .set({ status: "forfeited", bondForfeited: bond, unlockedGrl, closedAt: event.block.timestamp });
  await context.db.update(provider, { address }).set((p) => ({ bondsForfeited: p.bondsForfeited + 1 }));
});

ponder.on("JobMarket:JobAwarded", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const hs = hourStart(t);
  const a = event.args;
  const row = await mustJob(context, a.jobId);
  const decimals = await tokenDecimals(context, row.paymentToken);
  const clearingUsd = toUsd(a.clearingPrice, decimals);
  const reserveUsd = toUsd(a.reservePricePerGpuHour, decimals);
  const valueUsd = toUsd(a.value, decimals);
  const gpuSeconds = BigInt(a.gpuCount) * row.duration;
  await context.db.update(job, { id: a.jobId }).set({
    state: "Awarded",
    provider: a.provider,
    clearingPrice: a.clearingPrice,
    clearingPriceUsd: clearingUsd,
    value: a.value,
    valueUsd,
    collateral: a.collateral,
    awardedAt: t,
    startDeadline: BigInt(a.startDeadline),
    bidCount: a.bidCount,
    revealCount: a.revealCount,
  });
  await addRefund(context, a.jobId, a.refund);
  const sealed = a.pricingRule !== INSTANT;
  if (sealed)
    await context.db.update(bid, { jobId: a.jobId, provider: a.provider }).set({ status: "won", closedAt: t });
  await context.db.update(provider, { address: a.provider }).set((p) => ({ jobsWon: p.jobsWon + 1, lastActiveAt: t }));
  await context.db.update(renter, { address: a.renter }).set((r) => ({ jobsAwarded: r.jobsAwarded + 1 }));
  await addNetwork(context, hs, {
    jobsAwarded: 1,
    awardSeconds: t - row.createdAt,
    awardedValueUsd: valueUsd,
    awardedGpuSeconds: gpuSeconds,
    ...(sealed
      ? {
          auctionsClosed: 1,
          auctionsAwarded: 1,
          closedAuctionBids: a.bidCount,
          closedAuctionReveals: a.revealCount,
          auctionClearingUsd: clearingUsd,
          auctionReserveUsd: reserveUsd,
        }
      : { instantAwards: 1 }),
  });
  await addClearingPrice(context, a.gpuModel, hs, clearingUsd, gpuSeconds, reserveUsd);
  await addProvider(context, a.provider, hs, { jobsWon: 1 });
});

ponder.on("JobMarket:JobExpired", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const row = await mustJob(context, event.args.jobId);
  await context.db
    .update(job, { id: row.id })
    .set({ state: "Expired", outcome: "expired", closedAt: t, bidCount: event.args.bidCount });
  await addRefund(context, row.id, event.args.refund);
  const sealed = row.pricingRule !== "Instant";
  await addNetwork(context, hourStart(t), {
    jobsExpired: 1,
    ...(sealed ? { auctionsClosed: 1, auctionsExpired: 1, closedAuctionBids: event.args.bidCount } : {}),
  });
});

ponder.on("JobMarket:JobStarted", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  await context.db.update(job, { id: event.args.jobId }).set({
    state: "Running",
    startedAt: BigInt(event.args.startedAt),
    endsAt: BigInt(event.args.endsAt),
  });
  await context.db
    .update(provider, { address: event.args.provider })
    .set((p) => ({ jobsStarted: p.jobsStarted + 1, lastActiveAt: t }));
  await addNetwork(context, hourStart(t), { jobsStarted: 1 });
});

ponder.on("JobMarket:PaymentClaimed", async ({ event, context }) => {
  await tick(context, event.block);
  const row = await mustJob(context, event.args.jobId);
  await recordPayout(context, event, row, "claim", event.args.gross, event.args.fee);
});

ponder.on("JobMarket:JobStopped", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const a = event.args;
  const row = await mustJob(context, a.jobId);
  await recordPayout(context, event, row, "stop", a.providerGross, a.fee);
  await context.db
    .update(job, { id: a.jobId })
    .set({ state: "Cancelled", outcome: "stopped", ranSeconds: BigInt(a.ranSeconds), closedAt: t });
  await addRefund(context, a.jobId, a.refund);
  await context.db.update(provider, { address: a.provider }).set((p) => ({ jobsStopped: p.jobsStopped + 1 }));
  await addNetwork(context, hourStart(t), { jobsStopped: 1 });
});

ponder.on("JobMarket:JobDelivered", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const a = event.args;
  await context.db.update(job, { id: a.jobId }).set((row) => {
    // The delivery answers the spec the job was created with; the market emits the stored hash.
    if (row.specHash.toLowerCase() !== a.specHash.toLowerCase()) {
      throw new Error(`job ${a.jobId}: JobDelivered spec hash ${a.specHash} differs from JobCreated's ${row.specHash}`);
    }
    return {
      state: "Delivered",
      deliveredAt: t,
      resultHash: a.resultHash,
      resultUri: a.resultURI,
      challengeDeadline: BigInt(a.challengeDeadline),
    };
  });
  await updateReliability(context, a.provider, (p) => ({ jobsDelivered: p.jobsDelivered + 1 }));
  await addNetwork(context, hourStart(t), { jobsDelivered: 1 });
});

ponder.on("JobMarket:JobSettled", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const hs = hourStart(t);
  const a = event.args;
  const row = await mustJob(context, a.jobId);
  await recordPayout(context, event, row, "settle", a.finalGross, a.fee);
  await context.db.update(job, { id: a.jobId }).set({
    state: "Settled",
    outcome: "settled",
    closedAt: t,
    ranSeconds: ranUntilDelivery(row),
    bondToProvider: a.bondToProvider,
    bondRefund: a.bondRefund,
  });
  if (bondInJobToken(row)) await addRefund(context, a.jobId, a.bondRefund);
  const open = await context.db.find(dispute, { jobId: a.jobId });
  const timedOut = open !== null && open.status === "open";
  if (timedOut) {
    await context.db.update(dispute, { jobId: a.jobId }).set({ status: "timeout", resolvedAt: t });
  }
  await updateReliability(context, a.provider, (p) => ({
    jobsSettled: p.jobsSettled + 1,
    disputeTimeouts: p.disputeTimeouts + (timedOut ? 1 : 0),
  }));
  await context.db.update(renter, { address: a.renter }).set((r) => ({ jobsSettled: r.jobsSettled + 1 }));
  await addNetwork(context, hs, { jobsCompleted: 1, disputeTimeouts: timedOut ? 1 : 0 });
  await addProvider(context, a.provider, hs, { jobsSettled: 1 });
});

ponder.on("JobMarket:JobDisputed", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const a = event.args;
  const row = await mustJob(context, a.jobId);
  await context.db.insert(dispute).values({
    jobId: a.jobId,
    renter: a.renter,
    provider: row.provider!,
    evidenceHash: a.evidenceHash,
    bondToken: a.bondToken,
    bond: a.bond,
    openedAt: t,
    deadline: BigInt(a.disputeDeadline),
    status: "open",
  });
  await context.db
    .update(job, { id: a.jobId })
    .set({ state: "Disputed", disputeBondToken: a.bondToken, disputeBond: a.bond });
  await updateReliability(context, row.provider!, (p) => ({ jobsDisputed: p.jobsDisputed + 1 }));
  await addNetwork(context, hourStart(t), { jobsDisputed: 1 });
});

ponder.on("JobMarket:DisputeResolvedForRenter", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const hs = hourStart(t);
  const a = event.args;
  const row = await mustJob(context, a.jobId);
  await recordPayout(context, event, row, "ruling", a.providerGross, a.fee);
  await context.db.update(job, { id: a.jobId }).set({
    state: "Resolved",
    outcome: "resolved_for_renter",
    closedAt: t,
    slashedToRenter: a.slashedToRenter,
    slashedBurned: a.slashedBurned,
  });
  // The renter's bond comes back with the refund (counted in it when it is in the job's token).
  await addRefund(context, a.jobId, a.refund + (bondInJobToken(row) ? (row.disputeBond ?? 0n) : 0n));
  await context.db.update(dispute, { jobId: a.jobId }).set({
    status: "provider_fault",
    arbiter: a.arbiter,
    resolvedAt: t,
    slashedToRenter: a.slashedToRenter,
    slashedBurned: a.slashedBurned,
  });
  await updateReliability(context, a.provider, (p) => ({ disputesLost: p.disputesLost + 1 }));
  await addNetwork(context, hs, { disputesForRenter: 1 });
  await addProvider(context, a.provider, hs, { disputesLost: 1 });
});

ponder.on("JobMarket:DisputeResolvedForProvider", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const row = await mustJob(context, event.args.jobId);
  await context.db
    .update(dispute, { jobId: row.id })
    .set({ status: "renter_fault", arbiter: event.args.arbiter, resolvedAt: t });
  await context.db.update(provider, { address: row.provider! }).set((p) => ({ disputesWon: p.disputesWon + 1 }));
  await addNetwork(context, hourStart(t), { disputesForProvider: 1 });
});

ponder.on("JobMarket:JobFailed", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const hs = hourStart(t);
  const a = event.args;
  await context.db.update(job, { id: a.jobId }).set({
    state: "Failed",
    outcome: a.reason === FailureReason.valueOf("NoShow") ? "failed_no_show" : "failed_late",
    closedAt: t,
    slashedToRenter: a.slashedToRenter,
    slashedBurned: a.slashedBurned,
  });
  await addRefund(context, a.jobId, a.refund);
  await updateReliability(context, a.provider, (p) => ({ jobsFailed: p.jobsFailed + 1 }));
  await addNetwork(context, hs, { jobsFailed: 1 });
  await addProvider(context, a.provider, hs, { jobsFailed: 1 });
});

ponder.on("JobMarket:Withdrawn", async ({ event, context }) => {
  await tick(context, event.block);
  await context.db.insert(withdrawal).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    token: event.args.token,
    account: event.args.account,
    to: event.args.to,
    amount: event.args.amount,
    timestamp: event.block.timestamp,
  });
});

ponder.on("JobMarket:MarketParamsSet", async ({ event, context }) => {
  await tick(context, event.block);
  const p = event.args.params;
  await context.db.insert(marketParameterSet).values({
    id: event.args.paramsId,
    feeBps: p.feeBps,
    collateralBps: p.collateralBps,
    holdbackBps: p.holdbackBps,
    slashToRenterBps: p.slashToRenterBps,
    faultSlashBps: p.faultSlashBps,
    disputeBondBps: p.disputeBondBps,
    maxBids: p.maxBids,
    bidBond: p.bidBond,
    bidBondBps: p.bidBondBps,
    startWindow: BigInt(p.startWindow),
    challengeWindow: BigInt(p.challengeWindow),
    disputeTimeout: BigInt(p.disputeTimeout),
    deliveryGrace: BigInt(p.deliveryGrace),
    setAt: event.block.timestamp,
  });
});

ponder.on("JobMarket:PaymentTokenSet", async ({ event, context }) => {
  await tick(context, event.block);
  const { token, allowed, decimals } = event.args;
  const isCredits = token.toLowerCase() === context.contracts.Settlement.address.toLowerCase();
  await context.db
    .insert(paymentToken)
    .values({ address: token, allowed, decimals, isCredits, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ allowed, decimals, updatedAt: event.block.timestamp });
});

for (const name of ["TreasurySet", "OracleSet"] as const) {
  ponder.on(`JobMarket:${name}`, async ({ event, context }) => {
    await tick(context, event.block);
    await recordParameterChange(context, event, "JobMarket", name === "TreasurySet" ? "treasury" : "oracle");
  });
}
