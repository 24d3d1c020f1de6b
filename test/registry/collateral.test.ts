import { expect } from "chai";
import { network } from "hardhat";

import {
  GRL,
  H100,
  INITIAL_SUPPLY,
  onboardProvider,
  REPUTATION_REFERENCE_VALUE,
  RTX4090,
  UNBONDING_PERIOD,
} from "../kit/protocol.ts";
import {
  expectConservation,
  expectProvider,
  INITIAL_REPUTATION,
  lockStake,
  registryFixtures,
  successScore as afterSuccess,
} from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { onboardedFixture } = registryFixtures(ethers);

/**
 * As onboardedFixture, plus 500 GRL locked for job 1 (1300 GRL free). The registry keeps one locked total per
 * provider; each job's share is the market's to keep (test/market/*: `market.lockOf`).
 */
async function lockedFixture() {
  const f = await onboardedFixture();
  await lockStake(f, f.alice, 1n, 500n * GRL);
  return f;
}

describe("ProviderRegistry: lockIfEligible, unlockCollateral, unlockAndRecordSuccess and slash", function () {
  describe("lockIfEligible", function () {
    it("test_lockIfEligible_movesFreeToLockAndEmits", async function () {
      const { registry, token, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
      const registryAddress = await registry.getAddress();
      const balanceBefore = await token.balanceOf(registryAddress);
      // A job at every bound alice meets exactly: all 4 GPUs, 80 GB, her region, her reputation.
      await expect(registry.connect(market).lockIfEligible(alice.address, 1n, 500n * GRL, H100, 4, 80, 840, 5_000))
        .to.emit(registry, "CollateralLocked")
        .withArgs(alice.address, 1n, 500n * GRL, 500n * GRL, 1_300n * GRL);
      await expectProvider(registry, alice, {
        freeStake: 1_300n * GRL,
        lockedStake: 500n * GRL,
        unbondingStake: 0n,
        online: true,
        listedGpus: 4n,
      });
      // Locking moves accounting buckets only; no tokens move.
      expect(await token.balanceOf(registryAddress)).to.equal(balanceBefore);
    });

    it("test_lockIfEligible_addsToTheLockedStake", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      await expect(lockStake(f, f.alice, 1n, 200n * GRL))
        .to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, 1n, 200n * GRL, 700n * GRL, 1_100n * GRL);
      await expectProvider(f.registry, f.alice, { freeStake: 1_100n * GRL, lockedStake: 700n * GRL });
    });

    it("test_lockIfEligible_anotherJobAddsToTheSameTotal", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      // The event names the job; its lockedStake is the provider's total over both jobs.
      await expect(lockStake(f, f.alice, 2n, 300n * GRL))
        .to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, 2n, 300n * GRL, 800n * GRL, 1_000n * GRL);
      await expectProvider(f.registry, f.alice, { freeStake: 1_000n * GRL, lockedStake: 800n * GRL });
    });

    it("test_lockIfEligible_keepsProvidersSeparate", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      await onboardProvider(f, f.bob);
      await lockStake(f, f.bob, 1n, 50n * GRL);
      await expectProvider(f.registry, f.alice, { freeStake: 1_300n * GRL, lockedStake: 500n * GRL });
      await expectProvider(f.registry, f.bob, { lockedStake: 50n * GRL });
    });

    it("test_lockIfEligible_canLockWholeFreeStake", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      await expect(lockStake(f, f.alice, 1n, 1_800n * GRL))
        .to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, 1n, 1_800n * GRL, 1_800n * GRL, 0n);
      await expectProvider(f.registry, f.alice, { freeStake: 0n, lockedStake: 1_800n * GRL });
    });

    it("test_lockIfEligible_acceptsMaxLockId", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      await expect(lockStake(f, f.alice, ethers.MaxUint256, GRL))
        .to.emit(f.registry, "CollateralLocked")
        .withArgs(f.alice.address, ethers.MaxUint256, GRL, GRL, 1_799n * GRL);
    });

    it("test_lockIfEligible_revertsAboveFreeStake", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      await expect(lockStake(f, f.alice, 2n, 1_300n * GRL + 1n))
        .to.be.revertedWithCustomError(f.registry, "RegistryLockExceedsFree")
        .withArgs(1_300n * GRL + 1n, 1_300n * GRL);
    });

    it("test_lockIfEligible_cannotLockUnbondingStake", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      // Leaves 800 free, exactly the 800 the 4 GPUs need, so alice stays eligible.
      await f.registry.connect(f.alice).requestUnbond(1_000n * GRL);
      await expect(lockStake(f, f.alice, 1n, 801n * GRL))
        .to.be.revertedWithCustomError(f.registry, "RegistryLockExceedsFree")
        .withArgs(801n * GRL, 800n * GRL);
    });

    it("test_lockIfEligible_zeroAmountChecksOnly", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      await expect(f.registry.connect(f.market).lockIfEligible(f.alice.address, 1n, 0n, H100, 4, 80, 0, 0)).not.to.emit(
        f.registry,
        "CollateralLocked",
      );
      await expectProvider(f.registry, f.alice, { freeStake: 1_800n * GRL, lockedStake: 0n });
      await expect(f.registry.connect(f.market).lockIfEligible(f.alice.address, 1n, 0n, H100, 5, 80, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryInsufficientGpus")
        .withArgs(H100, 4n, 5n);
    });

    it("test_lockIfEligible_revertsWithTheEligibilityErrorsOfRequireEligible", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const lock = (provider: string, model: string, gpus: number, vram: number, region: number, reputation: number) =>
        f.registry.connect(f.market).lockIfEligible(provider, 1n, GRL, model, gpus, vram, region, reputation);
      await expect(lock(f.outsider.address, H100, 1, 1, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotProvider")
        .withArgs(f.outsider.address);
      await expect(lock(f.alice.address, H100, 1, 1, 250, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryRegionMismatch")
        .withArgs(840n, 250n);
      await expect(lock(f.alice.address, H100, 1, 1, 0, 5_001))
        .to.be.revertedWithCustomError(f.registry, "RegistryReputationTooLow")
        .withArgs(5_000n, 5_001n);
      await expect(lock(f.alice.address, RTX4090, 1, 1, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryGpuModelNotListed")
        .withArgs(f.alice.address, RTX4090);
      await expect(lock(f.alice.address, H100, 1, 81, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryVramTooLow")
        .withArgs(H100, 80n, 81n);
      await f.registry.connect(f.alice).setOnline(false);
      await expect(lock(f.alice.address, H100, 1, 1, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryProviderOffline")
        .withArgs(f.alice.address);
      await expectProvider(f.registry, f.alice, { lockedStake: 0n });
    });

    it("test_lockIfEligible_checksEligibilityBeforeFreeStake", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      // Both fail: too many GPUs and more than the free stake. The eligibility error comes first.
      await expect(f.registry.connect(f.market).lockIfEligible(f.alice.address, 1n, 2_000n * GRL, H100, 5, 80, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryInsufficientGpus")
        .withArgs(H100, 4n, 5n);
      await expect(
        f.registry.connect(f.market).lockIfEligible(f.alice.address, 1n, 1_800n * GRL + 1n, H100, 4, 80, 0, 0),
      )
        .to.be.revertedWithCustomError(f.registry, "RegistryLockExceedsFree")
        .withArgs(1_800n * GRL + 1n, 1_800n * GRL);
    });
  });

  describe("unlockCollateral", function () {
    it("test_unlockCollateral_returnsToFreeAndEmits", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      await expect(registry.connect(market).unlockCollateral(alice.address, 1n, 200n * GRL))
        .to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, 1n, 200n * GRL, 300n * GRL, 1_500n * GRL);
      await expectProvider(registry, alice, { freeStake: 1_500n * GRL, lockedStake: 300n * GRL });
    });

    it("test_unlockCollateral_wholeLockEmptiesIt", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      await expect(registry.connect(market).unlockCollateral(alice.address, 1n, 500n * GRL))
        .to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, 1n, 500n * GRL, 0n, 1_800n * GRL);
      await expectProvider(registry, alice, { freeStake: 1_800n * GRL, lockedStake: 0n });
    });

    it("test_unlockCollateral_revertsAboveLockedStake", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      // 1300 GRL are free, but only the 500 locked can be released.
      await expect(registry.connect(market).unlockCollateral(alice.address, 1n, 500n * GRL + 1n))
        .to.be.revertedWithCustomError(registry, "RegistryExceedsLocked")
        .withArgs(alice.address, 500n * GRL + 1n, 500n * GRL);
    });

    it("test_unlockCollateral_jobIdIsForTheRecordOnly", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      // The registry keeps no share per job: the market bounds each job's release by its own share.
      await expect(registry.connect(market).unlockCollateral(alice.address, 99n, GRL))
        .to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, 99n, GRL, 499n * GRL, 1_301n * GRL);
    });

    it("test_unlockCollateral_revertsForAProviderWithNothingLocked", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      await onboardProvider(f, f.bob);
      await expect(f.registry.connect(f.market).unlockCollateral(f.bob.address, 1n, GRL))
        .to.be.revertedWithCustomError(f.registry, "RegistryExceedsLocked")
        .withArgs(f.bob.address, GRL, 0n);
    });

    it("test_unlockCollateral_revertsOnZeroAmount", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      await expect(registry.connect(market).unlockCollateral(alice.address, 1n, 0n)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroAmount",
      );
    });

    it("test_unlockCollateral_revertsForNonProvider", async function () {
      const { registry, market, outsider } = await networkHelpers.loadFixture(lockedFixture);
      await expect(registry.connect(market).unlockCollateral(outsider.address, 1n, GRL))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });
  });

  describe("unlockAndRecordSuccess", function () {
    it("test_unlockAndRecordSuccess_unlocksThenRaisesReputation", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      const next = afterSuccess(INITIAL_REPUTATION);
      const tx = f.registry
        .connect(f.market)
        .unlockAndRecordSuccess(f.alice.address, 1n, 500n * GRL, REPUTATION_REFERENCE_VALUE);
      await expect(tx)
        .to.emit(f.registry, "CollateralUnlocked")
        .withArgs(f.alice.address, 1n, 500n * GRL, 0n, 1_800n * GRL)
        .and.to.emit(f.registry, "ReputationUpdated")
        .withArgs(f.alice.address, INITIAL_REPUTATION, next, true);
      const names = (await (await tx).wait())!.logs.map((l) => f.registry.interface.parseLog(l)?.name);
      expect(names).to.deep.equal(["CollateralUnlocked", "ReputationUpdated"]);
      await expectProvider(f.registry, f.alice, { freeStake: 1_800n * GRL, lockedStake: 0n, reputation: next });
    });

    it("test_unlockAndRecordSuccess_returnsTheNewReputation", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      const returned = await f.registry
        .connect(f.market)
        .unlockAndRecordSuccess.staticCall(f.alice.address, 1n, 200n * GRL, REPUTATION_REFERENCE_VALUE);
      expect(returned).to.equal(afterSuccess(INITIAL_REPUTATION));
    });

    it("test_unlockAndRecordSuccess_zeroAmountRecordsOnly", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      await expect(
        f.registry.connect(f.market).unlockAndRecordSuccess(f.alice.address, 1n, 0n, REPUTATION_REFERENCE_VALUE),
      )
        .to.emit(f.registry, "ReputationUpdated")
        .and.not.to.emit(f.registry, "CollateralUnlocked");
      await expectProvider(f.registry, f.alice, { lockedStake: 500n * GRL });
    });

    it("test_unlockAndRecordSuccess_revertsBeyondTheLockedStake", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      await expect(f.registry.connect(f.market).unlockAndRecordSuccess(f.alice.address, 1n, 500n * GRL + 1n, 0n))
        .to.be.revertedWithCustomError(f.registry, "RegistryExceedsLocked")
        .withArgs(f.alice.address, 500n * GRL + 1n, 500n * GRL);
      await expect(f.registry.connect(f.market).unlockAndRecordSuccess(f.outsider.address, 1n, 0n, 0n))
        .to.be.revertedWithCustomError(f.registry, "RegistryNotProvider")
        .withArgs(f.outsider.address);
    });
  });

  describe("slash", function () {
    it("test_slash_sendsRecipientShareAndBurnsRest", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      const { registry, token, alice, market, outsider } = f;
      const registryAddress = await registry.getAddress();
      const supplyBefore = await token.totalSupply();
      const registryBefore = await token.balanceOf(registryAddress);
      expect(await token.totalBurned()).to.equal(0n);

      await expect(registry.connect(market).slash(alice.address, 1n, 300n * GRL, outsider.address, 200n * GRL))
        .to.emit(registry, "ProviderSlashed")
        .withArgs(alice.address, 1n, outsider.address, 300n * GRL, 200n * GRL, 0n)
        .and.to.emit(token, "Transfer")
        .withArgs(registryAddress, outsider.address, 300n * GRL)
        .and.to.emit(token, "TokensBurned")
        .withArgs(registryAddress, 200n * GRL, 200n * GRL);

      expect(await token.balanceOf(outsider.address)).to.equal(300n * GRL);
      expect(await token.balanceOf(registryAddress)).to.equal(registryBefore - 500n * GRL);
      expect(await token.totalSupply()).to.equal(supplyBefore - 200n * GRL);
      expect(await token.totalBurned()).to.equal(200n * GRL);
      expect(await token.totalSupply()).to.equal(INITIAL_SUPPLY + (await token.totalMinted()) - 200n * GRL);
      // Free stake is untouched; only the locked stake paid.
      await expectProvider(registry, alice, {
        freeStake: 1_300n * GRL,
        lockedStake: 0n,
        unbondingStake: 0n,
        listedGpus: 4n,
      });
      await expectConservation(f, [alice]);
    });

    it("test_slash_partialLeavesRemainderLocked", async function () {
      const { registry, alice, market, outsider } = await networkHelpers.loadFixture(lockedFixture);
      await expect(registry.connect(market).slash(alice.address, 1n, 100n * GRL, outsider.address, 50n * GRL))
        .to.emit(registry, "ProviderSlashed")
        .withArgs(alice.address, 1n, outsider.address, 100n * GRL, 50n * GRL, 350n * GRL);
      await expectProvider(registry, alice, { freeStake: 1_300n * GRL, lockedStake: 350n * GRL });
      // The remainder can still be released.
      await expect(registry.connect(market).unlockCollateral(alice.address, 1n, 350n * GRL))
        .to.emit(registry, "CollateralUnlocked")
        .withArgs(alice.address, 1n, 350n * GRL, 0n, 1_650n * GRL);
    });

    it("test_slash_burnOnlyAcceptsZeroRecipient", async function () {
      const { registry, token, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      const supplyBefore = await token.totalSupply();
      await expect(registry.connect(market).slash(alice.address, 1n, 0n, ethers.ZeroAddress, 500n * GRL))
        .to.emit(registry, "ProviderSlashed")
        .withArgs(alice.address, 1n, ethers.ZeroAddress, 0n, 500n * GRL, 0n);
      expect(await token.totalSupply()).to.equal(supplyBefore - 500n * GRL);
      expect(await token.totalBurned()).to.equal(500n * GRL);
    });

    it("test_slash_recipientOnlyBurnsNothing", async function () {
      const { registry, token, alice, market, outsider } = await networkHelpers.loadFixture(lockedFixture);
      const supplyBefore = await token.totalSupply();
      await expect(registry.connect(market).slash(alice.address, 1n, 500n * GRL, outsider.address, 0n))
        .to.emit(registry, "ProviderSlashed")
        .withArgs(alice.address, 1n, outsider.address, 500n * GRL, 0n, 0n)
        .and.not.to.emit(token, "TokensBurned");
      expect(await token.totalSupply()).to.equal(supplyBefore);
      expect(await token.totalBurned()).to.equal(0n);
      expect(await token.balanceOf(outsider.address)).to.equal(500n * GRL);
    });

    it("test_slash_boundedByLockedStakeEvenWithFreeStake", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      const { registry, alice, market, outsider } = f;
      await lockStake(f, alice, 2n, 300n * GRL);
      // 800 are locked over both jobs; the free stake (1000) must stay out of reach.
      await expect(registry.connect(market).slash(alice.address, 1n, 500n * GRL, outsider.address, 300n * GRL + 1n))
        .to.be.revertedWithCustomError(registry, "RegistryExceedsLocked")
        .withArgs(alice.address, 800n * GRL + 1n, 800n * GRL);
      await expect(registry.connect(market).slash(alice.address, 1n, 801n * GRL, outsider.address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryExceedsLocked")
        .withArgs(alice.address, 801n * GRL, 800n * GRL);
      await expectProvider(registry, alice, { freeStake: 1_000n * GRL, lockedStake: 800n * GRL });
    });

    it("test_slash_revertsForAProviderWithNothingLocked", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      await onboardProvider(f, f.bob);
      await expect(f.registry.connect(f.market).slash(f.bob.address, 7n, 0n, f.outsider.address, 1n))
        .to.be.revertedWithCustomError(f.registry, "RegistryExceedsLocked")
        .withArgs(f.bob.address, 1n, 0n);
    });

    it("test_slash_revertsOnZeroTotal", async function () {
      const { registry, alice, market, outsider } = await networkHelpers.loadFixture(lockedFixture);
      await expect(
        registry.connect(market).slash(alice.address, 1n, 0n, outsider.address, 0n),
      ).to.be.revertedWithCustomError(registry, "RegistryZeroAmount");
    });

    it("test_slash_revertsWhenRecipientShareGoesToZeroAddress", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      await expect(registry.connect(market).slash(alice.address, 1n, 100n * GRL, ethers.ZeroAddress, 100n * GRL))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidSlashRecipient")
        .withArgs(ethers.ZeroAddress);
      await expectProvider(registry, alice, { lockedStake: 500n * GRL });
    });

    it("test_slash_revertsWhenRecipientIsTheRegistry", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(lockedFixture);
      const self = await registry.getAddress();
      // Tokens sent to the registry itself would sit outside every provider's stake, stranded.
      await expect(registry.connect(market).slash(alice.address, 1n, 100n * GRL, self, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidSlashRecipient")
        .withArgs(self);
      await expectProvider(registry, alice, { lockedStake: 500n * GRL });
    });

    it("test_slash_revertsOnOverflowingTotal", async function () {
      const { registry, alice, market, outsider } = await networkHelpers.loadFixture(lockedFixture);
      await expect(
        registry.connect(market).slash(alice.address, 1n, ethers.MaxUint256, outsider.address, 1n),
      ).to.be.revertedWithPanic(0x11);
    });

    it("test_slash_revertsForNonProvider", async function () {
      const { registry, market, outsider } = await networkHelpers.loadFixture(lockedFixture);
      await expect(registry.connect(market).slash(outsider.address, 1n, GRL, outsider.address, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });

    it("test_slash_cannotBeEscapedByUnbonding", async function () {
      const f = await networkHelpers.loadFixture(lockedFixture);
      const { registry, token, alice, market, outsider } = f;
      // Alice tries to run with everything: only the free 1300 can be unbonded, and only 800 of that
      // while 4 GPUs are listed (the 500 locked count towards the 800 required).
      await expect(registry.connect(alice).requestUnbond(1_300n * GRL + 1n))
        .to.be.revertedWithCustomError(registry, "RegistryUnbondExceedsFree")
        .withArgs(1_300n * GRL + 1n, 1_300n * GRL);
      await registry.connect(alice).requestUnbond(1_000n * GRL);
      await expectProvider(registry, alice, { freeStake: 300n * GRL, lockedStake: 500n * GRL });
      // The whole lock is still slashable, and the unbonding stake is not touched.
      await registry.connect(market).slash(alice.address, 1n, 250n * GRL, outsider.address, 250n * GRL);
      await expectProvider(registry, alice, {
        freeStake: 300n * GRL,
        lockedStake: 0n,
        unbondingStake: 1_000n * GRL,
      });
      await expectConservation(f, [alice]);
      await networkHelpers.time.increase(UNBONDING_PERIOD);
      await expect(registry.connect(alice).withdraw()).to.changeTokenBalance(ethers, token, alice, 1_000n * GRL);
      await expectConservation(f, [alice]);
    });

    it("test_slash_conservesStakeAcrossMultiStepScenario", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      const { registry, alice, bob, market, outsider } = f;
      await onboardProvider(f, bob, 2n, 600n * GRL);
      await lockStake(f, alice, 10n, 400n * GRL);
      await lockStake(f, bob, 10n, 300n * GRL);
      await lockStake(f, bob, 11n, 200n * GRL);
      await expectConservation(f, [alice, bob]);
      await registry.connect(market).slash(bob.address, 10n, 120n * GRL, outsider.address, 30n * GRL);
      await registry.connect(market).unlockCollateral(alice.address, 10n, 150n * GRL);
      await registry.connect(alice).requestUnbond(500n * GRL);
      await registry.connect(market).slash(alice.address, 10n, 0n, ethers.ZeroAddress, 250n * GRL);
      await registry.connect(bob).stake(5n * GRL);
      await expectConservation(f, [alice, bob]);
      await expectProvider(registry, alice, {
        freeStake: 1_050n * GRL,
        lockedStake: 0n,
        unbondingStake: 500n * GRL,
      });
      await expectProvider(registry, bob, {
        freeStake: 505n * GRL,
        lockedStake: 350n * GRL,
        unbondingStake: 0n,
      });
      await networkHelpers.time.increase(UNBONDING_PERIOD);
      await registry.connect(alice).withdraw();
      await expectConservation(f, [alice, bob]);
    });
  });
});
