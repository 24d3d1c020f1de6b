// Adversaries' accounts: providers (a farmer's own, sybils) and renters made outside the world, onboarded
// with the honest providers' own transactions (actions/onboarding.ts), and sybils that show themselves
// online only while they bid.
import { GPU_MODELS } from "../../sdk/index.ts";
import { hardhatAddress } from "../accounts.ts";
import { onboard } from "../actions/onboarding.ts";
import type { GpuModelName } from "../market-data.ts";
import type { ProviderProfile, RenterProfile } from "../population.ts";
import { newProvider, type SimProvider, type SimRenter } from "../world.ts";
import type { AdversaryContext } from "./context.ts";

/**
 * Derivation indexes of adversaries' accounts: far above the market's (providers from 100, renters from
 * 300 and one more for each newcomer), so that a long run's renters never reach them.
 */
export const ADVERSARY_ACCOUNTS = { farmer: 10_000, shill: 10_100, squatter: 10_200 } as const;

/** A provider listing `lines` (model and count) in the US, with `marginGrl` staked beyond the per-GPU minimum. */
export function adversaryProvider(
  ctx: AdversaryContext,
  accountIndex: number,
  name: string,
  lines: readonly (readonly [GpuModelName, number])[],
  marginGrl: number,
): SimProvider {
  const profile: ProviderProfile = {
    accountIndex,
    name,
    kind: "datacenter",
    region: "US",
    lines: lines.map(([model, count]) => {
      const m = GPU_MODELS.find((g) => g.name === model)!;
      return { model, count, vramGb: m.vramGb, tflops: m.tflops };
    }),
    // The rest of a profile drives honest habits, which no code path applies to an adversary's provider.
    floor: {},
    markup: 0,
    bidInterest: 0,
    reactionMinutes: [0.25, 1],
    nonRevealRate: 0,
    noShowRate: 0,
    badDeliveryRate: 0,
    lateDeliveryRate: 0,
    midRunClaimRate: 0,
    offlinePerDay: 0,
    offlineHours: [0, 0],
    stakeMarginGrl: BigInt(marginGrl),
  };
  const provider = newProvider(profile, hardhatAddress(accountIndex));
  ctx.adopt(provider.address);
  return provider;
}

/** What an adversary's renter posts: the rest of a renter's profile is an honest renter's habits, which it has none of. */
export type AdversaryRenterHabits = Pick<
  RenterProfile,
  "name" | "kind" | "jobsPerDay" | "models" | "rules" | "durationMinutes" | "reserveSpread"
>;

/** A renter account that never posts on its own (its adversary does), paying in USDC from the US. */
export function adversaryRenter(ctx: AdversaryContext, accountIndex: number, habits: AdversaryRenterHabits): SimRenter {
  const profile: RenterProfile = {
    ...habits,
    accountIndex,
    joinsOnDay: 0,
    jobLimit: undefined,
    leavesOnDay: undefined,
    creditsShare: 0,
    bargainRate: 0,
    stopRate: 0,
    frivolousDisputeRate: 0,
    cancelRate: 0,
    minReputation: 0,
    regionLock: 0,
    home: "US",
  };
  const renter: SimRenter = { profile, address: hardhatAddress(accountIndex), enlisted: false, jobsPosted: 0 };
  ctx.adopt(renter.address);
  return renter;
}

/** Onboards `providers` in turn from `at`; returns the time after the last transaction. */
export async function onboardAll(
  ctx: AdversaryContext,
  providers: readonly SimProvider[],
  at: number,
): Promise<number> {
  let time = at;
  for (const p of providers) {
    const { time: next, resumed } = await onboard(ctx, p, time);
    time = next;
    // onboard's last step puts a new provider online (the engine learns that from the event only for its own providers).
    if (!resumed && p.onboarded) p.online = true;
  }
  return time;
}

/**
 * Sybils online only while they hold bids: eligibility needs them online from commit to reveal, and
 * listing their GPUs the rest of the time would inflate the market's available GPU-seconds.
 */
export class OnlinePool {
  private readonly holds = new Map<SimProvider, number>();

  constructor(private readonly ctx: AdversaryContext) {}

  /** Onboards `sybils` from `at` and takes them offline until they first bid; returns the time after onboarding. */
  async onboard(sybils: readonly SimProvider[], at: number): Promise<number> {
    const time = await onboardAll(this.ctx, sybils, at);
    for (const sybil of sybils) await this.retire(sybil);
    return time;
  }

  /** Takes `p` offline after onboarding, until it first bids. */
  private async retire(p: SimProvider): Promise<void> {
    if (p.online && (await this.setOnline(p, false))) p.online = false;
  }

  /** `p` is about to bid: online if it was not. False if it could not come online. */
  async hold(p: SimProvider): Promise<boolean> {
    if (!p.online && !(await this.setOnline(p, true))) return false;
    p.online = true;
    this.holds.set(p, (this.holds.get(p) ?? 0) + 1);
    return true;
  }

  /** `p` closed a bid: offline once it holds none. */
  async release(p: SimProvider): Promise<void> {
    const left = (this.holds.get(p) ?? 1) - 1;
    this.holds.set(p, left);
    if (left === 0 && p.online && (await this.setOnline(p, false))) p.online = false;
  }

  private async setOnline(p: SimProvider, online: boolean): Promise<boolean> {
    const data = this.ctx.protocol.registry.interface.encodeFunctionData("setOnline", [online]);
    return (
      await this.ctx.send(
        p.address,
        this.ctx.addresses.registry,
        data,
        this.ctx.now,
        `online=${online} ${p.profile.name}`,
      )
    ).ok;
  }
}
