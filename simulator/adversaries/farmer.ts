// The emissions and reputation farmer (SECURITY.md, "Emissions farming" and "Reputation farming"): a
// provider that also controls a renter account and hires itself. Every day it runs four wash trades
// through the market's real entry points, each aimed at a weakness the protocol has closed:
//   - a year-long instant job at one unit of USDC per GPU-hour, accepted and started at once and
//     delivered a second later (the "claim a year of GPU-seconds" variant: the market counts seconds run);
//   - the same as a sealed auction with one bid, its own, awarded and started by itself;
//   - a dust job run in full (real GPU-seconds, whose fee rounds to nothing: the cap is the fee);
//   - a job worth exactly the registry's reputation reference value, delivered at once (a full
//     reputation step, bought with its fee).
// Its money goes round to itself: the pair loses the fees, and gets back emissions capped at the fees'
// GRL worth; its reputation rises only as fast as the fees it pays.
import { gpuModelId } from "../../sdk/index.ts";
import { bidCommitment, workloadSpecHash } from "../../sdk/index.ts";
import { ensureUsdc, enlist } from "../actions/funding.ts";
import { DAY, HOUR, MINUTE } from "../context.ts";
import { eventsNamed } from "../../sdk/contracts.ts";
import { PricingRule } from "../../sdk/index.ts";
import type { SimProvider, SimRenter } from "../world.ts";
import { ADVERSARY_ACCOUNTS, adversaryProvider, adversaryRenter, onboardAll } from "./accounts.ts";
import type { Books } from "./books.ts";
import type { AdversaryContext } from "./context.ts";

const INSTANT = PricingRule.valueOf("Instant");
const FIRST_PRICE = PricingRule.valueOf("FirstPrice");
const GPUS = 8;
const MIN_WINDOW = MINUTE;

interface WashTrade {
  label: string;
  /** Hour of the simulated day it starts at (plus a few minutes' jitter). */
  hour: number;
  gpus: number;
  durationSeconds: number;
  /** "unit": one unit of USDC per GPU-hour; "reference": the registry's reputation reference value. */
  price: "unit" | "reference";
  rule: number;
  /** Runs for its whole duration (else delivered the second after it starts). */
  runsInFull: boolean;
}

const TRADES: readonly WashTrade[] = [
  {
    label: "year-long dust job",
    hour: 1,
    gpus: GPUS,
    durationSeconds: 365 * DAY,
    price: "unit",
    rule: INSTANT,
    runsInFull: false,
  },
  {
    label: "one-bid dust auction",
    hour: 3,
    gpus: GPUS,
    durationSeconds: 30 * DAY,
    price: "unit",
    rule: FIRST_PRICE,
    runsInFull: false,
  },
  {
    label: "dust job run in full",
    hour: 5,
    gpus: GPUS,
    durationSeconds: 2 * HOUR,
    price: "unit",
    rule: INSTANT,
    runsInFull: true,
  },
  {
    label: "reputation-sized job",
    hour: 9,
    gpus: 1,
    durationSeconds: HOUR,
    price: "reference",
    rule: INSTANT,
    runsInFull: false,
  },
];

/** What the farmer did and what it cost and earned it; USD with 18 decimals, GRL in wei. */
export interface FarmerFigures {
  provider: string;
  renter: string;
  jobs: number;
  settled: number;
  /** GPU-seconds its jobs asked for (GPUs x duration), and those the market recorded for emissions. */
  claimedGpuSeconds: bigint;
  recordedGpuSeconds: bigint;
  /** Protocol fees its jobs paid the treasury, and the fees recorded as its emission cap. */
  feesUsd: bigint;
  feesRecordedUsd: bigint;
  emissionGrl: bigint;
  emissionUsd: bigint;
  /** Its pro-rata shares of the epochs' budgets before the fee cap (what it would have got before the fix). */
  shareGrl: bigint;
  shareUsd: bigint;
  epochsRecorded: number;
  epochsClaimed: number;
  stakeLostUsd: bigint;
  /** Income as a provider less what its renter paid, plus emissions, less stake lost. */
  netUsd: bigint;
  reputationStart: number;
  reputationEnd: number;
  gasUsed: bigint;
  txs: number;
}

