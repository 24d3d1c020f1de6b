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
// Idle mode (GRIDLEASE_SIMULATE=0): the chain mines a block every GRIDLEASE_BLOCK_SECONDS (default 2) as
// well as on every transaction, so chain time follows the wall clock, and the GRL/USD feed is republished
// (same answer) before its heartbeat runs out, so the market never freezes on a stale price.
// GRIDLEASE_DEPLOYMENT_ID: the Ignition deployment id (default chain-31337's folder; tests use their own).
// GRIDLEASE_WEB_PORT (default 5173): the web dashboard (web/server.ts, built first if web/dist is missing).
// GRIDLEASE_NODE_PORT (default 7311): the local provider node's API (scripts/start/workload-demo.ts: a real
// `gridlease node` on the machine's container engine, and a demo renter that runs the example batch job and
// service through it before the simulator starts); GRIDLEASE_WORKLOADS=0 leaves both out.
//
// Lifecycle: every port is checked before anything starts (a taken port fails naming what holds it);
// every readiness wait and its requests time out; children run in process groups of their own and are
// stopped with SIGTERM, then SIGKILL after a grace period; "stopped." is printed once they are all gone.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { Contract, JsonRpcProvider, Wallet } from "ethers";

import { dashboardConfigFromEnv } from "../web/config.ts";
import { parseDeployedAddresses } from "../sdk/deployment.ts";
import { portIsFree } from "./start/ports.ts";
import { NODE_ACCOUNT_KEY, startWorkloadDemo, type WorkloadDemo } from "./start/workload-demo.ts";
import { generateAbis } from "../sdk/scripts/generate-abis.ts";
import { startWebServer } from "../web/server.ts";

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
const webPort = Number(process.env.GRIDLEASE_WEB_PORT ?? "5173");
const nodePort = Number(process.env.GRIDLEASE_NODE_PORT ?? "7311");
const withWorkloads = process.env.GRIDLEASE_WORKLOADS !== "0";
const blockSeconds = Number(process.env.GRIDLEASE_BLOCK_SECONDS ?? "2");
const deploymentId = process.env.GRIDLEASE_DEPLOYMENT_ID;
const deploymentDir = join(root, "ignition", "deployments", deploymentId ?? "chain-31337");
/** Every child process still running (their process groups, after the leader exits, are checked too). */
const children = new Set<ChildProcess>();
const isTty = process.stdout.isTTY === true;
/** Timers of idle mode (interval checks), cleared on stop. */
const timers: NodeJS.Timeout[] = [];

function log(message: string): void {
  console.log(`[gridlease] ${message}`);
}

function childEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GRIDLEASE_RPC_URL: rpcUrl,
    HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1",
    ...(deploymentId === undefined ? {} : { GRIDLEASE_DEPLOYMENT: deploymentDir }),
  };
}

/** Spawns a child in a process group of its own, so stopping it stops whatever it started too. */
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

function hardhat(args: string[], options: { quiet?: boolean } = {}): ChildProcess {
  return track(
    spawn(join(root, "node_modules", ".bin", "hardhat"), args, {
      cwd: root,
      env: childEnvironment(),
      stdio: options.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
      detached: true,
    }),
  );
}

/**
 * Runs a build or deployment step with its output captured and one line of progress instead: on a
 * terminal a line redrawn in place with the elapsed time (and `detail`, e.g. Ignition's batch), else a
 * line every 30 s. The captured output is shown only if the step fails.
 */
async function quietStep(
  label: string,
  args: string[],
  detail: (output: string) => string = () => "",
): Promise<string> {
  const started = Date.now();
  const child = hardhat(args, { quiet: true });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const line = () => {
    const extra = detail(output);
    return `[gridlease] ${label} ... ${elapsed()}${extra === "" ? "" : `, ${extra}`}`;
  };
  if (!isTty) log(`${label} ...`);
  const ticker = setInterval(
    () => (isTty ? process.stdout.write(`\r\x1b[K${line()}`) : log(`${label} ... still going (${elapsed()})`)),
    isTty ? 500 : 30_000,
  );
  try {
    await finished(child, label);
  } catch (error) {
    if (isTty) process.stdout.write("\r\x1b[K");
    if (!stopping) process.stderr.write(output);
    throw error;
  } finally {
    clearInterval(ticker);
  }
  const extra = detail(output);
  if (isTty) process.stdout.write("\r\x1b[K");
  log(`${label}: done in ${elapsed()}${extra === "" ? "" : ` (${extra})`}`);
  return output;
}

