import { expect } from "chai";
import { network } from "hardhat";

import { deployProtocol, GRL, H100, MIN_STAKE_PER_GPU } from "../kit/protocol.ts";
import { expectGpuLine, expectProvider, lockStake, registerAndStake, registryFixtures } from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture, onboardedFixture: onlineFixture } = registryFixtures(ethers);

/** Alice registered, 800 GRL staked, 4 H100 listed, still offline. */
async function listedFixture() {
  const f = await deployProtocol(ethers);
  await registerAndStake(f, f.alice, 4n * MIN_STAKE_PER_GPU);
  await f.registry.connect(f.alice).setGpuLine(H100, 4, 80, 98_950);
  return f;
}

describe("ProviderRegistry: setOnline", function () {
  it("test_setOnline_goesOnlineAndEmits", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(listedFixture);
    await expect(registry.connect(alice).setOnline(true))
      .to.emit(registry, "ProviderAvailabilityChanged")
      .withArgs(alice.address, true, 4n);
    await expectProvider(registry, alice, { online: true, listedGpus: 4n, freeStake: 800n * GRL });
  });

  it("test_setOnline_goesOfflineAndEmits", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onlineFixture);
    await expect(registry.connect(alice).setOnline(false))
      .to.emit(registry, "ProviderAvailabilityChanged")
      .withArgs(alice.address, false, 4n);
    await expectProvider(registry, alice, { online: false, listedGpus: 4n });
  });

  it("test_setOnline_revertsWhenAlreadyOnline", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onlineFixture);
    await expect(registry.connect(alice).setOnline(true))
      .to.be.revertedWithCustomError(registry, "RegistryAvailabilityUnchanged")
      .withArgs(true);
  });

  it("test_setOnline_revertsWhenAlreadyOffline", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(fixture);
    await registry.connect(alice).register("ipfs://alice", 840);
    // A new registration is offline.
    await expect(registry.connect(alice).setOnline(false))
      .to.be.revertedWithCustomError(registry, "RegistryAvailabilityUnchanged")
      .withArgs(false);
  });

  it("test_setOnline_revertsWithNoGpusListed", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await registerAndStake(f, f.alice, 1_000n * GRL);
    await expect(f.registry.connect(f.alice).setOnline(true))
      .to.be.revertedWithCustomError(f.registry, "RegistryNoGpusListed")
      .withArgs(f.alice.address);
    await expectProvider(f.registry, f.alice, { online: false });
  });

  it("test_setOnline_revertsWithNoGpusListedAfterRemovingAllLines", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onlineFixture);
    await registry.connect(alice).setOnline(false);
    await registry.connect(alice).removeGpuLine(H100);
    await expect(registry.connect(alice).setOnline(true))
      .to.be.revertedWithCustomError(registry, "RegistryNoGpusListed")
      .withArgs(alice.address);
  });

  it("test_setOnline_revertsWhenStakeBelowRequired", async function () {
    const { registry, admin, alice } = await networkHelpers.loadFixture(listedFixture);
    // 4 GPUs at 300 GRL need 1200 GRL; alice has 800 bonded.
    await registry.connect(admin).setMinStakePerGpu(300n * GRL);
    await expect(registry.connect(alice).setOnline(true))
      .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
      .withArgs(1_200n * GRL, 800n * GRL);
    await expectProvider(registry, alice, { online: false });
    // Topping up the stake fixes it.
    await registry.connect(alice).stake(400n * GRL);
    await expect(registry.connect(alice).setOnline(true))
      .to.emit(registry, "ProviderAvailabilityChanged")
      .withArgs(alice.address, true, 4n);
  });

  it("test_setOnline_revertsWhenUnbondingLeavesTooLittleBonded", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await registerAndStake(f, f.alice, 4n * MIN_STAKE_PER_GPU);
    // Unbonding stake never counts as bonded: with 200 of 800 GRL unbonding, 600 GRL back 3 GPUs, and a
    // raised minimum (603 GRL for 3 GPUs) keeps the provider from going online.
    await f.registry.connect(f.alice).requestUnbond(200n * GRL);
    await f.registry.connect(f.alice).setGpuLine(H100, 3, 80, 98_950);
    await f.registry.connect(f.admin).setMinStakePerGpu(201n * GRL);
    await expect(f.registry.connect(f.alice).setOnline(true))
      .to.be.revertedWithCustomError(f.registry, "RegistryInsufficientStake")
      .withArgs(3n * 201n * GRL, 600n * GRL);
  });

  it("test_setOnline_countsLockedStakeAsBonded", async function () {
    const f = await networkHelpers.loadFixture(listedFixture);
    const { registry, alice } = f;
    // The market locks only for an online provider, so the lock is taken before going offline again.
    await registry.connect(alice).setOnline(true);
    await lockStake(f, alice, 1n, 800n * GRL);
    await registry.connect(alice).setOnline(false);
    await expectProvider(registry, alice, { freeStake: 0n, lockedStake: 800n * GRL, online: false });
    await expect(registry.connect(alice).setOnline(true))
      .to.emit(registry, "ProviderAvailabilityChanged")
      .withArgs(alice.address, true, 4n);
  });

  it("test_setOnline_goingOfflineNeedsNoStakeCover", async function () {
    const { registry, admin, alice } = await networkHelpers.loadFixture(onlineFixture);
    await registry.connect(admin).setMinStakePerGpu(MIN_STAKE_PER_GPU * 10n);
    await expect(registry.connect(alice).setOnline(false))
      .to.emit(registry, "ProviderAvailabilityChanged")
      .withArgs(alice.address, false, 4n);
  });

  it("test_setOnline_offlineKeepsLeasedGpus", async function () {
    const { registry, alice, market } = await networkHelpers.loadFixture(onlineFixture);
    await registry.connect(market).leaseGpus(alice.address, H100, 2);
    await registry.connect(alice).setOnline(false);
    // Running jobs are unaffected by going offline.
    await expectGpuLine(registry, alice, H100, { count: 4n, leased: 2n, vramGb: 80n, tflopsX100: 98_950n });
    await expect(registry.connect(market).releaseGpus(alice.address, H100, 2))
      .to.emit(registry, "GpusReleased")
      .withArgs(alice.address, H100, 2n, 0n);
  });

  it("test_setOnline_reportsListedGpusAtTheChange", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onlineFixture);
    await registry.connect(alice).setOnline(false);
    await registry.connect(alice).setGpuLine(H100, 2, 80, 98_950);
    await expect(registry.connect(alice).setOnline(true))
      .to.emit(registry, "ProviderAvailabilityChanged")
      .withArgs(alice.address, true, 2n);
  });

  it("test_setOnline_revertsForNonProvider", async function () {
    const { registry, outsider } = await networkHelpers.loadFixture(fixture);
    await expect(registry.connect(outsider).setOnline(true))
      .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
      .withArgs(outsider.address);
    await expect(registry.connect(outsider).setOnline(false))
      .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
      .withArgs(outsider.address);
  });
});
