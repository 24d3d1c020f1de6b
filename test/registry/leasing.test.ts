import { expect } from "chai";
import { network } from "hardhat";

import { gpuModel, GRL, H100, onboardProvider, RTX4090 } from "../kit/protocol.ts";
import { expectGpuLine, expectProvider, NO_LINE, registryFixtures } from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { onboardedFixture } = registryFixtures(ethers);

/** As onboardedFixture, with 3 of the 4 H100 leased. */
async function leasedFixture() {
  const f = await onboardedFixture();
  await f.registry.connect(f.market).leaseGpus(f.alice.address, H100, 3);
  return f;
}

const A100 = gpuModel("A100");

describe("ProviderRegistry: leaseGpus and releaseGpus", function () {
  describe("leaseGpus", function () {
    it("test_leaseGpus_marksGpusLeasedAndEmits", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(market).leaseGpus(alice.address, H100, 3))
        .to.emit(registry, "GpusLeased")
        .withArgs(alice.address, H100, 3n, 3n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 3n, vramGb: 80n, tflopsX100: 98_950n });
      // Leasing does not change the listed total or the stake.
      await expectProvider(registry, alice, { listedGpus: 4n, online: true });
    });

    it("test_leaseGpus_accumulatesUpToAllGpus", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(market).leaseGpus(alice.address, H100, 1))
        .to.emit(registry, "GpusLeased")
        .withArgs(alice.address, H100, 1n, 4n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 4n, vramGb: 80n, tflopsX100: 98_950n });
    });

    it("test_leaseGpus_revertsAboveAvailable", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(market).leaseGpus(alice.address, H100, 2))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientGpus")
        .withArgs(H100, 1n, 2n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 3n, vramGb: 80n, tflopsX100: 98_950n });
    });

    it("test_leaseGpus_revertsAboveListedCount", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(market).leaseGpus(alice.address, H100, 5))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientGpus")
        .withArgs(H100, 4n, 5n);
    });

    it("test_leaseGpus_revertsWhenFullyLeased", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await registry.connect(market).leaseGpus(alice.address, H100, 1);
      await expect(registry.connect(market).leaseGpus(alice.address, H100, 1))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientGpus")
        .withArgs(H100, 0n, 1n);
    });

    it("test_leaseGpus_revertsOnZeroCount", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(market).leaseGpus(alice.address, H100, 0))
        .to.be.revertedWithCustomError(registry, "RegistryZeroGpuCount")
        .withArgs(H100);
    });

    it("test_leaseGpus_revertsForModelNeverListed", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(market).leaseGpus(alice.address, RTX4090, 1))
        .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
        .withArgs(alice.address, RTX4090);
    });

    it("test_leaseGpus_revertsForZeroModel", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(market).leaseGpus(alice.address, ethers.ZeroHash, 1))
        .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
        .withArgs(alice.address, ethers.ZeroHash);
    });

    it("test_leaseGpus_revertsForNonProvider", async function () {
      const { registry, market, outsider } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(market).leaseGpus(outsider.address, H100, 1))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });

    it("test_leaseGpus_keepsModelsAndProvidersSeparate", async function () {
      const f = await networkHelpers.loadFixture(onboardedFixture);
      await f.registry.connect(f.alice).stake(1_000n * GRL);
      await f.registry.connect(f.alice).setGpuLine(RTX4090, 2, 24, 8_260);
      await onboardProvider(f, f.bob, 2n);
      await f.registry.connect(f.market).leaseGpus(f.alice.address, RTX4090, 2);
      await f.registry.connect(f.market).leaseGpus(f.bob.address, H100, 1);
      await expectGpuLine(f.registry, f.alice, H100, { count: 4n, leased: 0n, vramGb: 80n, tflopsX100: 98_950n });
      await expectGpuLine(f.registry, f.alice, RTX4090, { count: 2n, leased: 2n, vramGb: 24n, tflopsX100: 8_260n });
      await expectGpuLine(f.registry, f.bob, H100, { count: 2n, leased: 1n, vramGb: 80n, tflopsX100: 98_950n });
    });
  });

  describe("releaseGpus", function () {
    it("test_releaseGpus_releasesAndEmits", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(market).releaseGpus(alice.address, H100, 2))
        .to.emit(registry, "GpusReleased")
        .withArgs(alice.address, H100, 2n, 1n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 1n, vramGb: 80n, tflopsX100: 98_950n });
      await expect(registry.connect(market).releaseGpus(alice.address, H100, 1))
        .to.emit(registry, "GpusReleased")
        .withArgs(alice.address, H100, 1n, 0n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 0n, vramGb: 80n, tflopsX100: 98_950n });
    });

    it("test_releaseGpus_revertsAboveLeased", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(market).releaseGpus(alice.address, H100, 4))
        .to.be.revertedWithCustomError(registry, "RegistryReleaseExceedsLeased")
        .withArgs(H100, 3n, 4n);
    });

    it("test_releaseGpus_revertsWhenNothingLeased", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
      await expect(registry.connect(market).releaseGpus(alice.address, H100, 1))
        .to.be.revertedWithCustomError(registry, "RegistryReleaseExceedsLeased")
        .withArgs(H100, 0n, 1n);
    });

    it("test_releaseGpus_revertsOnZeroCount", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(market).releaseGpus(alice.address, H100, 0))
        .to.be.revertedWithCustomError(registry, "RegistryZeroGpuCount")
        .withArgs(H100);
    });

    it("test_releaseGpus_revertsForModelNeverListed", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(market).releaseGpus(alice.address, A100, 1))
        .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
        .withArgs(alice.address, A100);
    });

    it("test_releaseGpus_revertsForNonProvider", async function () {
      const { registry, market, outsider } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(market).releaseGpus(outsider.address, H100, 1))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });
  });

  describe("inventory changes with leased GPUs", function () {
    it("test_setGpuLine_revertsBelowLeased", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(alice).setGpuLine(H100, 2, 80, 98_950))
        .to.be.revertedWithCustomError(registry, "RegistryGpusLeased")
        .withArgs(H100, 3n, 2n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 3n, vramGb: 80n, tflopsX100: 98_950n });
      await expectProvider(registry, alice, { listedGpus: 4n });
    });

    it("test_setGpuLine_allowsCountEqualToLeased", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(alice).setGpuLine(H100, 3, 80, 98_950))
        .to.emit(registry, "GpuLineSet")
        .withArgs(alice.address, H100, 3n, 80n, 98_950n, 3n);
      // The leased count survives the line update.
      await expectGpuLine(registry, alice, H100, { count: 3n, leased: 3n, vramGb: 80n, tflopsX100: 98_950n });
    });

    it("test_setGpuLine_keepsLeasedWhenChangingSpecs", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await registry.connect(alice).setGpuLine(H100, 4, 94, 100_000);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 3n, vramGb: 94n, tflopsX100: 100_000n });
      await expect(registry.connect(market).leaseGpus(alice.address, H100, 2))
        .to.be.revertedWithCustomError(registry, "RegistryInsufficientGpus")
        .withArgs(H100, 1n, 2n);
    });

    it("test_removeGpuLine_revertsWithLeasedGpus", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(leasedFixture);
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.be.revertedWithCustomError(registry, "RegistryGpusLeased")
        .withArgs(H100, 3n, 0n);
      await expectGpuLine(registry, alice, H100, { count: 4n, leased: 3n, vramGb: 80n, tflopsX100: 98_950n });
    });

    it("test_removeGpuLine_revertsWithOneLeasedGpu", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await registry.connect(market).releaseGpus(alice.address, H100, 2);
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.be.revertedWithCustomError(registry, "RegistryGpusLeased")
        .withArgs(H100, 1n, 0n);
    });

    it("test_removeGpuLine_succeedsAfterRelease", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(leasedFixture);
      await registry.connect(market).releaseGpus(alice.address, H100, 3);
      await expect(registry.connect(alice).removeGpuLine(H100))
        .to.emit(registry, "GpuLineRemoved")
        .withArgs(alice.address, H100, 4n, 0n);
      await expectGpuLine(registry, alice, H100, NO_LINE);
      // The model is gone, so the market can no longer release or lease it.
      await expect(registry.connect(market).releaseGpus(alice.address, H100, 1))
        .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
        .withArgs(alice.address, H100);
    });
  });
});
