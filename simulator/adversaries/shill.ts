// The shill (SECURITY.md, "Renter's shill in a second-price auction" and "Last-revealer option"): a
// renter that posts second-price auctions like an ML lab and runs three sybil providers. The sybils
// commit a grid of sealed prices spanning where honest H100 and A100 bids land; the shill waits until
// the honest bidders have revealed, then reveals every sybil price at or above the best honest one
// (each can only pull the second price down to itself, and a revealed bid gets its lock back), and
// leaves the lower ones sealed (revealing them would make its own sybil win): their bonds, a tenth of
// the job's budget each (at least `bidBond`), are burned. Its gain is the second price it avoided.
import { bidCommitment } from "../../sdk/index.ts";
import { postJob } from "../actors/renters.ts";
import { HOUR, MINUTE } from "../context.ts";
import { MARKET, microUsd, toTokenUnits } from "../market-data.ts";
import type { SimJob, SimProvider, SimRenter } from "../world.ts";
import { ADVERSARY_ACCOUNTS, adversaryProvider, adversaryRenter, OnlinePool } from "./accounts.ts";
import { jobValue, median, SECOND_PRICE, secondPriceWithout, usdOf, vickreySpreadUsd, type Books } from "./books.ts";
import type { AdversaryContext } from "./context.ts";
import { BID_COMMITTED, BID_REVEALED, JOB_BIDDING } from "./states.ts";

const SYBILS = 3;
const JOBS_PER_DAY = 4;

interface ShillBid {
  sybil: SimProvider;
  price: bigint;
  salt: string;
  committed: boolean;
}

/** What the shill did and got; USD with 18 decimals, GRL in wei. */
export interface ShillFigures {
  renter: string;
  sybils: number;
  jobs: number;
  /** Its second-price jobs awarded to an honest bidder, and those that expired. */
  awarded: number;
  expired: number;
  sybilBids: number;
  sybilReveals: number;
  /** Sybil bids left sealed: their bonds burned. */
  bondsForfeited: number;
  bondsBurnedGrl: bigint;
  bondsBurnedUsd: bigint;
  /** What its jobs paid their providers. */
  paidUsd: bigint;
  /** The honest second price (second-lowest honest reveal, or the reserve after one) less what it paid, over its awarded jobs. */
  savedUsd: bigint;
  /** Its jobs' median Vickrey spread: value at the clearing price less value at the winner's own bid. */
  medianSpreadUsd: bigint | undefined;
  /** Saving plus its sybils' income, less the bonds burned. */
  netUsd: bigint;
  gasUsed: bigint;
  txs: number;
}

export class Shill {
  readonly renter: SimRenter;
  readonly sybils: SimProvider[] = [];
  private readonly pool: OnlinePool;

  constructor(
    readonly ctx: AdversaryContext,
    private readonly books: Books,
  ) {
    this.renter = adversaryRenter(ctx, ADVERSARY_ACCOUNTS.shill, {
      name: "shill",
      // Posts what an ML lab posts (its spec hash, sizes and durations), all as second-price auctions in USDC.
      kind: "ml-lab",
      jobsPerDay: JOBS_PER_DAY,
      models: [
        ["H100", 3],
        ["A100", 2],
      ],
      rules: [["SecondPrice", 1]],
      durationMinutes: [240, 720],
      reserveSpread: [0.1, 0.45],
    });
    for (let i = 0; i < SYBILS; i++) {
      this.sybils.push(
        adversaryProvider(
          ctx,
          ADVERSARY_ACCOUNTS.shill + 1 + i,
          `shill-sybil-${i}`,
          [
            ["H100", 16],
            ["A100", 8],
          ],
          6_000,
        ),
      );
    }
    this.pool = new OnlinePool(ctx);
  }

  get providers(): SimProvider[] {
    return this.sybils;
  }

  get renters(): SimRenter[] {
    return [this.renter];
  }

  async setUp(at: number): Promise<number> {
    return this.pool.onboard(this.sybils, at);
  }

  planDay(dayStart: number): void {
    if (!this.ctx.acceptingJobs) return;
    const rng = this.ctx.rng.renters;
    const count = rng.poisson(JOBS_PER_DAY);
    for (let i = 0; i < count; i++) {
      this.ctx.schedule(dayStart + Math.floor(rng.uniform(0, 24) * HOUR), "shill: post", async () => {
        const job = await postJob(this.ctx, this.renter);
        if (job !== undefined && job.rule === "SecondPrice") this.shillBids(job);
      });
    }
  }

  /** Sybil prices spread over where honest bids on the model land: from 85% of its low quote to its high quote. */
  private grid(job: SimJob): bigint[] {
    const m = MARKET[job.model];
    const lo = m.decentralLow * 0.85;
    const hi = m.decentralHigh;
    const step = toTokenUnits(1_000n, job.decimals);
    return Array.from({ length: SYBILS }, (_, i) => {
      const price = toTokenUnits(microUsd(lo + ((hi - lo) * (i + 1)) / (SYBILS + 1)), job.decimals);
      const rounded = ((price + step - 1n) / step) * step;
      return rounded > job.reserve ? job.reserve : rounded;
    });
  }

