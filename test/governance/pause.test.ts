import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import {
  awardedJob,
  commitBid,
  createJob,
  CREDIT,
  creditRequest,
  deliveredJob,
  deliverJob,
  disputedJob,
  EVIDENCE_HASH,
  jobRequest,
  RESULT_HASH,
  RESULT_URI,
  revealBid,
  runningJob,
} from "../kit/jobs.ts";
import {
  DEFAULT_PARAMS,
  deployMarket,
  EMISSION_BUDGET_PER_EPOCH,
  GRL_USD_ANSWER,
  HOUR,
  INSTANT,
  JobState,
  type MarketFixture,
  MINT_CAP_PER_EPOCH,
  PROVIDER_FAULT,
  SPREAD_BPS,
  USDC,
} from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";

const { ethers, networkHelpers } = await network.create();

const GUARDIAN_ROLE = ethers.id("GUARDIAN_ROLE");
const PRICE = (15n * USDC) / 10n;

interface PauseFixture extends MarketFixture {
  /** Holds GUARDIAN_ROLE on the market and on the settlement (granted by the admin). */
  guardian: HardhatEthersSigner;
}

/** The market fixture with a guardian appointed by the admin on the market and the settlement; not paused. */
async function guardedFixture(): Promise<PauseFixture> {
  const f = await deployMarket(ethers);
  const guardian = (await ethers.getSigners())[10];
  await f.market.connect(f.admin).grantRole(GUARDIAN_ROLE, guardian.address);
  await f.settlement.connect(f.admin).grantRole(GUARDIAN_ROLE, guardian.address);
  return { ...f, guardian };
}

/** As guardedFixture, with the market paused. */
async function pausedFixture(): Promise<PauseFixture> {
  const f = await guardedFixture();
  await f.market.connect(f.guardian).pause();
  return f;
}

async function pause(f: PauseFixture): Promise<void> {
  await (await f.market.connect(f.guardian).pause()).wait();
}

