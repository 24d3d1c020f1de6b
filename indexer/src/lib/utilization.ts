// Utilization accounting. GPU counts are piecewise constant between events, so GPU-seconds are exact
// integrals: each subject (the network, a GPU model, a provider) keeps its current rates (GPUs available,
// GPUs leased) and the time it was accrued up to, and is accrued (split at hour boundaries) before any
// rate changes. When a block opens a new hour, every subject is first accrued up to that hour, so every
// hour gets a row for every subject even when nothing happened in it.
//
// Available GPUs of an inventory line: its listed count while the provider is online; while offline, the
// GPUs it still leases to running jobs (they are in service), so utilization never exceeds 1.
import type { Hex } from "viem";

import { gpuLine, gpuModel, indexerClock, provider } from "ponder:schema";

import { type Ctx, HOUR, hourStart, min, periodsOfHour } from "./core";
import {
  addModel,
  addNetwork,
  addNetworkPeriod,
  addProviderPeriod,
  type ModelDeltas,
  type NetworkDeltas,
  type ProviderDeltas,
} from "./metrics";

type Subject = { scope: "network" } | { scope: "model"; model: Hex } | { scope: "provider"; address: Hex };

interface Rates {
  availableGpus: bigint;
  leasedGpus: bigint;
  accruedUntil: bigint;
}

async function addGpuSeconds(ctx: Ctx, subject: Subject, hs: bigint, available: bigint, leased: bigint): Promise<void> {
  // One set of deltas for every subject's table, so it names only columns all three have.
  const deltas = { availableGpuSeconds: available, leasedGpuSeconds: leased } satisfies NetworkDeltas &
    ModelDeltas &
    ProviderDeltas;
  if (subject.scope === "network") return addNetwork(ctx, hs, deltas);
  if (subject.scope === "model") return addModel(ctx, subject.model, hs, deltas);
  for (const { period, periodStart } of periodsOfHour(hs)) {
    const { becameActive, becameServing } = await addProviderPeriod(ctx, subject.address, period, periodStart, deltas);
    if (becameActive || becameServing) {
      await addNetworkPeriod(ctx, period, periodStart, {
        activeProviders: becameActive ? 1 : 0,
        servingProviders: becameServing ? 1 : 0,
      });
    }
  }
}

/** Accrues `rates` from their accruedUntil to `until`, one piece per hour (rows are written even for zero rates). */
async function accrue(ctx: Ctx, subject: Subject, rates: Rates, until: bigint): Promise<void> {
  let from = rates.accruedUntil;
  while (from < until) {
    const hs = hourStart(from);
    const end = min(hs + HOUR, until);
    const seconds = end - from;
    await addGpuSeconds(ctx, subject, hs, seconds * rates.availableGpus, seconds * rates.leasedGpus);
    from = end;
  }
}

export interface Block {
  number: bigint;
  timestamp: bigint;
}

/**
 * Runs first in every handler: on the first block of a new hour, closes the hours before it for every
 * subject (the network, each model, each provider), then records the block as the latest indexed one.
 * Within an hour, subjects are accrued only when their rates change; readers add the open stretch since
 * `accruedUntil` themselves (see /summary).
 */
