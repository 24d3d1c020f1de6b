// Every account's money, from the protocol's events alone: what it was paid as a provider, what its
// jobs paid out as a renter, its emissions, the stake it lost, its bids and its reputation. Amounts
// are exact: USD with 18 decimals (a stablecoin's units scaled by its decimals, credits as they are),
// GRL in wei, and GRL valued in USD at the oracle price of the block that moved it. Pure: it reads
// the events it is given and nothing else, so adversaries and honest actors are measured alike.
import type { ProtocolEvent } from "../../sdk/contracts.ts";
import { PricingRule } from "../../sdk/index.ts";

const WAD = 10n ** 18n;
const HOUR = 3_600n;
/** IJobMarket.PricingRule.SecondPrice, as the events carry it. */
export const SECOND_PRICE = PricingRule.onChain.SecondPrice;

export interface BooksConfig {
  /** The stablecoin's address and decimals (every other payment token is the settlement's 18-decimal credits). */
  usdc: string;
  usdcDecimals: number;
}

/** One account's figures. USD amounts have 18 decimals; GRL amounts are in wei. */
export interface AccountBook {
  /** Pay credited to it as a provider, net of protocol fees, plus dispute bonds awarded to it. */
  incomeUsd: bigint;
  /** Protocol fees taken from its pay as a provider. */
  feesUsd: bigint;
  /** What its jobs released to providers as a renter (fees included), plus dispute bonds it lost. */
  paidUsd: bigint;
  /** Jobs it posted, and the GPU-seconds they asked for (GPUs x duration). */
  jobsPosted: number;
  claimedGpuSeconds: bigint;
  bidsCommitted: number;
  bidsRevealed: number;
  bondsForfeited: number;
  bondsForfeitedGrl: bigint;
  /** Jobs awarded to it, and those at the job's reserve price. */
  jobsWon: number;
  jobsWonAtReserve: number;
  /** GPU-seconds and fees (USD) the market recorded for its emissions. */
  gpuSecondsRecorded: bigint;
  feesRecordedUsd: bigint;
  epochsRecorded: Set<bigint>;
  epochsClaimed: Set<bigint>;
  /** Emissions minted to it, and its pro-rata shares before the fee cap, valued at each claim's price. */
  emissionGrl: bigint;
  emissionUsd: bigint;
  shareGrl: bigint;
  shareUsd: bigint;
  /** Stake slashed or burned (collateral and bid bonds). */
  stakeLostGrl: bigint;
  stakeLostUsd: bigint;
  /** Slashed GRL paid to it as a renter. */
  slashReceivedGrl: bigint;
  slashReceivedUsd: bigint;
  /** Its successes and latest reputation (undefined until one is recorded). */
  successes: number;
  reputation: number | undefined;
  /** Its reverted transactions, by custom error. */
  reverts: Map<string, number>;
}

/** A job as its events describe it. */
export interface JobBook {
  id: bigint;
  renter: string;
  decimals: number;
  gpus: bigint;
  duration: bigint;
  reserve: bigint;
  rule: bigint;
  reveals: { provider: string; price: bigint }[];
  award: { provider: string; clearing: bigint; value: bigint } | undefined;
  cancelled: boolean;
  expired: boolean;
  settled: boolean;
}

function emptyBook(): AccountBook {
  return {
    incomeUsd: 0n,
    feesUsd: 0n,
    paidUsd: 0n,
    jobsPosted: 0,
    claimedGpuSeconds: 0n,
    bidsCommitted: 0,
    bidsRevealed: 0,
    bondsForfeited: 0,
    bondsForfeitedGrl: 0n,
    jobsWon: 0,
    jobsWonAtReserve: 0,
    gpuSecondsRecorded: 0n,
    feesRecordedUsd: 0n,
    epochsRecorded: new Set(),
    epochsClaimed: new Set(),
    emissionGrl: 0n,
    emissionUsd: 0n,
    shareGrl: 0n,
    shareUsd: 0n,
    stakeLostGrl: 0n,
    stakeLostUsd: 0n,
    slashReceivedGrl: 0n,
    slashReceivedUsd: 0n,
    successes: 0,
    reputation: undefined,
    reverts: new Map(),
  };
}

