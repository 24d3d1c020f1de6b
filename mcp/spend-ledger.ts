// What the agent has committed today, kept on SQLite (node:sqlite) in the server's data folder so that a
// restart of the server does not reset the daily limit. A job counts when it is posted, by the budget it
// escrows in USD (18 decimals), whatever happens to it later.
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

// A row is written before the job's transaction is sent (job_id null) and completed or deleted after, so a
// crash between the two over-counts a job rather than forgets one.
const SCHEMA = `CREATE TABLE IF NOT EXISTS spend (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  day TEXT NOT NULL,
  usd TEXT NOT NULL,
  job_id TEXT,
  tx_hash TEXT,
  recorded_at INTEGER NOT NULL
)`;

/** The UTC day of a unix-ms time, as YYYY-MM-DD. */
export function utcDay(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** The day's spend of one MCP server. One instance per file and process. */
export class SpendLedger {
  private readonly db: DatabaseSync;
  private readonly now: () => number;

  /** Opens (creating if needed) the ledger at `path`; `now` is the clock (unix ms). */
  constructor(path: string, now: () => number = Date.now) {
    this.now = now;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new DatabaseSync(path);
    chmodSync(path, 0o600);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
  }

  /** USD (18 decimals) escrowed by jobs posted today (UTC). */
  spentToday(): bigint {
    const rows = this.db.prepare("SELECT usd FROM spend WHERE day = ?").all(utcDay(this.now())) as { usd: string }[];
    return rows.reduce((sum, row) => sum + BigInt(row.usd), 0n);
  }

  /** Holds `usd` against today before the job is sent; returns the reservation's id. */
  reserve(usd: bigint): number {
    const result = this.db
      .prepare("INSERT INTO spend (day, usd, recorded_at) VALUES (?, ?, ?)")
      .run(utcDay(this.now()), usd.toString(), this.now());
    return Number(result.lastInsertRowid);
  }

  /** Names the job a reservation paid for, once its transaction is mined. */
  confirm(reservation: number, jobId: bigint, txHash: string): void {
    this.db.prepare("UPDATE spend SET job_id = ?, tx_hash = ? WHERE id = ?").run(String(jobId), txHash, reservation);
  }

  /** Drops a reservation whose job was never created (the transaction was refused or reverted). */
  release(reservation: number): void {
    this.db.prepare("DELETE FROM spend WHERE id = ? AND job_id IS NULL").run(reservation);
  }

  close(): void {
    this.db.close();
  }
}
