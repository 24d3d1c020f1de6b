// The provider node's container runtime: runs one job's workload through the Docker Engine API (Docker,
// or Podman's compatible service: one code path), isolated, stopped when the paid time ends, and turns
// what it left behind into a result manifest whose hash the node delivers on-chain. Each job's container
// is named after the job, so a restarted node re-attaches (`find`, then `run` again) instead of starting
// the workload twice; a finished job's manifest is kept on disk, so `run` never builds it twice either.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

import Docker from "dockerode";

import {
  canonicalJsonBytes,
  hashResultManifest,
  hashWorkloadSpec,
  parseResultManifest,
  RESULT_MANIFEST_SCHEMA_ID,
  type ResultManifest,
  type WorkloadSpec,
} from "../../sdk/index.ts";
import { ContentStore } from "../store/content-store.ts";
import { containerCreateOptions, type GpuRequestMode } from "./container-config.ts";
import {
  ContainerRuntimeError,
  EngineUnreachableError,
  ImageDigestMismatchError,
  ImageMissingError,
  MissingSecretError,
} from "./errors.ts";
import { fetchInputs } from "./inputs.ts";
import { CappedLogFile, demuxLogStream } from "./logs.ts";
import { collectOutputs } from "./outputs.ts";

/** Where the runtime finds its engine and keeps its files. */
export interface ContainerRuntimeOptions {
  /** The chain the jobs live on: part of every container's name. */
  chainId: bigint;
  /** The Docker Engine API unix socket (Podman: the `system service` socket; Docker: /var/run/docker.sock). */
  socketPath: string;
  /** Folder for per-job working files (output folders, logs, manifests) and, unless `store` is given, the content store. */
  dataDir: string;
  store?: ContentStore;
  /** How GPUs are requested; default Docker's `DeviceRequests` with the nvidia driver. */
  gpuMode?: GpuRequestMode;
  /** Cap on a job's stored log, in bytes; default 16 MiB. */
  logMaxBytes?: number;
  /** Cap on the number of processes in a container; default 256. */
  pidsLimit?: number;
  /** Seconds between SIGTERM and SIGKILL when the paid time ends; default 2. */
  stopGraceSeconds?: number;
  /** How often a running container is inspected while waiting for it (the engine's wait may hang); default 2 s. */
  watchIntervalMs?: number;
}

/** One job to run. */
export interface ContainerJob {
  jobId: bigint;
  spec: WorkloadSpec;
  /** Secret values by name, handed over privately by the renter; every name in `spec.secrets` is required. */
  secrets?: Record<string, string>;
  /** GPUs the job rented (from the chain), 0 for none. */
  gpus: number;
  /** When the paid time ends: the workload is stopped then. */
  deadline: Date;
  /**
   * Asked at every watch interval while the workload runs: false once the lease is over before its time (the
   * renter stopped the job on-chain), and the workload is stopped then, as at the deadline.
   */
  stillLeased?: () => Promise<boolean>;
}

/** A finished run: the manifest, its on-chain hash, and where its files are. */
export interface ContainerRunResult {
  manifest: ResultManifest;
  /** keccak256 of the manifest's RFC 8785 bytes: the result hash to deliver on-chain. */
  manifestHash: string;
  containerName: string;
  /** The manifest's canonical bytes, as stored. */
  manifestPath: string;
  /** The job's capped log (stdout and stderr interleaved); also in the store under `manifest.logsSha256`. */
  logsPath: string;
}

/** A started job: its container and what it is pinned to. */
export interface StartedJob {
  containerName: string;
  /** The spec's hash (keccak256 of its canonical bytes), also a label on the container. */
  specHash: string;
  /** The image digest the container was created from. */
  imageDigest: string;
}

/** A job's container as the engine reports it (for re-attaching after a restart). */
export interface FoundContainer {
  name: string;
  id: string;
  status: string;
  running: boolean;
  exitCode: number;
  specHash: string | undefined;
}

