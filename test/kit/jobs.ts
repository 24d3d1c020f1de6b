// "A job in state X" for the market tests: created (Bidding), Awarded, Running, Delivered, Disputed and
// Settled, on the default request of jobRequest, paid in the fixture's USDC or, with creditRequest's
// overrides, in USD credits. Every builder drives the real entry points, so a fixture is a reachable state.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import type { IJobMarket } from "../../types/ethers-contracts/index.ts";
import { CHALLENGE_WINDOW, FIRST_PRICE, HOUR, type MarketFixture, USDC } from "./market.ts";
import { H100 } from "./protocol.ts";

type NetworkHelpers = NetworkConnection["networkHelpers"];

/** A provider's [signer, price per GPU-hour] bid. */
export type Bid = [HardhatEthersSigner, bigint];

/** The result a provider delivers, and the evidence a renter disputes with. */
export const RESULT_HASH = "0x" + "ab".repeat(32);
export const RESULT_URI = "ipfs://bafy-result";
export const EVIDENCE_HASH = "0x" + "cd".repeat(32);

/** One USD credit (18 decimals, like every credits amount). */
export const CREDIT = 10n ** 18n;
/** The default reserve, $2.00 per GPU-hour, in credits. */
export const CREDIT_RESERVE = 2n * CREDIT;

