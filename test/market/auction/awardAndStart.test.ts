import { expect } from "chai";
import { network } from "hardhat";

import { commitBid, createJob, revealBid } from "../../kit/jobs.ts";
import {
  BidStatus,
  deployMarket,
  FIRST_PRICE,
  HOUR,
  INSTANT,
  JobState,
  PROVIDER_STAKE,
  SECOND_PRICE,
  USDC,
} from "../../kit/market.ts";
import { DURATION, GPUS, jobValue } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import {
  BID_LOCK,
  bidObject,
  BUDGET,
  COLLATERAL,
  expectCombinedLikeSeparate,
  expectDeliversAndSettles,
  freeStakeOf,
  jobObject,
  scaledCollateral,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

/** DEFAULT_PARAMS: startWindow and deliveryGrace are both an hour. */
const START_WINDOW = HOUR;
const DELIVERY_GRACE = HOUR;

const P15 = (15n * USDC) / 10n;
const P16 = (16n * USDC) / 10n;

/**
 * An auction of the default job shape with alice's bid at $1.50 and bob's at $1.60, both revealed
 * (alice's is the best), stopped just before the reveal deadline.
 */
async function auctionFixture(pricingRule: bigint) {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f, { pricingRule });
  await commitBid(f, f.alice, jobId, P15);
  await commitBid(f, f.bob, jobId, P16);
  const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(bidDeadline);
  await revealBid(f, f.alice, jobId, P15);
  await revealBid(f, f.bob, jobId, P16);
  return { ...f, jobId, revealDeadline };
}
const firstPriceFixture = () => auctionFixture(FIRST_PRICE);
const secondPriceFixture = () => auctionFixture(SECOND_PRICE);

type AuctionFixture = Awaited<ReturnType<typeof auctionFixture>>;

/** Everything the two paths may change: the job, both bids, alice's stake and lock, her H100 line, the ledgers. */
async function outcome(f: AuctionFixture) {
  const p = await f.registry.providerOf(f.alice.address);
  const usdc = await f.usdc.getAddress();
  return {
    job: await jobObject(f, f.jobId),
    state: await f.market.stateOf(f.jobId),
    aliceBid: await bidObject(f, f.jobId, f.alice.address),
    bobBid: await bidObject(f, f.jobId, f.bob.address),
    freeStake: p.freeStake,
    lockedStake: p.lockedStake,
    lock: await f.market.lockOf(f.jobId, f.alice.address),
    leased: (await f.registry.gpuLineOf(f.alice.address, H100)).leased,
    renterLedger: await f.market.balanceOf(usdc, f.renter.address),
    escrowHeld: await f.usdc.balanceOf(await f.market.getAddress()),
  };
}

