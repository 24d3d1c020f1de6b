// How the simulation's actors hear of each other: a typed event bus. The engine publishes every
// decoded chain event of every transaction it mines (as an off-chain agent would read them from the
// receipt); a few happenings the chain does not show (a provider that will not show up, a renter that
// accepts a delivery, an epoch's end) are simulator signals, named "sim:...". Handlers run in the
// order they subscribed, synchronously, at the point of the emit: the engine subscribes providers,
// then renters, then the keeper, so a seed replays the same way.
import type { EventName, ProtocolEvent, ProtocolEvents } from "../sdk/contracts.ts";
import type { SimContext } from "./context.ts";
import type { SimJob, SimProvider } from "./world.ts";

/** A chain event as the bus delivers it: its arguments, and the timestamp of the block that mined it. */
export interface ChainEvent<K extends EventName> {
  args: ProtocolEvents[K];
  at: number;
}

/** A job-related signal: `ctx` is the context acting on the job (an adversary's for the jobs it posts). */
interface JobSignal {
  ctx: SimContext;
  job: SimJob;
}

/** Happenings of the simulation that are not chain events. */
export interface SimSignals {
  /** A renter opened its new job to providers (a job cancelled at once is never opened). */
  "sim:jobOpened": JobSignal;
  /** Nobody but the keeper will close the job's bidding: it awards (or expires) it after the reveal window. */
  "sim:awardPending": JobSignal;
  /** The keeper closed the job's auction at `at` (losing bids released; unrevealed ones left to the renter). */
  "sim:auctionClosed": JobSignal & { winner: SimProvider | undefined; at: number };
  /** The keeper's award (or an accepted instant job) gave the job to a simulated provider. */
  "sim:jobWon": JobSignal & { winner: SimProvider; clearing: bigint; value: bigint; startDeadline: number; at: number };
  /** A full sealed auction looked squatted: its renter cancelled it at `at`, and the bidders take their locks back. */
  "sim:auctionCancelled": JobSignal & { at: number };
  /** The job's bid cap filled at `at` while its bids are sealed (only with adversaries). */
  "sim:bidCapReached": JobSignal & { at: number };
  /** The winner will not start the job (or could not). */
  "sim:noShow": JobSignal;
  /** The winner started the job, and the simulation has drawn how the run ends (`job.late`, `job.badResult`). */
  "sim:runPlanned": JobSignal;
  /** The renter will not dispute the delivery (or could not): the keeper settles it once the challenge window closes. */
  "sim:deliveryAccepted": JobSignal;
  /** Settlement epoch `epoch` has ended: its emissions and the mint cap it released may be claimed. */
  "sim:epochEnded": { epoch: number };
}

/** Everything the bus carries, by topic. */
export type BusMessages = { [K in EventName]: ChainEvent<K> } & SimSignals;
export type Topic = keyof BusMessages;
export type Handler<K extends Topic> = (message: BusMessages[K]) => void | Promise<void>;

export class Bus {
  private readonly handlers = new Map<Topic, Handler<never>[]>();

  /** Calls `handler` with every message of `topic`, after the handlers subscribed before it. */
  on<K extends Topic>(topic: K, handler: Handler<K>): void {
    const list = this.handlers.get(topic) ?? [];
    list.push(handler as Handler<never>);
    this.handlers.set(topic, list);
  }

  /** Delivers `message` to `topic`'s handlers, which must be synchronous (see emitInTurn). */
  emit<K extends Topic>(topic: K, message: BusMessages[K]): void {
    for (const handler of this.list(topic)) {
      if (handler(message) instanceof Promise) {
        throw new Error(`a handler of ${topic} is asynchronous: emit ${topic} with emitInTurn so that it is awaited`);
      }
    }
  }

  /** Delivers `message` to `topic`'s handlers one after the other, awaiting each. */
  async emitInTurn<K extends Topic>(topic: K, message: BusMessages[K]): Promise<void> {
    for (const handler of this.list(topic)) await handler(message);
  }

  /** Delivers each of a transaction's decoded events, in log order; `at` is its block's timestamp. */
  publish(events: readonly ProtocolEvent[], at: number): void {
    for (const e of events) this.emit(e.name, { args: e.args, at } as BusMessages[typeof e.name]);
  }

  private list<K extends Topic>(topic: K): readonly Handler<K>[] {
    // Each topic's list only ever holds that topic's handlers (on() is the only way in).
    return (this.handlers.get(topic) ?? []) as unknown as readonly Handler<K>[];
  }
}