const LABEL_CHAIN = "io.gridlease.chain-id";
const LABEL_JOB = "io.gridlease.job-id";
const LABEL_SPEC = "io.gridlease.spec-hash";

/** The node's id in `dataDir/node-id`, created on first use. */
function nodeIdOf(dataDir: string): string {
  const file = join(dataDir, "node-id");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const id = randomBytes(4).toString("hex");
  try {
    writeFileSync(file, `${id}\n`, { flag: "wx" });
    return id;
  } catch (error) {
    // Another process on the same folder made it first: that id is the node's.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw error;
  }
}

/** Runs workloads in isolated containers through the Docker Engine API. */
export class ContainerRuntime {
  readonly docker: Docker;
  readonly store: ContentStore;
  /** Eight hex digits, made once per data folder (`node-id`) and kept: a restarted node finds its containers. */
  readonly nodeId: string;
  private readonly options: Required<Omit<ContainerRuntimeOptions, "store">>;

  constructor(options: ContainerRuntimeOptions) {
    this.options = {
      gpuMode: { kind: "device-requests", driver: "nvidia" },
      logMaxBytes: 16 * 1024 * 1024,
      pidsLimit: 256,
      stopGraceSeconds: 2,
      watchIntervalMs: 2_000,
      ...options,
    };
    this.docker = new Docker({ socketPath: options.socketPath });
    this.store = options.store ?? new ContentStore(join(options.dataDir, "store"));
    this.nodeId = nodeIdOf(options.dataDir);
  }

  /**
   * The container name of a job: `gridlease-<nodeId>-<chainId>-<jobId>`. The node's id (kept in its data folder)
   * keeps two nodes on one engine apart, even for the same chain and job id (local chains all start at job 1).
   */
  containerName(jobId: bigint): string {
    return `gridlease-${this.nodeId}-${this.options.chainId}-${jobId}`;
  }

  /** The engine's name and version (also a reachability check). */
  async engineVersion(): Promise<string> {
    const version = await this.engine(() => this.docker.version());
    return `${version.Components?.[0]?.Name ?? "Docker Engine"} ${version.Version}`;
  }

  /**
   * Makes the spec's image available, pinned: returns its digest (`sha256:...`) once the engine holds
   * content under exactly that digest, pulling it when absent. Refuses content under the same name with
   * another digest ({@link ImageDigestMismatchError}) and an image that cannot be had ({@link ImageMissingError}).
   */
  async ensureImage(reference: string): Promise<string> {
    const at = reference.lastIndexOf("@");
    if (at < 0) {
      throw new ContainerRuntimeError(
        `image ${reference} is not pinned by digest (name@sha256:...): refusing to run a movable tag`,
      );
    }
    const name = reference.slice(0, at);
    const digest = reference.slice(at + 1);
    if ((await this.repoDigests(reference)).includes(`${name}@${digest}`)) return digest;
    let pullError: unknown;
    try {
      await this.pull(reference);
    } catch (error) {
      if (error instanceof EngineUnreachableError) throw error;
      pullError = error;
    }
    if ((await this.repoDigests(reference)).includes(`${name}@${digest}`)) return digest;
    const others = await this.digestsUnderName(name);
    if (others.length > 0) throw new ImageDigestMismatchError(reference, digest, others);
    throw new ImageMissingError(reference, pullError);
  }

