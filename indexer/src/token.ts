// GridleaseToken: GRL issuance (Transfer from the zero address, the genesis supply included), mints
// (TokensMinted) and burns (TokensBurned), so totalSupply = issued - burned at every block.
import { ponder } from "ponder:registry";
import { burn, mint } from "ponder:schema";

import { hourStart } from "./lib/core";
import { addNetwork } from "./lib/metrics";
import { tick } from "./lib/utilization";

ponder.on("GridleaseToken:Transfer", async ({ event, context }) => {
  // Only transfers from the zero address reach here (see the filter in ponder.config.ts).
  await tick(context, event.block);
  await addNetwork(context, hourStart(event.block.timestamp), { grlIssued: event.args.value });
});

ponder.on("GridleaseToken:TokensMinted", async ({ event, context }) => {
  await tick(context, event.block);
  const a = event.args;
  await context.db.insert(mint).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    minter: a.minter,
    to: a.to,
    amount: a.amount,
    totalMinted: a.totalMinted,
    timestamp: event.block.timestamp,
  });
  await addNetwork(context, hourStart(event.block.timestamp), { grlMinted: a.amount });
});

ponder.on("GridleaseToken:TokensBurned", async ({ event, context }) => {
  await tick(context, event.block);
  const a = event.args;
  await context.db.insert(burn).values({
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    from: a.from,
    amount: a.amount,
    totalBurned: a.totalBurned,
    timestamp: event.block.timestamp,
  });
  await addNetwork(context, hourStart(event.block.timestamp), { grlBurned: a.amount });
});
