import { expect } from "chai";
import { network } from "hardhat";

import { createJob } from "../../kit/jobs.ts";
import { BidStatus, deployMarket, HOUR, INSTANT, JobState, PROVIDER_STAKE } from "../../kit/market.ts";
import { DURATION, GPUS, RESERVE } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import {
  BUDGET,
  COLLATERAL,
  expectCombinedLikeSeparate,
  expectDeliversAndSettles,
  freeStakeOf,
  jobObject,
  setParams,
} from "./helpers.ts";
import { describeInstantAcceptChecks, INSTANT_JOB } from "./instantAcceptChecks.ts";

const { ethers, networkHelpers } = await network.create();

/** DEFAULT_PARAMS: startWindow and deliveryGrace are both an hour. */
const START_WINDOW = HOUR;
const DELIVERY_GRACE = HOUR;

/** A default instant job (4 H100 x 10 h at $2, 1 h acceptance window) and its deadline. */
async function instantFixture() {
  const f = await deployMarket(ethers);
  const jobId = await createJob(f, INSTANT_JOB);
  const { bidDeadline } = await f.market.jobOf(jobId);
  return { ...f, jobId, bidDeadline };
}

type InstantFixture = Awaited<ReturnType<typeof instantFixture>>;

/** Everything the two paths may change: the job, alice's stake and lock, and her H100 line. */
async function outcome(f: InstantFixture) {
  const p = await f.registry.providerOf(f.alice.address);
  const line = await f.registry.gpuLineOf(f.alice.address, H100);
  return {
    job: await jobObject(f, f.jobId),
    state: await f.market.stateOf(f.jobId),
    freeStake: p.freeStake,
    lockedStake: p.lockedStake,
    lock: await f.market.lockOf(f.jobId, f.alice.address),
    leased: line.leased,
    escrowHeld: await f.usdc.balanceOf(await f.market.getAddress()),
  };
}

