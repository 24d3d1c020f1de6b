// Keeps the market simulator within a few blocks of an indexer (npm start's dev indexer). Before each
// action the simulator awaits `wait()`, which returns at once while the indexer keeps up and otherwise
// holds the market until it has caught up. Why: on a live chain Ponder indexes block by block (about 20
// blocks/s on PGlite), slower than the simulator's full-speed days, so without this the dashboards of
// `npm start` would show figures minutes old.

/** What the follower needs to know: the chain's latest block and the indexer's last indexed block. */
export interface FollowedChain {
  headBlock(): Promise<number>;
}

export interface IndexerFollowerOptions {
  /** The indexer's base URL: Ponder's `/status` there reports the last indexed block. */
  url: string;
  /** Most blocks the indexer may trail the chain head before the simulator waits (default 30). */
  maxLag?: number;
  /** Least milliseconds between two status reads while the indexer keeps up (default 250). */
  checkEveryMs?: number;
  /** Stop following once the indexer has not answered for this long, so a dead indexer never stalls the market (default 30,000). */
  giveUpAfterMs?: number;
  /** Receives one line when the follower gives up. */
  warn?: (line: string) => void;
}

export class IndexerFollower {
  private readonly maxLag: number;
  private readonly checkEveryMs: number;
  private readonly giveUpAfterMs: number;
  private lastCheck = 0;
  private silentSince: number | undefined;
  private gaveUp = false;
  private stopped = false;

  constructor(
    private readonly chain: FollowedChain,
    private readonly options: IndexerFollowerOptions,
  ) {
    this.maxLag = options.maxLag ?? 30;
    this.checkEveryMs = options.checkEveryMs ?? 250;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 30_000;
    if (!Number.isInteger(this.maxLag) || this.maxLag < 1)
      throw new Error(`maxLag must be a whole number of blocks >= 1, got ${this.maxLag}`);
  }

  /**
   * Returns once the indexer trails the chain head by at most `maxLag` blocks; when it trails by more,
   * waits until it is back within half of that (so the market does not stop and go at every block).
   */
  async wait(): Promise<void> {
    if (this.gaveUp || this.stopped || Date.now() - this.lastCheck < this.checkEveryMs) return;
    this.lastCheck = Date.now();
    let lag = await this.lag();
    if (lag === undefined || lag <= this.maxLag) return;
    while (lag !== undefined && lag > this.maxLag / 2 && !this.stopped && !this.gaveUp) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lag = await this.lag();
    }
    this.lastCheck = Date.now();
  }

  /** Ends any wait at once and stops following (Ctrl-C). */
  stop(): void {
    this.stopped = true;
  }

  /** How many blocks the indexer trails the head by; undefined while it does not answer. */
  private async lag(): Promise<number | undefined> {
    const indexed = await this.indexedBlock();
    if (indexed === undefined) {
      this.silentSince ??= Date.now();
      if (Date.now() - this.silentSince >= this.giveUpAfterMs) {
        this.gaveUp = true;
        this.options.warn?.(
          `the indexer at ${this.options.url} has not answered for ${+(this.giveUpAfterMs / 1000).toFixed(1)} s: ` +
            "the market no longer waits for it",
        );
      }
      return undefined;
    }
    this.silentSince = undefined;
    try {
      return (await this.chain.headBlock()) - indexed;
    } catch {
      // The chain went away (Ctrl-C stops it together with the simulator): not the follower's to report;
      // the market's next transaction fails with the reason, or the simulator is stopping anyway.
      return undefined;
    }
  }

  private async indexedBlock(): Promise<number | undefined> {
    try {
      const response = await fetch(`${this.options.url}/status`, { signal: AbortSignal.timeout(5_000) });
      if (response.status !== 200) return undefined;
      const chains = Object.values((await response.json()) as Record<string, { block?: { number?: number } | null }>);
      const number = chains[0]?.block?.number;
      return typeof number === "number" ? number : undefined;
    } catch {
      return undefined;
    }
  }
}
