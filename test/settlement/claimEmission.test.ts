import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { GRL } from "../helpers/fixtures.js";
import { EMISSION_BUDGET_PER_EPOCH, GRL_USD_ANSWER, HOUR, runningJob, USDC } from "../helpers/market.js";
import {
  allAccounts,
  deploySettlement,
  expectBooks,
  grantGuardian,
  grantMarketRole,
  proRata,
  type SettlementFixture,
  setAnswer,
  toEpoch,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();

const BUDGET = EMISSION_BUDGET_PER_EPOCH;

async function fixture() {
  const f = await deploySettlement(ethers);
  await grantMarketRole(f);
  return f;
}

async function record(f: SettlementFixture, provider: HardhatEthersSigner, gpuSeconds: bigint): Promise<void> {
  await (await f.settlement.connect(f.marketEoa).recordGpuSeconds(provider.address, gpuSeconds)).wait();
}

/** Epoch 0: alice 100, bob 300, carol 600 GPU-seconds; now in epoch 1. */
async function endedFixture() {
  const f = await fixture();
  await record(f, f.alice, 100n);
  await record(f, f.bob, 300n);
  await record(f, f.carol, 600n);
  await toEpoch(f, networkHelpers, 1n);
  return f;
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
      let claimed = 0n;
      for (const [provider, seconds, share] of shares) {
        expect(proRata(BUDGET, seconds, 1_000n)).to.equal(share);
        expect(await f.settlement.emissionOf(0n, provider.address)).to.equal(share);
        claimed += share;
        const tx = f.settlement.connect(provider).claimEmission(0n, provider.address);
        await expect(tx)
          .to.emit(f.settlement, "EmissionClaimed")
          .withArgs(0n, provider.address, share, seconds, claimed);
        await expect(tx)
          .to.emit(f.token, "TokensMinted")
          .withArgs(f.settlementAddress, provider.address, share, claimed);
        await expect(tx).to.changeTokenBalance(ethers, f.token, provider, share);
        expect(await f.settlement.gpuSecondsOf(0n, provider.address)).to.equal(0n);
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
      await toEpoch(f, networkHelpers, 1n);
      // A third of 1e23 wei each, rounded down: 1 wei of the budget is never minted.
      const share = 33_333_333_333_333_333_333_333n;
      expect(proRata(BUDGET, 1n, 3n)).to.equal(share);
      const supply = await f.token.totalSupply();
      let claimed = 0n;
      for (const p of [f.alice, f.bob, f.carol]) {
        claimed += share;
        await expect(f.settlement.claimEmission(0n, p.address))
          .to.emit(f.settlement, "EmissionClaimed")
          .withArgs(0n, p.address, share, 1n, claimed);
      }
      expect(claimed).to.equal(BUDGET - 1n);
      expect((await f.settlement.epochEmissionOf(0n)).claimed).to.equal(BUDGET - 1n);
      expect(await f.token.totalSupply()).to.equal(supply + BUDGET - 1n);
    });

    it("test_claimEmission_tinyBudgetRoundsSharesDown", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(2n);
      await record(f, f.alice, 2n);
      await record(f, f.bob, 1n);
      await toEpoch(f, networkHelpers, 1n);
      // alice: floor(2 x 2 / 3) = 1 wei; bob: floor(2 x 1 / 3) = 0, claimed without a mint.
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, 1n, 2n, 1n);
      const tx = f.settlement.claimEmission(0n, f.bob.address);
      await expect(tx).to.emit(f.settlement, "EmissionClaimed").withArgs(0n, f.bob.address, 0n, 1n, 1n);
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
      await toEpoch(f, networkHelpers, 1n);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(0n);
      const tx = f.settlement.claimEmission(0n, f.alice.address);
      await expect(tx).to.emit(f.settlement, "EmissionClaimed").withArgs(0n, f.alice.address, 0n, 3_600n, 0n);
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
      await toEpoch(f, networkHelpers, 2n);
      // Each epoch's budget is shared among that epoch's GPU-seconds only; claims go in any order.
      await expect(f.settlement.claimEmission(1n, f.carol.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(1n, f.carol.address, 75_000n * GRL, 3n, 75_000n * GRL);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, 50_000n * GRL, 100n, 50_000n * GRL);
      await expect(f.settlement.claimEmission(1n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(1n, f.alice.address, 25_000n * GRL, 1n, 100_000n * GRL);
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
      await toEpoch(f, networkHelpers, 10n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, 10_000n * GRL, 100n, 10_000n * GRL);
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
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.bob.address, 100n))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.bob.address, 100n, 100n, 200n, BUDGET);
      await toEpoch(f, networkHelpers, 1n);
      // The next epoch opens with the new budget.
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.carol.address, 100n))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(1n, f.carol.address, 100n, 100n, 100n, 50_000n * GRL);
      await toEpoch(f, networkHelpers, 2n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, 50_000n * GRL, 100n, 50_000n * GRL);
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.bob.address, 50_000n * GRL, 100n, 100_000n * GRL);
      await expect(f.settlement.claimEmission(1n, f.carol.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(1n, f.carol.address, 50_000n * GRL, 100n, 50_000n * GRL);
      expect((await f.settlement.epochEmissionOf(0n)).budget).to.equal(BUDGET);
      expect((await f.settlement.epochEmissionOf(1n)).budget).to.equal(50_000n * GRL);
    });

    it("test_claimEmission_budgetSetBeforeAnEpochsFirstRecordAppliesToIt", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(40_000n * GRL);
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 7n))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 7n, 7n, 7n, 40_000n * GRL);
      await toEpoch(f, networkHelpers, 1n);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, 40_000n * GRL, 7n, 40_000n * GRL);
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
        .withArgs(0n, f.bob.address, 30_000n * GRL, 300n, 30_000n * GRL);
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

    it("test_claimEmission_needsNoOracle", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      await expect(f.oracle.grlUsdPrice()).to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer");
      await expect(f.settlement.claimEmission(0n, f.alice.address)).to.emit(f.settlement, "EmissionClaimed");
    });
  });

  describe("settled jobs", function () {
    it("test_claimEmission_gpuSecondsFromJobsSettledByTheMarket", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Two stablecoin jobs of 4 GPUs: alice runs all 10 h of hers; bob delivers a 5 h job after 2.5 h,
      // and only the compute it actually ran counts.
      const aliceJob = await runningJob(f, networkHelpers);
      await networkHelpers.time.increase(10n * HOUR);
      await f.market.connect(f.alice).deliver(aliceJob, ethers.id("result"), "ipfs://result");
      await networkHelpers.time.increaseTo((await f.market.jobOf(aliceJob)).deadline);
      await expect(f.market.settle(aliceJob))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 144_000n, 144_000n, 144_000n, BUDGET);
      await setAnswer(f, GRL_USD_ANSWER); // a day has passed: keep the feed within its heartbeat
      const bobJob = await runningJob(f, networkHelpers, [[f.bob, (15n * USDC) / 10n]], { duration: 5n * HOUR });
      await networkHelpers.time.setNextBlockTimestamp((await f.market.jobOf(bobJob)).startedAt + 9_000n);
      await deliverAndSettle(f, f.bob, bobJob);
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(36_000n);
      expect((await f.settlement.epochEmissionOf(0n)).gpuSeconds).to.equal(180_000n);
      expect(await f.settlement.currentEpoch()).to.equal(0n);

      await toEpoch(f, networkHelpers, 1n);
      const aliceShare = proRata(BUDGET, 144_000n, 180_000n);
      const bobShare = proRata(BUDGET, 36_000n, 180_000n);
      expect(aliceShare + bobShare).to.equal(BUDGET);
      await expect(f.settlement.claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, aliceShare, 144_000n, aliceShare);
      await expect(f.settlement.claimEmission(0n, f.bob.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.bob.address, bobShare, 36_000n, aliceShare + bobShare);
      await expectBooks(f, allAccounts(f));
    });
  });

  describe("emission farming", function () {
    it("test_settle_aYearLongJobDeliveredAtOnceRecordsOnlyTheSecondsRun", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // The attack: a provider renting its own GPUs for a year at the smallest price, delivering at once
      // and settling a day later, would claim a year of GPU-seconds. Only the 10 s it ran count.
      const jobId = await runningJob(f, networkHelpers, [[f.alice, 1n]], {
        duration: 365n * 24n * HOUR,
        reservePricePerGpuHour: 1n,
      });
      await networkHelpers.time.setNextBlockTimestamp((await f.market.jobOf(jobId)).startedAt + 10n);
      await f.market.connect(f.alice).deliver(jobId, ethers.id("result"), "ipfs://result");
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      await expect(f.market.settle(jobId))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 40n, 40n, 40n, BUDGET);
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
      await toEpoch(f, networkHelpers, 3n);
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
      await record(f, f.bob, 2n);
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(1n);
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(2n);
      expect(await f.settlement.gpuSecondsOf(1n, f.alice.address)).to.equal(0n);
      // Zero until the epoch ends, whatever the book says.
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(0n);
      const book = await f.settlement.epochEmissionOf(0n);
      expect([book.budget, book.gpuSeconds, book.claimed]).to.deep.equal([BUDGET, 3n, 0n]);
      await toEpoch(f, networkHelpers, 1n);
      expect(await f.settlement.emissionOf(0n, f.alice.address)).to.equal(proRata(BUDGET, 1n, 3n));
      expect(await f.settlement.emissionOf(0n, f.bob.address)).to.equal(proRata(BUDGET, 2n, 3n));
      expect(await f.settlement.emissionOf(0n, f.carol.address)).to.equal(0n);
      expect(await f.settlement.emissionOf(1n, f.alice.address)).to.equal(0n);
    });
  });
});
