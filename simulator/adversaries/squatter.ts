// The bid-cap squatter (SECURITY.md, "Bid-cap squatting"): as many sybil providers as a job takes bids
// (`maxBids`), each listing 8 H100s. It watches new sealed H100 auctions and, seconds after one is
// posted, commits a sealed bid at the reserve from every sybil it needs to fill the cap, so honest
// bidders are turned away (MarketBidCapReached). If the renter lets the auction run, every sybil
// reveals at the reserve and one wins the job at the reserve. The protocol's answer: the renter may
// cancel while bids are sealed (and the honest renters here do, then post the job again), and each
// sealed bid on a cancelled job is released in full, so the squat wins nothing and costs its gas. A
// squatter that finds a renter cancels leaves that renter's jobs alone afterwards (squatting it again
// would only burn gas).
import { gpuModelId } from "../../sdk/index.ts";
import { bidCommitment } from "../../sdk/index.ts";
import { MINUTE } from "../context.ts";
import type { ProtocolEvent } from "../../sdk/contracts.ts";
import { REGIONS } from "../market-data.ts";
import type { SimProvider, SimRenter } from "../world.ts";
import { ADVERSARY_ACCOUNTS, adversaryProvider, OnlinePool } from "./accounts.ts";
import type { Books } from "./books.ts";
import type { AdversaryContext } from "./context.ts";
import { BID_COMMITTED, BID_REVEALED, JOB_AWARDED, JOB_BIDDING } from "./states.ts";

const GPUS_PER_SYBIL = 8;
/** Squats a day at most: each costs a few hundred transactions' gas, so the squatter picks its targets. */
const MAX_SQUATS_PER_DAY = 3;
const TARGET_CHANCE = 0.6;
/** The registry's starting reputation: all a sybil with no success has. */
const SYBIL_REPUTATION = 5_000;

interface Squat {
  jobId: bigint;
  renter: string;
  reserve: bigint;
  gpus: number;
  duration: number;
  bidDeadline: number;
  revealDeadline: number;
  specHash: string;
  bids: { sybil: SimProvider; salt: string }[];
  cancelled: boolean;
}

/** What the squatter did and got; USD with 18 decimals, GRL in wei. */
export interface SquatterFigures {
  sybils: number;
  /** Auctions it filled, the sealed bids that took, and the squatted auctions their renters cancelled. */
  auctionsSquatted: number;
  sealedBids: number;
  cancelledByRenter: number;
  /** Jobs its sybils won, and those at the reserve. */
  jobsWon: number;
  jobsWonAtReserve: number;
  /** Honest providers' commits the full cap turned away (MarketBidCapReached). */
  honestBidsTurnedAway: number;
  bondsForfeited: number;
  stakeLostGrl: bigint;
  stakeLostUsd: bigint;
  incomeUsd: bigint;
  emissionUsd: bigint;
  /** Income plus emissions, less stake lost. */
  netUsd: bigint;
  gasUsed: bigint;
  txs: number;
}

export class Squatter {
  readonly sybils: SimProvider[] = [];
  private readonly pool: OnlinePool;
  private readonly squats = new Map<bigint, Squat>();
  /** Renters seen to cancel a squat. */
  private readonly vigilant = new Set<string>();
  /** Renters it leaves alone: its fellow adversaries. */
  private readonly spared = new Set<string>();
  private squatsToday = 0;
  private busy = false;
  private auctionsSquatted = 0;
  private cancelledByRenter = 0;

  constructor(
    readonly ctx: AdversaryContext,
    private readonly books: Books,
  ) {
    for (let i = 0; i < ctx.params.maxBids; i++) {
      this.sybils.push(
        adversaryProvider(
          ctx,
          ADVERSARY_ACCOUNTS.squatter + i,
          `squatter-sybil-${i}`,
          [["H100", GPUS_PER_SYBIL]],
          2_000,
        ),
      );
    }
    this.pool = new OnlinePool(ctx);
  }

  get providers(): SimProvider[] {
    return this.sybils;
  }

  get renters(): SimRenter[] {
    return [];
  }

  spare(renter: string): void {
    this.spared.add(renter.toLowerCase());
  }

  async setUp(at: number): Promise<number> {
    return this.pool.onboard(this.sybils, at);
  }

  planDay(): void {
    this.squatsToday = 0;
  }

