import { expect } from "chai";
import { network } from "hardhat";

import { GRL, H100, MIN_STAKE_PER_GPU, onboardProvider, PROVIDER_FUNDS, UNBONDING_PERIOD } from "../kit/protocol.ts";
import {
  expectConservation,
  expectProvider,
  lockStake,
  registerAndStake,
  registryFixtures,
  UNBONDING_PERIOD_FLOOR,
} from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture, onboardedFixture } = registryFixtures(ethers);

const DAY = 24n * 60n * 60n;
/** An unbonding period above the 7-day floor, so that governance can shorten it. */
const LONG_PERIOD = 14n * DAY;

/** Timestamp of the next block, leaving a margin so earlier blocks never collide with it. */
async function nextTimestamp(offset = 100n): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest()) + offset;
}

describe("ProviderRegistry: requestUnbond, cancelUnbond and withdraw", function () {
  describe("requestUnbond", function () {
    it("test_requestUnbond_movesFreeToUnbondingAndEmits", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(onboardedFixture);
      const registryAddress = await registry.getAddress();
      const balanceBefore = await token.balanceOf(registryAddress);
      const t = await nextTimestamp();
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(registry.connect(alice).requestUnbond(600n * GRL))
        .to.emit(registry, "UnbondingRequested")
        .withArgs(alice.address, 600n * GRL, 1_200n * GRL, 600n * GRL, t + UNBONDING_PERIOD);
      await expectProvider(registry, alice, {
        freeStake: 1_200n * GRL,
        lockedStake: 0n,
        unbondingStake: 600n * GRL,
        unbondingUnlocksAt: t + UNBONDING_PERIOD,
        online: true,
        listedGpus: 4n,
      });
      // Unbonding stake stays in the registry's custody.
      expect(await token.balanceOf(registryAddress)).to.equal(balanceBefore);
    });

    it("test_requestUnbond_allowsExactlyDownToRequiredStake", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(alice).requestUnbond(1_000n * GRL)).to.emit(registry, "UnbondingRequested");
      await expectProvider(registry, alice, { freeStake: 4n * MIN_STAKE_PER_GPU, unbondingStake: 1_000n * GRL });
    });

    it("test_requestUnbond_revertsWhenBondedWouldFallBelowRequired", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      // 1800 free - (1000 GRL + 1 wei) leaves one wei less than 4 x 200 GRL.
      await expect(registry.connect(alice).requestUnbond(1_000n * GRL + 1n))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(4n * MIN_STAKE_PER_GPU, 4n * MIN_STAKE_PER_GPU - 1n);
      await expectProvider(registry, alice, { freeStake: 1_800n * GRL, unbondingStake: 0n, unbondingUnlocksAt: 0n });
    });

    it("test_requestUnbond_revertsBelowRequiredEvenWhenOffline", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await registry.connect(alice).setOnline(false);
      // Listed GPUs need their bond whether or not the provider is online.
      await expect(registry.connect(alice).requestUnbond(1_800n * GRL))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(4n * MIN_STAKE_PER_GPU, 0n);
    });

    it("test_requestUnbond_revertsAboveFreeStake", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(alice).requestUnbond(1_800n * GRL + 1n))
        .to.be.revertedWithCustomError(registry, "RegistryUnbondExceedsFree")
        .withArgs(1_800n * GRL + 1n, 1_800n * GRL);
    });

    it("test_requestUnbond_cannotUnbondLockedStake", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const { registry, alice } = f;
      await lockStake(f, alice, 1n, 500n * GRL);
      // Only the 1300 free GRL can be unbonded; the 500 locked are out of reach.
      await expect(registry.connect(alice).requestUnbond(1_300n * GRL + 1n))
        .to.be.revertedWithCustomError(registry, "RegistryUnbondExceedsFree")
        .withArgs(1_300n * GRL + 1n, 1_300n * GRL);
    });

    it("test_requestUnbond_lockedStakeCountsTowardRequired", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const { registry, alice } = f;
      await lockStake(f, alice, 1n, 800n * GRL);
      // Unbonding all 1000 free GRL leaves 800 locked, exactly the 800 required.
      await expect(registry.connect(alice).requestUnbond(1_000n * GRL)).to.emit(registry, "UnbondingRequested");
      await expectProvider(registry, alice, {
        freeStake: 0n,
        lockedStake: 800n * GRL,
        unbondingStake: 1_000n * GRL,
      });
    });

    it("test_requestUnbond_allowsWholeFreeStakeWithNoGpusListed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await registerAndStake(f, f.alice, 500n * GRL);
      await expect(f.registry.connect(f.alice).requestUnbond(500n * GRL)).to.emit(f.registry, "UnbondingRequested");
      await expectProvider(f.registry, f.alice, { freeStake: 0n, unbondingStake: 500n * GRL });
    });

    it("test_requestUnbond_revertsOnZeroAmount", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(alice).requestUnbond(0n)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroAmount",
      );
    });

    it("test_requestUnbond_revertsForNonProvider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(outsider).requestUnbond(GRL))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });

    it("test_requestUnbond_secondRequestAccumulatesAndRestartsClock", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      const t1 = await nextTimestamp();
      await networkHelpers.time.setNextBlockTimestamp(t1);
      await registry.connect(alice).requestUnbond(300n * GRL);
      const t2 = t1 + 3n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(t2);
      await expect(registry.connect(alice).requestUnbond(200n * GRL))
        .to.emit(registry, "UnbondingRequested")
        .withArgs(alice.address, 200n * GRL, 1_300n * GRL, 500n * GRL, t2 + UNBONDING_PERIOD);
      await expectProvider(registry, alice, {
        freeStake: 1_300n * GRL,
        unbondingStake: 500n * GRL,
        unbondingUnlocksAt: t2 + UNBONDING_PERIOD,
      });
    });
  });

  describe("requestUnbond after a shorter unbonding period", function () {
    it("test_requestUnbond_neverMovesAnEarlierRequestsUnlockForward", async function () {
      const { registry, admin, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await registry.connect(admin).setUnbondingPeriod(LONG_PERIOD);
      const t1 = await nextTimestamp();
      await networkHelpers.time.setNextBlockTimestamp(t1);
      await registry.connect(alice).requestUnbond(300n * GRL);
      await registry.connect(admin).setUnbondingPeriod(UNBONDING_PERIOD_FLOOR);
      // Under the new 7-day period the new request alone would unlock at t2 + 7 days, but the 300 GRL
      // already unbonding were promised the 14-day period: the later unlock time stands.
      const t2 = t1 + DAY;
      await networkHelpers.time.setNextBlockTimestamp(t2);
      await expect(registry.connect(alice).requestUnbond(1n))
        .to.emit(registry, "UnbondingRequested")
        .withArgs(alice.address, 1n, 1_500n * GRL - 1n, 300n * GRL + 1n, t1 + LONG_PERIOD);
      await networkHelpers.time.setNextBlockTimestamp(t1 + LONG_PERIOD - 1n);
      await expect(registry.connect(alice).withdraw())
        .to.be.revertedWithCustomError(registry, "RegistryUnbondingLocked")
        .withArgs(t1 + LONG_PERIOD, t1 + LONG_PERIOD - 1n);
    });

    it("test_requestUnbond_usesShorterPeriodOnceEarlierUnlockHasPassed", async function () {
      const { registry, admin, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await registry.connect(admin).setUnbondingPeriod(LONG_PERIOD);
      const t1 = await nextTimestamp();
      await networkHelpers.time.setNextBlockTimestamp(t1);
      await registry.connect(alice).requestUnbond(300n * GRL);
      await registry.connect(admin).setUnbondingPeriod(UNBONDING_PERIOD_FLOOR);
      // t2 + 7 days is half a day past the earlier unlock (t1 + 14 days), so the new period decides.
      const t2 = t1 + LONG_PERIOD - UNBONDING_PERIOD_FLOOR + DAY / 2n;
      await networkHelpers.time.setNextBlockTimestamp(t2);
      await expect(registry.connect(alice).requestUnbond(1n))
        .to.emit(registry, "UnbondingRequested")
        .withArgs(alice.address, 1n, 1_500n * GRL - 1n, 300n * GRL + 1n, t2 + UNBONDING_PERIOD_FLOOR);
    });
  });

  describe("cancelUnbond", function () {
    it("test_cancelUnbond_returnsUnbondingToFreeAndEmits", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(onboardedFixture);
      const registryAddress = await registry.getAddress();
      await registry.connect(alice).requestUnbond(600n * GRL);
      await registry.connect(alice).requestUnbond(100n * GRL);
      const balanceBefore = await token.balanceOf(registryAddress);
      await expect(registry.connect(alice).cancelUnbond())
        .to.emit(registry, "UnbondingCancelled")
        .withArgs(alice.address, 700n * GRL, 1_800n * GRL);
      await expectProvider(registry, alice, {
        freeStake: 1_800n * GRL,
        lockedStake: 0n,
        unbondingStake: 0n,
        unbondingUnlocksAt: 0n,
      });
      expect(await token.balanceOf(registryAddress)).to.equal(balanceBefore);
    });

    it("test_cancelUnbond_worksAfterUnlockTime", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await registry.connect(alice).requestUnbond(600n * GRL);
      const { unbondingUnlocksAt } = await registry.providerOf(alice.address);
      await networkHelpers.time.increaseTo(unbondingUnlocksAt + DAY);
      await expect(registry.connect(alice).cancelUnbond())
        .to.emit(registry, "UnbondingCancelled")
        .withArgs(alice.address, 600n * GRL, 1_800n * GRL);
    });

    it("test_cancelUnbond_revertsWhenNothingUnbonding", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(alice).cancelUnbond())
        .to.be.revertedWithCustomError(registry, "RegistryNothingUnbonding")
        .withArgs(alice.address);
    });

    it("test_cancelUnbond_revertsWhenCalledTwice", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await registry.connect(alice).requestUnbond(GRL);
      await registry.connect(alice).cancelUnbond();
      await expect(registry.connect(alice).cancelUnbond())
        .to.be.revertedWithCustomError(registry, "RegistryNothingUnbonding")
        .withArgs(alice.address);
    });

    it("test_cancelUnbond_revertsForNonProvider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(outsider).cancelUnbond())
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });

    it("test_cancelUnbond_thenWithdrawReverts", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await registry.connect(alice).requestUnbond(600n * GRL);
      await registry.connect(alice).cancelUnbond();
      await networkHelpers.time.increase(UNBONDING_PERIOD + 1n);
      await expect(registry.connect(alice).withdraw())
        .to.be.revertedWithCustomError(registry, "RegistryNothingUnbonding")
        .withArgs(alice.address);
    });
  });

  describe("withdraw", function () {
    /** Alice requests 600 GRL at a known timestamp; returns the unlock time. */
    async function requestAt(f: Awaited<ReturnType<typeof onboardedFixture>>): Promise<bigint> {
      const t = await nextTimestamp();
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.registry.connect(f.alice).requestUnbond(600n * GRL);
      return t + UNBONDING_PERIOD;
    }

    it("test_withdraw_revertsOneSecondBeforeUnlock", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const unlocksAt = await requestAt(f);
      await networkHelpers.time.setNextBlockTimestamp(unlocksAt - 1n);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.be.revertedWithCustomError(f.registry, "RegistryUnbondingLocked")
        .withArgs(unlocksAt, unlocksAt - 1n);
      await expectProvider(f.registry, f.alice, { unbondingStake: 600n * GRL, unbondingUnlocksAt: unlocksAt });
    });

    it("test_withdraw_revertsRightAfterRequest", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const unlocksAt = await requestAt(f);
      const requestedAt = unlocksAt - UNBONDING_PERIOD;
      // The very next block (one second after the request).
      await networkHelpers.time.setNextBlockTimestamp(requestedAt + 1n);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.be.revertedWithCustomError(f.registry, "RegistryUnbondingLocked")
        .withArgs(unlocksAt, requestedAt + 1n);
    });

    it("test_withdraw_succeedsExactlyAtUnlock", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const { registry, token, alice } = f;
      const unlocksAt = await requestAt(f);
      await networkHelpers.time.setNextBlockTimestamp(unlocksAt);
      await expect(registry.connect(alice).withdraw())
        .to.emit(registry, "StakeWithdrawn")
        .withArgs(alice.address, 600n * GRL)
        .and.to.emit(token, "Transfer")
        .withArgs(await registry.getAddress(), alice.address, 600n * GRL);
      expect(BigInt(await networkHelpers.time.latest())).to.equal(unlocksAt);
      await expectProvider(registry, alice, {
        freeStake: 1_200n * GRL,
        lockedStake: 0n,
        unbondingStake: 0n,
        unbondingUnlocksAt: 0n,
        online: true,
        listedGpus: 4n,
      });
      expect(await token.balanceOf(alice.address)).to.equal(PROVIDER_FUNDS - 1_200n * GRL);
      await expectConservation(f, [alice]);
    });

    it("test_withdraw_succeedsOneSecondAfterUnlock", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const unlocksAt = await requestAt(f);
      await networkHelpers.time.setNextBlockTimestamp(unlocksAt + 1n);
      await expect(f.registry.connect(f.alice).withdraw()).to.changeTokenBalances(
        ethers,
        f.token,
        [f.alice, f.registry],
        [600n * GRL, -600n * GRL],
      );
      await expectProvider(f.registry, f.alice, { unbondingStake: 0n, unbondingUnlocksAt: 0n });
    });

    it("test_withdraw_returnsAmount", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const unlocksAt = await requestAt(f);
      await networkHelpers.time.increaseTo(unlocksAt);
      expect(await f.registry.connect(f.alice).withdraw.staticCall()).to.equal(600n * GRL);
    });

    it("test_withdraw_secondRequestRestartsClock", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const firstUnlock = await requestAt(f);
      const secondRequestAt = firstUnlock - UNBONDING_PERIOD + 2n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(secondRequestAt);
      await f.registry.connect(f.alice).requestUnbond(400n * GRL);
      const secondUnlock = secondRequestAt + UNBONDING_PERIOD;

      // At the first request's unlock time the whole position is still locked...
      await networkHelpers.time.setNextBlockTimestamp(firstUnlock);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.be.revertedWithCustomError(f.registry, "RegistryUnbondingLocked")
        .withArgs(secondUnlock, firstUnlock);
      await networkHelpers.time.setNextBlockTimestamp(secondUnlock - 1n);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.be.revertedWithCustomError(f.registry, "RegistryUnbondingLocked")
        .withArgs(secondUnlock, secondUnlock - 1n);
      // ...and it unlocks, all 1000 GRL at once, one period after the second request.
      await networkHelpers.time.setNextBlockTimestamp(secondUnlock);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.emit(f.registry, "StakeWithdrawn")
        .withArgs(f.alice.address, 1_000n * GRL);
      await expectProvider(f.registry, f.alice, { freeStake: 800n * GRL, unbondingStake: 0n });
      await expectConservation(f, [f.alice]);
    });

    it("test_withdraw_revertsWhenNothingUnbonding", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(alice).withdraw())
        .to.be.revertedWithCustomError(registry, "RegistryNothingUnbonding")
        .withArgs(alice.address);
    });

    it("test_withdraw_revertsOnSecondWithdrawal", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const unlocksAt = await requestAt(f);
      await networkHelpers.time.increaseTo(unlocksAt);
      await f.registry.connect(f.alice).withdraw();
      await expect(f.registry.connect(f.alice).withdraw())
        .to.be.revertedWithCustomError(f.registry, "RegistryNothingUnbonding")
        .withArgs(f.alice.address);
    });

    it("test_withdraw_revertsForNonProvider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(outsider).withdraw())
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });

    it("test_withdraw_leavesFreeAndLockedStakeAlone", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      await onboardProvider(f, f.bob, 2n, 300n * GRL);
      await lockStake(f, f.alice, 9n, 400n * GRL);
      await f.registry.connect(f.market).leaseGpus(f.alice.address, H100, 2);
      const unlocksAt = await requestAt(f); // 600 GRL of the 1400 free
      await f.registry.connect(f.bob).requestUnbond(300n * GRL);
      await expectConservation(f, [f.alice, f.bob]);
      await networkHelpers.time.increaseTo(unlocksAt);
      await f.registry.connect(f.alice).withdraw();
      await expectProvider(f.registry, f.alice, {
        freeStake: 800n * GRL,
        lockedStake: 400n * GRL,
        unbondingStake: 0n,
        unbondingUnlocksAt: 0n,
      });
      await f.registry.connect(f.bob).withdraw();
      await expectProvider(f.registry, f.bob, { freeStake: 400n * GRL, unbondingStake: 0n });
      await expectConservation(f, [f.alice, f.bob]);
    });
  });
});