describe("JobMarket: guardian pause", function () {
  describe("access and events", function () {
    it("test_GUARDIAN_ROLE_isHeldByNobodyAtDeployment", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const fresh = await deployMarket(ethers);
      expect(await fresh.market.GUARDIAN_ROLE()).to.equal(GUARDIAN_ROLE);
      expect(await fresh.market.hasRole(GUARDIAN_ROLE, fresh.admin.address)).to.equal(false);
      expect(await f.market.hasRole(GUARDIAN_ROLE, f.guardian.address)).to.equal(true);
      expect(await f.market.paused()).to.equal(false);
    });

    it("test_pause_setsPausedAndEmits", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await expect(f.market.connect(f.guardian).pause()).to.emit(f.market, "Paused").withArgs(f.guardian.address);
      expect(await f.market.paused()).to.equal(true);
    });

    it("test_unpause_clearsPausedAndEmits", async function () {
      const f = await networkHelpers.loadFixture(pausedFixture);
      await expect(f.market.connect(f.guardian).unpause()).to.emit(f.market, "Unpaused").withArgs(f.guardian.address);
      expect(await f.market.paused()).to.equal(false);
    });

    for (const who of ["outsider", "admin", "arbiter", "renter", "provider"] as const) {
      it(`test_pause_revertsFor${who[0].toUpperCase()}${who.slice(1)}`, async function () {
        const f = await networkHelpers.loadFixture(guardedFixture);
        const caller = who === "provider" ? f.alice : f[who];
        await expect(f.market.connect(caller).pause())
          .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, GUARDIAN_ROLE);
      });

      it(`test_unpause_revertsFor${who[0].toUpperCase()}${who.slice(1)}`, async function () {
        const f = await networkHelpers.loadFixture(pausedFixture);
        const caller = who === "provider" ? f.alice : f[who];
        await expect(f.market.connect(caller).unpause())
          .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, GUARDIAN_ROLE);
      });
    }

    it("test_pause_revertsWhenAlreadyPaused", async function () {
      const f = await networkHelpers.loadFixture(pausedFixture);
      await expect(f.market.connect(f.guardian).pause()).to.be.revertedWithCustomError(f.market, "EnforcedPause");
    });

    it("test_unpause_revertsWhenNotPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await expect(f.market.connect(f.guardian).unpause()).to.be.revertedWithCustomError(f.market, "ExpectedPause");
    });

    it("test_pause_revokedGuardianCannotPause", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await f.market.connect(f.admin).revokeRole(GUARDIAN_ROLE, f.guardian.address);
      await expect(f.market.connect(f.guardian).pause())
        .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
        .withArgs(f.guardian.address, GUARDIAN_ROLE);
    });

    it("test_grantRole_onlyAdminAppointsGuardian", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await expect(f.market.connect(f.guardian).grantRole(GUARDIAN_ROLE, f.outsider.address))
        .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
        .withArgs(f.guardian.address, await f.market.DEFAULT_ADMIN_ROLE());
    });
  });

  describe("new jobs and bids stop", function () {
    it("test_createJob_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(pausedFixture);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f))).to.be.revertedWithCustomError(
        f.market,
        "EnforcedPause",
      );
    });

    it("test_createJobWithPermit_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(pausedFixture);
      await expect(
        f.market.connect(f.renter).createJobWithPermit(await jobRequest(f), 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.market, "EnforcedPause");
    });

    it("test_commitBid_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await createJob(f);
      await pause(f);
      const commitment = await f.market.bidCommitment(jobId, f.alice.address, PRICE, ethers.id("salt"));
      await expect(f.market.connect(f.alice).commitBid(jobId, commitment)).to.be.revertedWithCustomError(
        f.market,
        "EnforcedPause",
      );
    });

    it("test_acceptInstant_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await pause(f);
      await expect(f.market.connect(f.alice).acceptInstant(jobId)).to.be.revertedWithCustomError(
        f.market,
        "EnforcedPause",
      );
    });

    it("test_acceptInstantAndStart_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await pause(f);
      await expect(f.market.connect(f.alice).acceptInstantAndStart(jobId)).to.be.revertedWithCustomError(
        f.market,
        "EnforcedPause",
      );
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Bidding);
    });

    it("test_unpause_reopensJobsAndBids", async function () {
      const f = await networkHelpers.loadFixture(pausedFixture);
      await f.market.connect(f.guardian).unpause();
      const jobId = await createJob(f);
      await expect(f.market.connect(f.alice).commitBid(jobId, ethers.id("commitment"))).not.to.revert(ethers);
      const instantId = await createJob(f, { pricingRule: INSTANT, revealWindow: 0 });
      await expect(f.market.connect(f.bob).acceptInstant(instantId)).not.to.revert(ethers);
      expect(await f.market.stateOf(instantId)).to.equal(JobState.Awarded);
    });
  });

  describe("jobs under way and money out keep working", function () {
    it("test_revealBid_andAward_workWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, PRICE);
      await pause(f);
      const job = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(job.bidDeadline);
      await revealBid(f, f.alice, jobId, PRICE);
      await networkHelpers.time.increaseTo(job.revealDeadline);
      await expect(f.market.award(jobId)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Awarded);
    });

    it("test_awardAndStart_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, PRICE);
      const job = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(job.bidDeadline);
      await revealBid(f, f.alice, jobId, PRICE);
      await pause(f);
      await networkHelpers.time.increaseTo(job.revealDeadline);
      await expect(f.market.connect(f.alice).awardAndStart(jobId)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Running);
    });

    it("test_closeBid_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await awardedJob(f, networkHelpers, [
        [f.alice, PRICE],
        [f.bob, 2n * USDC],
      ]);
      await pause(f);
      await expect(f.market.closeBid(jobId, f.bob.address)).not.to.revert(ethers);
    });

    it("test_cancelJob_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await createJob(f);
      await pause(f);
      await expect(f.market.connect(f.renter).cancelJob(jobId)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Cancelled);
    });

    it("test_startJob_andClaim_workWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await awardedJob(f, networkHelpers);
      await pause(f);
      await expect(f.market.connect(f.alice).startJob(jobId)).not.to.revert(ethers);
      await networkHelpers.time.increase(3600);
      await expect(f.market.connect(f.alice).claim(jobId)).not.to.revert(ethers);
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.alice.address)).to.be.greaterThan(0n);
    });

    it("test_stopJob_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await runningJob(f, networkHelpers);
      await pause(f);
      await networkHelpers.time.increase(3600);
      await expect(f.market.connect(f.renter).stopJob(jobId)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Cancelled);
    });

    it("test_deliver_andSettle_workWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await runningJob(f, networkHelpers);
      await pause(f);
      await expect(f.market.connect(f.alice).deliver(jobId, RESULT_HASH, RESULT_URI)).not.to.revert(ethers);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      await expect(f.market.settle(jobId)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Settled);
    });

    it("test_dispute_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await deliveredJob(f, networkHelpers);
      await pause(f);
      await expect(f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Disputed);
    });

    it("test_resolveDispute_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await disputedJob(f, networkHelpers);
      await pause(f);
      await expect(f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Resolved);
    });

    it("test_settleDisputeTimeout_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await disputedJob(f, networkHelpers);
      await pause(f);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      await expect(f.market.settleDisputeTimeout(jobId)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Settled);
    });

    it("test_failJob_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await awardedJob(f, networkHelpers);
      await pause(f);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      await expect(f.market.failJob(jobId)).not.to.revert(ethers);
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Failed);
    });

    it("test_withdraw_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const jobId = await createJob(f);
      await f.market.connect(f.renter).cancelJob(jobId);
      await pause(f);
      const usdc = await f.usdc.getAddress();
      const refund = await f.market.balanceOf(usdc, f.renter.address);
      expect(refund).to.be.greaterThan(0n);
      await expect(f.market.connect(f.renter).withdraw(usdc, f.renter.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(usdc, f.renter.address, f.renter.address, refund);
    });

    it("test_setMarketParams_governanceWorksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(pausedFixture);
      await expect(f.market.connect(f.admin).setMarketParams({ ...DEFAULT_PARAMS, feeBps: 100n })).to.emit(
        f.market,
        "MarketParamsSet",
      );
    });
  });
});

