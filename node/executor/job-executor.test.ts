import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Wallet } from "ethers";
import { beforeEach, describe, expect, it } from "vitest";

import { ScriptedMarket } from "../chain/scripted-market.ts";
import type { ContainerJob, ContainerRunResult } from "../runtime/container-runtime.ts";
import { EngineUnreachableError, ImageMissingError } from "../runtime/errors.ts";
import { NodeStateStore } from "../state/node-state-store.ts";
import { hashResultManifest, hashWorkloadSpec, parseWorkloadSpec, type WorkloadSpec } from "../../sdk/index.ts";
import { testManifest } from "../../sdk/workload/test-manifest.ts";
import { JobExecutor, type ExecutorRuntime } from "./job-executor.ts";

const provider = Wallet.createRandom().address;
const specResult = parseWorkloadSpec(
  readFileSync(join(import.meta.dirname, "..", "..", "examples", "workloads", "batch.json"), "utf8"),
);
if (!specResult.ok) throw new Error(specResult.errors.join("; "));
const spec: WorkloadSpec = specResult.value;
const specHash = hashWorkloadSpec(spec);

/** A runtime that returns a manifest for the spec, or throws the queued errors first. */
class FakeRuntime implements ExecutorRuntime {
  runs: ContainerJob[] = [];
  errors: Error[] = [];
  async run(job: ContainerJob): Promise<ContainerRunResult> {
    this.runs.push(job);
    const error = this.errors.shift();
    if (error) throw error;
    const manifest = testManifest({ specHash: hashWorkloadSpec(job.spec) });
    return {
      manifest,
      manifestHash: hashResultManifest(manifest),
      containerName: "c",
      manifestPath: "m",
      logsPath: "l",
    };
  }
}

let store: NodeStateStore;
let market: ScriptedMarket;
let runtime: FakeRuntime;
let executor: JobExecutor;

function handOver(jobId: bigint, secrets: Record<string, string> = {}): void {
  store.recordWon(jobId);
  store.transition(jobId, "spec-received", {
    specHash,
    spec: JSON.stringify(spec),
    secrets: JSON.stringify(secrets),
    renter: "0xa11",
  });
}

beforeEach(() => {
  store = new NodeStateStore(":memory:");
  market = new ScriptedMarket(provider);
  runtime = new FakeRuntime();
  executor = new JobExecutor({ store, market, runtime, retryDelayMs: 1, maxRetries: 3 });
});

