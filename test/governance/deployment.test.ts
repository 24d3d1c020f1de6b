import { expect } from "chai";
import { network } from "hardhat";

import GridleaseLocalModule from "../../ignition/modules/GridleaseLocal.js";
import { DEFAULT_GOVERNANCE, DEFAULT_MARKET_PARAMS, ROLES } from "../../ignition/modules/Gridlease.js";
import {
  GridleaseGovernor__factory,
  GridleaseTimelock__factory,
  GridleaseToken__factory,
  JobMarket__factory,
  ProviderRegistry__factory,
} from "../../types/ethers-contracts/index.js";
import { GRL } from "../helpers/fixtures.js";

const { ethers, ignition, networkHelpers } = await network.create();

const DAY = 24n * 3600n;

/** The local protocol deployed by Ignition with `parameters`, as typed contracts. */
async function deploy(parameters: Record<string, unknown> = {}) {
  const [deployer] = await ethers.getSigners();
  const deployed = await ignition.deploy(GridleaseLocalModule, {
    parameters: { GridleaseLocal: parameters } as never,
  });
  const at = async (c: { getAddress(): Promise<string> }) => c.getAddress();
  return {
    deployer,
    token: GridleaseToken__factory.connect(await at(deployed.token), deployer),
    registry: ProviderRegistry__factory.connect(await at(deployed.registry), deployer),
    market: JobMarket__factory.connect(await at(deployed.market), deployer),
    timelock: GridleaseTimelock__factory.connect(await at(deployed.timelock), deployer),
    governor: GridleaseGovernor__factory.connect(await at(deployed.governor), deployer),
    usdc: await at(deployed.usdc),
  };
}

async function defaultDeployment() {
  return deploy();
}

async function configuredDeployment() {
  const signers = await ethers.getSigners();
  const [, treasury, arbiter, guardian] = signers;
  const d = await deploy({
    treasury: treasury.address,
    arbiter: arbiter.address,
    guardian: guardian.address,
    timelockMinDelay: 3n * DAY,
    votingDelay: 2n * DAY,
    votingPeriod: 5n * DAY,
    proposalThreshold: 250_000n * GRL,
    quorumPercent: 10n,
  });
  return { ...d, treasury, arbiter, guardian };
}

