// The engine request that creates a workload's container: every isolation setting in one pure function,
// so tests can check exactly what is sent (GPUs included, which these GPU-less machines cannot run).
import type { ContainerCreateOptions } from "dockerode";

import { WORKLOAD_OUTPUT_DIR, type WorkloadSpec } from "../../sdk/index.ts";

/** How GPUs are requested from the engine. */
export type GpuRequestMode =
  /** Docker's standard `DeviceRequests` (the NVIDIA container toolkit serves them). */
  | { kind: "device-requests"; driver: string }
  /** Never request GPUs (development machines without any). */
  | { kind: "none" };

/** What the container for one job needs beyond its spec. */
export interface ContainerPlan {
  name: string;
  spec: WorkloadSpec;
  /** Env values: the spec's public env plus the secrets' values. */
  env: Record<string, string>;
  /** Host folder mounted read-write at the output folder: the only writable place. */
  outputDir: string;
  /** Host file → container path, mounted read-only (downloaded, hash-checked inputs). */
  inputs: { hostPath: string; mountPath: string }[];
  gpus: number;
  gpuMode: GpuRequestMode;
  pidsLimit: number;
  labels: Record<string, string>;
}

/** The Docker Engine API create request for a job's container. */
export function containerCreateOptions(plan: ContainerPlan): ContainerCreateOptions {
  const { spec } = plan;
  const memory = spec.resources.memoryMb * 1024 * 1024;
  const isService = spec.kind === "service";
  // A batch job gets no network unless its spec asks; a service needs one to be reached at all.
  const networked = isService || spec.network;
  const exposed = isService ? `${spec.port}/tcp` : undefined;
  return {
    name: plan.name,
    Image: spec.image,
    ...(spec.command ? { Entrypoint: spec.command } : {}),
    Cmd: spec.args,
    Env: Object.entries(plan.env).map(([key, value]) => `${key}=${value}`),
    Labels: plan.labels,
    WorkingDir: WORKLOAD_OUTPUT_DIR,
    Tty: false,
    AttachStdin: false,
    OpenStdin: false,
    ...(exposed ? { ExposedPorts: { [exposed]: {} } } : {}),
    HostConfig: {
      NetworkMode: networked ? "bridge" : "none",
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(spec.resources.cpu * 1e9),
      PidsLimit: plan.pidsLimit,
      Binds: [
        `${plan.outputDir}:${WORKLOAD_OUTPUT_DIR}:rw`,
        ...plan.inputs.map((input) => `${input.hostPath}:${input.mountPath}:ro`),
      ],
      ...(exposed ? { PortBindings: { [exposed]: [{ HostIp: "127.0.0.1", HostPort: "" }] } } : {}),
      ...(plan.gpus > 0 && plan.gpuMode.kind === "device-requests"
        ? { DeviceRequests: [{ Driver: plan.gpuMode.driver, Count: plan.gpus, Capabilities: [["gpu"]] }] }
        : {}),
      AutoRemove: false,
      RestartPolicy: { Name: "no" },
    },
  };
}
