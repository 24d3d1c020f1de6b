import { expect } from "chai";
import { network } from "hardhat";

import {
  DAY,
  EMISSION_BUDGET_PER_EPOCH,
  EPOCH_LENGTH,
  FEED_DECIMALS,
  MINT_CAP_PER_EPOCH,
  ORACLE_HEARTBEAT,
  ORACLE_MAX_ANSWER,
  ORACLE_MIN_ANSWER,
  SPREAD_BPS,
} from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import {
  creditsFor,
  grantGuardian,
  grantMarketRole,
  grlFor,
  MAX_EMISSION_BUDGET_PER_EPOCH,
  MAX_MINT_CAP_PER_EPOCH,
  MAX_SPREAD_BPS,
  MIN_MINT_CAP_PER_EPOCH,
  Parameter,
  PRICE,
  price18,
  type SettlementFixture,
  settlementFixtures,
  USD,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture } = settlementFixtures(ethers);

const MIN_EPOCH_LENGTH = DAY;
const MAX_EPOCH_LENGTH = 90n * DAY;

/** Constructor arguments of the fixture's settlement, with `overrides`. */
async function constructorArgs(
  f: SettlementFixture,
  overrides: Partial<{
    grl: string;
    oracle: string;
    admin: string;
    epochLength: bigint;
    spread: bigint;
    cap: bigint;
    budget: bigint;
  }> = {},
) {
  const a = {
    grl: await f.token.getAddress(),
    oracle: await f.oracle.getAddress(),
    admin: f.admin.address,
    epochLength: EPOCH_LENGTH,
    spread: SPREAD_BPS,
    cap: MINT_CAP_PER_EPOCH,
    budget: EMISSION_BUDGET_PER_EPOCH,
    ...overrides,
  };
  return [a.grl, a.oracle, a.admin, a.epochLength, a.spread, a.cap, a.budget] as const;
}

/** A second oracle over a $2.00 feed. */
async function otherOracle() {
  const feed = await ethers.deployContract("MockAggregatorV3", [FEED_DECIMALS, 200_000_000n]);
  return ethers.deployContract("ChainlinkPriceOracle", [
    await feed.getAddress(),
    ORACLE_HEARTBEAT,
    ORACLE_MIN_ANSWER,
    ORACLE_MAX_ANSWER,
  ]);
}

