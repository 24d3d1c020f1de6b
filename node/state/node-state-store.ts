// The node's memory of every job it holds, on SQLite (node:sqlite, built into Node 22: no native package).
// Each step is written (and synced) before the side effect it announces, so a node killed with -9 at any
// moment finds, on restart, what it was doing and what it may already have done: `pendingAction` names a
// transaction that may or may not have reached the chain, which the executor then checks on-chain before
// sending anything again.
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

import { canTransition, isFinalNodeState, NodeStateTransitionError, type NodeJobState } from "./job-states.ts";

/** A side effect the node was about to cause (or caused) and has not yet seen confirmed. */
export type PendingAction = "start" | "deliver" | "claim" | "withdraw";

/** One job as the node holds it. Times are unix milliseconds of the node's clock. */
export interface NodeJob {
  jobId: bigint;
  state: NodeJobState;
  /** The job's renter, as read on-chain at the handover (who may read the job's results). */
  renter: string | undefined;
  specHash: string | undefined;
  /** The spec as the renter sent it (canonical JSON). */
  spec: string | undefined;
  /**
   * The secrets' JSON, kept until the workload's container exists: a node that crashes before creating it
   * needs them to resume. Erased once the job is finished. The database file is the node's own (mode 0600).
   */
  secrets: string | undefined;
  manifestHash: string | undefined;
  pendingAction: PendingAction | undefined;
  lastError: string | undefined;
  wonAt: number | undefined;
  specReceivedAt: number | undefined;
  runningAt: number | undefined;
  finishedAt: number | undefined;
  deliveredAt: number | undefined;
  claimedAt: number | undefined;
  failedAt: number | undefined;
  updatedAt: number;
}

/** Fields a transition may set along with the state. */
export type NodeJobUpdate = Partial<
  Pick<NodeJob, "renter" | "specHash" | "spec" | "secrets" | "manifestHash" | "lastError">
>;

/** Thrown for a job the store does not hold. */
export class UnknownNodeJobError extends Error {
  readonly jobId: bigint;

  constructor(jobId: bigint) {
    super(`the node holds no job ${jobId}: record it first (recordWon) when the node wins or accepts it`);
    this.name = "UnknownNodeJobError";
    this.jobId = jobId;
  }
}

