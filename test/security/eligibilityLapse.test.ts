import { expect } from "chai";
import { network } from "hardhat";

import { commitBid, createJob, revealBid } from "../kit/jobs.ts";
import { BidStatus, deployMarket, INSTANT, JobState, type MarketFixture, USDC } from "../kit/market.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * A provider that lapses after committing (goes offline, or falls below the job's minimum reputation) used
 * to keep its place in the auction: reveals and award did not look again. Played as such a provider would.
 */
const CHEAP = (12n * USDC) / 10n;
const HONEST = (15n * USDC) / 10n;

/** A first-price job (4 H100, 10 h, $2.00 reserve) with alice bidding $1.20 and bob $1.50. */
async function committedFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f, { minReputation: 4_000 });
  await commitBid(f, f.alice, jobId, CHEAP);
  await commitBid(f, f.bob, jobId, HONEST);
  const job = await f.market.jobOf(jobId);
  return {
    ...f,
    jobId,
    bidDeadline: job.bidDeadline,
    revealDeadline: job.revealDeadline,
    bond: await bidBond(f, jobId),
  };
}

async function bidBond(f: MarketFixture, jobId: bigint): Promise<bigint> {
  return (await f.market.marketParams((await f.market.jobOf(jobId)).paramsId)).bidBond;
}

/** Both bids revealed: alice is best at $1.20. */
async function revealedFixture() {
  const f = await committedFixture();
  await networkHelpers.time.increaseTo(f.bidDeadline);
  await revealBid(f, f.alice, f.jobId, CHEAP);
  await revealBid(f, f.bob, f.jobId, HONEST);
  return f;
}

describe("Security: a provider that lapses after committing cannot win", function () {
  it("test_revealBid_offlineProviderCannotReveal_theHonestBidWins", async function () {
    const f = await networkHelpers.loadFixture(committedFixture);
    await (await f.registry.connect(f.alice).setOnline(false)).wait();
    await networkHelpers.time.increaseTo(f.bidDeadline);
    await expect(revealBid(f, f.alice, f.jobId, CHEAP))
      .to.be.revertedWithCustomError(f.registry, "RegistryProviderOffline")
      .withArgs(f.alice.address);
    await revealBid(f, f.bob, f.jobId, HONEST);
    await networkHelpers.time.increaseTo(f.revealDeadline);
    await (await f.market.award(f.jobId)).wait();
    const job = await f.market.jobOf(f.jobId);
    expect([job.state, job.provider, job.clearingPrice]).to.deep.equal([JobState.Awarded, f.bob.address, HONEST]);
    // The lapsed bid stays unrevealed: its bond is burned when it is closed.
    const supply = await f.token.totalSupply();
    await expect(f.market.closeBid(f.jobId, f.alice.address)).to.emit(f.market, "BidBondForfeited");
    expect(await f.token.totalSupply()).to.equal(supply - f.bond);
  });

  it("test_revealBid_providerBelowMinReputationAfterAFaultCannotReveal", async function () {
    const f = await networkHelpers.loadFixture(committedFixture);
    // Alice takes an instant job elsewhere and never starts it: the no-show fault drops her from 5,000 to 3,333,
    // below this job's 4,000 minimum.
    const other = await createJob(f, { pricingRule: INSTANT, revealWindow: 0, gpuCount: 1 });
    await (await f.market.connect(f.alice).acceptInstant(other)).wait();
    await networkHelpers.time.increaseTo((await f.market.jobOf(other)).deadline);
    await (await f.market.failJob(other)).wait();
    expect((await f.registry.providerOf(f.alice.address)).reputation).to.equal(3_333n);
    // The start window (1 h) ran past this job's bid deadline: the reveal window is open.
    expect(BigInt(await networkHelpers.time.latest())).to.be.greaterThanOrEqual(f.bidDeadline);
    expect(BigInt(await networkHelpers.time.latest())).to.be.lessThan(f.revealDeadline);
    await expect(revealBid(f, f.alice, f.jobId, CHEAP))
      .to.be.revertedWithCustomError(f.registry, "RegistryReputationTooLow")
      .withArgs(3_333n, 4_000n);
  });

  it("test_award_bestBidderOfflineAtAward_jobExpiresRefundedAndItsBondBurned", async function () {
    const f = await networkHelpers.loadFixture(revealedFixture);
    await (await f.registry.connect(f.alice).setOnline(false)).wait();
    await networkHelpers.time.increaseTo(f.revealDeadline);
    const escrow = (await f.market.jobOf(f.jobId)).escrow;
    const collateral = (await f.market.jobOf(f.jobId)).collateral;
    const supply = await f.token.totalSupply();
    const tx = f.market.connect(f.outsider).award(f.jobId);
    await expect(tx).to.emit(f.market, "JobExpired").withArgs(f.jobId, f.renter.address, escrow, 2n);
    await expect(tx)
      .to.emit(f.market, "BidBondForfeited")
      .withArgs(f.jobId, f.alice.address, f.renter.address, f.bond, collateral);
    const job = await f.market.jobOf(f.jobId);
    expect([job.state, job.provider, job.escrow]).to.deep.equal([JobState.Expired, ethers.ZeroAddress, 0n]);
    expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(escrow);
    expect(await f.token.totalSupply()).to.equal(supply - f.bond);
    expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(0n);
    expect((await f.market.bidOf(f.jobId, f.alice.address)).status).to.equal(BidStatus.Closed);
    // Bob's revealed bid is released whole.
    await expect(f.market.closeBid(f.jobId, f.bob.address)).to.emit(f.market, "BidReleased");
  });

  it("test_awardAndStart_bestBidderOfflineCannotAwardItself", async function () {
    const f = await networkHelpers.loadFixture(revealedFixture);
    await (await f.registry.connect(f.alice).setOnline(false)).wait();
    await networkHelpers.time.increaseTo(f.revealDeadline);
    await expect(f.market.connect(f.alice).awardAndStart(f.jobId))
      .to.be.revertedWithCustomError(f.registry, "RegistryProviderOffline")
      .withArgs(f.alice.address);
  });

  it("test_award_qualifiedWinner_tooLittleGasNeverExpiresTheJob", async function () {
    const f = await networkHelpers.loadFixture(revealedFixture);
    await networkHelpers.time.increaseTo(f.revealDeadline);
    // A keeper that starves the registry call of gas must not make a qualified winner look lapsed: every
    // gas limit either awards alice or reverts.
    const estimate = await f.market.award.estimateGas(f.jobId);
    for (let gas = estimate - 40_000n; gas < estimate; gas += 2_000n) {
      const snapshot = await networkHelpers.takeSnapshot();
      try {
        await (await f.market.connect(f.outsider).award(f.jobId, { gasLimit: gas })).wait();
        expect((await f.market.jobOf(f.jobId)).state).to.equal(JobState.Awarded);
      } catch {
        expect((await f.market.jobOf(f.jobId)).state).to.equal(JobState.Bidding);
      }
      await snapshot.restore();
    }
    await (await f.market.award(f.jobId)).wait();
    expect((await f.market.jobOf(f.jobId)).provider).to.equal(f.alice.address);
  });
});
