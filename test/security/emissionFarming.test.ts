import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { jobRequest, RESULT_HASH, RESULT_URI, runningJob } from "../kit/jobs.ts";
import {
  DAY,
  deployMarket,
  EMISSION_BUDGET_PER_EPOCH,
  FEE_BPS,
  GRL_USD_ANSWER,
  HOUR,
  INSTANT,
  type MarketFixture,
  USDC,
} from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import { deliverAtEnd, P1_5, settleAtDeadline } from "../market/lifecycle/helpers.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * Emissions farming (SECURITY.md). Each epoch's GRL budget is shared among providers by the GPU-seconds
 * their delivered jobs ran. A provider that hires itself (a renter it controls posts an instant job for
 * all its GPUs at the smallest price, one unit of the stablecoin per GPU-hour, and it accepts) gets those
 * GPU-seconds for a fraction of a cent: the money it pays goes round to itself and only the protocol fee
 * leaves the pair. Counting the seconds actually run (not the duration paid for) stopped the "deliver at
 * once" variant, but not the slower one, which runs the whole job: before the fix below, the wash trades
 * of this file took 93.5% of the epoch's budget (93,506 GRL, $46,753 at $0.50) for $0.001766 of fees.
 *
 * The fix: a provider's emission is its pro-rata share, capped at the GRL worth, at the claim-time price,
 * of the protocol fees its jobs paid in the epoch (Settlement.claimEmission). Self-dealing pays the fee to
 * the treasury and gets back at most the fee's worth, so it never pays (it breaks even at best, before gas).
 */
const YEAR = 365n * DAY;
const ONE_UNIT = 1n;
const WAD = 10n ** 18n;
/** USDC has 6 decimals; the settlement's fees are USD with 18. */
const USDC_TO_USD = 10n ** 12n;
/** $0.50, the fixture's GRL/USD price with 18 decimals. */
const PRICE = GRL_USD_ANSWER * 10n ** 10n;
const BUDGET = EMISSION_BUDGET_PER_EPOCH;

/** Bob's honest job: 4 GPUs x 10 h at $1.50 ($60), fee 2.5% ($1.50), run in full. */
const BOB_SECONDS = 4n * 10n * HOUR;
const BOB_FEE_USD = (3n * WAD) / 2n;
/** The fast variant: 8 GPUs x 365 days at one unit ($0.07008), delivered 1 s after the start. */
const FAST_SECONDS = 8n;
const FAST_FEE_USD = ((8n * YEAR) / HOUR / 40n) * USDC_TO_USD; // 70,080 units x 2.5% = 1,752 units
/** The slow variant: 8 GPUs x 3 days at one unit ($0.000576), run in full. */
const SLOW_DURATION = 3n * DAY;
const SLOW_SECONDS = 8n * SLOW_DURATION;
const SLOW_FEE_USD = ((576n * FEE_BPS) / 10_000n) * USDC_TO_USD; // 576 units x 2.5% = 14 units, rounded down
const ALICE_SECONDS = FAST_SECONDS + SLOW_SECONDS;
const ALICE_FEE_USD = FAST_FEE_USD + SLOW_FEE_USD;
const EPOCH_SECONDS = ALICE_SECONDS + BOB_SECONDS;

/** floor(usd x 1e18 / price): GRL worth `usd` at `price`. */
function grlFor(usd: bigint, price: bigint): bigint {
  return (usd * WAD) / price;
}