export class Farmer {
  readonly provider: SimProvider;
  readonly renter: SimRenter;
  private readonly specHash = workloadSpecHash("farmer");
  private referencePrice = 0n;
  private reputationStart = 5_000;
  /** A trade holds its GPUs from start to delivery; the next one waits for them. */
  private running = false;

  constructor(
    readonly ctx: AdversaryContext,
    private readonly books: Books,
  ) {
    this.provider = adversaryProvider(ctx, ADVERSARY_ACCOUNTS.farmer, "farmer", [["H100", GPUS]], 1_000);
    this.renter = adversaryRenter(ctx, ADVERSARY_ACCOUNTS.farmer + 1, {
      name: "farmer-renter",
      kind: "agent",
      jobsPerDay: 0,
      models: [["H100", 1]],
      rules: [["Instant", 1]],
      durationMinutes: [60, 60],
      reserveSpread: [0, 0],
    });
  }

  get providers(): SimProvider[] {
    return [this.provider];
  }

  get renters(): SimRenter[] {
    return [this.renter];
  }

  async setUp(at: number): Promise<number> {
    const time = await onboardAll(this.ctx, [this.provider], at);
    const { registry, usdc } = this.ctx.protocol;
    this.reputationStart = Number((await registry.providerOf(this.provider.address)).reputation);
    // A job worth exactly the reference value weighs one full reputation step (USD 18 decimals -> USDC units, rounded up).
    const scale = 10n ** BigInt(18 - Number(await usdc!.decimals()));
    this.referencePrice = ((await registry.reputationReferenceValue()) + scale - 1n) / scale;
    await enlist(this.ctx, this.renter);
    return time;
  }

  planDay(dayStart: number): void {
    if (!this.ctx.acceptingJobs || !this.provider.onboarded || !this.renter.enlisted) return;
    for (const trade of TRADES) {
      const at = dayStart + trade.hour * HOUR + Math.round(this.ctx.rng.renters.uniform(0, 20) * MINUTE);
      this.ctx.schedule(at, `farmer: ${trade.label}`, () => this.trade(trade));
    }
  }

  private async trade(trade: WashTrade): Promise<void> {
    const ctx = this.ctx;
    if (!ctx.acceptingJobs || this.running) return;
    const { market } = ctx.protocol;
    const price = trade.price === "unit" ? 1n : this.referencePrice;
    const budget = (price * BigInt(trade.gpus) * BigInt(trade.durationSeconds)) / BigInt(HOUR);
    if (!(await ensureUsdc(ctx, this.renter, budget))) return;
    const request = {
      paymentToken: ctx.addresses.usdc,
      gpuModel: gpuModelId("H100"),
      gpuCount: trade.gpus,
      minVramGb: 80,
      region: 0,
      minReputation: 0,
      duration: trade.durationSeconds,
      reservePricePerGpuHour: price,
      pricingRule: trade.rule,
      bidWindow: trade.rule === INSTANT ? 5 * MINUTE : MIN_WINDOW,
      revealWindow: trade.rule === INSTANT ? 0 : MIN_WINDOW,
      specHash: this.specHash,
    };
    const created = await ctx.send(
      this.renter.address,
      ctx.addresses.market,
      market.interface.encodeFunctionData("createJob", [request]),
      ctx.now,
      "farmer: post",
    );
    if (!created.ok) return;
    const job = eventsNamed(created.events, "JobCreated")[0].args;
    this.running = true;
    if (trade.rule === INSTANT) {
      const data = market.interface.encodeFunctionData("acceptInstantAndStart", [job.jobId]);
      const started = await ctx.send(
        this.provider.address,
        ctx.addresses.market,
        data,
        ctx.now,
        "farmer: accept and start",
      );
      if (!started.ok) {
        this.running = false;
        return;
      }
      this.afterStart(job.jobId, trade, started.timestamp);
      return;
    }
    // Its own sealed bid, at the reserve: the only bid, so it wins at its price.
    const salt = ctx.rng.providers.bytes32();
    const commitment = bidCommitment(
      job.jobId,
      this.provider.address,
      price,
      salt,
      ctx.params.chainId,
      ctx.addresses.market,
      this.specHash,
    );
    const committed = await ctx.send(
      this.provider.address,
      ctx.addresses.market,
      market.interface.encodeFunctionData("commitBid", [job.jobId, commitment]),
      ctx.now,
      "farmer: commit",
    );
    if (!committed.ok) {
      this.running = false;
      return;
    }
    ctx.schedule(Number(job.bidDeadline), "farmer: reveal", async () => {
      await ctx.send(
        this.provider.address,
        ctx.addresses.market,
        market.interface.encodeFunctionData("revealBid", [job.jobId, price, salt]),
        ctx.now,
        "farmer: reveal",
      );
    });
    ctx.schedule(Number(job.revealDeadline), "farmer: award and start", async () => {
      const data = market.interface.encodeFunctionData("awardAndStart", [job.jobId]);
      const started = await ctx.send(
        this.provider.address,
        ctx.addresses.market,
        data,
        ctx.now,
        "farmer: award and start",
      );
      if (!started.ok) {
        this.running = false;
        return;
      }
      this.afterStart(job.jobId, trade, started.timestamp);
    });
  }

