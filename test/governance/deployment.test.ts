import { expect } from "chai";
import { network } from "hardhat";

import GridleaseModule from "../../ignition/modules/Gridlease.ts";
import GridleaseL2Module from "../../ignition/modules/GridleaseL2.ts";
import GridleaseLocalModule from "../../ignition/modules/GridleaseLocal.ts";
import {
  DEFAULT_GOVERNANCE,
  DEFAULT_MARKET_PARAMS,
  DEFAULT_SEQUENCER_GRACE_PERIOD,
  DEFAULT_SETTLEMENT,
  ROLES,
} from "../../ignition/modules/Gridlease.ts";
import {
  ChainlinkPriceOracle__factory,
  GridleaseGovernor__factory,
  GridleaseTimelock__factory,
  GridleaseToken__factory,
  JobMarket__factory,
  MockAggregatorV3__factory,
  MockStablecoin__factory,
  ProviderRegistry__factory,
  SequencerGuardedOracle__factory,
  Settlement__factory,
} from "../../types/ethers-contracts/index.ts";
import { SPEC_HASH } from "../kit/jobs.ts";
import { FIRST_PRICE, HOUR, USDC } from "../kit/market.ts";
import { GRL, H100 } from "../kit/protocol.ts";

const { ethers, ignition, networkHelpers } = await network.create();

const DAY = 24n * 3600n;

