// Who is in the simulated market: providers with inventories, prices and habits, and renters with
// workloads, budgets and habits. Pure data drawn from the seed; nothing here touches the chain.
import { GPU_MODELS } from "../sdk/index.ts";
import { MARKET, microUsd, type GpuModelName, type RegionName } from "./market-data.ts";
import type { Random } from "./random.ts";
import type { PricingRuleName } from "../sdk/index.ts";

export type ProviderKind = "datacenter" | "gpu-cloud" | "boutique" | "prosumer";
export type RenterKind = "ml-lab" | "startup" | "agent" | "hobbyist";
export type PaymentPath = "usdc" | "credits";

export interface GpuLinePlan {
  model: GpuModelName;
  count: number;
  vramGb: number;
  tflops: number;
}

export interface ProviderProfile {
  /** Derivation index of its account under Hardhat's mnemonic. */
  accountIndex: number;
  name: string;
  kind: ProviderKind;
  region: RegionName;
  lines: GpuLinePlan[];
  /** Lowest price per GPU-hour it takes, per listed model, in micro-dollars. */
  floor: Partial<Record<GpuModelName, bigint>>;
  /** It bids its floor times (1 + a uniform draw in [0, markup]). */
  markup: number;
  /** Chance it bids on a job it is eligible for and can price under the reserve. */
  bidInterest: number;
  /** Minutes it takes to notice a job, start an awarded one, and so on. */
  reactionMinutes: readonly [number, number];
  /** Per-bid chance it commits and never reveals (its bid bond is forfeited). */
  nonRevealRate: number;
  /** Per-award chance it never starts (the job fails as a no-show). */
  noShowRate: number;
  /** Per-job chance the result is bad (the renter disputes and wins). */
  badDeliveryRate: number;
  /** Per-job chance it misses the delivery deadline (the job fails as late). */
  lateDeliveryRate: number;
  /** Per-job chance it claims streamed pay halfway through. */
  midRunClaimRate: number;
  /** Daily chance it goes offline for a while (maintenance, or its owner gaming). */
  offlinePerDay: number;
  offlineHours: readonly [number, number];
  /** GRL staked beyond the per-GPU minimum, to back bid bonds and collateral. */
  stakeMarginGrl: bigint;
}

export interface RenterProfile {
  accountIndex: number;
  name: string;
  kind: RenterKind;
  /** Mean jobs per day while active. */
  jobsPerDay: number;
  /** The simulated day it shows up. */
  joinsOnDay: number;
  /** Jobs it will ever post (a one-off user posts one or two), or undefined for a regular. */
  jobLimit: number | undefined;
  /** The day it stops posting (it moved on), or undefined if it stays. */
  leavesOnDay: number | undefined;
  models: readonly (readonly [GpuModelName, number])[];
  rules: readonly (readonly [PricingRuleName, number])[];
  /** Share of its jobs paid in USD credits bought with GRL (the rest in USDC). */
  creditsShare: number;
  durationMinutes: readonly [number, number];
  /** Reserve = a uniform draw in this range of [decentralHigh, hyperscaler] (0 = decentralHigh). */
  reserveSpread: readonly [number, number];
  /** Per-job chance it sets a bargain reserve, under most providers' floors (the job often expires). */
  bargainRate: number;
  stopRate: number;
  /** Per-job chance it disputes a good delivery (and loses). */
  frivolousDisputeRate: number;
  /** Per-job chance it changes its mind right after posting (cancels before any bid). */
  cancelRate: number;
  minReputation: number;
  /** Chance a job must run in its home region. */
  regionLock: number;
  home: RegionName;
}

const vramOf = (model: GpuModelName): number => GPU_MODELS.find((m) => m.name === model)!.vramGb;
const tflopsOf = (model: GpuModelName): number => GPU_MODELS.find((m) => m.name === model)!.tflops;

function line(model: GpuModelName, count: number): GpuLinePlan {
  return { model, count, vramGb: vramOf(model), tflops: tflopsOf(model) };
}

/** Account derivation indexes: Hardhat's 20 funded accounts stay free for people using the CLI. */
export const ACCOUNTS = { keeper: 20, firstProvider: 100, firstRenter: 300 } as const;

const DC_REGIONS: RegionName[] = ["US", "US", "DE", "NL", "FI", "SE", "IS", "NO", "SG", "JP"];
const CLOUD_REGIONS: RegionName[] = ["US", "US", "CA", "DE", "FR", "GB", "NL", "SG", "JP", "KR"];
const HOME_REGIONS: RegionName[] = ["US", "US", "CA", "BR", "DE", "FR", "GB", "SE", "KR", "JP", "IN"];

