// End to end on a real local chain and Podman: a renter posts an instant job for the example batch spec,
// the provider accepts it, the renter hands the spec over to the node's API, the node runs it in a
// container, delivers the manifest's hash on-chain, claims and withdraws; the renter downloads the
// manifest and outputs and verifies them against the chain; another account is refused.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { encodeBytes32String, keccak256, type NonceManager, parseUnits, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ContainerRuntime } from "../runtime/container-runtime.ts";
import { ensureTestEngine } from "../runtime/test-engine.ts";
import {
  hashResultManifest,
  hashWorkloadSpec,
  parseResultManifest,
  parseWorkloadSpec,
  PricingRule,
  verifyOutputs,
  type NodeReadAction,
  type WorkloadSpec,
} from "../../sdk/index.ts";
import { startProviderNode, type ProviderNode } from "../provider-node.ts";
import { NodeStateStore } from "../state/node-state-store.ts";
import type { NodeProcessConfig } from "./node-process.ts";
import { startLocalChain, type LocalChain } from "./local-chain.ts";
import {
  handOver as handOverTo,
  signedRead,
  waitForStatus as waitForNodeStatus,
  type NodeDomain,
  type NodeStatus,
} from "./renter-calls.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "workloads");
const timings: Record<string, number> = {};

let chain: LocalChain;
let node: ProviderNode;
let inputs: Server;
let dataDir: string;
let spec: WorkloadSpec;
let socketPath: string;
const children: ChildProcess[] = [];

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    timings[label] = (Date.now() - start) / 1000;
  }
}

