// A deterministic, seeded scenario of market activity for the indexer tests and the benchmark: providers
// onboard (one late), list, change and remove inventory, go offline and back, stake, unbond and withdraw;
// renters pay in USDC and in USD credits; jobs end in every outcome the market has (settled first- and
// second-price and instant, early delivery, expired, cancelled, stopped, no-show, late, the three dispute
// endings); providers, renters and the treasury withdraw; emissions are claimed after the first epoch.
//
// Every step is an action scheduled at a chain time; the driver runs them in time order, each in its
// own block at exactly that timestamp (or one second later when several share it).
import { encodeBytes32String, id as keccakId, MaxUint256, type HDNodeWallet } from "ethers";

import type { Protocol } from "../../sdk/contracts.ts";
import { workloadSpecHash } from "../../sdk/index.ts";
import type { LocalChain } from "./chain.ts";

export const HOUR = 3600n;
export const DAY = 86_400n;
const GRL = 10n ** 18n;
const WINDOW = 600n; // bid and reveal windows: room for many actions at once
const START_WINDOW = HOUR;
const DELIVERY_GRACE = HOUR;
const CHALLENGE_WINDOW = DAY;
const DISPUTE_TIMEOUT = 3n * DAY;
const EPOCH_LENGTH = 7n * DAY;

export type Outcome =
  | "settle"
  | "settle_second_price"
  | "instant_settle"
  | "early_delivery"
  | "expired"
  | "instant_expired"
  | "cancelled"
  | "stopped"
  | "no_show"
  | "late"
  | "dispute_provider_fault"
  | "dispute_renter_fault"
  | "dispute_timeout";

export const ALL_OUTCOMES: readonly Outcome[] = [
  "settle",
  "settle_second_price",
  "instant_settle",
  "early_delivery",
  "expired",
  "instant_expired",
  "cancelled",
  "stopped",
  "no_show",
  "late",
  "dispute_provider_fault",
  "dispute_renter_fault",
  "dispute_timeout",
];

type Token = "usdc" | "credits";

interface ModelSpec {
  name: string;
  vramGb: number;
  tflopsX100: number;
  /** Reserve in cents per GPU-hour. */
  reserveCents: number;
  maxGpus: number;
}

const MODELS: Record<string, ModelSpec> = {
  H100: { name: "H100", vramGb: 80, tflopsX100: 98_950, reserveCents: 250, maxGpus: 2 },
  A100: { name: "A100", vramGb: 80, tflopsX100: 31_200, reserveCents: 160, maxGpus: 2 },
  RTX4090: { name: "RTX4090", vramGb: 24, tflopsX100: 8_260, reserveCents: 45, maxGpus: 1 },
  L40S: { name: "L40S", vramGb: 48, tflopsX100: 36_210, reserveCents: 120, maxGpus: 1 },
};
const JOB_MODELS = ["H100", "A100", "RTX4090"] as const;

export const modelId = (name: string): string => encodeBytes32String(name);

/** A one-hour sealed-bid H100 job paid in USDC, for tests that add a job of their own (e.g. around a reorg). */
export function h100JobRequest(protocol: Protocol, gpuCount: number) {
  return {
    paymentToken: protocol.usdc!.target,
    gpuModel: modelId("H100"),
    gpuCount,
    minVramGb: 80,
    region: 0,
    minReputation: 0,
    duration: HOUR,
    reservePricePerGpuHour: 2_000_000n,
    pricingRule: 0,
    bidWindow: 600n,
    revealWindow: 600n,
    specHash: workloadSpecHash("indexer-test/h100"),
  };
}

interface ProviderSpec {
  index: number;
  joinsAt: bigint; // offset from the start
  lines: { model: string; count: number }[];
  offline?: [bigint, bigint];
}

