// `npm start`: a local chain with the Gridlease protocol deployed and a simulated GPU market running on it.
// Runs on the pinned Node 22 (npm puts node_modules/.bin first on PATH), which strips the types itself.
// Ctrl-C stops every child process; a second `npm start` starts from a clean chain.
//
// Environment: GRIDLEASE_PORT (default 8545); GRIDLEASE_SIMULATE=0 leaves the market idle (to try the CLI
// by hand); GRIDLEASE_SEED (default 1); GRIDLEASE_SIM_DAY_SECONDS: after three simulated days at full
// speed, each simulated day takes at least this many seconds (default 60; 0 = full speed throughout).
// Why slow down at all: the local node keeps every block in memory (about 100 MB per simulated day of
// this market), so a market left running at full speed would fill the machine's memory within the hour.
// GRIDLEASE_INDEXER_MAX_LAG (default 30): the market waits whenever the indexer trails the chain by more
// blocks than this, so its figures stay live (0 = never wait).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const host = "127.0.0.1";
const port = Number(process.env.GRIDLEASE_PORT ?? "8545");
const rpcUrl = `http://${host}:${port}`;
const simulate = process.env.GRIDLEASE_SIMULATE !== "0";
const seed = process.env.GRIDLEASE_SEED ?? "1";
const daySeconds = process.env.GRIDLEASE_SIM_DAY_SECONDS ?? "60";
const indexerMaxLag = process.env.GRIDLEASE_INDEXER_MAX_LAG ?? "30";
const WARM_UP_DAYS = "3";
const launchedAt = Date.now();
const indexerPort = Number(process.env.GRIDLEASE_INDEXER_PORT ?? "42069");
const indexerUrl = `http://${host}:${indexerPort}`;
/** GRIDLEASE_INDEXER=0 leaves the indexer out. */
const withIndexer = process.env.GRIDLEASE_INDEXER !== "0";
const children = new Set<ChildProcess>();

function log(message: string): void {
  console.log(`[gridlease] ${message}`);
}