/** Ignition's progress ("Batch #N" repeated on every redraw) as "batch N". */
function ignitionBatch(output: string): string {
  const batches = [...output.matchAll(/Batch #(\d+)/g)];
  return batches.length === 0 ? "" : `batch ${batches[batches.length - 1][1]}`;
}

function finished(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${what} failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}

/** What holds a port, e.g. `node (pid 1234)`, from `ss` when it is there. */
function portHolder(candidate: number): string | undefined {
  const result = spawnSync("ss", ["-ltnpH", `sport = :${candidate}`], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(result.stdout);
  if (match === null) return result.stdout.trim() === "" ? undefined : "another process";
  let command = match[1];
  const cmdline = spawnSync("ps", ["-o", "args=", "-p", match[2]], { encoding: "utf8" }).stdout?.trim();
  if (cmdline) command = cmdline.length > 100 ? `${cmdline.slice(0, 100)}...` : cmdline;
  return `pid ${match[2]}: ${command}`;
}

/** Fails, naming the port and what holds it, when any port `npm start` needs is taken. */
async function checkPorts(): Promise<void> {
  const needed: [number, string, string][] = [[port, "the local chain", "GRIDLEASE_PORT"]];
  if (withIndexer)
    needed.push(
      [indexerPort, "the indexer", "GRIDLEASE_INDEXER_PORT"],
      [webPort, "the web dashboard", "GRIDLEASE_WEB_PORT"],
    );
  if (withWorkloads) needed.push([nodePort, "the local provider node", "GRIDLEASE_NODE_PORT"]);
  for (const [candidate, what, variable] of needed) {
    if (!(await portIsFree(candidate))) {
      const holder = portHolder(candidate);
      throw new Error(
        `port ${candidate} on ${host} (for ${what}) is already in use${holder === undefined ? "" : ` by ${holder}`} ` +
          `(another \`npm start\`?). Stop that process, or choose another port: ${variable}=${candidate + 1} npm start`,
      );
    }
  }
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
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the local chain did not answer on ${rpcUrl} within ${timeoutMs / 1000} s`);
}

/** Every process group a child was started in (the child's pid), alive or not. */
const groups = new Set<number>();

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nobody left in the group
  }
}

function stopAll(): void {
  for (const timer of timers) clearInterval(timer);
  for (const child of children) if (child.pid !== undefined) groups.add(child.pid);
  for (const pid of groups) signalGroup(pid, "SIGTERM");
}

/**
 * Resolves once every child and every process it started are gone: SIGTERM first (stopAll), then after
 * `graceMs` SIGKILL to whatever is left; waits up to 5 s more for the kernel to reap them.
 */
async function allExited(graceMs: number): Promise<void> {
  for (const child of children) if (child.pid !== undefined) groups.add(child.pid);
  const alive = () => children.size > 0 || [...groups].some((pid) => signalGroup(pid, 0));
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    log(`some processes did not stop within ${graceMs / 1000} s: killing them`);
    for (const child of children) child.kill("SIGKILL");
    for (const pid of groups) signalGroup(pid, "SIGKILL");
    const hardDeadline = Date.now() + 5_000;
    while (alive() && Date.now() < hardDeadline) await new Promise((r) => setTimeout(r, 100));
  }
}

/** The market simulator (simulator/cli.ts), day after day until Ctrl-C. */
function startSimulator(): ChildProcess {
  const args = ["--import", "tsx", join(root, "simulator", "cli.ts"), "--continuous", "--rpc", rpcUrl];
  args.push("--seed", seed, "--day-seconds", daySeconds, "--warm-up-days", WARM_UP_DAYS);
  if (withIndexer && indexerMaxLag !== "0")
    args.push("--follow-indexer", indexerUrl, "--max-indexer-lag", indexerMaxLag);
  const child = track(
    spawn(process.execPath, args, {
      cwd: root,
      env: { ...childEnvironment(), GRIDLEASE_STARTED_AT: String(launchedAt) },
      stdio: ["ignore", "inherit", "inherit"],
      detached: true,
    }),
  );
  child.on("exit", (code, signal) => {
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
    [
      join(root, "indexer", "scripts", "run.ts"),
      "dev",
      "--disable-ui",
      "--port",
      String(indexerPort),
      "--hostname",
      host,
    ],
    { cwd: root, env: childEnvironment(), stdio: ["ignore", out, out], detached: true },
  );
  track(child);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the indexer exited early (see ${logFile})`);
    // Ponder moves to the next port when its own is taken: the indexer's port is pinned, so that is a failure.
    if (existsSync(logFile) && /Port in use/.test(readFileSync(logFile, "utf8"))) {
      const holder = portHolder(indexerPort);
      throw new Error(
        `port ${indexerPort} on ${host} (for the indexer) was taken while it started${holder === undefined ? "" : ` (by ${holder})`}: ` +
          `stop that process, or choose another port: GRIDLEASE_INDEXER_PORT=${indexerPort + 1} npm start`,
      );
    }
    try {
      if ((await fetch(`${indexerUrl}/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
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
  console.log(`  ${"Indexer (SQL over HTTP, how to curl)".padEnd(37)} ${indexerUrl}/sql`);
  console.log("\n  Example queries:");
  console.log(`    curl -s ${indexerUrl}/summary`);
  console.log(
    `    ${graphql('{ networkMetrics(where: {period: hour}, orderBy: "periodStart", orderDirection: "desc", limit: 24) { items { periodStart grossUsd feesUsd utilization jobsCreated } } }')}`,
  );
  console.log(
    `    ${graphql("{ modelMetrics(where: {period: all}) { items { model utilization awards minPrice medianPrice vwapPrice maxPrice discountVsReserve } } }")}`,
  );
  console.log(
    `    ${graphql('{ reputationLeaderboards(orderBy: "rank", limit: 10) { items { rank address reputation successRate } } }')}`,
  );
}

/**
 * Hardhat's default accounts (mnemonic "test test ... junk"): public keys every local node funds with ETH.
 * Never use them on a public network. The Ignition module makes account 0 the deployer, and (with no
 * parameters saying otherwise) the treasury, the arbiter and the guardian.
 */
const LOCAL_ACCOUNTS = [
  {
    role: "deployer, treasury, arbiter, guardian",
    key: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    demo: false,
  },
  { role: "demo provider", key: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", demo: true },
  { role: "demo renter", key: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", demo: true },
  {
    role: "demo agent (a second provider)",
    key: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    demo: true,
  },
  { role: "local provider node (gridlease node)", key: NODE_ACCOUNT_KEY, demo: true },
] as const;
const DEMO_GRL = "10000";
const DEMO_USDC = "10000";

/** Runs the `gridlease` CLI (cli/gridlease.ts) against this chain, as `key`'s account; resolves with its parsed --json output. */
function gridlease(args: string[], key?: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [join(root, "cli", "gridlease.ts"), ...args, "--json"], {
        cwd: root,
        env: key === undefined ? childEnvironment() : { ...childEnvironment(), GRIDLEASE_PRIVATE_KEY: key },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      }),
    );
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.resume();
    child.on("error", reject);
    child.on("exit", (code) => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        // reported below
      }
      if (code === 0) resolve(body);
      else reject(new Error(`gridlease ${args.join(" ")} failed: ${JSON.stringify(body.error ?? stdout.trim())}`));
    });
  });
}

/** Gives the demo accounts GRL and USDC (`gridlease dev fund`). */
async function fundDemoAccounts(): Promise<void> {
  for (const account of LOCAL_ACCOUNTS.filter((a) => a.demo)) {
    await gridlease(["dev", "fund", new Wallet(account.key).address, "--grl", DEMO_GRL, "--usdc", DEMO_USDC]);
  }
}

function printAccounts(): void {
  console.log("\n  Local accounts (Hardhat's public test keys: LOCAL CHAIN ONLY, never use them on a real network)");
  const rows = LOCAL_ACCOUNTS.map((a) => [a.role, new Wallet(a.key).address, a.key] as const);
  const width = Math.max(...rows.map(([role]) => role.length));
  for (const [role, address, key] of rows) console.log(`  ${role.padEnd(width)}  ${address}  ${key}`);
  console.log(`  The demo accounts hold ${DEMO_GRL} GRL and ${DEMO_USDC} USDC each; fund any other address with`);
  console.log("  `npx gridlease dev fund <address>`. Every account has 10,000 ETH for gas.");
}

/**
 * Idle mode: mine a block every `blockSeconds` (transactions are still mined at once), so the chain's clock
 * follows the wall clock, and republish the GRL/USD answer before the oracle's heartbeat runs out.
 */
async function keepIdleChainAlive(): Promise<void> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  if (blockSeconds > 0) await provider.send("evm_setIntervalMining", [Math.round(blockSeconds * 1000)]);
  const addresses = JSON.parse(readFileSync(join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<
    string,
    string
  >;
  const feedAddress = Object.entries(addresses).find(([id]) => id.endsWith("#MockAggregatorV3"))?.[1];
  const oracleAddress = Object.entries(addresses).find(([id]) => id.endsWith("#ChainlinkPriceOracle"))?.[1];
  if (feedAddress === undefined || oracleAddress === undefined) return;
  const feed = new Contract(
    feedAddress,
    ["function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)"],
    provider,
  );
  const oracle = new Contract(oracleAddress, ["function HEARTBEAT() view returns (uint256)"], provider);
  const heartbeat = BigInt(await oracle.HEARTBEAT());
  let busy = false;
  const refresh = async () => {
    if (busy || stopping) return;
    busy = true;
    try {
      const [round, block] = await Promise.all([feed.latestRoundData(), provider.getBlock("latest")]);
      const updatedAt = BigInt(round[3]);
      // Republish once three quarters of the heartbeat have passed, or at once when `dev advance` jumped past it.
      if (block !== null && BigInt(block.timestamp) >= updatedAt + (heartbeat * 3n) / 4n) {
        const answer = BigInt(round[1]);
        const usd = `${answer / 100_000_000n}.${(answer % 100_000_000n).toString().padStart(8, "0")}`;
        await gridlease(["dev", "price", usd]);
        log(`republished the GRL/USD answer ($${Number(usd).toFixed(2)}) so the feed stays fresh`);
      }
    } catch (error) {
      if (!stopping)
        log(`could not refresh the GRL/USD feed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      busy = false;
    }
  };
  timers.push(setInterval(() => void refresh(), 10_000));
  void refresh();
}

async function main(): Promise<void> {
  await checkPorts();

  await quietStep("compiling contracts", ["build", "--build-profile", "production", "--no-tests", "--quiet"]);
  // The SDK's `as const` ABIs (sdk/abis, generated, not committed) come from the artifacts just built; the CLI,
  // the simulator and the indexer load them, and a fresh clone has none yet.
  generateAbis();

  log(`starting a local chain on ${rpcUrl} (chain id 31337) ...`);
  const node = hardhat(["node", "--hostname", host, "--port", String(port)], { quiet: true });
  node.stderr?.pipe(process.stderr);
  node.stdout?.resume();
  await waitForChain(node, 60_000);

  await quietStep(
    "deploying the protocol with Ignition",
    [
      "ignition",
      "deploy",
      "ignition/modules/GridleaseLocal.ts",
      "--network",
      "localhost",
      "--parameters",
      "ignition/parameters/localhost.json",
      ...(deploymentId === undefined ? [] : ["--deployment-id", deploymentId]),
      "--reset",
    ],
    ignitionBatch,
  );

  log("funding the demo accounts ...");
  await fundDemoAccounts();

  if (withIndexer) await startIndexer();
  // The console's wallet actions need the contracts' addresses; the browser's wallet supplies the chain.
  const webConfig = dashboardConfigFromEnv(
    { ...process.env, GRIDLEASE_INDEXER_URL: indexerUrl },
    {
      chainId: "31337",
      addresses: parseDeployedAddresses(
        JSON.parse(readFileSync(join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<string, string>,
      ),
    },
  );
  const web = withIndexer
    ? await startWebServer({ host, port: webPort, config: webConfig, buildIfMissing: true })
    : undefined;
  if (!simulate) await keepIdleChainAlive();
  const workloads: WorkloadDemo | undefined = withWorkloads
    ? await startWorkloadDemo(
        {
          root,
          // Per deployment id, so a test's own `npm start` never empties a user's.
          folder: join(root, ".gridlease", deploymentId ?? "local"),
          env: childEnvironment,
          track,
          gridlease,
          log,
          isStopping: () => stopping,
        },
        nodePort,
      )
    : undefined;

  const addresses = JSON.parse(readFileSync(join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<
    string,
    string
  >;
  log(`ready in ${((Date.now() - launchedAt) / 1000).toFixed(0)} s.`);
  console.log(`\n  ${"JSON-RPC".padEnd(37)} ${rpcUrl}  (chain id 31337)`);
  for (const [id, address] of Object.entries(addresses)) console.log(`  ${id.padEnd(37)} ${address}`);
  if (web !== undefined) console.log(`  ${"Web dashboard".padEnd(37)} ${web.url}`);
  if (workloads !== undefined)
    console.log(`  ${"Provider node (API, profile)".padEnd(37)} ${workloads.nodeUrl}/profile  (${workloads.engine})`);
  if (withIndexer) printIndexerExamples();
  printAccounts();
  console.log("  The simulated providers and renters are Hardhat accounts 100 and up, the keeper account 20.");
  if (workloads !== undefined) {
    // Before the simulator: it moves the chain's clock a day a minute, faster than a lease can be used.
    console.log("  The demo renter runs the example workloads through the provider node:\n");
    await workloads.runDemo({ chainId: 31337n, market: parseDeployedAddresses(addresses).JobMarket, rpcUrl });
    // Ctrl-C during the demo: everything is already stopping, so there is nothing left to start or wait for.
    if (stopping) return;
  }
  if (simulate) {
    console.log("  The market simulator prints one line per simulated day. Press Ctrl-C to stop.\n");
    startSimulator();
  } else {
    console.log(
      `  The market is idle (GRIDLEASE_SIMULATE=0): a block every ${blockSeconds} s, the GRL/USD feed kept fresh. ` +
        "Press Ctrl-C to stop.\n",
    );
  }

  await new Promise<void>((resolve, reject) => {
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      if (stopping) resolve();
      else reject(new Error(`the local chain stopped unexpectedly (${signal ?? `exit code ${code}`})`));
    };
    // The chain may have exited already (a Ctrl-C while the steps above ran): its exit event is gone.
    if (node.exitCode !== null || node.signalCode !== null) exited(node.exitCode, node.signalCode);
    else node.on("exit", exited);
  });
}

/** How long children get to exit after SIGTERM before SIGKILL. */
const GRACE_MS = Number(process.env.GRIDLEASE_STOP_GRACE_MS ?? "8000");
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log("stopping ...");
    stopAll();
  });
}

main()
  .then(async () => {
    stopAll();
    await allExited(GRACE_MS);
    log("stopped.");
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    stopAll();
    await allExited(GRACE_MS);
    if (stopping) {
      // Ctrl-C while a step was still running: that step's failure is the interruption itself.
      log("stopped.");
      process.exit(0);
    }
    console.error(`[gridlease] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