/** A job's value at `price` per GPU-hour, as JobMath.value computes it (rounded down). */
export function jobValue(price: bigint, gpus: bigint, duration: bigint): bigint {
  return (price * gpus * duration) / HOUR;
}

/** `grl` wei at `price` (USD per GRL, 18 decimals), in USD with 18 decimals, rounded down. */
export function grlToUsd(grl: bigint, price: bigint): bigint {
  return (grl * price) / WAD;
}

/** The median (the mean of the two middle values, rounded toward zero, for an even count); undefined for none. */
export function median(values: readonly bigint[]): bigint | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2n;
}

export class Books {
  private readonly accounts = new Map<string, AccountBook>();
  private readonly jobs = new Map<bigint, JobBook>();
  private readonly usdc: string;

  constructor(private readonly config: BooksConfig) {
    this.usdc = config.usdc.toLowerCase();
  }

  /** The account's figures (all zero if it never appeared). */
  account(address: string): AccountBook {
    const key = address.toLowerCase();
    let book = this.accounts.get(key);
    if (book === undefined) this.accounts.set(key, (book = emptyBook()));
    return book;
  }

  job(id: bigint): JobBook | undefined {
    return this.jobs.get(id);
  }

  /** Every job seen, in creation order. */
  allJobs(): IterableIterator<JobBook> {
    return this.jobs.values();
  }

  /** Pay plus emissions less stake lost: what providing earned `addresses`, in USD. */
  providerProfitUsd(addresses: Iterable<string>): bigint {
    let sum = 0n;
    for (const a of addresses) {
      const b = this.account(a);
      sum += b.incomeUsd + b.emissionUsd - b.stakeLostUsd;
    }
    return sum;
  }

  /** The sum of one figure over `addresses`. */
  total(addresses: Iterable<string>, pick: (book: AccountBook) => bigint | number): bigint {
    let sum = 0n;
    for (const a of addresses) sum += BigInt(pick(this.account(a)));
    return sum;
  }

  /** A revert of a transaction `from` sent (the chain's custom error name). */
  observeRevert(from: string, errorName: string): void {
    const reverts = this.account(from).reverts;
    reverts.set(errorName, (reverts.get(errorName) ?? 0) + 1);
  }

