// What the protocol's event history says every balance should be: the market's per-token ledger and
// the escrow of open jobs, the settlement's credits, earnings, cost bases and mint queue, emissions,
// and GRL's supply and stake. Built from events alone, for reconcile's checks to hold against the
// contracts' state.
import type { ProtocolEvent } from "../../sdk/contracts.ts";

/** Signed balances per account (lower-case address). */
export class Book {
  private readonly balances = new Map<string, bigint>();

  add(account: string, amount: bigint): void {
    if (amount === 0n) return;
    const key = account.toLowerCase();
    this.balances.set(key, (this.balances.get(key) ?? 0n) + amount);
  }

  entries(): [string, bigint][] {
    return [...this.balances];
  }

  total(): bigint {
    let sum = 0n;
    for (const v of this.balances.values()) sum += v;
    return sum;
  }
}

/**
 * One epoch's emissions as its events tell them: the budget fixed by the first record, the
 * GPU-seconds, each provider's GPU-seconds and fees (the cap) recorded and not yet claimed, and the
 * claims, each recomputed from the records before it: min(floor(budget x seconds / epoch seconds),
 * floor(fees x 1e18 / price at the claim)).
 */
export interface EmissionBook {
  budget: bigint;
  gpuSeconds: bigint;
  claimed: bigint;
  shares: bigint;
  records: Map<string, { gpuSeconds: bigint; feesUsd: bigint }>;
}

/** Running sums over the whole history. */
export interface Sums {
  creditsBought: bigint;
  creditsSpent: bigint;
  creditsRefunded: bigint;
  earningsAccrued: bigint;
  earningsWithdrawnUsd: bigint;
  grlOwedForEarnings: bigint;
  mintedNow: bigint;
  queued: bigint;
  earningsMinted: bigint;
  earningsMintedToCustody: bigint;
  queueClaimed: bigint;
  emissions: bigint;
  tokensMinted: bigint;
  tokensBurned: bigint;
  burnedForCredits: bigint;
  slashedBurned: bigint;
  slashedTotal: bigint;
  staked: bigint;
  stakeWithdrawn: bigint;
}

type Args<K extends ProtocolEvent["name"]> = Extract<ProtocolEvent, { name: K }>["args"];

const bump = (m: Map<string, bigint>, k: string, v: bigint): void => void m.set(k, (m.get(k) ?? 0n) + v);

export class EventTally {
  /** Market: each job's payment token, its dispute bond (token and amount) and the jobs still open. */
  readonly jobToken = new Map<bigint, string>();
  readonly bonds = new Map<bigint, { token: string; amount: bigint }>();
  readonly open = new Set<bigint>();
  /** Market, per token: money in (escrow, dispute bonds), withdrawn, and credited to each account. */
  readonly inflow = new Map<string, bigint>();
  readonly withdrawn = new Map<string, bigint>();
  private readonly credited = new Map<string, Book>();
  /** Settlement: credits and earnings per account. */
  readonly credits = new Book();
  readonly earnings = new Book();
  /** Cost basis (ISettlement "Cost basis"): the GRL behind each account's credits, each earner's GRL cap. */
  readonly bases = new Map<string, bigint>();
  readonly caps = new Map<string, bigint>();
  /** Basis or cap events that do not follow from the previous one. */
  basisMismatches = 0;
  readonly emissionBooks = new Map<bigint, EmissionBook>();
  readonly emission = { recordMismatches: 0, claims: 0, claimMismatches: 0, capped: 0, overFees: 0 };
  readonly sums: Sums = {
    creditsBought: 0n,
    creditsSpent: 0n,
    creditsRefunded: 0n,
    earningsAccrued: 0n,
    earningsWithdrawnUsd: 0n,
    grlOwedForEarnings: 0n,
    mintedNow: 0n,
    queued: 0n,
    earningsMinted: 0n,
    earningsMintedToCustody: 0n,
    queueClaimed: 0n,
    emissions: 0n,
    tokensMinted: 0n,
    tokensBurned: 0n,
    burnedForCredits: 0n,
    slashedBurned: 0n,
    slashedTotal: 0n,
    staked: 0n,
    stakeWithdrawn: 0n,
  };

  /** `treasury` collects the market's fees; `settlement` (lower case) is where queued mints are held. */
  constructor(
    private readonly treasury: string,
    private readonly settlement: string,
  ) {}

  /** The market's ledger for `token` (lower case): what each account is owed. */
  book(token: string): Book {
    let b = this.credited.get(token);
    if (b === undefined) this.credited.set(token, (b = new Book()));
    return b;
  }

