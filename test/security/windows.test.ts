import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import {
  awardedJob,
  commitBid,
  createJob,
  EVIDENCE_HASH,
  nextAt,
  RESULT_HASH,
  RESULT_URI,
  runningJob,
  saltFor,
} from "../kit/jobs.ts";
import { deployMarket, GRL_USD_ANSWER, INSTANT, JobState, type MarketFixture, RENTER_FAULT } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import { deliverAtEnd, P1_5, P1_8, settleAtDeadline } from "../market/lifecycle/helpers.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * A time window: `last` actions are allowed up to deadline - 1 and refused from the deadline on, and
 * `next` actions are refused until deadline - 1 and allowed from the deadline on. No second allows both,
 * so a bid (or any action) sent in the last second of a window either lands in it or is refused. The
 * market refuses with MarketWindowClosed(jobId, deadline, now) and MarketTooEarly(jobId, deadline, now).
 */
interface Window {
  name: string;
  setup: () => Promise<{ f: MarketFixture; jobId: bigint; deadline: bigint }>;
  last: Record<string, (f: MarketFixture, jobId: bigint) => Promise<ContractTransactionResponse>>;
  next: Record<string, (f: MarketFixture, jobId: bigint) => Promise<ContractTransactionResponse>>;
}

async function biddingFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f);
  // Bob committed early; at the deadline he may reveal.
  await commitBid(f, f.bob, jobId, P1_8);
  return { f, jobId, deadline: (await f.market.jobOf(jobId)).bidDeadline };
}

async function instantFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
  return { f, jobId, deadline: (await f.market.jobOf(jobId)).bidDeadline };
}

async function revealingFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f);
  await commitBid(f, f.alice, jobId, P1_5);
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.bidDeadline);
  return { f, jobId, deadline: job.revealDeadline };
}

/** Alice's bid is revealed and the best: at the reveal deadline she may award herself and start. */
async function revealedFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f);
  await commitBid(f, f.alice, jobId, P1_5);
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.bidDeadline);
  await (await f.market.connect(f.alice).revealBid(jobId, P1_5, saltFor(f.alice, P1_5))).wait();
  return { f, jobId, deadline: job.revealDeadline };
}

async function awardedFixture() {
  const f = await deployMarket(ethers);
  const jobId = await awardedJob(f, networkHelpers, [[f.alice, P1_5]]);
  return { f, jobId, deadline: (await f.market.jobOf(jobId)).deadline };
}

async function runningFixture() {
  const f = await deployMarket(ethers);
  const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]]);
  return { f, jobId, deadline: (await f.market.jobOf(jobId)).deadline };
}

async function deliveredFixture() {
  const f = await deployMarket(ethers);
  const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]]);
  const deadline = await deliverAtEnd(f, networkHelpers, jobId);
  return { f, jobId, deadline };
}

async function disputedFixture() {
  const f = await deployMarket(ethers);
  const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]]);
  await deliverAtEnd(f, networkHelpers, jobId);
  await (await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).wait();
  return { f, jobId, deadline: (await f.market.jobOf(jobId)).deadline };
}

