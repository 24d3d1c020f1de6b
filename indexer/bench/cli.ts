// `npm run bench:indexer`: the indexer's bench sections (indexer/bench/index.ts) alone, printed as JSON.
// `npm run bench` runs the same measurement as its sections 4-6.
import { backfill, memory, queryLatency } from "./index.ts";

for (const [name, measure] of [
  ["backfill", backfill],
  ["latency", queryLatency],
  ["memory", memory],
] as const) {
  console.log(`${name}: ${JSON.stringify(await measure(), null, 2)}`);
}
