// ProviderRegistry: providers, inventory lines, availability, stake, collateral, slashing, leases and
// reputation. Leases and availability drive the utilization integrals (lib/utilization.ts).
import { ponder } from "ponder:registry";
import { gpuLine, gpuModel, provider, slashEvent } from "ponder:schema";

import { hourStart, modelName } from "./lib/core";
import { addNetwork, addProvider } from "./lib/metrics";
import { recordParameterChange } from "./lib/parameters";
import { lineState, registerSubject, tick, updateLine } from "./lib/utilization";

ponder.on("ProviderRegistry:ProviderRegistered", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  await context.db.insert(provider).values({
    address: event.args.provider,
    registeredAt: t,
    registeredBlock: event.block.number,
    metadataUri: event.args.metadataURI,
    region: event.args.region,
    reputation: event.args.reputation,
    online: false,
    models: [],
    modelNames: [],
    accruedUntil: t,
    lastActiveAt: t,
  });
  await registerSubject(context, { provider: event.args.provider });
  await addNetwork(context, hourStart(t), { newProviders: 1 });
});

ponder.on("ProviderRegistry:ProviderProfileUpdated", async ({ event, context }) => {
  await tick(context, event.block);
  await context.db
    .update(provider, { address: event.args.provider })
    .set({ metadataUri: event.args.metadataURI, region: event.args.region });
});

ponder.on("ProviderRegistry:GpuLineSet", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const { provider: address, model, count, vramGb, tflopsX100, listedGpus } = event.args;
  if ((await context.db.find(gpuModel, { id: model })) === null) {
    await context.db.insert(gpuModel).values({ id: model, name: modelName(model), accruedUntil: t });
    await registerSubject(context, { model });
  }
  // Read now: the store's row is a live view, and the upsert below sets `listed`.
  const wasListed = (await context.db.find(gpuLine, { provider: address, model }))?.listed ?? false;
  const before = await lineState(context, address, model);
  const { online } = (await context.db.find(provider, { address }))!;
  await updateLine(context, t, address, model, { online, ...before }, { online, count, leased: before.leased });
  await context.db
    .insert(gpuLine)
    .values({
      provider: address,
      model,
      modelName: modelName(model),
      count,
      vramGb,
      tflopsX100,
      listed: true,
      createdAt: t,
      updatedAt: t,
    })
    .onConflictDoUpdate({ count, vramGb, tflopsX100, listed: true, updatedAt: t });
  await context.db.update(gpuModel, { id: model }).set((row) => ({
    listedGpus: row.listedGpus + BigInt(count - before.count),
    lines: row.lines + (wasListed ? 0 : 1),
  }));
  await context.db.update(provider, { address }).set((row) => ({
    listedGpus,
    models: row.models.includes(model) ? row.models : [...row.models, model],
    modelNames: row.models.includes(model) ? row.modelNames : [...row.modelNames, modelName(model)],
    lastActiveAt: t,
  }));
});

ponder.on("ProviderRegistry:GpuLineRemoved", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const { provider: address, model, listedGpus } = event.args;
  const before = await lineState(context, address, model);
  const { online } = (await context.db.find(provider, { address }))!;
  await updateLine(context, t, address, model, { online, ...before }, { online, count: 0, leased: before.leased });
  await context.db.update(gpuLine, { provider: address, model }).set({ count: 0, listed: false, updatedAt: t });
  await context.db.update(gpuModel, { id: model }).set((row) => ({
    listedGpus: row.listedGpus - BigInt(before.count),
    lines: row.lines - 1,
  }));
  await context.db.update(provider, { address }).set({ listedGpus, lastActiveAt: t });
});

ponder.on("ProviderRegistry:ProviderAvailabilityChanged", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const { provider: address, online } = event.args;
  const row = (await context.db.find(provider, { address }))!;
  for (const model of row.models) {
    const line = await lineState(context, address, model);
    await updateLine(context, t, address, model, { online: row.online, ...line }, { online, ...line });
  }
  await context.db.update(provider, { address }).set({ online, lastActiveAt: t });
});