  /** It watches every new job. */
  observe(events: readonly ProtocolEvent[], at: number): void {
    for (const e of events) {
      if (e.name === "JobCreated") this.consider(e.args, at);
      else if (e.name === "JobCancelled") {
        const squat = this.squats.get(e.args.jobId);
        if (squat === undefined || squat.cancelled) continue;
        squat.cancelled = true;
        this.cancelledByRenter++;
        this.vigilant.add(squat.renter);
        this.ctx.schedule(
          at + Math.round(this.ctx.rng.providers.uniform(0.5, 3) * MINUTE),
          "squatter: close bids",
          () => this.closeAll(squat),
        );
      }
    }
  }

  private consider(created: Extract<ProtocolEvent, { name: "JobCreated" }>["args"], at: number): void {
    const r = created.request;
    const renter = created.renter.toLowerCase();
    const eligible =
      r.pricingRule !== 2n &&
      r.gpuModel === gpuModelId("H100") &&
      Number(r.gpuCount) <= GPUS_PER_SYBIL &&
      Number(r.minVramGb) <= 80 &&
      (Number(r.region) === 0 || Number(r.region) === REGIONS.US) &&
      Number(r.minReputation) <= SYBIL_REPUTATION;
    if (!eligible || this.busy || !this.ctx.acceptingJobs || this.squatsToday >= MAX_SQUATS_PER_DAY) return;
    if (this.spared.has(renter) || this.vigilant.has(renter) || !this.ctx.rng.providers.chance(TARGET_CHANCE)) return;
    this.busy = true;
    const squat: Squat = {
      jobId: created.jobId,
      renter,
      reserve: r.reservePricePerGpuHour,
      gpus: Number(r.gpuCount),
      duration: Number(r.duration),
      bidDeadline: Number(created.bidDeadline),
      revealDeadline: Number(created.revealDeadline),
      specHash: r.specHash,
      bids: [],
      cancelled: false,
    };
    this.ctx.schedule(at + Math.round(this.ctx.rng.providers.uniform(15, 40)), `squatter: squat #${squat.jobId}`, () =>
      this.squat(squat),
    );
  }

  private async squat(squat: Squat): Promise<void> {
    const ctx = this.ctx;
    const { market, registry } = ctx.protocol;
    const job = await market.jobOf(squat.jobId);
    if (job.state !== JOB_BIDDING || ctx.now >= squat.bidDeadline - MINUTE) {
      this.busy = false;
      return;
    }
    // Each sybil locks the bid bond plus the collateral at the reserve; all are staked alike.
    const lock = (await market.bidBondOf(squat.jobId)) + job.collateral;
    if ((await registry.providerOf(this.sybils[0].address)).freeStake < lock) {
      this.busy = false;
      return;
    }
    const room = ctx.params.maxBids - Number(job.bidCount);
    for (const sybil of this.sybils.slice(0, room)) {
      if (!(await this.pool.hold(sybil))) break;
      const salt = ctx.rng.providers.bytes32();
      const commitment = bidCommitment(
        squat.jobId,
        sybil.address,
        squat.reserve,
        salt,
        ctx.params.chainId,
        ctx.addresses.market,
        squat.specHash,
      );
      const data = market.interface.encodeFunctionData("commitBid", [squat.jobId, commitment]);
      if (
        !(await ctx.send(sybil.address, ctx.addresses.market, data, ctx.now, `squatter: commit #${squat.jobId}`)).ok
      ) {
        await this.pool.release(sybil);
        break;
      }
      squat.bids.push({ sybil, salt });
    }
    if (squat.bids.length === 0) {
      this.busy = false;
      return;
    }
    this.squats.set(squat.jobId, squat);
    this.squatsToday++;
    this.auctionsSquatted++;
    ctx.schedule(
      squat.bidDeadline + Math.round(ctx.rng.providers.uniform(5, 40)),
      `squatter: reveal #${squat.jobId}`,
      () => this.revealAll(squat),
    );
  }

  /** The renter let the auction run: every sybil reveals at the reserve. */
  private async revealAll(squat: Squat): Promise<void> {
    if (squat.cancelled) return;
    const ctx = this.ctx;
    const { market } = ctx.protocol;
    for (const { sybil, salt } of squat.bids) {
      const data = market.interface.encodeFunctionData("revealBid", [squat.jobId, squat.reserve, salt]);
      await ctx.send(sybil.address, ctx.addresses.market, data, ctx.now, `squatter: reveal #${squat.jobId}`);
    }
    ctx.schedule(squat.revealDeadline + 8 * MINUTE, `squatter: after award #${squat.jobId}`, () =>
      this.afterAward(squat),
    );
  }

