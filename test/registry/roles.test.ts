import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import type { ProviderRegistry } from "../../types/ethers-contracts/index.ts";
import {
  deployProtocol,
  GRL,
  H100,
  MIN_STAKE_PER_GPU,
  onboardProvider,
  type ProtocolFixture,
  REPUTATION_REFERENCE_VALUE,
} from "../kit/protocol.ts";
import { expectProvider, lockStake } from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();

const MARKET_ROLE = ethers.id("MARKET_ROLE");
const GOVERNANCE_ROLE = ethers.id("GOVERNANCE_ROLE");

/**
 * Alice onboarded (4 H100 online) with 500 GRL locked under lock id 1 and 2 GPUs leased, so every
 * restricted call below would succeed for the right role: only the caller's role decides the outcome.
 */
async function rolesFixture() {
  const f = await deployProtocol(ethers);
  await onboardProvider(f, f.alice);
  await lockStake(f, f.alice, 1n, 500n * GRL);
  await f.registry.connect(f.market).leaseGpus(f.alice.address, H100, 2);
  return f;
}

type Call = (registry: ProviderRegistry, f: ProtocolFixture) => Promise<unknown>;

/** Every MARKET_ROLE entry point, with arguments that are valid for the market. */
const marketCalls: [name: string, call: Call][] = [
  ["lockIfEligible", (r, f) => r.lockIfEligible(f.alice.address, 2n, GRL, H100, 2, 80, 840, 0)],
  ["unlockCollateral", (r, f) => r.unlockCollateral(f.alice.address, 1n, GRL)],
  ["unlockAndRecordSuccess", (r, f) => r.unlockAndRecordSuccess(f.alice.address, 1n, GRL, 0n)],
  ["slash", (r, f) => r.slash(f.alice.address, 1n, GRL, f.outsider.address, GRL)],
  ["leaseGpus", (r, f) => r.leaseGpus(f.alice.address, H100, 1)],
  ["releaseGpus", (r, f) => r.releaseGpus(f.alice.address, H100, 1)],
  ["recordFault", (r, f) => r.recordFault(f.alice.address)],
];

/** Every GOVERNANCE_ROLE entry point, with in-bounds arguments. */
const governanceCalls: [name: string, call: Call][] = [
  ["setMinStakePerGpu", (r) => r.setMinStakePerGpu(300n * GRL)],
  ["setUnbondingPeriod", (r) => r.setUnbondingPeriod(14n * 24n * 60n * 60n)],
  ["setReputationReferenceValue", (r) => r.setReputationReferenceValue(REPUTATION_REFERENCE_VALUE)],
];

type CallerName = "outsider" | "provider" | "admin" | "market";

function callerOf(f: ProtocolFixture, who: CallerName): HardhatEthersSigner {
  switch (who) {
    case "outsider":
      return f.outsider;
    case "provider":
      return f.alice;
    case "admin":
      return f.admin;
    case "market":
      return f.market;
  }
}

function capitalize(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

describe("ProviderRegistry: access control", function () {
  describe("MARKET_ROLE functions", function () {
    for (const [name, call] of marketCalls) {
      // The admin holds DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE, but not MARKET_ROLE.
      for (const who of ["outsider", "provider", "admin"] as const) {
        it(`test_${name}_revertsFor${capitalize(who)}`, async function () {
          const f = await networkHelpers.loadFixture(rolesFixture);
          const caller = callerOf(f, who);
          await expect(call(f.registry.connect(caller), f))
            .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, MARKET_ROLE);
        });
      }

      it(`test_${name}_succeedsForMarket`, async function () {
        const f = await networkHelpers.loadFixture(rolesFixture);
        await expect(call(f.registry.connect(f.market), f)).not.to.revert(ethers);
      });
    }

    it("test_marketFunctions_checkRoleBeforeArguments", async function () {
      const f = await networkHelpers.loadFixture(rolesFixture);
      // Invalid arguments (unregistered provider, no GPU model, zero amounts) still report the missing role first.
      await expect(
        f.registry.connect(f.outsider).lockIfEligible(f.outsider.address, 0n, 0n, ethers.ZeroHash, 0, 0, 0, 0),
      )
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, MARKET_ROLE);
      await expect(f.registry.connect(f.alice).slash(f.outsider.address, 0n, 0n, ethers.ZeroAddress, 0n))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.alice.address, MARKET_ROLE);
    });

    it("test_revokeRole_marketLosesAccess", async function () {
      const f = await networkHelpers.loadFixture(rolesFixture);
      await f.registry.connect(f.admin).revokeRole(MARKET_ROLE, f.market.address);
      await expect(
        f.registry.connect(f.market).unlockAndRecordSuccess(f.alice.address, 1n, 0n, REPUTATION_REFERENCE_VALUE),
      )
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.market.address, MARKET_ROLE);
    });

    it("test_grantRole_newMarketGainsAccess", async function () {
      const f = await networkHelpers.loadFixture(rolesFixture);
      await f.registry.connect(f.admin).grantRole(MARKET_ROLE, f.outsider.address);
      await expect(f.registry.connect(f.outsider).recordFault(f.alice.address))
        .to.emit(f.registry, "ReputationUpdated")
        .withArgs(f.alice.address, 5_000n, 3_333n, false);
    });
  });

  describe("GOVERNANCE_ROLE functions", function () {
    for (const [name, call] of governanceCalls) {
      for (const who of ["outsider", "provider", "market"] as const) {
        it(`test_${name}_revertsFor${capitalize(who)}`, async function () {
          const f = await networkHelpers.loadFixture(rolesFixture);
          const caller = callerOf(f, who);
          await expect(call(f.registry.connect(caller), f))
            .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, GOVERNANCE_ROLE);
        });
      }

      it(`test_${name}_succeedsForAdmin`, async function () {
        const f = await networkHelpers.loadFixture(rolesFixture);
        await expect(call(f.registry.connect(f.admin), f)).not.to.revert(ethers);
      });
    }

    it("test_governanceFunctions_checkRoleBeforeBounds", async function () {
      const f = await networkHelpers.loadFixture(rolesFixture);
      await expect(f.registry.connect(f.outsider).setMinStakePerGpu(0n))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, GOVERNANCE_ROLE);
      await expect(f.registry.connect(f.market).setUnbondingPeriod(0n))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.market.address, GOVERNANCE_ROLE);
    });

    it("test_revokeRole_adminLosesGovernance", async function () {
      const f = await networkHelpers.loadFixture(rolesFixture);
      await f.registry.connect(f.admin).revokeRole(GOVERNANCE_ROLE, f.admin.address);
      await expect(f.registry.connect(f.admin).setMinStakePerGpu(MIN_STAKE_PER_GPU))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, GOVERNANCE_ROLE);
    });
  });

  it("test_marketFunctions_unauthorizedCallsLeaveStateUntouched", async function () {
    const f = await networkHelpers.loadFixture(rolesFixture);
    const before = await f.registry.providerOf(f.alice.address);
    for (const [, call] of marketCalls) {
      await expect(call(f.registry.connect(f.outsider), f))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, MARKET_ROLE);
    }
    expect(await f.registry.providerOf(f.alice.address)).to.deep.equal(before);
    await expectProvider(f.registry, f.alice, { freeStake: 1_300n * GRL, lockedStake: 500n * GRL });
    expect(await f.registry.minStakePerGpu()).to.equal(MIN_STAKE_PER_GPU);
  });
});
