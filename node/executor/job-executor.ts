// Drives each job the node holds from the spec's arrival to the claimed pay: start it on-chain (if only
// awarded), run the workload until it exits or the paid time ends, deliver the manifest hash, claim and
// withdraw. Every step is recorded in the state store before its side effect, and every transaction is
// preceded by a look at the chain, so a node restarted after kill -9 resumes where it was and never sends a
// transaction the chain already reflects (above all: never delivers twice).
import { ContainerRuntimeError, EngineUnreachableError } from "../runtime/errors.ts";
import type { ContainerJob, ContainerRunResult } from "../runtime/container-runtime.ts";
import type { ChainJob, NodeMarket } from "../chain/node-market.ts";
import type { NodeJob, NodeStateStore } from "../state/node-state-store.ts";
import { parseWorkloadSpec, type WorkloadSpec } from "../../sdk/index.ts";

/** What the executor needs of a runtime: run a job to its manifest (re-attaching after a restart). */
export interface ExecutorRuntime {
  run(job: ContainerJob): Promise<ContainerRunResult>;
}

/** Options of a {@link JobExecutor}. */
export interface JobExecutorOptions {
  store: NodeStateStore;
  market: NodeMarket;
  runtime: ExecutorRuntime;
  /** The delivery's result URI (where the renter can fetch the manifest), from the job id; "" by default. */
  resultUri?: (jobId: bigint) => string;
  /** Progress and problems, one line each. */
  log?: (message: string) => void;
  /** First wait before retrying a step that failed for a passing reason (the engine unreachable), doubled up to 30 s. */
  retryDelayMs?: number;
  /** Retries of such a step before the job is failed. */
  maxRetries?: number;
}

/** On-chain states in which the provider has delivered (the result hash is on-chain). */
const DELIVERED_ON_CHAIN: readonly string[] = ["Delivered", "Disputed", "Settled", "Resolved"];

/** Thrown inside a step to fail the job for good, with the reason the renter will read in its status. */
class JobFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobFailure";
  }
}

/** Runs the node's jobs; one drive per job at a time. */
export class JobExecutor {
  private readonly options: Required<JobExecutorOptions>;
  private readonly drives = new Map<bigint, Promise<NodeJob>>();

  constructor(options: JobExecutorOptions) {
    this.options = {
      ...options,
      resultUri: options.resultUri ?? (() => ""),
      log: options.log ?? (() => {}),
      retryDelayMs: options.retryDelayMs ?? 1_000,
      maxRetries: options.maxRetries ?? 8,
    };
  }

  /**
   * Drives the job as far as it can go now (to `claimed`, or `failed`, or `won` while no spec has come) and
   * resolves with its state. A job already being driven returns that drive instead of starting another.
   */
  drive(jobId: bigint): Promise<NodeJob> {
    const current = this.drives.get(jobId);
    if (current) return current;
    const drive = this.driveToEnd(jobId).finally(() => this.drives.delete(jobId));
    this.drives.set(jobId, drive);
    return drive;
  }

  /** Resumes every job the store holds that has a spec (what a restarted node does first); resolves when all have come to rest. */
  async resume(): Promise<NodeJob[]> {
    const jobs = this.options.store.active().filter((job) => job.state !== "won");
    for (const job of jobs)
      this.options.log(
        `job ${job.jobId}: resuming from ${job.state}${job.pendingAction ? ` (${job.pendingAction} pending)` : ""}`,
      );
    return Promise.all(jobs.map((job) => this.drive(job.jobId)));
  }

  /** Waits for every drive in progress (for a clean shutdown and for tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.drives.values()]);
  }

  private async driveToEnd(jobId: bigint): Promise<NodeJob> {
    const { store, log } = this.options;
    let attempt = 0;
    for (;;) {
      const job = store.require(jobId);
      if (job.state === "won" || job.state === "claimed" || job.state === "failed") return job;
      try {
        await this.step(job);
        attempt = 0;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof JobFailure || !isPassingFailure(error) || attempt >= this.options.maxRetries) {
          log(`job ${jobId}: failed in ${job.state}: ${message}`);
          return this.fail(job, message);
        }
        attempt += 1;
        const delay = Math.min(this.options.retryDelayMs * 2 ** (attempt - 1), 30_000);
        log(
          `job ${jobId}: ${job.state} step failed (${message}); retry ${attempt} of ${this.options.maxRetries} in ${delay} ms`,
        );
        store.annotate(jobId, { lastError: message });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One step of the state machine: performs the side effect the job's state calls for and records its outcome. */
  private async step(job: NodeJob): Promise<void> {
    const chain = await this.options.market.job(job.jobId);
    if (chain.provider.toLowerCase() !== this.options.market.provider.toLowerCase()) {
      throw new JobFailure(
        `the chain names ${chain.provider} as the job's provider, not this node's ${this.options.market.provider}`,
      );
    }
    switch (job.state) {
      case "spec-received":
        return this.start(job, chain);
      case "running":
        return this.run(job, chain);
      case "finished":
        return this.deliver(job, chain);
      case "delivered":
        return this.claim(job, chain);
      default:
        return;
    }
  }

  private async start(job: NodeJob, chain: ChainJob): Promise<void> {
    const { store, market } = this.options;
    if (chain.state === "Awarded") {
      store.beginAction(job.jobId, "start");
      await market.startJob(job.jobId);
      chain = await market.job(job.jobId);
    }
    store.endAction(job.jobId);
    if (chain.state !== "Running")
      throw new JobFailure(`the job is ${chain.state} on-chain, not Running: it cannot be run`);
    store.transition(job.jobId, "running");
  }

