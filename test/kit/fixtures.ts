// Ready-made loadFixture functions: the deployed market, and the default job of jobs.ts in each state
// (Bidding, Awarded, Running, Delivered, Disputed, Settled), paid in USDC or in USD credits. loadFixture
// snapshots by function identity, so marketFixtures builds each function once per network connection.
import type { NetworkConnection } from "hardhat/types/network";

import { buyCreditsFor, CREDITS_GRL, fundGrlBonds } from "./funding.ts";
import { awardedJob, createJob, creditRequest, deliverJob, disputedJob, runningJob, settledJob } from "./jobs.ts";
import { deployMarket, GRL_USD_ANSWER, type MarketFixture } from "./market.ts";

/** The parts of a Hardhat network connection the fixtures drive. */
export type Connection = Pick<NetworkConnection, "ethers" | "networkHelpers">;

/** How the default job is paid: the fixture's 6-decimals USDC, or the settlement's 18-decimals USD credits. */
export type Payment = "usdc" | "credits";

/** The market with the default job created and open for sealed bids. */
export interface BiddingJobFixture extends MarketFixture {
  jobId: bigint;
  /** The payment token's address. */
  paymentToken: string;
  bidDeadline: bigint;
  revealDeadline: bigint;
}

/** The default job awarded to alice at 1.5 per GPU-hour, not started. */
export interface AwardedJobFixture extends MarketFixture {
  jobId: bigint;
  paymentToken: string;
  /** Alice must start by then (awarded + startWindow). */
  startDeadline: bigint;
}

/** The default job started by alice; nothing claimed. */
export interface RunningJobFixture extends MarketFixture {
  jobId: bigint;
  paymentToken: string;
  startedAt: bigint;
  /** startedAt + duration: when the paid time ends. */
  endsAt: bigint;
  /** endsAt + deliveryGrace: delivering later is too late. */
  deliverBy: bigint;
}

/** The default job delivered by alice exactly at the end of its duration; nothing claimed. */
export interface DeliveredJobFixture extends MarketFixture {
  jobId: bigint;
  paymentToken: string;
  deliveredAt: bigint;
  /** deliveredAt + challengeWindow: the renter may dispute before it, anyone may settle from it. */
  challengeDeadline: bigint;
}

/** The default job delivered at the end of its duration and disputed by the renter an hour later. */
export interface DisputedJobFixture extends MarketFixture {
  jobId: bigint;
  paymentToken: string;
  /** disputedAt + disputeTimeout: the arbiter rules before it, anyone may settle from it. */
  disputeDeadline: bigint;
}

/** The default job delivered and settled undisputed when its challenge window closed. */
export interface SettledJobFixture extends MarketFixture {
  jobId: bigint;
  paymentToken: string;
}

/** What every job fixture holds: the market, the job and its payment token's address. */
type JobFixture = MarketFixture & { jobId: bigint; paymentToken: string };

/** One loadFixture function per state of the default job. */
export interface MarketFixtures {
  marketFixture(): Promise<MarketFixture>;
  biddingFixture(): Promise<BiddingJobFixture>;
  awardedFixture(): Promise<AwardedJobFixture>;
  runningFixture(): Promise<RunningJobFixture>;
  deliveredFixture(): Promise<DeliveredJobFixture>;
  disputedFixture(): Promise<DisputedJobFixture>;
  settledFixture(): Promise<SettledJobFixture>;
}

/**
 * The fixtures of `connection`, paying the default job in `payment`. With credits the renter first buys
 * CREDITS_GRL worth of them and holds as much GRL again, approved to the market for a dispute bond; the
 * feed is republished after the job is built: a credit job's life outlasts the oracle's 24 h heartbeat,
 * and the tests that follow still need a price.
 */
export function marketFixtures({ ethers, networkHelpers }: Connection, payment: Payment = "usdc"): MarketFixtures {
  async function marketFixture(): Promise<MarketFixture> {
    return deployMarket(ethers);
  }

  /** The market, the request overrides for `payment`, and the payment token's address. */
  async function paying(): Promise<{ f: MarketFixture; overrides: Awaited<ReturnType<typeof creditRequest>> }> {
    const f = await deployMarket(ethers);
    if (payment === "usdc") return { f, overrides: {} };
    await buyCreditsFor(f, f.renter, CREDITS_GRL);
    await fundGrlBonds(f, f.renter, CREDITS_GRL);
    return { f, overrides: await creditRequest(f) };
  }

  /** The job's state as a fixture: its payment token, with the feed republished for credit jobs. */
  async function withJob(f: MarketFixture, jobId: bigint): Promise<JobFixture> {
    if (payment === "credits") await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
    return { ...f, jobId, paymentToken: (await f.market.jobOf(jobId)).paymentToken };
  }

  return {
    marketFixture,
    async biddingFixture() {
      const { f, overrides } = await paying();
      const jobId = await createJob(f, overrides);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      return { ...(await withJob(f, jobId)), bidDeadline, revealDeadline };
    },
    async awardedFixture() {
      const { f, overrides } = await paying();
      const jobId = await awardedJob(f, networkHelpers, undefined, overrides);
      return { ...(await withJob(f, jobId)), startDeadline: (await f.market.jobOf(jobId)).deadline };
    },
    async runningFixture() {
      const { f, overrides } = await paying();
      const jobId = await runningJob(f, networkHelpers, undefined, overrides);
      const job = await f.market.jobOf(jobId);
      const endsAt = job.startedAt + job.duration;
      return { ...(await withJob(f, jobId)), startedAt: job.startedAt, endsAt, deliverBy: job.deadline };
    },
    async deliveredFixture() {
      const { f, overrides } = await paying();
      const jobId = await runningJob(f, networkHelpers, undefined, overrides);
      const deliveredAt = await deliverJob(f, networkHelpers, jobId);
      return { ...(await withJob(f, jobId)), deliveredAt, challengeDeadline: (await f.market.jobOf(jobId)).deadline };
    },
    async disputedFixture() {
      const { f, overrides } = await paying();
      const jobId = await disputedJob(f, networkHelpers, undefined, overrides);
      return { ...(await withJob(f, jobId)), disputeDeadline: (await f.market.jobOf(jobId)).deadline };
    },
    async settledFixture() {
      const { f, overrides } = await paying();
      const jobId = await settledJob(f, networkHelpers, undefined, overrides);
      return withJob(f, jobId);
    },
  };
}