  /** Replays `events` in order. */
  add(events: readonly ProtocolEvent[]): void {
    for (const e of events) if (!this.market(e) && !this.settlementFlows(e)) this.grl(e);
  }

  private creditFor(jobId: bigint, account: string, amount: bigint): void {
    this.book(this.jobToken.get(jobId)!).add(account, amount);
  }

  private bondFor(jobId: bigint, account: string, amount: bigint): void {
    if (amount !== 0n) this.book(this.bonds.get(jobId)!.token).add(account, amount);
  }

  /** Escrow in, credits to the ledger, withdrawals out. False when `e` is not the market's. */
  private market(e: ProtocolEvent): boolean {
    switch (e.name) {
      case "JobCreated": {
        const t = e.args.paymentToken.toLowerCase();
        this.jobToken.set(e.args.jobId, t);
        this.open.add(e.args.jobId);
        bump(this.inflow, t, e.args.escrow);
        return true;
      }
      case "JobDisputed": {
        const t = e.args.bondToken.toLowerCase();
        this.bonds.set(e.args.jobId, { token: t, amount: e.args.bond });
        bump(this.inflow, t, e.args.bond);
        return true;
      }
      case "JobCancelled":
      case "JobExpired":
      case "JobFailed":
        this.creditFor(e.args.jobId, e.args.renter, e.args.refund);
        this.open.delete(e.args.jobId);
        return true;
      case "JobAwarded":
        this.creditFor(e.args.jobId, e.args.renter, e.args.refund);
        return true;
      case "PaymentClaimed":
        this.paid(e.args.jobId, e.args.provider, e.args.gross, e.args.fee);
        return true;
      case "JobStopped":
      case "DisputeResolvedForRenter":
        this.paid(e.args.jobId, e.args.provider, e.args.providerGross, e.args.fee);
        this.creditFor(e.args.jobId, e.args.renter, e.args.refund);
        if (e.name === "DisputeResolvedForRenter")
          this.bondFor(e.args.jobId, e.args.renter, this.bonds.get(e.args.jobId)?.amount ?? 0n);
        this.open.delete(e.args.jobId);
        return true;
      case "JobSettled":
        this.paid(e.args.jobId, e.args.provider, e.args.finalGross, e.args.fee);
        this.bondFor(e.args.jobId, e.args.provider, e.args.bondToProvider);
        this.bondFor(e.args.jobId, e.args.renter, e.args.bondRefund);
        this.open.delete(e.args.jobId);
        return true;
      case "Withdrawn": {
        const t = e.args.token.toLowerCase();
        this.book(t).add(e.args.account, -e.args.amount);
        bump(this.withdrawn, t, e.args.amount);
        return true;
      }
      default:
        return false;
    }
  }

  /** The provider's pay net of the fee, and the fee to the treasury. */
  private paid(jobId: bigint, provider: string, gross: bigint, fee: bigint): void {
    this.creditFor(jobId, provider, gross - fee);
    this.creditFor(jobId, this.treasury, fee);
  }

  /** Credits, earnings, cost bases, the mint queue and emissions. False when `e` is not the settlement's. */
  private settlementFlows(e: ProtocolEvent): boolean {
    switch (e.name) {
      case "CreditsPurchased":
        this.purchased(e.args);
        return true;
      case "CreditsSpent":
        this.credits.add(e.args.account, -e.args.amount);
        this.sums.creditsSpent += e.args.amount;
        this.followBasis(this.bases, e.args.account, -e.args.basisOut, e.args.creditBasis);
        return true;
      case "CreditsRefunded":
        this.credits.add(e.args.account, e.args.amount);
        this.sums.creditsRefunded += e.args.amount;
        this.followBasis(this.bases, e.args.account, e.args.basisIn, e.args.creditBasis);
        return true;
      case "EarningsAccrued":
        this.earnings.add(e.args.account, e.args.usdAmount);
        this.sums.earningsAccrued += e.args.usdAmount;
        this.followBasis(this.caps, e.args.account, e.args.capIn, e.args.grlCap);
        return true;
      case "EarningsWithdrawn":
        this.earningsWithdrawn(e.args);
        return true;
      case "EarningsMinted":
        this.sums.earningsMinted += e.args.amount;
        if (e.args.to.toLowerCase() === this.settlement) this.sums.earningsMintedToCustody += e.args.amount;
        return true;
      case "QueuedMintClaimed":
        this.sums.queueClaimed += e.args.amount;
        return true;
      case "GpuSecondsRecorded":
        this.recorded(e.args);
        return true;
      case "EmissionClaimed":
        this.claimed(e.args);
        return true;
      default:
        return false;
    }
  }