describe("JobExecutor", () => {
  it("starts an awarded job, runs it to the paid time, delivers the manifest hash, claims and withdraws", async () => {
    market.award(1n, { specHash, gpuCount: 2, duration: 600n });
    handOver(1n, { API_TOKEN: "t" });
    const job = await executor.drive(1n);
    expect(job.state).toBe("claimed");
    expect(market.sent).toEqual({ startJob: 1, deliver: 1, claim: 1, withdraw: 1 });
    expect(market.delivered.get(1n)).toBe(hashResultManifest(testManifest({ specHash })));
    expect(runtime.runs[0]).toMatchObject({
      jobId: 1n,
      gpus: 2,
      secrets: { API_TOKEN: "t" },
      deadline: new Date(Number(market.now + 600n) * 1000),
    });
    expect(job.manifestHash).toBe(market.delivered.get(1n));
    expect(job.secrets).toBeUndefined();
    expect(job.pendingAction).toBeUndefined();
  });

  it("ends the paid time by the chain's clock when it runs ahead of this machine's", async () => {
    const wallNow = BigInt(Math.floor(Date.now() / 1000));
    market.now = wallNow + 30n;
    market.award(1n, { specHash, state: "Running", startedAt: market.now, duration: 600n });
    handOver(1n);
    await executor.drive(1n);
    const deadline = runtime.runs[0].deadline.getTime();
    expect(deadline).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(deadline).toBeGreaterThan(Date.now() + 590_000);
  });

  it("does not start a job the provider already started (instant accept-and-start)", async () => {
    market.award(1n, { specHash, state: "Running", startedAt: 990n });
    handOver(1n);
    expect((await executor.drive(1n)).state).toBe("claimed");
    expect(market.sent.startJob).toBe(0);
  });

  it("never delivers twice: a node killed after its delivery was mined records it from the chain", async () => {
    market.award(1n, { specHash, state: "Running", startedAt: 990n });
    handOver(1n);
    store.transition(1n, "running");
    store.transition(1n, "finished", { manifestHash: "0xabc" });
    store.beginAction(1n, "deliver");
    // The transaction reached the chain; the node died before recording it.
    await market.deliver(1n, "0xabc");
    const job = await executor.drive(1n);
    expect(job.state).toBe("claimed");
    expect(market.sent.deliver).toBe(1);
    expect(runtime.runs).toHaveLength(0);
  });

  it("resumes every job with a spec after a restart, and leaves those still waiting for one", async () => {
    market.award(1n, { specHash });
    market.award(2n, { specHash, state: "Running", startedAt: 990n });
    market.award(3n, { specHash });
    handOver(1n);
    handOver(2n);
    store.transition(2n, "running");
    store.recordWon(3n);
    const states = await executor.resume();
    expect(states.map((job) => [job.jobId, job.state])).toEqual([
      [1n, "claimed"],
      [2n, "claimed"],
    ]);
    expect(store.require(3n).state).toBe("won");
  });

  it("retries while the engine is unreachable, recording the error, and delivers only a real result", async () => {
    market.award(1n, { specHash });
    handOver(1n);
    runtime.errors.push(new EngineUnreachableError("/run/x.sock", new Error("ECONNREFUSED")));
    const job = await executor.drive(1n);
    expect(job.state).toBe("claimed");
    expect(runtime.runs).toHaveLength(2);
    expect(market.sent.deliver).toBe(1);
  });

  it("fails the job without delivering when the engine never comes back", async () => {
    market.award(1n, { specHash });
    handOver(1n);
    for (let i = 0; i < 5; i++)
      runtime.errors.push(new EngineUnreachableError("/run/x.sock", new Error("ECONNREFUSED")));
    const job = await executor.drive(1n);
    expect(job.state).toBe("failed");
    expect(job.lastError).toMatch(/x\.sock/);
    expect(market.sent.deliver).toBe(0);
  });

  it("fails at once, delivering nothing, when the image cannot be had", async () => {
    market.award(1n, { specHash });
    handOver(1n);
    runtime.errors.push(new ImageMissingError(spec.image, new Error("not found")));
    const job = await executor.drive(1n);
    expect(job.state).toBe("failed");
    expect(runtime.runs).toHaveLength(1);
    expect(market.sent.deliver).toBe(0);
  });

  it("fails a job the chain gives to another provider, or that is no longer running", async () => {
    market.award(1n, { specHash, provider: Wallet.createRandom().address });
    handOver(1n);
    expect((await executor.drive(1n)).lastError).toMatch(/names .* as the job's provider/);
    market.award(2n, { specHash, state: "Failed" });
    handOver(2n);
    expect((await executor.drive(2n)).lastError).toMatch(/Failed on-chain/);
    expect(market.sent.deliver).toBe(0);
  });

  it("drives a job once even when asked twice at the same time", async () => {
    market.award(1n, { specHash });
    handOver(1n);
    const [a, b] = await Promise.all([executor.drive(1n), executor.drive(1n)]);
    expect(a).toEqual(b);
    expect(runtime.runs).toHaveLength(1);
  });

  it("keeps a delivered job delivered when claiming keeps failing, with the error", async () => {
    market.award(1n, { specHash });
    handOver(1n);
    executor = new JobExecutor({ store, market, runtime, retryDelayMs: 1, maxRetries: 0 });
    const claim = market.claim.bind(market);
    market.claim = async () => {
      throw new Error("rpc down");
    };
    const job = await executor.drive(1n);
    expect(job).toMatchObject({ state: "delivered", lastError: "rpc down" });
    market.claim = claim;
    expect((await executor.drive(1n)).state).toBe("claimed");
  });
});
