import { expect } from "chai";
import { network } from "hardhat";

import { GRL, H100, MIN_STAKE_PER_GPU, RTX4090 } from "../kit/protocol.ts";
import { INITIAL_REPUTATION, lockStake, ONBOARD_REGION, ONBOARD_VRAM, registryFixtures } from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture, onboardedFixture } = registryFixtures(ethers);

const REGION = Number(ONBOARD_REGION);
const VRAM = Number(ONBOARD_VRAM);
const REPUTATION = Number(INITIAL_REPUTATION);

describe("ProviderRegistry: requireEligible", function () {
  it("test_requireEligible_passesForMatchingJob", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    // Every requirement met exactly: all 4 GPUs, exact VRAM, exact region, exact reputation.
    await registry.requireEligible(alice.address, H100, 4, VRAM, REGION, REPUTATION);
    // Looser requirements pass too; region 0 means any region.
    await registry.requireEligible(alice.address, H100, 1, 1, 0, 0);
  });

  it("test_requireEligible_passesWithLockedStakeCoveringRequirement", async function () {
    const f = await networkHelpers.loadFixture(onboardedFixture);
    const { registry, alice } = f;
    // Free stake is not what eligibility checks: bonded (free + locked) is.
    await lockStake(f, alice, 1n, 1_800n * GRL);
    await registry.requireEligible(alice.address, H100, 4, VRAM, REGION, REPUTATION);
  });

  it("test_requireEligible_revertsForNonProvider", async function () {
    const { registry, outsider } = await networkHelpers.loadFixture(onboardedFixture);
    await expect(registry.requireEligible(outsider.address, H100, 1, VRAM, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
      .withArgs(outsider.address);
  });

  it("test_requireEligible_revertsWhenOffline", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await registry.connect(alice).setOnline(false);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryProviderOffline")
      .withArgs(alice.address);
  });

  it("test_requireEligible_revertsForNewRegistrationOffline", async function () {
    const { registry, bob } = await networkHelpers.loadFixture(fixture);
    await registry.connect(bob).register("ipfs://bob", 840);
    await expect(registry.requireEligible(bob.address, H100, 1, VRAM, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryProviderOffline")
      .withArgs(bob.address);
  });

  it("test_requireEligible_revertsWhenStakeBelowRequiredAfterMinimumRaised", async function () {
    const { registry, admin, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await registry.connect(admin).setMinStakePerGpu(500n * GRL);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
      .withArgs(2_000n * GRL, 1_800n * GRL);
  });

  it("test_requireEligible_revertsWhenStakeBelowRequiredAfterSlash", async function () {
    const f = await networkHelpers.loadFixture(onboardedFixture);
    const { registry, alice, market, outsider } = f;
    await lockStake(f, alice, 1n, 1_001n * GRL);
    // Slashing 1000 GRL leaves exactly the 800 required: still eligible.
    await registry.connect(market).slash(alice.address, 1n, 1_000n * GRL, outsider.address, 0n);
    await registry.requireEligible(alice.address, H100, 1, VRAM, 0, 0);
    // One more GRL slashed drops bonded stake below 4 x 200.
    await registry.connect(market).slash(alice.address, 1n, 0n, ethers.ZeroAddress, GRL);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
      .withArgs(4n * MIN_STAKE_PER_GPU, 799n * GRL);
  });

  it("test_requireEligible_revertsOnRegionMismatch", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM, 276, 0))
      .to.be.revertedWithCustomError(registry, "RegistryRegionMismatch")
      .withArgs(ONBOARD_REGION, 276n);
  });

  it("test_requireEligible_unspecifiedProviderRegionMatchesOnlyAnyRegion", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await registry.connect(alice).updateProfile("ipfs://anywhere", 0);
    await registry.requireEligible(alice.address, H100, 1, VRAM, 0, 0);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM, REGION, 0))
      .to.be.revertedWithCustomError(registry, "RegistryRegionMismatch")
      .withArgs(0n, ONBOARD_REGION);
  });

  it("test_requireEligible_revertsOnReputationTooLow", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM, 0, REPUTATION + 1))
      .to.be.revertedWithCustomError(registry, "RegistryReputationTooLow")
      .withArgs(INITIAL_REPUTATION, INITIAL_REPUTATION + 1n);
  });

  it("test_requireEligible_revertsOnReputationTooLowAfterFault", async function () {
    const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
    await registry.connect(market).recordFault(alice.address);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM, 0, REPUTATION))
      .to.be.revertedWithCustomError(registry, "RegistryReputationTooLow")
      .withArgs(3_333n, INITIAL_REPUTATION);
  });

  it("test_requireEligible_revertsForModelNeverListed", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await expect(registry.requireEligible(alice.address, RTX4090, 1, 24, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
      .withArgs(alice.address, RTX4090);
  });

  it("test_requireEligible_revertsOnVramTooLow", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await expect(registry.requireEligible(alice.address, H100, 1, VRAM + 1, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryVramTooLow")
      .withArgs(H100, ONBOARD_VRAM, ONBOARD_VRAM + 1n);
  });

  it("test_requireEligible_revertsOnTooFewGpus", async function () {
    const { registry, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await expect(registry.requireEligible(alice.address, H100, 5, VRAM, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryInsufficientGpus")
      .withArgs(H100, 4n, 5n);
  });

  it("test_requireEligible_countsOnlyUnleasedGpus", async function () {
    const { registry, alice, market } = await networkHelpers.loadFixture(onboardedFixture);
    await registry.connect(market).leaseGpus(alice.address, H100, 3);
    await registry.requireEligible(alice.address, H100, 1, VRAM, 0, 0);
    await expect(registry.requireEligible(alice.address, H100, 2, VRAM, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryInsufficientGpus")
      .withArgs(H100, 1n, 2n);
  });

  it("test_requireEligible_reportsFirstFailingCheck", async function () {
    const { registry, admin, alice } = await networkHelpers.loadFixture(onboardedFixture);
    await registry.connect(alice).setOnline(false);
    // Offline, wrong region, too little reputation, unlisted model: offline is reported first.
    await expect(registry.requireEligible(alice.address, RTX4090, 99, 999, 1, 10_000))
      .to.be.revertedWithCustomError(registry, "RegistryProviderOffline")
      .withArgs(alice.address);
    await registry.connect(alice).setOnline(true);
    // Then the stake cover...
    await registry.connect(admin).setMinStakePerGpu(500n * GRL);
    await expect(registry.requireEligible(alice.address, RTX4090, 99, 999, 1, 10_000))
      .to.be.revertedWithCustomError(registry, "RegistryInsufficientStake")
      .withArgs(2_000n * GRL, 1_800n * GRL);
    await registry.connect(admin).setMinStakePerGpu(MIN_STAKE_PER_GPU);
    // ...then the region, then the reputation, then the model, then the VRAM.
    await expect(registry.requireEligible(alice.address, RTX4090, 99, 999, 1, 10_000))
      .to.be.revertedWithCustomError(registry, "RegistryRegionMismatch")
      .withArgs(ONBOARD_REGION, 1n);
    await expect(registry.requireEligible(alice.address, RTX4090, 99, 999, 0, 10_000))
      .to.be.revertedWithCustomError(registry, "RegistryReputationTooLow")
      .withArgs(INITIAL_REPUTATION, 10_000n);
    await expect(registry.requireEligible(alice.address, RTX4090, 99, 999, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryGpuModelNotListed")
      .withArgs(alice.address, RTX4090);
    await expect(registry.requireEligible(alice.address, H100, 99, 999, 0, 0))
      .to.be.revertedWithCustomError(registry, "RegistryVramTooLow")
      .withArgs(H100, ONBOARD_VRAM, 999n);
  });
});
