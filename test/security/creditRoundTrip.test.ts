import { expect } from "chai";
import { network } from "hardhat";

import { jobRequest, RESULT_HASH, RESULT_URI } from "../kit/jobs.ts";
import { FEE_BPS, HOUR, INSTANT, SPREAD_BPS } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import {
  basisFor,
  BPS,
  creditsFor,
  deploySettlement,
  grlFor,
  price18,
  setAnswer,
  type SettlementFixture,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * Security issue item 5, "Credits are redeemable". Credits are bought by burning GRL at the oracle
 * price; a credit job's pay becomes dollar earnings, minted as GRL at the live price at withdrawal. A
 * GRL holder who rents from a provider it controls could therefore use the protocol as a bank: burn
 * 10,000 GRL at $0.50 for $4,987.50 of credits, wait for GRL to halve, pay the credits to itself
 * through an instant job and withdraw the $4,862.81 left after the 2.5% fee as 19,451.25 GRL (about
 * 19,450): twice what it burned, minted out of thin air, and a long ticket at the front of the mint
 * queue.
 *
 * The fix: credits carry their GRL cost basis (the GRL burned less the spread), the market keeps the
 * job's mint floor (USD per GRL of its credits), and earnings carry a GRL cap at that floor; a
 * withdrawal mints min(USD at the live price, cap). The round trip now returns at most
 * 10,000 x (1 - spread) x (1 - fee) = 9,725.625 GRL, whatever the price did, while an honest provider
 * still gets the full dollar value whenever GRL has not fallen below the renter's purchase price.
 *
 * Run: npx hardhat test mocha test/security/creditRoundTrip.test.ts --no-compile
 */
const BURNED = 10_000n * GRL;
const PRICE_AT_BURN = 50_000_000n; // $0.50 (8-decimals feed answer)
const CREDITS = creditsFor(BURNED, price18(PRICE_AT_BURN)); // $4,987.50
const GPUS = 4n;
const DURATION = 10n * HOUR;
/** The whole of the credits as one job: $4,987.50 / (4 GPUs x 10 h) = $124.6875 per GPU-hour. */
const RESERVE = CREDITS / (GPUS * (DURATION / HOUR));
const FEE = (CREDITS * FEE_BPS) / BPS;
const PROVIDER_USD = CREDITS - FEE; // $4,862.8125
/** The most GRL the round trip may return: what was burned less the spread and the fee. */
const BOUND = (basisFor(BURNED, SPREAD_BPS) * (BPS - FEE_BPS)) / BPS; // 9,725.625 GRL
/** What the unfixed settlement minted at $0.25. */
const BEFORE_FIX = (19_451_250n * GRL) / 1_000n;

/**
 * The attacker (the renter, with alice as its own provider) burns 10,000 GRL at $0.50 for credits and
 * spends them all on an instant job to alice, who starts it and delivers at once. Returns the job id.
 */
async function roundTripFixture() {
  const f = await deploySettlement(ethers);
  expect(RESERVE * GPUS * (DURATION / HOUR)).to.equal(CREDITS);
  await (await f.settlement.connect(f.renter).buyCredits(f.renter.address, BURNED, CREDITS)).wait();
  const request = await jobRequest(f, {
    paymentToken: f.settlementAddress,
    pricingRule: INSTANT,
    revealWindow: 0n,
    reservePricePerGpuHour: RESERVE,
    gpuCount: GPUS,
    duration: DURATION,
  });
  await (await f.market.connect(f.renter).createJob(request)).wait();
  const jobId = await f.market.jobCount();
  await (await f.market.connect(f.alice).acceptInstantAndStart(jobId)).wait();
  await (await f.market.connect(f.alice).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
  return { ...f, jobId };
}

/** Moves past the challenge window, publishes `answer` as the GRL price and settles the job. */
async function settleAt(f: SettlementFixture & { jobId: bigint }, answer: bigint): Promise<void> {
  await networkHelpers.time.increaseTo((await f.market.jobOf(f.jobId)).deadline);
  await setAnswer(f, answer);
  await (await f.market.settle(f.jobId)).wait();
}

describe("Security: credits are not redeemable (a self-dealt credit job returns no more GRL than was burned)", function () {
  it("test_createJob_creditJobStoresTheRentersPurchasePriceAsItsFloor", async function () {
    const f = await deploySettlement(ethers);
    await (await f.settlement.connect(f.renter).buyCredits(f.renter.address, BURNED, CREDITS)).wait();
    const request = await jobRequest(f, {
      paymentToken: f.settlementAddress,
      pricingRule: INSTANT,
      revealWindow: 0n,
      reservePricePerGpuHour: RESERVE,
    });
    // $0.50 per GRL is 5e8 units of 1e-9 USD: the floor is exactly the purchase price.
    await expect(f.market.connect(f.renter).createJob(request))
      .to.emit(f.market, "CreditFloorSet")
      .withArgs(1n, 500_000_000n);
    expect(await f.settlement.creditBasisOf(f.renter.address)).to.equal(0n);
  });

  it("test_withdrawEarnings_selfDealtRoundTripAfterGrlHalves_returnsAtMost9725GrlOf10000Burned_was19451", async function () {
    const f = await networkHelpers.loadFixture(roundTripFixture);
    const supplyBefore = await f.token.totalSupply(); // after the 10,000 GRL burn
    await settleAt(f, PRICE_AT_BURN / 2n);
    expect(await f.settlement.earningsOf(f.alice.address)).to.equal(PROVIDER_USD);
    // What the unfixed settlement would have minted: the dollars at the halved price.
    expect(await f.settlement.quoteGrl(PROVIDER_USD)).to.equal(BEFORE_FIX);
    expect(await f.settlement.grlCapOf(f.alice.address)).to.equal(BOUND);

    const before = await f.token.balanceOf(f.alice.address);
    await (await f.settlement.connect(f.alice).withdrawEarnings(f.alice.address)).wait();
    const back = (await f.token.balanceOf(f.alice.address)) - before;
    expect(back, `round trip returned ${back} GRL of ${BURNED} burned (before the fix: ${BEFORE_FIX})`).to.equal(BOUND);
    expect(back).to.be.lte(BURNED);
    expect(back).to.be.lessThan(BEFORE_FIX);
    // The treasury's fee is capped the same way: together they never mint more than was burned.
    await (await f.settlement.connect(f.treasury).withdrawEarnings(f.treasury.address)).wait();
    expect(await f.settlement.totalGrlMintedForEarnings()).to.be.lte(basisFor(BURNED, SPREAD_BPS));
    // Supply ends no higher than before the burn (supplyBefore is after it); it used to end ~9,451 GRL up.
    expect(await f.token.totalSupply()).to.be.lte(supplyBefore + BURNED);
  });

  it("test_withdrawEarnings_roundTripNeverPaysWhateverThePrice", async function () {
    for (const answer of [PRICE_AT_BURN / 10n, PRICE_AT_BURN / 2n, PRICE_AT_BURN, PRICE_AT_BURN * 3n]) {
      const f = await networkHelpers.loadFixture(roundTripFixture);
      await settleAt(f, answer);
      const quote = await f.settlement.quoteWithdrawal(f.alice.address);
      expect(quote, `at answer ${answer}`).to.be.lte(BOUND);
      expect(quote).to.equal(
        grlFor(PROVIDER_USD, price18(answer)) < BOUND ? grlFor(PROVIDER_USD, price18(answer)) : BOUND,
      );
    }
  });

  it("test_withdrawEarnings_honestProviderGetsTheFullDollarValueWhenGrlRose", async function () {
    const f = await networkHelpers.loadFixture(roundTripFixture);
    // GRL doubles to $1.00: the cap (9,725.625 GRL) does not bind; the provider gets $4,862.81 worth.
    await settleAt(f, PRICE_AT_BURN * 2n);
    const owed = grlFor(PROVIDER_USD, price18(PRICE_AT_BURN * 2n));
    expect(owed).to.be.lessThan(BOUND);
    await expect(f.settlement.connect(f.alice).withdrawEarnings(f.alice.address)).to.changeTokenBalance(
      ethers,
      f.token,
      f.alice,
      owed,
    );
  });

  it("test_withdrawEarnings_honestProviderGetsTheFullDollarValueAtThePurchasePrice", async function () {
    const f = await networkHelpers.loadFixture(roundTripFixture);
    await settleAt(f, PRICE_AT_BURN);
    // Unchanged price: the dollars at the price and the cap agree to the wei.
    expect(grlFor(PROVIDER_USD, price18(PRICE_AT_BURN))).to.equal(BOUND);
    expect(await f.settlement.quoteWithdrawal(f.alice.address)).to.equal(BOUND);
  });

  it("test_dispute_bondIsGrl_soCreditsBoughtLaterNeverTouchTheJobsFloor", async function () {
    const f = await networkHelpers.loadFixture(roundTripFixture);
    // The renter buys more credits at $1.00 and disputes: the bond is GRL, so the job keeps the budget's
    // floor ($0.50) and the new credits keep their own basis.
    await setAnswer(f, PRICE_AT_BURN * 2n);
    await (await f.settlement.connect(f.renter).buyCredits(f.renter.address, 1_000n * GRL, 0n)).wait();
    const [bondToken, bond] = await f.market.disputeBondOf(f.jobId);
    expect(bondToken).to.equal(await f.token.getAddress());
    await (await f.token.connect(f.renter).approve(await f.market.getAddress(), bond)).wait();
    await expect(f.market.connect(f.renter).dispute(f.jobId, "0x" + "cd".repeat(32))).not.to.emit(
      f.market,
      "CreditFloorSet",
    );
    await networkHelpers.time.increaseTo((await f.market.jobOf(f.jobId)).deadline);
    await setAnswer(f, PRICE_AT_BURN * 2n);
    await (await f.market.settleDisputeTimeout(f.jobId)).wait();
    // The pay's cap is still at the budget's $0.50 floor: the round trip's bound holds.
    expect(await f.settlement.grlCapOf(f.alice.address)).to.equal(BOUND);
    expect(await f.settlement.creditBasisOf(f.renter.address)).to.equal(basisFor(1_000n * GRL, SPREAD_BPS));
    expect(await f.market.balanceOf(bondToken, f.renter.address)).to.equal(bond);
  });

  it("test_cancelJob_refundedCreditsKeepTheirBasis_soTheRoundTripCannotBeRepriced", async function () {
    const f = await deploySettlement(ethers);
    await (await f.settlement.connect(f.renter).buyCredits(f.renter.address, BURNED, CREDITS)).wait();
    const request = await jobRequest(f, {
      paymentToken: f.settlementAddress,
      pricingRule: INSTANT,
      revealWindow: 0n,
      reservePricePerGpuHour: RESERVE,
    });
    await (await f.market.connect(f.renter).createJob(request)).wait();
    await setAnswer(f, PRICE_AT_BURN / 2n);
    await (await f.market.connect(f.renter).cancelJob(1n)).wait();
    // The refund returns the credits with their GRL basis, not a new one at the halved price.
    expect(await f.settlement.creditsOf(f.renter.address)).to.equal(CREDITS);
    expect(await f.settlement.creditBasisOf(f.renter.address)).to.equal(basisFor(BURNED, SPREAD_BPS));
  });
});
