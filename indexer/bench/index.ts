// The indexer's part of `npm run bench` (sections 4-6, loaded by scripts/bench/sections/50-indexer.ts) and
// of `npm run bench:indexer` (indexer/bench/cli.ts). One run measures everything, the three exports share it:
//
//   1. a local node (port BENCH_PORT, default 8591) gets the bench scenario (indexer/harness/scenario.ts)
//      up to the last BENCH_LIVE_JOBS jobs: >= 50,000 protocol events;
//   2. `ponder start` on PostgreSQL backfills it (events/s from Ponder's own log, peak RSS of the process tree);
//   3. the rest of the scenario is sent live with that indexer following, and its lag behind the head is
//      sampled from Ponder's /status;
//   4. autocannon loads the dashboard queries and /summary of that indexer (loopback, BENCH_SECONDS each, at
//      16 and 50 connections), every answer computed and then from the API's response cache;
//   5. `ponder dev` (embedded PGlite, in /dev/shm) backfills the whole chain (events/s, peak RSS, file size).
//
// Ports BENCH_PORT (node) and BENCH_PORT + 1 (indexer). Needs the machine's PostgreSQL
// (GRIDLEASE_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test), where the test helpers
// create, and drop at exit, a database of this process's own: Ponder's sync store (ponder_sync) is keyed by chain id, and other
// local 31337 chains indexed on the shared database at the same time would feed it their blocks. Every
// process started here is stopped before the run returns, whatever happens.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";

import autocannon from "autocannon";

import type { BenchRow, BenchTable, SectionResult } from "../../bench/types.ts";
import { LocalChain } from "../harness/chain.ts";
import { IndexerProcess } from "../harness/indexerProcess.ts";
import { benchScenario, HOUR, Scenario } from "../harness/scenario.ts";

const JOBS = Number(process.env.BENCH_JOBS ?? "1350");
/** Jobs (of JOBS) sent while the PostgreSQL indexer follows the chain, after its backfill. */
const LIVE_JOBS = Number(process.env.BENCH_LIVE_JOBS ?? "60");
const SECONDS = Number(process.env.BENCH_SECONDS ?? "5");
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "16,50").split(",").map(Number);
const NODE_PORT = Number(process.env.BENCH_PORT ?? "8591");
/** Ignition build profile of the deployment: `npm run bench` has just built the production one. */
const BUILD_PROFILE = process.env.BENCH_BUILD_PROFILE === "default" ? "default" : "production";
const BACKFILL_TIMEOUT_MS = 30 * 60_000;
/**
 * Time given to the PGlite backfill (a few times slower than PostgreSQL: the embedded database runs in
 * Ponder's own thread). Past the budget its rate is taken over the block ranges it completed (a partial
 * backfill, said so).
 */
const PGLITE_BUDGET_MS = Number(process.env.BENCH_PGLITE_SECONDS ?? "400") * 1000;
/** The p95 the dashboard queries should stay under at 50 connections (issue 8). */
const P95_TARGET_MS = 50;
/** Makes the API compute the answer instead of taking it from its cache (indexer/src/api/cache.ts). */
const NO_CACHE = { "cache-control": "no-cache" };

