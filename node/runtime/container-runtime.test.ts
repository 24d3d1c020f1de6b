// Real containers: Podman's Docker-compatible API (set up by scripts/containers.mjs) running the offline
// busybox test image. Each workload is small and its deadline a few seconds.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  hashResultManifest,
  hashWorkloadSpec,
  parseWorkloadSpec,
  verifyOutputs,
  type WorkloadSpec,
} from "../../sdk/index.ts";
import { ContainerRuntime } from "./container-runtime.ts";
import { EngineUnreachableError, ImageDigestMismatchError, ImageMissingError, MissingSecretError } from "./errors.ts";
import { ensureTestEngine, type TestEngine } from "./test-engine.ts";

/** The capabilities Docker and Podman grant a container by default: all of them must be dropped. */
const ENGINE_DEFAULT_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "workloads");

let engine: TestEngine;
let runtime: ContainerRuntime;
let dataDir: string;
const FIRST_JOB = BigInt(Date.now()) * 100n;
let nextJob = FIRST_JOB;

/** A valid batch spec on the test image running `script` with /bin/sh; `patch` overrides fields. */
function batchSpec(script: string, patch: Record<string, unknown> = {}): WorkloadSpec {
  const result = parseWorkloadSpec({
    schema: "gridlease.workload/v1",
    kind: "batch",
    image: engine.testImageRef,
    command: ["/bin/sh", "-c"],
    args: [script],
    resources: { cpu: 1, memoryMb: 64, diskMb: 16 },
    outputs: { paths: ["result.txt"], maxBytes: 1_048_576 },
    ...patch,
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

function inSeconds(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}

/** The stored bytes of each output the manifest lists, read back from the content store. */
function storedOutputs(manifest: { outputs: { path: string; sha256: string }[] }): Map<string, Uint8Array> {
  return new Map(manifest.outputs.map((output) => [output.path, readFileSync(runtime.store.path(output.sha256))]));
}

beforeAll(() => {
  engine = ensureTestEngine();
  dataDir = mkdtempSync(join(tmpdir(), "gridlease-runtime-"));
  runtime = new ContainerRuntime({
    chainId: 31337n,
    socketPath: engine.socket,
    dataDir,
    gpuMode: { kind: "none" },
    stopGraceSeconds: 1,
  });
});

afterAll(async () => {
  // A test that failed mid-run leaves its container behind; remove every job's container this file made.
  for (let jobId = FIRST_JOB; jobId < nextJob; jobId++) await runtime.remove(jobId);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("ContainerRuntime on a real engine", () => {
  it("runs the example batch job: downloads its pinned input, writes outputs, and the manifest's hashes match the stored bytes", async () => {
    const example = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "examples", "workloads", "batch.json"), "utf8"),
    );
    const numbers = readFileSync(join(import.meta.dirname, "..", "..", "examples", "workloads", "numbers.txt"));
    const server: Server = createServer((_request, response) => response.end(numbers));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const parsed = parseWorkloadSpec({
        ...example,
        image: engine.testImageRef,
        inputs: [{ ...example.inputs[0], url: `http://127.0.0.1:${port}/numbers.txt` }],
      });
      if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
      const jobId = nextJob++;
      const result = await runtime.run({ jobId, spec: parsed.value, gpus: 0, deadline: inSeconds(20) });
      const { manifest } = result;
      expect(manifest).toMatchObject({
        exitCode: 0,
        stoppedAtDeadline: false,
        specHash: hashWorkloadSpec(parsed.value),
        imageDigest: engine.testImageDigest,
      });
      expect(manifest.outputs.map((output) => output.path)).toEqual(["sorted.txt", "sum.json"]);
      const files = storedOutputs(manifest);
      expect(new TextDecoder().decode(files.get("sum.json"))).toBe('{"count":8,"sum":31}\n');
      expect(verifyOutputs(manifest, files)).toEqual([]);
      expect(result.manifestHash).toBe(hashResultManifest(manifest));
      expect(readFileSync(result.logsPath, "utf8")).toBe("gridlease batch example: done\n");
      expect(new Date(manifest.endedAt).getTime()).toBeGreaterThanOrEqual(new Date(manifest.startedAt).getTime());
      // Run again (a restarted node): the stored manifest comes back, nothing runs twice.
      expect((await runtime.run({ jobId, spec: parsed.value, gpus: 0, deadline: inSeconds(20) })).manifestHash).toBe(
        result.manifestHash,
      );
    } finally {
      server.close();
    }
  });

  it("isolates the workload: the engine reports the settings, and from inside the network and the root are closed", async () => {
    const probe = [
      "(wget -q -T 2 -O /dev/null http://1.1.1.1/ 2>/dev/null && echo 'wget 1.1.1.1: reached') || echo 'wget 1.1.1.1: failed'",
      "(nc -w 2 1.1.1.1 53 </dev/null 2>/dev/null && echo 'nc 1.1.1.1:53: reached') || echo 'nc 1.1.1.1:53: failed'",
      "echo \"interfaces: $(ls /sys/class/net | tr '\\n' ' ')\"",
      "(touch /probe 2>/dev/null && echo 'write /: succeeded') || echo 'write /: failed'",
      "(touch /etc/probe 2>/dev/null && echo 'write /etc: succeeded') || echo 'write /etc: failed'",
      "(echo ok > written.txt && echo 'write output dir: succeeded') || echo 'write output dir: failed'",
      "echo \"uid: $(id -u) capeff: $(grep CapEff /proc/self/status | tr -d '\\t')\"",
    ].join("; ");
    const jobId = nextJob++;
    const spec = batchSpec(`{ ${probe}; } > result.txt; sleep 2`, {
      outputs: { paths: ["result.txt", "written.txt"], maxBytes: 4096 },
    });
    const running = runtime.run({ jobId, spec, gpus: 0, deadline: inSeconds(20) });
    let found = await runtime.find(jobId);
    for (let tries = 0; tries < 100 && !found?.running; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      found = await runtime.find(jobId);
    }
    expect(found?.running).toBe(true);
    const info = await runtime.docker.getContainer(runtime.containerName(jobId)).inspect();
    const result = await running;
    const report = new TextDecoder().decode(storedOutputs(result.manifest).get("result.txt"));
    console.log(
      `isolation, as the engine reports it: ${JSON.stringify({
        NetworkMode: info.HostConfig.NetworkMode,
        ReadonlyRootfs: info.HostConfig.ReadonlyRootfs,
        CapDrop: info.HostConfig.CapDrop,
        SecurityOpt: info.HostConfig.SecurityOpt,
        Memory: info.HostConfig.Memory,
        PidsLimit: info.HostConfig.PidsLimit,
      })}\nisolation, from inside:\n${report}`,
    );
    expect(info.HostConfig.NetworkMode).toBe("none");
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    // Docker keeps "ALL"; Podman reports ALL expanded to every capability it would otherwise grant.
    const dropped = ((info.HostConfig.CapDrop ?? []) as string[]).map((cap) => cap.replace(/^CAP_/, ""));
    if (!dropped.includes("ALL")) expect(dropped).toEqual(expect.arrayContaining(ENGINE_DEFAULT_CAPABILITIES));
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.PidsLimit).toBe(256);
    expect(report).toContain("wget 1.1.1.1: failed");
    expect(report).toContain("nc 1.1.1.1:53: failed");
    expect(report).toContain("interfaces: lo \n");
    expect(report).toContain("write /: failed");
    expect(report).toContain("write /etc: failed");
    expect(report).toContain("write output dir: succeeded");
    expect(report).toContain("capeff: CapEff:0000000000000000");
    expect(result.manifest.outputs.map((output) => output.path)).toEqual(["result.txt", "written.txt"]);
  });

  it("re-attaches after a restart: a new runtime finds the running container and finishes the job without running it twice", async () => {
    const jobId = nextJob++;
    const job = { jobId, spec: batchSpec("echo started >> result.txt; sleep 2"), gpus: 0, deadline: inSeconds(20) };
    // The node that started the job "dies" here: only its container and its files remain.
    await runtime.start(job);
    const restarted = new ContainerRuntime({
      chainId: 31337n,
      socketPath: engine.socket,
      dataDir,
      gpuMode: { kind: "none" },
    });
    // The same data folder, the same node id: the restarted node knows its container by name.
    expect(restarted.nodeId).toBe(runtime.nodeId);
    expect(await restarted.find(jobId)).toMatchObject({
      name: `gridlease-${runtime.nodeId}-31337-${jobId}`,
      running: true,
      specHash: hashWorkloadSpec(job.spec),
    });
    await restarted.start(job);
    const { manifest } = await restarted.run(job);
    expect(manifest).toMatchObject({ exitCode: 0, stoppedAtDeadline: false });
    expect(new TextDecoder().decode(storedOutputs(manifest).get("result.txt"))).toBe("started\n");
    expect(await restarted.find(jobId)).toBeUndefined();
  });

  it("serves the example service on a loopback port while the lease runs, and stops it when the lease ends", async () => {
    const example = JSON.parse(readFileSync(join(EXAMPLES, "service.json"), "utf8"));
    const parsed = parseWorkloadSpec({ ...example, image: engine.testImageRef });
    if (!parsed.ok || parsed.value.kind !== "service")
      throw new Error(parsed.ok ? "not a service" : parsed.errors.join("\n"));
    const spec = parsed.value;
    const jobId = nextJob++;
    const running = runtime.run({ jobId, spec, secrets: { API_TOKEN: "t" }, gpus: 0, deadline: inSeconds(4) });
    let health: Response | undefined;
    for (let tries = 0; tries < 60 && health?.status !== 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const endpoint = await runtime.endpoint(jobId, spec.port);
      if (endpoint)
        health = await fetch(`http://${endpoint.host}:${endpoint.port}${spec.healthPath}`).catch(() => undefined);
    }
    expect(health?.status).toBe(200);
    const endpoint = await runtime.endpoint(jobId, spec.port);
    const answer = await fetch(`http://${endpoint?.host}:${endpoint?.port}/cgi-bin/infer?hello`);
    expect(await answer.json()).toEqual({ model: "echo-1", echo: "hello" });
    const { manifest } = await running;
    expect(manifest.stoppedAtDeadline).toBe(true);
    expect(await runtime.endpoint(jobId, spec.port)).toBeUndefined();
    await expect(fetch(`http://${endpoint?.host}:${endpoint?.port}${spec.healthPath}`)).rejects.toThrow();
  });

  it("stops a workload that never exits when the paid time ends, and says so", async () => {
    const started = Date.now();
    const { manifest } = await runtime.run({
      jobId: nextJob++,
      spec: batchSpec("echo partial > result.txt; while true; do sleep 1; done"),
      gpus: 0,
      deadline: inSeconds(2),
    });
    expect(manifest.stoppedAtDeadline).toBe(true);
    expect(manifest.exitCode).not.toBe(0);
    expect(manifest.outputs.map((output) => output.path)).toEqual(["result.txt"]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("records a non-zero exit code, and injects env and secrets", async () => {
    const spec = batchSpec('echo "$PUBLIC_VALUE $API_TOKEN" > result.txt; echo failing >&2; exit 3', {
      env: { PUBLIC_VALUE: "public" },
      secrets: ["API_TOKEN"],
    });
    const { manifest, logsPath } = await runtime.run({
      jobId: nextJob++,
      spec,
      secrets: { API_TOKEN: "s3cret" },
      gpus: 0,
      deadline: inSeconds(20),
    });
    expect(manifest).toMatchObject({ exitCode: 3, stoppedAtDeadline: false });
    expect(new TextDecoder().decode(storedOutputs(manifest).get("result.txt"))).toBe("public s3cret\n");
    expect(readFileSync(logsPath, "utf8")).toBe("failing\n");
    await expect(runtime.run({ jobId: nextJob++, spec, gpus: 0, deadline: inSeconds(20) })).rejects.toThrow(
      MissingSecretError,
    );
  });

  it("stores every line of a long log, and puts it in place only once it is whole", async () => {
    const jobId = nextJob++;
    const { logs } = runtime.jobFiles(jobId);
    const seen = new Set<number>();
    // Polled as fast as the event loop allows while the runtime reads the log out of the engine.
    const watcher = setInterval(() => {
      if (existsSync(logs)) seen.add(statSync(logs).size);
    }, 0);
    try {
      const lines = 40_000;
      const spec = batchSpec(`i=0; while [ $i -lt ${lines} ]; do echo "line $i of a long log"; i=$((i+1)); done`);
      const { manifest } = await runtime.run({ jobId, spec, gpus: 0, deadline: inSeconds(60) });
      const expected = Array.from({ length: lines }, (_, i) => `line ${i} of a long log\n`).join("");
      expect(readFileSync(logs, "utf8") === expected, "the stored log is the workload's output, line for line").toBe(
        true,
      );
      expect(manifest).toMatchObject({ logsBytes: expected.length, truncated: { logs: false } });
      expect([...seen].filter((size) => size !== expected.length)).toEqual([]);
      expect(existsSync(`${logs}.partial`)).toBe(false);
    } finally {
      clearInterval(watcher);
    }
  });

  it("caps outputs and logs with clear flags, and refuses symlinks out of the output folder", async () => {
    const capped = new ContainerRuntime({
      chainId: 31337n,
      socketPath: engine.socket,
      dataDir,
      gpuMode: { kind: "none" },
      logMaxBytes: 10,
    });
    const script =
      "head -c 600 /dev/zero > a.bin; head -c 600 /dev/zero > b.bin; ln -s /etc/passwd link; mkdir -p d; ln -s / d/root; echo 0123456789abcdef";
    const spec = batchSpec(script, {
      outputs: { paths: ["a.bin", "b.bin", "link", "d", "missing.txt"], maxBytes: 1000 },
    });
    const { manifest, logsPath } = await capped.run({ jobId: nextJob++, spec, gpus: 0, deadline: inSeconds(20) });
    expect(manifest.outputs.map((output) => [output.path, output.size])).toEqual([["a.bin", 600]]);
    expect(manifest.omittedOutputs).toEqual([
      { path: "b.bin", reason: "over-cap" },
      { path: "d/root", reason: "symlink" },
      { path: "link", reason: "symlink" },
      { path: "missing.txt", reason: "missing" },
    ]);
    expect(manifest.truncated).toEqual({ outputs: true, logs: true });
    expect(manifest.logsBytes).toBe(10);
    expect(readFileSync(logsPath, "utf8")).toBe("0123456789");
  });

  it("refuses an image whose digest does not match the pin, and a missing image", async () => {
    const wrong = `localhost/gridlease-busybox@sha256:${"0".repeat(64)}`;
    const refused = await runtime
      .run({ jobId: nextJob++, spec: batchSpec("true", { image: wrong }), gpus: 0, deadline: inSeconds(5) })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ImageDigestMismatchError);
    expect((refused as Error).message).toBe(
      `image ${wrong} is pinned to sha256:${"0".repeat(64)} but the engine only has ${engine.testImageDigest} under that name: ` +
        "refusing to run different content; fix the spec's digest or make the pinned image available",
    );
    await expect(runtime.ensureImage(`localhost/gridlease-absent@sha256:${"1".repeat(64)}`)).rejects.toThrow(
      ImageMissingError,
    );
    expect(await runtime.ensureImage(engine.testImageRef)).toBe(engine.testImageDigest);
  });

  it("reports a missing engine socket with the path and what to start", async () => {
    const absent = new ContainerRuntime({ chainId: 31337n, socketPath: join(dataDir, "no-engine.sock"), dataDir });
    const failure = absent.run({ jobId: nextJob++, spec: batchSpec("true"), gpus: 0, deadline: inSeconds(5) });
    await expect(failure).rejects.toThrow(EngineUnreachableError);
    await expect(failure).rejects.toThrow(
      `cannot reach the container engine at unix://${join(dataDir, "no-engine.sock")} (ENOENT): start Podman's API service with \`npm run containers\``,
    );
  });
});
