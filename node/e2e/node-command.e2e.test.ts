// `gridlease node --config node.json` as a provider runs it: a child process on a real local chain and Podman.
// It publishes its profile once, bids by policy on a first-price job and accepts an instant credit job, runs
// each workload after the renter's handover, delivers, claims and withdraws (credit earnings minted as GRL);
// it stops cleanly on SIGTERM, and a restart sends no second profile transaction. With its engine socket
// behind a proxy that goes away mid-job, it reports the lost engine, retries, delivers nothing meanwhile, and
// finishes the job once the engine is back.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { encodeBytes32String, keccak256, parseEther, parseUnits, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  findNodeApi,
  hashResultManifest,
  hashWorkloadSpec,
  parseResultManifest,
  parseWorkloadSpec,
  PricingRule,
  providerProfile,
  verifyOutputs,
  type WorkloadSpec,
} from "../../sdk/index.ts";
import { ContainerRuntime } from "../runtime/container-runtime.ts";
import { ensureTestEngine } from "../runtime/test-engine.ts";
import { startEngineProxy, type EngineProxy } from "./engine-proxy.ts";
import { freePort, startLocalChain, type LocalChain } from "./local-chain.ts";
import { atRest, handOver, signedRead, waitForStatus, type NodeDomain } from "./renter-calls.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "cli", "gridlease.ts");
const EXAMPLES = join(ROOT, "examples", "workloads");
const DEPLOYMENT_ID = `node-command-e2e-${process.pid}`;

let chain: LocalChain;
let inputs: Server;
let spec: WorkloadSpec;
let engineSocket: string;
let folder: string;
let port: number;
let domain: NodeDomain;
let proxy: EngineProxy | undefined;
const children: ChildProcess[] = [];

