import { expect } from "chai";
import { network } from "hardhat";

import { gpuModel, GRL, H100, MIN_STAKE_PER_GPU, RTX4090 } from "../kit/protocol.ts";
import {
  expectGpuLine,
  expectProvider,
  lockStake,
  NO_LINE,
  registerAndStake,
  registryFixtures,
} from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture, stakedFixture } = registryFixtures(ethers);

const UINT32_MAX = 2n ** 32n - 1n;

describe("ProviderRegistry: setGpuLine and removeGpuLine", function () {
  describe("setGpuLine", function () {
    it("test_setGpuLine_addsLineAndEmits", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await expect(registry.connect(alice).setGpuLine(H100, 4, 80, 98_950))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 4n, 80n, 98_950n, 4n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 0n, vramGb: 80n, tflopsX100: 98_950n });
      await expectProvider(registry, alice, { listedGpus: 4n, online: false, freeStake: 800n * GRL });
      expect(await registry.requiredStakeOf(alice.address)).to.equal(4n * MIN_STAKE_PER_GPU);
    });

    it("test_setGpuLine_secondModelAddsToListedTotal", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 1, 80, 98_950);
      await expect(registry.connect(alice).setGpuLine(RTX4090, 3, 24, 8_260))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, RTX4090, 3n, 24n, 8_260n, 4n);
      await expectGpuLine(registry, alice, H100, { count: 1n, leased: 0n, vramGb: 80n, tflopsX100: 98_950n });
      await expectGpuLine(registry, alice, RTX4090, { count: 3n, leased: 0n, vramGb: 24n, tflopsX100: 8_260n });
      await expectProvider(registry, alice, { listedGpus: 4n });
      expect(await registry.requiredStakeOf(alice.address)).to.equal(4n * MIN_STAKE_PER_GPU);
    });

    it("test_setGpuLine_replacesExistingLine", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 80, 98_950);
      await expect(registry.connect(alice).setGpuLine(H100, 2, 94, 100_000))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 2n, 94n, 100_000n, 2n);
      await expectGpuLine(registry, alice, H100, { count: 2n, leased: 0n, vramGb: 94n, tflopsX100: 100_000n });
      await expectProvider(registry, alice, { listedGpus: 2n });
      expect(await registry.requiredStakeOf(alice.address)).to.equal(2n * MIN_STAKE_PER_GPU);
    });

    it("test_setGpuLine_acceptsZeroTflops", async function () {
      // Only the count and the VRAM must be non-zero.
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await expect(registry.connect(alice).setGpuLine(H100, 1, 80, 0))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 1n, 80n, 0n, 1n);
    });

    it("test_setGpuLine_exactStakeCoverIsEnough", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      // 800 GRL bonded covers exactly 4 x 200 GRL.
      await expect(registry.connect(alice).setGpuLine(H100, 4, 80, 98_950)).to.emit(registry, "GpuLineSet");
    });

    it("test_setGpuLine_revertsWhenRaisingAboveBondedStake", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await expect(registry.connect(alice).setGpuLine(H100, 5, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(5n * MIN_STAKE_PER_GPU, 4n * MIN_STAKE_PER_GPU);
      await expectGpuLine(registry, alice, H100, NO_LINE);
      await expectProvider(registry, alice, { listedGpus: 0n });
    });

    it("test_setGpuLine_revertsOneWeiShortOfCover", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, alice } = f;
      await registerAndStake(f, alice, MIN_STAKE_PER_GPU - 1n);
      await expect(registry.connect(alice).setGpuLine(H100, 1, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(MIN_STAKE_PER_GPU, MIN_STAKE_PER_GPU - 1n);
      await registry.connect(alice).stake(1n);
      await expect(registry.connect(alice).setGpuLine(H100, 1, 80, 98_950))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 1n, 80n, 98_950n, 1n);
    });

    it("test_setGpuLine_stakeCheckUsesNewListedTotal", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 2, 80, 98_950);
      await registry.connect(alice).setGpuLine(RTX4090, 2, 24, 8_260);
      // Replacing RTX4090 x2 by x3 would list 5 GPUs in all.
      await expect(registry.connect(alice).setGpuLine(RTX4090, 3, 24, 8_260))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(5n * MIN_STAKE_PER_GPU, 4n * MIN_STAKE_PER_GPU);
      await expectGpuLine(registry, alice, RTX4090, { count: 2n, leased: 0n, vramGb: 24n, tflopsX100: 8_260n });
    });

    it("test_setGpuLine_countsLockedStakeAsBonded", async function () {
      const f = await networkHelpers.loadFixture(stakedFixture);
      const { registry, alice } = f;
      // The market locks only for an online provider with a line of the job's model.
      await registry.connect(alice).setGpuLine(H100, 1, 80, 98_950);
      await registry.connect(alice).setOnline(true);
      await lockStake(f, alice, 1n, 500n * GRL);
      // free 300 + locked 500 = 800 bonded.
      await expect(registry.connect(alice).setGpuLine(H100, 4, 80, 98_950)).to.emit(registry, "GpuLineSet");
      await expect(registry.connect(alice).setGpuLine(H100, 5, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(5n * MIN_STAKE_PER_GPU, 800n * GRL);
    });

    it("test_setGpuLine_ignoresUnbondingStakeForCover", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).requestUnbond(200n * GRL);
      await expect(registry.connect(alice).setGpuLine(H100, 4, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(4n * MIN_STAKE_PER_GPU, 600n * GRL);
    });

    it("test_setGpuLine_loweringOrKeepingCountNeedsNoStakeCover", async function () {
      const { registry, admin, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 80, 98_950);
      // Governance doubles the minimum: alice (800 bonded) now needs 1600 for 4 GPUs.
      await registry.connect(admin).setMinStakePerGpu(2n * MIN_STAKE_PER_GPU);
      // She cannot list more...
      await expect(registry.connect(alice).setGpuLine(RTX4090, 1, 24, 8_260))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(5n * 2n * MIN_STAKE_PER_GPU, 800n * GRL);
      // ...but may update specs at the same count and lower her count.
      await expect(registry.connect(alice).setGpuLine(H100, 4, 94, 99_000))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 4n, 94n, 99_000n, 4n);
      await expect(registry.connect(alice).setGpuLine(H100, 3, 94, 99_000))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 3n, 94n, 99_000n, 3n);
      await expectProvider(registry, alice, { listedGpus: 3n });
    });

    it("test_setGpuLine_revertsForZeroModel", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await expect(registry.connect(alice).setGpuLine(ethers.ZeroHash, 1, 80, 98_950)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroGpuModel",
      );
    });

    it("test_setGpuLine_revertsForZeroCount", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await expect(registry.connect(alice).setGpuLine(H100, 0, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryZeroGpuCount")
        .withArgs(H100);
    });

    it("test_setGpuLine_revertsForZeroCountOnExistingLine", async function () {
      // Lowering a line to zero is not a way to delete it (removeGpuLine is).
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 2, 80, 98_950);
      await expect(registry.connect(alice).setGpuLine(H100, 0, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryZeroGpuCount")
        .withArgs(H100);
      await expectGpuLine(registry, alice, H100, { count: 2n, leased: 0n, vramGb: 80n, tflopsX100: 98_950n });
    });

    it("test_setGpuLine_revertsForZeroVram", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await expect(registry.connect(alice).setGpuLine(RTX4090, 1, 0, 8_260))
        .to.be.revertedWithCustomError(registry, "RegistryZeroVram")
        .withArgs(RTX4090);
    });

    it("test_setGpuLine_revertsForNonProvider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(outsider).setGpuLine(H100, 1, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });

    it("test_setGpuLine_revertsOnListedTotalOverflow", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 1, 80, 98_950);
      // 1 + (2^32 - 1) overflows the uint32 total before the stake check runs.
      await expect(registry.connect(alice).setGpuLine(RTX4090, UINT32_MAX, 24, 8_260)).to.be.revertedWithPanic(0x11);
      // A single line of 2^32 - 1 GPUs does not overflow and hits the stake check instead.
      await expect(registry.connect(alice).setGpuLine(H100, UINT32_MAX, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(UINT32_MAX * MIN_STAKE_PER_GPU, 4n * MIN_STAKE_PER_GPU);
    });

    it("test_setGpuLine_linesArePerProvider", async function () {
      const f = await networkHelpers.loadFixture(stakedFixture);
      await registerAndStake(f, f.bob, 2n * MIN_STAKE_PER_GPU);
      await f.registry.connect(f.alice).setGpuLine(H100, 4, 80, 98_950);
      await f.registry.connect(f.bob).setGpuLine(H100, 2, 94, 99_000);
      await expectGpuLine(f.registry, f.alice, H100, { count: 4n, leased: 0n, vramGb: 80n, tflopsX100: 98_950n });
      await expectGpuLine(f.registry, f.bob, H100, { count: 2n, leased: 0n, vramGb: 94n, tflopsX100: 99_000n });
      await expectProvider(f.registry, f.bob, { listedGpus: 2n });
    });
  });

  describe("removeGpuLine", function () {
    it("test_removeGpuLine_deletesLineAndEmits", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 80, 98_950);
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.emit(registry, "GpuLineRemoved")
        .withArgs(alice.address, H100, 4n, 0n);
      await expectGpuLine(registry, alice, H100, NO_LINE);
      await expectProvider(registry, alice, { listedGpus: 0n, freeStake: 800n * GRL });
      expect(await registry.requiredStakeOf(alice.address)).to.equal(0n);
    });

    it("test_removeGpuLine_keepsOtherLines", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 1, 80, 98_950);
      await registry.connect(alice).setGpuLine(RTX4090, 3, 24, 8_260);
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.emit(registry, "GpuLineRemoved")
        .withArgs(alice.address, H100, 1n, 3n);
      await expectGpuLine(registry, alice, RTX4090, { count: 3n, leased: 0n, vramGb: 24n, tflopsX100: 8_260n });
      await expectProvider(registry, alice, { listedGpus: 3n });
      expect(await registry.requiredStakeOf(alice.address)).to.equal(3n * MIN_STAKE_PER_GPU);
    });

    it("test_removeGpuLine_lastLineTakesOnlineProviderOffline", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 80, 98_950);
      await registry.connect(alice).setOnline(true);
      // An online provider with nothing listed could never pass eligibility: it goes offline.
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.emit(registry, "GpuLineRemoved")
        .withArgs(alice.address, H100, 4n, 0n)
        .and.to.emit(registry, "ProviderAvailabilityChanged")
        .withArgs(alice.address, false, 0n);
      await expectProvider(registry, alice, { listedGpus: 0n, online: false });
    });

    it("test_removeGpuLine_notLastLineKeepsProviderOnline", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 2, 80, 98_950);
      await registry.connect(alice).setGpuLine(RTX4090, 2, 24, 8_260);
      await registry.connect(alice).setOnline(true);
      await expect(registry.connect(alice).removeGpuLine(H100)).not.to.emit(registry, "ProviderAvailabilityChanged");
      await expectProvider(registry, alice, { listedGpus: 2n, online: true });
    });

    it("test_removeGpuLine_revertsForModelNeverListed", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 1, 80, 98_950);
      const a100 = gpuModel("A100");
      await expect(registry.connect(alice).removeGpuLine(a100))
        .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
        .withArgs(alice.address, a100);
    });

    it("test_removeGpuLine_revertsForAlreadyRemovedLine", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 1, 80, 98_950);
      await registry.connect(alice).removeGpuLine(H100);
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
        .withArgs(alice.address, H100);
    });

    it("test_removeGpuLine_revertsForZeroModel", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await expect(registry.connect(alice).removeGpuLine(ethers.ZeroHash))
        .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
        .withArgs(alice.address, ethers.ZeroHash);
    });

    it("test_removeGpuLine_revertsForAnotherProvidersLine", async function () {
      const f = await networkHelpers.loadFixture(stakedFixture);
      await f.registry.connect(f.alice).setGpuLine(H100, 1, 80, 98_950);
      await f.registry.connect(f.bob).register("ipfs://bob", 1);
      await expect(f.registry.connect(f.bob).removeGpuLine(H100))
        .to.be.revertedWithCustomError(f.registry, "RegistryGpuModelNotListed")
        .withArgs(f.bob.address, H100);
    });

    it("test_removeGpuLine_revertsForNonProvider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(outsider).removeGpuLine(H100))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });

    it("test_removeGpuLine_worksWhenUnderCollateralized", async function () {
      const { registry, admin, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 80, 98_950);
      await registry.connect(admin).setMinStakePerGpu(1_000n * GRL);
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.emit(registry, "GpuLineRemoved")
        .withArgs(alice.address, H100, 4n, 0n);
    });

    it("test_removeGpuLine_releasesStakeForUnbonding", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 80, 98_950);
      await expect(registry.connect(alice).requestUnbond(1n))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
        .withArgs(4n * MIN_STAKE_PER_GPU, 4n * MIN_STAKE_PER_GPU - 1n);
      await registry.connect(alice).removeGpuLine(H100);
      await expect(registry.connect(alice).requestUnbond(800n * GRL)).to.emit(registry, "UnbondingRequested");
      await expectProvider(registry, alice, { freeStake: 0n, unbondingStake: 800n * GRL, listedGpus: 0n });
    });

    it("test_removeGpuLine_thenReaddStartsFresh", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(stakedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 80, 98_950);
      await registry.connect(alice).removeGpuLine(H100);
      await expect(registry.connect(alice).setGpuLine(H100, 2, 94, 1))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 2n, 94n, 1n, 2n);
      await expectGpuLine(registry, alice, H100, { count: 2n, leased: 0n, vramGb: 94n, tflopsX100: 1n });
    });
  });
});
