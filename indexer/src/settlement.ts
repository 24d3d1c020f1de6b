// Settlement: USD credits (bought by burning GRL, escrowed, refunded), USD earnings minted as GRL within
// the epoch's cap (the rest queued), and epoch emissions.
import { ponder } from "ponder:registry";
import {
  creditPurchase,
  earningsWithdrawal,
  emission,
  emissionEpoch,
  emissionProvider,
  mintTicket,
} from "ponder:schema";

import { hourStart } from "./lib/core";
import { addNetwork } from "./lib/metrics";
import { recordParameterChange } from "./lib/parameters";
import { tick } from "./lib/utilization";

ponder.on("Settlement:CreditsPurchased", async ({ event, context }) => {
  await tick(context, event.block);
  const a = event.args;
  await context.db.insert(creditPurchase).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    buyer: a.buyer,
    account: a.account,
    grlBurned: a.grlBurned,
    usdValue: a.usdValue,
    credits: a.credits,
    grlUsdPrice: a.grlUsdPrice,
    spreadBps: a.spreadBps,
    timestamp: event.block.timestamp,
  });
  await addNetwork(context, hourStart(event.block.timestamp), {
    creditsBought: a.credits,
    grlBurnedForCredits: a.grlBurned,
  });
});

ponder.on("Settlement:CreditsSpent", async ({ event, context }) => {
  await tick(context, event.block);
  await addNetwork(context, hourStart(event.block.timestamp), { creditsSpent: event.args.amount });
});

ponder.on("Settlement:CreditsRefunded", async ({ event, context }) => {
  await tick(context, event.block);
  await addNetwork(context, hourStart(event.block.timestamp), { creditsRefunded: event.args.amount });
});

ponder.on("Settlement:EarningsAccrued", async ({ event, context }) => {
  await tick(context, event.block);
  await addNetwork(context, hourStart(event.block.timestamp), { earningsAccruedUsd: event.args.usdAmount });
});

ponder.on("Settlement:EarningsWithdrawn", async ({ event, context }) => {
  await tick(context, event.block);
  const a = event.args;
  const t = event.block.timestamp;
  await context.db.insert(earningsWithdrawal).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    account: a.account,
    recipient: a.recipient,
    usdAmount: a.usdAmount,
    grlAmount: a.grlAmount,
    grlUsdPrice: a.grlUsdPrice,
    mintedNow: a.mintedNow,
    ticketId: a.ticketId,
    queued: a.queued,
    epoch: a.epoch,
    grlCap: a.grlCap,
    timestamp: t,
  });
  if (a.ticketId !== 0n) {
    await context.db
      .insert(mintTicket)
      .values({ id: a.ticketId, account: a.account, recipient: a.recipient, amount: a.queued, createdAt: t });
  }
  await addNetwork(context, hourStart(t), { earningsWithdrawnUsd: a.usdAmount });
});

ponder.on("Settlement:EarningsMinted", async ({ event, context }) => {
  await tick(context, event.block);
  await addNetwork(context, hourStart(event.block.timestamp), { grlMintedForEarnings: event.args.amount });
});

ponder.on("Settlement:QueuedMintsReleased", async ({ event, context }) => {
  // The GRL itself is counted by EarningsMinted (minted into custody) and TokensMinted.
  await tick(context, event.block);
});

ponder.on("Settlement:QueuedMintClaimed", async ({ event, context }) => {
  await tick(context, event.block);
  await context.db
    .update(mintTicket, { id: event.args.ticketId })
    .set({ claimed: event.args.claimed, lastClaimAt: event.block.timestamp });
});

ponder.on("Settlement:GpuSecondsRecorded", async ({ event, context }) => {
  await tick(context, event.block);
  const a = event.args;
  await context.db
    .insert(emissionEpoch)
    .values({
      epoch: a.epoch,
      budget: a.epochBudget,
      gpuSeconds: a.epochGpuSeconds,
      feesUsd: a.feesUsd,
      firstRecordAt: event.block.timestamp,
    })
    .onConflictDoUpdate((row) => ({
      budget: a.epochBudget,
      gpuSeconds: a.epochGpuSeconds,
      feesUsd: row.feesUsd + a.feesUsd,
    }));
  // The event carries the provider's running totals, so the record is set, not added to.
  await context.db
    .insert(emissionProvider)
    .values({
      epoch: a.epoch,
      provider: a.provider,
      gpuSeconds: a.providerGpuSeconds,
      feesUsd: a.providerFeesUsd,
      records: 1,
    })
    .onConflictDoUpdate((row) => ({
      gpuSeconds: a.providerGpuSeconds,
      feesUsd: a.providerFeesUsd,
      records: row.records + 1,
    }));
});

ponder.on("Settlement:EmissionClaimed", async ({ event, context }) => {
  await tick(context, event.block);
  const a = event.args;
  await context.db.insert(emission).values({
    epoch: a.epoch,
    provider: a.provider,
    amount: a.amount,
    gpuSeconds: a.gpuSeconds,
    share: a.share,
    feesUsd: a.feesUsd,
    grlUsdPrice: a.grlUsdPrice,
    claimedAt: event.block.timestamp,
  });
  await context.db
    .update(emissionEpoch, { epoch: a.epoch })
    .set((row) => ({ claimed: a.epochClaimed, shares: row.shares + a.share, providers: row.providers + 1 }));
  await context.db
    .update(emissionProvider, { epoch: a.epoch, provider: a.provider })
    .set({ claimedAt: event.block.timestamp });
  await addNetwork(context, hourStart(event.block.timestamp), { emissionsPaid: a.amount });
});

const PARAMETERS = {
  SpreadSet: "spreadBps",
  MintCapSet: "mintCapPerEpoch",
  EmissionBudgetSet: "emissionBudgetPerEpoch",
  OracleSet: "oracle",
} as const;

for (const [eventName, name] of Object.entries(PARAMETERS) as [keyof typeof PARAMETERS, string][]) {
  ponder.on(`Settlement:${eventName}`, async ({ event, context }) => {
    await tick(context, event.block);
    await recordParameterChange(context, event, "Settlement", name);
  });
}