function hardhat(args: string[], options: { quiet?: boolean } = {}): ChildProcess {
  const child = spawn(join(root, "node_modules", ".bin", "hardhat"), args, {
    cwd: root,
    env: { ...process.env, GRIDLEASE_RPC_URL: rpcUrl, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" },
    stdio: options.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

function finished(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${what} failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}

function portIsOpen(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitForChain(node: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // A child killed by a signal (Ctrl-C stops them all) has a signalCode and no exitCode.
    if (node.exitCode !== null || node.signalCode !== null) {
      throw new Error(`the local chain exited early (${node.signalCode ?? `exit code ${node.exitCode}`})`);
    }
    try {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the local chain did not answer on ${rpcUrl} within ${timeoutMs / 1000} s`);
}

function stopAll(): void {
  for (const child of children) child.kill("SIGTERM");
}

/** Resolves once every child has exited; kills the ones still there after `graceMs`. */
function allExited(graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (children.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      for (const child of children) child.kill("SIGKILL");
      resolve();
    }, graceMs);
    for (const child of children) child.once("exit", check);
    check();
  });
}

/** The market simulator (scripts/simulate.ts), day after day until Ctrl-C. */
function startSimulator(): ChildProcess {
  const args = ["--import", "tsx", join(root, "scripts", "simulate.ts"), "--continuous", "--rpc", rpcUrl];
  args.push("--seed", seed, "--day-seconds", daySeconds, "--warm-up-days", WARM_UP_DAYS);
  if (withIndexer && indexerMaxLag !== "0") args.push("--follow-indexer", indexerUrl, "--max-indexer-lag", indexerMaxLag);
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, GRIDLEASE_RPC_URL: rpcUrl, GRIDLEASE_STARTED_AT: String(launchedAt) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.add(child);
  child.on("exit", (code, signal) => {
    children.delete(child);
    if (!stopping && code !== 0) {
      log(`the market simulator stopped (${signal ?? `exit code ${code}`}); the chain keeps running`);
    }
  });
  return child;
}

/**
 * The Ponder indexer in dev mode (embedded PGlite database, rebuilt on every start like the chain), with
 * its log in indexer/.ponder/dev.log. Resolves once it has indexed the chain so far.
 */
async function startIndexer(): Promise<void> {
  log(`starting the indexer on ${indexerUrl} ...`);
  mkdirSync(join(root, "indexer", ".ponder"), { recursive: true });
  const logFile = join(root, "indexer", ".ponder", "dev.log");
  const out = openSync(logFile, "w");
  const child = spawn(
    process.execPath,
    [join(root, "indexer", "scripts", "run.ts"), "dev", "--disable-ui", "--port", String(indexerPort), "--hostname", host],
    { cwd: root, env: { ...process.env, GRIDLEASE_RPC_URL: rpcUrl }, stdio: ["ignore", out, out] },
  );
  children.add(child);
  child.on("exit", () => children.delete(child));
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the indexer exited early (see ${logFile})`);
    try {
      if ((await fetch(`${indexerUrl}/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the indexer was not ready within 180 s (see ${logFile})`);
}

function printIndexerExamples(): void {
  const graphql = (query: string) =>
    `curl -s ${indexerUrl}/graphql -H 'content-type: application/json' -d '${JSON.stringify({ query })}'`;
  console.log(`\n  ${"Indexer (GraphQL, POST)".padEnd(37)} ${indexerUrl}/graphql`);
  console.log(`  ${"Indexer (REST summary)".padEnd(37)} ${indexerUrl}/summary`);
  console.log(`  ${"Indexer (SQL over HTTP, @ponder/client)".padEnd(37)} ${indexerUrl}/sql`);
  console.log("\n  Example queries:");
  console.log(`    curl -s ${indexerUrl}/summary`);
  console.log(
    `    ${graphql('{ networkMetrics(where: {period: hour}, orderBy: "periodStart", orderDirection: "desc", limit: 24) { items { periodStart grossUsd feesUsd utilization jobsCreated } } }')}`,
  );
  console.log(
    `    ${graphql('{ modelMetrics(where: {period: all}) { items { model utilization awards minPrice medianPrice vwapPrice maxPrice discountVsReserve } } }')}`,
  );
  console.log(`    ${graphql('{ reputationLeaderboards(orderBy: "rank", limit: 10) { items { rank address reputation successRate } } }')}`);
}

async function main(): Promise<void> {
  if (await portIsOpen()) {
    throw new Error(
      `port ${port} on ${host} is already in use (another \`npm start\`?). Stop that process, ` +
        `or run on another port: GRIDLEASE_PORT=8546 npm start`,
    );
  }

  log("compiling contracts ...");
  await finished(hardhat(["build", "--build-profile", "production", "--no-tests"]), "compilation");

  log(`starting a local chain on ${rpcUrl} (chain id 31337) ...`);
  const node = hardhat(["node", "--hostname", host, "--port", String(port)], { quiet: true });
  node.stderr?.pipe(process.stderr);
  node.stdout?.resume();
  await waitForChain(node, 60_000);

  log("deploying the protocol with Ignition ...");
  await finished(
    hardhat([
      "ignition",
      "deploy",
      "ignition/modules/GridleaseLocal.ts",
      "--network",
      "localhost",
      "--parameters",
      "ignition/parameters/localhost.json",
      "--reset",
    ]),
    "deployment",
  );

  if (withIndexer) await startIndexer();

  const addresses = JSON.parse(
    readFileSync(join(root, "ignition", "deployments", "chain-31337", "deployed_addresses.json"), "utf8"),
  ) as Record<string, string>;
  log(`ready in ${((Date.now() - launchedAt) / 1000).toFixed(0)} s.`);
  console.log(`\n  ${"JSON-RPC".padEnd(37)} ${rpcUrl}  (chain id 31337)`);
  for (const [id, address] of Object.entries(addresses)) console.log(`  ${id.padEnd(37)} ${address}`);
  if (withIndexer) printIndexerExamples();
  console.log("\n  Funded test accounts use Hardhat's default mnemonic (test test ... junk); the simulated providers");
  console.log("  and renters are its accounts 100 and up, the keeper account 20.");
  if (simulate) {
    console.log("  The market simulator prints one line per simulated day. Press Ctrl-C to stop.\n");
    startSimulator();
  } else {
    console.log("  The market is idle (GRIDLEASE_SIMULATE=0). Press Ctrl-C to stop.\n");
  }

  await new Promise<void>((resolve, reject) => {
    node.on("exit", (code, signal) => {
      if (stopping) resolve();
      else reject(new Error(`the local chain stopped unexpectedly (${signal ?? `exit code ${code}`})`));
    });
  });
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log("stopping ...");
    stopAll();
  });
}

main()
  .then(async () => {
    await allExited(5_000);
    log("stopped.");
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    stopAll();
    await allExited(5_000);
    if (stopping) {
      // Ctrl-C while a step was still running: that step's failure is the interruption itself.
      log("stopped.");
      process.exit(0);
    }
    console.error(`[gridlease] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