  private afterStart(jobId: bigint, trade: WashTrade, startedAt: number): void {
    const at = trade.runsInFull ? startedAt + trade.durationSeconds + MINUTE : this.ctx.now;
    this.ctx.schedule(at, "farmer: deliver", () => this.deliver(jobId));
  }

  private async deliver(jobId: bigint): Promise<void> {
    const ctx = this.ctx;
    const { market } = ctx.protocol;
    const data = market.interface.encodeFunctionData("deliver", [
      jobId,
      ctx.rng.providers.bytes32(),
      `ipfs://gridlease-sim/farmer/${jobId}`,
    ]);
    const delivered = await ctx.send(this.provider.address, ctx.addresses.market, data, ctx.now, "farmer: deliver");
    this.running = false;
    if (!delivered.ok) return;
    // Its own renter never disputes: the job settles once the challenge window closes.
    const challengeDeadline = Number(eventsNamed(delivered.events, "JobDelivered")[0].args.challengeDeadline);
    ctx.schedule(challengeDeadline + Math.round(ctx.rng.keeper.uniform(1, 30) * MINUTE), "farmer: settle", async () => {
      await ctx.send(
        this.renter.address,
        ctx.addresses.market,
        market.interface.encodeFunctionData("settle", [jobId]),
        ctx.now,
        "farmer: settle",
      );
    });
  }

  figures(): FarmerFigures {
    const p = this.books.account(this.provider.address);
    const r = this.books.account(this.renter.address);
    let settled = 0;
    for (const job of this.books.allJobs())
      if (job.renter === this.renter.address.toLowerCase() && job.settled) settled++;
    return {
      provider: this.provider.address,
      renter: this.renter.address,
      jobs: r.jobsPosted,
      settled,
      claimedGpuSeconds: r.claimedGpuSeconds,
      recordedGpuSeconds: p.gpuSecondsRecorded,
      feesUsd: p.feesUsd,
      feesRecordedUsd: p.feesRecordedUsd,
      emissionGrl: p.emissionGrl,
      emissionUsd: p.emissionUsd,
      shareGrl: p.shareGrl,
      shareUsd: p.shareUsd,
      epochsRecorded: p.epochsRecorded.size,
      epochsClaimed: p.epochsClaimed.size,
      stakeLostUsd: p.stakeLostUsd,
      netUsd: p.incomeUsd - r.paidUsd + p.emissionUsd - p.stakeLostUsd + r.slashReceivedUsd,
      reputationStart: this.reputationStart,
      reputationEnd: p.reputation ?? this.reputationStart,
      gasUsed: this.ctx.gasUsed,
      txs: this.ctx.txs,
    };
  }
}