const STATE_TIME_COLUMN: Record<NodeJobState, string> = {
  won: "won_at",
  "spec-received": "spec_received_at",
  running: "running_at",
  finished: "finished_at",
  delivered: "delivered_at",
  claimed: "claimed_at",
  failed: "failed_at",
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  job_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  renter TEXT,
  spec_hash TEXT,
  spec TEXT,
  secrets TEXT,
  manifest_hash TEXT,
  pending_action TEXT,
  last_error TEXT,
  won_at INTEGER,
  spec_received_at INTEGER,
  running_at INTEGER,
  finished_at INTEGER,
  delivered_at INTEGER,
  claimed_at INTEGER,
  failed_at INTEGER,
  updated_at INTEGER NOT NULL
) STRICT;
`;

type Row = Record<string, string | number | null>;

/** The node's persisted job state. One instance per database file and process. */
export class NodeStateStore {
  private readonly db: DatabaseSync;
  private readonly now: () => number;

  /** Opens (creating if needed) the database at `path`; `":memory:"` for tests that need no file. `now` is the clock (unix ms). */
  constructor(path: string, now: () => number = Date.now) {
    this.now = now;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new DatabaseSync(path);
    // It may hold a renter's secrets until their container exists: the node's user only.
    if (path !== ":memory:") chmodSync(path, 0o600);
    // WAL with FULL sync: a committed write survives kill -9 and power loss, and readers never block it.
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  /** Records a job the node won (or accepted); a job already held is returned unchanged. */
  recordWon(jobId: bigint): NodeJob {
    const time = this.now();
    this.db
      .prepare(
        "INSERT INTO jobs (job_id, state, won_at, updated_at) VALUES (?, 'won', ?, ?) ON CONFLICT (job_id) DO NOTHING",
      )
      .run(String(jobId), time, time);
    return this.require(jobId);
  }

  /** The job, or undefined when the node does not hold it. */
  get(jobId: bigint): NodeJob | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE job_id = ?").get(String(jobId)) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** The job; throws {@link UnknownNodeJobError} when the node does not hold it. */
  require(jobId: bigint): NodeJob {
    const job = this.get(jobId);
    if (job === undefined) throw new UnknownNodeJobError(jobId);
    return job;
  }

  /** Every job held, oldest first. */
  list(): NodeJob[] {
    return (this.db.prepare("SELECT * FROM jobs ORDER BY won_at, CAST(job_id AS INTEGER)").all() as Row[]).map(fromRow);
  }

  /** The jobs the node still has work for (not claimed, not failed): what a restarted node resumes. */
  active(): NodeJob[] {
    return this.list().filter((job) => !isFinalNodeState(job.state));
  }

  /**
   * Moves a job to `to`, setting `update` and the state's timestamp, in one transaction. Idempotent: a job
   * already in `to` is returned as it is (its fields untouched), so a step replayed after a crash changes
   * nothing. Throws {@link NodeStateTransitionError} for a move the state machine forbids.
   */
  transition(jobId: bigint, to: NodeJobState, update: NodeJobUpdate = {}): NodeJob {
    return this.inTransaction(() => {
      const job = this.require(jobId);
      if (job.state === to) return job;
      if (!canTransition(job.state, to)) throw new NodeStateTransitionError(jobId, job.state, to);
      const time = this.now();
      this.update(jobId, { ...toColumns(update), state: to, [STATE_TIME_COLUMN[to]]: time, updated_at: time });
      return this.require(jobId);
    });
  }

  /** Sets fields without a state change (e.g. the last error of a step that will be retried). */
  annotate(jobId: bigint, update: NodeJobUpdate): NodeJob {
    this.require(jobId);
    this.update(jobId, { ...toColumns(update), updated_at: this.now() });
    return this.require(jobId);
  }

  /** Records, before sending it, a transaction that may reach the chain even if the node dies right after. */
  beginAction(jobId: bigint, action: PendingAction): NodeJob {
    this.require(jobId);
    this.update(jobId, { pending_action: action, updated_at: this.now() });
    return this.require(jobId);
  }

  /** Clears the pending action once its outcome is known on-chain. */
  endAction(jobId: bigint): NodeJob {
    this.require(jobId);
    this.update(jobId, { pending_action: null, updated_at: this.now() });
    return this.require(jobId);
  }

  private update(jobId: bigint, columns: Record<string, string | number | null>): void {
    const names = Object.keys(columns);
    const sql = `UPDATE jobs SET ${names.map((name) => `${name} = ?`).join(", ")} WHERE job_id = ?`;
    this.db.prepare(sql).run(...names.map((name) => columns[name]), String(jobId));
  }

  private inTransaction<T>(work: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }
}

function toColumns(update: NodeJobUpdate): Record<string, string | null> {
  const columns: Record<string, string | null> = {};
  const names: Record<keyof NodeJobUpdate, string> = {
    renter: "renter",
    specHash: "spec_hash",
    spec: "spec",
    secrets: "secrets",
    manifestHash: "manifest_hash",
    lastError: "last_error",
  };
  for (const [key, column] of Object.entries(names) as [keyof NodeJobUpdate, string][]) {
    if (key in update) columns[column] = update[key] ?? null;
  }
  return columns;
}

function text(value: string | number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function time(value: string | number | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function fromRow(row: Row): NodeJob {
  return {
    jobId: BigInt(row.job_id as string),
    state: row.state as NodeJobState,
    renter: text(row.renter),
    specHash: text(row.spec_hash),
    spec: text(row.spec),
    secrets: text(row.secrets),
    manifestHash: text(row.manifest_hash),
    pendingAction: text(row.pending_action) as PendingAction | undefined,
    lastError: text(row.last_error),
    wonAt: time(row.won_at),
    specReceivedAt: time(row.spec_received_at),
    runningAt: time(row.running_at),
    finishedAt: time(row.finished_at),
    deliveredAt: time(row.delivered_at),
    claimedAt: time(row.claimed_at),
    failedAt: time(row.failed_at),
    updatedAt: Number(row.updated_at),
  };
}