  /** Folds one transaction's events in; `grlUsdPrice` is the oracle's price (18 decimals) at its block. */
  observe(events: readonly ProtocolEvent[], grlUsdPrice: bigint): void {
    for (const e of events) {
      switch (e.name) {
        case "JobCreated": {
          const r = e.args.request;
          const job: JobBook = {
            id: e.args.jobId,
            renter: e.args.renter.toLowerCase(),
            decimals: e.args.paymentToken.toLowerCase() === this.usdc ? this.config.usdcDecimals : 18,
            gpus: BigInt(r.gpuCount),
            duration: BigInt(r.duration),
            reserve: BigInt(r.reservePricePerGpuHour),
            rule: BigInt(r.pricingRule),
            reveals: [],
            award: undefined,
            cancelled: false,
            expired: false,
            settled: false,
          };
          this.jobs.set(job.id, job);
          const renter = this.account(job.renter);
          renter.jobsPosted++;
          renter.claimedGpuSeconds += job.gpus * job.duration;
          break;
        }
        case "BidCommitted":
          this.account(e.args.provider).bidsCommitted++;
          break;
        case "BidRevealed":
          this.jobs.get(e.args.jobId)?.reveals.push({ provider: e.args.provider.toLowerCase(), price: e.args.price });
          this.account(e.args.provider).bidsRevealed++;
          break;
        case "BidBondForfeited": {
          const b = this.account(e.args.provider);
          b.bondsForfeited++;
          b.bondsForfeitedGrl += e.args.bond;
          break;
        }
        case "JobAwarded": {
          const job = this.jobs.get(e.args.jobId);
          if (job !== undefined)
            job.award = {
              provider: e.args.provider.toLowerCase(),
              clearing: e.args.clearingPrice,
              value: e.args.value,
            };
          const b = this.account(e.args.provider);
          b.jobsWon++;
          if (e.args.clearingPrice === e.args.reservePricePerGpuHour) b.jobsWonAtReserve++;
          break;
        }
        case "JobCancelled": {
          const job = this.jobs.get(e.args.jobId);
          if (job !== undefined) job.cancelled = true;
          break;
        }
        case "JobExpired": {
          const job = this.jobs.get(e.args.jobId);
          if (job !== undefined) job.expired = true;
          break;
        }
        case "PaymentClaimed":
          this.pay(e.args.jobId, e.args.provider, e.args.gross, e.args.fee, 0n);
          break;
        case "JobStopped":
          this.pay(e.args.jobId, e.args.provider, e.args.providerGross, e.args.fee, 0n);
          break;
        case "JobSettled":
          if (this.jobs.has(e.args.jobId)) this.jobs.get(e.args.jobId)!.settled = true;
          this.pay(e.args.jobId, e.args.provider, e.args.finalGross, e.args.fee, e.args.bondToProvider);
          break;
        case "DisputeResolvedForRenter":
          this.pay(e.args.jobId, e.args.provider, e.args.providerGross, e.args.fee, 0n);
          break;
        case "GpuSecondsRecorded": {
          const b = this.account(e.args.provider);
          b.gpuSecondsRecorded += e.args.gpuSeconds;
          b.feesRecordedUsd += e.args.feesUsd;
          b.epochsRecorded.add(e.args.epoch);
          break;
        }
        case "EmissionClaimed": {
          const b = this.account(e.args.provider);
          b.emissionGrl += e.args.amount;
          b.emissionUsd += grlToUsd(e.args.amount, e.args.grlUsdPrice);
          b.shareGrl += e.args.share;
          b.shareUsd += grlToUsd(e.args.share, e.args.grlUsdPrice);
          b.epochsClaimed.add(e.args.epoch);
          break;
        }
        case "ProviderSlashed": {
          const lost = e.args.toRecipient + e.args.burned;
          const b = this.account(e.args.provider);
          b.stakeLostGrl += lost;
          b.stakeLostUsd += grlToUsd(lost, grlUsdPrice);
          if (e.args.toRecipient > 0n) {
            const r = this.account(e.args.recipient);
            r.slashReceivedGrl += e.args.toRecipient;
            r.slashReceivedUsd += grlToUsd(e.args.toRecipient, grlUsdPrice);
          }
          break;
        }
        case "ReputationUpdated": {
          const b = this.account(e.args.provider);
          b.reputation = Number(e.args.current);
          if (e.args.success) b.successes++;
          break;
        }
        default:
          break;
      }
    }
  }

  /** `gross` of a job's escrow released to `provider`, less `fee`; `bond` is the renter's dispute bond awarded to it. */
  private pay(jobId: bigint, provider: string, gross: bigint, fee: bigint, bond: bigint): void {
    const job = this.jobs.get(jobId);
    if (job === undefined) return;
    const scale = 10n ** BigInt(18 - job.decimals);
    const p = this.account(provider);
    p.incomeUsd += (gross - fee + bond) * scale;
    p.feesUsd += fee * scale;
    this.account(job.renter).paidUsd += (gross + bond) * scale;
  }
}

/** A job's value in USD with 18 decimals. */
export function usdOf(job: JobBook, amount: bigint): bigint {
  return amount * 10n ** BigInt(18 - job.decimals);
}

/**
 * What a second-price job would have cleared at without `excluded` bidders' reveals: the second-lowest
 * other reveal (an equal price counts, as in the contract), the reserve after a single one, undefined
 * after none.
 */
export function secondPriceWithout(job: JobBook, excluded: ReadonlySet<string>): bigint | undefined {
  const prices = job.reveals.filter((r) => !excluded.has(r.provider)).map((r) => r.price);
  if (prices.length === 0) return undefined;
  if (prices.length === 1) return job.reserve;
  prices.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return prices[1];
}

/** What a second-price job paid above its winner's own bid (the Vickrey spread), in USD; undefined if not awarded. */
export function vickreySpreadUsd(job: JobBook): bigint | undefined {
  if (job.award === undefined) return undefined;
  const own = job.reveals.find((r) => r.provider === job.award!.provider);
  if (own === undefined) return undefined;
  return usdOf(job, job.award.value - jobValue(own.price, job.gpus, job.duration));
}
