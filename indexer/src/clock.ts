// Block-interval ticks: a block without protocol events still closes the hours before it, so hourly
// utilization rows appear for quiet hours too (on a live chain, as soon as a block of the next hour lands).
import { ponder } from "ponder:registry";

import { tick } from "./lib/utilization";

ponder.on("Clock:block", async ({ event, context }) => {
  await tick(context, event.block);
});
