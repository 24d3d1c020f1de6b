// The provider agent: polls the market for JobCreated events, and for each job its inventory and policy
// can serve it commits a sealed bid (revealed in the reveal window) or accepts an instant job, closes
// auctions it leads, starts jobs it won and releases the stake of bids that lost. Each poll does bounded
// work (blocks scanned, jobs read, transactions sent); a failed transaction or RPC call is logged in
// plain language and the agent carries on.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { bidsOf } from "../lib/bids.js";
import { commitSealedBid, revealSavedBid } from "../lib/bidding.js";
import { chainNow, signerOf, type Context } from "../lib/context.js";
import { describeError } from "../lib/errors.js";
import { BidStatus, decodeRevert, formatAmount, formatDuration, formatTime, formatUsd, revertDataOf } from "../../sdk/index.ts";
import { isInstant, loadJob, modelName, type LoadedJob } from "../lib/jobs.js";
import type { Output } from "../lib/output.js";
import { send } from "../lib/tx.js";
import { bidPrice, floorIn, type Policy } from "./policy.js";

/** Where the agent is with a job. */
type Phase = "new" | "committed" | "revealed" | "won" | "lost";

interface Tracked {
  jobId: bigint;
  phase: Phase;
  failures: number;
}

export interface AgentOptions {
  saltFile: string;
  /** Where the last scanned block is kept between runs (default: agent-cursor.json beside the salt file). */
  cursorFile?: string;
}

/**
 * The reveal is sent at once when its window opens; a window that closes within this margin of the next
 * block's time (or shorter than it) is at risk, and the agent says so.
 */
export function revealMarginSeconds(pollIntervalMs: number): bigint {
  return BigInt(Math.max(30, Math.ceil((3 * pollIntervalMs) / 1000)));
}

export class ProviderAgent {
  private readonly ctx: Context;
  private readonly out: Output;
  /** The output transactions report to: the agent logs its own events, so no progress lines. */
  private readonly txOut: Output;
  private readonly policy: Policy;
  private readonly saltFile: string;
  private readonly me: string;
  private readonly tracked = new Map<bigint, Tracked>();
  /** Last block scanned for JobCreated. */
  private cursor = -1;
  /** Round-robin position over tracked jobs, so a long list is served fairly across polls. */
  private nextIndex = 0;
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly cursorFile: string;
  private cursorKey = "";
  /** Jobs whose at-risk reveal window was already reported. */
  private readonly warned = new Set<bigint>();

  constructor(ctx: Context, out: Output, policy: Policy, options: AgentOptions) {
    this.ctx = ctx;
    this.out = out;
    this.txOut = { ...out, progress: () => undefined };
    this.policy = policy;
    this.saltFile = options.saltFile;
    this.cursorFile = options.cursorFile ?? join(dirname(options.saltFile), "agent-cursor.json");
    this.me = signerOf(ctx).address;
  }

  private readCursors(): Record<string, number> {
    if (!existsSync(this.cursorFile)) return {};
    try {
      return JSON.parse(readFileSync(this.cursorFile, "utf8")) as Record<string, number>;
    } catch {
      return {};
    }
  }