  private async afterAward(squat: Squat): Promise<void> {
    const ctx = this.ctx;
    const job = await ctx.protocol.market.jobOf(squat.jobId);
    if (job.state === JOB_BIDDING) {
      ctx.schedule(ctx.now + 5 * MINUTE, `squatter: after award #${squat.jobId}`, () => this.afterAward(squat));
      return;
    }
    const winner =
      job.state === JOB_AWARDED
        ? this.sybils.find((s) => s.address.toLowerCase() === job.provider.toLowerCase())
        : undefined;
    await this.closeAll(squat, winner);
    if (winner !== undefined) await this.run(squat, winner);
  }

  /** A sybil won at the reserve: it runs the job (a no-show would lose collateral) and is paid. */
  private async run(squat: Squat, winner: SimProvider): Promise<void> {
    const ctx = this.ctx;
    const { market } = ctx.protocol;
    const started = await ctx.send(
      winner.address,
      ctx.addresses.market,
      market.interface.encodeFunctionData("startJob", [squat.jobId]),
      ctx.now,
      "squatter: start",
    );
    if (!started.ok) {
      await this.pool.release(winner);
      return;
    }
    ctx.schedule(started.timestamp + squat.duration + MINUTE, "squatter: deliver", async () => {
      const data = market.interface.encodeFunctionData("deliver", [
        squat.jobId,
        ctx.rng.providers.bytes32(),
        `ipfs://gridlease-sim/squatter/${squat.jobId}`,
      ]);
      const delivered = await ctx.send(winner.address, ctx.addresses.market, data, ctx.now, "squatter: deliver");
      await this.pool.release(winner);
      if (!delivered.ok) return;
      const deadline = Number((await market.jobOf(squat.jobId)).deadline);
      ctx.schedule(deadline + 10 * MINUTE, "squatter: settle", async () => {
        if ((await market.jobOf(squat.jobId)).state !== 5n) return; // disputed, or settled by the keeper
        await ctx.send(
          winner.address,
          ctx.addresses.market,
          market.interface.encodeFunctionData("settle", [squat.jobId]),
          ctx.now,
          "squatter: settle",
        );
      });
    });
  }

  /** Takes back every lock of the squat but the winner's (released in full on a cancelled job). */
  private async closeAll(squat: Squat, winner?: SimProvider): Promise<void> {
    const ctx = this.ctx;
    const { market } = ctx.protocol;
    for (const { sybil } of squat.bids) {
      if (sybil === winner) continue;
      const status = (await market.bidOf(squat.jobId, sybil.address)).status;
      if (status === BID_COMMITTED || status === BID_REVEALED) {
        const data = market.interface.encodeFunctionData("closeBid", [squat.jobId, sybil.address]);
        await ctx.send(sybil.address, ctx.addresses.market, data, ctx.now, `squatter: close #${squat.jobId}`);
      }
      await this.pool.release(sybil);
    }
    this.busy = false;
  }

  figures(honestProviders: readonly string[]): SquatterFigures {
    const sybils = this.sybils.map((s) => s.address);
    const b = this.books;
    let turnedAway = 0;
    for (const p of honestProviders) turnedAway += b.account(p).reverts.get("MarketBidCapReached") ?? 0;
    const income = b.total(sybils, (a) => a.incomeUsd);
    const emission = b.total(sybils, (a) => a.emissionUsd);
    const lost = b.total(sybils, (a) => a.stakeLostUsd);
    return {
      sybils: sybils.length,
      auctionsSquatted: this.auctionsSquatted,
      sealedBids: Number(b.total(sybils, (a) => a.bidsCommitted)),
      cancelledByRenter: this.cancelledByRenter,
      jobsWon: Number(b.total(sybils, (a) => a.jobsWon)),
      jobsWonAtReserve: Number(b.total(sybils, (a) => a.jobsWonAtReserve)),
      honestBidsTurnedAway: turnedAway,
      bondsForfeited: Number(b.total(sybils, (a) => a.bondsForfeited)),
      stakeLostGrl: b.total(sybils, (a) => a.stakeLostGrl),
      stakeLostUsd: lost,
      incomeUsd: income,
      emissionUsd: emission,
      netUsd: income + emission - lost,
      gasUsed: this.ctx.gasUsed,
      txs: this.ctx.txs,
    };
  }
}