export interface ScenarioOptions {
  seed: number;
  /** Jobs beyond one of every outcome in each payment path. */
  extraJobs: number;
  /** Seconds between job creations. */
  spacing: bigint;
  /** Hours of quiet (no jobs) inserted after every `quietEvery` jobs. */
  quietEvery: number;
  quietHours: bigint;
  /** Number of providers (>= 4); providers beyond the fourth list H100, A100 and RTX4090. */
  providers: number;
  /** When set, `secondWaveJobs` of the extra jobs start at this offset from the start (a later wave). */
  secondWaveAt?: bigint;
  /** Jobs (of the extra ones) created in the second wave, after the first emission epoch ends. */
  secondWaveJobs: number;
  /** Job durations to pick from. */
  durations: readonly bigint[];
}

export const TEST_SCENARIO: ScenarioOptions = {
  seed: 20261,
  extraJobs: 8,
  spacing: 50n * 60n,
  quietEvery: 12,
  quietHours: 7n,
  providers: 4,
  secondWaveAt: 7n * DAY + 2n * HOUR,
  secondWaveJobs: 6,
  durations: [HOUR, 2n * HOUR, 90n * 60n],
};

/**
 * The benchmark's chain: thousands of one-hour jobs, 12 providers. Each provider-model line has room
 * for the jobs that can overlap (one every 15 minutes, at most about 2.3 h each, over three models).
 */
export function benchScenario(jobs: number): ScenarioOptions {
  return {
    seed: 7,
    extraJobs: jobs,
    spacing: 15n * 60n,
    quietEvery: 200,
    quietHours: 5n,
    providers: 12,
    secondWaveJobs: 0,
    durations: [HOUR],
  };
}

