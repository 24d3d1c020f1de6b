// `npm start`'s real workloads: a provider node (`gridlease node`, the container runtime on the machine's
// engine) for a provider account of its own, and a demo renter that runs the example batch job and the
// example service through it with `gridlease run`, so a newcomer sees verified results within the first
// minute. The node serves the demo renter only (its policy's `renters`): the simulator's jobs carry no spec
// to hand over, and a node that won one would hold GPUs for nothing.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";

import { JsonRpcProvider, Wallet } from "ethers";

/** Hardhat account 4: the local provider node's account (accounts 1 and 3 stay free for the README's steps). */
export const NODE_ACCOUNT_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

/** What the demo needs from `npm start`. */
export interface WorkloadDemoHost {
  root: string;
  /** The demo's folder (node state and log, specs as run here, results), emptied first: the chain is new. */
  folder: string;
  /** The environment of `npm start`'s children (RPC URL, deployment folder). */
  env: () => NodeJS.ProcessEnv;
  /** Registers a child so that Ctrl-C stops it (a process group of its own). */
  track: (child: ChildProcess) => ChildProcess;
  /** Runs `gridlease <args> --json` as `key`'s account; resolves with its JSON output. */
  gridlease: (args: string[], key?: string) => Promise<Record<string, unknown>>;
  log: (message: string) => void;
  isStopping: () => boolean;
}

/** The engine and the offline image, as `scripts/containers.mjs --json` reports them. */
interface Engine {
  socket: string;
  engine: string;
  testImageRef: string;
}

/** The running demo: the node's API and folder, and how to stop the input server. */
export interface WorkloadDemo {
  nodeUrl: string;
  engine: string;
  folder: string;
  /** Runs the demo renter to its end (never rejects: a failure is logged). */
  runDemo: (chain: { chainId: bigint; market: string; rpcUrl: string }) => Promise<void>;
  close: () => void;
}