  /** Pulls an image; the engine reports a failed pull inside the progress stream, which is turned into a throw. */
  private async pull(reference: string): Promise<void> {
    const stream = await this.engine(() => this.docker.pull(reference));
    const events = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) =>
        error ? reject(error) : resolve(output ?? []),
      ),
    );
    const failure = events.find((event) => event.error !== undefined || event.errorDetail !== undefined);
    if (failure) throw new Error(failure.errorDetail?.message ?? failure.error);
  }

  /** The job's container, if the engine has one (running or exited): what a restarted node re-attaches to. */
  async find(jobId: bigint): Promise<FoundContainer | undefined> {
    const name = this.containerName(jobId);
    const info = await this.engine(() => this.docker.getContainer(name).inspect()).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (info === undefined) return undefined;
    return {
      name,
      id: info.Id,
      status: info.State.Status,
      running: info.State.Running,
      exitCode: info.State.ExitCode,
      specHash: info.Config.Labels?.[LABEL_SPEC],
    };
  }

  /**
   * Where a running service job answers on the node: the loopback address and host port the engine
   * published its spec's port on (what the node proxies to the renter). Undefined when not running.
   */
  async endpoint(jobId: bigint, containerPort: number): Promise<{ host: string; port: number } | undefined> {
    const info = await this.engine(() => this.docker.getContainer(this.containerName(jobId)).inspect()).catch(
      (error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      },
    );
    const binding = info?.State.Running ? info.NetworkSettings.Ports?.[`${containerPort}/tcp`]?.[0] : undefined;
    if (!binding) return undefined;
    return { host: binding.HostIp || "127.0.0.1", port: Number(binding.HostPort) };
  }

  /** The result of a job already run to its manifest, or undefined. */
  async finished(jobId: bigint): Promise<ContainerRunResult | undefined> {
    const paths = this.jobFiles(jobId);
    if (!existsSync(paths.manifest)) return undefined;
    const parsed = parseResultManifest(await readFile(paths.manifest, "utf8"));
    if (!parsed.ok) {
      throw new ContainerRuntimeError(
        `the stored manifest ${paths.manifest} is invalid (${parsed.errors.join("; ")}): remove it to run the job again`,
      );
    }
    return {
      manifest: parsed.value,
      manifestHash: hashResultManifest(parsed.value),
      containerName: this.containerName(jobId),
      manifestPath: paths.manifest,
      logsPath: paths.logs,
    };
  }

  /**
   * Starts the job's container and returns at once: pins the image, downloads the inputs, creates the
   * container and starts it. Idempotent: a container that already exists for the job is only started if it
   * never was (a node that crashed between create and start), never created twice.
   */
  async start(job: ContainerJob): Promise<StartedJob> {
    const { spec } = job;
    const specHash = hashWorkloadSpec(spec);
    const imageDigest = await this.ensureImage(spec.image);
    const name = this.containerName(job.jobId);
    const existing = await this.find(job.jobId);
    if (existing && existing.specHash !== specHash) {
      throw new ContainerRuntimeError(
        `container ${name} runs spec ${existing.specHash}, not ${specHash}: remove it (runtime.remove) before running another spec for this job`,
      );
    }
    if (!existing) {
      const output = this.jobFiles(job.jobId).output;
      const env = { ...spec.env, ...this.secretEnv(spec, job.secrets ?? {}) };
      const inputs = await fetchInputs(spec.inputs, this.store, spec.resources.diskMb * 1024 * 1024);
      await mkdir(output, { recursive: true });
      // The workload may run as any user: its output folder is the one place it can write.
      await chmod(output, 0o777);
      const create = containerCreateOptions({
        name,
        spec,
        env,
        outputDir: output,
        inputs,
        gpus: job.gpus,
        gpuMode: this.options.gpuMode,
        pidsLimit: this.options.pidsLimit,
        labels: { [LABEL_CHAIN]: String(this.options.chainId), [LABEL_JOB]: String(job.jobId), [LABEL_SPEC]: specHash },
      });
      await this.engine(() => this.docker.createContainer(create));
    }
    if (!existing || existing.status === "created") await this.engine(() => this.docker.getContainer(name).start());
    return { containerName: name, specHash, imageDigest };
  }

  /**
   * Runs the job to its end (exit, or the deadline) and returns its manifest. Resumable after a restart:
   * {@link start} re-attaches to the job's existing container (waited for if running, collected if
   * exited), and a job whose manifest already exists returns it unchanged.
   */
  async run(job: ContainerJob): Promise<ContainerRunResult> {
    const done = await this.finished(job.jobId);
    if (done) return done;
    const { spec } = job;
    const { containerName: name, specHash, imageDigest } = await this.start(job);
    const paths = this.jobFiles(job.jobId);
    const container = this.docker.getContainer(name);

    const stoppedAtDeadline = await this.waitUntilExitOrDeadline(container, job.deadline, job.stillLeased);
    const state = (await this.engine(() => container.inspect())).State;
    const logs = await this.saveLogs(container, paths.logs);
    const collected = await collectOutputs(paths.output, spec.outputs, this.store);

    const manifest: ResultManifest = {
      schema: RESULT_MANIFEST_SCHEMA_ID,
      specHash,
      imageDigest,
      exitCode: state.ExitCode,
      stoppedAtDeadline,
      startedAt: isoTime(state.StartedAt),
      endedAt: endTime(state.StartedAt, state.FinishedAt),
      outputs: collected.outputs,
      omittedOutputs: collected.omitted,
      logsSha256: logs.sha256,
      logsBytes: logs.bytes,
      truncated: { outputs: collected.truncated, logs: logs.truncated },
    };
    // Written whole, then renamed: a node killed mid-write leaves no half manifest for `finished` to trust.
    await writeFile(`${paths.manifest}.partial`, canonicalJsonBytes(manifest));
    await rename(`${paths.manifest}.partial`, paths.manifest);
    await this.engine(() => container.remove({ force: true }));
    return {
      manifest,
      manifestHash: hashResultManifest(manifest),
      containerName: name,
      manifestPath: paths.manifest,
      logsPath: paths.logs,
    };
  }

  /** Removes the job's container (if any), stopping it first. */
  async remove(jobId: bigint): Promise<void> {
    await this.engine(() => this.docker.getContainer(this.containerName(jobId)).remove({ force: true })).catch(
      (error: unknown) => {
        if (!isNotFound(error)) throw error;
      },
    );
  }

  /** The job's files on the node: its output folder (mounted into the container), its log and its manifest. */
  jobFiles(jobId: bigint): { dir: string; output: string; logs: string; manifest: string } {
    const dir = join(this.options.dataDir, "jobs", this.containerName(jobId));
    return { dir, output: join(dir, "out"), logs: join(dir, "logs.txt"), manifest: join(dir, "manifest.json") };
  }

  private secretEnv(spec: WorkloadSpec, secrets: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of spec.secrets) {
      const value = secrets[name];
      if (value === undefined) throw new MissingSecretError(name);
      env[name] = value;
    }
    return env;
  }

  /**
   * Waits for the container to exit; at the deadline stops it (SIGTERM, then SIGKILL after the grace period).
   * True when stopped. The engine's wait is one long request: an engine connection lost in the middle of its
   * answer leaves it pending for ever, so the container is also inspected every few seconds, and an engine that
   * no longer answers ends the wait with {@link EngineUnreachableError} (the executor retries, re-attaching).
   */
  private async waitUntilExitOrDeadline(
    container: Docker.Container,
    deadline: Date,
    stillLeased?: () => Promise<boolean>,
  ): Promise<boolean> {
    const exited = this.engine(() => container.wait());
    // Marks a failed wait as handled while the deadline is pending; the race below still sees it.
    exited.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), Math.max(0, deadline.getTime() - Date.now()));
    });
    const watch = { stopped: false };
    const watched = this.watchUntilExited(container, watch, stillLeased);
    watched.catch(() => undefined);
    try {
      const first = await Promise.race([exited.then(() => "exited" as const), watched, expired]);
      if (first === "exited") return false;
      await this.engine(() => container.stop({ t: this.options.stopGraceSeconds })).catch((error: unknown) => {
        // 304: it exited on its own meanwhile.
        if ((error as { statusCode?: number }).statusCode !== 304) throw error;
      });
      // The engine's wait, or an inspection that finds it stopped (the wait may never answer; see above).
      await Promise.race([exited, this.watchUntilExited(container, watch)]);
      return true;
    } finally {
      watch.stopped = true;
      clearTimeout(timer);
    }
  }

  /**
   * Resolves "exited" once an inspection finds the container stopped, "lease-ended" once `stillLeased` says the
   * lease is over; rejects when the engine stops answering.
   */
  private async watchUntilExited(
    container: Docker.Container,
    watch: { stopped: boolean },
    stillLeased?: () => Promise<boolean>,
  ): Promise<"exited" | "lease-ended"> {
    while (!watch.stopped) {
      await new Promise((resolve) => setTimeout(resolve, this.options.watchIntervalMs));
      if (watch.stopped) break;
      const info = await this.engine(() => container.inspect());
      if (!info.State.Running) return "exited";
      if (stillLeased !== undefined && !(await stillLeased())) return "lease-ended";
    }
    return "exited";
  }

  private async saveLogs(
    container: Docker.Container,
    path: string,
  ): Promise<{ sha256: string; bytes: number; truncated: boolean }> {
    // Written beside, then renamed: the API serves the stored log to anyone who asks once it exists, so
    // it must never see one that is still being written (a reader would get it empty or cut short).
    const partial = `${path}.partial`;
    const file = await CappedLogFile.create(partial, this.options.logMaxBytes);
    try {
      const stream = await this.engine(() => exitedLogStream(container));
      await demuxLogStream(stream, file);
    } finally {
      await file.close();
    }
    await rename(partial, path);
    const stored = await this.store.putFile(path);
    return { sha256: stored.sha256, bytes: file.bytes, truncated: file.truncated };
  }

  private async repoDigests(reference: string): Promise<string[]> {
    try {
      return (await this.engine(() => this.docker.getImage(reference).inspect())).RepoDigests ?? [];
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  private async digestsUnderName(name: string): Promise<string[]> {
    const images = await this.engine(() => this.docker.listImages({ filters: { reference: [name] } }));
    return images
      .flatMap((image) => image.RepoDigests ?? [])
      .filter((repoDigest) => repoDigest.startsWith(`${name}@`))
      .map((repoDigest) => repoDigest.slice(name.length + 1));
  }

  /** Runs an engine call, turning "nothing listens on the socket" into {@link EngineUnreachableError}. */
  private async engine<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ENOENT" || code === "ECONNREFUSED" || code === "EACCES" || code === "ECONNRESET") {
        throw new EngineUnreachableError(this.options.socketPath, error);
      }
      throw error;
    }
  }
}