beforeAll(async () => {
  const engine = ensureTestEngine();
  socketPath = engine.socket;
  const numbers = readFileSync(join(EXAMPLES, "numbers.txt"));
  inputs = createServer((_request, response) => response.end(numbers));
  await new Promise<void>((resolve) => inputs.listen(0, "127.0.0.1", resolve));
  const example = JSON.parse(readFileSync(join(EXAMPLES, "batch.json"), "utf8")) as WorkloadSpec;
  // The example as is, on the offline test image and with its input served here.
  const parsed = parseWorkloadSpec({
    ...example,
    image: engine.testImageRef,
    inputs: [
      { ...example.inputs[0], url: `http://127.0.0.1:${(inputs.address() as { port: number }).port}/numbers.txt` },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  spec = parsed.value;
  chain = await timed("chain start and deploy", () => startLocalChain(`node-e2e-${process.pid}`));
  dataDir = mkdtempSync(join(tmpdir(), "gridlease-node-e2e-"));
  node = await startProviderNode({
    chainId: chain.chainId,
    addresses: chain.as.provider.addresses,
    signer: chain.as.provider.market.runner as Signer,
    dataDir,
    socketPath: engine.socket,
    retryDelayMs: 200,
    log: () => {},
  });
}, 300_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await node?.stop();
  await node?.runtime.remove(1n).catch(() => {});
  await chain?.stop();
  await new Promise((resolve) => inputs?.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log(`node e2e timings (s): ${JSON.stringify(timings)}`);
}, 60_000);

const domain = (): NodeDomain => ({ chainId: chain.chainId, market: node.market.address });

function read(jobId: bigint, route: string, action: NodeReadAction, signer: Signer): Promise<Response> {
  return signedRead(domain(), node.api.url, jobId, route, action, signer);
}

function handOver(
  jobId: bigint,
  signer: Signer,
  workload: WorkloadSpec = spec,
  url: string = node.api.url,
  secrets: Record<string, string> = {},
): Promise<Response> {
  return handOverTo(domain(), url, jobId, signer, workload, secrets);
}

/** The renter posts an instant job for `workload` and the provider accepts and starts it (what its bidding agent does). */
async function instantJob(workload: WorkloadSpec, duration = 300): Promise<bigint> {
  const { renter, provider } = chain.as;
  await (
    await renter.market.createJob({
      paymentToken: await renter.usdc!.getAddress(),
      gpuModel: encodeBytes32String("H100"),
      gpuCount: 1,
      minVramGb: 80,
      region: 0,
      minReputation: 0,
      duration,
      reservePricePerGpuHour: parseUnits("2", 6),
      pricingRule: PricingRule.valueOf("Instant"),
      bidWindow: 600,
      revealWindow: 0,
      specHash: hashWorkloadSpec(workload),
    })
  ).wait();
  const id = await renter.market.jobCount();
  // The node process of the restart test sends from the same account: count the nonce from the chain again.
  (provider.market.runner as NonceManager).reset();
  await (await provider.market.acceptInstantAndStart(id)).wait();
  return id;
}

/** A provider node in its own process on `dataDir`; resolves with its API's URL once it listens. */
function nodeProcess(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const config: NodeProcessConfig = {
    rpcUrl: chain.rpcUrl,
    privateKey: chain.wallets.provider.privateKey,
    addresses: chain.as.provider.addresses,
    dataDir,
    socketPath,
  };
  // Type stripping alone cannot load the runtime's parameter properties: transform them.
  const child = spawn(process.execPath, ["--no-warnings", join(import.meta.dirname, "node-process.ts")], {
    env: { ...process.env, GRIDLEASE_NODE_TEST_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) =>
      resolve({ child, url: (JSON.parse(chunk.toString().split("\n")[0]) as { url: string }).url }),
    );
    child.once("exit", (code) => reject(new Error(`the node process exited (${code}) before listening:\n${stderr}`)));
  });
}

/** Polls the job's status through `url` as the renter until `done` says so. */
function waitForStatus(url: string, jobId: bigint, done: (state: string) => boolean): Promise<NodeStatus> {
  return waitForNodeStatus(domain(), url, jobId, chain.as.renter.market.runner as Signer, done);
}

describe("provider node, end to end on a local chain with Podman", () => {
  it("runs an instant batch job, delivers the manifest hash once, and the renter verifies the outputs", async () => {
    const renter = chain.as.renter;
    const renterSigner = renter.market.runner as Signer;
    const strangerSigner = chain.as.stranger.market.runner as Signer;
    const balanceBefore = await renter.usdc!.balanceOf(chain.wallets.provider.address);

    const jobId = await timed("post and accept (chain)", async () => {
      const id = await instantJob(spec);
      // The bidding agent tells the node which jobs it holds (the handover would also record it from the chain).
      node.holdJob(id);
      return id;
    });

    const refused = await handOver(jobId, strangerSigner);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("NOT_RENTER");

    const accepted = await handOver(jobId, renterSigner);
    expect(accepted.status, await accepted.clone().text()).toBe(202);

    const status = await timed("run, deliver, claim (node)", () =>
      waitForStatus(node.api.url, jobId, (state) => state === "claimed" || state === "failed"),
    );
    expect(status.state, status.lastError).toBe("claimed");

    const { manifest, delivered } = await timed("download and verify (renter)", async () => {
      const manifestBytes = Buffer.from(await (await read(jobId, "/manifest", "manifest", renterSigner)).arrayBuffer());
      const parsed = parseResultManifest(manifestBytes.toString("utf8"));
      if (!parsed.ok) throw new Error(parsed.errors.join("; "));
      const files = new Map<string, Uint8Array>();
      for (const output of parsed.value.outputs) {
        files.set(
          output.path,
          new Uint8Array(await (await read(jobId, `/files/${output.sha256}`, "files", renterSigner)).arrayBuffer()),
        );
      }
      expect(verifyOutputs(parsed.value, files)).toEqual([]);
      const events = await renter.market.queryFilter(renter.market.filters.JobDelivered(jobId));
      expect(keccak256(manifestBytes)).toBe(hashResultManifest(parsed.value));
      return { manifest: parsed.value, delivered: events.map((event) => event.args.resultHash) };
    });

    // Delivered exactly once, with the hash of the manifest the renter verified.
    expect(delivered).toEqual([hashResultManifest(manifest)]);
    expect(manifest).toMatchObject({ specHash: hashWorkloadSpec(spec), exitCode: 0, stoppedAtDeadline: false });
    expect(manifest.outputs.map((output) => output.path)).toEqual(["sorted.txt", "sum.json"]);
    const job = await renter.market.jobOf(jobId);
    expect(job.deliveredAt).toBeGreaterThan(0n);
    expect(node.store.require(jobId).manifestHash).toBe(hashResultManifest(manifest));
    // Claimed and withdrawn: the provider holds part of its pay in USDC now.
    expect(await renter.usdc!.balanceOf(chain.wallets.provider.address)).toBeGreaterThan(balanceBefore);

    // Another account reads nothing.
    expect((await read(jobId, "/manifest", "manifest", strangerSigner)).status).toBe(403);
    expect((await read(jobId, `/files/${manifest.outputs[0].sha256}`, "files", strangerSigner)).status).toBe(403);
    expect((await read(jobId, "/logs", "logs", renterSigner)).status).toBe(200);
  }, 240_000);

  it("after kill -9 mid-run, a restarted node re-attaches to the container and delivers exactly once", async () => {
    const slow = parseWorkloadSpec({ ...spec, args: [`sleep 4 && ${spec.args[0]}`] });
    if (!slow.ok) throw new Error(slow.errors.join("; "));
    const folder = mkdtempSync(join(tmpdir(), "gridlease-node-kill-"));
    try {
      const jobId = await instantJob(slow.value);
      const first = await nodeProcess(folder);
      expect((await handOver(jobId, chain.as.renter.market.runner as Signer, slow.value, first.url)).status).toBe(202);
      expect((await waitForStatus(first.url, jobId, (state) => state !== "spec-received")).state).toBe("running");
      // The child node's containers, named by its id (kept in its data folder).
      const childRuntime = new ContainerRuntime({ chainId: chain.chainId, socketPath, dataDir: folder });
      for (let tries = 0; !(await childRuntime.find(jobId))?.running && tries < 100; tries++)
        await new Promise((r) => setTimeout(r, 100));
      first.child.kill("SIGKILL");
      await new Promise((resolve) => first.child.once("exit", resolve));

      // What the dead node left: the job running in its state, the container still there.
      const left = new NodeStateStore(join(folder, "node.db"));
      expect(left.require(jobId).state).toBe("running");
      left.close();
      expect(await childRuntime.find(jobId)).toBeDefined();

      const second = await nodeProcess(folder);
      const status = await waitForStatus(second.url, jobId, (state) => state === "claimed" || state === "failed");
      expect(status.state, status.lastError).toBe("claimed");
      second.child.kill("SIGTERM");

      const delivered = await chain.as.renter.market.queryFilter(chain.as.renter.market.filters.JobDelivered(jobId));
      expect(delivered).toHaveLength(1);
      const finished = await childRuntime.finished(jobId);
      expect(delivered[0].args.resultHash).toBe(finished?.manifestHash);
      expect(finished?.manifest.exitCode).toBe(0);
      expect(finished?.manifest.outputs.map((output) => output.path)).toEqual(["sorted.txt", "sum.json"]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 240_000);

  it("streams the live log while the workload runs", async () => {
    const chatty = parseWorkloadSpec({ ...spec, args: [`echo started && sleep 3 && ${spec.args[0]}`] });
    if (!chatty.ok) throw new Error(chatty.errors.join("; "));
    const renterSigner = chain.as.renter.market.runner as Signer;
    const jobId = await instantJob(chatty.value);
    expect((await handOver(jobId, renterSigner, chatty.value)).status).toBe(202);
    for (let tries = 0; !(await node.runtime.find(jobId))?.running && tries < 200; tries++)
      await new Promise((r) => setTimeout(r, 100));
    expect(node.store.require(jobId).state).toBe("running");
    // Opened while the container runs: the answer follows the log to the workload's end.
    const logs = await (await read(jobId, "/logs", "logs", renterSigner)).text();
    expect(logs).toContain("started");
    expect(logs).toContain("gridlease batch example: done");
    expect((await waitForStatus(node.api.url, jobId, (state) => state === "claimed" || state === "failed")).state).toBe(
      "claimed",
    );
  }, 120_000);

  it("proxies a service job's HTTP endpoint to the renter while the lease runs, and not after", async () => {
    const example = JSON.parse(readFileSync(join(EXAMPLES, "service.json"), "utf8")) as WorkloadSpec;
    const parsed = parseWorkloadSpec({ ...example, image: spec.image });
    if (!parsed.ok) throw new Error(parsed.errors.join("; "));
    const renterSigner = chain.as.renter.market.runner as Signer;
    const jobId = await instantJob(parsed.value, 60);
    expect((await handOver(jobId, renterSigner, parsed.value, node.api.url, { API_TOKEN: "t0ken" })).status).toBe(202);
    let health: Response | undefined;
    for (let tries = 0; health?.status !== 200 && tries < 100; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 200));
      health = await read(jobId, "/service/health", "service", renterSigner);
    }
    expect(await health?.text()).toBe("ok\n");
    const answer = await read(jobId, "/service/cgi-bin/infer?q=gpu", "service", renterSigner);
    expect(await answer.json()).toEqual({ model: "echo-1", echo: "q=gpu" });
    expect((await read(jobId, "/service/health", "service", chain.as.stranger.market.runner as Signer)).status).toBe(
      403,
    );

    // The lease is 60 s: the node stops the service at the paid time, then delivers.
    const status = await waitForStatus(node.api.url, jobId, (state) => state === "claimed" || state === "failed");
    expect(status.state, status.lastError).toBe("claimed");
    const after = await read(jobId, "/service/health", "service", renterSigner);
    expect(after.status).toBe(503);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe("SERVICE_NOT_RUNNING");
    const manifest = await node.runtime.finished(jobId);
    expect(manifest?.manifest.stoppedAtDeadline).toBe(true);
  }, 180_000);
});
