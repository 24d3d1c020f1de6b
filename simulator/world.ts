// What the simulated actors know at run time: their accounts, what they have committed to, and the
// jobs they take part in. It mirrors the chain only from the events of the actors' own
// transactions, as a real off-chain agent would.
import type { SimContext } from "./context.ts";
import { REGIONS, type GpuModelName } from "./market-data.ts";
import type { PricingRuleName } from "../sdk/index.ts";
import type { PaymentPath, ProviderProfile, RenterProfile } from "./population.ts";

export interface SimProvider {
  profile: ProviderProfile;
  address: string;
  onboarded: boolean;
  online: boolean;
  reputation: number;
  /** GPUs per model promised to open bids, awarded jobs and running jobs. */
  committed: Map<GpuModelName, number>;
  /** Scheduled to come back online at this time (while offline). */
  backOnlineAt: number | undefined;
}

export interface SimRenter {
  profile: RenterProfile;
  address: string;
  enlisted: boolean;
  jobsPosted: number;
}

export type JobPhase = "bidding" | "awarded" | "running" | "delivered" | "disputed" | "closed";

export interface SimBid {
  provider: SimProvider;
  price: bigint;
  salt: string;
  reveals: boolean;
  status: "planned" | "committed" | "revealed" | "closed";
}

export interface SimJob {
  id: bigint;
  /**
   * The context its renter posted it through, whose random streams its lifecycle draws from (an
   * adversary's for the jobs it posts): the actors reacting to its chain events act through it.
   */
  ctx: SimContext;
  renter: SimRenter;
  payment: PaymentPath;
  token: string;
  decimals: number;
  model: GpuModelName;
  gpus: number;
  durationSeconds: number;
  region: number;
  minReputation: number;
  minVramGb: number;
  /** The workload's spec hash (JobRequest.specHash), which sealed bids commit to. */
  specHash: string;
  /** Per GPU-hour, in the payment token's units. */
  reserve: bigint;
  rule: PricingRuleName;
  createdAt: number;
  bidDeadline: number;
  revealDeadline: number;
  phase: JobPhase;
  bids: Map<string, SimBid>;
  winner: SimProvider | undefined;
  clearing: bigint;
  value: bigint;
  startDeadline: number;
  startedAt: number;
  deliveredAt: number;
  deliveryDeadline: number;
  challengeDeadline: number;
  disputeDeadline: number;
  /** Decided when the job starts: the provider will deliver a bad result, or miss the deadline. */
  badResult: boolean;
  late: boolean;
}

export class World {
  readonly providers: SimProvider[] = [];
  readonly renters: SimRenter[] = [];
  /** Jobs still in progress, by id (closed jobs are dropped). */
  readonly jobs = new Map<bigint, SimJob>();
  private readonly providerByAddress = new Map<string, SimProvider>();

  addProvider(profile: ProviderProfile, address: string): SimProvider {
    const provider = newProvider(profile, address);
    this.providers.push(provider);
    this.providerByAddress.set(address.toLowerCase(), provider);
    return provider;
  }

  addRenter(profile: RenterProfile, address: string): SimRenter {
    const renter: SimRenter = { profile, address, enlisted: false, jobsPosted: 0 };
    this.renters.push(renter);
    return renter;
  }

  providerAt(address: string): SimProvider | undefined {
    return this.providerByAddress.get(address.toLowerCase());
  }

  /**
   * A chain event moved job `id` to `phase`, with `fields` (its new deadlines) from the event; returns
   * the job, or undefined when it is not one the simulation follows (an adversary's own, or closed).
   */
  advance(id: bigint, phase: JobPhase, fields: Partial<SimJob>): SimJob | undefined {
    const job = this.jobs.get(id);
    if (job !== undefined) Object.assign(job, fields, { phase });
    return job;
  }

  /** The job reached a final state: nothing more to plan for it. */
  close(job: SimJob): void {
    job.phase = "closed";
    this.jobs.delete(job.id);
  }
}

/**
 * A provider not yet onboarded. The market's own providers are made by World.addProvider; adversaries
 * make theirs here, outside the world, so that no honest code path ever picks them.
 */
export function newProvider(profile: ProviderProfile, address: string): SimProvider {
  return {
    profile,
    address,
    onboarded: false,
    online: false,
    reputation: 5_000,
    committed: new Map(),
    backOnlineAt: undefined,
  };
}

/** GPUs of `model` the provider lists and has not promised elsewhere. */
export function freeGpus(provider: SimProvider, model: GpuModelName): number {
  const line = provider.profile.lines.find((l) => l.model === model);
  if (line === undefined) return 0;
  return line.count - (provider.committed.get(model) ?? 0);
}

export function reserveGpus(provider: SimProvider, model: GpuModelName, count: number): void {
  provider.committed.set(model, (provider.committed.get(model) ?? 0) + count);
}

export function releaseGpus(provider: SimProvider, model: GpuModelName, count: number): void {
  const left = (provider.committed.get(model) ?? 0) - count;
  if (left < 0) throw new Error(`${provider.profile.name} released more ${model} GPUs than it had promised`);
  provider.committed.set(model, left);
}

/** Whether the provider may take the job as the registry would judge it, plus its own capacity. */
export function canServe(provider: SimProvider, job: SimJob): boolean {
  if (!provider.onboarded || !provider.online) return false;
  const line = provider.profile.lines.find((l) => l.model === job.model);
  if (line === undefined || line.vramGb < job.minVramGb) return false;
  if (job.region !== 0 && job.region !== REGIONS[provider.profile.region]) return false;
  if (provider.reputation < job.minReputation) return false;
  return freeGpus(provider, job.model) >= job.gpus;
}