// ------------------------------------------------------------------------------------------------
// The settlement's pause. The default job of test/kit/jobs.ts, paid in credits (18 decimals):
// 4 GPUs x 10 h at a 2-credit reserve, won by alice at 1.5 credits per GPU-hour.
// ------------------------------------------------------------------------------------------------

/** GRL/USD at deployment ($0.50) with 18 decimals, as the oracle adapter reports it. */
const GRL_PRICE = 5n * 10n ** 17n;
/** GRL a renter burns for credits, and the credits it gets: 1,000 x $0.50 x (1 - 0.25%). */
const GRL_BURNED = 1_000n * GRL;
const CREDITS_BOUGHT = (GRL_BURNED * GRL_PRICE * (10_000n - SPREAD_BPS)) / (10n ** 18n * 10_000n);
const CREDIT_PRICE = (15n * CREDIT) / 10n;
const CREDIT_BUDGET = 80n * CREDIT;
const CREDIT_VALUE = 60n * CREDIT;
/** 250 bps of the value, to the treasury; the rest is alice's earnings. */
const CREDIT_FEE = (CREDIT_VALUE * 250n) / 10_000n;
const ALICE_EARNINGS = CREDIT_VALUE - CREDIT_FEE;
/** Alice's earnings as GRL at $0.50. */
const ALICE_GRL = (ALICE_EARNINGS * 10n ** 18n) / GRL_PRICE;
const GPU_SECONDS = 4n * 10n * HOUR;
/** A mint cap below ALICE_GRL, so that her withdrawal is partly queued. */
const SMALL_MINT_CAP = 100n * GRL;
const QUEUED = ALICE_GRL - SMALL_MINT_CAP;

/** Gives `buyer` GRL_BURNED GRL from the treasury and has it buy CREDITS_BOUGHT credits. */
async function buyCredits(f: PauseFixture, buyer: HardhatEthersSigner = f.renter): Promise<void> {
  await f.token.connect(f.treasury).transfer(buyer.address, GRL_BURNED);
  await f.token.connect(buyer).approve(await f.settlement.getAddress(), GRL_BURNED);
  await (await f.settlement.connect(buyer).buyCredits(buyer.address, GRL_BURNED, CREDITS_BOUGHT)).wait();
}

/** The renter bought credits; alice won, ran, delivered and was paid a credit job (settled in epoch 0). */
async function settledCreditJobFixture(): Promise<PauseFixture> {
  const f = await guardedFixture();
  await buyCredits(f);
  const jobId = await runningJob(f, networkHelpers, [[f.alice, CREDIT_PRICE]], await creditRequest(f));
  await deliverJob(f, networkHelpers, jobId);
  await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
  await f.market.settle(jobId);
  // The challenge window outlasted the oracle's heartbeat: publish the price again.
  await f.feed.connect(f.admin).setAnswer(GRL_USD_ANSWER);
  return f;
}