/** A `gridlease node` child process and the JSON events it printed. */
interface NodeProcess {
  child: ChildProcess;
  events: Record<string, unknown>[];
  output: () => string;
  /** The first event `match` accepts (already printed or to come). */
  event(match: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function writeConfig(name: string, config: Record<string, unknown>): string {
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

function nodeConfig(dataDir: string, socket: string): Record<string, unknown> {
  return {
    rpcUrl: chain.rpcUrl,
    deployment: join(ROOT, "ignition", "deployments", DEPLOYMENT_ID),
    dataDir,
    engineSocket: socket,
    api: { host: "127.0.0.1", port },
    policy: { minPricePerGpuHour: { H100: "1.00" }, marginBelowReserveBps: 500, pollIntervalMs: 300 },
  };
}

function startNode(configPath: string): NodeProcess {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(GRIDLEASE_|VITEST)/.test(key) && key !== "NODE_ENV") env[key] = value;
  const child = spawn(process.execPath, ["--no-warnings", CLI, "node", "--config", configPath, "--json"], {
    cwd: ROOT,
    env: { ...env, GRIDLEASE_PRIVATE_KEY: chain.wallets.provider.privateKey, GRIDLEASE_HOME: folder },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let text = "";
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A multi-line error report: kept in the text output.
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    events,
    output: () => text,
    exited,
    event(match, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching event within ${timeoutMs} ms; the node printed:\n${text.slice(-4000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        void exited.then(() => {
          check();
          if (!waiters.has(check)) return;
          cleanup();
          reject(new Error(`the node exited; it printed:\n${text.slice(-4000)}`));
        });
        waiters.add(check);
        check();
      });
    },
  };
}

async function stopNode(node: NodeProcess): Promise<number | null> {
  node.child.kill("SIGTERM");
  return node.exited;
}

function is(name: string, jobId?: bigint): (event: Record<string, unknown>) => boolean {
  return (event) => event.event === name && (jobId === undefined || event.jobId === String(jobId));
}

async function advance(seconds: number): Promise<void> {
  await chain.provider.send("evm_increaseTime", [seconds]);
  await chain.provider.send("evm_mine", []);
}

async function postJob(rule: "FirstPrice" | "Instant", credits: boolean, workload: WorkloadSpec): Promise<bigint> {
  const { renter } = chain.as;
  const paymentToken = credits ? await renter.settlement.getAddress() : await renter.usdc!.getAddress();
  await (
    await renter.market.createJob({
      paymentToken,
      gpuModel: encodeBytes32String("H100"),
      gpuCount: 1,
      minVramGb: 80,
      region: 0,
      minReputation: 0,
      duration: 300,
      reservePricePerGpuHour: credits ? parseUnits("2", 18) : parseUnits("2", 6),
      pricingRule: PricingRule.valueOf(rule),
      bidWindow: 600,
      revealWindow: rule === "Instant" ? 0 : 600,
      specHash: hashWorkloadSpec(workload),
    })
  ).wait();
  return renter.market.jobCount();
}

/** Downloads the manifest and outputs as the renter, verifies them, and checks the one delivery on-chain. */
async function verifyDelivered(url: string, jobId: bigint): Promise<void> {
  const renter = chain.as.renter.market.runner as Signer;
  const bytes = Buffer.from(
    await (await signedRead(domain, url, jobId, "/manifest", "manifest", renter)).arrayBuffer(),
  );
  const manifest = parseResultManifest(bytes.toString("utf8"));
  if (!manifest.ok) throw new Error(manifest.errors.join("; "));
  const files = new Map<string, Uint8Array>();
  for (const output of manifest.value.outputs) {
    const file = await signedRead(domain, url, jobId, `/files/${output.sha256}`, "files", renter);
    files.set(output.path, new Uint8Array(await file.arrayBuffer()));
  }
  expect(verifyOutputs(manifest.value, files)).toEqual([]);
  expect(manifest.value).toMatchObject({ exitCode: 0, stoppedAtDeadline: false });
  expect(manifest.value.outputs.map((output) => output.path)).toEqual(["sorted.txt", "sum.json"]);
  const market = chain.as.renter.market;
  const delivered = await market.queryFilter(market.filters.JobDelivered(jobId));
  expect(delivered.map((event) => event.args.resultHash)).toEqual([keccak256(bytes)]);
  expect(keccak256(bytes)).toBe(hashResultManifest(manifest.value));
}

function residentMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) / 1024;
}

beforeAll(async () => {
  const engine = ensureTestEngine();
  engineSocket = engine.socket;
  const numbers = readFileSync(join(EXAMPLES, "numbers.txt"));
  inputs = createServer((_request, response) => response.end(numbers));
  await new Promise<void>((resolve) => inputs.listen(0, "127.0.0.1", resolve));
  const example = JSON.parse(readFileSync(join(EXAMPLES, "batch.json"), "utf8")) as WorkloadSpec;
  const parsed = parseWorkloadSpec({
    ...example,
    image: engine.testImageRef,
    inputs: [
      { ...example.inputs[0], url: `http://127.0.0.1:${(inputs.address() as { port: number }).port}/numbers.txt` },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  spec = parsed.value;
  chain = await startLocalChain(DEPLOYMENT_ID);
  domain = { chainId: chain.chainId, market: await chain.as.renter.market.getAddress() };
  folder = mkdtempSync(join(tmpdir(), "gridlease-node-command-"));
  port = await freePort();
  // The renter pays the instant job in credits, bought by burning GRL.
  const { deployer, renter } = chain.as;
  await (await deployer.token.transfer(chain.wallets.renter.address, parseEther("100"))).wait();
  await (await renter.token.approve(await renter.settlement.getAddress(), parseEther("100"))).wait();
  await (await renter.settlement.buyCredits(chain.wallets.renter.address, parseEther("100"), 0)).wait();
}, 300_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await proxy?.close();
  // Each node's containers are named by its own id (kept in its data folder).
  for (const node of folder ? ["data", "flaky"] : []) {
    const runtime = new ContainerRuntime({ chainId: 31337n, socketPath: engineSocket, dataDir: join(folder, node) });
    for (let id = 1n; id <= 4n; id++) await runtime.remove(id).catch(() => {});
  }
  await chain?.stop();
  await new Promise((resolve) => inputs?.close(resolve));
  if (folder) rmSync(folder, { recursive: true, force: true });
}, 60_000);

describe("gridlease node, a spawned process on a local chain with Podman", () => {
  let node: NodeProcess;
  let configPath: string;

  it("publishes its profile on-chain and serves it at /profile", async () => {
    configPath = writeConfig("node.json", nodeConfig(join(folder, "data"), engineSocket));
    node = startNode(configPath);
    const updated = await node.event(is("profile_updated"));
    const url = `http://127.0.0.1:${port}`;
    expect(updated.metadataURI).toBe(`${url}/profile`);
    await node.event(is("agent_started"));
    const provider = chain.wallets.provider.address;
    expect(await (await fetch(`${url}/profile`)).json()).toEqual(providerProfile(provider, url));
    // What a renter does to find the winner's node.
    expect(await findNodeApi(chain.as.renter.registry, provider)).toBe(url);
  }, 300_000);

  it("bids by policy on a first-price job, wins it, runs it after the handover, delivers and withdraws", async () => {
    const usdc = chain.as.renter.usdc!;
    const before = await usdc.balanceOf(chain.wallets.provider.address);
    const jobId = await postJob("FirstPrice", false, spec);
    const bid = await node.event(is("bid_committed", jobId));
    // 5% below the renter's $2.00 maximum, above the $1.00 floor.
    expect(bid.pricePerGpuHour).toBe("1.9");
    await advance(600);
    await node.event(is("bid_revealed", jobId));
    await advance(600);
    await node.event(is("job_held", jobId));
    const url = await findNodeApi(chain.as.renter.registry, chain.wallets.provider.address);
    const renter = chain.as.renter.market.runner as Signer;
    expect((await handOver(domain, url, jobId, renter, spec)).status).toBe(202);
    const status = await waitForStatus(domain, url, jobId, renter, atRest);
    expect(status.state, status.lastError).toBe("claimed");
    await verifyDelivered(url, jobId);
    expect((await chain.as.renter.market.jobOf(jobId)).clearingPrice).toBe(parseUnits("1.9", 6));
    expect(await usdc.balanceOf(chain.wallets.provider.address)).toBeGreaterThan(before);
  }, 300_000);

  it("accepts an instant credit job, runs it, and withdraws its earnings as GRL", async () => {
    const { token, settlement } = chain.as.renter;
    const provider = chain.wallets.provider.address;
    const before = await token.balanceOf(provider);
    const jobId = await postJob("Instant", true, spec);
    await node.event(is("job_accepted", jobId));
    await node.event(is("job_held", jobId));
    const url = `http://127.0.0.1:${port}`;
    const renter = chain.as.renter.market.runner as Signer;
    expect((await handOver(domain, url, jobId, renter, spec)).status).toBe(202);
    const status = await waitForStatus(domain, url, jobId, renter, atRest);
    expect(status.state, status.lastError).toBe("claimed");
    await verifyDelivered(url, jobId);
    const withdrawn = await settlement.queryFilter(settlement.filters.EarningsWithdrawn(provider));
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0].args.grlAmount).toBeGreaterThan(0n);
    expect(await settlement.earningsOf(provider)).toBe(0n);
    expect(await token.balanceOf(provider)).toBe(before + withdrawn[0].args.mintedNow);
  }, 300_000);

  it("stops on SIGTERM, and a restart finds its profile current and sends no second transaction", async () => {
    expect(await stopNode(node)).toBe(0);
    expect(node.events.some(is("node_stopped"))).toBe(true);
    const registry = chain.as.renter.registry;
    const updates = () => registry.queryFilter(registry.filters.ProviderProfileUpdated(chain.wallets.provider.address));
    expect(await updates()).toHaveLength(1);
    const again = startNode(configPath);
    expect((await again.event(is("profile_current"))).metadataURI).toBe(`http://127.0.0.1:${port}/profile`);
    await again.event(is("agent_started"));
    expect(await updates()).toHaveLength(1);
    expect(await stopNode(again)).toBe(0);
  }, 300_000);

  it("loses its engine mid-job: reports it, retries, delivers nothing meanwhile, and finishes once it is back", async () => {
    proxy = await startEngineProxy(join(folder, "engine.sock"), engineSocket);
    const flaky = startNode(writeConfig("flaky.json", nodeConfig(join(folder, "flaky"), proxy.path)));
    await flaky.event(is("agent_started"));
    const slow = parseWorkloadSpec({ ...spec, args: [`sleep 8 && ${spec.args[0]}`] });
    if (!slow.ok) throw new Error(slow.errors.join("; "));
    const jobId = await postJob("Instant", false, slow.value);
    await flaky.event(is("job_held", jobId));
    const url = `http://127.0.0.1:${port}`;
    const renter = chain.as.renter.market.runner as Signer;
    expect((await handOver(domain, url, jobId, renter, slow.value)).status).toBe(202);
    // The node's own data folder: the same node id, so the same container names.
    const direct = new ContainerRuntime({
      chainId: chain.chainId,
      socketPath: engineSocket,
      dataDir: join(folder, "flaky"),
    });
    // Read straight from the engine; a busy shared engine may answer an error now and then: ask again.
    const running = async () => (await direct.find(jobId).catch(() => undefined))?.running === true;
    for (let tries = 0; !(await running()) && tries < 600; tries++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await running(), flaky.output().slice(-3000)).toBe(true);
    const rss = residentMegabytes(flaky.child.pid!);
    console.log(
      `gridlease node resident memory while a job runs: ${rss.toFixed(1)} MB (VmRSS of pid ${flaky.child.pid})`,
    );

    await proxy.close();
    const lost = await flaky.event(
      (event) =>
        event.event === "node" &&
        String(event.message).includes(`job ${jobId}`) &&
        /cannot reach the container engine/.test(String(event.message)),
      60_000,
    );
    expect(String(lost.message)).toMatch(/retry \d+ of \d+/);
    // The workload ends (8 s) while the engine is away: nothing is delivered without the engine's word.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect((await chain.as.renter.market.jobOf(jobId)).deliveredAt).toBe(0n);
    expect((await waitForStatus(domain, url, jobId, renter, () => true)).state).toBe("running");

    await proxy.open();
    const status = await waitForStatus(domain, url, jobId, renter, atRest);
    expect(status.state, status.lastError).toBe("claimed");
    await verifyDelivered(url, jobId);
    expect(await stopNode(flaky)).toBe(0);
  }, 300_000);
});