const WINDOWS: Window[] = [
  {
    name: "bid",
    setup: biddingFixture,
    last: {
      commitBid: async (f, jobId) =>
        f.market
          .connect(f.alice)
          .commitBid(jobId, await f.market.bidCommitment(jobId, f.alice.address, P1_5, saltFor(f.alice, P1_5))),
    },
    next: { revealBid: (f, jobId) => f.market.connect(f.bob).revealBid(jobId, P1_8, saltFor(f.bob, P1_8)) },
  },
  {
    name: "instant",
    setup: instantFixture,
    last: {
      acceptInstant: (f, jobId) => f.market.connect(f.alice).acceptInstant(jobId),
      acceptInstantAndStart: (f, jobId) => f.market.connect(f.alice).acceptInstantAndStart(jobId),
    },
    next: { award: (f, jobId) => f.market.connect(f.outsider).award(jobId) },
  },
  {
    name: "reveal",
    setup: revealingFixture,
    last: { revealBid: (f, jobId) => f.market.connect(f.alice).revealBid(jobId, P1_5, saltFor(f.alice, P1_5)) },
    next: { award: (f, jobId) => f.market.connect(f.outsider).award(jobId) },
  },
  {
    name: "reveal, with the best bid revealed",
    setup: revealedFixture,
    last: {},
    next: { awardAndStart: (f, jobId) => f.market.connect(f.alice).awardAndStart(jobId) },
  },
  {
    name: "start",
    setup: awardedFixture,
    last: { startJob: (f, jobId) => f.market.connect(f.alice).startJob(jobId) },
    next: { failJob: (f, jobId) => f.market.connect(f.outsider).failJob(jobId) },
  },
  {
    name: "delivery",
    setup: runningFixture,
    last: {
      deliver: (f, jobId) => f.market.connect(f.alice).deliver(jobId, RESULT_HASH, RESULT_URI),
      claim: (f, jobId) => f.market.connect(f.alice).claim(jobId),
      stopJob: (f, jobId) => f.market.connect(f.renter).stopJob(jobId),
    },
    next: { failJob: (f, jobId) => f.market.connect(f.outsider).failJob(jobId) },
  },
  {
    name: "challenge",
    setup: deliveredFixture,
    last: { dispute: (f, jobId) => f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH) },
    next: { settle: (f, jobId) => f.market.connect(f.outsider).settle(jobId) },
  },
  {
    name: "disputeTimeout",
    setup: disputedFixture,
    last: { resolveDispute: (f, jobId) => f.market.connect(f.arbiter).resolveDispute(jobId, RENTER_FAULT) },
    next: { settleDisputeTimeout: (f, jobId) => f.market.connect(f.outsider).settleDisputeTimeout(jobId) },
  },
];