describe("Governance: Ignition deployment", function () {
  describe("roles", function () {
    it("test_deploy_timelockHoldsEveryAdminAndGovernanceRole", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      const timelock = await d.timelock.getAddress();
      expect(await d.token.hasRole(ROLES.DEFAULT_ADMIN_ROLE, timelock)).to.equal(true);
      expect(await d.registry.hasRole(ROLES.DEFAULT_ADMIN_ROLE, timelock)).to.equal(true);
      expect(await d.registry.hasRole(ROLES.GOVERNANCE_ROLE, timelock)).to.equal(true);
      expect(await d.market.hasRole(ROLES.DEFAULT_ADMIN_ROLE, timelock)).to.equal(true);
      expect(await d.market.hasRole(ROLES.GOVERNANCE_ROLE, timelock)).to.equal(true);
    });

    it("test_deploy_deployerHoldsNoAdminOrGovernanceRole", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      const me = d.deployer.address;
      expect(await d.token.hasRole(ROLES.DEFAULT_ADMIN_ROLE, me)).to.equal(false);
      expect(await d.token.hasRole(ROLES.MINTER_ROLE, me)).to.equal(false);
      expect(await d.registry.hasRole(ROLES.DEFAULT_ADMIN_ROLE, me)).to.equal(false);
      expect(await d.registry.hasRole(ROLES.GOVERNANCE_ROLE, me)).to.equal(false);
      expect(await d.market.hasRole(ROLES.DEFAULT_ADMIN_ROLE, me)).to.equal(false);
      expect(await d.market.hasRole(ROLES.GOVERNANCE_ROLE, me)).to.equal(false);
      expect(await d.timelock.hasRole(ROLES.DEFAULT_ADMIN_ROLE, me)).to.equal(false);
      expect(await d.timelock.hasRole(ROLES.PROPOSER_ROLE, me)).to.equal(false);
      expect(await d.timelock.hasRole(ROLES.CANCELLER_ROLE, me)).to.equal(false);
    });

    it("test_deploy_deployerCannotChangeParametersOrRoles", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      await expect(d.registry.setMinStakePerGpu(300n * GRL))
        .to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount")
        .withArgs(d.deployer.address, ROLES.GOVERNANCE_ROLE);
      await expect(d.market.setMarketParams(DEFAULT_MARKET_PARAMS))
        .to.be.revertedWithCustomError(d.market, "AccessControlUnauthorizedAccount")
        .withArgs(d.deployer.address, ROLES.GOVERNANCE_ROLE);
      await expect(d.token.grantRole(ROLES.MINTER_ROLE, d.deployer.address))
        .to.be.revertedWithCustomError(d.token, "AccessControlUnauthorizedAccount")
        .withArgs(d.deployer.address, ROLES.DEFAULT_ADMIN_ROLE);
    });

    it("test_deploy_timelockAdministersItselfOnly", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.timelock.hasRole(ROLES.DEFAULT_ADMIN_ROLE, await d.timelock.getAddress())).to.equal(true);
      expect(await d.timelock.hasRole(ROLES.DEFAULT_ADMIN_ROLE, await d.governor.getAddress())).to.equal(false);
    });

    it("test_deploy_governorIsTimelockProposerAndCanceller", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      const governor = await d.governor.getAddress();
      expect(await d.timelock.hasRole(ROLES.PROPOSER_ROLE, governor)).to.equal(true);
      expect(await d.timelock.hasRole(ROLES.CANCELLER_ROLE, governor)).to.equal(true);
    });

    it("test_deploy_anyoneMayExecute", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.timelock.hasRole(ROLES.EXECUTOR_ROLE, ethers.ZeroAddress)).to.equal(true);
    });

    it("test_deploy_marketHoldsMarketRoleAndStablecoinAllowed", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.registry.hasRole(ROLES.MARKET_ROLE, await d.market.getAddress())).to.equal(true);
      expect((await d.market.paymentTokens(d.usdc)).allowed).to.equal(true);
    });

    it("test_deploy_guardianArbiterAndTreasuryDefaultToDeployer", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.market.hasRole(ROLES.GUARDIAN_ROLE, d.deployer.address)).to.equal(true);
      expect(await d.market.hasRole(ROLES.ARBITER_ROLE, d.deployer.address)).to.equal(true);
      expect(await d.market.treasury()).to.equal(d.deployer.address);
      expect(await d.market.paused()).to.equal(false);
    });

    it("test_deploy_configuredGuardianArbiterAndTreasury", async function () {
      const d = await networkHelpers.loadFixture(configuredDeployment);
      expect(await d.market.hasRole(ROLES.GUARDIAN_ROLE, d.guardian.address)).to.equal(true);
      expect(await d.market.hasRole(ROLES.GUARDIAN_ROLE, d.deployer.address)).to.equal(false);
      expect(await d.market.hasRole(ROLES.ARBITER_ROLE, d.arbiter.address)).to.equal(true);
      expect(await d.market.treasury()).to.equal(d.treasury.address);
      expect(await d.token.balanceOf(d.treasury.address)).to.equal(1_000_000_000n * GRL);
      await expect(d.market.connect(d.guardian).pause())
        .to.emit(d.market, "Paused")
        .withArgs(d.guardian.address);
    });
  });

  describe("parameters", function () {
    it("test_deploy_defaultGovernanceSettings", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.governor.token()).to.equal(await d.token.getAddress());
      expect(await d.governor.timelock()).to.equal(await d.timelock.getAddress());
      expect(await d.governor.votingDelay()).to.equal(DEFAULT_GOVERNANCE.votingDelay);
      expect(await d.governor.votingPeriod()).to.equal(DEFAULT_GOVERNANCE.votingPeriod);
      expect(await d.governor.proposalThreshold()).to.equal(DEFAULT_GOVERNANCE.proposalThreshold);
      expect(await d.governor["quorumNumerator()"]()).to.equal(DEFAULT_GOVERNANCE.quorumPercent);
      expect(await d.timelock.getMinDelay()).to.equal(DEFAULT_GOVERNANCE.timelockMinDelay);
      expect(DEFAULT_GOVERNANCE).to.deep.equal({
        timelockMinDelay: 2n * DAY,
        votingDelay: DAY,
        votingPeriod: 7n * DAY,
        proposalThreshold: 100_000n * GRL,
        quorumPercent: 4n,
      });
    });

    it("test_deploy_governorUsesTimestampClock", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.governor.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await d.governor.clock()).to.equal(BigInt(await networkHelpers.time.latest()));
      expect(await d.governor.name()).to.equal("Gridlease Governor");
    });

    it("test_deploy_configuredGovernanceSettings", async function () {
      const d = await networkHelpers.loadFixture(configuredDeployment);
      expect(await d.governor.votingDelay()).to.equal(2n * DAY);
      expect(await d.governor.votingPeriod()).to.equal(5n * DAY);
      expect(await d.governor.proposalThreshold()).to.equal(250_000n * GRL);
      expect(await d.governor["quorumNumerator()"]()).to.equal(10n);
      expect(await d.timelock.getMinDelay()).to.equal(3n * DAY);
    });

    it("test_deploy_marketAndRegistryDefaults", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      const params = await d.market.marketParams(await d.market.currentParamsId());
      for (const [key, value] of Object.entries(DEFAULT_MARKET_PARAMS)) {
        expect(params[key as keyof typeof DEFAULT_MARKET_PARAMS]).to.equal(value, key);
      }
      expect(await d.registry.minStakePerGpu()).to.equal(200n * GRL);
      expect(await d.token.totalSupply()).to.equal(1_000_000_000n * GRL);
    });
  });
});
