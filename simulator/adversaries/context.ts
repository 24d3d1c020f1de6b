// What an adversary acts through: the simulation's context with random streams and rare-event
// quotas of its own, so that adding an adversary never changes what the honest actors draw, and a
// count of the gas its own accounts spend.
import type { Protocol } from "../../sdk/contracts.ts";
import type { Bus } from "../bus.ts";
import type { Chain, TxOutcome } from "../chain.ts";
import type { SimAddresses, SimContext, SimParams, SimRandom } from "../context.ts";
import { Quotas, type RareEvent } from "../quotas.ts";
import type { Random } from "../random.ts";
import type { World } from "../world.ts";

/**
 * Rare events at their natural rates only. The market's Quotas also forces each rare event once early
 * in the run; an adversary's jobs must not take those turns (nor have them forced on its own jobs).
 */
class NaturalQuotas extends Quotas {
  override decide(_event: RareEvent, natural: boolean): boolean {
    return natural;
  }
}

export class AdversaryContext implements SimContext {
  readonly rng: SimRandom;
  readonly quotas: Quotas;
  /** Gas used by the successful transactions of this adversary's accounts, their count, and its reverts. */
  gasUsed = 0n;
  txs = 0;
  reverts = 0;
  private readonly own = new Set<string>();

  constructor(
    private readonly base: SimContext,
    stream: Random,
  ) {
    this.rng = {
      providers: stream.fork("providers"),
      renters: stream.fork("renters"),
      keeper: stream.fork("keeper"),
      population: stream.fork("population"),
    };
    this.quotas = new NaturalQuotas(stream.fork("quotas"));
  }

  /** Counts `address`'s transactions as this adversary's. */
  adopt(address: string): void {
    this.own.add(address.toLowerCase());
  }

  owns(address: string): boolean {
    return this.own.has(address.toLowerCase());
  }

  get chain(): Chain {
    return this.base.chain;
  }

  get protocol(): Protocol {
    return this.base.protocol;
  }

  get addresses(): SimAddresses {
    return this.base.addresses;
  }

  get params(): SimParams {
    return this.base.params;
  }

  get world(): World {
    return this.base.world;
  }

  get bus(): Bus {
    return this.base.bus;
  }

  get treasury(): string {
    return this.base.treasury;
  }

  get arbiter(): string | undefined {
    return this.base.arbiter;
  }

  get keeper(): string {
    return this.base.keeper;
  }

  get now(): number {
    return this.base.now;
  }

  get acceptingJobs(): boolean {
    return this.base.acceptingJobs;
  }

  grlUsdPrice(): bigint {
    return this.base.grlUsdPrice();
  }

  schedule(at: number, label: string, run: () => Promise<void>, background?: boolean): void {
    this.base.schedule(at, label, run, background);
  }

  async send(from: string, to: string, data: string, at: number, label: string): Promise<TxOutcome> {
    const outcome = await this.base.send(from, to, data, at, label);
    // Honest providers act on an adversary's jobs through this context too: only its own accounts' gas counts.
    if (this.owns(from)) {
      this.txs++;
      if (outcome.ok) this.gasUsed += outcome.gasUsed;
      else this.reverts++;
    }
    return outcome;
  }

  debug(message: string): void {
    this.base.debug(message);
  }
}