/** The container engine, set up by the project's own script (idempotent); undefined with the reason when it cannot be. */
function containerEngine(root: string): Engine | { problem: string } {
  const result = spawnSync(process.execPath, [join(root, "scripts", "containers.mjs"), "--json"], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (result.status !== 0) {
    const why = (result.stderr ?? "").trim().split("\n").slice(-2).join(" ") || (result.error?.message ?? "");
    return { problem: why === "" ? `exit ${result.status}` : why };
  }
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Engine;
}

/** Serves the batch example's input file, which its spec names by URL and sha256. */
function serveInput(root: string): Promise<{ server: Server; url: string }> {
  const numbers = readFileSync(join(root, "examples", "workloads", "numbers.txt"));
  const server = createServer((_request, response) => response.end(numbers));
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}/numbers.txt` });
    }),
  );
}

/** The examples as they run here: on the offline image (the same busybox, pinned) and with the local input. */
function writeSpecs(root: string, folder: string, image: string, inputUrl: string): { batch: string; service: string } {
  const examples = join(root, "examples", "workloads");
  const batch = JSON.parse(readFileSync(join(examples, "batch.json"), "utf8")) as {
    image: string;
    inputs: { url: string }[];
  };
  batch.image = image;
  batch.inputs = batch.inputs.map((input) => ({ ...input, url: inputUrl }));
  const service = JSON.parse(readFileSync(join(examples, "service.json"), "utf8")) as { image: string };
  service.image = image;
  const paths = { batch: join(folder, "batch.json"), service: join(folder, "service.json") };
  writeFileSync(paths.batch, `${JSON.stringify(batch, null, 2)}\n`);
  writeFileSync(paths.service, `${JSON.stringify(service, null, 2)}\n`);
  return paths;
}

/** A child's JSON-lines output, kept as it comes, and waited on by predicate. */
interface JsonLines {
  waitFor(
    match: (event: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
}

function jsonLines(child: ChildProcess, onLine: (line: string) => void = () => {}): JsonLines {
  const events: Record<string, unknown>[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      onLine(line);
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a JSON line
      }
    }
  });
  return {
    async waitFor(match, what, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const failure = events.find((e) => e.error !== undefined);
        if (failure !== undefined) throw new Error(`${what}: ${JSON.stringify(failure.error)}`);
        const found = events.find(match);
        if (found !== undefined) return found;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${what}: the process exited (${child.signalCode ?? `exit code ${child.exitCode}`})`);
        if (Date.now() > deadline) throw new Error(`${what}: nothing within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

/**
 * Onboards the node's account (registered, two H100s listed, staked, online), then starts `gridlease node`
 * with a config written for this chain. Resolves once the node listens and has published its profile.
 */
async function startNode(host: WorkloadDemoHost, folder: string, engine: Engine, port: number): Promise<string> {
  const key = NODE_ACCOUNT_KEY;
  await host.gridlease(["provider", "register", "--region", "826"], key);
  await host.gridlease(["provider", "stake", "1000"], key);
  await host.gridlease(["provider", "gpu", "set", "H100", "--count", "2"], key);
  await host.gridlease(["provider", "online"], key);
  const config = join(folder, "node.json");
  writeFileSync(
    config,
    `${JSON.stringify(
      {
        rpcUrl: host.env().GRIDLEASE_RPC_URL,
        ...(host.env().GRIDLEASE_DEPLOYMENT === undefined ? {} : { deployment: host.env().GRIDLEASE_DEPLOYMENT }),
        dataDir: join(folder, "node"),
        engineSocket: engine.socket,
        api: { host: "127.0.0.1", port },
        policy: {
          minPricePerGpuHour: { H100: "1.00" },
          acceptInstant: true,
          renters: [new Wallet(DEMO_RENTER_KEY).address],
          pollIntervalMs: 500,
        },
      },
      null,
      2,
    )}\n`,
  );
  const logFile = join(folder, "node.log");
  const out = openSync(logFile, "w");
  const child = host.track(
    spawn(process.execPath, [join(host.root, "cli", "gridlease.ts"), "node", "--config", config, "--json"], {
      cwd: host.root,
      env: { ...host.env(), GRIDLEASE_PRIVATE_KEY: key },
      stdio: ["ignore", "pipe", out],
      detached: true,
    }),
  );
  // Everything the node prints goes to its log; the first events are read on the way.
  const lines = jsonLines(child, (line) => writeFileSync(logFile, `${line}\n`, { flag: "a" }));
  child.on("exit", (code, signal) => {
    if (!host.isStopping()) host.log(`the provider node stopped (${signal ?? `exit code ${code}`}); see ${logFile}`);
  });
  const started = await lines.waitFor((e) => e.event === "node_started", "the provider node", 60_000);
  await lines.waitFor(
    (e) => e.event === "profile_updated" || e.event === "profile_current",
    "the provider node's profile",
    60_000,
  );
  return String(started.publicUrl ?? started.api);
}

/** Hardhat account 2, the demo renter of `npm start`'s account table. */
export const DEMO_RENTER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/** `gridlease run` as the demo renter, its JSON events read as they come. */
function runAsRenter(host: WorkloadDemoHost, args: string[]): ChildProcess {
  return host.track(
    spawn(process.execPath, [join(host.root, "cli", "gridlease.ts"), "run", ...args, "--json"], {
      cwd: host.root,
      env: { ...host.env(), GRIDLEASE_PRIVATE_KEY: DEMO_RENTER_KEY },
      stdio: ["ignore", "pipe", "ignore"],
      detached: true,
    }),
  );
}

function seconds(value: unknown): string {
  return typeof value === "number" ? value.toFixed(1) : "?";
}

/** The demo renter: the batch example, verified and settled; then the service, asked once through the node, and stopped. */
async function runDemoRenter(
  host: WorkloadDemoHost,
  folder: string,
  specs: { batch: string; service: string },
  chain: { chainId: bigint; market: string; rpcUrl: string },
): Promise<void> {
  const job = ["--model", "H100", "--count", "1", "--max-price", "2.50", "--rule", "instant"];
  const batchOut = join(folder, "results", "batch");
  const batch = runAsRenter(host, [specs.batch, ...job, "--hours", "0.1", "--out", batchOut]);
  const result = await jsonLines(batch).waitFor((e) => e.event === "result", "the demo batch job", 300_000);
  const t = (result.timings ?? {}) as Record<string, number>;
  const sum = readFileSync(join(batchOut, "outputs", "sum.json"), "utf8").trim();
  host.log(
    `demo batch job #${result.jobId}: ${result.verified ? "outputs verified against the on-chain result hash" : "OUTPUTS DID NOT VERIFY"}` +
      `${result.settled === undefined ? "" : ", settled"} in ${seconds(t.total)} s (chain ${seconds(t.chain)}, container start ` +
      `${seconds(t.containerStart)}, workload ${seconds(t.workload)}, download ${seconds(t.download)}); sum.json = ${sum}; ` +
      `files in ${batchOut}`,
  );

  const service = runAsRenter(host, [
    specs.service,
    ...job,
    "--hours",
    "0.25",
    "--secret",
    "API_TOKEN=demo",
    "--out",
    join(folder, "results", "service"),
  ]);
  const events = jsonLines(service);
  const ready = await events.waitFor((e) => e.event === "serviceReady", "the demo service job", 300_000);
  // Loaded now, not with start.ts: the SDK's entry needs the ABIs that start.ts generates after compiling
  // (a fresh clone has none when start.ts loads).
  const { NodeClient } = await import("../../sdk/index.ts");
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  try {
    const client = new NodeClient({
      url: String(ready.url).replace(/\/jobs\/.*$/, ""),
      signer: new Wallet(DEMO_RENTER_KEY, provider),
      chainId: chain.chainId,
      market: chain.market,
    });
    const answer = await (await client.serviceFetch(BigInt(String(ready.jobId)), "/cgi-bin/infer?hello")).text();
    host.log(`demo service job #${ready.jobId}: ${ready.url}/cgi-bin/infer?hello answered ${answer.trim()}`);
  } finally {
    provider.destroy();
  }
  // The renter ends the lease early (stopJob): paid for the time used, the rest refunded.
  service.kill("SIGINT");
  await events.waitFor((e) => e.event === "stopped", "stopping the demo service job", 60_000);
  host.log(`demo service job #${ready.jobId}: stopped by the renter (paid for the time used, the rest refunded)`);
}

