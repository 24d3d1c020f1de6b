// Rare outcomes on a schedule. Each rare event (a no-show, a bad delivery, an arbiter that misses
// its deadline, ...) happens at its actor's rate, and in addition once early in every run, at an
// opportunity drawn from the seed: so even a one-day run shows every path of the protocol, and a
// long run still has realistic frequencies.
import type { Random } from "./random.ts";

export type RareEvent =
  | "bargainReserve"
  | "cancelEarly"
  | "nonReveal"
  | "noShow"
  | "stopEarly"
  | "badDelivery"
  | "lateDelivery"
  | "frivolousDispute"
  | "arbiterTimeout"
  | "instantUnfilled";

/** For each rare event: the range of opportunities among which its first occurrence is placed. */
const WINDOWS: Record<RareEvent, readonly [number, number]> = {
  bargainReserve: [2, 8],
  cancelEarly: [3, 10],
  nonReveal: [3, 15],
  noShow: [3, 10],
  stopEarly: [2, 8],
  badDelivery: [2, 6],
  lateDelivery: [4, 12],
  frivolousDispute: [3, 10],
  // Counted over disputes: the first few disputes include one the arbiter lets time out.
  arbiterTimeout: [1, 3],
  instantUnfilled: [2, 8],
};

export class Quotas {
  private readonly dueAt = new Map<RareEvent, number>();
  private readonly seen = new Map<RareEvent, number>();
  private readonly met = new Set<RareEvent>();

  constructor(rng: Random) {
    for (const [event, [lo, hi]] of Object.entries(WINDOWS) as [RareEvent, readonly [number, number]][]) {
      this.dueAt.set(event, rng.int(lo, hi));
    }
  }

  /**
   * Whether `event` happens at this opportunity: `natural` (the actor's own draw) or, if it has not
   * happened yet, because this is its scheduled opportunity.
   */
  decide(event: RareEvent, natural: boolean): boolean {
    const count = (this.seen.get(event) ?? 0) + 1;
    this.seen.set(event, count);
    const happens = natural || (!this.met.has(event) && count >= this.dueAt.get(event)!);
    if (happens) this.met.add(event);
    return happens;
  }
}