/** Settlement settings of the configured deployment, each different from DEFAULT_SETTLEMENT. */
const CONFIGURED_SETTLEMENT = {
  epochLength: 14n * DAY,
  spreadBps: 50n,
  mintCapPerEpoch: 2_000_000n * GRL,
  emissionBudgetPerEpoch: 500_000n * GRL,
};

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
    settlement: Settlement__factory.connect(await at(deployed.settlement), deployer),
    oracle: await at(deployed.oracle),
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
    epochLength: CONFIGURED_SETTLEMENT.epochLength,
    spreadBps: CONFIGURED_SETTLEMENT.spreadBps,
    mintCapPerEpoch: CONFIGURED_SETTLEMENT.mintCapPerEpoch,
    emissionBudgetPerEpoch: CONFIGURED_SETTLEMENT.emissionBudgetPerEpoch,
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
      expect(await d.settlement.hasRole(ROLES.DEFAULT_ADMIN_ROLE, timelock)).to.equal(true);
      expect(await d.settlement.hasRole(ROLES.GOVERNANCE_ROLE, timelock)).to.equal(true);
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
      expect(await d.settlement.hasRole(ROLES.DEFAULT_ADMIN_ROLE, me)).to.equal(false);
      expect(await d.settlement.hasRole(ROLES.GOVERNANCE_ROLE, me)).to.equal(false);
      expect(await d.settlement.hasRole(ROLES.MARKET_ROLE, me)).to.equal(false);
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
      await expect(d.settlement.grantRole(ROLES.MARKET_ROLE, d.deployer.address))
        .to.be.revertedWithCustomError(d.settlement, "AccessControlUnauthorizedAccount")
        .withArgs(d.deployer.address, ROLES.DEFAULT_ADMIN_ROLE);
    });

    it("test_deploy_deployerCannotCallSettlementSetters", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      const setters: [string, () => Promise<unknown>][] = [
        ["setSpreadBps", () => d.settlement.setSpreadBps(100n)],
        ["setMintCapPerEpoch", () => d.settlement.setMintCapPerEpoch(2_000_000n * GRL)],
        ["setEmissionBudgetPerEpoch", () => d.settlement.setEmissionBudgetPerEpoch(0n)],
        ["setOracle", () => d.settlement.setOracle(d.deployer.address)],
      ];
      for (const [name, call] of setters) {
        await expect(call(), name)
          .to.be.revertedWithCustomError(d.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(d.deployer.address, ROLES.GOVERNANCE_ROLE);
      }
      expect(await d.settlement.spreadBps()).to.equal(DEFAULT_SETTLEMENT.spreadBps);
      expect(await d.settlement.mintCapPerEpoch()).to.equal(DEFAULT_SETTLEMENT.mintCapPerEpoch);
      expect(await d.settlement.emissionBudgetPerEpoch()).to.equal(DEFAULT_SETTLEMENT.emissionBudgetPerEpoch);
      expect(await d.settlement.oracle()).to.equal(d.oracle);
    });

    it("test_deploy_settlementIsTheOnlyMinter", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.token.hasRole(ROLES.MINTER_ROLE, await d.settlement.getAddress())).to.equal(true);
      for (const [name, account] of [
        ["deployer", d.deployer.address],
        ["timelock", await d.timelock.getAddress()],
        ["governor", await d.governor.getAddress()],
        ["market", await d.market.getAddress()],
        ["registry", await d.registry.getAddress()],
      ] as const) {
        expect(await d.token.hasRole(ROLES.MINTER_ROLE, account)).to.equal(false, name);
      }
      // Nobody can add a minter but the timelock, through a proposal.
      expect(await d.token.getRoleAdmin(ROLES.MINTER_ROLE)).to.equal(ROLES.DEFAULT_ADMIN_ROLE);
      expect(await d.token.hasRole(ROLES.DEFAULT_ADMIN_ROLE, d.deployer.address)).to.equal(false);
    });

    it("test_deploy_settlementRolesWired", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      const market = await d.market.getAddress();
      const timelock = await d.timelock.getAddress();
      expect(await d.settlement.MARKET_ROLE()).to.equal(ROLES.MARKET_ROLE);
      expect(await d.settlement.GOVERNANCE_ROLE()).to.equal(ROLES.GOVERNANCE_ROLE);
      expect(await d.settlement.GUARDIAN_ROLE()).to.equal(ROLES.GUARDIAN_ROLE);
      expect(await d.settlement.hasRole(ROLES.MARKET_ROLE, market)).to.equal(true);
      expect(await d.settlement.hasRole(ROLES.MARKET_ROLE, timelock)).to.equal(false);
      expect(await d.settlement.hasRole(ROLES.GOVERNANCE_ROLE, market)).to.equal(false);
      expect(await d.settlement.hasRole(ROLES.DEFAULT_ADMIN_ROLE, market)).to.equal(false);
      // The guardian defaults to the deployer, as on the market.
      expect(await d.settlement.hasRole(ROLES.GUARDIAN_ROLE, d.deployer.address)).to.equal(true);
      expect(await d.settlement.hasRole(ROLES.GUARDIAN_ROLE, timelock)).to.equal(false);
      expect(await d.settlement.paused()).to.equal(false);
    });

    it("test_deploy_marketUsesSettlementAndAllowsCredits", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      const settlement = await d.settlement.getAddress();
      expect(await d.market.SETTLEMENT()).to.equal(settlement);
      expect([...(await d.market.paymentTokens(settlement))]).to.deep.equal([true, 18n]);
      expect(await d.settlement.decimals()).to.equal(18n);
      expect(await d.settlement.GRL()).to.equal(await d.token.getAddress());
      expect(await d.settlement.oracle()).to.equal(d.oracle);
      expect(await d.market.oracle()).to.equal(d.oracle);
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
      await expect(d.market.connect(d.guardian).pause()).to.emit(d.market, "Paused").withArgs(d.guardian.address);
    });

    it("test_deploy_configuredGuardianPausesSettlement", async function () {
      const d = await networkHelpers.loadFixture(configuredDeployment);
      expect(await d.settlement.hasRole(ROLES.GUARDIAN_ROLE, d.guardian.address)).to.equal(true);
      expect(await d.settlement.hasRole(ROLES.GUARDIAN_ROLE, d.deployer.address)).to.equal(false);
      await expect(d.settlement.pause())
        .to.be.revertedWithCustomError(d.settlement, "AccessControlUnauthorizedAccount")
        .withArgs(d.deployer.address, ROLES.GUARDIAN_ROLE);
      await expect(d.settlement.connect(d.guardian).pause())
        .to.emit(d.settlement, "Paused")
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

    it("test_deploy_defaultSettlementSettings", async function () {
      const d = await networkHelpers.loadFixture(defaultDeployment);
      expect(await d.settlement.EPOCH_LENGTH()).to.equal(DEFAULT_SETTLEMENT.epochLength);
      expect(await d.settlement.spreadBps()).to.equal(DEFAULT_SETTLEMENT.spreadBps);
      expect(await d.settlement.mintCapPerEpoch()).to.equal(DEFAULT_SETTLEMENT.mintCapPerEpoch);
      expect(await d.settlement.emissionBudgetPerEpoch()).to.equal(DEFAULT_SETTLEMENT.emissionBudgetPerEpoch);
      expect(await d.settlement.currentEpoch()).to.equal(0n);
      expect(DEFAULT_SETTLEMENT).to.deep.equal({
        epochLength: 7n * DAY,
        spreadBps: 25n,
        mintCapPerEpoch: 1_000_000n * GRL,
        emissionBudgetPerEpoch: 250_000n * GRL,
      });
    });

    it("test_deploy_configuredSettlementSettings", async function () {
      const d = await networkHelpers.loadFixture(configuredDeployment);
      expect(await d.settlement.EPOCH_LENGTH()).to.equal(CONFIGURED_SETTLEMENT.epochLength);
      expect(await d.settlement.spreadBps()).to.equal(CONFIGURED_SETTLEMENT.spreadBps);
      expect(await d.settlement.mintCapPerEpoch()).to.equal(CONFIGURED_SETTLEMENT.mintCapPerEpoch);
      expect(await d.settlement.emissionBudgetPerEpoch()).to.equal(CONFIGURED_SETTLEMENT.emissionBudgetPerEpoch);
    });
  });

  describe("public module", function () {
    /** A feed and a stablecoin for the public module, which takes them as addresses. */
    async function externals() {
      const feed = await ethers.deployContract("MockAggregatorV3", [8, 50_000_000n]);
      const usdc = await ethers.deployContract("MockStablecoin", ["USD Coin", "USDC", 6]);
      return { grlUsdFeed: await feed.getAddress(), stablecoin: await usdc.getAddress() };
    }

    for (const missing of ["treasury", "arbiter", "guardian"] as const) {
      it(`test_deploy_publicModuleRequires_${missing}_noDeployerDefault`, async function () {
        const signers = await ethers.getSigners();
        const roles = { treasury: signers[1].address, arbiter: signers[2].address, guardian: signers[3].address };
        const { [missing]: _, ...others } = roles;
        const parameters = { Gridlease: { ...(await externals()), ...others } };
        const error = await ignition.deploy(GridleaseModule, { parameters: parameters as never }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.match(new RegExp(`Module parameter '${missing}' requires a value`));
      });
    }

    it("test_deploy_publicModuleGivesEachRoleToItsParameter", async function () {
      const signers = await ethers.getSigners();
      const [deployer, treasury, arbiter, guardian] = signers;
      const parameters = {
        Gridlease: {
          ...(await externals()),
          treasury: treasury.address,
          arbiter: arbiter.address,
          guardian: guardian.address,
        },
      };
      const deployed = await ignition.deploy(GridleaseModule, { parameters: parameters as never });
      const market = JobMarket__factory.connect(await deployed.market.getAddress(), deployer);
      const token = GridleaseToken__factory.connect(await deployed.token.getAddress(), deployer);
      expect(await market.treasury()).to.equal(treasury.address);
      expect(await market.hasRole(ROLES.ARBITER_ROLE, arbiter.address)).to.equal(true);
      expect(await market.hasRole(ROLES.GUARDIAN_ROLE, guardian.address)).to.equal(true);
      expect(await token.balanceOf(treasury.address)).to.equal(await token.totalSupply());
      for (const role of [ROLES.ARBITER_ROLE, ROLES.GUARDIAN_ROLE, ROLES.DEFAULT_ADMIN_ROLE]) {
        expect(await market.hasRole(role, deployer.address)).to.equal(false);
      }
      expect(await token.balanceOf(deployer.address)).to.equal(0n);
    });
  });
  describe("L2 module (sequencer guard)", function () {
    /** Sequencer uptime feed answers. */
    const UP = 0n;
    const DOWN = 1n;

    /** GridleaseL2 deployed with a GRL/USD feed, USDC, roles and an uptime feed whose sequencer is up since two hours. */
    async function l2Deployment(extra: Record<string, unknown> = {}) {
      const [deployer, treasury, arbiter, guardian, renter] = await ethers.getSigners();
      const priceFeed = await ethers.deployContract("MockAggregatorV3", [8, 50_000_000n]);
      const usdc = await ethers.deployContract("MockStablecoin", ["USD Coin", "USDC", 6]);
      const uptime = await ethers.deployContract("MockAggregatorV3", [0, UP]);
      await (await uptime.setRound(1n, UP, BigInt(await networkHelpers.time.latest()) - 2n * HOUR, 1n)).wait();
      const parameters = {
        GridleaseL2: {
          grlUsdFeed: await priceFeed.getAddress(),
          stablecoin: await usdc.getAddress(),
          treasury: treasury.address,
          arbiter: arbiter.address,
          guardian: guardian.address,
          sequencerUptimeFeed: await uptime.getAddress(),
          ...extra,
        },
      };
      const deployed = await ignition.deploy(GridleaseL2Module, { parameters: parameters as never });
      const at = async (c: { getAddress(): Promise<string> }) => c.getAddress();
      return {
        deployer,
        treasury,
        renter,
        priceFeed,
        uptime: MockAggregatorV3__factory.connect(await uptime.getAddress(), deployer),
        usdc: MockStablecoin__factory.connect(await usdc.getAddress(), deployer),
        token: GridleaseToken__factory.connect(await at(deployed.token), deployer),
        market: JobMarket__factory.connect(await at(deployed.market), deployer),
        settlement: Settlement__factory.connect(await at(deployed.settlement), deployer),
        guard: SequencerGuardedOracle__factory.connect(await at(deployed.oracle), deployer),
        chainlink: ChainlinkPriceOracle__factory.connect(await at(deployed.chainlinkOracle), deployer),
      };
    }

    async function defaultL2Deployment() {
      return l2Deployment();
    }

    /** Reports the sequencer down since the next block. */
    async function sequencerDown(d: Awaited<ReturnType<typeof l2Deployment>>): Promise<bigint> {
      const since = BigInt(await networkHelpers.time.latest()) + 1n;
      const roundId = (await d.uptime.latestRoundData())[0] + 1n;
      await networkHelpers.time.setNextBlockTimestamp(since);
      await (await d.uptime.setRound(roundId, DOWN, since, roundId)).wait();
      return since;
    }

    it("test_deployL2_wiresTheGuardedOracleIntoSettlementAndMarket", async function () {
      const d = await networkHelpers.loadFixture(defaultL2Deployment);
      const guard = await d.guard.getAddress();
      expect(await d.settlement.oracle()).to.equal(guard);
      expect(await d.market.oracle()).to.equal(guard);
      expect(await d.guard.PRICE_ORACLE()).to.equal(await d.chainlink.getAddress());
      expect(await d.guard.SEQUENCER_UPTIME_FEED()).to.equal(await d.uptime.getAddress());
      expect(await d.guard.GRACE_PERIOD()).to.equal(DEFAULT_SEQUENCER_GRACE_PERIOD);
      expect(DEFAULT_SEQUENCER_GRACE_PERIOD).to.equal(HOUR);
      expect(await d.chainlink.FEED()).to.equal(await d.priceFeed.getAddress());
      expect(await d.guard.grlUsdPrice()).to.equal(50_000_000n * 10n ** 10n);
    });

    it("test_deployL2_takesTheGracePeriodParameter", async function () {
      const d = await l2Deployment({ sequencerGracePeriod: 2n * HOUR });
      expect(await d.guard.GRACE_PERIOD()).to.equal(2n * HOUR);
    });

    it("test_deployL2_requiresTheUptimeFeed", async function () {
      const [, treasury, arbiter, guardian] = await ethers.getSigners();
      const priceFeed = await ethers.deployContract("MockAggregatorV3", [8, 50_000_000n]);
      const usdc = await ethers.deployContract("MockStablecoin", ["USD Coin", "USDC", 6]);
      const parameters = {
        GridleaseL2: {
          grlUsdFeed: await priceFeed.getAddress(),
          stablecoin: await usdc.getAddress(),
          treasury: treasury.address,
          arbiter: arbiter.address,
          guardian: guardian.address,
        },
      };
      const error = await ignition.deploy(GridleaseL2Module, { parameters: parameters as never }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.match(/Module parameter 'sequencerUptimeFeed' requires a value/);
    });

    it("test_deployL2_sequencerDownStopsCreditPurchases", async function () {
      const d = await networkHelpers.loadFixture(defaultL2Deployment);
      const settlement = await d.settlement.getAddress();
      await (await d.token.connect(d.treasury).transfer(d.renter.address, 100n * GRL)).wait();
      await (await d.token.connect(d.renter).approve(settlement, 100n * GRL)).wait();
      const since = await sequencerDown(d);
      await expect(d.settlement.connect(d.renter).buyCredits(d.renter.address, 100n * GRL, 0n))
        .to.be.revertedWithCustomError(d.guard, "OracleSequencerDown")
        .withArgs(DOWN, since);
      expect(await d.token.balanceOf(d.renter.address)).to.equal(100n * GRL);

      // Back up: refused for the grace period, then the purchase goes through at the feed's price.
      const upSince = since + 600n;
      await networkHelpers.time.setNextBlockTimestamp(upSince);
      const roundId = (await d.uptime.latestRoundData())[0] + 1n;
      await (await d.uptime.setRound(roundId, UP, upSince, roundId)).wait();
      await networkHelpers.time.setNextBlockTimestamp(upSince + DEFAULT_SEQUENCER_GRACE_PERIOD);
      await expect(d.settlement.connect(d.renter).buyCredits(d.renter.address, 100n * GRL, 0n))
        .to.be.revertedWithCustomError(d.guard, "OracleSequencerRecovering")
        .withArgs(upSince, DEFAULT_SEQUENCER_GRACE_PERIOD, upSince + DEFAULT_SEQUENCER_GRACE_PERIOD);
      await networkHelpers.time.setNextBlockTimestamp(upSince + DEFAULT_SEQUENCER_GRACE_PERIOD + 1n);
      await (await d.priceFeed.setAnswer(50_000_000n)).wait();
      await expect(d.settlement.connect(d.renter).buyCredits(d.renter.address, 100n * GRL, 0n)).to.emit(
        d.settlement,
        "CreditsPurchased",
      );
    });

    it("test_deployL2_sequencerDownStopsJobCreation", async function () {
      const d = await networkHelpers.loadFixture(defaultL2Deployment);
      const request = {
        paymentToken: await d.usdc.getAddress(),
        gpuModel: H100,
        gpuCount: 1,
        minVramGb: 80,
        region: 0,
        minReputation: 0,
        duration: HOUR,
        reservePricePerGpuHour: 2n * USDC,
        pricingRule: FIRST_PRICE,
        bidWindow: HOUR,
        revealWindow: HOUR,
        specHash: SPEC_HASH,
      };
      await (await d.usdc.mint(d.renter.address, 2n * USDC)).wait();
      await (await d.usdc.connect(d.renter).approve(await d.market.getAddress(), 2n * USDC)).wait();
      const since = await sequencerDown(d);
      await expect(d.market.connect(d.renter).createJob(request))
        .to.be.revertedWithCustomError(d.guard, "OracleSequencerDown")
        .withArgs(DOWN, since);
      expect(await d.market.jobCount()).to.equal(0n);
      expect(await d.usdc.balanceOf(d.renter.address)).to.equal(2n * USDC);
    });

    it("test_deployL1_publicModuleHasNoGuard", async function () {
      // Without the L2 module nothing changes: the settlement and the market read the Chainlink adapter.
      const [deployer, treasury, arbiter, guardian] = await ethers.getSigners();
      const priceFeed = await ethers.deployContract("MockAggregatorV3", [8, 50_000_000n]);
      const usdc = await ethers.deployContract("MockStablecoin", ["USD Coin", "USDC", 6]);
      const parameters = {
        Gridlease: {
          grlUsdFeed: await priceFeed.getAddress(),
          stablecoin: await usdc.getAddress(),
          treasury: treasury.address,
          arbiter: arbiter.address,
          guardian: guardian.address,
        },
      };
      const deployed = await ignition.deploy(GridleaseModule, { parameters: parameters as never });
      expect(Object.keys(deployed)).to.not.include("chainlinkOracle");
      const oracle = ChainlinkPriceOracle__factory.connect(await deployed.oracle.getAddress(), deployer);
      expect(await oracle.FEED()).to.equal(await priceFeed.getAddress());
      const settlement = Settlement__factory.connect(await deployed.settlement.getAddress(), deployer);
      const market = JobMarket__factory.connect(await deployed.market.getAddress(), deployer);
      expect(await settlement.oracle()).to.equal(await oracle.getAddress());
      expect(await market.oracle()).to.equal(await oracle.getAddress());
    });
  });
});