/** Request overrides that make the default request a credit job (paid in the settlement's USD credits). */
export async function creditRequest(
  f: MarketFixture,
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<Partial<IJobMarket.JobRequestStruct>> {
  return { paymentToken: await f.settlement.getAddress(), reservePricePerGpuHour: CREDIT_RESERVE, ...overrides };
}

/** The workload spec hash test jobs run (any non-zero hash: the market stores and emits it, bids bind it). */
export const SPEC_HASH = "0xfb467e72a8846509db252cb7779f63b20db81c18d005ca74c47625274958a839";

/** A valid request: 4 H100 (>= 80 GB) for 10 hours at most $2.00 per GPU-hour, first price, 1 h + 1 h windows. */
export function jobRequest(
  f: MarketFixture,
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<IJobMarket.JobRequestStruct> {
  return f.usdc.getAddress().then((paymentToken) => ({
    paymentToken,
    gpuModel: H100,
    gpuCount: 4,
    minVramGb: 80,
    region: 0,
    minReputation: 0,
    duration: 10n * HOUR,
    reservePricePerGpuHour: 2n * USDC,
    pricingRule: FIRST_PRICE,
    bidWindow: HOUR,
    revealWindow: HOUR,
    specHash: SPEC_HASH,
    ...overrides,
  }));
}

/** Creates a job as `renter` (default f.renter) and returns its id. */
export async function createJob(
  f: MarketFixture,
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
  renter: HardhatEthersSigner = f.renter,
): Promise<bigint> {
  const request = await jobRequest(f, overrides);
  await (await f.market.connect(renter).createJob(request)).wait();
  return f.market.jobCount();
}

/** A deterministic salt per provider and price, so tests can reveal without bookkeeping. */
export function saltFor(provider: HardhatEthersSigner, price: bigint): string {
  const hex = (BigInt(provider.address) ^ price).toString(16).padStart(64, "0");
  return "0x" + hex.slice(-64);
}

/** Commits `provider`'s sealed bid of `price` on `jobId` (salt from saltFor). */
export async function commitBid(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  jobId: bigint,
  price: bigint,
): Promise<void> {
  const commitment = await f.market.bidCommitment(jobId, provider.address, price, saltFor(provider, price));
  await (await f.market.connect(provider).commitBid(jobId, commitment)).wait();
}

/** Reveals the bid committed with commitBid. */
export async function revealBid(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  jobId: bigint,
  price: bigint,
): Promise<void> {
  await (await f.market.connect(provider).revealBid(jobId, price, saltFor(provider, price))).wait();
}

/** Alice's bid on the default job when a builder is given none: 1.5 USDC per GPU-hour. */
const DEFAULT_BID = (15n * USDC) / 10n;

/**
 * A builder of the default job in one state: like awardedJob it takes the bids (default: alice alone at
 * 1.5 per GPU-hour) and the request overrides, and returns the job id.
 */
export type JobBuilder = (
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  bids?: Bid[],
  overrides?: Partial<IJobMarket.JobRequestStruct>,
) => Promise<bigint>;

/**
 * Runs a job to `Awarded`: creates it, has each [provider, price] commit and reveal (default: alice alone at
 * 1.5 per GPU-hour), and awards it. Returns the job id.
 */
export const awardedJob: JobBuilder = async (f, networkHelpers, bids = [[f.alice, DEFAULT_BID]], overrides = {}) => {
  const jobId = await createJob(f, overrides);
  for (const [provider, price] of bids) await commitBid(f, provider, jobId, price);
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.bidDeadline);
  for (const [provider, price] of bids) await revealBid(f, provider, jobId, price);
  await networkHelpers.time.increaseTo(job.revealDeadline);
  await (await f.market.award(jobId)).wait();
  return jobId;
};

/** Runs a job to `Running` (awarded as above, then started by the winner). */
export const runningJob: JobBuilder = async (f, networkHelpers, bids, overrides = {}) => {
  const jobId = await awardedJob(f, networkHelpers, bids, overrides);
  const winner = (await f.market.jobOf(jobId)).provider;
  await (await f.market.connect(providerSigner(f, winner)).startJob(jobId)).wait();
  return jobId;
};

/** The signer among the three providers with this address. */
export function providerSigner(f: MarketFixture, address: string): HardhatEthersSigner {
  const signer = [f.alice, f.bob, f.carol].find((s) => s.address === address);
  if (signer === undefined) throw new Error(`not a fixture provider: ${address}`);
  return signer;
}

/** Mines the next transaction at exactly `t`. */
export async function nextAt(networkHelpers: NetworkHelpers, t: bigint): Promise<void> {
  await networkHelpers.time.setNextBlockTimestamp(t);
}

/** Delivers a running job as its provider, at `at` (default: exactly the end of the paid duration). */
export async function deliverJob(
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  jobId: bigint,
  at?: bigint,
): Promise<bigint> {
  const job = await f.market.jobOf(jobId);
  const t = at ?? job.startedAt + job.duration;
  await nextAt(networkHelpers, t);
  await (await f.market.connect(providerSigner(f, job.provider)).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
  return t;
}

/** The default job, run and delivered exactly at the end of its duration. */
export const deliveredJob: JobBuilder = async (f, networkHelpers, bids, overrides = {}) => {
  const jobId = await runningJob(f, networkHelpers, bids, overrides);
  await deliverJob(f, networkHelpers, jobId);
  return jobId;
};

/** The default job, delivered and disputed by the renter one hour later. */
export const disputedJob: JobBuilder = async (f, networkHelpers, bids, overrides = {}) => {
  const jobId = await deliveredJob(f, networkHelpers, bids, overrides);
  const job = await f.market.jobOf(jobId);
  await nextAt(networkHelpers, job.deadline - CHALLENGE_WINDOW + HOUR);
  const renter = [f.renter, f.renter2].find((s) => s.address === job.renter)!;
  await (await f.market.connect(renter).dispute(jobId, EVIDENCE_HASH)).wait();
  return jobId;
};

/** The default job, delivered and settled undisputed exactly when its challenge window closes. */
export const settledJob: JobBuilder = async (f, networkHelpers, bids, overrides = {}) => {
  const jobId = await deliveredJob(f, networkHelpers, bids, overrides);
  await nextAt(networkHelpers, (await f.market.jobOf(jobId)).deadline);
  await (await f.market.settle(jobId)).wait();
  return jobId;
};

/**
 * Several jobs auctioned side by side (so all are Awarded at once): each entry is the request overrides
 * and the [provider, price] bids. Returns the job ids in order.
 */
export async function awardedJobsInParallel(
  f: MarketFixture,
  networkHelpers: NetworkHelpers,
  jobs: { overrides?: Partial<IJobMarket.JobRequestStruct>; bids: Bid[] }[],
): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const j of jobs) ids.push(await createJob(f, j.overrides ?? {}));
  for (let i = 0; i < jobs.length; i++) {
    for (const [provider, price] of jobs[i].bids) await commitBid(f, provider, ids[i], price);
  }
  const last = await f.market.jobOf(ids[ids.length - 1]);
  await networkHelpers.time.increaseTo(last.bidDeadline);
  for (let i = 0; i < jobs.length; i++) {
    for (const [provider, price] of jobs[i].bids) await revealBid(f, provider, ids[i], price);
  }
  await networkHelpers.time.increaseTo(last.revealDeadline);
  for (const id of ids) await (await f.market.award(id)).wait();
  return ids;
}
