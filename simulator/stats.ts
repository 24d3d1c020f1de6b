// Market figures, per simulated day and in total, computed from the protocol's events only (so they
// are what an indexer would publish), plus GPU utilisation integrated over time.
import type { ProtocolEvent } from "../sdk/contracts.ts";

export interface Figures {
  jobsCreated: number;
  instantJobs: number;
  creditJobs: number;
  awarded: number;
  settled: number;
  expired: number;
  cancelled: number;
  stopped: number;
  failedNoShow: number;
  failedLate: number;
  disputed: number;
  /** Disputes the arbiter ruled ProviderFault (the renter won). */
  disputesWonByRenter: number;
  /** Disputes the arbiter ruled RenterFault (the provider won). */
  disputesWonByProvider: number;
  disputeTimeouts: number;
  bidsCommitted: number;
  bidsRevealed: number;
  bondsForfeited: number;
  /** Gross pay released to providers (fees included), in USD. */
  volumeUsd: number;
  feesUsd: number;
  creditsBoughtUsd: number;
  grlBurned: bigint;
  grlMinted: bigint;
  grlEmitted: bigint;
  /** GRL of the emission claims' pro-rata shares that their fee caps held back (never minted). */
  grlEmissionCapped: bigint;
  /** GRL of earnings withdrawals that had to wait in the mint queue (the epoch's cap bound). */
  grlQueued: bigint;
  leasedGpuSeconds: number;
  availableGpuSeconds: number;
  txs: number;
  reverts: number;
}

export function emptyFigures(): Figures {
  return {
    jobsCreated: 0,
    instantJobs: 0,
    creditJobs: 0,
    awarded: 0,
    settled: 0,
    expired: 0,
    cancelled: 0,
    stopped: 0,
    failedNoShow: 0,
    failedLate: 0,
    disputed: 0,
    disputesWonByRenter: 0,
    disputesWonByProvider: 0,
    disputeTimeouts: 0,
    bidsCommitted: 0,
    bidsRevealed: 0,
    bondsForfeited: 0,
    volumeUsd: 0,
    feesUsd: 0,
    creditsBoughtUsd: 0,
    grlBurned: 0n,
    grlMinted: 0n,
    grlEmitted: 0n,
    grlEmissionCapped: 0n,
    grlQueued: 0n,
    leasedGpuSeconds: 0,
    availableGpuSeconds: 0,
    txs: 0,
    reverts: 0,
  };
}

function add(into: Figures, from: Figures): void {
  for (const key of Object.keys(into) as (keyof Figures)[]) {
    (into[key] as number | bigint) = ((into[key] as bigint) + (from[key] as bigint)) as never;
  }
}

export interface DayReport {
  day: number;
  figures: Figures;
  grlPriceUsd: number;
  /** Wall-clock milliseconds the day took to simulate. */
  wallMs: number;
  /** Of wallMs, the milliseconds the beforeAction hook held the market (npm start: waiting for its indexer). */
  heldMs: number;
}

/** A quantity that changes step-wise over time; integrates value x seconds. */
class Gauge {
  value = 0;
  private since = 0;
  private integral = 0;

  start(at: number): void {
    this.since = at;
  }

  change(delta: number, at: number): void {
    this.advance(at);
    this.value += delta;
  }

  /** The integral since the last take, up to `at`. */
  take(at: number): number {
    this.advance(at);
    const integral = this.integral;
    this.integral = 0;
    return integral;
  }

  private advance(at: number): void {
    if (at > this.since) {
      this.integral += this.value * (at - this.since);
      this.since = at;
    }
  }
}

export class Stats {
  readonly totals = emptyFigures();
  private day = emptyFigures();
  private readonly leased = new Gauge();
  private readonly available = new Gauge();
  private readonly jobDecimals = new Map<bigint, number>();
  private readonly runningGpus = new Map<bigint, number>();
  private readonly onlineGpus = new Map<string, number>();
  /** Revert counts by custom error name, for diagnosis. */
  readonly revertsByError = new Map<string, number>();

  constructor(
    private readonly decimalsOf: (token: string) => number,
    start: number,
  ) {
    this.leased.start(start);
    this.available.start(start);
  }

  countTx(ok: boolean, errorName?: string): void {
    this.day.txs++;
    if (!ok) {
      this.day.reverts++;
      if (errorName !== undefined) this.revertsByError.set(errorName, (this.revertsByError.get(errorName) ?? 0) + 1);
    }
  }