/** floor(grl x price / 1e18): the USD value of `grl` at `price`. */
function usdOf(grl: bigint, price: bigint): bigint {
  return (grl * price) / WAD;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Publishes the price again (the heartbeat is a day; creating and accepting a job read it). */
async function refreshFeed(f: MarketFixture, answer: bigint = GRL_USD_ANSWER): Promise<void> {
  await (await f.feed.setAnswer(answer)).wait();
}

/**
 * The wash trade: `accomplice` posts an instant job for `gpuCount` GPUs for `duration` at `price` per
 * GPU-hour in USDC; `provider` accepts and starts it and delivers `ran` seconds after the start.
 */
async function washTrade(
  f: MarketFixture,
  provider: HardhatEthersSigner,
  accomplice: HardhatEthersSigner,
  gpuCount: bigint,
  duration: bigint,
  price: bigint,
  ran: bigint,
): Promise<bigint> {
  await refreshFeed(f);
  const request = await jobRequest(f, {
    gpuCount,
    duration,
    reservePricePerGpuHour: price,
    pricingRule: INSTANT,
    revealWindow: 0,
  });
  await (await f.market.connect(accomplice).createJob(request)).wait();
  const jobId = await f.market.jobCount();
  await (await f.market.connect(provider).acceptInstant(jobId)).wait();
  await (await f.market.connect(provider).startJob(jobId)).wait();
  const startedAt = (await f.market.jobOf(jobId)).startedAt;
  await networkHelpers.time.setNextBlockTimestamp(startedAt + ran);
  await (await f.market.connect(provider).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
  return jobId;
}

/** The protocol fee (USDC units) the treasury was paid when `jobId` settled, from its JobSettled event. */
async function feePaid(f: MarketFixture, jobId: bigint): Promise<bigint> {
  const [settled] = await f.market.queryFilter(f.market.filters.JobSettled(jobId));
  return settled.args.fee;
}

/**
 * Epoch 0: Bob runs his honest job to settlement; Alice, with renter2 as her accomplice, runs both
 * variants of the wash trade (fast, then slow) to settlement. Then epoch 0 ends and the price is fresh.
 */
async function farmedEpochFixture() {
  const f = await deployMarket(ethers);
  const honest = await runningJob(f, networkHelpers, [[f.bob, P1_5]]);
  const fast = await washTrade(f, f.alice, f.renter2, 8n, YEAR, ONE_UNIT, 1n);
  await deliverAtEnd(f, networkHelpers, honest);
  await settleAtDeadline(f, networkHelpers, fast);
  await settleAtDeadline(f, networkHelpers, honest);
  const slow = await washTrade(f, f.alice, f.renter2, 8n, SLOW_DURATION, ONE_UNIT, SLOW_DURATION);
  await settleAtDeadline(f, networkHelpers, slow);
  expect(await f.settlement.currentEpoch()).to.equal(0n);
  await networkHelpers.time.increaseTo(await f.settlement.epochStart(1n));
  await refreshFeed(f);
  return { ...f, honest, fast, slow };
}

describe("Security: epoch emissions cannot be farmed with wash trades", function () {
  describe("the attack, replayed against the cap", function () {
    it("test_settle_washTrades_recordTheSecondsRunAndTheFeesPaid", async function () {
      const f = await networkHelpers.loadFixture(farmedEpochFixture);
      const fast = await f.market.jobOf(f.fast);
      expect(fast.deliveredAt - fast.startedAt).to.equal(1n);
      // The fee recorded for the cap is the fee the treasury was paid, to the unit.
      expect(FAST_FEE_USD).to.equal(1_752n * USDC_TO_USD);
      expect(SLOW_FEE_USD).to.equal(14n * USDC_TO_USD);
      expect((await feePaid(f, f.fast)) * USDC_TO_USD).to.equal(FAST_FEE_USD);
      expect((await feePaid(f, f.slow)) * USDC_TO_USD).to.equal(SLOW_FEE_USD);
      expect((await feePaid(f, f.honest)) * USDC_TO_USD).to.equal(BOB_FEE_USD);
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(ALICE_SECONDS);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(ALICE_FEE_USD);
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(BOB_SECONDS);
      expect(await f.settlement.feesUsdOf(0n, f.bob.address)).to.equal(BOB_FEE_USD);
      expect((await f.settlement.epochEmissionOf(0n)).gpuSeconds).to.equal(EPOCH_SECONDS);
    });

    it("test_claimEmission_washTrader_shareWas93.5%OfTheBudget_93506GRL_$46753_nowGets0.003532GRL_$0.001766_theFeeItPaid", async function () {
      const f = await networkHelpers.loadFixture(farmedEpochFixture);
      // Before the cap: the pro-rata share by GPU-seconds.
      const share = (BUDGET * ALICE_SECONDS) / EPOCH_SECONDS;
      expect(share / GRL, "share before the cap, GRL").to.equal(93_506n);
      expect((share * 1_000n) / BUDGET, "share before the cap, per mille of the budget").to.equal(935n);
      expect(usdOf(share, PRICE) / WAD, "share before the cap, USD").to.equal(46_753n);
      // After: the GRL worth of $0.001766 at $0.50.
      const amount = grlFor(ALICE_FEE_USD, PRICE);
      expect(amount, "emission after the cap: 0.003532 GRL").to.equal(3_532n * 10n ** 12n);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(amount);
      const tx = f.settlement.claimEmission(0n, f.alice.address);
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, amount, ALICE_SECONDS, amount, share, ALICE_FEE_USD, PRICE);
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.alice, amount);
      expect(usdOf(amount, PRICE), "emission after the cap, USD: $0.001766").to.equal(ALICE_FEE_USD);
    });

    it("test_claimEmission_washTradeLosesMoney_feePaid$0.001766_emissionWorthAtMost$0.001766", async function () {
      const f = await networkHelpers.loadFixture(farmedEpochFixture);
      // The pair's money: the renter's USDC went to Alice less the fee, so the pair is down the fee paid;
      // the emission is all it gets back.
      const paid = ((await feePaid(f, f.fast)) + (await feePaid(f, f.slow))) * USDC_TO_USD;
      expect(paid, "fees the wash trades paid the treasury").to.equal(ALICE_FEE_USD);
      const renterPaid = (await f.market.jobOf(f.fast)).claimed + (await f.market.jobOf(f.slow)).claimed;
      const alicePaid = (await f.market.balanceOf(await f.usdc.getAddress(), f.alice.address)) * USDC_TO_USD;
      expect(renterPaid * USDC_TO_USD - alicePaid, "value that left the pair").to.equal(paid);
      const before = await f.token.balanceOf(f.alice.address);
      await (await f.settlement.claimEmission(0n, f.alice.address)).wait();
      const emission = (await f.token.balanceOf(f.alice.address)) - before;
      // Exact, in 18-decimal arithmetic: emission x price <= fees x 1e18.
      expect(emission * PRICE, "emission value x 1e18 vs fee paid x 1e18").to.be.at.most(paid * WAD);
      const net = paid - usdOf(emission, PRICE);
      expect(net, "fee paid less the emission's value: the attacker's loss before gas").to.be.at.least(0n);
    });

    it("test_claimEmission_honestProvider_getsAllHisFeeCapAllows_3GRL_$1.50_notReducedByTheWashTrade", async function () {
      const f = await networkHelpers.loadFixture(farmedEpochFixture);
      // Bob's share shrank to 6.5% of the budget (6,493 GRL), still above his cap: 3 GRL for his $1.50.
      const share = (BUDGET * BOB_SECONDS) / EPOCH_SECONDS;
      expect(share / GRL).to.equal(6_493n);
      const cap = grlFor(BOB_FEE_USD, PRICE);
      expect(cap).to.equal(3n * GRL);
      // Alice claims first, then Bob: the order does not matter, nor does the part of her share not minted.
      await (await f.settlement.claimEmission(0n, f.alice.address)).wait();
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(min(share, cap));
      const tx = f.settlement.claimEmission(0n, f.bob.address);
      const minted = grlFor(ALICE_FEE_USD, PRICE) + cap;
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.bob.address, cap, BOB_SECONDS, minted, share, BOB_FEE_USD, PRICE);
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.bob, cap);
      // Nothing else was minted: the rest of the budget stays unminted.
      expect(await f.settlement.totalEmissionsMinted()).to.equal(minted);
      expect((await f.settlement.epochEmissionOf(0n)).claimed).to.equal(minted);
    });

    it("test_claimEmission_honestProviderAlone_getsTheSame3GRL", async function () {
      // Without the wash trade Bob's share is the whole budget, and his fee caps it at the same 3 GRL.
      const f = await deployMarket(ethers);
      const honest = await runningJob(f, networkHelpers, [[f.bob, P1_5]]);
      await deliverAtEnd(f, networkHelpers, honest);
      await settleAtDeadline(f, networkHelpers, honest);
      await networkHelpers.time.increaseTo(await f.settlement.epochStart(1n));
      await refreshFeed(f);
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.bob.address, 3n * GRL, BOB_SECONDS, 3n * GRL, BUDGET, BOB_FEE_USD, PRICE);
    });
  });

  describe("residual: dilution", function () {
    it("test_residual_washTradeStillDilutesAnHonestShareBelowItsCap_whenTheCapDoesNotBind", async function () {
      // When the budget is small next to the fees, shares sit below the caps, and the wash trader's
      // seconds still dilute the honest ones: the part of its share above its cap is burnt (never minted),
      // not handed back. The attacker gains nothing (it is capped as above) but pays only its fee to
      // shrink Bob's emission. With a 2 GRL budget Bob's cap (3 GRL) does not bind.
      const f = await deployMarket(ethers);
      await (await f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(2n * GRL)).wait();
      const honest = await runningJob(f, networkHelpers, [[f.bob, P1_5]]);
      await deliverAtEnd(f, networkHelpers, honest);
      await settleAtDeadline(f, networkHelpers, honest);
      const slow = await washTrade(f, f.alice, f.renter2, 8n, SLOW_DURATION, ONE_UNIT, SLOW_DURATION);
      await settleAtDeadline(f, networkHelpers, slow);
      await networkHelpers.time.increaseTo(await f.settlement.epochStart(1n));
      await refreshFeed(f);
      const total = BOB_SECONDS + SLOW_SECONDS;
      const bobShare = (2n * GRL * BOB_SECONDS) / total;
      // 2 GRL x 144,000 / 2,217,600: 0.1299 GRL instead of the 2 GRL he would get alone.
      expect(bobShare).to.equal(129_870_129_870_129_870n);
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(bobShare);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(grlFor(SLOW_FEE_USD, PRICE));
    });
  });

  describe("property: emission x price <= fees, whatever the job", function () {
    /** A deterministic generator (a 48-bit LCG, three 32-bit draws a number), so a failure names its case. */
    function lcg(seed: bigint): (bound: bigint) => bigint {
      let state = seed;
      const next32 = (): bigint => {
        state = (state * 25_214_903_917n + 11n) % 2n ** 48n;
        return state >> 16n;
      };
      return (bound) => ((next32() << 64n) | (next32() << 32n) | next32()) % bound;
    }

    /** Deployed market, a fresh price; the random cases start from here. */
    async function baseFixture() {
      return deployMarket(ethers);
    }

    const random = lcg(20_261_205n);
    const cases = Array.from({ length: 8 }, () => {
      const gpuCount = 1n + random(8n);
      const duration = HOUR + random(3n * DAY - HOUR);
      // From one unit up to $5 per GPU-hour, log-spread: pick the number of digits first.
      const price = 1n + random(10n ** (1n + random(7n)));
      const ran = 1n + random(duration);
      // A claim-time price from $0.01 to $10,000 (the oracle's bounds), also log-spread.
      const answer = 1_000_000n + random(10n ** (6n + random(6n)));
      // An epoch budget from 1 wei to 100,000 GRL, so that some shares sit below their caps.
      const budget = 1n + random(10n ** (1n + random(23n)));
      return { gpuCount, duration, price: price > 5n * USDC ? 5n * USDC : price, ran, answer, budget };
    });

    // Both sides of the min are exercised (checked once every case ran).
    const seen = { ran: 0, capped: 0, underCap: 0 };
    after(function () {
      if (seen.ran === cases.length) {
        expect(seen.capped, "claims capped by their fees").to.be.greaterThan(0);
        expect(seen.underCap, "claims paid their whole share").to.be.greaterThan(0);
      }
    });

    for (const c of cases) {
      it(`test_claimEmission_property_gpus${c.gpuCount}_duration${c.duration}s_price${c.price}units_ran${c.ran}s_answer${c.answer}_budget${c.budget}`, async function () {
        const f = await networkHelpers.loadFixture(baseFixture);
        await (await f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(c.budget)).wait();
        // Bob's honest job, then Alice's wash trade, in the same epoch, claimed at a random price.
        const honest = await runningJob(f, networkHelpers, [[f.bob, P1_5]]);
        await deliverAtEnd(f, networkHelpers, honest);
        await settleAtDeadline(f, networkHelpers, honest);
        const wash = await washTrade(f, f.alice, f.renter2, c.gpuCount, c.duration, c.price, c.ran);
        await settleAtDeadline(f, networkHelpers, wash);
        expect(await f.settlement.currentEpoch()).to.equal(0n);
        const value = (c.price * c.gpuCount * c.duration) / HOUR;
        const washFee = (value * FEE_BPS) / 10_000n;
        expect(await feePaid(f, wash)).to.equal(washFee);
        expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(washFee * USDC_TO_USD);
        expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(c.gpuCount * c.ran);

        await networkHelpers.time.increaseTo(await f.settlement.epochStart(1n));
        await refreshFeed(f, c.answer);
        const price = c.answer * 10n ** 10n;
        const book = await f.settlement.epochEmissionOf(0n);
        let minted = 0n;
        for (const provider of [f.alice, f.bob]) {
          const seconds = await f.settlement.gpuSecondsOf(0n, provider.address);
          const fees = await f.settlement.feesUsdOf(0n, provider.address);
          const share = (book.budget * seconds) / book.gpuSeconds;
          const before = await f.token.balanceOf(provider.address);
          await (await f.settlement.claimEmission(0n, provider.address)).wait();
          const amount = (await f.token.balanceOf(provider.address)) - before;
          expect(amount, "min(share, grlFor(fees, price))").to.equal(min(share, grlFor(fees, price)));
          if (grlFor(fees, price) < share) seen.capped++;
          else seen.underCap++;
          expect(amount * price, "emission x price <= fees x 1e18").to.be.at.most(fees * WAD);
          minted += amount;
        }
        expect(minted).to.be.at.most(book.budget);
        expect(await f.settlement.totalEmissionsMinted()).to.equal(minted);
        seen.ran++;
      });
    }
  });
});
