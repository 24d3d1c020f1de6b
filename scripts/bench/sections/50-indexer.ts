// Sections 4-6: the indexer's backfill rate, live lag, GraphQL and /summary latency, and memory. They
// are measured by the indexer's own bench module, indexer/bench/index.ts, which exports one function
// per section (see INDEXER_EXPORTS), each returning a SectionResult. Should that module fail to load,
// or lack one of the exports, the section reports "not measured" with the reason instead of a figure.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import type { BenchSection, SectionResult } from "../types.ts";

const ENTRY = join("indexer", "bench", "index.ts");

/** Section id -> [title, export of indexer/bench/index.ts that measures it]. */
const INDEXER_EXPORTS: [string, string, string][] = [
  [
    "indexer-backfill",
    "4. Indexer backfill (events per second, >= 50,000 simulator events; PGlite and PostgreSQL) and live lag",
    "backfill",
  ],
  ["indexer-latency", "5. GraphQL and /summary latency under load (p50 / p95 / p99, throughput)", "queryLatency"],
  ["indexer-memory", "6. Indexer memory (peak RSS during backfill)", "memory"],
];

type IndexerBench = Record<string, (() => Promise<SectionResult>) | undefined>;

let loaded: Promise<IndexerBench | string> | undefined;
function loadIndexerBench(): Promise<IndexerBench | string> {
  loaded ??= (async () => {
    if (!existsSync(ENTRY)) return `${ENTRY} is missing`;
    try {
      return (await import(pathToFileURL(join(process.cwd(), ENTRY)).href)) as IndexerBench;
    } catch (error) {
      return `${ENTRY} failed to load: ${(error as Error).message}`;
    }
  })();
  return loaded;
}

const sections: BenchSection[] = INDEXER_EXPORTS.map(([id, title, exportName]) => ({
  id,
  title,
  async run(): Promise<SectionResult> {
    const bench = await loadIndexerBench();
    if (typeof bench === "string") return { status: "not measured", reason: bench };
    const measure = bench[exportName];
    if (typeof measure !== "function") {
      return { status: "not measured", reason: `${ENTRY} exports no ${exportName}() function` };
    }
    return measure();
  },
}));

export default sections;
