// The renter's side end to end on a real local chain, real Podman and a real provider node (startProviderNode):
// runWorkload posts, waits for the winner (a scripted provider accepts or bids), finds the node from the
// provider's on-chain profile, hands the spec over, follows the logs, verifies the delivered results and
// settles; a node serving tampered outputs is caught and disputed; another account reads nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { type NonceManager, parseUnits, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startLocalChain, type LocalChain } from "../../node/e2e/local-chain.ts";
import { startProviderNode, type ProviderNode } from "../../node/provider-node.ts";
import { ensureTestEngine } from "../../node/runtime/test-engine.ts";
import { bidCommitment, newSalt } from "../bidding.ts";
import { canonicalJsonBytes } from "../workload/canonical.ts";
import { READ_SIGNATURE_HEADER } from "../workload/handover.ts";
import { providerProfile } from "../workload/provider-profile.ts";
import { hashWorkloadSpec, parseWorkloadSpec, type WorkloadSpec } from "../workload/spec.ts";
import { NodeClient, NodeRequestError } from "./node-client.ts";
import { type RunEvent, runWorkload, type RunWorkloadOptions } from "./run-workload.ts";
import { readOutputFolder, saveResult } from "./save-outputs.ts";
import { verifyOutputs } from "../workload/verify.ts";
import { keccak256 } from "ethers";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "workloads");

let chain: LocalChain;
let node: ProviderNode;
let dataDir: string;
let outDir: string;
let spec: WorkloadSpec;
/** The instant batch job of the first test: a delivered batch job for the error cases. */
let batchJobId: bigint;
const servers: Server[] = [];

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
  );
}

async function warp(seconds: number): Promise<void> {
  await chain.provider.send("evm_increaseTime", [seconds]);
  await chain.provider.send("evm_mine", []);
  // A day's jump outlives the GRL/USD feed's heartbeat: publish its answer again, as a keeper would.
  const feed = chain.as.deployer.feed!;
  const [, answer] = await feed.latestRoundData();
  await (await feed.setAnswer(answer)).wait();
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

/** A front for the real node that flips a bit of every file it serves: a provider whose outputs were tampered with. */
function tamperingFront(target: () => string): Server {
  return createServer(async (request, response) => {
    const headers: Record<string, string> = { "content-type": request.headers["content-type"] ?? "application/json" };
    const read = request.headers[READ_SIGNATURE_HEADER];
    if (typeof read === "string") headers[READ_SIGNATURE_HEADER] = read;
    try {
      const upstream = await fetch(`${target()}${request.url}`, {
        method: request.method,
        headers,
        body: request.method === "POST" ? await body(request) : undefined,
      });
      const bytes = Buffer.from(await upstream.arrayBuffer());
      if (upstream.ok && request.url?.includes("/files/") && bytes.length > 0) bytes[0] ^= 1;
      response.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "text/plain" });
      response.end(bytes);
    } catch {
      // The renter gave up on a stream (its log follow) or the node went away: nothing more to relay.
      response.destroy();
    }
  });
}