/**
 * Starts the node; resolves once it is up, with `runDemo` for the demo renter (which reports through `log`). Undefined, with the reason logged, on a machine with no container engine.
 */
export async function startWorkloadDemo(host: WorkloadDemoHost, nodePort: number): Promise<WorkloadDemo | undefined> {
  const engine = containerEngine(host.root);
  if ("problem" in engine) {
    host.log(
      `no container engine (${engine.problem}): the local provider node and the demo workloads are left out. ` +
        "`npm run containers` installs and starts Podman's Docker-compatible service (root and apt needed).",
    );
    return undefined;
  }
  const folder = host.folder;
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const input = await serveInput(host.root);
  const specs = writeSpecs(host.root, folder, engine.testImageRef, input.url);
  const nodeUrl = await startNode(host, folder, engine, nodePort);
  host.log(
    `provider node on ${nodeUrl} (container runtime: ${engine.engine} at ${engine.socket}; log ${join(folder, "node.log")})`,
  );
  return {
    nodeUrl,
    engine: engine.engine,
    folder,
    runDemo: (chain) =>
      runDemoRenter(host, folder, specs, chain).catch((error: unknown) => {
        if (!host.isStopping())
          host.log(`the demo renter stopped: ${error instanceof Error ? error.message : String(error)}`);
      }),
    close: () => input.server.close(),
  };
}