/** The queries a dashboard issues: headline series, price index, leaderboard, utilization per provider. */
export const DASHBOARD: Record<string, string> = {
  networkLast24h: `{ networkMetrics(where: { period: hour }, orderBy: "periodStart", orderDirection: "desc", limit: 24) {
    items { periodStart grossUsd feesUsd utilization grlMinted grlBurned jobsCreated jobsCompleted activeProviders repeatCustomerRate } } }`,
  priceIndexByDay: `{ modelMetrics(where: { period: day }, orderBy: "periodStart", orderDirection: "desc", limit: 30) {
    items { model periodStart minPrice medianPrice meanPrice vwapPrice maxPrice discountVsReserve utilization } } }`,
  leaderboard: `{ reputationLeaderboards(orderBy: "rank", limit: 20) { items { rank address reputation successRate disputeRate } } }`,
  providerUtilization: `{ providerMetrics(where: { period: day }, orderBy: "periodStart", orderDirection: "desc", limit: 100) {
    items { provider periodStart utilization grossUsd } } }`,
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface LoadResult {
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
}

/** `connections` clients on `url` for SECONDS (POST `body` when given), latency of every response. */
export async function load(
  url: string,
  body: string | undefined,
  connections: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const instance = autocannon({
    url,
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    connections,
    duration: SECONDS,
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status !== 200) errors++;
    latencies.push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors: errors + result.errors + result.timeouts,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rps: latencies.length / SECONDS,
  };
}

/** `pid` and its descendants (from /proc/<pid>/task/<tid>/children). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const children = readFileSync(`/proc/${out[i]}/task/${tid}/children`, "utf8").trim();
        if (children !== "") out.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // The process ended between two reads.
    }
  }
  return out;
}

function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

/** Polls the RSS of a process tree every 200 ms until stopped; keeps the peaks. */
class RssSampler {
  peakTreeKiB = 0;
  peakLargestKiB = 0;
  maxProcesses = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly root: () => number | undefined) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    const root = this.root();
    if (root === undefined) return;
    const sizes = processTree(root).map(rssKiB);
    this.peakTreeKiB = Math.max(
      this.peakTreeKiB,
      sizes.reduce((a, b) => a + b, 0),
    );
    this.peakLargestKiB = Math.max(this.peakLargestKiB, ...sizes);
    this.maxProcesses = Math.max(this.maxProcesses, sizes.length);
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

interface Backfill {
  blocks: [number, number];
  /** The last block of the ranges indexed (blocks[1] unless the budget ran out first). */
  indexedTo: number;
  events: number;
  logs: number;
  seconds: number;
  /** From the indexer's start to caught up with the head (build, schema and sync setup included). */
  wallSeconds: number;
  peakTreeMiB: number;
  peakLargestMiB: number;
  processes: number;
  /** PGlite only: the size of its files at the end (in /dev/shm where there is one: memory, outside RSS). */
  filesMiB?: number;
}

interface LiveLag {
  samples: number;
  blocks: number;
  seconds: number;
  medianLag: number;
  maxLag: number;
  /** Seconds from the last live transaction until the indexer had its block. */
  catchUpSeconds: number;
}

/** One load run over the dashboard queries: answers from the API's cache, or every answer computed. */
interface Latency {
  connections: number;
  cached: boolean;
  rows: Map<string, LoadResult>;
}

interface Results {
  chain: { blocks: number; transactions: number; events: number; generateSeconds: number };
  postgres: Backfill;
  pglite: Backfill;
  live: LiveLag;
  latency: Latency[];
}

/** Starts `indexer`, waits until it has indexed `head`, and reads the backfill figures from its log. */
async function backfill(
  indexer: IndexerProcess,
  head: number,
  protocolLogBlocks: number[],
  budgetMs = BACKFILL_TIMEOUT_MS,
): Promise<Backfill> {
  const sampler = new RssSampler(() => indexer.pid);
  const t = Date.now();
  indexer.start();
  sampler.start();
  const partial = budgetMs < BACKFILL_TIMEOUT_MS;
  try {
    const deadline = Date.now() + budgetMs;
    while ((await indexer.statusBlock()) < head || !(await indexer.ready())) {
      if (!indexer.running) throw new Error(`indexer ${indexer.options.name} exited (log: ${indexer.logFile})`);
      if (Date.now() > deadline && partial) break;
      if (Date.now() > deadline)
        throw new Error(`indexer ${indexer.options.name} did not reach block ${head} (log: ${indexer.logFile})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    sampler.stop();
  }
  const wallSeconds = (Date.now() - t) / 1000;
  const lines = indexer.logLines();
  const started = lines.find((l) => l.msg === "Started backfill indexing");
  const ranges = lines.filter((l) => l.msg === "Indexed block range");
  const completed = lines.find((l) => l.msg === "Completed backfill indexing across all chains") ?? ranges.at(-1);
  if (started === undefined || completed === undefined) throw new Error(`no backfill in the log of ${indexer.logFile}`);
  const range = JSON.parse(String(started.block_range)) as [number, number];
  const indexedTo = Math.min(
    range[1],
    Math.max(range[0], ...ranges.map((l) => (JSON.parse(String(l.block_range)) as [number, number])[1])),
  );
  return {
    blocks: range,
    indexedTo,
    events: ranges.reduce((sum, l) => sum + Number(l.event_count ?? 0), 0),
    logs: protocolLogBlocks.filter((b) => b >= range[0] && b <= indexedTo).length,
    seconds: (Number(completed.time) - Number(started.time)) / 1000,
    wallSeconds,
    peakTreeMiB: sampler.peakTreeKiB / 1024,
    peakLargestMiB: sampler.peakLargestKiB / 1024,
    processes: sampler.maxProcesses,
  };
}

/** Bytes of the files under `dir` (0 if it does not exist). */
function directoryBytes(dir: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
    }
  } catch {
    // Not there (yet, or any more).
  }
  return total;
}

async function protocolLogBlocks(chain: LocalChain, addresses: string[], head: number): Promise<number[]> {
  const logs = await chain.provider.getLogs({ address: addresses, fromBlock: 0, toBlock: head });
  return logs.map((l) => l.blockNumber);
}

/** A request as autocannon sends it; `fresh` asks the API's cache to compute the answer (Cache-Control: no-cache). */
async function ask(
  url: string,
  body: string | undefined,
  fresh: boolean,
): Promise<{ text: string; cache: string | null }> {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(fresh ? NO_CACHE : {}) },
    body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}: ${text.slice(0, 200)}`);
  return { text, cache: response.headers.get("x-gridlease-cache") };
}

/**
 * autocannon on every dashboard query and /summary, at each connection count, twice: every answer
 * computed (Cache-Control: no-cache, the cost of a cache miss), then answered from the API's cache (the
 * chain is idle, so the data version does not move: a dashboard between two indexed blocks). Before each
 * cached run, a cached answer must equal a fresh one; after it, the cache must still answer.
 */
async function loadDashboard(indexer: IndexerProcess, log: (line: string) => void): Promise<Latency[]> {
  const targets: [string, string, string | undefined][] = [
    ...Object.entries(DASHBOARD).map(([name, query]): [string, string, string] => [
      name,
      `${indexer.url}/graphql`,
      JSON.stringify({ query }),
    ]),
    ["GET /summary", `${indexer.url}/summary`, undefined],
  ];
  const latency: Latency[] = [];
  for (const connections of CONNECTIONS) {
    for (const cached of [false, true]) {
      const rows = new Map<string, LoadResult>();
      for (const [name, url, body] of targets) {
        const fresh = await ask(url, body, true);
        if (body !== undefined && (JSON.parse(fresh.text) as { errors?: unknown }).errors !== undefined) {
          throw new Error(`${name}: ${fresh.text.slice(0, 200)}`);
        }
        if (cached) {
          await ask(url, body, false);
          const hit = await ask(url, body, false);
          if (hit.cache !== "hit" || !isDeepStrictEqual(JSON.parse(hit.text), JSON.parse(fresh.text))) {
            throw new Error(`${name}: the cached answer is not the computed one (${hit.cache})`);
          }
        }
        rows.set(name, await load(url, body, connections, cached ? {} : NO_CACHE));
        if (cached && (await ask(url, body, false)).cache !== "hit")
          throw new Error(`${name}: the cache stopped answering during the run`);
      }
      latency.push({ connections, cached, rows });
      for (const [name, r] of rows) {
        log(
          `${connections} connections ${cached ? "cached" : "computed"} ${name}: p50 ${r.p50} p95 ${r.p95} p99 ${r.p99} ms, ${r.rps.toFixed(0)} req/s, ${r.errors} errors`,
        );
      }
    }
  }
  return latency;
}

async function measure(log: (line: string) => void): Promise<Results> {
  const chain = new LocalChain(NODE_PORT);
  const deploymentId = "indexer-bench";
  const common = { port: NODE_PORT + 1, rpcUrl: chain.rpcUrl, deployment: `ignition/deployments/${deploymentId}` };
  const postgres = new IndexerProcess({
    ...common,
    name: "bench-pg",
    schema: "gl_bench",
    viewsSchema: "gl_bench_views",
  });
  // Where scripts/run.ts would put it on the local chain (/dev/shm), named for this run, so it can be measured.
  const pgliteDir = existsSync("/dev/shm")
    ? `/dev/shm/gridlease-pglite-bench-${process.pid}`
    : join(tmpdir(), `gridlease-pglite-bench-${process.pid}`);
  const pglite = new IndexerProcess({
    ...common,
    name: "bench-pglite",
    schema: "",
    viewsSchema: "",
    mode: "dev",
    env: { GRIDLEASE_PGLITE_DIR: pgliteDir },
  });
  try {
    let t = Date.now();
    await chain.start();
    const { protocol } = chain.deploy(deploymentId, {}, BUILD_PROFILE);
    const addresses = await Promise.all(
      [protocol.token, protocol.registry, protocol.market, protocol.settlement].map((c) => c.getAddress()),
    );
    await chain.syncClock();
    const start = chain.lastTimestamp - (chain.lastTimestamp % HOUR) + HOUR + 600n;
    const scenario = new Scenario(chain, protocol, benchScenario(JOBS), start);
    await scenario.plan();
    // A job every 15 minutes and 5 quiet hours every 200 jobs: 990 s of chain time per job on average.
    await scenario.runUntil(start + BigInt(JOBS - LIVE_JOBS) * 990n);
    let head = await chain.blockNumber();
    let logBlocks = await protocolLogBlocks(chain, addresses, head);
    const generateSeconds = (Date.now() - t) / 1000;
    log(
      `chain: ${head} blocks, ${chain.transactions} transactions, ${logBlocks.length} protocol events, ${generateSeconds.toFixed(0)} s to generate`,
    );

    const pg = await backfill(postgres, head, logBlocks);
    log(
      `PostgreSQL backfill: ${pg.events} events in ${pg.seconds.toFixed(1)} s = ${Math.round(pg.events / pg.seconds)} events/s, peak RSS ${pg.peakTreeMiB.toFixed(0)} MiB`,
    );

    // Live: the rest of the scenario, the indexer following; lag = chain head - indexer's checkpoint block.
    const lags: number[] = [];
    let sending = true;
    const sampling = (async () => {
      while (sending) {
        const [chainHead, indexed] = await Promise.all([chain.blockNumber(), postgres.statusBlock()]);
        if (indexed >= 0) lags.push(chainHead - indexed);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const liveFrom = head;
    t = Date.now();
    try {
      await scenario.runUntil();
    } finally {
      sending = false;
      await sampling;
    }
    const liveSeconds = (Date.now() - t) / 1000;
    head = await chain.blockNumber();
    t = Date.now();
    while ((await postgres.statusBlock()) < head) {
      if (!postgres.running || Date.now() - t > 120_000)
        throw new Error(`the live indexer did not reach block ${head} (log: ${postgres.logFile})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const sorted = [...lags].sort((a, b) => a - b);
    const live: LiveLag = {
      samples: lags.length,
      blocks: head - liveFrom,
      seconds: liveSeconds,
      medianLag: percentile(sorted, 50),
      maxLag: sorted.at(-1) ?? NaN,
      catchUpSeconds: (Date.now() - t) / 1000,
    };
    log(
      `live: ${live.blocks} blocks in ${liveSeconds.toFixed(1)} s, lag median ${live.medianLag} max ${live.maxLag} blocks (${lags.length} samples)`,
    );

    const latency = await loadDashboard(postgres, log);
    await postgres.kill9();

    logBlocks = await protocolLogBlocks(chain, addresses, head);
    const lite = await backfill(pglite, head, logBlocks, PGLITE_BUDGET_MS);
    lite.filesMiB = directoryBytes(pgliteDir) / 2 ** 20;
    log(
      `PGlite backfill: ${lite.events} events in ${lite.seconds.toFixed(1)} s = ${Math.round(lite.events / lite.seconds)} events/s, peak RSS ${lite.peakTreeMiB.toFixed(0)} MiB`,
    );
    await pglite.kill9();
    return {
      chain: { blocks: head, transactions: chain.transactions, events: logBlocks.length, generateSeconds },
      postgres: pg,
      pglite: lite,
      live,
      latency,
    };
  } finally {
    await postgres.kill9();
    await pglite.kill9();
    rmSync(pgliteDir, { recursive: true, force: true });
    chain.stop();
  }
}

let run: Promise<Results> | undefined;
/** The one measurement the three sections share (started by whichever asks first). */
export function results(
  log: (line: string) => void = (line) => console.log(`[indexer bench] ${line}`),
): Promise<Results> {
  run ??= measure(log);
  return run;
}

async function section(build: (r: Results) => SectionResult): Promise<SectionResult> {
  let r: Results;
  try {
    r = await results();
  } catch (error) {
    return { status: "not measured", reason: `the indexer benchmark failed: ${(error as Error).message}` };
  }
  return build(r);
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function backfillRow(label: string, b: Backfill): BenchRow {
  return {
    label,
    cells: {
      "events/s": Math.round(b.events / b.seconds),
      "protocol logs/s": Math.round(b.logs / b.seconds),
      events: b.events,
      "protocol logs": b.logs,
      "clock ticks": b.events - b.logs,
      "backfill s": round(b.seconds),
      "blocks indexed": b.indexedTo - b.blocks[0] + 1,
      "blocks in backfill": b.blocks[1] - b.blocks[0] + 1,
      "start to end s": round(b.wallSeconds),
    },
  };
}

export function backfillSection(): Promise<SectionResult> {
  return section((r) => ({
    status: "measured",
    notes: [
      `Chain: the bench scenario (indexer/harness/scenario.ts, ${JOBS} jobs, 12 providers) on a local Hardhat node, ` +
        `${r.chain.blocks.toLocaleString("en-US")} blocks, ${r.chain.transactions.toLocaleString("en-US")} transactions, ` +
        `${r.chain.events.toLocaleString("en-US")} protocol events in all (${r.chain.generateSeconds.toFixed(0)} s to generate). ` +
        `PostgreSQL backfills the chain before its last ${LIVE_JOBS} jobs, then follows those live; PGlite backfills the whole chain.`,
    ],
    tables: [
      {
        id: "backfill",
        title:
          "Backfill (Ponder's own timing: first to last block range; events include the block-interval clock ticks)",
        columns: [
          "events/s",
          "protocol logs/s",
          "events",
          "protocol logs",
          "clock ticks",
          "backfill s",
          "blocks indexed",
          "blocks in backfill",
          "start to end s",
        ],
        rows: [backfillRow("PostgreSQL (ponder start)", r.postgres), backfillRow("PGlite (ponder dev)", r.pglite)],
        notes:
          r.pglite.indexedTo < r.pglite.blocks[1]
            ? [
                `PGlite did not finish within its ${PGLITE_BUDGET_MS / 1000} s budget (BENCH_PGLITE_SECONDS): its row is the rate over the ` +
                  `${r.pglite.indexedTo - r.pglite.blocks[0] + 1} blocks it indexed, and its peak RSS (section 6) is over that part.`,
              ]
            : [],
      },
      {
        id: "live",
        title:
          "Live lag (PostgreSQL indexer following the chain; chain head block - /status block, sampled every 0.5 s)",
        columns: ["median lag blocks", "max lag blocks", "samples", "blocks", "chain blocks/s", "catch-up s"],
        rows: [
          {
            label: "PostgreSQL (ponder start)",
            cells: {
              "median lag blocks": r.live.medianLag,
              "max lag blocks": r.live.maxLag,
              samples: r.live.samples,
              blocks: r.live.blocks,
              "chain blocks/s": round(r.live.blocks / r.live.seconds),
              "catch-up s": round(r.live.catchUpSeconds, 2),
            },
          },
        ],
        notes: [
          "catch-up s: from the last live transaction until /status reported its block (polling interval 250 ms on the local chain).",
        ],
      },
    ],
  }));
}

export function queryLatencySection(): Promise<SectionResult> {
  return section((r) => ({
    status: "measured",
    notes: [
      `autocannon on loopback, ${SECONDS} s per query and connection count, against the PostgreSQL indexer of section 4 ` +
        `(${r.chain.blocks.toLocaleString("en-US")} blocks indexed); node, PostgreSQL, indexer and load generator share the machine. ` +
        `Target: p95 < ${P95_TARGET_MS} ms at 50 connections.`,
      'Two runs per connection count. "computed": every request sends Cache-Control: no-cache, so the API runs the query ' +
        '(Ponder\'s GraphQL, PostgreSQL) for each one: the latency of a cache miss. "cached": the same requests without ' +
        "that header, answered from the API's response cache (the chain is idle during the run, as a dashboard between two " +
        "indexed blocks; any indexed block or reorg empties the cache). Before each cached run a cached answer is checked " +
        "equal to a computed one.",
    ],
    tables: r.latency.map(
      ({ connections, cached, rows }): BenchTable => ({
        // c16 / c50 (every answer computed) are comparable with the figures from before the cache.
        id: `c${connections}${cached ? "-cached" : ""}`,
        title: `${connections} connections, ${cached ? "cached (answers from the response cache)" : "computed (Cache-Control: no-cache)"}`,
        columns: ["p95 ms", "p50 ms", "p99 ms", "req/s", "requests", "errors"],
        rows: [...rows].map(([label, l]) => ({
          label,
          cells: {
            "p95 ms": l.p95,
            "p50 ms": l.p50,
            "p99 ms": l.p99,
            "req/s": Math.round(l.rps),
            requests: l.requests,
            errors: l.errors,
          },
          ...(connections >= 50 && l.p95 >= P95_TARGET_MS ? { flag: `p95 >= ${P95_TARGET_MS} ms` } : {}),
        })),
      }),
    ),
  }));
}

function memoryRow(label: string, b: Backfill): BenchRow {
  return {
    label,
    cells: {
      "peak RSS MiB": round(b.peakTreeMiB),
      "largest process MiB": round(b.peakLargestMiB),
      processes: b.processes,
      "database files MiB": b.filesMiB === undefined ? "-" : round(b.filesMiB),
    },
  };
}

export function memorySection(): Promise<SectionResult> {
  return section((r) => ({
    status: "measured",
    tables: [
      {
        id: "rss",
        title:
          "Peak RSS of the indexer's process tree during backfill (VmRSS of run.ts and its descendants, polled every 200 ms)",
        columns: ["peak RSS MiB", "largest process MiB", "processes", "database files MiB"],
        rows: [memoryRow("PostgreSQL (ponder start)", r.postgres), memoryRow("PGlite (ponder dev)", r.pglite)],
        notes: [
          "database files MiB: PGlite's directory when its backfill ended (on the local chain in /dev/shm, so memory " +
            "besides the RSS; scripts/run.ts removes it when the indexer exits). PostgreSQL's are the server's.",
        ],
      },
    ],
  }));
}

export { backfillSection as backfill, memorySection as memory, queryLatencySection as queryLatency };