beforeAll(async () => {
  const engine = ensureTestEngine();
  const numbers = readFileSync(join(EXAMPLES, "numbers.txt"));
  const inputs = await listen(createServer((_request, response) => response.end(numbers)));
  const example = JSON.parse(readFileSync(join(EXAMPLES, "batch.json"), "utf8")) as WorkloadSpec;
  const parsed = parseWorkloadSpec({
    ...example,
    image: engine.testImageRef,
    inputs: [{ ...example.inputs[0], url: `${inputs}/numbers.txt` }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  spec = parsed.value;
  chain = await startLocalChain(`renter-e2e-${process.pid}`);
  dataDir = mkdtempSync(join(tmpdir(), "gridlease-renter-e2e-"));
  outDir = mkdtempSync(join(tmpdir(), "gridlease-renter-out-"));
  node = await startProviderNode({
    chainId: chain.chainId,
    addresses: chain.as.provider.addresses,
    signer: chain.as.provider.market.runner as Signer,
    dataDir,
    socketPath: engine.socket,
    retryDelayMs: 200,
    log: () => {},
  });
  // The provider's on-chain profile points at its node: what a renter discovers it by.
  const provider = chain.wallets.provider.address;
  const profile = await listen(
    createServer((_request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(providerProfile(provider, node.api.url)));
    }),
  );
  await (await chain.as.provider.registry.updateProfile(`${profile}/profile`, 0)).wait();
}, 300_000);

afterAll(async () => {
  await node?.stop();
  await chain?.stop();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  for (const dir of [dataDir, outDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

function renterOptions(overrides: Partial<RunWorkloadOptions> = {}): RunWorkloadOptions {
  return {
    signer: chain.as.renter.market.runner as Signer,
    chainId: chain.chainId,
    addresses: chain.as.renter.addresses,
    spec,
    request: {
      model: "H100",
      gpus: 1,
      durationSeconds: 300,
      maxPricePerGpuHour: "2.00",
      rule: "instant",
      pay: "usdc",
      bidWindowSeconds: 600,
      revealWindowSeconds: 0,
    },
    pollMs: 200,
    ...overrides,
  };
}

/** The provider's agent, scripted: accepts an instant job and starts it at once. */
async function acceptInstant(jobId: bigint): Promise<void> {
  await (await chain.as.provider.market.acceptInstantAndStart(jobId)).wait();
}

describe("runWorkload, end to end on a local chain with Podman and a provider node", () => {
  it("runs an instant batch job: verified, settled, and pay and fees match the chain", async () => {
    const renter = chain.as.renter;
    const market = renter.market;
    const usdc = renter.usdc!;
    const renterAddress = chain.wallets.renter.address;
    const providerAddress = chain.wallets.provider.address;
    const walletBefore = await usdc.balanceOf(renterAddress);
    const events: RunEvent[] = [];
    const result = await runWorkload(
      renterOptions({
        onEvent: (event) => {
          events.push(event);
          if (event.type === "posted") void acceptInstant(event.jobId);
        },
      }),
    );
    console.log(`instant batch timings (s): ${JSON.stringify(result.timings)}`);

    expect(result.verified).toBe(true);
    expect(result.settled?.txHash).toMatch(/^0x/);
    expect(result.provider).toBe(providerAddress);
    expect(result.nodeUrl).toBe(node.api.url);
    expect(events.map((e) => e.type).filter((t) => t !== "log")).toEqual([
      "posted",
      "awarded",
      "nodeFound",
      "handedOver",
      "running",
      "delivered",
      "verified",
      "settled",
    ]);
    expect(events.some((e) => e.type === "log" && e.text.includes("gridlease batch example: done"))).toBe(true);
    const { jobId, result: downloaded } = result;
    batchJobId = jobId;
    expect(downloaded?.manifest.specHash).toBe(hashWorkloadSpec(spec));
    expect([...(downloaded?.files.keys() ?? [])]).toEqual(["sorted.txt", "sum.json"]);
    expect(keccak256(canonicalJsonBytes(downloaded?.manifest))).toBe(downloaded?.resultHash);

    // Saved to a folder and read back, the outputs still match.
    const saved = saveResult(join(outDir, "instant"), downloaded!);
    expect(verifyOutputs(downloaded!.manifest, readOutputFolder(saved.outputs))).toEqual([]);

    // Money: the renter paid the job's value (the escrow less the refund left in its market balance); the
    // provider was paid the value less the fee, the fee at the job's rate.
    const job = await market.jobOf(jobId);
    expect(job.state).toBe(7n); // Settled
    const [settled] = await market.queryFilter(market.filters.JobSettled(jobId));
    // The renter accepted the verified result at once, inside its day-long challenge window.
    const delivered = events.find((e): e is Extract<RunEvent, { type: "delivered" }> => e.type === "delivered");
    expect(BigInt((await settled.getBlock()).timestamp)).toBeLessThan(delivered!.challengeDeadline);
    const claims = await market.queryFilter(market.filters.PaymentClaimed(jobId));
    const gross = claims.reduce((sum, e) => sum + e.args.gross, 0n) + settled.args.finalGross;
    const fees = claims.reduce((sum, e) => sum + e.args.fee, 0n) + settled.args.fee;
    const value = await market.jobValue(parseUnits("2", 6), 1, 300);
    expect(settled.args.value).toBe(value);
    expect(gross).toBe(value);
    const { feeBps } = await market.marketParams(job.paramsId);
    expect(fees).toBeGreaterThanOrEqual((value * feeBps) / 10_000n - 2n);
    expect(fees).toBeLessThanOrEqual((value * feeBps) / 10_000n + 2n);
    expect(walletBefore - (await usdc.balanceOf(renterAddress))).toBe(result.posted.budget);
    expect(result.posted.budget).toBe(value); // instant: the reserve is the price
    // The provider was credited the value less the fees: what its node withdrew (it withdraws as soon as it
    // has claimed, racing the renter's settle) plus what is still on its ledger, once the node is done.
    await expect.poll(() => node.store.require(jobId).state, { timeout: 60_000, interval: 200 }).toBe("claimed");
    const token = await usdc.getAddress();
    const withdrawn = (await market.queryFilter(market.filters.Withdrawn(token, providerAddress))).reduce(
      (sum, e) => sum + e.args.amount,
      0n,
    );
    expect(withdrawn + (await market.balanceOf(token, providerAddress))).toBe(value - fees);
  }, 300_000);

  it("runs a first-price auction: the provider commits and reveals, runWorkload awards it as the renter", async () => {
    const provider = chain.as.provider;
    const price = parseUnits("1.5", 6);
    const events: RunEvent[] = [];
    const bid = async (jobId: bigint): Promise<void> => {
      const salt = newSalt();
      const commitment = bidCommitment(
        jobId,
        chain.wallets.provider.address,
        price,
        salt,
        chain.chainId,
        await provider.market.getAddress(),
        hashWorkloadSpec(spec),
      );
      await (await provider.market.commitBid(jobId, commitment)).wait();
      await warp(61);
      await (await provider.market.revealBid(jobId, price, salt)).wait();
      await warp(61);
    };
    const result = await runWorkload(
      renterOptions({
        request: { ...renterOptions().request, rule: "first", bidWindowSeconds: 60, revealWindowSeconds: 60 },
        settle: false,
        onEvent: (event) => {
          events.push(event);
          if (event.type === "posted") void bid(event.jobId);
        },
      }),
    );
    expect(result.verified).toBe(true);
    const job = await chain.as.renter.market.jobOf(result.jobId);
    expect(job.clearingPrice).toBe(price);
    expect(job.provider).toBe(chain.wallets.provider.address);
    const awarded = await chain.as.renter.market.queryFilter(chain.as.renter.market.filters.JobAwarded(result.jobId));
    expect(awarded).toHaveLength(1);
    expect(events.find((e) => e.type === "awarded")).toMatchObject({ provider: chain.wallets.provider.address });
  }, 300_000);

  it("catches a node serving tampered outputs and disputes with the mismatch as evidence", async () => {
    const front = await listen(tamperingFront(() => node.api.url));
    const events: RunEvent[] = [];
    const result = await runWorkload(
      renterOptions({
        nodeUrl: front,
        disputeOnMismatch: true,
        onEvent: (event) => {
          events.push(event);
          if (event.type === "posted") void acceptInstant(event.jobId);
        },
      }),
    );
    expect(result.verified).toBe(false);
    const mismatch = events.find((e) => e.type === "mismatch");
    expect(mismatch).toBeDefined();
    const paths = result.result?.mismatches.map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining(["sorted.txt", "sum.json"]));
    expect(result.disputed?.evidence).toMatchObject({
      jobId: result.jobId.toString(),
      resultHash: result.result?.resultHash,
    });
    const market = chain.as.renter.market;
    const job = await market.jobOf(result.jobId);
    expect(job.state).toBe(6n); // Disputed
    const [disputed] = await market.queryFilter(market.filters.JobDisputed(result.jobId));
    expect(disputed.args.evidenceHash).toBe(keccak256(canonicalJsonBytes(result.disputed?.evidence)));
    expect(result.settled).toBeUndefined();
  }, 300_000);

  it("resolves a service job once its endpoint answers through the node, usable until the renter stops it", async () => {
    const example = JSON.parse(readFileSync(join(EXAMPLES, "service.json"), "utf8")) as WorkloadSpec;
    const parsed = parseWorkloadSpec({ ...example, image: spec.image });
    if (!parsed.ok) throw new Error(parsed.errors.join("; "));
    const events: RunEvent[] = [];
    const result = await runWorkload(
      renterOptions({
        spec: parsed.value,
        secrets: { API_TOKEN: "t0ken" },
        request: { ...renterOptions().request, durationSeconds: 120 },
        onEvent: (event) => {
          events.push(event);
          if (event.type === "posted") void acceptInstant(event.jobId);
        },
      }),
    );
    expect(events.at(-1)).toMatchObject({ type: "serviceReady", url: `${node.api.url}/jobs/${result.jobId}/service` });
    const service = result.service!;
    expect(await (await service.fetch("/health")).text()).toBe("ok\n");
    expect(await (await service.fetch("/cgi-bin/infer?q=gpu")).json()).toEqual({ model: "echo-1", echo: "q=gpu" });
    expect(await service.stop()).toMatch(/^0x/);
    // Stopped: the lease is over on-chain (the chain records Cancelled), and the node, seeing it, stops the
    // container: the endpoint stops answering (503) long before the paid time would have ended.
    expect((await chain.as.renter.market.jobOf(result.jobId)).state).toBe(9n);
    await expect
      .poll(
        () =>
          service.fetch("/health").then(
            (response) => `${response.status}`,
            (error: NodeRequestError) => `${error.status} ${error.code}`,
          ),
        { timeout: 30_000, interval: 500 },
      )
      .toBe("503 SERVICE_NOT_RUNNING");
  }, 180_000);

  it("rejects a service job its node fails after starting it with the node's reason, not at the lease's end", async () => {
    const example = JSON.parse(readFileSync(join(EXAMPLES, "service.json"), "utf8")) as WorkloadSpec;
    const parsed = parseWorkloadSpec({ ...example, image: spec.image });
    if (!parsed.ok) throw new Error(parsed.errors.join("; "));
    // The node as it answers when the container engine cannot start the service (seen with a Podman service
    // whose PATH lacked iptables): the job "running", then, once the renter probes the service, the proxy's
    // 503 and the job "failed" with the engine's error.
    const reason = "(HTTP code 500) server error - netavark: No such file or directory (os error 2)";
    let probed = false;
    const failingNode: typeof fetch = async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (/^\/jobs\/\d+\/service/.test(url.pathname)) {
        probed = true;
        const error = { code: "SERVICE_NOT_RUNNING", message: "the service is not running (the job is failed)" };
        return Response.json({ error }, { status: 503 });
      }
      const response = await fetch(input, init);
      if (!probed || !/^\/jobs\/\d+$/.test(url.pathname) || !response.ok) return response;
      const status = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...status, state: "failed", lastError: reason });
    };
    let jobId: bigint | undefined;
    try {
      const run = runWorkload(
        renterOptions({
          spec: parsed.value,
          secrets: { API_TOKEN: "t0ken" },
          fetch: failingNode,
          onEvent: (event) => {
            if (event.type !== "posted") return;
            jobId = event.jobId;
            void acceptInstant(event.jobId);
          },
        }),
      );
      // Within the test's 120 s, far inside the 300 s lease: the run stops asking once the node says it failed.
      await expect(run).rejects.toMatchObject({ code: "NODE_FAILED", message: expect.stringContaining("netavark") });
      expect(probed).toBe(true);
    } finally {
      // The real container runs: the renter ends the lease, so the GPUs are free for the next tests.
      if (jobId !== undefined && (await chain.as.renter.market.jobOf(jobId)).state === 4n)
        await (await chain.as.renter.market.stopJob(jobId)).wait();
    }
  }, 120_000);

  it("refuses another account's reads with a typed NodeRequestError, and reports an unreachable node", async () => {
    const jobs = batchJobId;
    const stranger = new NodeClient({
      url: node.api.url,
      signer: chain.as.stranger.market.runner as Signer,
      chainId: chain.chainId,
      market: await chain.as.renter.market.getAddress(),
    });
    const refused = await stranger.manifest(jobs).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(NodeRequestError);
    expect(refused).toMatchObject({ code: "NOT_RENTER", status: 403 });
    const renter = new NodeClient({
      url: node.api.url,
      signer: chain.as.renter.market.runner as Signer,
      chainId: chain.chainId,
      market: await chain.as.renter.market.getAddress(),
    });
    expect(await renter.serviceFetch(jobs, "/").catch((error: unknown) => error)).toMatchObject({
      code: "NOT_A_SERVICE",
      status: 404,
    });
    expect(await renter.status(999_999n).catch((error: unknown) => error)).toMatchObject({
      code: "UNKNOWN_JOB",
      status: 404,
    });
    const nowhere = new NodeClient({
      url: "http://127.0.0.1:9",
      signer: chain.as.renter.market.runner as Signer,
      chainId: chain.chainId,
      market: await chain.as.renter.market.getAddress(),
    });
    expect(await nowhere.status(jobs).catch((error: unknown) => error)).toMatchObject({
      code: "NODE_UNREACHABLE",
      status: 0,
    });
  }, 60_000);
});

const CLI = join(import.meta.dirname, "..", "..", "cli", "gridlease.ts");

/** `gridlease <args>` as the renter against the local chain; `onLine` sees each stdout line as it comes. */
function gridlease(
  args: string[],
  onLine: (line: string) => void = () => {},
  key: string = chain.wallets.renter.privateKey,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GRIDLEASE_")) env[key] = value;
  const child = spawn(process.execPath, ["--no-warnings", CLI, ...args], {
    cwd: outDir,
    env: {
      ...env,
      GRIDLEASE_RPC_URL: chain.rpcUrl,
      GRIDLEASE_DEPLOYMENT: join(
        import.meta.dirname,
        "..",
        "..",
        "ignition",
        "deployments",
        `renter-e2e-${process.pid}`,
      ),
      GRIDLEASE_PRIVATE_KEY: key,
      GRIDLEASE_HOME: join(outDir, "home"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let pending = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

describe("gridlease run, results and arbiter verify", () => {
  const renterNonce = (): Promise<number> => chain.provider.getTransactionCount(chain.wallets.renter.address);

  it("refuses bad input with a clear message and sends nothing", async () => {
    const specFile = join(outDir, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const malformed = join(outDir, "malformed.json");
    writeFileSync(malformed, JSON.stringify({ ...spec, image: "busybox:latest" }));
    const before = await renterNonce();
    const base = ["--hours", "0.1", "--json"];
    const cases: [string[], RegExp][] = [
      [
        [malformed, "--model", "H100", "--max-price", "2", ...base],
        /^<spec\.json>: ".*malformed\.json" is not a valid workload spec: image/,
      ],
      [
        [specFile, "--model", "GTX1080", "--max-price", "2", ...base],
        /^Unknown GPU model "GTX1080": use one of H200, H100/,
      ],
      [
        [specFile, "--model", "H100", "--max-price", "2.0000001", ...base],
        /^--max-price has 7 decimals but dollars has only 6: got "2\.0000001"\.$/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await gridlease(["run", ...args]);
      expect(run.code, run.stdout + run.stderr).toBe(2);
      const body = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("INVALID_INPUT");
      expect(body.error.message).toMatch(message);
    }
    expect(await renterNonce()).toBe(before);
  }, 120_000);

  it("runs the batch example with --json, then results re-downloads it and arbiter verify checks it", async () => {
    const specFile = join(outDir, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const events: Record<string, unknown>[] = [];
    const out = join(outDir, "cli-run");
    const run = await gridlease(
      [
        "run",
        specFile,
        "--model",
        "H100",
        "--hours",
        "0.1",
        "--max-price",
        "2.00",
        "--out",
        out,
        "--no-settle",
        "--json",
      ],
      (line) => {
        // Events are one JSON object per line; a failure's report is pretty-printed and read from stdout after.
        if (!line.startsWith("{") || !line.endsWith("}")) return;
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (event.event === "posted") void acceptInstant(BigInt(event.jobId as string));
      },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const result = events.at(-1) as {
      event: string;
      jobId: string;
      verified: boolean;
      outputs: string[];
      timings: object;
    };
    expect(result).toMatchObject({ event: "result", verified: true, outputs: ["sorted.txt", "sum.json"] });
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(["posted", "awarded", "handedOver", "delivered", "verified"]),
    );
    console.log(`gridlease run timings (s): ${JSON.stringify(result.timings)}`);
    (chain.as.renter.market.runner as NonceManager).reset();

    const again = join(outDir, "cli-results");
    const results = await gridlease(["results", result.jobId, "--out", again, "--json"]);
    expect(results.code, results.stdout).toBe(0);
    expect(JSON.parse(results.stdout)).toMatchObject({ verified: true, outputs: ["sorted.txt", "sum.json"] });
    expect(readFileSync(join(again, "outputs", "sum.json"))).toEqual(readFileSync(join(out, "outputs", "sum.json")));

    const verify = await gridlease(["arbiter", "verify", result.jobId, "--outputs", join(again, "outputs"), "--json"]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ verified: true, manifestMatches: true, mismatches: [] });
    // The manifest alone finds its job by the delivered hash.
    const byManifest = await gridlease([
      "arbiter",
      "verify",
      join(again, "manifest.json"),
      "--outputs",
      join(again, "outputs"),
      "--json",
    ]);
    expect(JSON.parse(byManifest.stdout)).toMatchObject({ jobId: result.jobId, verified: true });

    writeFileSync(join(again, "outputs", "sum.json"), '{"sum": 0}\n');
    const tampered = await gridlease([
      "arbiter",
      "verify",
      result.jobId,
      "--outputs",
      join(again, "outputs"),
      "--json",
    ]);
    expect(tampered.code).toBe(1);
    const refusal = JSON.parse(tampered.stdout) as { error: { code: string; message: string } };
    expect(refusal.error.code).toBe("RESULT_MISMATCH");
    expect(refusal.error.message).toMatch(/sum\.json: (size|sha256)/);

    // Another account is refused before anything is asked of the node.
    const stranger = await gridlease(["results", result.jobId, "--json"], () => {}, chain.wallets.stranger.privateKey);
    expect(stranger.code).toBe(2);
    const refused = JSON.parse(stranger.stdout) as { error: { code: string; message: string } };
    expect(refused.error.code).toBe("NOT_RENTER");
    expect(refused.error.message).toMatch(/only its renter can download its results/);
  }, 300_000);
});
