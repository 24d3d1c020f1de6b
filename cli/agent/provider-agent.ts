// The provider agent: polls the market for JobCreated events, and for each job its inventory and policy
// can serve it commits a sealed bid (revealed in the reveal window) or accepts an instant job, closes
// auctions it leads, starts jobs it won and releases the stake of bids that lost. Each poll does bounded
// work (blocks scanned, jobs read, transactions sent); a failed transaction or RPC call is logged in
// plain language and the agent carries on. What to do with a new job is decided in decision.ts, the
// cursor is kept by cursor.ts, and reveal-risk.ts says when a reveal window may be missed.
import { dirname, join } from "node:path";

import { bidsOf } from "../lib/bids.ts";
import { commitSealedBid, revealSavedBid } from "../lib/bidding.ts";
import { chainNow, signerOf, type Context } from "../lib/context.ts";
import { describeError } from "../lib/errors.ts";
import { BidStatus, formatAmount, formatUsd } from "../../sdk/index.ts";
import { loadJob, modelName, type LoadedJob } from "../lib/jobs.ts";
import type { Output } from "../lib/output.ts";
import { send } from "../lib/tx.ts";
import { CursorFile, cursorKey } from "./cursor.ts";
import { decide } from "./decision.ts";
import type { Policy } from "./policy.ts";
import { revealWindowRisk } from "./reveal-risk.ts";

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
  /**
   * Called once the provider wins an auction or accepts an instant job (the provider node takes that job's
   * spec from then on). A throw is logged, never stops the agent.
   */
  onJobWon?: (jobId: bigint) => void;
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
  private readonly cursorFile: CursorFile;
  private cursorKey = "";
  /** Jobs whose at-risk reveal window was already reported. */
  private readonly warned = new Set<bigint>();
  private readonly onJobWon: ((jobId: bigint) => void) | undefined;

  constructor(ctx: Context, out: Output, policy: Policy, options: AgentOptions) {
    this.ctx = ctx;
    this.out = out;
    this.txOut = { ...out, progress: () => undefined };
    this.policy = policy;
    this.saltFile = options.saltFile;
    this.cursorFile = new CursorFile(options.cursorFile ?? join(dirname(options.saltFile), "agent-cursor.json"));
    this.me = signerOf(ctx).address;
    this.onJobWon = options.onJobWon;
  }

  private won(jobId: bigint): void {
    try {
      this.onJobWon?.(jobId);
    } catch (error) {
      this.logFailure("job_won_hook_failed", jobId, error);
    }
  }

  /** Keeps the last scanned block, so the next run (`agent --once` from cron) goes on from there. */
  private saveCursor(): void {
    try {
      this.cursorFile.save(this.cursorKey, this.cursor);
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
      {
        ...(jobId === undefined ? {} : { jobId }),
        error: { code: report.code, message: report.message, contractError: report.contractError },
      },
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
    this.cursorKey = cursorKey(this.ctx.chainId, await this.ctx.protocol.market.getAddress(), this.me);
    const saved = this.cursorFile.read(this.cursorKey);
    // A saved cursor (an earlier run on this chain and market) resumes where it stopped; a first run also
    // reads the latest block, so a job created just before the agent started is not missed.
    this.cursor =
      this.policy.fromBlock !== "latest"
        ? this.policy.fromBlock - 1
        : saved !== undefined && saved <= latest
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
        cursorFile: this.cursorFile.path,
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
          this.log(
            "job_dropped",
            { jobId: job.jobId, failures: job.failures },
            `job #${job.jobId}: giving up after ${job.failures} failures`,
          );
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
        this.log(
          "job_ignored",
          { jobId, reason: "maxTrackedJobs reached" },
          `job #${jobId}: ignored, already tracking ${this.tracked.size} jobs`,
        );
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

  /** A new job: skip it, accept it or bid on it, as decide() says. */
  private async consider(job: Tracked, loaded: LoadedJob): Promise<boolean> {
    const decision = await decide(this.ctx, this.policy, this.me, loaded);
    if (decision.action === "skip") return this.skip(job, decision.reason);
    const { job: j, token } = loaded;
    if (decision.action === "accept") {
      // An agent that starts what it wins accepts and starts in one transaction (one fee, no start window to miss).
      const startNow = this.policy.autoStart;
      const { sent } = await send(
        this.txOut,
        startNow ? "accept and start instant job" : "accept instant job",
        () =>
          startNow
            ? this.ctx.protocol.market.acceptInstantAndStart(job.jobId)
            : this.ctx.protocol.market.acceptInstant(job.jobId),
        { priceDecimals: token.decimals, now: loaded.now },
      );
      job.phase = "won";
      this.won(job.jobId);
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
    const { price } = decision;
    const result = await commitSealedBid(this.ctx, this.txOut, loaded, price, this.saltFile);
    job.phase = "committed";
    this.log(
      "bid_committed",
      {
        jobId: job.jobId,
        pricePerGpuHour: formatAmount(price, token.decimals),
        tx: result.transaction.hash,
        revealFrom: Number(j.bidDeadline),
      },
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
        {
          jobId: job.jobId,
          pricePerGpuHour: formatAmount(result.price, loaded.token.decimals),
          isBest: result.isBest,
          tx: result.transaction.hash,
        },
        `job #${job.jobId}: bid revealed${result.isBest ? ", currently the best" : ""} (${result.transaction.hash})`,
      );
      return true;
    }
    // The reveal window passed (the agent was down): the bid can only be closed now.
    job.phase = "lost";
    this.log(
      "bid_unrevealed",
      { jobId: job.jobId },
      `job #${job.jobId}: the reveal window closed before the bid was revealed`,
    );
    return false;
  }

  /** Reports, once per job, a reveal window the agent may miss (see reveal-risk.ts). */
  private warnIfAtRisk(jobId: bigint, loaded: LoadedJob): void {
    if (this.warned.has(jobId)) return;
    const risk = revealWindowRisk(loaded, this.policy.pollIntervalMs);
    if (risk === undefined) return;
    this.warned.add(jobId);
    this.log("reveal_window_at_risk", risk.data, risk.text);
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
      if (now < j.revealDeadline || !this.policy.autoAward || j.provider.toLowerCase() !== this.me.toLowerCase())
        return false;
      // An agent that starts what it wins closes the auction and starts in one transaction (one fee, no
      // start window to miss).
      const startNow = this.policy.autoStart;
      const { sent } = await send(
        this.txOut,
        startNow ? "award and start" : "award",
        () =>
          startNow ? this.ctx.protocol.market.awardAndStart(job.jobId) : this.ctx.protocol.market.award(job.jobId),
        { now },
      );
      job.phase = "won";
      this.won(job.jobId);
      this.log(
        "job_awarded",
        { jobId: job.jobId, tx: sent.hash },
        `job #${job.jobId}: auction closed, won (${sent.hash})`,
      );
      if (startNow) {
        this.drop(job);
        await this.logStarted(job.jobId, sent.hash);
      }
      return true;
    }
    if (state === "Bidding") return false;
    if (j.provider.toLowerCase() === this.me.toLowerCase() && state === "Awarded") {
      job.phase = "won";
      this.won(job.jobId);
      this.log(
        "job_won",
        { jobId: job.jobId, clearingPrice: formatAmount(j.clearingPrice, loaded.token.decimals) },
        `job #${job.jobId}: won`,
      );
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
      this.log(
        "job_won",
        { jobId: job.jobId },
        `job #${job.jobId}: won; start it with gridlease provider start ${job.jobId}`,
      );
      return false;
    }
    const { sent } = await send(this.txOut, "start job", () => this.ctx.protocol.market.startJob(job.jobId), {
      now: loaded.now,
    });
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
    if (
      (status !== BidStatus.valueOf("Committed") && status !== BidStatus.valueOf("Revealed")) ||
      loaded.job.provider.toLowerCase() === this.me.toLowerCase()
    ) {
      this.drop(job);
      return false;
    }
    const { sent } = await send(this.txOut, "close bid", () => this.ctx.protocol.market.closeBid(job.jobId, this.me), {
      now: await chainNow(this.ctx),
    });
    this.drop(job);
    this.log(
      "bid_closed",
      { jobId: job.jobId, tx: sent.hash },
      `job #${job.jobId}: losing bid closed, stake released (${sent.hash})`,
    );
    return true;
  }
}
