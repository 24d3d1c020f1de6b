import { expect } from "chai";
import { network } from "hardhat";

import { commitBid, createJob, revealBid } from "../kit/jobs.ts";
import { deployMarket, JobState, USDC } from "../kit/market.ts";
import { onboardExtraProviders } from "../market/auction/helpers.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * Bid-cap squatting, played as the attacker would. Right after the renter posts a sealed auction (4 H100,
 * 10 h, $2.00 reserve), the attacker's 32 sybil providers commit and so fill `maxBids` (32): honest alice
 * gets `MarketBidCapReached`. Before the fix the renter could not cancel a job with bids, every sybil
 * revealed at the reserve (no bond lost) and the attacker won the $80 job at the reserve, $20 above
 * alice's $1.50. The renter may now cancel while the bids are still sealed: the squat wins nothing and
 * the attacker pays the gas of 64 transactions.
 */
const RESERVE = 2n * USDC;
const HONEST = (15n * USDC) / 10n;
const SQUATTERS = 32;

async function squattedFixture() {
  const f = await deployMarket(ethers);
  const sybils = await onboardExtraProviders(f, ethers, networkHelpers, SQUATTERS);
  const jobId = await createJob(f);
  let squatGas = 0n;
  for (const sybil of sybils) {
    const commitment = await f.market.bidCommitment(jobId, sybil.address, RESERVE, ethers.id(sybil.address));
    squatGas += (await (await f.market.connect(sybil).commitBid(jobId, commitment)).wait())!.gasUsed;
  }
  return { ...f, sybils, jobId, squatGas };
}

describe("Security: bid-cap squatting", function () {
  it("test_squat_fillsTheCap_honestBidderIsTurnedAway", async function () {
    const f = await networkHelpers.loadFixture(squattedFixture);
    const maxBids = (await f.market.marketParams((await f.market.jobOf(f.jobId)).paramsId)).maxBids;
    expect(maxBids).to.equal(BigInt(SQUATTERS));
    const commitment = await f.market.bidCommitment(f.jobId, f.alice.address, HONEST, ethers.id("alice"));
    await expect(f.market.connect(f.alice).commitBid(f.jobId, commitment))
      .to.be.revertedWithCustomError(f.market, "MarketBidCapReached")
      .withArgs(f.jobId, maxBids);
  });

  it("test_squat_renterCancelsAndReposts_attackerWinsNothing_paysGasOf64Transactions_5_8MGas", async function () {
    const f = await networkHelpers.loadFixture(squattedFixture);
    const budget = (await f.market.jobOf(f.jobId)).escrow;
    const usdc = await f.usdc.getAddress();

    // The renter walks out of the squatted auction with its whole budget.
    await expect(f.market.connect(f.renter).cancelJob(f.jobId))
      .to.emit(f.market, "JobCancelled")
      .withArgs(f.jobId, f.renter.address, budget);
    expect(await f.market.balanceOf(usdc, f.renter.address)).to.equal(budget);

    // Each sybil's lock comes back whole (the bids could not be revealed): the attacker is left with the
    // gas of 32 commits and 32 closes, and no job.
    const burned = await f.token.totalBurned();
    let closeGas = 0n;
    for (const sybil of f.sybils) {
      const locked = (await f.market.bidOf(f.jobId, sybil.address)).lockedGrl;
      const tx = f.market.connect(sybil).closeBid(f.jobId, sybil.address);
      await expect(tx).to.emit(f.market, "BidReleased").withArgs(f.jobId, sybil.address, locked);
      closeGas += (await (await tx).wait())!.gasUsed;
      expect(await f.market.lockOf(f.jobId, sybil.address)).to.equal(0n);
    }
    expect(await f.token.totalBurned()).to.equal(burned);
    expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Cancelled);
    expect(
      f.squatGas + closeGas,
      "the squat's gas: 5.83M for 64 transactions (3.80M to commit, 2.03M to close)",
    ).to.be.greaterThan(3_000_000n);

    // The renter posts again and the honest bidder wins at its own price.
    const again = await createJob(f);
    await commitBid(f, f.alice, again, HONEST);
    await networkHelpers.time.increaseTo((await f.market.jobOf(again)).bidDeadline);
    await revealBid(f, f.alice, again, HONEST);
    await networkHelpers.time.increaseTo((await f.market.jobOf(again)).revealDeadline);
    await (await f.market.award(again)).wait();
    const job = await f.market.jobOf(again);
    expect([job.provider, job.clearingPrice]).to.deep.equal([f.alice.address, HONEST]);
  });

  it("test_squat_onceRevealsBegin_theRenterIsBound", async function () {
    const f = await networkHelpers.loadFixture(squattedFixture);
    await networkHelpers.time.increaseTo((await f.market.jobOf(f.jobId)).bidDeadline);
    await expect(f.market.connect(f.renter).cancelJob(f.jobId))
      .to.be.revertedWithCustomError(f.market, "MarketJobHasBids")
      .withArgs(f.jobId, BigInt(SQUATTERS));
  });
});