  /** Folds a transaction's events, mined at `at`, into the figures. */
  observe(events: readonly ProtocolEvent[], at: number): void {
    const f = this.day;
    const usd = (jobId: bigint, amount: bigint) => Number(amount) / 10 ** (this.jobDecimals.get(jobId) ?? 18);
    for (const e of events) {
      switch (e.name) {
        case "JobCreated": {
          const decimals = this.decimalsOf(e.args.paymentToken);
          this.jobDecimals.set(e.args.jobId, decimals);
          f.jobsCreated++;
          if (e.args.request.pricingRule === 2n) f.instantJobs++;
          if (decimals === 18) f.creditJobs++;
          break;
        }
        case "BidCommitted":
          f.bidsCommitted++;
          break;
        case "BidRevealed":
          f.bidsRevealed++;
          break;
        case "BidBondForfeited":
          f.bondsForfeited++;
          break;
        case "JobAwarded":
          f.awarded++;
          break;
        case "JobExpired":
          f.expired++;
          this.jobDecimals.delete(e.args.jobId);
          break;
        case "JobCancelled":
          f.cancelled++;
          this.jobDecimals.delete(e.args.jobId);
          break;
        case "JobStarted":
          this.runningGpus.set(e.args.jobId, Number(e.args.gpuCount));
          this.leased.change(Number(e.args.gpuCount), at);
          break;
        case "PaymentClaimed":
          f.volumeUsd += usd(e.args.jobId, e.args.gross);
          f.feesUsd += usd(e.args.jobId, e.args.fee);
          break;
        case "JobStopped":
          f.stopped++;
          f.volumeUsd += usd(e.args.jobId, e.args.providerGross);
          f.feesUsd += usd(e.args.jobId, e.args.fee);
          this.endLease(e.args.jobId, at);
          this.jobDecimals.delete(e.args.jobId);
          break;
        case "JobDelivered":
          this.endLease(e.args.jobId, at);
          break;
        case "JobDisputed":
          f.disputed++;
          break;
        case "DisputeResolvedForRenter":
          f.disputesWonByRenter++;
          f.volumeUsd += usd(e.args.jobId, e.args.providerGross);
          f.feesUsd += usd(e.args.jobId, e.args.fee);
          this.jobDecimals.delete(e.args.jobId);
          break;
        case "DisputeResolvedForProvider":
          f.disputesWonByProvider++;
          break;
        case "JobSettled":
          f.settled++;
          if (e.args.bondRefund > 0n) f.disputeTimeouts++;
          f.volumeUsd += usd(e.args.jobId, e.args.finalGross);
          f.feesUsd += usd(e.args.jobId, e.args.fee);
          this.jobDecimals.delete(e.args.jobId);
          break;
        case "JobFailed":
          if (e.args.reason === 0n) f.failedNoShow++;
          else {
            f.failedLate++;
            this.endLease(e.args.jobId, at);
          }
          this.jobDecimals.delete(e.args.jobId);
          break;
        case "CreditsPurchased":
          f.creditsBoughtUsd += Number(e.args.credits) / 1e18;
          break;
        case "EarningsWithdrawn":
          f.grlQueued += e.args.queued;
          break;
        case "EmissionClaimed":
          f.grlEmitted += e.args.amount;
          f.grlEmissionCapped += e.args.share - e.args.amount;
          break;
        case "TokensMinted":
          f.grlMinted += e.args.amount;
          break;
        case "TokensBurned":
          f.grlBurned += e.args.amount;
          break;
        case "ProviderAvailabilityChanged": {
          const key = e.args.provider.toLowerCase();
          const before = this.onlineGpus.get(key) ?? 0;
          const now = e.args.online ? Number(e.args.listedGpus) : 0;
          this.onlineGpus.set(key, now);
          this.available.change(now - before, at);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Counts a provider already online when the run starts (no availability event to learn it from). */
  markOnline(provider: string, listedGpus: number, at: number): void {
    const key = provider.toLowerCase();
    const before = this.onlineGpus.get(key) ?? 0;
    this.onlineGpus.set(key, listedGpus);
    this.available.change(listedGpus - before, at);
  }

  /** Closes the day at `end` and starts the next one. */
  closeDay(day: number, end: number, grlPriceUsd: number, wallMs: number, heldMs: number): DayReport {
    const figures = this.day;
    figures.leasedGpuSeconds = this.leased.take(end);
    figures.availableGpuSeconds = this.available.take(end);
    add(this.totals, figures);
    this.day = emptyFigures();
    return { day, figures, grlPriceUsd, wallMs, heldMs };
  }

  private endLease(jobId: bigint, at: number): void {
    const gpus = this.runningGpus.get(jobId);
    if (gpus === undefined) return;
    this.runningGpus.delete(jobId);
    this.leased.change(-gpus, at);
  }
}

/** Leased over available GPU-seconds, 0 when nothing was available. */
export function utilisation(f: Figures): number {
  return f.availableGpuSeconds === 0 ? 0 : f.leasedGpuSeconds / f.availableGpuSeconds;
}