// A lease and its release both carry the line's leased count after the change.
for (const name of ["GpusLeased", "GpusReleased"] as const) {
  ponder.on(`ProviderRegistry:${name}`, async ({ event, context }) => {
    await tick(context, event.block);
    const t = event.block.timestamp;
    const { provider: address, model, leased } = event.args;
    const before = await lineState(context, address, model);
    const { online } = (await context.db.find(provider, { address }))!;
    await updateLine(context, t, address, model, { online, ...before }, { online, count: before.count, leased });
    await context.db.update(gpuLine, { provider: address, model }).set({ leased, updatedAt: t });
  });
}

ponder.on("ProviderRegistry:Staked", async ({ event, context }) => {
  await tick(context, event.block);
  const { provider: address, amount, freeStake } = event.args;
  await context.db
    .update(provider, { address })
    .set((row) => ({ freeStake, totalStaked: row.totalStaked + amount, lastActiveAt: event.block.timestamp }));
  await addNetwork(context, hourStart(event.block.timestamp), { stakeAdded: amount });
});

ponder.on("ProviderRegistry:UnbondingRequested", async ({ event, context }) => {
  await tick(context, event.block);
  const { provider: address, freeStake, unbondingStake, unlocksAt } = event.args;
  await context.db
    .update(provider, { address })
    .set({ freeStake, unbondingStake, unbondingUnlocksAt: unlocksAt, lastActiveAt: event.block.timestamp });
});

ponder.on("ProviderRegistry:UnbondingCancelled", async ({ event, context }) => {
  await tick(context, event.block);
  const { provider: address, freeStake } = event.args;
  await context.db
    .update(provider, { address })
    .set({ freeStake, unbondingStake: 0n, unbondingUnlocksAt: 0n, lastActiveAt: event.block.timestamp });
});

ponder.on("ProviderRegistry:StakeWithdrawn", async ({ event, context }) => {
  await tick(context, event.block);
  const { provider: address, amount } = event.args;
  await context.db.update(provider, { address }).set((row) => ({
    unbondingStake: row.unbondingStake - amount,
    unbondingUnlocksAt: 0n,
    totalWithdrawn: row.totalWithdrawn + amount,
    lastActiveAt: event.block.timestamp,
  }));
  await addNetwork(context, hourStart(event.block.timestamp), { stakeWithdrawn: amount });
});

ponder.on("ProviderRegistry:CollateralLocked", async ({ event, context }) => {
  await tick(context, event.block);
  const { provider: address, amount, freeStake } = event.args;
  await context.db.update(provider, { address }).set((row) => ({ freeStake, lockedStake: row.lockedStake + amount }));
});

ponder.on("ProviderRegistry:CollateralUnlocked", async ({ event, context }) => {
  await tick(context, event.block);
  const { provider: address, amount, freeStake } = event.args;
  await context.db.update(provider, { address }).set((row) => ({ freeStake, lockedStake: row.lockedStake - amount }));
});

ponder.on("ProviderRegistry:ProviderSlashed", async ({ event, context }) => {
  await tick(context, event.block);
  const t = event.block.timestamp;
  const { provider: address, lockId, recipient, toRecipient, burned } = event.args;
  const total = toRecipient + burned;
  await context.db.insert(slashEvent).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    provider: address,
    jobId: lockId,
    recipient,
    toRecipient,
    burned,
    timestamp: t,
  });
  await context.db.update(provider, { address }).set((row) => ({
    lockedStake: row.lockedStake - total,
    totalSlashed: row.totalSlashed + total,
    slashCount: row.slashCount + 1,
  }));
  await addNetwork(context, hourStart(t), { slashed: total, slashes: 1, grlBurnedBySlashing: burned });
  await addProvider(context, address, hourStart(t), { slashed: total });
});

ponder.on("ProviderRegistry:ReputationUpdated", async ({ event, context }) => {
  await tick(context, event.block);
  await context.db.update(provider, { address: event.args.provider }).set({ reputation: event.args.current });
});

const PARAMETERS = {
  MinStakePerGpuSet: "minStakePerGpu",
  UnbondingPeriodSet: "unbondingPeriod",
  ReputationReferenceValueSet: "reputationReferenceValue",
} as const;

for (const [eventName, name] of Object.entries(PARAMETERS) as [keyof typeof PARAMETERS, string][]) {
  ponder.on(`ProviderRegistry:${eventName}`, async ({ event, context }) => {
    await tick(context, event.block);
    await recordParameterChange(context, event, "ProviderRegistry", name);
  });
}