describe("JobMarket: acceptInstantAndStart", function () {
  describe("happy path", function () {
    it("test_acceptInstantAndStart_emitsAwardedLockedStartedLeasedInOrder", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      const t = f.bidDeadline - 600n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      const tx = f.market.connect(f.alice).acceptInstantAndStart(f.jobId);
      await expect(tx)
        .to.emit(f.market, "JobAwarded")
        .withArgs(
          f.jobId,
          f.renter.address,
          f.alice.address,
          H100,
          GPUS,
          INSTANT,
          RESERVE,
          RESERVE,
          BUDGET,
          0n,
          COLLATERAL,
          0n,
          0n,
          t + START_WINDOW,
        )
        .and.to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, f.jobId, COLLATERAL, COLLATERAL, PROVIDER_STAKE - COLLATERAL)
        .and.to.emit(f.market, "JobStarted")
        .withArgs(f.jobId, f.alice.address, H100, GPUS, t, t + DURATION)
        .and.to.emit(f.registry, "GpusLeased")
        .withArgs(f.alice.address, H100, GPUS, GPUS);
      const receipt = await (await tx).wait();
      const names = receipt!.logs.map(
        (l) => (f.market.interface.parseLog(l) ?? f.registry.interface.parseLog(l))?.name,
      );
      expect(names).to.deep.equal(["JobAwarded", "CollateralLocked", "JobStarted", "GpusLeased"]);
    });

    it("test_acceptInstantAndStart_logsAndStateEqualAcceptInstantThenStartJob", async function () {
      const { bidDeadline } = await networkHelpers.loadFixture(instantFixture);
      // acceptInstant and startJob mined in one block, so both see the same timestamp as the combined call.
      await expectCombinedLikeSeparate(ethers, networkHelpers, instantFixture, bidDeadline - 600n, {
        separate: (f) => [
          (o) => f.market.connect(f.alice).acceptInstant(f.jobId, o),
          (o) => f.market.connect(f.alice).startJob(f.jobId, o),
        ],
        combined: (f) => f.market.connect(f.alice).acceptInstantAndStart(f.jobId),
        outcome,
      });
    });

    it("test_acceptInstantAndStart_storesRunningJob", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      const before = await jobObject(f, f.jobId);
      const t = f.bidDeadline - 600n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.alice).acceptInstantAndStart(f.jobId);
      expect(await jobObject(f, f.jobId)).to.deep.equal({
        ...before,
        state: JobState.Running,
        provider: f.alice.address,
        bestPrice: RESERVE,
        clearingPrice: RESERVE,
        deadline: t + DURATION + DELIVERY_GRACE,
        startedAt: t,
      });
      expect(await f.market.stateOf(f.jobId)).to.equal(JobState.Running);
      expect(await f.market.accruedOf(f.jobId)).to.equal(0n);
    });

    it("test_acceptInstantAndStart_locksCollateralAndLeasesGpus", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.alice).acceptInstantAndStart(f.jobId);
      expect(await f.market.lockOf(f.jobId, f.alice.address)).to.equal(COLLATERAL);
      expect(await freeStakeOf(f, f.alice)).to.equal(PROVIDER_STAKE - COLLATERAL);
      expect((await f.registry.providerOf(f.alice.address)).lockedStake).to.equal(COLLATERAL);
      const line = await f.registry.gpuLineOf(f.alice.address, H100);
      expect(line.count).to.equal(8n);
      expect(line.leased).to.equal(GPUS);
      // No bid record is created, and no other provider's GPUs are touched.
      expect((await f.market.bidOf(f.jobId, f.alice.address)).status).to.equal(BidStatus.None);
      expect((await f.registry.gpuLineOf(f.bob.address, H100)).leased).to.equal(0n);
    });

    it("test_acceptInstantAndStart_noRefundAndNoTokenMovement", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await expect(f.market.connect(f.alice).acceptInstantAndStart(f.jobId)).to.changeTokenBalances(
        ethers,
        f.usdc,
        [f.renter, f.alice, f.market],
        [0n, 0n, 0n],
      );
      expect(await f.market.balanceOf(await f.usdc.getAddress(), f.renter.address)).to.equal(0n);
      const job = await f.market.jobOf(f.jobId);
      expect(job.escrow).to.equal(BUDGET);
      expect(job.claimed).to.equal(0n);
    });

    it("test_acceptInstantAndStart_deliveryDeadlineUsesSnapshottedParams", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      // Parameters changed after the job was created apply to later jobs only.
      await setParams(f, { startWindow: 6n * HOUR, deliveryGrace: 0n });
      const t = f.bidDeadline - 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.bob).acceptInstantAndStart(f.jobId);
      expect((await f.market.jobOf(f.jobId)).deadline).to.equal(t + DURATION + DELIVERY_GRACE);
    });

    it("test_acceptInstantAndStart_providerCanDeliverAndSettle", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.carol).acceptInstantAndStart(f.jobId);
      await expectDeliversAndSettles(f, ethers, networkHelpers, f.carol, f.jobId);
    });
  });

  describe("a taken job", function () {
    it("test_acceptInstantAndStart_secondAcceptRevertsWithWrongState", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.alice).acceptInstantAndStart(f.jobId);
      for (const provider of [f.bob, f.alice]) {
        await expect(f.market.connect(provider).acceptInstantAndStart(f.jobId))
          .to.be.revertedWithCustomError(f.market, "MarketWrongState")
          .withArgs(f.jobId, JobState.Running);
        await expect(f.market.connect(provider).acceptInstant(f.jobId))
          .to.be.revertedWithCustomError(f.market, "MarketWrongState")
          .withArgs(f.jobId, JobState.Running);
      }
      expect((await f.market.jobOf(f.jobId)).provider).to.equal(f.alice.address);
      expect(await f.market.lockOf(f.jobId, f.bob.address)).to.equal(0n);
      expect((await f.registry.gpuLineOf(f.alice.address, H100)).leased).to.equal(GPUS);
    });

    it("test_acceptInstantAndStart_revertsForAcceptedJob", async function () {
      const f = await networkHelpers.loadFixture(instantFixture);
      await f.market.connect(f.alice).acceptInstant(f.jobId);
      await expect(f.market.connect(f.alice).acceptInstantAndStart(f.jobId))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(f.jobId, JobState.Awarded);
      expect((await f.registry.gpuLineOf(f.alice.address, H100)).leased).to.equal(0n);
    });
  });

  describeInstantAcceptChecks("acceptInstantAndStart", { ethers, networkHelpers });
});
