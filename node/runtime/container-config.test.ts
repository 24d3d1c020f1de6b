// What is sent to the engine, checked without one: GPUs in particular, which these machines cannot run.
import { describe, expect, it } from "vitest";

import { parseWorkloadSpec, type WorkloadSpec } from "../../sdk/index.ts";
import { containerCreateOptions, type ContainerPlan } from "./container-config.ts";

function spec(patch: Record<string, unknown> = {}): WorkloadSpec {
  const result = parseWorkloadSpec({
    schema: "gridlease.workload/v1",
    kind: "batch",
    image: `localhost/gridlease-busybox@sha256:${"ab".repeat(32)}`,
    args: ["run"],
    resources: { cpu: 1.5, memoryMb: 512, diskMb: 100 },
    outputs: { paths: ["out"], maxBytes: 10 },
    ...patch,
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

function plan(patch: Partial<ContainerPlan> = {}): ContainerPlan {
  return {
    name: "gridlease-job-31337-7",
    spec: spec(),
    env: { A: "1" },
    outputDir: "/data/jobs/7/out",
    inputs: [{ hostPath: "/data/store/sha256/aa", mountPath: "/gridlease/in/x" }],
    gpus: 2,
    gpuMode: { kind: "device-requests", driver: "nvidia" },
    pidsLimit: 256,
    labels: { "io.gridlease.job-id": "7" },
    ...patch,
  };
}

describe("containerCreateOptions", () => {
  it("requests the job's GPUs the standard way (DeviceRequests, nvidia driver, gpu capability)", () => {
    expect(containerCreateOptions(plan()).HostConfig?.DeviceRequests).toEqual([
      { Driver: "nvidia", Count: 2, Capabilities: [["gpu"]] },
    ]);
  });

  it("sends no GPU request for a GPU-less job or a node configured without GPUs", () => {
    expect(containerCreateOptions(plan({ gpus: 0 })).HostConfig?.DeviceRequests).toBeUndefined();
    expect(containerCreateOptions(plan({ gpuMode: { kind: "none" } })).HostConfig?.DeviceRequests).toBeUndefined();
  });

  it("isolates a batch job: no network, read-only root, no capabilities, no new privileges, limits, one writable mount", () => {
    const options = containerCreateOptions(plan());
    expect(options).toMatchObject({
      name: "gridlease-job-31337-7",
      Image: spec().image,
      Cmd: ["run"],
      Env: ["A=1"],
      WorkingDir: "/gridlease/out",
    });
    expect(options.Entrypoint).toBeUndefined();
    expect(options.HostConfig).toMatchObject({
      NetworkMode: "none",
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      NanoCpus: 1_500_000_000,
      PidsLimit: 256,
      Binds: ["/data/jobs/7/out:/gridlease/out:rw", "/data/store/sha256/aa:/gridlease/in/x:ro"],
    });
    expect(options.ExposedPorts).toBeUndefined();
  });

  it("gives a network to a batch job that asks, and to a service, whose port is published on loopback only", () => {
    expect(containerCreateOptions(plan({ spec: spec({ network: true }) })).HostConfig?.NetworkMode).toBe("bridge");
    const service = containerCreateOptions(
      plan({ spec: spec({ kind: "service", port: 8080, healthPath: "/health", command: ["httpd"] }) }),
    );
    expect(service.Entrypoint).toEqual(["httpd"]);
    expect(service.ExposedPorts).toEqual({ "8080/tcp": {} });
    expect(service.HostConfig).toMatchObject({
      NetworkMode: "bridge",
      PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
    });
  });
});
