import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures, type Payment } from "./fixtures.ts";
import { CREDIT_RESERVE } from "./jobs.ts";
import {
  CHALLENGE_WINDOW,
  DELIVERY_GRACE,
  DISPUTE_TIMEOUT,
  HOUR,
  JobState,
  type MarketFixture,
  START_WINDOW,
  USDC,
} from "./market.ts";

const connection = await network.create();
const { networkHelpers } = connection;

/** Loads `fixture` and reads its job as the market stores it. */
async function withJob<F extends MarketFixture & { jobId: bigint }>(fixture: () => Promise<F>) {
  const f = await networkHelpers.loadFixture(fixture);
  return { f, job: await f.market.jobOf(f.jobId) };
}

/** The reserve per GPU-hour of the default request in each payment token. */
const RESERVE: Record<Payment, bigint> = { usdc: 2n * USDC, credits: CREDIT_RESERVE };

for (const payment of ["usdc", "credits"] as const) {
  const fixtures = marketFixtures(connection, payment);

  describe(`test kit: the default job in each state, paid in ${payment}`, function () {
    it("biddingFixture: created, open for bids, in the payment token", async function () {
      const { f, job } = await withJob(fixtures.biddingFixture);
      expect(job.state).to.equal(JobState.Bidding);
      expect(job.reservePricePerGpuHour).to.equal(RESERVE[payment]);
      expect(f.paymentToken).to.equal(payment === "usdc" ? await f.usdc.getAddress() : await f.settlement.getAddress());
      expect(f.revealDeadline).to.equal(f.bidDeadline + HOUR);
    });

    it("awardedFixture: awarded to alice, to start within the start window", async function () {
      const { f, job } = await withJob(fixtures.awardedFixture);
      expect(job.state).to.equal(JobState.Awarded);
      expect(job.provider).to.equal(f.alice.address);
      expect(f.startDeadline).to.equal(job.deadline);
      // Awarded start-window seconds before the deadline (the credit fixtures then republish the feed).
      expect(f.startDeadline - START_WINDOW).to.be.at.most(await networkHelpers.time.latest());
    });

    it("runningFixture: started by alice, to deliver within the duration and the grace", async function () {
      const { f, job } = await withJob(fixtures.runningFixture);
      expect(job.state).to.equal(JobState.Running);
      expect(f.startedAt).to.equal(job.startedAt);
      expect(f.endsAt).to.equal(job.startedAt + job.duration);
      expect(f.deliverBy).to.equal(f.endsAt + DELIVERY_GRACE);
    });

    it("deliveredFixture: delivered at the end of the duration, challenge window open", async function () {
      const { f, job } = await withJob(fixtures.deliveredFixture);
      expect(job.state).to.equal(JobState.Delivered);
      expect(f.deliveredAt).to.equal(job.startedAt + job.duration);
      expect(f.challengeDeadline).to.equal(f.deliveredAt + CHALLENGE_WINDOW);
    });

    it("disputedFixture: disputed by the renter an hour after delivery", async function () {
      const { f, job } = await withJob(fixtures.disputedFixture);
      expect(job.state).to.equal(JobState.Disputed);
      expect(f.disputeDeadline).to.equal(job.startedAt + job.duration + HOUR + DISPUTE_TIMEOUT);
    });

    it("settledFixture: settled undisputed, the escrow paid out", async function () {
      const { job } = await withJob(fixtures.settledFixture);
      expect(job.state).to.equal(JobState.Settled);
      expect(job.escrow).to.equal(0n);
    });
  });
}
