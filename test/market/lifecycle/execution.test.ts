import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, createJob, RESULT_HASH, RESULT_URI, runningJob } from "../../kit/jobs.ts";
import {
  DELIVERY_GRACE,
  FAULT_SLASH_BPS,
  FEE_BPS,
  INSTANT,
  JobState,
  LATE_DELIVERY,
  NO_SHOW,
  PROVIDER_STAKE,
  RENTER_FUNDS,
  SLASH_TO_RENTER_BPS,
  START_WINDOW,
  USDC,
} from "../../kit/market.ts";
import { accrued, bpsOf, DURATION, GPUS, jobValue, releasable, RESERVE } from "../../kit/money.ts";
import { GRL, H100 } from "../../kit/protocol.ts";
import {
  claimAt,
  collateralAtClearing,
  collateralAtReserve,
  deliverAtEnd,
  expectLedger,
  expectMarketBacksLedger,
  expectProviderReleased,
  expectRegistryBacksStake,
  faultScore,
  INITIAL_REPUTATION,
  P1_5,
  reputationOf,
  settleAtDeadline,
  successScore,
  withdrawAll,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

const BUDGET = jobValue(RESERVE); // 80 USDC
const COLLATERAL_AT_RESERVE = collateralAtReserve(BUDGET); // 48 GRL
/** alice alone at $1.50, first price: value 60 USDC, 20 USDC refunded at award, 36 GRL collateral. */
const VALUE_1_5 = jobValue(P1_5);
const COLLATERAL_1_5 = collateralAtClearing(COLLATERAL_AT_RESERVE, P1_5);

describe("JobMarket lifecycle: execution", function () {
  describe("instant mode", function () {
    it("test_instant_acceptStartDeliverSettle", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      const created = await f.market.jobOf(jobId);
      expect(created.escrow).to.equal(BUDGET);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Bidding);

      const acceptedAt = created.bidDeadline - 1n;
      await networkHelpers.time.setNextBlockTimestamp(acceptedAt);
      await expect(f.market.connect(f.carol).acceptInstant(jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          jobId,
          f.renter.address,
          f.carol.address,
          H100,
          GPUS,
          INSTANT,
          RESERVE,
          RESERVE,
          BUDGET,
          0n,
          COLLATERAL_AT_RESERVE,
          0n,
          0n,
          acceptedAt + START_WINDOW,
        )
        .and.to.emit(f.registry, "CollateralLocked");
      expect(await f.market.lockOf(jobId, f.carol.address)).to.equal(COLLATERAL_AT_RESERVE);
      // The first acceptance wins: a second one finds the job awarded.
      await expect(f.market.connect(f.alice).acceptInstant(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);

      await (await f.market.connect(f.carol).startJob(jobId)).wait();
      expect((await f.registry.gpuLineOf(f.carol.address, H100)).leased).to.equal(GPUS);
      await deliverAtEnd(f, networkHelpers, jobId);
      expect((await f.registry.gpuLineOf(f.carol.address, H100)).leased).to.equal(0n);
      const fee = bpsOf(BUDGET, FEE_BPS);
      const deadline = (await f.market.jobOf(jobId)).deadline;
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await expect(f.market.connect(f.outsider).settle(jobId))
        .to.emit(f.market, "JobSettled")
        .withArgs(
          jobId,
          f.renter.address,
          f.carol.address,
          usdc,
          BUDGET,
          BUDGET,
          fee,
          0n,
          0n,
          successScore(INITIAL_REPUTATION, BUDGET),
        );

      expect(fee).to.equal(2n * USDC);
      const l = await expectLedger(f, usdc, { carol: BUDGET - fee, treasury: fee });
      expect(l.carol + l.treasury + l.renter).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.usdc);
      await expectProviderReleased(f, f.carol, [jobId]);
      await expectRegistryBacksStake(f);
      expect(await reputationOf(f, f.carol)).to.equal(successScore(INITIAL_REPUTATION, BUDGET));

      await withdrawAll(f, usdc, [f.carol, f.treasury]);
      expect(await f.usdc.balanceOf(f.carol.address)).to.equal(BUDGET - fee);
      expect(await f.usdc.balanceOf(f.treasury.address)).to.equal(fee);
      expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - BUDGET);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
    });

    it("test_instant_nobodyAccepts_renterCancelsForAFullRefund", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      const job = await f.market.jobOf(jobId);
      await networkHelpers.time.setNextBlockTimestamp(job.bidDeadline);
      await expect(f.market.connect(f.alice).acceptInstant(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(jobId, job.bidDeadline, job.bidDeadline);
      await expect(f.market.connect(f.renter).cancelJob(jobId))
        .to.emit(f.market, "JobCancelled")
        .withArgs(jobId, f.renter.address, BUDGET);
      await expectLedger(f, usdc, { renter: BUDGET });
      await expectMarketBacksLedger(f, f.usdc);
      await withdrawAll(f, usdc, [f.renter]);
      expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS);
    });
  });

  describe("early stop", function () {
    it("test_stop_halfway_accruedToProviderRestRefunded", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const jobId = await runningJob(f, networkHelpers); // alice alone at $1.50
      const startedAt = (await f.market.jobOf(jobId)).startedAt;

      // A claim two hours in, then the renter stops at half time.
      const firstGross = await claimAt(f, networkHelpers, jobId, 2n * 3600n);
      expect(firstGross).to.equal(releasable(accrued(VALUE_1_5, 2n * 3600n)));
      const half = DURATION / 2n;
      const accruedAtStop = accrued(VALUE_1_5, half);
      expect(accruedAtStop).to.equal(30n * USDC);
      const stopGross = accruedAtStop - firstGross;
      const stopFee = bpsOf(stopGross, FEE_BPS);
      const stopRefund = VALUE_1_5 - accruedAtStop;
      await networkHelpers.time.setNextBlockTimestamp(startedAt + half);
      await expect(f.market.connect(f.alice).stopJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotRenter")
        .withArgs(jobId, f.alice.address);
      await expect(f.market.connect(f.renter).stopJob(jobId))
        .to.emit(f.market, "JobStopped")
        .withArgs(jobId, f.renter.address, f.alice.address, stopGross, stopFee, stopRefund, half)
        .and.to.emit(f.registry, "GpusReleased")
        .withArgs(f.alice.address, H100, GPUS, 0n)
        .and.to.emit(f.registry, "CollateralUnlocked")
        .withArgs(f.alice.address, jobId, COLLATERAL_1_5, 0n, PROVIDER_STAKE);

      const job = await f.market.jobOf(jobId);
      expect(job.state).to.equal(JobState.Cancelled);
      expect(job.escrow).to.equal(0n);
      expect(job.claimed).to.equal(accruedAtStop);

      const fees = bpsOf(firstGross, FEE_BPS) + stopFee;
      const renterRefund = BUDGET - VALUE_1_5 + stopRefund;
      expect(renterRefund).to.equal(50n * USDC);
      const l = await expectLedger(f, usdc, {
        renter: renterRefund,
        alice: accruedAtStop - fees,
        treasury: fees,
      });
      expect(l.alice + l.treasury + l.renter).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.usdc);
      await expectProviderReleased(f, f.alice, [jobId]);
      await expectRegistryBacksStake(f);
      // An early stop is neither a success nor a fault.
      expect(await reputationOf(f, f.alice)).to.equal(INITIAL_REPUTATION);
      await expect(f.market.connect(f.alice).claim(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Cancelled);
    });
  });

  describe("provider faults", function () {
    it("test_noShow_failJobAfterTheStartDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const renterGrl = await f.token.balanceOf(f.renter.address);
      const supply = await f.token.totalSupply();
      const jobId = await awardedJob(f, networkHelpers); // alice alone at $1.50
      const deadline = (await f.market.jobOf(jobId)).deadline;

      await networkHelpers.time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.market.connect(f.outsider).failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(jobId, deadline, deadline - 1n);
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await expect(f.market.connect(f.alice).startJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(jobId, deadline, deadline);

      const slashed = bpsOf(COLLATERAL_1_5, FAULT_SLASH_BPS);
      const toRenter = bpsOf(slashed, SLASH_TO_RENTER_BPS);
      const burned = slashed - toRenter;
      expect([slashed, toRenter, burned]).to.deep.equal([18n * GRL, 9n * GRL, 9n * GRL]);
      const reputation = faultScore(INITIAL_REPUTATION);
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await expect(f.market.connect(f.outsider).failJob(jobId))
        .to.emit(f.market, "JobFailed")
        .withArgs(jobId, f.renter.address, f.alice.address, NO_SHOW, VALUE_1_5, toRenter, burned, reputation);

      expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Failed);
      const l = await expectLedger(f, usdc, { renter: BUDGET });
      expect(l.renter + l.alice + l.treasury).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.usdc);
      await expectProviderReleased(f, f.alice, [jobId], PROVIDER_STAKE - slashed);
      await expectRegistryBacksStake(f);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl + toRenter);
      expect(await f.token.totalSupply()).to.equal(supply - burned);
      expect(await reputationOf(f, f.alice)).to.equal(reputation);
      expect(reputation).to.equal(3333n);
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(jobId, JobState.Failed);

      await withdrawAll(f, usdc, [f.renter]);
      expect(await f.usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(0n);
    });

    it("test_lateDelivery_failJobAfterEndPlusGrace", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const renterGrl = await f.token.balanceOf(f.renter.address);
      const supply = await f.token.totalSupply();
      const jobId = await runningJob(f, networkHelpers);
      const startedAt = (await f.market.jobOf(jobId)).startedAt;
      const deadline = startedAt + DURATION + DELIVERY_GRACE;
      expect((await f.market.jobOf(jobId)).deadline).to.equal(deadline);

      const claimed = await claimAt(f, networkHelpers, jobId, DURATION / 2n);
      expect(claimed).to.equal(24n * USDC);

      await networkHelpers.time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketTooEarly")
        .withArgs(jobId, deadline, deadline - 1n);
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await expect(f.market.connect(f.alice).deliver(jobId, RESULT_HASH, RESULT_URI))
        .to.be.revertedWithCustomError(f.market, "MarketWindowClosed")
        .withArgs(jobId, deadline, deadline);

      const refund = VALUE_1_5 - claimed;
      const slashed = bpsOf(COLLATERAL_1_5, FAULT_SLASH_BPS);
      const toRenter = bpsOf(slashed, SLASH_TO_RENTER_BPS);
      const burned = slashed - toRenter;
      const reputation = faultScore(INITIAL_REPUTATION);
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await expect(f.market.connect(f.outsider).failJob(jobId))
        .to.emit(f.market, "JobFailed")
        .withArgs(jobId, f.renter.address, f.alice.address, LATE_DELIVERY, refund, toRenter, burned, reputation)
        .and.to.emit(f.registry, "GpusReleased")
        .withArgs(f.alice.address, H100, GPUS, 0n);

      // What was claimed stays paid; everything still escrowed goes back to the renter.
      const fee = bpsOf(claimed, FEE_BPS);
      const l = await expectLedger(f, usdc, {
        renter: BUDGET - VALUE_1_5 + refund,
        alice: claimed - fee,
        treasury: fee,
      });
      expect(l.renter + l.alice + l.treasury).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.usdc);
      await expectProviderReleased(f, f.alice, [jobId], PROVIDER_STAKE - slashed);
      await expectRegistryBacksStake(f);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl + toRenter);
      expect(await f.token.totalSupply()).to.equal(supply - burned);
      expect(await reputationOf(f, f.alice)).to.equal(reputation);
    });

    it("test_deliveryInTheGracePeriod_stillSettles", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const jobId = await runningJob(f, networkHelpers);
      const deadline = (await f.market.jobOf(jobId)).deadline;
      await networkHelpers.time.setNextBlockTimestamp(deadline - 1n);
      await (await f.market.connect(f.alice).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
      await expect(f.market.failJob(jobId))
        .to.be.revertedWithCustomError(f.market, "MarketNotFailable")
        .withArgs(jobId, JobState.Delivered);
      await settleAtDeadline(f, networkHelpers, jobId);
      const fee = bpsOf(VALUE_1_5, FEE_BPS);
      const l = await expectLedger(f, usdc, { renter: BUDGET - VALUE_1_5, alice: VALUE_1_5 - fee, treasury: fee });
      expect(l.renter + l.alice + l.treasury).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.usdc);
      await expectProviderReleased(f, f.alice, [jobId]);
      expect(await reputationOf(f, f.alice)).to.equal(successScore(INITIAL_REPUTATION, VALUE_1_5));
    });
  });
});