function floorFor(rng: Random, model: GpuModelName, position: number): bigint {
  // position in [0, 1]: 0 = the cheapest decentralized quote, 1 = the dearest. Floors sit a little
  // under the quoted band, since providers bid above their floor.
  const m = MARKET[model];
  const usd = (m.decentralLow + (m.decentralHigh - m.decentralLow) * position) * rng.uniform(0.85, 0.97);
  return microUsd(usd);
}

function provider(rng: Random, i: number, kind: ProviderKind, ordinal: number): ProviderProfile {
  const lines: GpuLinePlan[] = [];
  let region: RegionName;
  switch (kind) {
    case "datacenter":
      region = rng.pick(DC_REGIONS);
      lines.push(line("H100", 8 * rng.int(1, 3)));
      // Every other data centre also runs an H200 pod.
      if (ordinal % 2 === 0) lines.push(line("H200", 8 * rng.int(1, 2)));
      break;
    case "gpu-cloud":
      region = rng.pick(CLOUD_REGIONS);
      lines.push(line("A100", 8 * rng.int(1, 2)));
      lines.push(line("L40S", 4 * rng.int(1, 3)));
      if (rng.chance(0.3)) lines.push(line("H100", 8));
      break;
    case "boutique":
      region = rng.pick(CLOUD_REGIONS);
      if (rng.chance(0.5)) lines.push(line("L40S", rng.int(2, 6)));
      else lines.push(line("A100", rng.int(2, 6)));
      if (rng.chance(0.5)) lines.push(line("RTX4090", rng.int(4, 12)));
      break;
    case "prosumer":
      region = rng.pick(HOME_REGIONS);
      lines.push(
        line(
          "RTX4090",
          rng.weighted([
            [1, 5],
            [2, 3],
            [4, 1],
          ]),
        ),
      );
      break;
  }
  const position = rng.float();
  const floor: Partial<Record<GpuModelName, bigint>> = {};
  for (const l of lines) floor[l.model] = floorFor(rng, l.model, position);
  const gpus = lines.reduce((sum, l) => sum + l.count, 0);
  const careful = kind === "datacenter" || kind === "gpu-cloud";
  return {
    accountIndex: ACCOUNTS.firstProvider + i,
    name: `${kind}-${region.toLowerCase()}-${i}`,
    kind,
    region,
    lines,
    floor,
    markup: rng.uniform(0.05, 0.3),
    bidInterest: rng.uniform(0.55, 0.95),
    reactionMinutes: kind === "prosumer" ? [1, 8] : [0.5, 4],
    nonRevealRate: rng.uniform(0.01, careful ? 0.03 : 0.08),
    noShowRate: rng.uniform(0.003, careful ? 0.015 : 0.05),
    badDeliveryRate: rng.uniform(0.003, careful ? 0.015 : 0.04),
    lateDeliveryRate: rng.uniform(0, careful ? 0.005 : 0.02),
    midRunClaimRate: rng.uniform(0.2, 0.7),
    offlinePerDay: kind === "prosumer" ? rng.uniform(0.4, 0.8) : rng.uniform(0.02, 0.12),
    offlineHours: kind === "prosumer" ? [2, 6] : [1, 4],
    // Enough for a dozen concurrent bids at the reserve even if GRL halves.
    stakeMarginGrl: BigInt(2_000 + gpus * rng.int(300, 600)),
  };
}

interface RenterTemplate {
  jobsPerDay: readonly [number, number];
  models: readonly (readonly [GpuModelName, number])[];
  rules: readonly (readonly [PricingRuleName, number])[];
  creditsShare: readonly [number, number];
  durationMinutes: readonly [number, number];
  reserveSpread: readonly [number, number];
  minReputation: readonly [number, number];
}

const RENTERS: Record<RenterKind, RenterTemplate> = {
  // Training runs: big multi-GPU jobs for hours, sealed auctions, mostly paid in USDC.
  "ml-lab": {
    jobsPerDay: [4, 7],
    models: [
      ["H100", 5],
      ["H200", 2],
      ["A100", 3],
    ],
    rules: [
      ["FirstPrice", 1],
      ["SecondPrice", 1],
    ],
    creditsShare: [0, 0.3],
    durationMinutes: [240, 1440],
    reserveSpread: [0.1, 0.45],
    minReputation: [3000, 4500],
  },
  // Fine-tuning and batch inference: mid-sized jobs, either payment path.
  startup: {
    jobsPerDay: [2, 4],
    models: [
      ["A100", 4],
      ["L40S", 3],
      ["H100", 2],
    ],
    rules: [
      ["FirstPrice", 2],
      ["SecondPrice", 1],
      ["Instant", 1],
    ],
    creditsShare: [0.3, 0.8],
    durationMinutes: [120, 720],
    reserveSpread: [0, 0.35],
    minReputation: [0, 3500],
  },
  // Autonomous agents: short jobs, right now, at a fixed price (INSTANT), paid in credits.
  agent: {
    jobsPerDay: [4, 10],
    models: [
      ["L40S", 3],
      ["RTX4090", 4],
      ["A100", 2],
      ["H100", 1],
    ],
    rules: [["Instant", 1]],
    creditsShare: [0.6, 1],
    durationMinutes: [15, 240],
    reserveSpread: [0, 0.2],
    minReputation: [0, 4000],
  },
  // Students and tinkerers: one RTX 4090 for an evening, once or twice.
  hobbyist: {
    jobsPerDay: [1, 2.5],
    models: [
      ["RTX4090", 5],
      ["L40S", 1],
    ],
    rules: [
      ["FirstPrice", 2],
      ["Instant", 1],
    ],
    creditsShare: [0, 0.3],
    durationMinutes: [60, 480],
    reserveSpread: [0, 0.3],
    minReputation: [0, 0],
  },
};