/** mulberry32: a tiny seeded PRNG, so a seed always gives the same scenario. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Bidder {
  provider: number;
  cents: number;
  reveal: boolean;
}

interface JobPlan {
  at: bigint;
  renter: number;
  token: Token;
  model: string;
  gpuCount: number;
  duration: bigint;
  outcome: Outcome;
  bidders: Bidder[];
  acceptor?: number;
}

interface Action {
  at: bigint;
  seq: number;
  label: string;
  run: (at: bigint) => Promise<void>;
}

export class Scenario {
  private readonly queue: Action[] = [];
  private seq = 0;
  private jobCount = 0n;
  private readonly rand: () => number;
  readonly start: bigint;
  private readonly deployer: HDNodeWallet;
  private readonly keeper: HDNodeWallet;
  private readonly providerSpecs: ProviderSpec[];
  private readonly renters: number[] = [5, 6, 7, 8, 9];
  private grlUsdAnswer = 50_000_000n;
  private settlementGenesis = 0n;
  private usdc = "";
  private settlementAddress = "";
  /** Jobs by outcome, for assertions. */
  readonly outcomes = new Map<Outcome, number>();
  actions = 0;

  constructor(
    private readonly chain: LocalChain,
    private readonly protocol: Protocol,
    private readonly options: ScenarioOptions,
    start: bigint,
  ) {
    this.rand = prng(options.seed);
    this.start = start;
    this.deployer = chain.wallets[0]!;
    this.keeper = chain.wallets[10]!;
    this.providerSpecs = [
      {
        index: 1,
        joinsAt: 0n,
        lines: [
          { model: "H100", count: 8 },
          { model: "A100", count: 8 },
        ],
      },
      {
        index: 2,
        joinsAt: 0n,
        lines: [
          { model: "H100", count: 8 },
          { model: "RTX4090", count: 4 },
          { model: "L40S", count: 2 },
        ],
      },
      { index: 3, joinsAt: 0n, lines: [{ model: "A100", count: 8 }] },
      {
        index: 4,
        joinsAt: 26n * HOUR,
        lines: [
          { model: "RTX4090", count: 4 },
          { model: "H100", count: 4 },
        ],
        offline: [50n * HOUR, 56n * HOUR],
      },
    ];
    for (let i = 4; i < options.providers; i++) {
      this.providerSpecs.push({
        index: 11 + (i - 4),
        joinsAt: 0n,
        lines: [
          { model: "H100", count: 8 },
          { model: "A100", count: 8 },
          { model: "RTX4090", count: 4 },
        ],
      });
    }
  }

  private schedule(at: bigint, label: string, run: (at: bigint) => Promise<void>): void {
    this.queue.push({ at, seq: this.seq++, label, run });
  }

  private wallet(index: number): HDNodeWallet {
    return this.chain.wallets[index]!;
  }

  private tokenAddress(token: Token): string {
    return token === "usdc" ? this.usdc : this.settlementAddress;
  }

  /** Units of `cents` in a payment token (USDC has 6 decimals, credits 18). */
  private units(token: Token, cents: number): bigint {
    return BigInt(cents) * (token === "usdc" ? 10n ** 4n : 10n ** 16n);
  }

  /** The GRL/USD feed's answer (8 decimals) at an offset: it moves a little every other day. */
  private answerAt(offset: bigint): bigint {
    const steps = [50_000_000n, 55_000_000n, 52_000_000n, 48_000_000n, 51_000_000n];
    return steps[Number((offset / (2n * DAY)) % BigInt(steps.length))]!;
  }

  private providerOnline(spec: ProviderSpec, offset: bigint): boolean {
    if (offset < spec.joinsAt + 10n * 60n) return false;
    if (spec.offline !== undefined && offset >= spec.offline[0] - 10n * 60n && offset < spec.offline[1] + 10n * 60n) {
      return false;
    }
    return true;
  }

  /** Schedules the whole scenario. */
  async plan(): Promise<void> {
    const { protocol } = this;
    this.usdc = await protocol.usdc!.getAddress();
    this.settlementAddress = await protocol.settlement.getAddress();
    this.settlementGenesis = await protocol.settlement.epochStart(0);
    const s = this.start;

    // Onboarding.
    for (const spec of this.providerSpecs) this.scheduleOnboarding(spec);
    for (const [i, r] of this.renters.entries()) {
      this.schedule(s + BigInt(i), `fund renter ${r}`, async (at) => {
        const renter = this.wallet(r);
        await this.chain.send(this.deployer, protocol.usdc!, "mint", [renter.address, 100_000n * 10n ** 6n], at);
        await this.chain.send(renter, protocol.usdc!, "approve", [await protocol.market.getAddress(), MaxUint256], at);
        await this.chain.send(this.deployer, protocol.token, "transfer", [renter.address, 20_000n * GRL], at);
        await this.chain.send(renter, protocol.token, "approve", [this.settlementAddress, MaxUint256], at);
        // A credit job's dispute bond is GRL, pulled by the market.
        await this.chain.send(renter, protocol.token, "approve", [await protocol.market.getAddress(), MaxUint256], at);
        await this.chain.send(renter, protocol.settlement, "buyCredits", [renter.address, 1_000n * GRL, 0], at);
      });
    }

    // Inventory and stake changes while the market runs.
    this.schedule(s + 10n * HOUR, "profile update", (at) =>
      this.chain
        .send(this.wallet(1), protocol.registry, "updateProfile", ["ipfs://gridlease/p1-v2", 276], at)
        .then(() => {}),
    );
    this.schedule(s + 30n * HOUR, "remove L40S line", (at) =>
      this.chain.send(this.wallet(2), protocol.registry, "removeGpuLine", [modelId("L40S")], at).then(() => {}),
    );
    this.schedule(s + 40n * HOUR, "shrink A100 line", (at) =>
      this.chain
        .send(this.wallet(1), protocol.registry, "setGpuLine", [modelId("A100"), 6, 80, MODELS.A100!.tflopsX100], at)
        .then(() => {}),
    );
    this.schedule(s + 20n * HOUR, "unbond", (at) =>
      this.chain.send(this.wallet(3), protocol.registry, "requestUnbond", [1_000n * GRL], at).then(() => {}),
    );
    this.schedule(s + 30n * HOUR + 60n, "cancel unbond", (at) =>
      this.chain.send(this.wallet(3), protocol.registry, "cancelUnbond", [], at).then(() => {}),
    );
    this.schedule(s + 31n * HOUR, "unbond again", (at) =>
      this.chain.send(this.wallet(3), protocol.registry, "requestUnbond", [500n * GRL], at).then(() => {}),
    );
    this.schedule(s + 31n * HOUR + 7n * DAY + 60n, "withdraw unbonded", (at) =>
      this.chain.send(this.wallet(3), protocol.registry, "withdraw", [], at).then(() => {}),
    );
    for (const spec of this.providerSpecs) {
      if (spec.offline === undefined) continue;
      this.schedule(s + spec.offline[0], `provider ${spec.index} offline`, (at) =>
        this.chain.send(this.wallet(spec.index), protocol.registry, "setOnline", [false], at).then(() => {}),
      );
      this.schedule(s + spec.offline[1], `provider ${spec.index} online`, (at) =>
        this.chain.send(this.wallet(spec.index), protocol.registry, "setOnline", [true], at).then(() => {}),
      );
    }

    // Jobs.
    const plans = this.planJobs();
    let last = s;
    for (const job of plans) {
      this.scheduleJob(job);
      if (job.at > last) last = job.at;
    }

    // Housekeeping: oracle refreshes (1-day heartbeat) every 8 h, withdrawals every day.
    const end = last + 5n * DAY;
    for (let t = s + 8n * HOUR; t < end; t += 8n * HOUR) {
      this.schedule(t, "feed", async (at) => {
        this.grlUsdAnswer = this.answerAt(at - s);
        await this.chain.send(this.deployer, protocol.feed!, "setAnswer", [this.grlUsdAnswer], at);
      });
    }
    for (let t = s + DAY + 30n * 60n; t < end; t += DAY) this.schedule(t, "withdrawals", (at) => this.withdrawAll(at));

    // Emissions of the first epoch, once it ended.
    this.schedule(this.settlementGenesis + EPOCH_LENGTH + 300n, "claim emissions", async (at) => {
      for (const spec of this.providerSpecs) {
        const address = this.wallet(spec.index).address;
        if ((await protocol.settlement.gpuSecondsOf(0, address)) > 0n) {
          await this.chain.send(this.keeper, protocol.settlement, "claimEmission", [0, address], at);
        }
      }
    });
  }

  private scheduleOnboarding(spec: ProviderSpec): void {
    const { protocol } = this;
    const wallet = this.wallet(spec.index);
    this.schedule(
      this.start + spec.joinsAt + BigInt(spec.index) * 10n,
      `onboard provider ${spec.index}`,
      async (at) => {
        await this.chain.send(this.deployer, protocol.token, "transfer", [wallet.address, 40_000n * GRL], at);
        await this.chain.send(
          wallet,
          protocol.token,
          "approve",
          [await protocol.registry.getAddress(), MaxUint256],
          at,
        );
        await this.chain.send(wallet, protocol.registry, "register", [`ipfs://gridlease/p${spec.index}`, 840], at);
        await this.chain.send(wallet, protocol.registry, "stake", [30_000n * GRL], at);
        for (const line of spec.lines) {
          const m = MODELS[line.model]!;
          await this.chain.send(
            wallet,
            protocol.registry,
            "setGpuLine",
            [modelId(m.name), line.count, m.vramGb, m.tflopsX100],
            at,
          );
        }
        await this.chain.send(wallet, protocol.registry, "setOnline", [true], at);
      },
    );
  }

  private planJobs(): JobPlan[] {
    const o = this.options;
    const outcomes: { outcome: Outcome; token: Token }[] = [];
    for (const token of ["usdc", "credits"] as const)
      for (const outcome of ALL_OUTCOMES) outcomes.push({ outcome, token });
    // Interleave the payment paths and spread the outcomes.
    outcomes.sort((a, b) => ALL_OUTCOMES.indexOf(a.outcome) - ALL_OUTCOMES.indexOf(b.outcome));
    const firstWaveExtra = o.extraJobs - o.secondWaveJobs;
    for (let i = 0; i < firstWaveExtra; i++) {
      outcomes.splice(Math.floor(this.rand() * outcomes.length), 0, {
        outcome: this.rand() < 0.5 ? "settle" : "settle_second_price",
        token: this.rand() < 0.5 ? "usdc" : "credits",
      });
    }
    const plans: JobPlan[] = [];
    let at = this.start + 2n * HOUR;
    for (const [i, { outcome, token }] of outcomes.entries()) {
      if (i > 0 && i % o.quietEvery === 0) at += o.quietHours * HOUR;
      plans.push(this.planJob(at, i, outcome, token));
      at += o.spacing;
    }
    // The offline provider keeps serving a job it won before going offline.
    const offline = this.providerSpecs.find((p) => p.offline !== undefined);
    if (offline !== undefined) {
      plans.push({
        at: this.start + offline.offline![0] - 50n * 60n,
        renter: 5,
        token: "usdc",
        model: "H100",
        gpuCount: 1,
        duration: 3n * HOUR,
        outcome: "settle",
        bidders: [{ provider: offline.index, cents: 180, reveal: true }],
      });
    }
    if (o.secondWaveAt !== undefined) {
      let second = this.start + o.secondWaveAt;
      for (let i = 0; i < o.secondWaveJobs; i++) {
        const outcome: Outcome = i % 3 === 2 ? "instant_settle" : i % 2 === 0 ? "settle" : "settle_second_price";
        plans.push(this.planJob(second, outcomes.length + i, outcome, i % 2 === 0 ? "credits" : "usdc"));
        second += o.spacing;
      }
    }
    plans.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return plans;
  }

  private planJob(at: bigint, i: number, outcome: Outcome, token: Token): JobPlan {
    const model = JOB_MODELS[i % JOB_MODELS.length]!;
    const spec = MODELS[model]!;
    const gpuCount = 1 + Math.floor(this.rand() * spec.maxGpus);
    const durations = this.options.durations;
    const duration = durations[Math.floor(this.rand() * durations.length)]!;
    // Renters 5-8 come back; renter 9 rents once, late.
    const renter = i === 25 ? 9 : this.renters[Math.floor(this.rand() * 4)]!;
    const offset = at - this.start;
    const eligible = this.providerSpecs
      .filter((p) => p.lines.some((l) => l.model === model) && p.offline === undefined)
      .filter((p) => this.providerOnline(p, offset))
      .map((p) => p.index);
    const sealed = !["instant_settle", "instant_expired", "cancelled"].includes(outcome);
    const bidders: Bidder[] = [];
    if (sealed) {
      const count = Math.min(eligible.length, 1 + Math.floor(this.rand() * eligible.length));
      const chosen = [...eligible].sort(() => this.rand() - 0.5).slice(0, Math.max(count, 1));
      for (const [k, provider] of chosen.entries()) {
        const cents = Math.max(1, Math.round(spec.reserveCents * (0.55 + 0.42 * this.rand())));
        // In an expired auction nobody reveals; elsewhere the first bidder always does, others mostly.
        const reveal = outcome === "expired" ? false : k === 0 || this.rand() < 0.75;
        bidders.push({ provider, cents, reveal });
      }
      if (outcome === "settle_second_price" && chosen.length === 1 && eligible.length > 1) {
        const other = eligible.find((p) => p !== chosen[0])!;
        bidders.push({ provider: other, cents: spec.reserveCents - 5, reveal: true });
      }
    }
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    return {
      at,
      renter,
      token,
      model,
      gpuCount,
      duration,
      outcome,
      bidders,
      acceptor: outcome === "instant_settle" ? eligible[Math.floor(this.rand() * eligible.length)] : undefined,
    };
  }

  private scheduleJob(plan: JobPlan): void {
    const { protocol, chain } = this;
    const renter = this.wallet(plan.renter);
    const spec = MODELS[plan.model]!;
    const instant = ["instant_settle", "instant_expired", "cancelled"].includes(plan.outcome);
    const rule = instant ? 2 : plan.outcome === "settle_second_price" ? 1 : 0;
    const reserve = this.units(plan.token, spec.reserveCents);
    this.schedule(plan.at, `create ${plan.outcome}`, async (at) => {
      const created = await chain.send(
        renter,
        protocol.market,
        "createJob",
        [
          {
            paymentToken: this.tokenAddress(plan.token),
            gpuModel: modelId(plan.model),
            gpuCount: plan.gpuCount,
            minVramGb: spec.vramGb,
            region: 0,
            minReputation: 0,
            duration: plan.duration,
            reservePricePerGpuHour: reserve,
            pricingRule: rule,
            bidWindow: WINDOW,
            revealWindow: instant ? 0 : WINDOW,
            specHash: workloadSpecHash(`indexer-scenario/${plan.outcome}`),
          },
        ],
        at,
      );
      const jobId = ++this.jobCount;
      const bidDeadline = created + WINDOW;
      const revealDeadline = instant ? bidDeadline : bidDeadline + WINDOW;
      if (plan.outcome === "cancelled") {
        this.schedule(created + 30n, "cancel", (t) =>
          chain.send(renter, protocol.market, "cancelJob", [jobId], t).then(() => {}),
        );
        return;
      }
      if (plan.outcome === "instant_expired") {
        this.schedule(revealDeadline + 10n, "expire instant", (t) =>
          chain.send(this.keeper, protocol.market, "award", [jobId], t).then(() => {}),
        );
        return;
      }
      if (plan.outcome === "instant_settle") {
        const acceptor = plan.acceptor!;
        this.schedule(created + 30n, "accept", async (t) => {
          const awarded = await chain.send(this.wallet(acceptor), protocol.market, "acceptInstant", [jobId], t);
          this.afterAward(plan, jobId, acceptor, awarded);
        });
        return;
      }
      for (const [k, b] of plan.bidders.entries()) {
        const salt = keccakId(`salt-${jobId}-${b.provider}`);
        const price = this.units(plan.token, b.cents);
        this.schedule(created + 10n + BigInt(k), "commit", async (t) => {
          const provider = this.wallet(b.provider);
          const commitment = await protocol.market.bidCommitment(jobId, provider.address, price, salt);
          await chain.send(provider, protocol.market, "commitBid", [jobId, commitment], t);
        });
        if (b.reveal) {
          this.schedule(bidDeadline + 10n + BigInt(k), "reveal", (t) =>
            chain.send(this.wallet(b.provider), protocol.market, "revealBid", [jobId, price, salt], t).then(() => {}),
          );
        }
      }
      const revealed = plan.bidders.filter((b) => b.reveal);
      // Lowest price wins; among equal prices the earliest reveal (the bidders reveal in list order).
      const winner = revealed.reduce<Bidder | undefined>(
        (best, b) => (best === undefined || b.cents < best.cents ? b : best),
        undefined,
      );
      this.schedule(revealDeadline + 10n, "award", async (t) => {
        const awarded = await chain.send(this.keeper, protocol.market, "award", [jobId], t);
        for (const [k, b] of plan.bidders.entries()) {
          if (winner !== undefined && b.provider === winner.provider) continue;
          this.schedule(awarded + 5n + BigInt(k), "close bid", (t2) =>
            chain
              .send(this.keeper, protocol.market, "closeBid", [jobId, this.wallet(b.provider).address], t2)
              .then(() => {}),
          );
        }
        if (winner !== undefined) this.afterAward(plan, jobId, winner.provider, awarded);
      });
    });
  }

  private afterAward(plan: JobPlan, jobId: bigint, winner: number, awarded: bigint): void {
    const { protocol, chain } = this;
    const provider = this.wallet(winner);
    const renter = this.wallet(plan.renter);
    if (plan.outcome === "no_show") {
      this.schedule(awarded + START_WINDOW + 10n, "fail no-show", (t) =>
        chain.send(this.keeper, protocol.market, "failJob", [jobId], t).then(() => {}),
      );
      return;
    }
    this.schedule(awarded + 20n, "start", async (t) => {
      const started = await chain.send(provider, protocol.market, "startJob", [jobId], t);
      const ends = started + plan.duration;
      const claim = (at: bigint) =>
        this.schedule(at, "claim", (t2) => chain.send(provider, protocol.market, "claim", [jobId], t2).then(() => {}));
      if (plan.outcome === "stopped") {
        claim(started + plan.duration / 4n);
        this.schedule(started + (3n * plan.duration) / 4n, "stop", (t2) =>
          chain.send(renter, protocol.market, "stopJob", [jobId], t2).then(() => {}),
        );
        return;
      }
      claim(started + plan.duration / 2n);
      if (plan.outcome === "late") {
        this.schedule(ends + DELIVERY_GRACE + 10n, "fail late", (t2) =>
          chain.send(this.keeper, protocol.market, "failJob", [jobId], t2).then(() => {}),
        );
        return;
      }
      const deliverAt = plan.outcome === "early_delivery" ? started + plan.duration / 2n + 60n : ends + 10n;
      this.schedule(deliverAt, "deliver", async (t2) => {
        const delivered = await chain.send(
          provider,
          protocol.market,
          "deliver",
          [jobId, keccakId(`result-${jobId}`), `ipfs://result/${jobId}`],
          t2,
        );
        if (
          plan.outcome === "settle" ||
          plan.outcome === "settle_second_price" ||
          plan.outcome === "instant_settle" ||
          plan.outcome === "early_delivery"
        ) {
          if (plan.outcome === "settle") claim(delivered + 60n);
          this.schedule(delivered + CHALLENGE_WINDOW + 10n, "settle", (t3) =>
            chain.send(this.keeper, protocol.market, "settle", [jobId], t3).then(() => {}),
          );
          return;
        }
        this.schedule(delivered + 600n, "dispute", async (t3) => {
          const disputed = await chain.send(
            renter,
            protocol.market,
            "dispute",
            [jobId, keccakId(`evidence-${jobId}`)],
            t3,
          );
          if (plan.outcome === "dispute_timeout") {
            this.schedule(disputed + DISPUTE_TIMEOUT + 10n, "dispute timeout", (t4) =>
              chain.send(this.keeper, protocol.market, "settleDisputeTimeout", [jobId], t4).then(() => {}),
            );
          } else {
            const ruling = plan.outcome === "dispute_provider_fault" ? 0 : 1;
            this.schedule(disputed + HOUR, "rule", (t4) =>
              chain.send(this.deployer, protocol.market, "resolveDispute", [jobId, ruling], t4).then(() => {}),
            );
          }
        });
      });
    });
  }

  private async withdrawAll(at: bigint): Promise<void> {
    const { protocol, chain } = this;
    const accounts = [
      this.deployer,
      ...this.providerSpecs.map((p) => this.wallet(p.index)),
      ...this.renters.map((r) => this.wallet(r)),
    ];
    for (const account of accounts) {
      if ((await protocol.market.balanceOf(this.usdc, account.address)) > 0n) {
        await chain.send(account, protocol.market, "withdraw", [this.usdc, account.address], at);
      }
      const earnings = await protocol.settlement.earningsOf(account.address);
      if (earnings > 0n && (await protocol.settlement.quoteGrl(earnings)) > 0n) {
        await chain.send(account, protocol.settlement, "withdrawEarnings", [account.address], at);
      }
    }
  }

  /** Runs every scheduled action due before `until` (all of them without it), in time order. */
  async runUntil(until?: bigint): Promise<void> {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const a = this.queue[i]!;
        const best = this.queue[next];
        if (best === undefined || a.at < best.at || (a.at === best.at && a.seq < best.seq)) next = i;
      }
      if (next === -1) return;
      const action = this.queue[next]!;
      if (until !== undefined && action.at >= until) return;
      this.queue.splice(next, 1);
      try {
        await action.run(action.at);
      } catch (error) {
        throw new Error(
          `scenario action "${action.label}" at +${action.at - this.start}s failed: ${(error as Error).message}`,
        );
      }
      this.actions++;
    }
  }

  get pending(): number {
    return this.queue.length;
  }
}