/**
 * An exited container's whole log, streamed as the engine reads it out (never held whole in memory, so a
 * log far over the cap costs the node nothing). Not `logs({follow: true})`: Podman 4's followed stream
 * drops lines a fast writer wrote (a 40,000-line log came back with a quarter of its lines missing), its
 * plain read does not. dockerode buffers a plain read whole, hence the modem's stream.
 */
function exitedLogStream(container: Docker.Container): Promise<AsyncIterable<Uint8Array>> {
  return new Promise((resolve, reject) => {
    container.modem.dial(
      {
        path: `/containers/${container.id}/logs?`,
        method: "GET",
        isStream: true,
        statusCodes: { 200: true, 404: "no such container", 500: "server error" },
        options: { stdout: true, stderr: true, follow: false },
      },
      (error: Error | null, stream: AsyncIterable<Uint8Array>) => (error ? reject(error) : resolve(stream)),
    );
  });
}

/** Whether the engine answered 404 (no such container or image). */
export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/** An engine timestamp (RFC 3339, nanoseconds) in the manifest's ISO form (milliseconds, UTC). */
function isoTime(engineTime: string): string {
  return new Date(engineTime).toISOString();
}

/**
 * The end time, never before the start: Podman stamps a container that exits at once with a finish time a
 * few milliseconds before its start time (the start is recorded after the runtime returns).
 */
function endTime(startedAt: string, finishedAt: string): string {
  return new Date(Math.max(new Date(startedAt).getTime(), new Date(finishedAt).getTime())).toISOString();
}
