import { expect } from "chai";
import { network } from "hardhat";

import { createJob } from "../../kit/jobs.ts";
import { BidStatus, deployMarket, HOUR, INSTANT, JobState, PROVIDER_STAKE } from "../../kit/market.ts";
import { RESERVE } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import { BUDGET, COLLATERAL, freeStakeOf, jobObject, setParams } from "./helpers.ts";
import { describeInstantAcceptChecks, INSTANT_JOB } from "./instantAcceptChecks.ts";

const { ethers, networkHelpers } = await network.create();

/** A default instant job (4 H100 x 10 h at $2, 1 h acceptance window) and its deadline. */
async function instantFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f, INSTANT_JOB);
  const { bidDeadline } = await f.market.jobOf(jobId);
  return { ...f, jobId, bidDeadline };
}

describe("JobMarket: acceptInstant", function () {
  describe("happy path", function () {
    it("test_acceptInstant_emitsJobAwardedAtReserve", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      const t = f.bidDeadline - 600n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          f.jobId,
          f.renter.address,
          f.alice.address,
          H100,
          4n,
          INSTANT,
          RESERVE,
          RESERVE,
          BUDGET,
          0n,
          COLLATERAL,
          0n,
          0n,
          t + HOUR,
        );
    });

    it("test_acceptInstant_storesAwardedJob", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      const before = await jobObject(f, f.jobId);
      const t = f.bidDeadline - 600n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.alice).acceptInstant(f.jobId);
      expect(await jobObject(f, f.jobId)).to.deep.equal({
        ...before,
        state: JobState.Awarded,
        provider: f.alice.address,
        bestPrice: RESERVE,
        clearingPrice: RESERVE,
        deadline: t + HOUR,
      });
      expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Awarded);
    });

    it("test_acceptInstant_locksCollateralOnly", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      // No bid bond on the instant path: only the collateral is locked.
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId))
        .to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, f.jobId, COLLATERAL, COLLATERAL, PROVIDER_STAKE - COLLATERAL);
      expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(COLLATERAL);
      expect(await freeStakeOf(f, f.alice)).to.equal(PROVIDER_STAKE - COLLATERAL);
      // No bid record is created.
      expect((await f.market.bidOf(f.jobId, f.alice.address)).status).to.equal(BidStatus.None);
    });

    it("test_acceptInstant_noRefundAndNoTokenMovement", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await expect(f.market.connect(f.alice).acceptInstant(f.jobId)).to.changeTokenBalances(
        ethers,
        f.usdc,
        [f.renter, f.market],
        [0n, 0n],
      );
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(0n);
      expect((await f.market.jobOf(f.jobId)).escrow).to.equal(BUDGET);
    });

    it("test_acceptInstant_startDeadlineUsesSnapshottedStartWindow", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await setParams(f, { startWindow: 6n * HOUR });
      const t = f.bidDeadline - 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.bob).acceptInstant(f.jobId);
      expect((await f.market.jobOf(f.jobId)).deadline).to.equal(t + HOUR);
    });

    it("test_acceptInstant_winnerCanStart", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.carol).acceptInstant(f.jobId);
      await expect(f.market.connect(f.carol).startJob(f.jobId)).to.emit(f.market, "JobStarted");
      expect((await f.market.jobOf(f.jobId)).state).to.equal(JobState.Running);
    });
  });

  describe("a taken job", function () {
    it("test_acceptInstant_secondAcceptRevertsWithWrongState", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.alice).acceptInstant(f.jobId);
      for (const provider of [f.bob, f.alice]) {
        await expect(f.market.connect(provider).acceptInstant(f.jobId))
          .to.be.revertedWithCustomError(f.market, "MarketWrongState")
          .withArgs(f.jobId, JobState.Awarded);
      }
      expect((await f.market.jobOf(f.jobId)).provider).to.equal(f.alice.address);
      expect(await f.market.lockOf(f.jobId, f.bob.address)).to.equal(0n);
    });
  });

  describeInstantAcceptChecks("acceptInstant", { ethers, networkHelpers });
});
