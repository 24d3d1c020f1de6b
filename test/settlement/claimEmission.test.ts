import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { runningJob } from "../kit/jobs.ts";
import { EMISSION_BUDGET_PER_EPOCH, GRL_USD_ANSWER, HOUR, USDC } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import {
  allAccounts,
  expectBooks,
  grantGuardian,
  grlFor,
  PRICE,
  price18,
  proRata,
  setAnswer,
  type SettlementFixture,
  settlementFixtures,
  toEpoch,
  USD,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { marketRoleFixture: fixture } = settlementFixtures(ethers);

const BUDGET = EMISSION_BUDGET_PER_EPOCH;
/**
 * Fees that never bind: $1M is worth 2M GRL at $0.50, more than any epoch's budget here. The share tests
 * record them so that they test the pro-rata split alone; the cap has its own tests below.
 */
const UNCAPPED = 1_000_000n * USD;

async function record(
  f: SettlementFixture,
  provider: HardhatEthersSigner,
  gpuSeconds: bigint,
  feesUsd: bigint = UNCAPPED,
): Promise<void> {
  await (await f.settlement.connect(f.marketEoa).recordGpuSeconds(provider.address, gpuSeconds, feesUsd)).wait();
}

/** Moves to the start of `epoch` and refreshes the feed (a claim reads the price; the heartbeat is a day). */
async function toEpochFresh(f: SettlementFixture, epoch: bigint, answer: bigint = GRL_USD_ANSWER): Promise<void> {
  await toEpoch(f, networkHelpers, epoch);
  await setAnswer(f, answer);
}

/** Epoch 0: alice 100, bob 300, carol 600 GPU-seconds, fees uncapped; now in epoch 1, price fresh. */
async function endedFixture() {
  const f = await fixture();
  await record(f, f.alice, 100n);
  await record(f, f.bob, 300n);
  await record(f, f.carol, 600n);
  await toEpochFresh(f, 1n);
  return f;
}

/** The EmissionClaimed args of a claim of `amount` (of `share`) for `gpuSeconds` and `feesUsd` at `price`. */
function claimed(
  epoch: bigint,
  provider: string,
  amount: bigint,
  gpuSeconds: bigint,
  epochClaimed: bigint,
  share: bigint = amount,
  feesUsd: bigint = UNCAPPED,
  price: bigint = PRICE,
): [bigint, string, bigint, bigint, bigint, bigint, bigint, bigint] {
  return [epoch, provider, amount, gpuSeconds, epochClaimed, share, feesUsd, price];
}

/** Runs `jobId` (running) to Settled: delivered by its provider now, settled after the challenge window. */
async function deliverAndSettle(f: SettlementFixture, provider: HardhatEthersSigner, jobId: bigint): Promise<void> {
  await f.market.connect(provider).deliver(jobId, ethers.id("result"), "ipfs://result");
  await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
  await f.market.settle(jobId);
}

describe("Settlement: claimEmission", function () {
  describe("shares", function () {
    it("test_claimEmission_sharesTheBudgetProRataAcrossThreeProviders", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const shares: [HardhatEthersSigner, bigint, bigint][] = [
        [f.alice, 100n, 10_000n * GRL],
        [f.bob, 300n, 30_000n * GRL],
        [f.carol, 600n, 60_000n * GRL],
      ];
      let total = 0n;
      for (const [provider, seconds, share] of shares) {
        expect(proRata(BUDGET, seconds, 1_000n)).to.equal(share);
        expect(await f.settlement.emissionOf(0n, provider.address)).to.equal(share);
        total += share;
        const tx = f.settlement.connect(provider).claimEmission(0n, provider.address);
        await expect(tx)
          .to.emit(f.settlement, "EmissionClaimed")
          .withArgs(...claimed(0n, provider.address, share, seconds, total));
        await expect(tx).to.emit(f.token, "TokensMinted").withArgs(f.settlementAddress, provider.address, share, total);
        await expect(tx).to.changeTokenBalance(ethers, f.token, provider, share);
        expect(await f.settlement.gpuSecondsOf(0n, provider.address)).to.equal(0n);
        expect(await f.settlement.feesUsdOf(0n, provider.address)).to.equal(0n);
        expect(await f.settlement.emissionOf(0n, provider.address)).to.equal(0n);
      }
      const book = await f.settlement.epochEmissionOf(0n);
      expect([book.budget, book.gpuSeconds, book.claimed]).to.deep.equal([BUDGET, 1_000n, BUDGET]);
      expect(await f.settlement.totalEmissionsMinted()).to.equal(BUDGET);
      // Emissions are not earnings: the earnings mint cap and its books are untouched.
      expect(await f.settlement.mintedInEpoch(1n)).to.equal(0n);
      expect(await f.settlement.totalGrlMintedForEarnings()).to.equal(0n);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimEmission_returnsAmount", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      expect(await f.settlement.claimEmission.staticCall(0n, f.bob.address)).to.equal(30_000n * GRL);
    });

    it("test_claimEmission_roundingDustStaysUnminted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      for (const p of [f.alice, f.bob, f.carol]) await record(f, p, 1n);
      await toEpochFresh(f, 1n);
      // A third of 1e23 wei each, rounded down: 1 wei of the budget is never minted.
      const share = 33_333_333_333_333_333_333_333n;
      expect(proRata(BUDGET, 1n, 3n)).to.equal(share);
      const supply = await f.token.totalSupply();
      let total = 0n;
      for (const p of [f.alice, f.bob, f.carol]) {
        total += share;
        await expect(f.settlement.claimEmission(0n, p.address))
          .to.emit(f.settlement, "EmissionClaimed")
          .withArgs(...claimed(0n, p.address, share, 1n, total));
      }
      expect(total).to.equal(BUDGET - 1n);
      expect((await f.settlement.epochEmissionOf(0n)).claimed).to.equal(BUDGET - 1n);
      expect(await f.token.totalSupply()).to.equal(supply + BUDGET - 1n);
    });

    it("test_claimEmission_tinyBudgetRoundsSharesDown", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(2n);
      await record(f, f.alice, 2n);
      await record(f, f.bob, 1n);
      await toEpochFresh(f, 1n);
      // alice: floor(2 x 2 / 3) = 1 wei; bob: floor(2 x 1 / 3) = 0, claimed without a mint.
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 1n, 2n, 1n));
      const tx = f.settlement.claimEmission(0n, f.bob.address);
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.bob.address, 0n, 1n, 1n));
      await expect(tx).not.to.emit(f.token, "TokensMinted");
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(0n);
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(0n, f.bob.address);
    });

    it("test_claimEmission_zeroBudgetEpochMintsNothing", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(0n);
      await record(f, f.alice, 3_600n);
      await toEpochFresh(f, 1n);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(0n);
      const tx = f.settlement.claimEmission(0n, f.alice.address);
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 0n, 3_600n, 0n));
      await expect(tx).not.to.emit(f.token, "TokensMinted");
      expect(await f.settlement.totalEmissionsMinted()).to.equal(0n);
    });

    it("test_claimEmission_acrossTwoEpochs", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await record(f, f.alice, 100n);
      await record(f, f.bob, 100n);
      await toEpoch(f, networkHelpers, 1n);
      await record(f, f.alice, 1n);
      await record(f, f.carol, 3n);
      await toEpochFresh(f, 2n);
      // Each epoch's budget is shared among that epoch's GPU-seconds only; claims go in any order.
      await expect(f.settlement.claimEmission(1n, f.carol.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(1n, f.carol.address, 75_000n * GRL, 3n, 75_000n * GRL));
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 50_000n * GRL, 100n, 50_000n * GRL));
      await expect(f.settlement.claimEmission(1n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(1n, f.alice.address, 25_000n * GRL, 1n, 100_000n * GRL));
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(50_000n * GRL);
      expect(await f.settlement.emissionOf(1n, f.bob.address)).to.equal(0n);
      await expect(f.settlement.claimEmission(1n, f.bob.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(1n, f.bob.address);
      await f.settlement.claimEmission(0n, f.bob.address);
      expect(await f.settlement.totalEmissionsMinted()).to.equal(2n * BUDGET);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimEmission_nothingExpires", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await toEpochFresh(f, 10n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 10_000n * GRL, 100n, 10_000n * GRL));
    });
  });

  describe("budget", function () {
    it("test_claimEmission_budgetIsFixedAtTheEpochsFirstRecord", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await record(f, f.alice, 100n);
      // A budget change mid-epoch does not touch epoch 0's book, already opened.
      await expect(f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(50_000n * GRL))
        .to.emit(f.settlement, "EmissionBudgetSet")
        .withArgs(BUDGET, 50_000n * GRL);
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.bob.address, 100n, UNCAPPED))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.bob.address, 100n, 100n, 200n, BUDGET, UNCAPPED, UNCAPPED);
      await toEpoch(f, networkHelpers, 1n);
      // The next epoch opens with the new budget.
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.carol.address, 100n, UNCAPPED))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(1n, f.carol.address, 100n, 100n, 100n, 50_000n * GRL, UNCAPPED, UNCAPPED);
      await toEpochFresh(f, 2n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 50_000n * GRL, 100n, 50_000n * GRL));
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.bob.address, 50_000n * GRL, 100n, 100_000n * GRL));
      await expect(f.settlement.claimEmission(1n, f.carol.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(1n, f.carol.address, 50_000n * GRL, 100n, 50_000n * GRL));
      expect((await f.settlement.epochEmissionOf(0n)).budget).to.equal(BUDGET);
      expect((await f.settlement.epochEmissionOf(1n)).budget).to.equal(50_000n * GRL);
    });

    it("test_claimEmission_budgetSetBeforeAnEpochsFirstRecordAppliesToIt", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(40_000n * GRL);
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 7n, UNCAPPED))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 7n, 7n, 7n, 40_000n * GRL, UNCAPPED, UNCAPPED);
      await toEpochFresh(f, 1n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 40_000n * GRL, 7n, 40_000n * GRL));
    });

    it("test_claimEmission_notLimitedByTheEarningsMintCap", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(GRL);
      await expect(f.settlement.claimEmission(0n, f.carol.address)).to.changeTokenBalance(
        ethers,
        f.token,
        f.carol,
        60_000n * GRL,
      );
      expect(await f.settlement.mintCapRemaining()).to.equal(GRL);
    });
  });

  describe("callers", function () {
    it("test_claimEmission_thirdPartyClaimMintsToTheProvider", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const tx = f.settlement.connect(f.outsider).claimEmission(0n, f.bob.address);
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.bob.address, 30_000n * GRL, 300n, 30_000n * GRL));
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.bob, f.outsider], [30_000n * GRL, 0n]);
    });

    it("test_claimEmission_worksWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.claimEmission(0n, f.alice.address)).to.changeTokenBalance(
        ethers,
        f.token,
        f.alice,
        10_000n * GRL,
      );
    });

    it("test_claimEmission_revertsWithTheOraclesErrorWhileStale_andSucceedsAfter", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await record(f, f.alice, 100n, 3n * USD);
      await record(f, f.bob, 100n);
      // A week later the feed has not answered for more than its heartbeat.
      await toEpoch(f, networkHelpers, 1n);
      await expect(f.oracle.grlUsdPrice()).to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer");
      // The cap needs the price: the claim reverts with the oracle's own error and the view with it.
      await expect(f.settlement.claimEmission(0n, f.alice.address)).to.be.revertedWithCustomError(
        f.oracle,
        "OracleStaleAnswer",
      );
      await expect(f.settlement.emissionOf(0n, f.alice.address)).to.be.revertedWithCustomError(
        f.oracle,
        "OracleStaleAnswer",
      );
      // The record waits untouched, and so does the book.
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(100n);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(3n * USD);
      expect((await f.settlement.epochEmissionOf(0n)).claimed).to.equal(0n);
      expect(await f.settlement.totalEmissionsMinted()).to.equal(0n);
      // Once the feed answers, the claim goes through at that price: $3 at $0.50 is 6 GRL.
      await setAnswer(f, GRL_USD_ANSWER);
      const tx = f.settlement.claimEmission(0n, f.alice.address);
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 6n * GRL, 100n, 6n * GRL, BUDGET / 2n, 3n * USD));
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.alice, 6n * GRL);
    });
  });

  describe("settled jobs", function () {
    it("test_claimEmission_gpuSecondsAndFeesFromJobsSettledByTheMarket", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Two stablecoin jobs of 4 GPUs at $1.50 per GPU-hour with a 2.5% fee: alice runs all 10 h of hers
      // ($60, fee $1.50); bob delivers a 5 h job ($30, fee $0.75) after 2.5 h, and only the compute it
      // actually ran counts, while the fee is on the whole value it was paid.
      const aliceJob = await runningJob(f, networkHelpers);
      await networkHelpers.time.increase(10n * HOUR);
      await f.market.connect(f.alice).deliver(aliceJob, ethers.id("result"), "ipfs://result");
      await networkHelpers.time.increaseTo((await f.market.jobOf(aliceJob)).deadline);
      const aliceFee = (3n * USD) / 2n;
      await expect(f.market.settle(aliceJob))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 144_000n, 144_000n, 144_000n, BUDGET, aliceFee, aliceFee);
      await setAnswer(f, GRL_USD_ANSWER); // a day has passed: keep the feed within its heartbeat
      const bobJob = await runningJob(f, networkHelpers, [[f.bob, (15n * USDC) / 10n]], { duration: 5n * HOUR });
      await networkHelpers.time.setNextBlockTimestamp((await f.market.jobOf(bobJob)).startedAt + 9_000n);
      await deliverAndSettle(f, f.bob, bobJob);
      const bobFee = (3n * USD) / 4n;
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(36_000n);
      expect(await f.settlement.feesUsdOf(0n, f.bob.address)).to.equal(bobFee);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(aliceFee);
      expect((await f.settlement.epochEmissionOf(0n)).gpuSeconds).to.equal(180_000n);
      expect(await f.settlement.currentEpoch()).to.equal(0n);

      await toEpochFresh(f, 1n);
      // Their shares (80,000 and 20,000 GRL) are far above what their fees are worth at $0.50: 3 and
      // 1.5 GRL. A market this small earns the fees' worth back, not the budget.
      const aliceShare = proRata(BUDGET, 144_000n, 180_000n);
      const bobShare = proRata(BUDGET, 36_000n, 180_000n);
      expect([aliceShare, bobShare]).to.deep.equal([80_000n * GRL, 20_000n * GRL]);
      const aliceAmount = grlFor(aliceFee, PRICE);
      const bobAmount = grlFor(bobFee, PRICE);
      expect([aliceAmount, bobAmount]).to.deep.equal([3n * GRL, (3n * GRL) / 2n]);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, aliceAmount, 144_000n, aliceAmount, aliceShare, aliceFee));
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.bob.address, bobAmount, 36_000n, aliceAmount + bobAmount, bobShare, bobFee));
      expect(await f.settlement.totalEmissionsMinted()).to.equal(aliceAmount + bobAmount);
      await expectBooks(f, allAccounts(f));
    });
  });

  describe("emission farming", function () {
    it("test_settle_aYearLongJobDeliveredAtOnceRecordsOnlyTheSecondsRunAndItsFee", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // The attack: a provider renting its own GPUs for a year at the smallest price, delivering at once
      // and settling a day later, would claim a year of GPU-seconds. Only the 10 s it ran count, and the
      // fee it paid ($0.03504 x 2.5%, rounded down to $0.000876) caps what it can claim.
      const jobId = await runningJob(f, networkHelpers, [[f.alice, 1n]], {
        duration: 365n * 24n * HOUR,
        reservePricePerGpuHour: 1n,
      });
      await networkHelpers.time.setNextBlockTimestamp((await f.market.jobOf(jobId)).startedAt + 10n);
      await f.market.connect(f.alice).deliver(jobId, ethers.id("result"), "ipfs://result");
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      const fee = 876n * 10n ** 12n;
      await expect(f.market.settle(jobId))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 40n, 40n, 40n, BUDGET, fee, fee);
      await toEpochFresh(f, 1n);
      // Alone in the epoch, its share is the whole budget; it gets $0.000876 worth of GRL.
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(grlFor(fee, PRICE));
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 1_752n * 10n ** 12n, 40n, 1_752n * 10n ** 12n, BUDGET, fee));
    });
  });

  describe("fee cap", function () {
    it("test_claimEmission_shareBelowTheCapIsPaidInFull", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // alice: a 10,000 GRL share and $5,000 of fees, worth exactly 10,000 GRL (the cap, not above it);
      // bob: a 30,000 GRL share and $15,000.000000000000000001 of fees (one wei of USD over); carol: 60,000
      // GRL and fees worth far more.
      await record(f, f.alice, 100n, 5_000n * USD);
      await record(f, f.bob, 300n, 15_000n * USD + 1n);
      await record(f, f.carol, 600n);
      await toEpochFresh(f, 1n);
      const supply = await f.token.totalSupply();
      let total = 0n;
      for (const [p, seconds, share, fees] of [
        [f.alice, 100n, 10_000n * GRL, 5_000n * USD],
        [f.bob, 300n, 30_000n * GRL, 15_000n * USD + 1n],
        [f.carol, 600n, 60_000n * GRL, UNCAPPED],
      ] as const) {
        expect(grlFor(fees, PRICE)).to.be.at.least(share);
        total += share;
        const tx = f.settlement.claimEmission(0n, p.address);
        await expect(tx)
          .to.emit(f.settlement, "EmissionClaimed")
          .withArgs(...claimed(0n, p.address, share, seconds, total, share, fees));
        await expect(tx).to.changeTokenBalance(ethers, f.token, p, share);
      }
      expect((await f.settlement.epochEmissionOf(0n)).claimed).to.equal(BUDGET);
      expect(await f.settlement.totalEmissionsMinted()).to.equal(BUDGET);
      expect(await f.token.totalSupply()).to.equal(supply + BUDGET);
    });

    it("test_claimEmission_shareAboveTheCapIsCappedExactly_andTheExcessIsNeverMinted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // alice takes 90% of the GPU-seconds but paid $1.50 of fees: 3 GRL at $0.50. bob paid in full.
      await record(f, f.alice, 900n, (3n * USD) / 2n);
      await record(f, f.bob, 100n);
      await toEpochFresh(f, 1n);
      const supply = await f.token.totalSupply();
      const share = 90_000n * GRL;
      const cap = grlFor((3n * USD) / 2n, PRICE);
      expect(cap).to.equal(3n * GRL);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(cap);
      const tx = f.settlement.claimEmission(0n, f.alice.address);
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, cap, 900n, cap, share, (3n * USD) / 2n));
      await expect(tx).to.emit(f.token, "TokensMinted").withArgs(f.settlementAddress, f.alice.address, cap, cap);
      await expect(tx).to.changeTokenBalance(ethers, f.token, f.alice, cap);
      // The record is gone with the excess: a second claim finds nothing.
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(0n);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(0n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(0n, f.alice.address);
      // bob's share is his 10%, not the budget alice left: the excess goes to nobody.
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(10_000n * GRL);
      await f.settlement.claimEmission(0n, f.bob.address);
      const minted = cap + 10_000n * GRL;
      expect((await f.settlement.epochEmissionOf(0n)).claimed).to.equal(minted);
      expect(await f.settlement.totalEmissionsMinted()).to.equal(minted);
      expect(await f.token.totalSupply()).to.equal(supply + minted);
      expect(BUDGET - minted).to.equal(share - cap);
      await expectBooks(f, allAccounts(f));
    });

    it("test_claimEmission_capRoundsDown", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // $1 at $0.33333333 is 3.00000003000000030000... GRL: the cap is the floor, to the wei.
      const answer = 33_333_333n;
      await record(f, f.alice, 1n, USD);
      await toEpochFresh(f, 1n, answer);
      const cap = (USD * 10n ** 18n) / price18(answer);
      expect(cap).to.equal(3_000_000_030_000_000_300n);
      expect(grlFor(USD, price18(answer))).to.equal(cap);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, cap, 1n, cap, BUDGET, USD, price18(answer)));
    });

    it("test_claimEmission_zeroFeesMintNothing_recordClearedAndEventEmitted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // A job in a zero-fee market, or one whose fee rounded to zero: GPU-seconds but no fees.
      await record(f, f.alice, 100n, 0n);
      await record(f, f.bob, 100n);
      await toEpochFresh(f, 1n);
      const supply = await f.token.totalSupply();
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(0n);
      expect(await f.settlement.claimEmission.staticCall(0n, f.alice.address)).to.equal(0n);
      const tx = f.settlement.claimEmission(0n, f.alice.address);
      await expect(tx)
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 0n, 100n, 0n, BUDGET / 2n, 0n));
      await expect(tx).not.to.emit(f.token, "TokensMinted");
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(0n);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(0n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(0n, f.alice.address);
      expect(await f.token.totalSupply()).to.equal(supply);
      expect(await f.settlement.totalEmissionsMinted()).to.equal(0n);
      // Alice's GPU-seconds still diluted the epoch: bob gets half the budget.
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(BUDGET / 2n);
    });

    it("test_claimEmission_capUsesThePriceAtClaimTime", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Fees of $10 recorded while GRL is at $0.50 (20 GRL), claimed once it is at $2 (5 GRL).
      await record(f, f.alice, 100n, 10n * USD);
      await record(f, f.bob, 100n, 10n * USD);
      expect(grlFor(10n * USD, PRICE)).to.equal(20n * GRL);
      await toEpochFresh(f, 1n, 200_000_000n);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(5n * GRL);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 5n * GRL, 100n, 5n * GRL, BUDGET / 2n, 10n * USD, 2n * USD));
      // The price falls to $0.25 before bob claims: the same fees are worth 40 GRL to him.
      await setAnswer(f, 25_000_000n);
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(40n * GRL);
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.bob.address, 40n * GRL, 100n, 45n * GRL, BUDGET / 2n, 10n * USD, USD / 4n));
      // Either way the GRL is worth the $10 of fees at the price it was minted at.
      expect((5n * GRL * 2n * USD) / GRL).to.equal(10n * USD);
      expect((40n * GRL * (USD / 4n)) / GRL).to.equal(10n * USD);
    });

    it("test_feesUsdOf_accumulatesPerProviderAndEpoch_andIsClearedOnClaim", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await record(f, f.alice, 10n, USD);
      await record(f, f.bob, 10n, 2n * USD);
      await record(f, f.alice, 5n, 3n * USD);
      await toEpoch(f, networkHelpers, 1n);
      await record(f, f.alice, 1n, 7n * USD);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(4n * USD);
      expect(await f.settlement.feesUsdOf(0n, f.bob.address)).to.equal(2n * USD);
      expect(await f.settlement.feesUsdOf(1n, f.alice.address)).to.equal(7n * USD);
      expect(await f.settlement.feesUsdOf(1n, f.bob.address)).to.equal(0n);
      expect(await f.settlement.feesUsdOf(0n, f.carol.address)).to.equal(0n);
      await toEpochFresh(f, 2n);
      // alice's 4 dollars of epoch 0 are 8 GRL, below her share; the claim clears that record only.
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(...claimed(0n, f.alice.address, 8n * GRL, 15n, 8n * GRL, proRata(BUDGET, 15n, 25n), 4n * USD));
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(0n);
      expect(await f.settlement.feesUsdOf(1n, f.alice.address)).to.equal(7n * USD);
      expect(await f.settlement.feesUsdOf(0n, f.bob.address)).to.equal(2n * USD);
      await f.settlement.claimEmission(1n, f.alice.address);
      expect(await f.settlement.feesUsdOf(1n, f.alice.address)).to.equal(0n);
    });

    it("test_emissionOf_equalsWhatClaimEmissionMints", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Capped, uncapped, at the boundary and fee-less providers, at a price that does not divide evenly.
      const answer = 123_456_789n;
      const price = price18(answer);
      const fees: [HardhatEthersSigner, bigint, bigint][] = [
        [f.alice, 7n, 1n],
        [f.bob, 11n, 3n * USD + 7n],
        [f.carol, 13n, 0n],
        [f.dave, 17n, UNCAPPED],
        [f.outsider, 19n, (proRata(BUDGET, 19n, 67n) * price) / 10n ** 18n],
      ];
      for (const [p, seconds, usd] of fees) await record(f, p, seconds, usd);
      await toEpochFresh(f, 1n, answer);
      let total = 0n;
      for (const [p, seconds, usd] of fees) {
        const share = proRata(BUDGET, seconds, 67n);
        const expected = share < grlFor(usd, price) ? share : grlFor(usd, price);
        const view = await f.settlement.emissionOf(0n, p.address);
        expect(view, p.address).to.equal(expected);
        expect(await f.settlement.claimEmission.staticCall(0n, p.address)).to.equal(view);
        total += view;
        const tx = f.settlement.claimEmission(0n, p.address);
        await expect(tx)
          .to.emit(f.settlement, "EmissionClaimed")
          .withArgs(...claimed(0n, p.address, view, seconds, total, share, usd, price));
        await expect(tx).to.changeTokenBalance(ethers, f.token, p, view);
        expect(await f.settlement.emissionOf(0n, p.address)).to.equal(0n);
      }
      expect(await f.settlement.totalEmissionsMinted()).to.equal(total);
      expect(total).to.be.lessThan(BUDGET);
    });
  });

  describe("reverts", function () {
    it("test_claimEmission_revertsBeforeTheEpochEnds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await record(f, f.alice, 100n);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(0n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEpochNotEnded")
        .withArgs(0n, 0n);
      // The epoch's last second still belongs to it.
      await networkHelpers.time.setNextBlockTimestamp((await f.settlement.epochStart(1n)) - 2n);
      await setAnswer(f, GRL_USD_ANSWER); // the claim reads the price once the epoch has ended
      await networkHelpers.time.setNextBlockTimestamp((await f.settlement.epochStart(1n)) - 1n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEpochNotEnded")
        .withArgs(0n, 0n);
      await networkHelpers.time.setNextBlockTimestamp(await f.settlement.epochStart(1n));
      await expect(f.settlement.claimEmission(0n, f.alice.address)).to.emit(f.settlement, "EmissionClaimed");
    });

    it("test_claimEmission_revertsForAFutureEpoch", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await expect(f.settlement.claimEmission(1n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEpochNotEnded")
        .withArgs(1n, 1n);
      await expect(f.settlement.claimEmission(5n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEpochNotEnded")
        .withArgs(5n, 1n);
    });

    it("test_claimEmission_revertsForAProviderWithoutGpuSeconds", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await expect(f.settlement.claimEmission(0n, f.dave.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(0n, f.dave.address);
      await expect(f.settlement.claimEmission(0n, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(0n, ethers.ZeroAddress);
    });

    it("test_claimEmission_revertsForAnEpochWithoutRecords", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await toEpochFresh(f, 3n);
      await expect(f.settlement.claimEmission(2n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(2n, f.alice.address);
      const book = await f.settlement.epochEmissionOf(2n);
      expect([book.budget, book.gpuSeconds, book.claimed]).to.deep.equal([0n, 0n, 0n]);
    });

    it("test_claimEmission_revertsOnSecondClaim", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await f.settlement.claimEmission(0n, f.alice.address);
      await expect(f.settlement.connect(f.alice).claimEmission(0n, f.alice.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNoEmission")
        .withArgs(0n, f.alice.address);
      // The others' shares are unchanged by alice's claim.
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(30_000n * GRL);
    });
  });

  describe("views", function () {
    it("test_emissionOf_gpuSecondsOf_epochEmissionOf", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await record(f, f.alice, 1n);
      await record(f, f.bob, 2n, USD);
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(1n);
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(2n);
      expect(await f.settlement.gpuSecondsOf(1n, f.alice.address)).to.equal(0n);
      // Zero until the epoch ends, whatever the book says.
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(0n);
      const book = await f.settlement.epochEmissionOf(0n);
      expect([book.budget, book.gpuSeconds, book.claimed]).to.deep.equal([BUDGET, 3n, 0n]);
      await toEpochFresh(f, 1n);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(proRata(BUDGET, 1n, 3n));
      // bob's share is capped by the $1 of fees he paid: 2 GRL at $0.50.
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(2n * GRL);
      expect(await f.settlement.feesUsdOf(0n, f.bob.address)).to.equal(USD);
      expect(await f.settlement.emissionOf(0n, f.carol.address)).to.equal(0n);
      expect(await f.settlement.emissionOf(1n, f.alice.address)).to.equal(0n);
    });
  });
});