  private async run(job: NodeJob, chain: ChainJob): Promise<void> {
    const { store, runtime, log } = this.options;
    if (chain.state !== "Running")
      throw new JobFailure(`the job is ${chain.state} on-chain, no longer Running: its workload is not run`);
    const deadline = await this.paidTimeEnd(chain);
    log(
      `job ${job.jobId}: running until it exits or the paid time ends (${deadline.toISOString()} on this machine's clock)`,
    );
    const result = await runtime.run({
      jobId: job.jobId,
      spec: storedSpec(job),
      secrets: job.secrets === undefined ? {} : (JSON.parse(job.secrets) as Record<string, string>),
      gpus: chain.gpuCount,
      deadline,
      // A renter's stopJob ends the lease early: the workload stops with it (an unanswered RPC is no news).
      stillLeased: async () => (await this.options.market.job(job.jobId).catch(() => chain)).state === "Running",
    });
    log(`job ${job.jobId}: finished (exit ${result.manifest.exitCode}), manifest ${result.manifestHash}`);
    // The container is gone: the secrets are no longer needed by anything.
    store.transition(job.jobId, "finished", {
      manifestHash: result.manifestHash,
      secrets: undefined,
      lastError: undefined,
    });
  }

  /**
   * When the paid time (`startedAt + duration`, chain time) ends on this machine's clock. Pay accrues by
   * block time, which can run ahead of the wall clock (a local chain gives each block its own second), so
   * the end is also measured from the latest block; the earlier of the two is taken. A chain behind the
   * wall clock (no block for a while) then changes nothing.
   */
  private async paidTimeEnd(chain: ChainJob): Promise<Date> {
    const paidUntil = chain.startedAt + chain.duration;
    const fromChainClock = Date.now() + Number(paidUntil - (await this.options.market.chainTime())) * 1000;
    return new Date(Math.min(Number(paidUntil) * 1000, fromChainClock));
  }

  private async deliver(job: NodeJob, chain: ChainJob): Promise<void> {
    const { store, market, log } = this.options;
    if (chain.deliveredAt !== 0n || DELIVERED_ON_CHAIN.includes(chain.state)) {
      // Delivered already: by this node before a crash (pendingAction "deliver"), so the chain is the record.
      store.endAction(job.jobId);
      store.transition(job.jobId, "delivered");
      return;
    }
    if (chain.state === "Cancelled") {
      // The renter's stopJob paid the time used into the market's ledger: take it, then nothing is left to do.
      if ((await market.balance(chain.paymentToken)) > 0n) {
        store.beginAction(job.jobId, "withdraw");
        await market.withdraw(chain.paymentToken);
        store.endAction(job.jobId);
      }
      throw new JobFailure(
        "the renter stopped the job (the chain records Cancelled): nothing to deliver; the pay for the time used was withdrawn",
      );
    }
    if (chain.state !== "Running") throw new JobFailure(`the job is ${chain.state} on-chain: too late to deliver`);
    if (job.manifestHash === undefined)
      throw new JobFailure("the node has no manifest hash for a finished job: its state store is damaged");
    store.beginAction(job.jobId, "deliver");
    await market.deliver(job.jobId, job.manifestHash, this.options.resultUri(job.jobId));
    store.endAction(job.jobId);
    store.transition(job.jobId, "delivered");
    log(`job ${job.jobId}: delivered ${job.manifestHash}`);
  }

  private async claim(job: NodeJob, chain: ChainJob): Promise<void> {
    const { store, market, log } = this.options;
    const due = await market.claimable(job.jobId);
    if (due > 0n) {
      store.beginAction(job.jobId, "claim");
      await market.claim(job.jobId);
    }
    if ((await market.balance(chain.paymentToken)) > 0n) {
      store.beginAction(job.jobId, "withdraw");
      await market.withdraw(chain.paymentToken);
    }
    store.endAction(job.jobId);
    store.transition(job.jobId, "claimed");
    log(`job ${job.jobId}: claimed ${due} and withdrew`);
  }

  private fail(job: NodeJob, reason: string): NodeJob {
    const { store } = this.options;
    const current = store.require(job.jobId);
    // After delivery the work is done and on-chain: a claim that keeps failing is reported, not a failed job.
    if (current.state === "delivered") return store.annotate(job.jobId, { lastError: reason });
    return store.transition(job.jobId, "failed", { lastError: reason, secrets: undefined });
  }
}

/** The job's spec as stored at the handover (validated then; re-parsed for its defaults and type). */
function storedSpec(job: NodeJob): WorkloadSpec {
  const parsed = parseWorkloadSpec(job.spec ?? "");
  if (!parsed.ok) throw new JobFailure(`the stored spec is invalid (${parsed.errors.join("; ")})`);
  return parsed.value;
}

/**
 * Whether a step that threw is worth retrying: the engine or the chain's RPC may come back. A runtime error
 * about the job itself (image missing or with another digest, a secret or an input missing) will not
 * change by waiting, so it fails the job at once.
 */
export function isPassingFailure(error: unknown): boolean {
  return error instanceof EngineUnreachableError || !(error instanceof ContainerRuntimeError);
}