export async function tick(ctx: Ctx, block: Block): Promise<void> {
  const t = block.timestamp;
  const hs = hourStart(t);
  const clock = await ctx.db.find(indexerClock, { id: 0 });
  if (clock === null) {
    await ctx.db.insert(indexerClock).values({
      id: 0,
      hourStart: hs,
      blockNumber: block.number,
      blockTimestamp: t,
      availableGpus: 0n,
      leasedGpus: 0n,
      accruedUntil: t,
      providers: [],
      models: [],
    });
    await addNetwork(ctx, hs, {});
    return;
  }
  if (t < clock.blockTimestamp) throw new Error(`block ${block.number} is older than block ${clock.blockNumber}`);
  if (hs > clock.hourStart) {
    await accrue(ctx, { scope: "network" }, clock, hs);
    for (const model of clock.models) {
      const row = (await ctx.db.find(gpuModel, { id: model }))!;
      await accrue(ctx, { scope: "model", model }, row, hs);
      await ctx.db.update(gpuModel, { id: model }).set({ accruedUntil: hs });
    }
    for (const address of clock.providers) {
      const row = (await ctx.db.find(provider, { address }))!;
      await accrue(ctx, { scope: "provider", address }, row, hs);
      await ctx.db.update(provider, { address }).set({ accruedUntil: hs });
    }
    await ctx.db
      .update(indexerClock, { id: 0 })
      .set({ hourStart: hs, blockNumber: block.number, blockTimestamp: t, accruedUntil: hs });
    return;
  }
  if (block.number !== clock.blockNumber) {
    await ctx.db.update(indexerClock, { id: 0 }).set({ blockNumber: block.number, blockTimestamp: t });
  }
}

/** Registers a new provider or GPU model with the clock, so its hours are closed from now on. */
export async function registerSubject(ctx: Ctx, subject: { provider: Hex } | { model: Hex }): Promise<void> {
  await ctx.db
    .update(indexerClock, { id: 0 })
    .set((clock) =>
      "provider" in subject
        ? { providers: [...clock.providers, subject.provider] }
        : { models: [...clock.models, subject.model] },
    );
}

/** Changes the rates of the network, `model` and `address` by the deltas, accruing each up to `t` first. */
export async function changeRates(
  ctx: Ctx,
  t: bigint,
  address: Hex,
  model: Hex,
  availableDelta: bigint,
  leasedDelta: bigint,
): Promise<void> {
  if (availableDelta === 0n && leasedDelta === 0n) return;
  const clock = (await ctx.db.find(indexerClock, { id: 0 }))!;
  await accrue(ctx, { scope: "network" }, clock, t);
  await ctx.db.update(indexerClock, { id: 0 }).set({
    availableGpus: clock.availableGpus + availableDelta,
    leasedGpus: clock.leasedGpus + leasedDelta,
    accruedUntil: t,
  });
  const modelRow = (await ctx.db.find(gpuModel, { id: model }))!;
  await accrue(ctx, { scope: "model", model }, modelRow, t);
  await ctx.db.update(gpuModel, { id: model }).set({
    availableGpus: modelRow.availableGpus + availableDelta,
    leasedGpus: modelRow.leasedGpus + leasedDelta,
    accruedUntil: t,
  });
  const providerRow = (await ctx.db.find(provider, { address }))!;
  await accrue(ctx, { scope: "provider", address }, providerRow, t);
  await ctx.db.update(provider, { address }).set({
    availableGpus: providerRow.availableGpus + availableDelta,
    leasedGpus: providerRow.leasedGpus + leasedDelta,
    accruedUntil: t,
  });
}

/** GPUs of a line that count as available: listed while online, leased (still serving) while offline. */
export function lineAvailable(online: boolean, count: number, leased: number): bigint {
  return BigInt(online ? count : leased);
}

/** Applies a new state of one inventory line (count, leased) and/or of its provider's availability. */
export async function updateLine(
  ctx: Ctx,
  t: bigint,
  address: Hex,
  model: Hex,
  before: { online: boolean; count: number; leased: number },
  after: { online: boolean; count: number; leased: number },
): Promise<void> {
  const availableDelta =
    lineAvailable(after.online, after.count, after.leased) - lineAvailable(before.online, before.count, before.leased);
  await changeRates(ctx, t, address, model, availableDelta, BigInt(after.leased - before.leased));
}

/** The current state of a provider's line (count 0 when never listed or removed). */
export async function lineState(ctx: Ctx, address: Hex, model: Hex): Promise<{ count: number; leased: number }> {
  const line = await ctx.db.find(gpuLine, { provider: address, model });
  return { count: line?.listed ? line.count : 0, leased: line?.leased ?? 0 };
}
