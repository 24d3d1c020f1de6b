// Test support: a {@link NodeMarket} held in memory that follows the contract's rules for the provider's own
// transactions (start, deliver, claim, withdraw) and counts them, so the executor's and the API's tests can
// check what reached "the chain" without one.
import type { ChainJob, NodeMarket } from "./node-market.ts";

/** Counts of the transactions sent to a {@link ScriptedMarket}. */
export interface SentCounts {
  startJob: number;
  deliver: number;
  claim: number;
  withdraw: number;
}

/** An in-memory market; `jobs` and `now` (unix seconds) are set by the test. */
export class ScriptedMarket implements NodeMarket {
  readonly address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  readonly chainId = 31337n;
  readonly provider: string;
  readonly jobs = new Map<bigint, ChainJob>();
  readonly sent: SentCounts = { startJob: 0, deliver: 0, claim: 0, withdraw: 0 };
  readonly delivered = new Map<bigint, string>();
  now = 1_000n;
  /** Set to make the next transaction throw this error (once). */
  failNext: Error | undefined;
  private balances = 0n;

  constructor(provider: string) {
    this.provider = provider;
  }

  /** Adds a job awarded to this market's provider. */
  award(jobId: bigint, fields: Partial<ChainJob> = {}): ChainJob {
    const job: ChainJob = {
      state: "Awarded",
      renter: "0x0000000000000000000000000000000000000a11",
      provider: this.provider,
      specHash: `0x${"00".repeat(32)}`,
      gpuCount: 1,
      duration: 3_600n,
      startedAt: 0n,
      deliveredAt: 0n,
      deadline: this.now + 3_600n,
      paymentToken: "0x0000000000000000000000000000000000005dc0",
      ...fields,
    };
    this.jobs.set(jobId, job);
    return job;
  }

  async job(jobId: bigint): Promise<ChainJob> {
    const job = this.jobs.get(jobId);
    if (job) return { ...job };
    return { ...this.award(-1n), state: "None", provider: "0x0000000000000000000000000000000000000000" };
  }

  async startJob(jobId: bigint): Promise<void> {
    this.transaction();
    const job = this.require(jobId, "Awarded");
    this.sent.startJob += 1;
    Object.assign(job, { state: "Running", startedAt: this.now, deadline: this.now + job.duration + 3_600n });
  }

  async deliver(jobId: bigint, resultHash: string): Promise<void> {
    this.transaction();
    const job = this.require(jobId, "Running");
    this.sent.deliver += 1;
    this.delivered.set(jobId, resultHash);
    Object.assign(job, { state: "Delivered", deliveredAt: this.now });
  }

  async claimable(jobId: bigint): Promise<bigint> {
    const job = this.jobs.get(jobId);
    return job?.state === "Delivered" && this.sent.claim === 0 ? 100n : 0n;
  }

  async claim(jobId: bigint): Promise<void> {
    this.transaction();
    this.require(jobId, "Delivered");
    this.sent.claim += 1;
    this.balances += 100n;
  }

  async balance(): Promise<bigint> {
    return this.balances;
  }

  async chainTime(): Promise<bigint> {
    return this.now;
  }

  async withdraw(): Promise<void> {
    this.transaction();
    this.sent.withdraw += 1;
    this.balances = 0n;
  }

  private transaction(): void {
    const error = this.failNext;
    this.failNext = undefined;
    if (error) throw error;
  }

  private require(jobId: bigint, state: ChainJob["state"]): ChainJob {
    const job = this.jobs.get(jobId);
    if (job?.state !== state) throw new Error(`reverted: job ${jobId} is ${job?.state ?? "None"}, not ${state}`);
    return job;
  }
}
