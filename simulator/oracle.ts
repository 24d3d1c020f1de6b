// The GRL/USD price: a mean-reverting random walk in log space, published to the local mock
// Chainlink feed several times a day (the oracle adapter rejects answers older than its heartbeat).
import type { Random } from "./random.ts";

export interface PriceBounds {
  /** The oracle adapter's accepted range, in USD. */
  min: number;
  max: number;
}

export class GrlPriceWalk {
  private logPrice: number;
  private readonly anchor: number;
  private readonly lo: number;
  private readonly hi: number;

  /**
   * @param start The price at deployment (USD per GRL).
   * @param bounds The oracle's bounds; the walk stays well inside them (x1.5 margin each side) and
   * within a factor of five of the start, so collateral and credit prices stay sensible.
   */
  constructor(
    private readonly rng: Random,
    start: number,
    bounds: PriceBounds,
    private readonly volatilityPerDay = 0.06,
  ) {
    this.logPrice = Math.log(start);
    this.anchor = Math.log(start);
    this.lo = Math.log(Math.max(bounds.min * 1.5, start / 5));
    this.hi = Math.log(Math.min(bounds.max / 1.5, start * 5));
  }

  get usd(): number {
    return Math.exp(this.logPrice);
  }

  /** Moves the price over `hours` and returns it. */
  step(hours: number): number {
    const dt = hours / 24;
    const reversion = 0.15 * (this.anchor - this.logPrice) * dt;
    const shock = this.rng.normal(0, this.volatilityPerDay * Math.sqrt(dt));
    this.logPrice = Math.min(this.hi, Math.max(this.lo, this.logPrice + reversion + shock));
    return this.usd;
  }

  /** The current price as a Chainlink answer with `decimals` decimals. */
  answer(decimals: number): bigint {
    return BigInt(Math.round(this.usd * 10 ** decimals));
  }
}