function renter(
  rng: Random,
  index: number,
  kind: RenterKind,
  joinsOnDay: number,
  oneOff: boolean,
  staysDays: number | undefined,
): RenterProfile {
  const t = RENTERS[kind];
  return {
    accountIndex: ACCOUNTS.firstRenter + index,
    name: `${kind}-${index}`,
    kind,
    jobsPerDay: rng.uniform(...t.jobsPerDay),
    joinsOnDay,
    jobLimit: oneOff ? rng.int(1, 2) : undefined,
    leavesOnDay: staysDays === undefined ? undefined : joinsOnDay + staysDays,
    models: t.models,
    rules: t.rules,
    creditsShare: rng.uniform(...t.creditsShare),
    durationMinutes: t.durationMinutes,
    reserveSpread: t.reserveSpread,
    bargainRate: rng.uniform(0.02, 0.1),
    stopRate: rng.uniform(0.02, 0.08),
    frivolousDisputeRate: rng.uniform(0.003, 0.02),
    cancelRate: rng.uniform(0.01, 0.04),
    minReputation: rng.int(t.minReputation[0], t.minReputation[1]),
    regionLock: kind === "ml-lab" ? 0.15 : 0.03,
    home: rng.pick(HOME_REGIONS),
  };
}

export interface Population {
  providers: ProviderProfile[];
  renters: RenterProfile[];
}

export interface PopulationOptions {
  /** Providers in the market (default: 28-36, drawn). */
  providers?: number;
}

/** The market on day 0. */
export function initialPopulation(rng: Random, options: PopulationOptions = {}): Population {
  const providerCount = options.providers ?? rng.int(28, 36);
  // A fixed mix, shuffled: about a quarter data centres, a third GPU clouds, the rest small operators.
  const datacenters = Math.max(1, Math.round(providerCount * 0.27));
  const clouds = Math.round(providerCount * 0.3);
  const boutiques = Math.round(providerCount * 0.15);
  const kinds = rng.sample(
    Array.from(
      { length: providerCount },
      (_, i): ProviderKind =>
        i < datacenters
          ? "datacenter"
          : i < datacenters + clouds
            ? "gpu-cloud"
            : i < datacenters + clouds + boutiques
              ? "boutique"
              : "prosumer",
    ),
    providerCount,
  );
  const seen = new Map<ProviderKind, number>();
  const providers = kinds.map((kind, i) => {
    const ordinal = seen.get(kind) ?? 0;
    seen.set(kind, ordinal + 1);
    return provider(rng, i, kind, ordinal);
  });
  const renters: RenterProfile[] = [];
  const add = (kind: RenterKind, count: number) => {
    for (let i = 0; i < count; i++) renters.push(renter(rng, renters.length, kind, 0, false, undefined));
  };
  add("ml-lab", rng.int(6, 8));
  add("startup", rng.int(7, 10));
  add("agent", rng.int(4, 6));
  add("hobbyist", rng.int(4, 7));
  return { providers, renters };
}

/**
 * Renters that show up on `day`: mostly one-off hobbyists, sometimes a startup or an agent that stays
 * a few weeks (so a long run's demand levels off instead of growing without end).
 */
export function newcomers(rng: Random, day: number, firstIndex: number): RenterProfile[] {
  const arrivals: RenterProfile[] = [];
  const count = rng.poisson(2);
  for (let i = 0; i < count; i++) {
    const stays = rng.chance(0.25);
    const kind: RenterKind = stays
      ? rng.weighted<RenterKind>([
          ["startup", 2],
          ["agent", 1],
        ])
      : "hobbyist";
    arrivals.push(renter(rng, firstIndex + i, kind, day, !stays, stays ? rng.int(7, 30) : undefined));
  }
  return arrivals;
}

/** Whether the renter posts jobs on `day`. */
export function activeOn(profile: RenterProfile, day: number, jobsPosted: number): boolean {
  if (profile.joinsOnDay > day) return false;
  if (profile.leavesOnDay !== undefined && day >= profile.leavesOnDay) return false;
  return profile.jobLimit === undefined || jobsPosted < profile.jobLimit;
}
