// The API's adapter over a real engine: Podman's Docker-compatible API (set up by scripts/containers.mjs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ContainerRuntime, type FoundContainer } from "../runtime/container-runtime.ts";
import { ensureTestEngine } from "../runtime/test-engine.ts";
import { containerApiRuntime } from "./container-api-runtime.ts";

let dataDir: string;
let runtime: ContainerRuntime;

beforeAll(() => {
  const engine = ensureTestEngine();
  dataDir = mkdtempSync(join(tmpdir(), "gridlease-api-runtime-"));
  runtime = new ContainerRuntime({ chainId: 31337n, socketPath: engine.socket, dataDir, gpuMode: { kind: "none" } });
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe("containerApiRuntime.liveLogs", () => {
  it("gives no live stream for a container removed after it was found running (the API serves the stored log)", async () => {
    // What `find` saw an instant before the runtime collected the job and removed its container.
    const gone: FoundContainer = {
      name: `gridlease-removed-${Date.now()}`,
      id: "0".repeat(64),
      status: "running",
      running: true,
      exitCode: 0,
      specHash: undefined,
    };
    const raced = Object.create(runtime, { find: { value: async () => gone } }) as ContainerRuntime;
    expect(await containerApiRuntime(raced).liveLogs(1n)).toBeUndefined();
  });

  it("gives no live stream for a job without a container", async () => {
    expect(await containerApiRuntime(runtime).liveLogs(BigInt(Date.now()))).toBeUndefined();
  });
});