  private purchased(a: Args<"CreditsPurchased">): void {
    this.credits.add(a.account, a.credits);
    this.sums.creditsBought += a.credits;
    this.sums.burnedForCredits += a.grlBurned;
    // The basis a purchase adds: the GRL burned less the spread, rounded down.
    const key = a.account.toLowerCase();
    this.bases.set(key, (this.bases.get(key) ?? 0n) + (a.grlBurned * (10_000n - BigInt(a.spreadBps))) / 10_000n);
  }

  /** A basis (or cap) moved by `delta` must land on the event's new value. */
  private followBasis(values: Map<string, bigint>, account: string, delta: bigint, now: bigint): void {
    const key = account.toLowerCase();
    if ((values.get(key) ?? 0n) + delta !== now) this.basisMismatches++;
    values.set(key, now);
  }

  private earningsWithdrawn(a: Args<"EarningsWithdrawn">): void {
    if (a.grlAmount > a.grlCap) this.basisMismatches++;
    this.caps.set(a.account.toLowerCase(), 0n);
    this.earnings.add(a.account, -a.usdAmount);
    this.sums.earningsWithdrawnUsd += a.usdAmount;
    this.sums.grlOwedForEarnings += a.grlAmount;
    this.sums.mintedNow += a.mintedNow;
    this.sums.queued += a.queued;
  }

  private emissionBook(epoch: bigint): EmissionBook {
    let b = this.emissionBooks.get(epoch);
    if (b === undefined)
      this.emissionBooks.set(epoch, (b = { budget: 0n, gpuSeconds: 0n, claimed: 0n, shares: 0n, records: new Map() }));
    return b;
  }

  private recorded(a: Args<"GpuSecondsRecorded">): void {
    const b = this.emissionBook(a.epoch);
    if (b.gpuSeconds === 0n) b.budget = a.epochBudget;
    b.gpuSeconds += a.gpuSeconds;
    const key = a.provider.toLowerCase();
    const r = b.records.get(key) ?? { gpuSeconds: 0n, feesUsd: 0n };
    r.gpuSeconds += a.gpuSeconds;
    r.feesUsd += a.feesUsd;
    b.records.set(key, r);
    if (
      a.epochBudget !== b.budget ||
      a.epochGpuSeconds !== b.gpuSeconds ||
      a.providerGpuSeconds !== r.gpuSeconds ||
      a.providerFeesUsd !== r.feesUsd
    ) {
      this.emission.recordMismatches++;
    }
  }

  private claimed(a: Args<"EmissionClaimed">): void {
    this.sums.emissions += a.amount;
    this.emission.claims++;
    const b = this.emissionBook(a.epoch);
    const key = a.provider.toLowerCase();
    const r = b.records.get(key) ?? { gpuSeconds: 0n, feesUsd: 0n };
    b.records.delete(key);
    const share = b.gpuSeconds === 0n ? 0n : (b.budget * r.gpuSeconds) / b.gpuSeconds;
    const cap = (r.feesUsd * 10n ** 18n) / a.grlUsdPrice;
    const amount = share < cap ? share : cap;
    b.claimed += a.amount;
    b.shares += share;
    if (cap < share) this.emission.capped++;
    if (a.amount * a.grlUsdPrice > r.feesUsd * 10n ** 18n) this.emission.overFees++;
    if (
      a.gpuSeconds !== r.gpuSeconds ||
      a.feesUsd !== r.feesUsd ||
      a.share !== share ||
      a.amount !== amount ||
      a.epochClaimed !== b.claimed
    ) {
      this.emission.claimMismatches++;
    }
  }

  /** GRL minted and burned, staked, withdrawn and slashed. */
  private grl(e: ProtocolEvent): void {
    switch (e.name) {
      case "TokensMinted":
        this.sums.tokensMinted += e.args.amount;
        break;
      case "TokensBurned":
        this.sums.tokensBurned += e.args.amount;
        break;
      case "ProviderSlashed":
        this.sums.slashedBurned += e.args.burned;
        this.sums.slashedTotal += e.args.toRecipient + e.args.burned;
        break;
      case "Staked":
        this.sums.staked += e.args.amount;
        break;
      case "StakeWithdrawn":
        this.sums.stakeWithdrawn += e.args.amount;
        break;
      default:
        break;
    }
  }
}
