// End to end on a real local chain and Podman: a renter posts an instant job for the example batch spec,
// the provider accepts it, the renter hands the spec over to the node's API, the node runs it in a
// container, delivers the manifest's hash on-chain, claims and withdraws; the renter downloads the
// manifest and outputs and verifies them against the chain; another account is refused.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { encodeBytes32String, keccak256, parseUnits, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ensureTestEngine } from "../runtime/test-engine.ts";
import {
  hashResultManifest,
  hashSecrets,
  hashWorkloadSpec,
  parseResultManifest,
  parseWorkloadSpec,
  PricingRule,
  READ_SIGNATURE_HEADER,
  signNodeMessage,
  signReadRequest,
  specHandoverTypedData,
  verifyOutputs,
  type NodeReadAction,
  type WorkloadSpec,
} from "../../sdk/index.ts";
import { startProviderNode, type ProviderNode } from "../provider-node.ts";
import { startLocalChain, type LocalChain } from "./local-chain.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "workloads");
const timings: Record<string, number> = {};

let chain: LocalChain;
let node: ProviderNode;
let inputs: Server;
let dataDir: string;
let spec: WorkloadSpec;

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
  const numbers = readFileSync(join(EXAMPLES, "numbers.txt"));
  inputs = createServer((_request, response) => response.end(numbers));
  await new Promise<void>((resolve) => inputs.listen(0, "127.0.0.1", resolve));
  const example = JSON.parse(readFileSync(join(EXAMPLES, "batch.json"), "utf8")) as WorkloadSpec;
  // The example as is, on the offline test image and with its input served here.
  const parsed = parseWorkloadSpec({
    ...example,
    image: engine.testImageRef,
    inputs: [{ ...example.inputs[0], url: `http://127.0.0.1:${(inputs.address() as { port: number }).port}/numbers.txt` }],
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
  await node?.stop();
  await node?.runtime.remove(1n).catch(() => {});
  await chain?.stop();
  await new Promise((resolve) => inputs?.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log(`node e2e timings (s): ${JSON.stringify(timings)}`);
}, 60_000);

async function read(jobId: bigint, route: string, action: NodeReadAction, signer: Signer): Promise<Response> {
  const expiresAt = BigInt(Math.floor(Date.now() / 1000) + 300);
  const header = await signReadRequest(signer, chain.chainId, node.market.address, { jobId, action, expiresAt });
  return fetch(`${node.api.url}/jobs/${jobId}${route}`, { headers: { [READ_SIGNATURE_HEADER]: header } });
}

async function handOver(jobId: bigint, signer: Signer): Promise<Response> {
  const secrets = {};
  const message = { jobId, specHash: hashWorkloadSpec(spec), secretsHash: hashSecrets(secrets) };
  const signature = await signNodeMessage(signer, specHandoverTypedData(chain.chainId, node.market.address, message));
  return fetch(`${node.api.url}/jobs/${jobId}/spec`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ spec, secrets, signature }) });
}

describe("provider node, end to end on a local chain with Podman", () => {
  it("runs an instant batch job, delivers the manifest hash once, and the renter verifies the outputs", async () => {
    const renter = chain.as.renter;
    const provider = chain.as.provider;
    const renterSigner = renter.market.runner as Signer;
    const strangerSigner = chain.as.stranger.market.runner as Signer;
    const usdc = await renter.usdc!.getAddress();
    const balanceBefore = await renter.usdc!.balanceOf(chain.wallets.provider.address);

    const jobId = await timed("post and accept (chain)", async () => {
      await (
        await renter.market.createJob({
          paymentToken: usdc,
          gpuModel: encodeBytes32String("H100"),
          gpuCount: 1,
          minVramGb: 80,
          region: 0,
          minReputation: 0,
          duration: 300,
          reservePricePerGpuHour: parseUnits("2", 6),
          pricingRule: PricingRule.valueOf("Instant"),
          bidWindow: 600,
          revealWindow: 0,
          specHash: hashWorkloadSpec(spec),
        })
      ).wait();
      const id = await renter.market.jobCount();
      // What the bidding agent does when it takes an instant job: accept, start, and tell the node it holds it.
      await (await provider.market.acceptInstantAndStart(id)).wait();
      node.holdJob(id);
      return id;
    });

    const refused = await handOver(jobId, strangerSigner);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("NOT_RENTER");

    const accepted = await handOver(jobId, renterSigner);
    expect(accepted.status, await accepted.clone().text()).toBe(202);

    const status = await timed("run, deliver, claim (node)", async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const body = (await (await read(jobId, "", "status", renterSigner)).json()) as { state: string; lastError?: string };
        if (body.state === "claimed" || body.state === "failed" || Date.now() > deadline) return body;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
    expect(status.state, status.lastError).toBe("claimed");

    const { manifest, delivered } = await timed("download and verify (renter)", async () => {
      const manifestBytes = Buffer.from(await (await read(jobId, "/manifest", "manifest", renterSigner)).arrayBuffer());
      const parsed = parseResultManifest(manifestBytes.toString("utf8"));
      if (!parsed.ok) throw new Error(parsed.errors.join("; "));
      const files = new Map<string, Uint8Array>();
      for (const output of parsed.value.outputs) {
        files.set(output.path, new Uint8Array(await (await read(jobId, `/files/${output.sha256}`, "files", renterSigner)).arrayBuffer()));
      }
      expect(verifyOutputs(parsed.value, files)).toEqual([]);
      const events = await renter.market.queryFilter(renter.market.filters.JobDelivered(jobId));
      expect(keccak256(manifestBytes)).toBe(hashResultManifest(parsed.value));
      return { manifest: parsed.value, delivered: events.map((event) => event.args.resultHash), files };
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
});
