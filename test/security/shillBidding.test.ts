import { expect } from "chai";
import { network } from "hardhat";

import { commitBid, createJob, revealBid } from "../kit/jobs.ts";
import { deployMarket, GRL_USD_ANSWER, SECOND_PRICE, USDC } from "../kit/market.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * The renter's shill in a second-price (Vickrey) auction, played as the attacker would. The renter runs two
 * sybil providers (bob, carol). Honest alice bids $1.50 on 4 H100 for 10 hours at a $2.00 reserve. The
 * sybils commit $1.50 and $1.20. After alice reveals, the renter reveals bob at her price (the tie leaves
 * alice best, bob becomes the second price) and leaves carol unrevealed (she would have won). Alice is paid
 * $1.50 instead of the $2.00 reserve that a lone honest reveal clears at: the renter saves $20.
 */
const PRICE = (15n * USDC) / 10n;
const SYBIL_LOW = (12n * USDC) / 10n;
const GPU_HOURS = 40n;
const SAVED_USDC = (2n * USDC - PRICE) * GPU_HOURS;

async function shilledFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f, { pricingRule: SECOND_PRICE });
  await commitBid(f, f.alice, jobId, PRICE);
  await commitBid(f, f.bob, jobId, PRICE);
  await commitBid(f, f.carol, jobId, SYBIL_LOW);
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.bidDeadline);
  await revealBid(f, f.alice, jobId, PRICE);
  await revealBid(f, f.bob, jobId, PRICE);
  await networkHelpers.time.increaseTo(job.revealDeadline);
  await (await f.market.award(jobId)).wait();
  return { ...f, jobId };
}

describe("Security: a renter's shill bids in a second-price auction", function () {
  it("test_shill_collapsesThePriceBy20Usd_butTheUnrevealedSybilBurns50Grl_25Usd", async function () {
    const f = await networkHelpers.loadFixture(shilledFixture);
    const job = await f.market.jobOf(f.jobId);
    // The shill works on the price: alice is paid her own bid, not the reserve.
    expect([job.provider, job.clearingPrice]).to.deep.equal([f.alice.address, PRICE]);
    expect(SAVED_USDC).to.equal(20n * USDC);

    // ...but carol's unrevealed bond is burned, not paid to the renter (who owns carol).
    const renterGrl = await f.token.balanceOf(f.renter.address);
    const carolStake = (await f.registry.providerOf(f.carol.address)).freeStake;
    const supply = await f.token.totalSupply();
    await (await f.market.closeBid(f.jobId, f.carol.address)).wait();
    const bond = (await f.market.marketParams(job.paramsId)).bidBond;
    expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl);
    expect(await f.token.totalSupply()).to.equal(supply - bond);
    const carolAfter = (await f.registry.providerOf(f.carol.address)).freeStake;
    // Carol's stake gets its collateral back, less the bond.
    expect(carolAfter - carolStake).to.equal((await f.market.bidOf(f.jobId, f.carol.address)).lockedGrl - bond);

    // In dollars at the oracle price ($0.50 per GRL): the attacker loses $25 of stake to save $20.
    const bondUsd6 = (bond * GRL_USD_ANSWER) / 10n ** 8n / 10n ** 12n;
    expect(bondUsd6).to.equal(25n * USDC);
    expect(bondUsd6).to.be.greaterThan(SAVED_USDC);
  });
});
