import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, commitBid, createJob } from "../../kit/jobs.ts";
import { INSTANT, JobState, USDC } from "../../kit/market.ts";
import { BUDGET } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

describe("JobMarket: cancelJob", function () {
  it("test_cancelJob_creditsRefundToRenterBalance", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    const usdc = await f.usdc.getAddress();
    // Pull payment: nothing moves on cancel; the refund is credited to the renter's balance.
    await expect(f.market.connect(f.renter).cancelJob(jobId)).to.changeTokenBalances(
      ethers,
      f.usdc,
      [f.renter, f.market],
      [0n, 0n],
    );
    expect(await f.market.balanceOf(usdc, f.renter.address)).to.equal(BUDGET);
    const job = await f.market.jobOf(jobId);
    expect(job.state).to.equal(JobState.Cancelled);
    expect(job.escrow).to.equal(0n);
    expect(await f.market.stateOf(jobId)).to.equal(JobState.Cancelled);
    // The renter then withdraws the refund.
    await expect(f.market.connect(f.renter).withdraw(usdc, f.renter.address)).to.changeTokenBalances(
      ethers,
      f.usdc,
      [f.renter, f.market],
      [BUDGET, -BUDGET],
    );
    expect(await f.market.balanceOf(usdc, f.renter.address)).to.equal(0n);
  });

  it("test_cancelJob_emitsJobCancelled", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.emit(f.market, "JobCancelled")
      .withArgs(jobId, f.renter.address, BUDGET);
  });

  it("test_cancelJob_refundsAccumulateAcrossJobs", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const a = await createJob(f);
    const b = await createJob(f, { reservePricePerGpuHour: 3n * USDC });
    await f.market.connect(f.renter).cancelJob(a);
    await f.market.connect(f.renter).cancelJob(b);
    expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET + 120n * USDC);
  });

  it("test_cancelJob_revertsForNonRenter", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    for (const caller of [f.renter2, f.alice, f.admin, f.outsider]) {
      await expect(f.market.connect(caller).cancelJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotRenter")
        .withArgs(jobId, caller.address);
    }
  });

  it("test_cancelJob_revertsForUnknownJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await expect(f.market.connect(f.renter).cancelJob(0n))
      .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
      .withArgs(0n);
    const jobId = await createJob(f);
    await expect(f.market.connect(f.renter).cancelJob(jobId + 1n))
      .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
      .withArgs(jobId + 1n);
  });

  it("test_cancelJob_withSealedBidsDuringBidWindow", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await commitBid(f, f.alice, jobId, USDC);
    await commitBid(f, f.bob, jobId, USDC);
    const bidDeadline = (await f.market.jobOf(jobId)).bidDeadline;
    await networkHelpers.time.setNextBlockTimestamp(bidDeadline - 1n);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.emit(f.market, "JobCancelled")
      .withArgs(jobId, f.renter.address, BUDGET);
    expect(await f.market.stateOf(jobId)).to.equal(JobState.Cancelled);
    expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET);
  });

  it("test_cancelJob_revertsWithBidsAtBidDeadline", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await commitBid(f, f.alice, jobId, USDC);
    await commitBid(f, f.bob, jobId, USDC);
    await networkHelpers.time.setNextBlockTimestamp((await f.market.jobOf(jobId)).bidDeadline);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketJobHasBids")
      .withArgs(jobId, 2n);
  });

  it("test_cancelJob_sealedBidsAreReleasedInFullByCloseBid", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await commitBid(f, f.alice, jobId, USDC);
    const locked = (await f.market.bidOf(jobId, f.alice.address)).lockedGrl;
    const before = await f.registry.providerOf(f.alice.address);
    await (await f.market.connect(f.renter).cancelJob(jobId)).wait();
    const burned = await f.token.totalBurned();
    await expect(f.market.connect(f.outsider).closeBid(jobId, f.alice.address))
      .to.emit(f.market, "BidReleased")
      .withArgs(jobId, f.alice.address, locked)
      .and.not.to.emit(f.market, "BidBondForfeited");
    expect(await f.token.totalBurned()).to.equal(burned);
    expect(await f.market.lockOf(jobId, f.alice.address)).to.equal(0n);
    const after = await f.registry.providerOf(f.alice.address);
    expect(after.freeStake - before.freeStake).to.equal(locked);
    await expect(f.market.closeBid(jobId, f.alice.address)).to.be.revertedWithCustomError(
      f.market,
      "MarketBidNotClosable",
    );
  });

  it("test_cancelJob_revertsWhenBidsUnrevealedAfterRevealDeadline", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await commitBid(f, f.alice, jobId, USDC);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketJobHasBids")
      .withArgs(jobId, 1n);
  });

  it("test_cancelJob_allowedAfterBidDeadlineWithoutBids", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    const job = await f.market.jobOf(jobId);
    // The job reports Revealing, but is stored as Bidding without a bid: still cancellable.
    await networkHelpers.time.increaseTo(job.bidDeadline);
    expect(await f.market.stateOf(jobId)).to.equal(JobState.Revealing);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.emit(f.market, "JobCancelled")
      .withArgs(jobId, f.renter.address, BUDGET);
  });

  it("test_cancelJob_allowedAfterRevealDeadlineWithoutBids", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline + 1n);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.emit(f.market, "JobCancelled")
      .withArgs(jobId, f.renter.address, BUDGET);
  });

  it("test_cancelJob_unacceptedInstantJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.emit(f.market, "JobCancelled")
      .withArgs(jobId, f.renter.address, BUDGET);
    expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET);
  });

  it("test_cancelJob_unacceptedInstantJobAfterWindow", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline + 1n);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.emit(f.market, "JobCancelled")
      .withArgs(jobId, f.renter.address, BUDGET);
  });

  it("test_cancelJob_revertsForAcceptedInstantJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
    await f.market.connect(f.alice).acceptInstant(jobId);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Awarded);
  });

  it("test_cancelJob_revertsWhenAlreadyCancelled", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await f.market.connect(f.renter).cancelJob(jobId);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Cancelled);
    // The refund was credited once.
    expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(BUDGET);
  });

  it("test_cancelJob_revertsForExpiredJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
    await f.market.award(jobId);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Expired);
  });

  it("test_cancelJob_revertsForAwardedJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await awardedJob(f, networkHelpers);
    await expect(f.market.connect(f.renter).cancelJob(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Awarded);
  });

  it("test_cancelJob_renterCheckPrecedesStateCheck", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await awardedJob(f, networkHelpers);
    await expect(f.market.connect(f.outsider).cancelJob(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketNotRenter")
      .withArgs(jobId, f.outsider.address);
  });

  it("test_cancelJob_cancelledJobRejectsBids", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await createJob(f);
    await f.market.connect(f.renter).cancelJob(jobId);
    const commitment = await f.market.bidCommitment(jobId, f.alice.address, USDC, ethers.ZeroHash);
    await expect(f.market.connect(f.alice).commitBid(jobId, commitment))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Cancelled);
    await expect(f.market.award(jobId))
      .to.be.revertedWithCustomError(f.market, "MarketWrongState")
      .withArgs(jobId, JobState.Cancelled);
  });
});