/**
 * As settledCreditJobFixture, with the mint cap lowered to SMALL_MINT_CAP and the settlement paused
 * before alice withdrew: SMALL_MINT_CAP minted to her, QUEUED waiting as ticket 1.
 */
async function queuedMintFixture(): Promise<PauseFixture> {
  const f = await settledCreditJobFixture();
  await f.settlement.connect(f.admin).setMintCapPerEpoch(SMALL_MINT_CAP);
  await f.settlement.connect(f.guardian).pause();
  await f.settlement.connect(f.alice).withdrawEarnings(f.alice.address);
  return f;
}

async function toEpoch(f: PauseFixture, epoch: bigint): Promise<void> {
  await networkHelpers.time.increaseTo(await f.settlement.epochStart(epoch));
}

describe("Settlement: guardian pause", function () {
  describe("access and events", function () {
    it("test_settlementGuardian_isHeldByNobodyAtDeployment", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      const fresh = await deployMarket(ethers);
      expect(await fresh.settlement.GUARDIAN_ROLE()).to.equal(GUARDIAN_ROLE);
      expect(await fresh.settlement.hasRole(GUARDIAN_ROLE, fresh.admin.address)).to.equal(false);
      expect(await f.settlement.hasRole(GUARDIAN_ROLE, f.guardian.address)).to.equal(true);
      expect(await f.settlement.paused()).to.equal(false);
    });

    it("test_settlementPause_setsPausedAndEmits", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await expect(f.settlement.connect(f.guardian).pause())
        .to.emit(f.settlement, "Paused")
        .withArgs(f.guardian.address);
      expect(await f.settlement.paused()).to.equal(true);
      // The two pauses are independent.
      expect(await f.market.paused()).to.equal(false);
    });

    it("test_settlementUnpause_clearsPausedAndEmits", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.guardian).unpause())
        .to.emit(f.settlement, "Unpaused")
        .withArgs(f.guardian.address);
      expect(await f.settlement.paused()).to.equal(false);
    });

    for (const who of ["outsider", "admin", "arbiter", "renter", "provider"] as const) {
      const name = `${who[0].toUpperCase()}${who.slice(1)}`;
      it(`test_settlementPause_revertsFor${name}`, async function () {
        const f = await networkHelpers.loadFixture(guardedFixture);
        const caller = who === "provider" ? f.alice : f[who];
        await expect(f.settlement.connect(caller).pause())
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, GUARDIAN_ROLE);
        expect(await f.settlement.paused()).to.equal(false);
      });

      it(`test_settlementUnpause_revertsFor${name}`, async function () {
        const f = await networkHelpers.loadFixture(guardedFixture);
        await f.settlement.connect(f.guardian).pause();
        const caller = who === "provider" ? f.alice : f[who];
        await expect(f.settlement.connect(caller).unpause())
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, GUARDIAN_ROLE);
        expect(await f.settlement.paused()).to.equal(true);
      });
    }

    it("test_settlementPause_marketGuardianAloneCannotPause", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await f.settlement.connect(f.admin).revokeRole(GUARDIAN_ROLE, f.guardian.address);
      expect(await f.market.hasRole(GUARDIAN_ROLE, f.guardian.address)).to.equal(true);
      await expect(f.settlement.connect(f.guardian).pause())
        .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
        .withArgs(f.guardian.address, GUARDIAN_ROLE);
    });

    it("test_settlementPause_revertsWhenAlreadyPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.guardian).pause()).to.be.revertedWithCustomError(
        f.settlement,
        "EnforcedPause",
      );
    });

    it("test_settlementUnpause_revertsWhenNotPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await expect(f.settlement.connect(f.guardian).unpause()).to.be.revertedWithCustomError(
        f.settlement,
        "ExpectedPause",
      );
    });
  });

  describe("credit purchases stop", function () {
    /** The renter holds GRL_BURNED GRL approved to the settlement, and the settlement is paused. */
    async function readyToBuyPausedFixture(): Promise<PauseFixture> {
      const f = await guardedFixture();
      await f.token.connect(f.treasury).transfer(f.renter.address, GRL_BURNED);
      await f.token.connect(f.renter).approve(await f.settlement.getAddress(), GRL_BURNED);
      await f.settlement.connect(f.guardian).pause();
      return f;
    }

    it("test_buyCredits_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(readyToBuyPausedFixture);
      await expect(
        f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL_BURNED, 0n),
      ).to.be.revertedWithCustomError(f.settlement, "EnforcedPause");
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(0n);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(GRL_BURNED);
    });

    it("test_buyCreditsWithPermit_revertsWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(readyToBuyPausedFixture);
      await expect(
        f.settlement
          .connect(f.renter)
          .buyCreditsWithPermit(f.renter.address, GRL_BURNED, 0n, 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.settlement, "EnforcedPause");
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(0n);
    });

    it("test_settlementUnpause_reopensPurchases", async function () {
      const f = await networkHelpers.loadFixture(readyToBuyPausedFixture);
      await f.settlement.connect(f.guardian).unpause();
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL_BURNED, CREDITS_BOUGHT))
        .to.emit(f.settlement, "CreditsPurchased")
        .withArgs(
          f.renter.address,
          f.renter.address,
          GRL_BURNED,
          500n * CREDIT,
          CREDITS_BOUGHT,
          GRL_PRICE,
          SPREAD_BPS,
          CREDITS_BOUGHT,
        );
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(CREDITS_BOUGHT);
      expect(await f.token.balanceOf(f.renter.address)).to.equal(0n);
    });
  });

  describe("credit jobs, earnings and claims keep working", function () {
    it("test_createJob_spendsCreditsWhenSettlementPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await buyCredits(f);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, await creditRequest(f))))
        .to.emit(f.settlement, "CreditsSpent")
        .withArgs(
          f.renter.address,
          CREDIT_BUDGET,
          CREDITS_BOUGHT - CREDIT_BUDGET,
          CREDIT_BUDGET,
          2n * CREDIT_BUDGET,
          500_000_000n,
          2n * (CREDITS_BOUGHT - CREDIT_BUDGET),
        );
    });

    it("test_cancelJob_refundsCreditsWhenSettlementPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await buyCredits(f);
      const jobId = await createJob(f, await creditRequest(f));
      await f.settlement.connect(f.guardian).pause();
      await expect(f.market.connect(f.renter).cancelJob(jobId))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(
          f.renter.address,
          CREDIT_BUDGET,
          CREDITS_BOUGHT,
          0n,
          2n * CREDIT_BUDGET,
          500_000_000n,
          2n * CREDITS_BOUGHT,
        )
        .and.to.emit(f.market, "JobCancelled")
        .withArgs(jobId, f.renter.address, CREDIT_BUDGET);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(CREDITS_BOUGHT);
      expect(await f.settlement.creditsEscrowed()).to.equal(0n);
    });

    it("test_settle_accruesEarningsWhenSettlementPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await buyCredits(f);
      const jobId = await createJob(f, await creditRequest(f));
      // Paused before the auction: the award's refund, the pay, the fee and the GPU-seconds all go through.
      await f.settlement.connect(f.guardian).pause();
      await commitBid(f, f.alice, jobId, CREDIT_PRICE);
      const job = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(job.bidDeadline);
      await revealBid(f, f.alice, jobId, CREDIT_PRICE);
      await networkHelpers.time.increaseTo(job.revealDeadline);
      await expect(f.market.award(jobId))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(
          f.renter.address,
          CREDIT_BUDGET - CREDIT_VALUE,
          CREDITS_BOUGHT - CREDIT_VALUE,
          CREDIT_VALUE,
          2n * (CREDIT_BUDGET - CREDIT_VALUE),
          500_000_000n,
          2n * (CREDITS_BOUGHT - CREDIT_VALUE),
        );
      await f.market.connect(f.alice).startJob(jobId);
      await deliverJob(f, networkHelpers, jobId);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      await expect(f.market.settle(jobId))
        .to.emit(f.settlement, "EarningsAccrued")
        .withArgs(
          f.alice.address,
          ALICE_EARNINGS,
          ALICE_EARNINGS,
          CREDIT_FEE,
          2n * ALICE_EARNINGS,
          500_000_000n,
          2n * ALICE_EARNINGS,
        )
        .and.to.emit(f.settlement, "EarningsAccrued")
        .withArgs(f.treasury.address, CREDIT_FEE, CREDIT_FEE, 0n, 2n * CREDIT_FEE, 500_000_000n, 2n * CREDIT_FEE)
        .and.to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(
          0n,
          f.alice.address,
          GPU_SECONDS,
          GPU_SECONDS,
          GPU_SECONDS,
          EMISSION_BUDGET_PER_EPOCH,
          CREDIT_FEE,
          CREDIT_FEE,
        );
      expect(await f.market.stateOf(jobId)).to.equal(JobState.Settled);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(ALICE_EARNINGS);
      expect(await f.settlement.earningsOf(f.treasury.address)).to.equal(CREDIT_FEE);
    });

    it("test_withdrawEarnings_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(settledCreditJobFixture);
      await f.settlement.connect(f.guardian).pause();
      const before = await f.token.balanceOf(f.alice.address);
      await expect(f.settlement.connect(f.alice).withdrawEarnings(f.alice.address))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.alice.address,
          f.alice.address,
          ALICE_EARNINGS,
          ALICE_GRL,
          GRL_PRICE,
          ALICE_GRL,
          0n,
          0n,
          0n,
          2n * ALICE_EARNINGS,
        )
        .and.to.emit(f.settlement, "EarningsMinted")
        .withArgs(0n, f.alice.address, ALICE_GRL, ALICE_GRL, MINT_CAP_PER_EPOCH);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(before + ALICE_GRL);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(0n);
    });

    it("test_withdrawEarnings_queuesBeyondCapWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(settledCreditJobFixture);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(SMALL_MINT_CAP);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.alice).withdrawEarnings(f.alice.address))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.alice.address,
          f.alice.address,
          ALICE_EARNINGS,
          ALICE_GRL,
          GRL_PRICE,
          SMALL_MINT_CAP,
          1n,
          QUEUED,
          0n,
          2n * ALICE_EARNINGS,
        );
      expect([...(await f.settlement.mintQueue())]).to.deep.equal([0n, QUEUED]);
    });

    it("test_claimQueuedMint_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(queuedMintFixture);
      await toEpoch(f, 1n);
      const before = await f.token.balanceOf(f.alice.address);
      // Anyone may claim for the ticket's recipient.
      await expect(f.settlement.connect(f.outsider).claimQueuedMint(1n))
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(1n, QUEUED, QUEUED, QUEUED)
        .and.to.emit(f.settlement, "EarningsMinted")
        .withArgs(1n, await f.settlement.getAddress(), QUEUED, QUEUED, SMALL_MINT_CAP)
        .and.to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(1n, f.alice.address, QUEUED, QUEUED, QUEUED);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(before + QUEUED);
      expect(await f.settlement.paused()).to.equal(true);
    });

    it("test_releaseQueuedMints_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(queuedMintFixture);
      await toEpoch(f, 1n);
      const settlement = await f.settlement.getAddress();
      await expect(f.settlement.connect(f.outsider).releaseQueuedMints())
        .to.emit(f.settlement, "QueuedMintsReleased")
        .withArgs(1n, QUEUED, QUEUED, QUEUED)
        .and.to.emit(f.settlement, "EarningsMinted")
        .withArgs(1n, settlement, QUEUED, QUEUED, SMALL_MINT_CAP);
      expect([...(await f.settlement.mintQueue())]).to.deep.equal([QUEUED, QUEUED]);
      expect(await f.token.balanceOf(settlement)).to.equal(QUEUED);
    });

    it("test_claimEmission_worksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(settledCreditJobFixture);
      await f.settlement.connect(f.guardian).pause();
      await toEpoch(f, 1n);
      await f.feed.connect(f.admin).setAnswer(GRL_USD_ANSWER); // the claim reads the price
      const before = await f.token.balanceOf(f.alice.address);
      // Alice delivered every GPU-second of epoch 0, so its whole budget is her share; she gets the GRL
      // worth of the fee her job paid, at $0.50.
      const amount = (CREDIT_FEE * 10n ** 18n) / GRL_PRICE;
      await expect(f.settlement.connect(f.outsider).claimEmission(0n, f.alice.address))
        .to.emit(f.settlement, "EmissionClaimed")
        .withArgs(0n, f.alice.address, amount, GPU_SECONDS, amount, EMISSION_BUDGET_PER_EPOCH, CREDIT_FEE, GRL_PRICE);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(before + amount);
      expect(await f.settlement.paused()).to.equal(true);
    });

    it("test_setSpreadBps_governanceWorksWhenPaused", async function () {
      const f = await networkHelpers.loadFixture(guardedFixture);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.admin).setSpreadBps(100n))
        .to.emit(f.settlement, "SpreadSet")
        .withArgs(SPREAD_BPS, 100n);
    });
  });
});
