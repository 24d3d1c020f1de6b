// Indexer benchmark (not part of `npm test`): backfill speed on a simulated chain of at least 50,000
// protocol events, then GraphQL latency of the dashboard queries under concurrent load (autocannon on
// loopback, bounded duration).
//
//   npm run bench:indexer                                   # defaults below
//   BENCH_JOBS=2400 BENCH_SECONDS=10 BENCH_CONNECTIONS=16 npm run bench:indexer
//
// Needs the machine's PostgreSQL (GRIDLEASE_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test).
// Uses ports 8591 (node) and 8592 (indexer).
import autocannon from "autocannon";

import { LocalChain } from "../../test/indexer/helpers/chain.js";
import { dropSchemas, IndexerProcess } from "../../test/indexer/helpers/indexer.js";
import { benchScenario, HOUR, Scenario } from "../../test/indexer/helpers/scenario.js";

const JOBS = Number(process.env.BENCH_JOBS ?? "2200");
const SECONDS = Number(process.env.BENCH_SECONDS ?? "10");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? "16");
const NODE_PORT = Number(process.env.BENCH_PORT ?? "8591");

/** The queries a dashboard issues: headline series, price index, leaderboard, utilization per provider. */
const DASHBOARD: Record<string, string> = {
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

async function load(url: string, body: string | undefined): Promise<{ requests: number; errors: number; p50: number; p95: number; p99: number; rps: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const instance = autocannon({
    url,
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body,
    connections: CONNECTIONS,
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

async function main(): Promise<void> {
  const chain = new LocalChain(NODE_PORT);
  const indexer = new IndexerProcess({
    name: "bench",
    schema: `gl_bench_${process.pid}`,
    viewsSchema: `gl_bench_views_${process.pid}`,
    port: NODE_PORT + 1,
    rpcUrl: chain.rpcUrl,
    deployment: "ignition/deployments/indexer-bench",
  });
  try {
    let t = Date.now();
    await chain.start();
    const { protocol } = chain.deploy("indexer-bench");
    await chain.syncClock();
    const start = chain.lastTimestamp - (chain.lastTimestamp % HOUR) + HOUR + 600n;
    const scenario = new Scenario(chain, protocol, benchScenario(JOBS), start);
    await scenario.plan();
    await scenario.runUntil();
    const head = await chain.blockNumber();
    const logs = await chain.provider.getLogs({
      address: await Promise.all([protocol.token, protocol.registry, protocol.market, protocol.settlement].map((c) => c.getAddress())),
      fromBlock: 0,
      toBlock: head,
    });
    console.log(
      `[bench] chain: ${scenario.actions} actions, ${chain.transactions} transactions, ${head} blocks, ` +
        `${logs.length} protocol events, ${Math.round((Date.now() - t) / 1000)} s to generate`,
    );

    t = Date.now();
    indexer.start();
    await indexer.waitForBlock(head, 3_600_000);
    const wall = (Date.now() - t) / 1000;
    const lines = indexer.logLines();
    const started = lines.find((l) => l.msg === "Started backfill indexing");
    const completed = lines.find((l) => l.msg === "Completed backfill indexing across all chains");
    const backfillSeconds = (Number(completed!.time) - Number(started!.time)) / 1000;
    const backfillEvents = lines
      .filter((l) => l.msg === "Indexed block range")
      .reduce((sum, l) => sum + Number(l.event_count ?? 0), 0);
    const range = JSON.parse(String(started!.block_range)) as [number, number];
    const backfillLogs = logs.filter((l) => l.blockNumber >= range[0] && l.blockNumber <= range[1]).length;
    console.log(
      `[bench] backfill of blocks ${range[0]}-${range[1]}: ${backfillEvents} events (${backfillLogs} protocol logs, ` +
        `${backfillEvents - backfillLogs} clock ticks) in ${backfillSeconds.toFixed(1)} s = ` +
        `${Math.round(backfillEvents / backfillSeconds)} events/s (${Math.round(backfillLogs / backfillSeconds)} protocol logs/s); ` +
        `start to caught up with the head: ${wall.toFixed(1)} s`,
    );

    console.log(`[bench] load: ${CONNECTIONS} connections, ${SECONDS} s per query, loopback`);
    for (const [name, query] of Object.entries(DASHBOARD)) {
      const probe = await indexer.graphql(query);
      if (probe.errors !== undefined) throw new Error(`${name}: ${probe.errors[0]!.message}`);
      const r = await load(`${indexer.url}/graphql`, JSON.stringify({ query }));
      console.log(
        `[bench] ${name.padEnd(20)} ${r.requests} requests (${r.rps.toFixed(0)}/s), ${r.errors} errors, ` +
          `p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
      );
    }
    const summary = await load(`${indexer.url}/summary`, undefined);
    console.log(
      `[bench] ${"GET /summary".padEnd(20)} ${summary.requests} requests (${summary.rps.toFixed(0)}/s), ${summary.errors} errors, ` +
        `p50 ${summary.p50.toFixed(1)} ms, p95 ${summary.p95.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`,
    );
  } finally {
    await indexer.kill9();
    chain.stop();
    dropSchemas([indexer.options.schema, indexer.options.viewsSchema]);
  }
}

await main();
