// The adversaries a run includes, set up after the honest market, planned day by day next to it, and
// measured, with the honest actors, from the same books of events.
import { claimEmission } from "../actions/earnings.ts";
import { DAY, HOUR, type SimContext } from "../context.ts";
import type { ProtocolEvent } from "../../sdk/contracts.ts";
import { Random } from "../random.ts";
import type { SimProvider, SimRenter } from "../world.ts";
import { Books, median, SECOND_PRICE, usdOf, vickreySpreadUsd } from "./books.ts";
import { AdversaryContext } from "./context.ts";
import { Farmer, type FarmerFigures } from "./farmer.ts";
import type { AdversaryName } from "./names.ts";
import { Shill, type ShillFigures } from "./shill.ts";
import { Squatter, type SquatterFigures } from "./squatter.ts";

/** The honest market's figures the adversaries' are read against; USD with 18 decimals. */
export interface HonestFigures {
  providers: number;
  /** Median over honest providers of pay (net of fees) plus emissions, less stake lost. */
  medianProviderProfitUsd: bigint | undefined;
  /** Honest renters' second-price jobs awarded to honest providers: their median value and Vickrey spread. */
  secondPriceJobs: number;
  medianSecondPriceJobUsd: bigint | undefined;
  medianSecondPriceSpreadUsd: bigint | undefined;
}

export interface AdversaryReport {
  farmer?: FarmerFigures;
  squatter?: SquatterFigures;
  shill?: ShillFigures;
  honest: HonestFigures;
}

interface Adversary {
  readonly ctx: AdversaryContext;
  readonly providers: SimProvider[];
  readonly renters: SimRenter[];
  setUp(at: number): Promise<number>;
  planDay(dayStart: number): void;
}

export class Adversaries {
  readonly books: Books;
  readonly farmer: Farmer | undefined;
  readonly squatter: Squatter | undefined;
  readonly shill: Shill | undefined;
  private readonly all: Adversary[] = [];
  private readonly rng: Random;

  constructor(
    private readonly base: SimContext,
    names: readonly AdversaryName[],
    seed: number,
  ) {
    // Streams of their own, forked by name: the honest actors draw exactly what they would without them.
    const root = new Random(seed).fork("adversaries");
    this.rng = root.fork("timing");
    this.books = new Books({ usdc: base.addresses.usdc, usdcDecimals: base.params.usdcDecimals });
    const forked = (name: AdversaryName) => new AdversaryContext(base, root.fork(name));
    this.farmer = names.includes("farmer") ? new Farmer(forked("farmer"), this.books) : undefined;
    this.squatter = names.includes("squatter") ? new Squatter(forked("squatter"), this.books) : undefined;
    this.shill = names.includes("shill") ? new Shill(forked("shill"), this.books) : undefined;
    for (const a of [this.farmer, this.squatter, this.shill]) if (a !== undefined) this.all.push(a);
    // A squatter leaves its fellow adversaries' auctions alone: each attack is measured on its own.
    for (const a of this.all) for (const r of a.renters) this.squatter?.spare(r.address);
  }

  /** Every address an adversary controls. */
  get accounts(): Set<string> {
    const set = new Set<string>();
    for (const a of this.all) for (const x of [...a.providers, ...a.renters]) set.add(x.address.toLowerCase());
    return set;
  }

  async setUp(at: number): Promise<number> {
    let time = at;
    for (const a of this.all) time = await a.setUp(time);
    return time;
  }

  planDay(dayStart: number): void {
    for (const a of this.all) a.planDay(dayStart);
    // Epochs ending today: each adversary's providers claim what they recorded, as honest ones do.
    const { genesis, epochLength } = this.base.params;
    for (
      let k = Math.max(1, Math.ceil((dayStart - genesis) / epochLength));
      genesis + k * epochLength < dayStart + DAY;
      k++
    ) {
      const epoch = BigInt(k - 1);
      const at = genesis + k * epochLength + Math.round(this.rng.uniform(1, 6) * HOUR);
      this.base.schedule(at, `adversaries: epoch ${epoch} ended`, () => this.claimEmissions(epoch), true);
    }
  }

  private async claimEmissions(epoch: bigint): Promise<void> {
    for (const a of this.all) {
      for (const p of a.providers) {
        const book = this.books.account(p.address);
        if (book.epochsRecorded.has(epoch) && !book.epochsClaimed.has(epoch))
          await claimEmission(a.ctx, p, Number(epoch));
      }
    }
  }

  /** Every transaction's events, mined at `at`. */
  observe(events: readonly ProtocolEvent[], at: number): void {
    this.books.observe(events, this.base.grlUsdPrice());
    this.squatter?.observe(events, at);
  }

  observeRevert(from: string, errorName: string): void {
    this.books.observeRevert(from, errorName);
  }

  report(honestProviders: readonly string[]): AdversaryReport {
    const adversarial = this.accounts;
    const b = this.books;
    const spreads: bigint[] = [];
    const values: bigint[] = [];
    for (const job of b.allJobs()) {
      if (
        job.rule !== SECOND_PRICE ||
        adversarial.has(job.renter) ||
        job.award === undefined ||
        adversarial.has(job.award.provider)
      )
        continue;
      values.push(usdOf(job, job.award.value));
      const spread = vickreySpreadUsd(job);
      if (spread !== undefined) spreads.push(spread);
    }
    return {
      farmer: this.farmer?.figures(),
      squatter: this.squatter?.figures(honestProviders),
      shill: this.shill?.figures(),
      honest: {
        providers: honestProviders.length,
        medianProviderProfitUsd: median(honestProviders.map((p) => b.providerProfitUsd([p]))),
        secondPriceJobs: values.length,
        medianSecondPriceJobUsd: median(values),
        medianSecondPriceSpreadUsd: median(spreads),
      },
    };
  }
}

export type { AdversaryName } from "./names.ts";
export type { FarmerFigures, ShillFigures, SquatterFigures };
