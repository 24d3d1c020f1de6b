// Where the agent left off: the last block it scanned for JobCreated, kept in a JSON file between runs so
// `gridlease agent --once` from cron goes on from there. One file holds the cursors of every chain,
// market and provider the agent ran for, each under its own key.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The key of one agent's cursor: the chain, the market and the provider it bids as. */
export function cursorKey(chainId: bigint, market: string, provider: string): string {
  return `${chainId}:${market.toLowerCase()}:${provider.toLowerCase()}`;
}

/** The cursor file: read and written whole, the write atomic (a temporary file renamed over it). */
export class CursorFile {
  /** The file's path. */
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The last scanned block saved under `key`, or undefined (no file, an unreadable one, or no such key). */
  read(key: string): number | undefined {
    const saved = this.readAll()[key];
    return typeof saved === "number" ? saved : undefined;
  }

  /** Saves `block` under `key`, keeping the other keys; throws when the file cannot be written. */
  save(key: string, block: number): void {
    const all = { ...this.readAll(), [key]: block };
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(tmp, this.path);
  }

  // A damaged file is treated as empty: the agent then rescans from the latest block instead of stopping.
  private readAll(): Record<string, number> {
    if (!existsSync(this.path)) return {};
    try {
      return JSON.parse(readFileSync(this.path, "utf8")) as Record<string, number>;
    } catch {
      return {};
    }
  }
}