describe("JobMarket: awardAndStart", function () {
  describe("happy path", function () {
    it("test_awardAndStart_emitsAwardedUnlockedStartedLeasedInOrder", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      const t = f.revealDeadline + 60n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      const value = jobValue(P15, GPUS, DURATION);
      const collateral = scaledCollateral(COLLATERAL, P15, 2n * USDC);
      const tx = f.market.connect(f.alice).awardAndStart(f.jobId);
      await expect(tx)
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          f.jobId,
          f.renter.address,
          f.alice.address,
          H100,
          GPUS,
          FIRST_PRICE,
          P15,
          2n * USDC,
          value,
          BUDGET - value,
          collateral,
          2n,
          2n,
          t + START_WINDOW,
        )
        .and.to.emit(f.registry, "CollateralUnlocked")
        .withArgs(f.alice.address, f.jobId, BID_LOCK - collateral, collateral, PROVIDER_STAKE - collateral)
        .and.to.emit(f.market, "JobStarted")
        .withArgs(f.jobId, f.alice.address, H100, GPUS, t, t + DURATION)
        .and.to.emit(f.registry, "GpusLeased")
        .withArgs(f.alice.address, H100, GPUS, GPUS);
      const receipt = await (await tx).wait();
      const names = receipt!.logs.map(
        (l) => (f.market.interface.parseLog(l) ?? f.registry.interface.parseLog(l))?.name,
      );
      expect(names).to.deep.equal(["JobAwarded", "CollateralUnlocked", "JobStarted", "GpusLeased"]);
    });

    for (const [rule, load] of [
      ["firstPrice", firstPriceFixture],
      ["secondPrice", secondPriceFixture],
    ] as const) {
      it(`test_awardAndStart_${rule}_logsAndStateEqualAwardThenStartJob`, async function () {
        const { revealDeadline } = await networkHelpers.loadFixture(load);
        // award and startJob mined in one block, so both see the same timestamp as the combined call.
        await expectCombinedLikeSeparate(ethers, networkHelpers, load, revealDeadline + 60n, {
          separate: (f) => [
            (o) => f.market.connect(f.outsider).award(f.jobId, o),
            (o) => f.market.connect(f.alice).startJob(f.jobId, o),
          ],
          combined: (f) => f.market.connect(f.alice).awardAndStart(f.jobId),
          outcome,
        });
      });
    }

    it("test_awardAndStart_secondPrice_runsAtTheSecondPriceAndCreditsTheRefund", async function () {
      const f = await networkHelpers.loadFixture(secondPriceFixture);
      const t = f.revealDeadline;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.alice).awardAndStart(f.jobId);
      const value = jobValue(P16, GPUS, DURATION);
      const collateral = scaledCollateral(COLLATERAL, P16, 2n * USDC);
      const job = await f.market.jobOf(f.jobId);
      expect([job.state, job.provider, job.clearingPrice, job.escrow, job.collateral]).to.deep.equal([
        JobState.Running,
        f.alice.address,
        P16,
        value,
        collateral,
      ]);
      expect([job.startedAt, job.deadline]).to.deep.equal([t, t + DURATION + DELIVERY_GRACE]);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET - value);
      expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(collateral);
      expect(await freeStakeOf(f, f.alice)).to.equal(PROVIDER_STAKE - collateral);
      expect((await f.registry.gpuLineOf(f.alice.address, H100)).leased).to.equal(GPUS);
      expect((await f.market.bidOf(f.jobId, f.alice.address)).status).to.equal(BidStatus.Closed);
      // The loser's bid stays revealed and locked until closed, as after award.
      expect((await f.market.bidOf(f.jobId, f.bob.address)).status).to.equal(BidStatus.Revealed);
      expect(await f.market.lockOf(f.jobId, f.bob.address)).to.equal(BID_LOCK);
      await expect(f.market.closeBid(f.jobId, f.bob.address))
        .to.emit(f.market, "BidReleased")
        .withArgs(f.jobId, f.bob.address, BID_LOCK);
    });

    it("test_awardAndStart_providerCanDeliverAndSettle", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      await networkHelpers.time.increaseTo(f.revealDeadline);
      await f.market.connect(f.alice).awardAndStart(f.jobId);
      await expectDeliversAndSettles(f, ethers, networkHelpers, f.alice, f.jobId);
    });
  });

  describe("who and when", function () {
    it("test_awardAndStart_revertsForUnknownJob", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      await expect(f.market.connect(f.alice).awardAndStart(99n))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(99n);
    });

    it("test_awardAndStart_revertsBeforeTheRevealDeadline", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      await networkHelpers.time.setNextBlockTimestamp(f.revealDeadline - 1n);
      await expect(f.market.connect(f.alice).awardAndStart(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(f.jobId, f.revealDeadline, f.revealDeadline - 1n);
    });

    it("test_awardAndStart_revertsForALosingBidder", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      await networkHelpers.time.increaseTo(f.revealDeadline);
      await expect(f.market.connect(f.bob).awardAndStart(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotProvider")
        .withArgs(f.jobId, f.bob.address);
      await expect(f.market.connect(f.outsider).awardAndStart(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotProvider")
        .withArgs(f.jobId, f.outsider.address);
      // Nothing moved: the auction still awards to alice.
      expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Revealing);
      await expect(f.market.award(f.jobId)).to.emit(f.market, "JobAwarded");
      expect((await f.market.jobOf(f.jobId)).provider).to.equal(f.alice.address);
    });

    it("test_awardAndStart_revertsWhenNobodyRevealed", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      const jobId = await createJob(f);
      await commitBid(f, f.carol, jobId, P15);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      // No best bid, so no caller is the provider; award expires the job instead.
      await expect(f.market.connect(f.carol).awardAndStart(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotProvider")
        .withArgs(jobId, f.carol.address);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobExpired");
    });

    it("test_awardAndStart_revertsForAnInstantJob", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
      await expect(f.market.connect(f.alice).awardAndStart(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotProvider")
        .withArgs(jobId, f.alice.address);
      const accepted = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await f.market.connect(f.alice).acceptInstant(accepted);
      await expect(f.market.connect(f.alice).awardAndStart(accepted))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(accepted, JobState.Awarded);
    });

    it("test_awardAndStart_revertsOnceAwardedOrStarted", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      await networkHelpers.time.increaseTo(f.revealDeadline);
      await f.market.award(f.jobId);
      await expect(f.market.connect(f.alice).awardAndStart(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Awarded);
      await f.market.connect(f.alice).startJob(f.jobId);
      await expect(f.market.connect(f.alice).awardAndStart(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Running);
      await expect(f.market.award(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Running);
      expect((await f.registry.gpuLineOf(f.alice.address, H100)).leased).to.equal(GPUS);
    });

    it("test_awardAndStart_revertsForACancelledJob", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      const jobId = await createJob(f);
      await f.market.connect(f.renter).cancelJob(jobId);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      await expect(f.market.connect(f.alice).awardAndStart(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Cancelled);
    });
  });

  describe("GPUs no longer free", function () {
    it("test_awardAndStart_revertsWholeWhenTheGpusAreLeased_andAwardStillWorks", async function () {
      const f = await networkHelpers.loadFixture(firstPriceFixture);
      // Alice runs an instant job on 6 of her 8 H100s meanwhile: 2 are free, the auction needs 4.
      const other = await createJob(f, { pricingRule: INSTANT, revealWindow: 0, gpuCount: 6 });
      await f.market.connect(f.alice).acceptInstantAndStart(other);
      await networkHelpers.time.increaseTo(f.revealDeadline);
      const before = await outcome(f);
      await expect(f.market.connect(f.alice).awardAndStart(f.jobId))
        .to.be.revertedWithCustomError(f.registry, "RegistryInsufficientGpus")
        .withArgs(H100, 2n, GPUS);
      // Nothing of the award stands: the job is still open to award, with the bids and the escrow as they were.
      expect(await outcome(f)).to.deep.equal(before);
      await expect(f.market.award(f.jobId)).to.emit(f.market, "JobAwarded");
      expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Awarded);
    });
  });
});
