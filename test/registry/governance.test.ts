import { expect } from "chai";
import { network } from "hardhat";

import {
  GRL,
  H100,
  MIN_STAKE_PER_GPU,
  onboardProvider,
  REPUTATION_REFERENCE_VALUE,
  UNBONDING_PERIOD,
} from "../kit/protocol.ts";
import {
  expectProvider,
  MIN_STAKE_PER_GPU_CEILING,
  MIN_STAKE_PER_GPU_FLOOR,
  registryFixtures,
  REPUTATION_REFERENCE_VALUE_CEILING,
  REPUTATION_REFERENCE_VALUE_FLOOR,
  UNBONDING_PERIOD_CEILING,
  UNBONDING_PERIOD_FLOOR,
} from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture } = registryFixtures(ethers);

const DAY = 24n * 60n * 60n;
/** An unbonding period above the 7-day floor, so that governance can shorten it. */
const LONG_PERIOD = 14n * DAY;

describe("ProviderRegistry: constructor and governance", function () {
  describe("constructor", function () {
    it("test_constructor_setsParametersAndRoles", async function () {
      const { registry, token, admin, market } = await networkHelpers.loadFixture(fixture);
      expect(await registry.STAKE_TOKEN()).to.equal(await token.getAddress());
      expect(await registry.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU);
      expect(await registry.unbondingPeriod()).to.equal(UNBONDING_PERIOD);
      expect(await registry.MARKET_ROLE()).to.equal(ethers.id("MARKET_ROLE"));
      expect(await registry.GOVERNANCE_ROLE()).to.equal(ethers.id("GOVERNANCE_ROLE"));
      expect(await registry.MIN_STAKE_PER_GPU_FLOOR()).to.equal(MIN_STAKE_PER_GPU_FLOOR);
      expect(await registry.MIN_STAKE_PER_GPU_CEILING()).to.equal(MIN_STAKE_PER_GPU_CEILING);
      expect(await registry.UNBONDING_PERIOD_FLOOR()).to.equal(UNBONDING_PERIOD_FLOOR);
      expect(await registry.UNBONDING_PERIOD_CEILING()).to.equal(UNBONDING_PERIOD_CEILING);
      expect(await registry.reputationReferenceValue()).to.equal(REPUTATION_REFERENCE_VALUE);
      expect(await registry.DEFAULT_REPUTATION_REFERENCE_VALUE()).to.equal(REPUTATION_REFERENCE_VALUE);
      expect(await registry.REPUTATION_REFERENCE_VALUE_FLOOR()).to.equal(REPUTATION_REFERENCE_VALUE_FLOOR);
      expect(await registry.REPUTATION_REFERENCE_VALUE_CEILING()).to.equal(REPUTATION_REFERENCE_VALUE_CEILING);
      // The admin gets DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE, never MARKET_ROLE.
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await registry.hasRole(await registry.GOVERNANCE_ROLE(), admin.address)).to.equal(true);
      expect(await registry.hasRole(await registry.MARKET_ROLE(), admin.address)).to.equal(false);
      // The fixture granted MARKET_ROLE to the market only.
      expect(await registry.hasRole(await registry.MARKET_ROLE(), market.address)).to.equal(true);
      expect(await registry.hasRole(await registry.GOVERNANCE_ROLE(), market.address)).to.equal(false);
    });

    it("test_constructor_emitsParameterEvents", async function () {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const registry = await ethers.deployContract("ProviderRegistry", [
        await token.getAddress(),
        admin.address,
        MIN_STAKE_PER_GPU,
        UNBONDING_PERIOD,
      ]);
      const deployment = registry.deploymentTransaction();
      await expect(deployment)
        .to.emit(registry, "MinStakePerGpuSet")
        .withArgs(0n, MIN_STAKE_PER_GPU)
        .and.to.emit(registry, "UnbondingPeriodSet")
        .withArgs(0n, UNBONDING_PERIOD)
        .and.to.emit(registry, "ReputationReferenceValueSet")
        .withArgs(0n, REPUTATION_REFERENCE_VALUE)
        .and.to.emit(registry, "RoleGranted")
        .withArgs(await registry.GOVERNANCE_ROLE(), admin.address, admin.address);
    });

    it("test_constructor_revertsOnZeroStakeToken", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ProviderRegistry");
      await expect(factory.deploy(ethers.ZeroAddress, admin.address, MIN_STAKE_PER_GPU, UNBONDING_PERIOD))
        .to.be.revertedWithCustomError(factory, "RegistryZeroAddress")
        .withArgs("stakeToken");
    });

    it("test_constructor_revertsOnZeroAdmin", async function () {
      const { token } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("ProviderRegistry");
      await expect(factory.deploy(await token.getAddress(), ethers.ZeroAddress, MIN_STAKE_PER_GPU, UNBONDING_PERIOD))
        .to.be.revertedWithCustomError(factory, "RegistryZeroAddress")
        .withArgs("admin");
    });

    it("test_constructor_checksStakeTokenBeforeAdmin", async function () {
      const factory = await ethers.getContractFactory("ProviderRegistry");
      await expect(factory.deploy(ethers.ZeroAddress, ethers.ZeroAddress, MIN_STAKE_PER_GPU, UNBONDING_PERIOD))
        .to.be.revertedWithCustomError(factory, "RegistryZeroAddress")
        .withArgs("stakeToken");
    });

    it("test_constructor_revertsOnMinStakeBelowFloor", async function () {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("ProviderRegistry");
      const value = MIN_STAKE_PER_GPU_FLOOR - 1n;
      await expect(factory.deploy(await token.getAddress(), admin.address, value, UNBONDING_PERIOD))
        .to.be.revertedWithCustomError(factory, "RegistryParameterOutOfBounds")
        .withArgs("minStakePerGpu", value, MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING);
    });

    it("test_constructor_revertsOnMinStakeAboveCeiling", async function () {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("ProviderRegistry");
      const value = MIN_STAKE_PER_GPU_CEILING + 1n;
      await expect(factory.deploy(await token.getAddress(), admin.address, value, UNBONDING_PERIOD))
        .to.be.revertedWithCustomError(factory, "RegistryParameterOutOfBounds")
        .withArgs("minStakePerGpu", value, MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING);
    });

    it("test_constructor_revertsOnUnbondingPeriodBelowFloor", async function () {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("ProviderRegistry");
      const value = UNBONDING_PERIOD_FLOOR - 1n;
      await expect(factory.deploy(await token.getAddress(), admin.address, MIN_STAKE_PER_GPU, value))
        .to.be.revertedWithCustomError(factory, "RegistryParameterOutOfBounds")
        .withArgs("unbondingPeriod", value, UNBONDING_PERIOD_FLOOR, UNBONDING_PERIOD_CEILING);
    });

    it("test_constructor_revertsOnUnbondingPeriodAboveCeiling", async function () {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("ProviderRegistry");
      const value = UNBONDING_PERIOD_CEILING + 1n;
      await expect(factory.deploy(await token.getAddress(), admin.address, MIN_STAKE_PER_GPU, value))
        .to.be.revertedWithCustomError(factory, "RegistryParameterOutOfBounds")
        .withArgs("unbondingPeriod", value, UNBONDING_PERIOD_FLOOR, UNBONDING_PERIOD_CEILING);
    });

    it("test_constructor_revertsOnZeroParameters", async function () {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("ProviderRegistry");
      await expect(factory.deploy(await token.getAddress(), admin.address, 0n, 0n))
        .to.be.revertedWithCustomError(factory, "RegistryParameterOutOfBounds")
        .withArgs("minStakePerGpu", 0n, MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING);
    });

    it("test_constructor_acceptsBoundsInclusive", async function () {
      const { token, admin } = await networkHelpers.loadFixture(fixture);
      const low = await ethers.deployContract("ProviderRegistry", [
        await token.getAddress(),
        admin.address,
        MIN_STAKE_PER_GPU_FLOOR,
        UNBONDING_PERIOD_FLOOR,
      ]);
      expect(await low.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU_FLOOR);
      expect(await low.unbondingPeriod()).to.equal(UNBONDING_PERIOD_FLOOR);
      const high = await ethers.deployContract("ProviderRegistry", [
        await token.getAddress(),
        admin.address,
        MIN_STAKE_PER_GPU_CEILING,
        UNBONDING_PERIOD_CEILING,
      ]);
      expect(await high.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU_CEILING);
      expect(await high.unbondingPeriod()).to.equal(UNBONDING_PERIOD_CEILING);
    });
  });

  describe("setMinStakePerGpu", function () {
    it("test_setMinStakePerGpu_setsValueAndEmits", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setMinStakePerGpu(300n * GRL))
        .to.emit(registry, "MinStakePerGpuSet")
        .withArgs(MIN_STAKE_PER_GPU, 300n * GRL);
      expect(await registry.minStakePerGpu()).to.equal(300n * GRL);
      await expect(registry.connect(admin).setMinStakePerGpu(250n * GRL))
        .to.emit(registry, "MinStakePerGpuSet")
        .withArgs(300n * GRL, 250n * GRL);
    });

    it("test_setMinStakePerGpu_revertsOneBelowFloor", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      const value = MIN_STAKE_PER_GPU_FLOOR - 1n;
      await expect(registry.connect(admin).setMinStakePerGpu(value))
        .to.be.revertedWithCustomError(registry, "RegistryParameterOutOfBounds")
        .withArgs("minStakePerGpu", value, MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING);
      expect(await registry.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU);
    });

    it("test_setMinStakePerGpu_revertsOnZero", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setMinStakePerGpu(0n))
        .to.be.revertedWithCustomError(registry, "RegistryParameterOutOfBounds")
        .withArgs("minStakePerGpu", 0n, MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING);
    });

    it("test_setMinStakePerGpu_acceptsFloor", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setMinStakePerGpu(MIN_STAKE_PER_GPU_FLOOR))
        .to.emit(registry, "MinStakePerGpuSet")
        .withArgs(MIN_STAKE_PER_GPU, MIN_STAKE_PER_GPU_FLOOR);
      expect(await registry.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU_FLOOR);
    });

    it("test_setMinStakePerGpu_acceptsCeiling", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setMinStakePerGpu(MIN_STAKE_PER_GPU_CEILING))
        .to.emit(registry, "MinStakePerGpuSet")
        .withArgs(MIN_STAKE_PER_GPU, MIN_STAKE_PER_GPU_CEILING);
      expect(await registry.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU_CEILING);
    });

    it("test_setMinStakePerGpu_revertsOneAboveCeiling", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      const value = MIN_STAKE_PER_GPU_CEILING + 1n;
      await expect(registry.connect(admin).setMinStakePerGpu(value))
        .to.be.revertedWithCustomError(registry, "RegistryParameterOutOfBounds")
        .withArgs("minStakePerGpu", value, MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING);
      expect(await registry.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU);
    });

    it("test_setMinStakePerGpu_settingSameValueEmits", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setMinStakePerGpu(MIN_STAKE_PER_GPU))
        .to.emit(registry, "MinStakePerGpuSet")
        .withArgs(MIN_STAKE_PER_GPU, MIN_STAKE_PER_GPU);
    });

    it("test_setMinStakePerGpu_updatesRequiredStakeOf", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await onboardProvider(f, f.alice); // 4 GPUs, 1800 GRL
      expect(await f.registry.requiredStakeOf(f.alice.address)).to.equal(800n * GRL);
      await f.registry.connect(f.admin).setMinStakePerGpu(500n * GRL);
      expect(await f.registry.requiredStakeOf(f.alice.address)).to.equal(2_000n * GRL);
    });

    it("test_setMinStakePerGpu_undercollateralizedProviderStaysRegistered", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await onboardProvider(f, f.alice); // 4 GPUs, 1800 GRL
      await f.registry.connect(f.admin).setMinStakePerGpu(500n * GRL);
      // Still registered and online, with state intact...
      await expectProvider(f.registry, f.alice, {
        registered: true,
        online: true,
        listedGpus: 4n,
        freeStake: 1_800n * GRL,
      });
      // ...but cannot pass eligibility, list more or unbond.
      await expect(f.registry.requireEligible(f.alice.address, H100, 1, 80, 0, 0))
        .to.be.revertedWithCustomError(f.registry, "RegistryInsufficientStake")
        .withArgs(2_000n * GRL, 1_800n * GRL);
      await expect(f.registry.connect(f.alice).setGpuLine(H100, 5, 80, 98_950))
        .to.be.revertedWithCustomError(f.registry, "RegistryInsufficientStake")
        .withArgs(2_500n * GRL, 1_800n * GRL);
      await expect(f.registry.connect(f.alice).requestUnbond(1n))
        .to.be.revertedWithCustomError(f.registry, "RegistryInsufficientStake")
        .withArgs(2_000n * GRL, 1_800n * GRL - 1n);
      // Topping up restores eligibility.
      await f.registry.connect(f.alice).stake(200n * GRL);
      await f.registry.requireEligible(f.alice.address, H100, 1, 80, 0, 0);
    });
  });

  describe("setReputationReferenceValue", function () {
    const USD = 10n ** 18n;

    it("test_setReputationReferenceValue_setsValueAndEmits", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setReputationReferenceValue(250n * USD))
        .to.emit(registry, "ReputationReferenceValueSet")
        .withArgs(REPUTATION_REFERENCE_VALUE, 250n * USD);
      expect(await registry.reputationReferenceValue()).to.equal(250n * USD);
    });

    it("test_setReputationReferenceValue_acceptsBoundsInclusive", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await registry.connect(admin).setReputationReferenceValue(REPUTATION_REFERENCE_VALUE_FLOOR);
      expect(await registry.reputationReferenceValue()).to.equal(REPUTATION_REFERENCE_VALUE_FLOOR);
      await registry.connect(admin).setReputationReferenceValue(REPUTATION_REFERENCE_VALUE_CEILING);
      expect(await registry.reputationReferenceValue()).to.equal(REPUTATION_REFERENCE_VALUE_CEILING);
    });

    it("test_setReputationReferenceValue_revertsOutsideBounds", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      for (const value of [0n, REPUTATION_REFERENCE_VALUE_FLOOR - 1n, REPUTATION_REFERENCE_VALUE_CEILING + 1n]) {
        await expect(registry.connect(admin).setReputationReferenceValue(value))
          .to.be.revertedWithCustomError(registry, "RegistryParameterOutOfBounds")
          .withArgs(
            "reputationReferenceValue",
            value,
            REPUTATION_REFERENCE_VALUE_FLOOR,
            REPUTATION_REFERENCE_VALUE_CEILING,
          );
      }
      expect(await registry.reputationReferenceValue()).to.equal(REPUTATION_REFERENCE_VALUE);
    });

    it("test_setReputationReferenceValue_revertsForNonGovernance", async function () {
      const { registry, market } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(market).setReputationReferenceValue(REPUTATION_REFERENCE_VALUE))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(market.address, ethers.id("GOVERNANCE_ROLE"));
    });
  });

  describe("setUnbondingPeriod", function () {
    it("test_setUnbondingPeriod_setsValueAndEmits", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setUnbondingPeriod(14n * DAY))
        .to.emit(registry, "UnbondingPeriodSet")
        .withArgs(UNBONDING_PERIOD, 14n * DAY);
      expect(await registry.unbondingPeriod()).to.equal(14n * DAY);
    });

    it("test_setUnbondingPeriod_revertsOneBelowFloor", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      const value = UNBONDING_PERIOD_FLOOR - 1n;
      await expect(registry.connect(admin).setUnbondingPeriod(value))
        .to.be.revertedWithCustomError(registry, "RegistryParameterOutOfBounds")
        .withArgs("unbondingPeriod", value, UNBONDING_PERIOD_FLOOR, UNBONDING_PERIOD_CEILING);
      expect(await registry.unbondingPeriod()).to.equal(UNBONDING_PERIOD);
    });

    it("test_setUnbondingPeriod_revertsOnZero", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setUnbondingPeriod(0n))
        .to.be.revertedWithCustomError(registry, "RegistryParameterOutOfBounds")
        .withArgs("unbondingPeriod", 0n, UNBONDING_PERIOD_FLOOR, UNBONDING_PERIOD_CEILING);
    });

    it("test_setUnbondingPeriod_acceptsFloor", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      // The fixture's period is the floor itself; start above it so that the floor is a real change.
      await registry.connect(admin).setUnbondingPeriod(LONG_PERIOD);
      await expect(registry.connect(admin).setUnbondingPeriod(UNBONDING_PERIOD_FLOOR))
        .to.emit(registry, "UnbondingPeriodSet")
        .withArgs(LONG_PERIOD, UNBONDING_PERIOD_FLOOR);
      expect(await registry.unbondingPeriod()).to.equal(UNBONDING_PERIOD_FLOOR);
    });

    it("test_setUnbondingPeriod_acceptsCeiling", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(admin).setUnbondingPeriod(UNBONDING_PERIOD_CEILING))
        .to.emit(registry, "UnbondingPeriodSet")
        .withArgs(UNBONDING_PERIOD, UNBONDING_PERIOD_CEILING);
      expect(await registry.unbondingPeriod()).to.equal(UNBONDING_PERIOD_CEILING);
    });

    it("test_setUnbondingPeriod_revertsOneAboveCeiling", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(fixture);
      const value = UNBONDING_PERIOD_CEILING + 1n;
      await expect(registry.connect(admin).setUnbondingPeriod(value))
        .to.be.revertedWithCustomError(registry, "RegistryParameterOutOfBounds")
        .withArgs("unbondingPeriod", value, UNBONDING_PERIOD_FLOOR, UNBONDING_PERIOD_CEILING);
      expect(await registry.unbondingPeriod()).to.equal(UNBONDING_PERIOD);
    });

    it("test_setUnbondingPeriod_appliesToLaterRequestsOnly", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await onboardProvider(f, f.alice);
      await onboardProvider(f, f.bob);
      await f.registry.connect(f.admin).setUnbondingPeriod(LONG_PERIOD);
      const t1 = BigInt(await networkHelpers.time.latest()) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t1);
      await f.registry.connect(f.alice).requestUnbond(100n * GRL);
      // Governance shortens the period: alice's pending unbonding keeps its 14-day unlock time.
      await f.registry.connect(f.admin).setUnbondingPeriod(UNBONDING_PERIOD_FLOOR);
      await expectProvider(f.registry, f.alice, { unbondingUnlocksAt: t1 + LONG_PERIOD });
      await networkHelpers.time.setNextBlockTimestamp(t1 + UNBONDING_PERIOD_FLOOR);
      await expect(f.registry.connect(f.alice).withdraw())
        .to.be.revertedWithCustomError(f.registry, "RegistryUnbondingLocked")
        .withArgs(t1 + LONG_PERIOD, t1 + UNBONDING_PERIOD_FLOOR);
      // A request made after the change uses the new period.
      const t2 = t1 + UNBONDING_PERIOD_FLOOR + 10n;
      await networkHelpers.time.setNextBlockTimestamp(t2);
      await expect(f.registry.connect(f.bob).requestUnbond(100n * GRL))
        .to.emit(f.registry, "UnbondingRequested")
        .withArgs(f.bob.address, 100n * GRL, 1_700n * GRL, 100n * GRL, t2 + UNBONDING_PERIOD_FLOOR);
      await networkHelpers.time.setNextBlockTimestamp(t2 + UNBONDING_PERIOD_FLOOR);
      await expect(f.registry.connect(f.bob).withdraw())
        .to.emit(f.registry, "StakeWithdrawn")
        .withArgs(f.bob.address, 100n * GRL);
    });
  });
});