  private shillBids(job: SimJob): void {
    const ctx = this.ctx;
    const bids: ShillBid[] = this.grid(job).map((price, i) => ({
      sybil: this.sybils[i],
      price,
      salt: ctx.rng.providers.bytes32(),
      committed: false,
    }));
    const window = job.bidDeadline - job.createdAt;
    ctx.schedule(
      job.createdAt + Math.round(ctx.rng.providers.uniform(0.2, 0.6) * window),
      `shill: commit #${job.id}`,
      () => this.commit(job, bids),
    );
    // Last to reveal: after every honest bidder (who reveal within the first 60% of the window).
    const revealWindow = job.revealDeadline - job.bidDeadline;
    ctx.schedule(job.revealDeadline - Math.max(20, Math.round(0.1 * revealWindow)), `shill: reveal #${job.id}`, () =>
      this.reveal(job, bids),
    );
    ctx.schedule(job.revealDeadline + 10 * MINUTE, `shill: close #${job.id}`, () => this.close(job, bids));
  }

  private async commit(job: SimJob, bids: ShillBid[]): Promise<void> {
    const ctx = this.ctx;
    const { market } = ctx.protocol;
    if (job.phase !== "bidding" || ctx.now >= job.bidDeadline - 10) return;
    for (const bid of bids) {
      if (!(await this.pool.hold(bid.sybil))) continue;
      const commitment = bidCommitment(
        job.id,
        bid.sybil.address,
        bid.price,
        bid.salt,
        ctx.params.chainId,
        ctx.addresses.market,
        job.specHash,
      );
      const data = market.interface.encodeFunctionData("commitBid", [job.id, commitment]);
      bid.committed = (
        await ctx.send(bid.sybil.address, ctx.addresses.market, data, ctx.now, `shill: commit #${job.id}`)
      ).ok;
      if (!bid.committed) await this.pool.release(bid.sybil);
    }
  }

  private async reveal(job: SimJob, bids: ShillBid[]): Promise<void> {
    const ctx = this.ctx;
    const { market } = ctx.protocol;
    const onChain = await market.jobOf(job.id);
    // Nobody honest revealed: any sybil reveal would win its own job, so all stay sealed.
    if (onChain.state !== JOB_BIDDING || onChain.revealCount === 0n) return;
    for (const bid of bids) {
      // At the best honest price or above: the honest bid stays best (an equal later reveal loses the tie).
      if (!bid.committed || bid.price < onChain.bestPrice) continue;
      const data = market.interface.encodeFunctionData("revealBid", [job.id, bid.price, bid.salt]);
      await ctx.send(bid.sybil.address, ctx.addresses.market, data, ctx.now, `shill: reveal #${job.id}`);
    }
  }

  /** After the award: revealed sybil bids take their locks back; sealed ones are closed and their bonds burn. */
  private async close(job: SimJob, bids: ShillBid[]): Promise<void> {
    const ctx = this.ctx;
    const { market } = ctx.protocol;
    if ((await market.jobOf(job.id)).state === JOB_BIDDING) {
      ctx.schedule(ctx.now + 10 * MINUTE, `shill: close #${job.id}`, () => this.close(job, bids));
      return;
    }
    for (const bid of bids) {
      if (!bid.committed) continue;
      const status = (await market.bidOf(job.id, bid.sybil.address)).status;
      if (status === BID_REVEALED || status === BID_COMMITTED) {
        const from = status === BID_REVEALED ? bid.sybil.address : this.renter.address;
        const data = market.interface.encodeFunctionData("closeBid", [job.id, bid.sybil.address]);
        await ctx.send(from, ctx.addresses.market, data, ctx.now, `shill: close #${job.id}`);
      }
      await this.pool.release(bid.sybil);
    }
  }

  figures(): ShillFigures {
    const b = this.books;
    const sybils = this.sybils.map((s) => s.address);
    const excluded = new Set(sybils.map((s) => s.toLowerCase()));
    const renter = this.renter.address.toLowerCase();
    let awarded = 0;
    let expired = 0;
    let saved = 0n;
    const spreads: bigint[] = [];
    for (const job of b.allJobs()) {
      if (job.renter !== renter || job.rule !== SECOND_PRICE) continue;
      if (job.expired) expired++;
      if (job.award === undefined || excluded.has(job.award.provider)) continue;
      awarded++;
      const honest = secondPriceWithout(job, excluded)!;
      saved += usdOf(job, jobValue(honest, job.gpus, job.duration) - job.award.value);
      const spread = vickreySpreadUsd(job);
      if (spread !== undefined) spreads.push(spread);
    }
    const income = b.total(sybils, (a) => a.incomeUsd + a.emissionUsd);
    const burnedUsd = b.total(sybils, (a) => a.stakeLostUsd);
    return {
      renter: this.renter.address,
      sybils: sybils.length,
      jobs: b.account(renter).jobsPosted,
      awarded,
      expired,
      sybilBids: Number(b.total(sybils, (a) => a.bidsCommitted)),
      sybilReveals: Number(b.total(sybils, (a) => a.bidsRevealed)),
      bondsForfeited: Number(b.total(sybils, (a) => a.bondsForfeited)),
      bondsBurnedGrl: b.total(sybils, (a) => a.stakeLostGrl),
      bondsBurnedUsd: burnedUsd,
      paidUsd: b.account(renter).paidUsd,
      savedUsd: saved,
      medianSpreadUsd: median(spreads),
      netUsd: saved + income - burnedUsd,
      gasUsed: this.ctx.gasUsed,
      txs: this.ctx.txs,
    };
  }
}
