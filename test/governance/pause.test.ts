import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import {
  awardedJob,
  commitBid,
  createJob,
  DEFAULT_PARAMS,
  deployMarket,
  INSTANT,
  JobState,
  jobRequest,
  type MarketFixture,
  PROVIDER_FAULT,
  revealBid,
  runningJob,
  USDC,
} from "../helpers/market.js";
import {
  deliveredJob,
  disputedJob,
  EVIDENCE_HASH,
  RESULT_HASH,
  RESULT_URI,
} from "../market/execution/helpers.js";

const { ethers, networkHelpers } = await network.create();

const GUARDIAN_ROLE = ethers.id("GUARDIAN_ROLE");
const PRICE = (15n * USDC) / 10n;

interface PauseFixture extends MarketFixture {
  /** Holds GUARDIAN_ROLE on the market (granted by the admin). */
  guardian: HardhatEthersSigner;
}

/** The market fixture with a guardian appointed by the admin; not paused. */
async function guardedFixture(): Promise<PauseFixture> {
  const f = await deployMarket(ethers);
  const guardian = (await ethers.getSigners())[10];
  await f.market.connect(f.admin).grantRole(GUARDIAN_ROLE, guardian.address);
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
      await expect(f.market.connect(f.guardian).pause())
        .to.emit(f.market, "Paused")
        .withArgs(f.guardian.address);
      expect(await f.market.paused()).to.equal(true);
    });

    it("test_unpause_clearsPausedAndEmits", async function () {
      const f = await networkHelpers.loadFixture(pausedFixture);
      await expect(f.market.connect(f.guardian).unpause())
        .to.emit(f.market, "Unpaused")
        .withArgs(f.guardian.address);
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
        f.market
          .connect(f.renter)
          .createJobWithPermit(await jobRequest(f), 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
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
      await expect(f.market.connect(f.admin).setMarketParams({ ...DEFAULT_PARAMS, feeBps: 100n }))
        .to.emit(f.market, "MarketParamsSet");
    });
  });
});