  /** Keeps the last scanned block, so the next run (`agent --once` from cron) goes on from there. */
  private saveCursor(): void {
    try {
      const all = { ...this.readCursors(), [this.cursorKey]: this.cursor };
      mkdirSync(dirname(this.cursorFile), { recursive: true });
      const tmp = `${this.cursorFile}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
      renameSync(tmp, this.cursorFile);
    } catch (error) {
      this.logFailure("cursor_not_saved", undefined, error);
    }
  }

  /** Asks the loop to stop after the current poll. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  private log(event: string, data: Record<string, unknown>, text: string): void {
    this.out.event({ event, ...data }, text);
  }

  private logFailure(event: string, jobId: bigint | undefined, error: unknown): void {
    const report = describeError(error);
    this.log(
      event,
      { ...(jobId === undefined ? {} : { jobId }), error: { code: report.code, message: report.message, contractError: report.contractError } },
      `${jobId === undefined ? "" : `job #${jobId}: `}${event.replace(/_/g, " ")}: ${report.message}`,
    );
  }

  /** Picks up bids saved by an earlier run that are still unrevealed on chain, so a restarted agent reveals them. */
  private async resume(): Promise<void> {
    const market = this.ctx.protocol.market;
    for (const bid of bidsOf(this.saltFile, this.ctx.chainId, await market.getAddress(), this.me)) {
      const jobId = BigInt(bid.jobId);
      if (Number((await market.bidOf(jobId, this.me)).status) !== BidStatus.valueOf("Committed")) continue;
      this.tracked.set(jobId, { jobId, phase: "committed", failures: 0 });
    }
  }

  async start(): Promise<void> {
    const latest = await this.ctx.provider.getBlockNumber();
    this.cursorKey = `${this.ctx.chainId}:${(await this.ctx.protocol.market.getAddress()).toLowerCase()}:${this.me.toLowerCase()}`;
    const saved = this.readCursors()[this.cursorKey];
    // A saved cursor (an earlier run on this chain and market) resumes where it stopped; a first run also
    // reads the latest block, so a job created just before the agent started is not missed.
    this.cursor =
      this.policy.fromBlock !== "latest"
        ? this.policy.fromBlock - 1
        : typeof saved === "number" && saved <= latest
          ? saved
          : Math.max(-1, latest - 1);
    await this.resume();
    this.log(
      "agent_started",
      {
        provider: this.me,
        fromBlock: this.cursor + 1,
        models: [...this.policy.floors.keys()],
        paymentTokens: [...this.policy.paymentTokens],
        resumedBids: this.tracked.size,
        cursorFile: this.cursorFile,
      },
      `agent for ${this.me} watching jobs from block ${this.cursor + 1} (models ${[...this.policy.floors.keys()].join(", ")})`,
    );
  }

  /** Polls until stop() is called (SIGINT). Never throws for a failed poll. */
  async runUntilStopped(): Promise<void> {
    while (!this.stopping) {
      await this.pollSafely();
      if (this.stopping) break;
      const waitMs = await this.nextWaitMs().catch(() => this.policy.pollIntervalMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    this.log("agent_stopped", { provider: this.me, trackedJobs: this.tracked.size }, "agent stopped");
  }

  async pollSafely(): Promise<void> {
    try {
      await this.poll();
    } catch (error) {
      this.logFailure("poll_failed", undefined, error);
    }
  }

  /** One bounded round: scan new blocks, then act on at most maxJobsPerPoll tracked jobs. */
  async poll(): Promise<void> {
    await this.scan();
    const jobs = [...this.tracked.values()].sort((a, b) => (a.jobId < b.jobId ? -1 : 1));
    if (jobs.length === 0) return;
    let actions = 0;
    const count = Math.min(jobs.length, this.policy.maxJobsPerPoll);
    for (let i = 0; i < count && actions < this.policy.maxActionsPerPoll && !this.stopping; i++) {
      const job = jobs[(this.nextIndex + i) % jobs.length];
      try {
        if (await this.step(job)) actions++;
      } catch (error) {
        job.failures++;
        this.logFailure("action_failed", job.jobId, error);
        if (job.failures >= this.policy.maxFailuresPerJob) {
          this.tracked.delete(job.jobId);
          this.log("job_dropped", { jobId: job.jobId, failures: job.failures }, `job #${job.jobId}: giving up after ${job.failures} failures`);
        }
      }
    }
    this.nextIndex = (this.nextIndex + count) % Math.max(1, jobs.length);
  }

  private async scan(): Promise<void> {
    const latest = await this.ctx.provider.getBlockNumber();
    if (latest <= this.cursor) return;
    const from = this.cursor + 1;
    const to = Math.min(latest, from + this.policy.maxBlocksPerPoll - 1);
    const market = this.ctx.protocol.market;
    const logs = await market.queryFilter(market.filters.JobCreated(), from, to);
    for (const log of logs) {
      const jobId = log.args.jobId;
      if (this.tracked.has(jobId)) continue;
      if (this.tracked.size >= this.policy.maxTrackedJobs) {
        this.log("job_ignored", { jobId, reason: "maxTrackedJobs reached" }, `job #${jobId}: ignored, already tracking ${this.tracked.size} jobs`);
        continue;
      }
      this.tracked.set(jobId, { jobId, phase: "new", failures: 0 });
      const { gpuModel, gpuCount, specHash } = log.args.request;
      this.log(
        "job_seen",
        { jobId, gpuModel: modelName(gpuModel), gpuCount: Number(gpuCount), specHash, block: log.blockNumber },
        `job #${jobId}: new, ${gpuCount}x ${modelName(gpuModel)}`,
      );
    }
    this.cursor = to;
    this.saveCursor();
  }

  private drop(job: Tracked): void {
    this.tracked.delete(job.jobId);
  }

  /** Advances one job by at most one transaction; returns whether it sent one. */
  private async step(job: Tracked): Promise<boolean> {
    const loaded = await loadJob(this.ctx, job.jobId);
    switch (job.phase) {
      case "new":
        return this.consider(job, loaded);
      case "committed":
        return this.afterCommit(job, loaded);
      case "revealed":
        return this.afterReveal(job, loaded);
      case "won":
        return this.afterWin(job, loaded);
      case "lost":
        return this.afterLoss(job, loaded);
    }
  }

  private skip(job: Tracked, reason: string): false {
    this.drop(job);
    this.log("job_skipped", { jobId: job.jobId, reason }, `job #${job.jobId}: skipped, ${reason}`);
    return false;
  }

  /** A new job: does the policy and the inventory allow it, and at what price? */
  private async consider(job: Tracked, loaded: LoadedJob): Promise<boolean> {
    const { job: j, token, state } = loaded;
    if (state !== "Bidding") return this.skip(job, `it is already ${state}`);
    const model = modelName(j.gpuModel);
    const floor = floorIn(this.policy, model, token.decimals);
    if (floor === undefined) return this.skip(job, `no floor for ${model} in the policy`);
    if (token.kind === "other" || !this.policy.paymentTokens.has(token.kind)) return this.skip(job, `payment in ${token.symbol} is not accepted`);
    if (Number(j.gpuCount) > this.policy.maxGpusPerJob) return this.skip(job, `${j.gpuCount} GPUs is above maxGpusPerJob`);
    try {
      await this.ctx.protocol.registry.requireEligible(this.me, j.gpuModel, j.gpuCount, j.minVramGb, j.region, j.minReputation);
    } catch (error) {
      const data = revertDataOf(error);
      const reason = data === undefined ? describeError(error).message : (decodeRevert(data)?.message ?? describeError(error).message);
      return this.skip(job, `not eligible: ${reason}`);
    }
    if (isInstant(j)) {
      if (!this.policy.acceptInstant) return this.skip(job, "instant jobs are disabled by the policy");
      if (j.reservePricePerGpuHour < floor) {
        return this.skip(job, `its price ${formatUsd(j.reservePricePerGpuHour, token.decimals)} is below the floor ${formatUsd(floor, token.decimals)}`);
      }
      // An agent that starts what it wins accepts and starts in one transaction (one fee, no start window to miss).
      const startNow = this.policy.autoStart;
      const { sent } = await send(
        this.txOut,
        startNow ? "accept and start instant job" : "accept instant job",
        () => (startNow ? this.ctx.protocol.market.acceptInstantAndStart(job.jobId) : this.ctx.protocol.market.acceptInstant(job.jobId)),
        { priceDecimals: token.decimals, now: loaded.now },
      );
      job.phase = "won";
      this.log(
        "job_accepted",
        { jobId: job.jobId, pricePerGpuHour: formatAmount(j.reservePricePerGpuHour, token.decimals), tx: sent.hash },
        `job #${job.jobId}: accepted at ${formatUsd(j.reservePricePerGpuHour, token.decimals)} per GPU-hour (${sent.hash})`,
      );
      if (startNow) {
        this.drop(job);
        await this.logStarted(job.jobId, sent.hash);
      }
      return true;
    }
    const price = bidPrice(this.policy, j.reservePricePerGpuHour, floor);
    if (price === undefined) {
      return this.skip(job, `its maximum price ${formatUsd(j.reservePricePerGpuHour, token.decimals)} is below the floor ${formatUsd(floor, token.decimals)}`);
    }
    const result = await commitSealedBid(this.ctx, this.txOut, loaded, price, this.saltFile);
    job.phase = "committed";
    this.log(
      "bid_committed",
      { jobId: job.jobId, pricePerGpuHour: formatAmount(price, token.decimals), tx: result.transaction.hash, revealFrom: Number(j.bidDeadline) },
      `job #${job.jobId}: sealed bid of ${formatUsd(price, token.decimals)} per GPU-hour committed (${result.transaction.hash})`,
    );
    return true;
  }

  private async afterCommit(job: Tracked, loaded: LoadedJob): Promise<boolean> {
    const { job: j, state, now } = loaded;
    const status = Number((await this.ctx.protocol.market.bidOf(job.jobId, this.me)).status);
    if (status === BidStatus.valueOf("Revealed")) {
      // Revealed by hand (gridlease provider reveal) while the agent waited.
      job.phase = "revealed";
      return this.afterReveal(job, loaded);
    }
    if (status !== BidStatus.valueOf("Committed")) {
      this.drop(job);
      return false;
    }
    if (state === "Bidding") {
      this.warnIfAtRisk(job.jobId, loaded);
      return false;
    }
    if (state === "Revealing" && now < j.revealDeadline) {
      this.warnIfAtRisk(job.jobId, loaded);
      const result = await revealSavedBid(this.ctx, this.txOut, loaded, this.saltFile);
      job.phase = "revealed";
      this.log(
        "bid_revealed",
        { jobId: job.jobId, pricePerGpuHour: formatAmount(result.price, loaded.token.decimals), isBest: result.isBest, tx: result.transaction.hash },
        `job #${job.jobId}: bid revealed${result.isBest ? ", currently the best" : ""} (${result.transaction.hash})`,
      );
      return true;
    }
    // The reveal window passed (the agent was down): the bid can only be closed now.
    job.phase = "lost";
    this.log("bid_unrevealed", { jobId: job.jobId }, `job #${job.jobId}: the reveal window closed before the bid was revealed`);
    return false;
  }

  /**
   * Times here are the next block's (an idle chain's latest block may be minutes old). A reveal window that
   * is shorter than the margin, or closes within it, may be missed (the bid bond is then forfeit): say so.
   */
  private warnIfAtRisk(jobId: bigint, loaded: LoadedJob): void {
    if (this.warned.has(jobId)) return;
    const { job: j, now } = loaded;
    const margin = revealMarginSeconds(this.policy.pollIntervalMs);
    const windowLength = j.revealDeadline - j.bidDeadline;
    const left = j.revealDeadline - (now > j.bidDeadline ? now : j.bidDeadline);
    if (windowLength >= margin && (now < j.bidDeadline || left >= margin)) return;
    this.warned.add(jobId);
    this.log(
      "reveal_window_at_risk",
      {
        level: "warning",
        jobId,
        revealFrom: Number(j.bidDeadline),
        revealUntil: Number(j.revealDeadline),
        now: Number(now),
        secondsLeft: Number(now >= j.bidDeadline ? j.revealDeadline - now : windowLength),
        marginSeconds: Number(margin),
      },
      `warning: job #${jobId}: the reveal window (until ${formatTime(j.revealDeadline, now)}) ` +
        `${now >= j.bidDeadline ? `has ${formatDuration(j.revealDeadline > now ? j.revealDeadline - now : 0n)} left` : `lasts ${formatDuration(windowLength)}`}, ` +
        `less than the ${formatDuration(margin)} safety margin: the reveal may miss it and forfeit the bid bond (poll more often, or reveal by hand: gridlease provider reveal ${jobId})`,
    );
  }

  /** How long to sleep before the next poll: earlier when a tracked bid's reveal window opens sooner. */
  async nextWaitMs(): Promise<number> {
    let wait = this.policy.pollIntervalMs;
    const committed = [...this.tracked.values()].filter((t) => t.phase === "committed" || t.phase === "revealed");
    if (committed.length === 0) return wait;
    const now = await chainNow(this.ctx);
    for (const t of committed.slice(0, this.policy.maxJobsPerPoll)) {
      const j = await this.ctx.protocol.market.jobOf(t.jobId);
      for (const edge of [j.bidDeadline, j.revealDeadline]) {
        if (edge > now) wait = Math.min(wait, Number(edge - now) * 1000 + 100);
      }
    }
    return Math.max(100, wait);
  }

  private async afterReveal(job: Tracked, loaded: LoadedJob): Promise<boolean> {
    const { job: j, state, now } = loaded;
    if (state === "Revealing") {
      if (now < j.revealDeadline || !this.policy.autoAward || j.provider.toLowerCase() !== this.me.toLowerCase()) return false;
      // An agent that starts what it wins closes the auction and starts in one transaction (one fee, no
      // start window to miss).
      const startNow = this.policy.autoStart;
      const { sent } = await send(
        this.txOut,
        startNow ? "award and start" : "award",
        () => (startNow ? this.ctx.protocol.market.awardAndStart(job.jobId) : this.ctx.protocol.market.award(job.jobId)),
        { now },
      );
      job.phase = "won";
      this.log("job_awarded", { jobId: job.jobId, tx: sent.hash }, `job #${job.jobId}: auction closed, won (${sent.hash})`);
      if (startNow) {
        this.drop(job);
        await this.logStarted(job.jobId, sent.hash);
      }
      return true;
    }
    if (state === "Bidding") return false;
    if (j.provider.toLowerCase() === this.me.toLowerCase() && state === "Awarded") {
      job.phase = "won";
      this.log("job_won", { jobId: job.jobId, clearingPrice: formatAmount(j.clearingPrice, loaded.token.decimals) }, `job #${job.jobId}: won`);
      return this.afterWin(job, loaded);
    }
    job.phase = "lost";
    this.log("job_lost", { jobId: job.jobId, state }, `job #${job.jobId}: lost (${state})`);
    return this.afterLoss(job, loaded);
  }

  private async afterWin(job: Tracked, loaded: LoadedJob): Promise<boolean> {
    if (loaded.state !== "Awarded" || loaded.job.provider.toLowerCase() !== this.me.toLowerCase()) {
      this.drop(job);
      return false;
    }
    if (!this.policy.autoStart) {
      this.drop(job);
      this.log("job_won", { jobId: job.jobId }, `job #${job.jobId}: won; start it with gridlease provider start ${job.jobId}`);
      return false;
    }
    const { sent } = await send(this.txOut, "start job", () => this.ctx.protocol.market.startJob(job.jobId), { now: loaded.now });
    this.drop(job);
    await this.logStarted(job.jobId, sent.hash);
    return true;
  }

  private async logStarted(jobId: bigint, tx: string): Promise<void> {
    const after = await this.ctx.protocol.market.jobOf(jobId);
    this.log(
      "job_started",
      { jobId, deliverBy: Number(after.deadline), tx },
      `job #${jobId}: started; deliver before the deadline with gridlease provider deliver ${jobId} (${tx})`,
    );
  }

  private async afterLoss(job: Tracked, loaded: LoadedJob): Promise<boolean> {
    if (loaded.state === "Bidding" || loaded.state === "Revealing" || !this.policy.closeLosingBids) {
      if (loaded.state !== "Bidding" && loaded.state !== "Revealing") this.drop(job);
      return false;
    }
    const bid = await this.ctx.protocol.market.bidOf(job.jobId, this.me);
    // Committed (never revealed) or Revealed and not the winner: something is still locked.
    const status = Number(bid.status);
    if ((status !== BidStatus.valueOf("Committed") && status !== BidStatus.valueOf("Revealed")) || loaded.job.provider.toLowerCase() === this.me.toLowerCase()) {
      this.drop(job);
      return false;
    }
    const { sent } = await send(this.txOut, "close bid", () => this.ctx.protocol.market.closeBid(job.jobId, this.me), { now: await chainNow(this.ctx) });
    this.drop(job);
    this.log("bid_closed", { jobId: job.jobId, tx: sent.hash }, `job #${job.jobId}: losing bid closed, stake released (${sent.hash})`);
    return true;
  }
}