describe("Settlement: governance", function () {
  describe("constructor", function () {
    it("test_constructor_setsParametersAndRoles", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const s = f.settlement;
      expect(await s.GRL()).to.equal(await f.token.getAddress());
      expect(await s.oracle()).to.equal(await f.oracle.getAddress());
      expect(await s.EPOCH_LENGTH()).to.equal(EPOCH_LENGTH);
      expect(await s.spreadBps()).to.equal(SPREAD_BPS);
      expect(await s.mintCapPerEpoch()).to.equal(MINT_CAP_PER_EPOCH);
      expect(await s.emissionBudgetPerEpoch()).to.equal(EMISSION_BUDGET_PER_EPOCH);
      expect(await s.hasRole(await s.DEFAULT_ADMIN_ROLE(), f.admin.address)).to.equal(true);
      expect(await s.hasRole(await s.GOVERNANCE_ROLE(), f.admin.address)).to.equal(true);
      // No guardian in the fixture: the admin grants it.
      expect(await s.hasRole(await s.GUARDIAN_ROLE(), f.admin.address)).to.equal(false);
      expect(await s.MARKET_ROLE()).to.equal(ethers.id("MARKET_ROLE"));
      expect(await s.GOVERNANCE_ROLE()).to.equal(ethers.id("GOVERNANCE_ROLE"));
      expect(await s.GUARDIAN_ROLE()).to.equal(ethers.id("GUARDIAN_ROLE"));
      expect(await s.paused()).to.equal(false);
      expect(await s.ticketCount()).to.equal(0n);
    });

    it("test_constructor_hardBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const s = f.settlement;
      expect(await s.MAX_SPREAD_BPS()).to.equal(MAX_SPREAD_BPS);
      expect(await s.MIN_MINT_CAP_PER_EPOCH()).to.equal(MIN_MINT_CAP_PER_EPOCH);
      expect(await s.MAX_MINT_CAP_PER_EPOCH()).to.equal(MAX_MINT_CAP_PER_EPOCH);
      expect(await s.MAX_EMISSION_BUDGET_PER_EPOCH()).to.equal(MAX_EMISSION_BUDGET_PER_EPOCH);
      expect(await s.MIN_EPOCH_LENGTH()).to.equal(MIN_EPOCH_LENGTH);
      expect(await s.MAX_EPOCH_LENGTH()).to.equal(MAX_EPOCH_LENGTH);
    });

    it("test_constructor_emitsInitialParameters", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const deployed = await ethers.deployContract("Settlement", [...(await constructorArgs(f))]);
      const tx = deployed.deploymentTransaction()!;
      await expect(tx)
        .to.emit(deployed, "OracleSet")
        .withArgs(ethers.ZeroAddress, await f.oracle.getAddress());
      await expect(tx).to.emit(deployed, "SpreadSet").withArgs(0n, SPREAD_BPS);
      await expect(tx).to.emit(deployed, "MintCapSet").withArgs(0n, MINT_CAP_PER_EPOCH);
      await expect(tx).to.emit(deployed, "EmissionBudgetSet").withArgs(0n, EMISSION_BUDGET_PER_EPOCH);
      const receipt = await tx.wait();
      const block = await ethers.provider.getBlock(receipt!.blockNumber);
      expect(await deployed.GENESIS()).to.equal(BigInt(block!.timestamp));
    });

    for (const [field, name] of [
      ["grl", "Grl"],
      ["oracle", "Oracle"],
      ["admin", "Admin"],
    ] as const) {
      it(`test_constructor_revertsForZero${name}`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const factory = await ethers.getContractFactory("Settlement");
        await expect(factory.deploy(...(await constructorArgs(f, { [field]: ethers.ZeroAddress }))))
          .to.be.revertedWithCustomError(f.settlement, "SettlementZeroAddress")
          .withArgs(field);
      });
    }

    it("test_constructor_epochLengthBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("Settlement");
      for (const bad of [0n, MIN_EPOCH_LENGTH - 1n, MAX_EPOCH_LENGTH + 1n]) {
        await expect(factory.deploy(...(await constructorArgs(f, { epochLength: bad }))))
          .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
          .withArgs(Parameter.EpochLength, bad, MIN_EPOCH_LENGTH, MAX_EPOCH_LENGTH);
      }
      for (const good of [MIN_EPOCH_LENGTH, MAX_EPOCH_LENGTH]) {
        const deployed = await factory.deploy(...(await constructorArgs(f, { epochLength: good })));
        expect(await deployed.EPOCH_LENGTH()).to.equal(good);
      }
    });

    it("test_constructor_checksInitialParameterBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("Settlement");
      await expect(factory.deploy(...(await constructorArgs(f, { spread: MAX_SPREAD_BPS + 1n }))))
        .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
        .withArgs(Parameter.SpreadBps, MAX_SPREAD_BPS + 1n, 0n, MAX_SPREAD_BPS);
      await expect(factory.deploy(...(await constructorArgs(f, { cap: 0n }))))
        .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
        .withArgs(Parameter.MintCapPerEpoch, 0n, MIN_MINT_CAP_PER_EPOCH, MAX_MINT_CAP_PER_EPOCH);
      await expect(factory.deploy(...(await constructorArgs(f, { budget: MAX_EMISSION_BUDGET_PER_EPOCH + 1n }))))
        .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
        .withArgs(
          Parameter.EmissionBudgetPerEpoch,
          MAX_EMISSION_BUDGET_PER_EPOCH + 1n,
          0n,
          MAX_EMISSION_BUDGET_PER_EPOCH,
        );
    });
  });

  describe("setSpreadBps", function () {
    it("test_setSpreadBps_setsAndEmits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.admin).setSpreadBps(100))
        .to.emit(f.settlement, "SpreadSet")
        .withArgs(SPREAD_BPS, 100n);
      expect(await f.settlement.spreadBps()).to.equal(100n);
      // The next purchase pays the new spread.
      expect(await f.settlement.quoteCredits(1_000n * GRL)).to.equal(creditsFor(1_000n * GRL, PRICE, 100n));
    });

    it("test_setSpreadBps_bounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.admin).setSpreadBps(0))
        .to.emit(f.settlement, "SpreadSet")
        .withArgs(SPREAD_BPS, 0n);
      await expect(f.settlement.connect(f.admin).setSpreadBps(MAX_SPREAD_BPS))
        .to.emit(f.settlement, "SpreadSet")
        .withArgs(0n, MAX_SPREAD_BPS);
      await expect(f.settlement.connect(f.admin).setSpreadBps(MAX_SPREAD_BPS + 1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
        .withArgs(Parameter.SpreadBps, MAX_SPREAD_BPS + 1n, 0n, MAX_SPREAD_BPS);
      expect(await f.settlement.spreadBps()).to.equal(MAX_SPREAD_BPS);
    });

    it("test_setSpreadBps_revertsForNonGovernance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await grantMarketRole(f);
      const role = await f.settlement.GOVERNANCE_ROLE();
      for (const caller of [f.outsider, f.guardian, f.marketEoa]) {
        await expect(f.settlement.connect(caller).setSpreadBps(0))
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });
  });

  describe("setMintCapPerEpoch", function () {
    it("test_setMintCapPerEpoch_setsAndEmits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.admin).setMintCapPerEpoch(5n * GRL))
        .to.emit(f.settlement, "MintCapSet")
        .withArgs(MINT_CAP_PER_EPOCH, 5n * GRL);
      expect(await f.settlement.mintCapPerEpoch()).to.equal(5n * GRL);
      // It applies to the current epoch at once.
      expect(await f.settlement.mintCapRemaining()).to.equal(5n * GRL);
    });

    it("test_setMintCapPerEpoch_bounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      for (const bad of [0n, MIN_MINT_CAP_PER_EPOCH - 1n, MAX_MINT_CAP_PER_EPOCH + 1n]) {
        await expect(f.settlement.connect(f.admin).setMintCapPerEpoch(bad))
          .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
          .withArgs(Parameter.MintCapPerEpoch, bad, MIN_MINT_CAP_PER_EPOCH, MAX_MINT_CAP_PER_EPOCH);
      }
      await expect(f.settlement.connect(f.admin).setMintCapPerEpoch(MIN_MINT_CAP_PER_EPOCH))
        .to.emit(f.settlement, "MintCapSet")
        .withArgs(MINT_CAP_PER_EPOCH, MIN_MINT_CAP_PER_EPOCH);
      await expect(f.settlement.connect(f.admin).setMintCapPerEpoch(MAX_MINT_CAP_PER_EPOCH))
        .to.emit(f.settlement, "MintCapSet")
        .withArgs(MIN_MINT_CAP_PER_EPOCH, MAX_MINT_CAP_PER_EPOCH);
    });

    it("test_setMintCapPerEpoch_revertsForNonGovernance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await f.settlement.GOVERNANCE_ROLE();
      await expect(f.settlement.connect(f.outsider).setMintCapPerEpoch(GRL))
        .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, role);
    });
  });

  describe("setEmissionBudgetPerEpoch", function () {
    it("test_setEmissionBudgetPerEpoch_setsAndEmits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(7n * GRL))
        .to.emit(f.settlement, "EmissionBudgetSet")
        .withArgs(EMISSION_BUDGET_PER_EPOCH, 7n * GRL);
      expect(await f.settlement.emissionBudgetPerEpoch()).to.equal(7n * GRL);
    });

    it("test_setEmissionBudgetPerEpoch_bounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(0n))
        .to.emit(f.settlement, "EmissionBudgetSet")
        .withArgs(EMISSION_BUDGET_PER_EPOCH, 0n);
      await expect(f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(MAX_EMISSION_BUDGET_PER_EPOCH))
        .to.emit(f.settlement, "EmissionBudgetSet")
        .withArgs(0n, MAX_EMISSION_BUDGET_PER_EPOCH);
      await expect(f.settlement.connect(f.admin).setEmissionBudgetPerEpoch(MAX_EMISSION_BUDGET_PER_EPOCH + 1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
        .withArgs(
          Parameter.EmissionBudgetPerEpoch,
          MAX_EMISSION_BUDGET_PER_EPOCH + 1n,
          0n,
          MAX_EMISSION_BUDGET_PER_EPOCH,
        );
    });

    it("test_setEmissionBudgetPerEpoch_revertsForNonGovernance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await f.settlement.GOVERNANCE_ROLE();
      await expect(f.settlement.connect(f.outsider).setEmissionBudgetPerEpoch(0n))
        .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, role);
    });
  });

  describe("setOracle", function () {
    it("test_setOracle_setsAndEmits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const next = await otherOracle();
      const nextAddress = await next.getAddress();
      await expect(f.settlement.connect(f.admin).setOracle(nextAddress))
        .to.emit(f.settlement, "OracleSet")
        .withArgs(await f.oracle.getAddress(), nextAddress);
      expect(await f.settlement.oracle()).to.equal(nextAddress);
      // Purchases and withdrawals price from the new oracle ($2.00).
      expect(await f.settlement.quoteCredits(GRL)).to.equal(creditsFor(GRL, price18(200_000_000n)));
      expect(await f.settlement.quoteGrl(100n * USD)).to.equal(grlFor(100n * USD, price18(200_000_000n)));
    });

    it("test_setOracle_revertsForZeroAddress", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.admin).setOracle(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.settlement, "SettlementZeroAddress")
        .withArgs("oracle");
    });

    it("test_setOracle_revertsForNonGovernance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await f.settlement.GOVERNANCE_ROLE();
      const next = await otherOracle();
      await expect(f.settlement.connect(f.outsider).setOracle(await next.getAddress()))
        .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, role);
    });

    it("test_setOracle_governanceRoleWithoutAdminSuffices", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).grantRole(await f.settlement.GOVERNANCE_ROLE(), f.dave.address);
      const next = await otherOracle();
      await expect(f.settlement.connect(f.dave).setOracle(await next.getAddress())).to.emit(f.settlement, "OracleSet");
    });
  });

  describe("pause", function () {
    it("test_pause_onlyGuardian", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await f.settlement.GUARDIAN_ROLE();
      // Governance cannot pause on its own: the admin must grant the guardian role first.
      for (const caller of [f.admin, f.outsider]) {
        await expect(f.settlement.connect(caller).pause())
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      await grantGuardian(f);
      await expect(f.settlement.connect(f.guardian).pause())
        .to.emit(f.settlement, "Paused")
        .withArgs(f.guardian.address);
      expect(await f.settlement.paused()).to.equal(true);
    });

    it("test_pause_revertsWhenAlreadyPaused", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.guardian).pause()).to.be.revertedWithCustomError(
        f.settlement,
        "EnforcedPause",
      );
    });

    it("test_unpause_onlyGuardian", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      const role = await f.settlement.GUARDIAN_ROLE();
      for (const caller of [f.admin, f.outsider]) {
        await expect(f.settlement.connect(caller).unpause())
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      await expect(f.settlement.connect(f.guardian).unpause())
        .to.emit(f.settlement, "Unpaused")
        .withArgs(f.guardian.address);
      expect(await f.settlement.paused()).to.equal(false);
    });

    it("test_unpause_revertsWhenNotPaused", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await expect(f.settlement.connect(f.guardian).unpause()).to.be.revertedWithCustomError(
        f.settlement,
        "ExpectedPause",
      );
    });

    it("test_pause_gatesPurchasesOnly", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n)).to.be.revertedWithCustomError(
        f.settlement,
        "EnforcedPause",
      );
      // Governance keeps working while paused.
      await expect(f.settlement.connect(f.admin).setSpreadBps(0)).to.emit(f.settlement, "SpreadSet");
      await f.settlement.connect(f.guardian).unpause();
      await expect(f.settlement.connect(f.renter).buyCredits(f.renter.address, GRL, 0n)).to.emit(
        f.settlement,
        "CreditsPurchased",
      );
    });
  });

  describe("views", function () {
    it("test_decimals_is18", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.settlement.decimals()).to.equal(18n);
      // The market allow-listed the credits with those decimals.
      const token = await f.market.paymentTokens(f.settlementAddress);
      expect([token.allowed, token.decimals]).to.deep.equal([true, 18n]);
    });

    it("test_currentEpoch_andEpochStart", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const genesis = await f.settlement.GENESIS();
      expect(await f.settlement.currentEpoch()).to.equal(0n);
      expect(await f.settlement.epochStart(0n)).to.equal(genesis);
      expect(await f.settlement.epochStart(1n)).to.equal(genesis + EPOCH_LENGTH);
      expect(await f.settlement.epochStart(52n)).to.equal(genesis + 52n * EPOCH_LENGTH);
      await networkHelpers.time.increaseTo(genesis + EPOCH_LENGTH - 1n);
      expect(await f.settlement.currentEpoch()).to.equal(0n);
      await networkHelpers.time.increaseTo(genesis + EPOCH_LENGTH);
      expect(await f.settlement.currentEpoch()).to.equal(1n);
      await networkHelpers.time.increaseTo(genesis + 5n * EPOCH_LENGTH + 123n);
      expect(await f.settlement.currentEpoch()).to.equal(5n);
    });

    it("test_mintCapRemaining_resetsEachEpoch", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await grantMarketRole(f);
      await f.settlement.connect(f.renter).buyCredits(f.renter.address, 1_000n * GRL, 0n);
      await f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, 10n * USD);
      await f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, 10n * USD, 500_000_000n);
      await f.settlement.connect(f.alice).withdrawEarnings(f.alice.address);
      expect(await f.settlement.mintCapRemaining()).to.equal(MINT_CAP_PER_EPOCH - 20n * GRL);
      await networkHelpers.time.increaseTo(await f.settlement.epochStart(1n));
      expect(await f.settlement.mintCapRemaining()).to.equal(MINT_CAP_PER_EPOCH);
      expect(await f.settlement.mintedInEpoch(0n)).to.equal(20n * GRL);
    });

    it("test_quotes_followThePriceAndSpread", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.settlement.quoteCredits(1_000n * GRL)).to.equal(creditsFor(1_000n * GRL, PRICE));
      expect(await f.settlement.quoteGrl(100n * USD)).to.equal(200n * GRL);
      await f.feed.setAnswer(80_000_000n);
      expect(await f.settlement.quoteCredits(1_000n * GRL)).to.equal(creditsFor(1_000n * GRL, price18(80_000_000n)));
      expect(await f.settlement.quoteGrl(100n * USD)).to.equal(125n * GRL);
      await f.feed.setAnswer(0n);
      await expect(f.settlement.quoteGrl(USD)).to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer");
    });
  });
});