describe("Security: the last second of every window", function () {
  for (const w of WINDOWS) {
    describe(`${w.name} window`, function () {
      for (const [action, send] of Object.entries(w.last)) {
        it(`test_${action}_succeedsAtDeadlineMinusOne`, async function () {
          const { f, jobId, deadline } = await networkHelpers.loadFixture(w.setup);
          await nextAt(networkHelpers, deadline - 1n);
          await expect(send(f, jobId)).not.to.revert(ethers);
        });

        it(`test_${action}_revertsAtDeadline`, async function () {
          const { f, jobId, deadline } = await networkHelpers.loadFixture(w.setup);
          await nextAt(networkHelpers, deadline);
          await expect(send(f, jobId))
            .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
            .withArgs(jobId, deadline, deadline);
        });
      }

      for (const [action, send] of Object.entries(w.next)) {
        it(`test_${action}_revertsAtDeadlineMinusOne`, async function () {
          const { f, jobId, deadline } = await networkHelpers.loadFixture(w.setup);
          await nextAt(networkHelpers, deadline - 1n);
          await expect(send(f, jobId))
            .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
            .withArgs(jobId, deadline, deadline - 1n);
        });

        it(`test_${action}_succeedsAtDeadline`, async function () {
          const { f, jobId, deadline } = await networkHelpers.loadFixture(w.setup);
          await nextAt(networkHelpers, deadline);
          await expect(send(f, jobId)).not.to.revert(ethers);
        });
      }
    });
  }

  describe("the state each boundary leaves", function () {
    it("test_commitAtLastSecond_isRevealableAndCanWin", async function () {
      const { f, jobId, deadline } = await networkHelpers.loadFixture(biddingFixture);
      await nextAt(networkHelpers, deadline - 1n);
      await commitBid(f, f.alice, jobId, P1_5);
      // The reveal window opens the next second; the late bid is a full bid.
      await nextAt(networkHelpers, deadline);
      await expect(f.market.connect(f.alice).revealBid(jobId, P1_5, saltFor(f.alice, P1_5)))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.alice.address, P1_5, 1n, true);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Revealing);
    });

    it("test_revealAtLastSecond_countsAtAward", async function () {
      const { f, jobId, deadline } = await networkHelpers.loadFixture(revealingFixture);
      await nextAt(networkHelpers, deadline - 1n);
      await (await f.market.connect(f.alice).revealBid(jobId, P1_5, saltFor(f.alice, P1_5))).wait();
      await nextAt(networkHelpers, deadline);
      await (await f.market.award(jobId)).wait();
      const job = await f.market.jobOf(jobId);
      expect([job.state, job.provider, job.clearingPrice]).to.deep.equal([JobState.Awarded, f.alice.address, P1_5]);
    });

    it("test_disputeAtLastSecond_blocksSettle", async function () {
      const { f, jobId, deadline } = await networkHelpers.loadFixture(deliveredFixture);
      await nextAt(networkHelpers, deadline - 1n);
      await (await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).wait();
      await nextAt(networkHelpers, deadline);
      await expect(f.market.settle(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Disputed);
    });
  });

  describe("settlement and registry windows", function () {
    /** A job settled in epoch 0, recording alice's GPU-seconds there. */
    async function emissionFixture() {
      const f = await deployMarket(ethers);
      const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]]);
      await deliverAtEnd(f, networkHelpers, jobId);
      await settleAtDeadline(f, networkHelpers, jobId);
      expect(await f.settlement.currentEpoch()).to.equal(0n);
      return { f, epochEnd: await f.settlement.epochStart(1n) };
    }

    it("test_claimEmission_revertsAtLastSecondOfTheEpoch", async function () {
      const { f, epochEnd } = await networkHelpers.loadFixture(emissionFixture);
      await nextAt(networkHelpers, epochEnd - 1n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEpochNotEnded")
        .withArgs(0n, 0n);
    });

    it("test_claimEmission_succeedsAtFirstSecondOfTheNextEpoch", async function () {
      const { f, epochEnd } = await networkHelpers.loadFixture(emissionFixture);
      const seconds = await f.settlement.gpuSecondsOf(0n, f.alice.address);
      const fees = await f.settlement.feesUsdOf(0n, f.alice.address);
      const budget = (await f.settlement.epochEmissionOf(0n)).budget;
      // The claim reads the price: publish it just before the epoch's end, within the heartbeat.
      await nextAt(networkHelpers, epochEnd - 1n);
      await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
      const price = await f.oracle.grlUsdPrice();
      const amount = (fees * 10n ** 18n) / price;
      await nextAt(networkHelpers, epochEnd);
      // Alice delivered every GPU-second of epoch 0: the whole budget is her share, capped at her fees'
      // worth; bob, who delivered none, nothing.
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, amount, seconds, amount, budget, fees, price);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(0n);
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(0n);
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(0n, f.bob.address);
    });

    it("test_settleAtLastSecondOfEpoch_recordsInThatEpoch_atFirstSecondInTheNext", async function () {
      const f = await deployMarket(ethers);
      const a = await runningJob(f, networkHelpers, [[f.alice, P1_5]]);
      const b = await runningJob(f, networkHelpers, [[f.bob, P1_5]]);
      await deliverAtEnd(f, networkHelpers, a);
      await deliverAtEnd(f, networkHelpers, b);
      const epochEnd = await f.settlement.epochStart(1n);
      await nextAt(networkHelpers, epochEnd - 1n);
      await (await f.market.settle(a)).wait();
      await nextAt(networkHelpers, epochEnd);
      await (await f.market.settle(b)).wait();
      const seconds = 4n * 10n * 3600n;
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(seconds);
      expect(await f.settlement.gpuSecondsOf(1n, f.alice.address)).to.equal(0n);
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(0n);
      expect(await f.settlement.gpuSecondsOf(1n, f.bob.address)).to.equal(seconds);
    });

    /** Alice asks to unbond 1,000 GRL. */
    async function unbondingFixture() {
      const f = await deployMarket(ethers);
      await (await f.registry.connect(f.alice).requestUnbond(1_000n * GRL)).wait();
      return { f, unlocksAt: (await f.registry.providerOf(f.alice.address)).unbondingUnlocksAt };
    }

    it("test_registryWithdraw_revertsAtUnlockMinusOne", async function () {
      const { f, unlocksAt } = await networkHelpers.loadFixture(unbondingFixture);
      await nextAt(networkHelpers, unlocksAt - 1n);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.be.revertedWithCustomError(f.registry, "RegistryUnbondingLocked")
        .withArgs(unlocksAt, unlocksAt - 1n);
    });

    it("test_registryWithdraw_succeedsAtUnlock", async function () {
      const { f, unlocksAt } = await networkHelpers.loadFixture(unbondingFixture);
      await nextAt(networkHelpers, unlocksAt);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.emit(f.registry, "StakeWithdrawn")
        .withArgs(f.alice.address, 1_000n * GRL);
    });
  });
});
