import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, commitBid, createJob, jobRequest, revealBid } from "../../kit/jobs.ts";
import {
  DAY,
  DEFAULT_PARAMS,
  FEED_DECIMALS,
  HOUR,
  JobState,
  type MarketFixture,
  ORACLE_HEARTBEAT,
  ORACLE_MAX_ANSWER,
  ORACLE_MIN_ANSWER,
  PROVIDER_FAULT,
  USDC,
} from "../../kit/market.ts";
import { GRL } from "../../kit/protocol.ts";
import {
  BUDGET,
  COLLATERAL,
  PARAM_BOUNDS,
  PARAM_KEYS,
  Parameter,
  type ParamKey,
  params,
  paramsObject,
  paramsTuple,
  setParams,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

const P15 = (15n * USDC) / 10n;

const PARAMETER_ENUM: Record<ParamKey, bigint> = {
  feeBps: Parameter.FeeBps,
  collateralBps: Parameter.CollateralBps,
  holdbackBps: Parameter.HoldbackBps,
  slashToRenterBps: Parameter.SlashToRenterBps,
  faultSlashBps: Parameter.FaultSlashBps,
  disputeBondBps: Parameter.DisputeBondBps,
  maxBids: Parameter.MaxBids,
  bidBond: Parameter.BidBond,
  bidBondBps: Parameter.BidBondBps,
  startWindow: Parameter.StartWindow,
  challengeWindow: Parameter.ChallengeWindow,
  disputeTimeout: Parameter.DisputeTimeout,
  deliveryGrace: Parameter.DeliveryGrace,
};

/** Runs `jobId` (awarded to alice) through start, immediate delivery and settlement after the challenge window. */
async function settle(f: MarketFixture, jobId: bigint): Promise<void> {
  await f.market.connect(f.alice).startJob(jobId);
  await f.market.connect(f.alice).deliver(jobId, ethers.id("result"), "ipfs://result");
  await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
  await f.market.settle(jobId);
}

describe("JobMarket: governance", function () {
  describe("setMarketParams bounds", function () {
    for (const key of PARAM_KEYS) {
      const [min, max] = PARAM_BOUNDS[key];
      const parameter = PARAMETER_ENUM[key];

      if (min > 0n) {
        it(`test_setMarketParams_${key}RevertsBelowFloor`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          await expect(f.market.connect(f.admin).setMarketParams(params({ [key]: min - 1n })))
            .to.be.revertedWithCustomError(f.market, "MarketParameterOutOfBounds")
            .withArgs(parameter, min - 1n, min, max);
          expect(await f.market.currentParamsId()).to.equal(1n);
        });
      }

      it(`test_setMarketParams_${key}AcceptsFloor`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const p = params({ [key]: min });
        await expect(f.market.connect(f.admin).setMarketParams(p))
          .to.emit(f.market, "MarketParamsSet")
          .withArgs(2n, paramsTuple(p));
        expect(await f.market.currentParamsId()).to.equal(2n);
        expect(await paramsObject(f, 2n)).to.deep.equal(p);
      });

      it(`test_setMarketParams_${key}AcceptsCeiling`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const p = params({ [key]: max });
        await expect(f.market.connect(f.admin).setMarketParams(p))
          .to.emit(f.market, "MarketParamsSet")
          .withArgs(2n, paramsTuple(p));
        expect(await paramsObject(f, 2n)).to.deep.equal(p);
      });

      it(`test_setMarketParams_${key}RevertsAboveCeiling`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await expect(f.market.connect(f.admin).setMarketParams(params({ [key]: max + 1n })))
          .to.be.revertedWithCustomError(f.market, "MarketParameterOutOfBounds")
          .withArgs(parameter, max + 1n, min, max);
        expect(await f.market.currentParamsId()).to.equal(1n);
      });
    }

    it("test_setMarketParams_reportsFirstOutOfBoundsParameter", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(
        f.market.connect(f.admin).setMarketParams(params({ maxBids: 0n, feeBps: 501n, deliveryGrace: DAY + 1n })),
      )
        .to.be.revertedWithCustomError(f.market, "MarketParameterOutOfBounds")
        .withArgs(Parameter.FeeBps, 501n, 0n, 500n);
    });

    it("test_setMarketParams_feeCapIsMaxFeeBps", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.MAX_FEE_BPS()).to.equal(PARAM_BOUNDS.feeBps[1]);
    });

    it("test_setMarketParams_appendsParameterSets", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.currentParamsId()).to.equal(1n);
      expect(await paramsObject(f, 1n)).to.deep.equal(params());
      const second = params({ feeBps: 100n });
      const third = params({ feeBps: 300n, maxBids: 8n });
      await f.market.connect(f.admin).setMarketParams(second);
      await expect(f.market.connect(f.admin).setMarketParams(third))
        .to.emit(f.market, "MarketParamsSet")
        .withArgs(3n, paramsTuple(third));
      expect(await f.market.currentParamsId()).to.equal(3n);
      // Earlier sets are kept for the jobs that use them.
      expect(await paramsObject(f, 1n)).to.deep.equal(params());
      expect(await paramsObject(f, 2n)).to.deep.equal(second);
      expect(await paramsObject(f, 3n)).to.deep.equal(third);
    });
  });

  describe("parameter snapshots", function () {
    it("test_setMarketParams_jobsKeepTheirParamsId", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const before = await createJob(f);
      await setParams(f, { feeBps: 500n, collateralBps: 5_000n });
      const after = await createJob(f);
      expect((await f.market.jobOf(before)).paramsId).to.equal(1n);
      expect((await f.market.jobOf(after)).paramsId).to.equal(2n);
      expect((await f.market.marketParams(1n)).feeBps).to.equal(250n);
      expect((await f.market.marketParams(2n)).feeBps).to.equal(500n);
      // Collateral was sized with each job's own collateralBps: 30% vs 50% of $80 at $0.50.
      expect((await f.market.jobOf(before)).collateral).to.equal(COLLATERAL);
      expect((await f.market.jobOf(after)).collateral).to.equal(80n * GRL);
    });

    it("test_setMarketParams_jobCreatedBeforeFeeChangePaysOldFee", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const old = await awardedJob(f, networkHelpers, [[f.alice, P15]]);
      // Governance raises the fee to the cap and stretches the challenge window.
      await setParams(f, { feeBps: 500n, challengeWindow: 3n * DAY });
      const t = BigInt(await networkHelpers.time.latest()) + 10n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.alice).startJob(old);
      await networkHelpers.time.setNextBlockTimestamp(t + 10n);
      await f.market.connect(f.alice).deliver(old, ethers.id("result"), "ipfs://result");
      // The old job's challenge window is still the default 1 day.
      expect((await f.market.jobOf(old)).deadline).to.equal(t + 10n + DAY);
      await networkHelpers.time.increaseTo(t + 10n + DAY);
      // Value 60 USDC at the old 250 bps: 1.5 USDC fee (500 bps would be 3 USDC).
      await expect(f.market.settle(old))
        .to.emit(f.market, "JobSettled")
        .withArgs(
          old,
          f.renter.address,
          f.alice.address,
          usdc,
          60n * USDC,
          60n * USDC,
          (15n * USDC) / 10n,
          0n,
          0n,
          (v: bigint) => v > 0n,
        );
      expect(await f.market.balanceOf(usdc, f.treasury.address)).to.equal((15n * USDC) / 10n);
      expect(await f.market.balanceOf(usdc, f.alice.address)).to.equal(60n * USDC - (15n * USDC) / 10n);
    });

    it("test_setMarketParams_jobCreatedAfterFeeChangePaysNewFee", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      await setParams(f, { feeBps: 500n });
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, P15]]);
      await settle(f, jobId);
      expect(await f.market.balanceOf(usdc, f.treasury.address)).to.equal(3n * USDC);
    });
  });

  describe("setPaymentToken", function () {
    it("test_setPaymentToken_allowListsWithDecimals", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const eur = await ethers.deployContract("MockStablecoin", ["Euro (mock)", "EURC", 2]);
      const eurAddress = await eur.getAddress();
      expect([...(await f.market.paymentTokens(eurAddress))]).to.deep.equal([false, 0n]);
      await expect(f.market.connect(f.admin).setPaymentToken(eurAddress, true))
        .to.emit(f.market, "PaymentTokenSet")
        .withArgs(eurAddress, true, 2n);
      expect([...(await f.market.paymentTokens(eurAddress))]).to.deep.equal([true, 2n]);
      expect([...(await f.market.paymentTokens(await f.usdc.getAddress()))]).to.deep.equal([true, 6n]);
    });

    it("test_setPaymentToken_revertsAbove18Decimals", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const odd = await ethers.deployContract("MockStablecoin", ["Odd", "ODD", 19]);
      const oddAddress = await odd.getAddress();
      await expect(f.market.connect(f.admin).setPaymentToken(oddAddress, true))
        .to.be.revertedWithCustomError(f.market, "MarketTokenDecimalsUnsupported")
        .withArgs(oddAddress, 19n);
      // Delisting reads no decimals, so it always works.
      await expect(f.market.connect(f.admin).setPaymentToken(oddAddress, false))
        .to.emit(f.market, "PaymentTokenSet")
        .withArgs(oddAddress, false, 0n);
    });

    it("test_setPaymentToken_accepts18And0Decimals", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      for (const decimals of [18, 0]) {
        const token = await ethers.deployContract("MockStablecoin", ["T", "T", decimals]);
        await expect(f.market.connect(f.admin).setPaymentToken(await token.getAddress(), true))
          .to.emit(f.market, "PaymentTokenSet")
          .withArgs(await token.getAddress(), true, BigInt(decimals));
      }
    });

    it("test_setPaymentToken_revertsForAnAddressInTheCreditFloorRange", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // A working ERC-20 placed at the highest reserved address (2^64 - 1) and at the lowest ordinary one (2^64):
      // the market keeps a credit job's mint floor (at most 2^64 - 1) where it keeps a stablecoin job's token.
      const code = await ethers.provider.getCode(await f.usdc.getAddress());
      const reserved = ethers.getAddress(ethers.toBeHex((1n << 64n) - 1n, 20));
      const lowest = ethers.getAddress(ethers.toBeHex(1n << 64n, 20));
      await networkHelpers.setCode(reserved, code);
      await networkHelpers.setCode(lowest, code);
      for (const allowed of [true, false]) {
        await expect(f.market.connect(f.admin).setPaymentToken(reserved, allowed))
          .to.be.revertedWithCustomError(f.market, "MarketTokenAddressReserved")
          .withArgs(reserved);
      }
      expect([...(await f.market.paymentTokens(reserved))]).to.deep.equal([false, 0n]);
      await expect(f.market.connect(f.admin).setPaymentToken(lowest, true)).to.emit(f.market, "PaymentTokenSet");
      expect((await f.market.paymentTokens(lowest)).allowed).to.equal(true);
    });

    it("test_setPaymentToken_revertsForZeroAddress", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.connect(f.admin).setPaymentToken(ethers.ZeroAddress, true))
        .to.be.revertedWithCustomError(f.market, "MarketZeroAddress")
        .withArgs("token");
    });

    it("test_setPaymentToken_revertsForNonToken", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // No decimals() to read.
      await expect(f.market.connect(f.admin).setPaymentToken(f.outsider.address, true)).to.revert(ethers);
    });

    it("test_setPaymentToken_delistingBlocksNewJobsOnly", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const auction = await createJob(f);
      const cancellable = await createJob(f);
      await commitBid(f, f.alice, auction, P15);
      await expect(f.market.connect(f.admin).setPaymentToken(usdc, false))
        .to.emit(f.market, "PaymentTokenSet")
        .withArgs(usdc, false, 6n);
      expect([...(await f.market.paymentTokens(usdc))]).to.deep.equal([false, 6n]);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(usdc);
      // Existing jobs go on: bids, reveals, award with refund, cancellation, withdrawal.
      await commitBid(f, f.bob, auction, 2n * USDC);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(auction);
      await networkHelpers.time.increaseTo(bidDeadline);
      await revealBid(f, f.alice, auction, P15);
      await networkHelpers.time.increaseTo(revealDeadline);
      await expect(f.market.award(auction)).to.emit(f.market, "JobAwarded");
      await f.market.connect(f.renter).cancelJob(cancellable);
      expect(await f.market.balanceOf(usdc, f.renter.address)).to.equal(20n * USDC + BUDGET);
      await expect(f.market.connect(f.renter).withdraw(usdc, f.renter.address)).to.changeTokenBalances(
        ethers,
        f.usdc,
        [f.renter, f.market],
        [20n * USDC + BUDGET, -(20n * USDC + BUDGET)],
      );
      // Listing again reopens job creation.
      await f.market.connect(f.admin).setPaymentToken(usdc, true);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f))).not.to.revert(ethers);
    });
  });

  describe("setTreasury", function () {
    it("test_setTreasury_emitsAndStores", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.treasury()).to.equal(f.treasury.address);
      await expect(f.market.connect(f.admin).setTreasury(f.outsider.address))
        .to.emit(f.market, "TreasurySet")
        .withArgs(f.treasury.address, f.outsider.address);
      expect(await f.market.treasury()).to.equal(f.outsider.address);
    });

    it("test_setTreasury_revertsForZeroAddress", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.connect(f.admin).setTreasury(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.market, "MarketZeroAddress")
        .withArgs("treasury");
    });

    it("test_setTreasury_laterFeesAccrueToNewTreasury", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, P15]]);
      await f.market.connect(f.admin).setTreasury(f.outsider.address);
      await settle(f, jobId);
      expect(await f.market.balanceOf(usdc, f.outsider.address)).to.equal((15n * USDC) / 10n);
      expect(await f.market.balanceOf(usdc, f.treasury.address)).to.equal(0n);
    });
  });

  describe("setOracle", function () {
    it("test_setOracle_emitsAndStores", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const previous = await f.oracle.getAddress();
      expect(await f.market.oracle()).to.equal(previous);
      await expect(f.market.connect(f.admin).setOracle(f.outsider.address))
        .to.emit(f.market, "OracleSet")
        .withArgs(previous, f.outsider.address);
      expect(await f.market.oracle()).to.equal(f.outsider.address);
    });

    it("test_setOracle_revertsForZeroAddress", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.connect(f.admin).setOracle(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.market, "MarketZeroAddress")
        .withArgs("oracle");
    });

    it("test_setOracle_newJobsUseNewOracle", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const before = await createJob(f);
      const feed = await ethers.deployContract("MockAggregatorV3", [FEED_DECIMALS, 100_000_000n]); // $1.00
      const oracle = await ethers.deployContract("ChainlinkPriceOracle", [
        await feed.getAddress(),
        ORACLE_HEARTBEAT,
        ORACLE_MIN_ANSWER,
        ORACLE_MAX_ANSWER,
      ]);
      await f.market.connect(f.admin).setOracle(await oracle.getAddress());
      const after = await createJob(f);
      expect((await f.market.jobOf(before)).collateral).to.equal(COLLATERAL);
      expect((await f.market.jobOf(after)).collateral).to.equal(24n * GRL);
    });

    it("test_setOracle_brokenOracleBlocksNewJobsOnly", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f);
      await commitBid(f, f.alice, jobId, P15);
      await f.market.connect(f.admin).setOracle(f.outsider.address);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f))).to.revert(ethers);
      // The running auction never reads the oracle again.
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      await revealBid(f, f.alice, jobId, P15);
      await networkHelpers.time.increaseTo(revealDeadline);
      await expect(f.market.award(jobId)).to.emit(f.market, "JobAwarded");
    });
  });

  describe("packed configuration slot", function () {
    // Storage slot 1: Pausable's `_paused` (byte 0), then the market's oracle (bytes 1-20), current parameter
    // set id (bytes 21-22) and job count (bytes 23-30). createJob reads all four from one cold slot.
    const CONFIG_SLOT = 1n;

    async function configSlot(f: MarketFixture): Promise<bigint> {
      return BigInt(await ethers.provider.getStorage(await f.market.getAddress(), CONFIG_SLOT));
    }

    function decode(word: bigint) {
      return {
        paused: word & 0xffn,
        oracle: ethers.getAddress(ethers.toBeHex((word >> 8n) & ((1n << 160n) - 1n), 20)),
        paramsId: (word >> 168n) & 0xffffn,
        jobCount: (word >> 184n) & ((1n << 64n) - 1n),
      };
    }

    it("test_layout_pauseFlagSharesSlotWithOracleParamsIdAndJobCount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await createJob(f);
      await f.market.connect(f.admin).setMarketParams(params({ feeBps: 100n }));
      const before = decode(await configSlot(f));
      expect(before).to.deep.equal({
        paused: 0n,
        oracle: await f.oracle.getAddress(),
        paramsId: await f.market.currentParamsId(),
        jobCount: await f.market.jobCount(),
      });
      expect(before.paramsId).to.equal(2n);
      expect(before.jobCount).to.equal(1n);
      // Pausing sets only the flag's byte; the three values beside it are untouched.
      await f.market.connect(f.admin).grantRole(await f.market.GUARDIAN_ROLE(), f.admin.address);
      await f.market.connect(f.admin).pause();
      expect(decode(await configSlot(f))).to.deep.equal({ ...before, paused: 1n });
      await f.market.connect(f.admin).unpause();
      expect(decode(await configSlot(f))).to.deep.equal(before);
    });

    it("test_setMarketParams_revertsWhenParamsIdsExhausted", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const MAX = 0xffffn;
      const market = await f.market.getAddress();
      const word = await configSlot(f);
      // One id short of the 16-bit ceiling: the last set is still accepted.
      const atLast = (word & ~(0xffffn << 168n)) | ((MAX - 1n) << 168n);
      await networkHelpers.setStorageAt(market, CONFIG_SLOT, atLast);
      await expect(f.market.connect(f.admin).setMarketParams(params({ feeBps: 100n })))
        .to.emit(f.market, "MarketParamsSet")
        .withArgs(MAX, paramsTuple(params({ feeBps: 100n })));
      expect(await f.market.currentParamsId()).to.equal(MAX);
      await expect(f.market.connect(f.admin).setMarketParams(params({ feeBps: 200n })))
        .to.be.revertedWithCustomError(f.market, "MarketParamsExhausted")
        .withArgs(MAX);
      // Nothing beside the id moved, and new jobs keep using the last set.
      expect(decode(await configSlot(f))).to.deep.equal({ ...decode(word), paramsId: MAX });
      const jobId = await createJob(f);
      expect((await f.market.jobOf(jobId)).paramsId).to.equal(MAX);
    });
  });

  describe("constructor", function () {
    async function constructorArgs(f: MarketFixture) {
      return {
        registry: await f.registry.getAddress(),
        settlement: await f.settlement.getAddress(),
        oracle: await f.oracle.getAddress(),
        treasury: f.treasury.address,
        admin: f.admin.address,
        arbiter: f.arbiter.address,
      };
    }

    for (const what of ["registry", "settlement", "oracle", "treasury", "admin", "arbiter"] as const) {
      it(`test_constructor_revertsForZero_${what}`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const args = { ...(await constructorArgs(f)), [what]: ethers.ZeroAddress };
        const factory = await ethers.getContractFactory("JobMarket");
        await expect(
          factory.deploy(
            args.registry,
            args.settlement,
            args.oracle,
            args.treasury,
            args.admin,
            args.arbiter,
            DEFAULT_PARAMS,
          ),
        )
          .to.be.revertedWithCustomError(factory, "MarketZeroAddress")
          .withArgs(what);
      });
    }

    it("test_constructor_revertsForOutOfBoundsParams", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const a = await constructorArgs(f);
      const factory = await ethers.getContractFactory("JobMarket");
      await expect(
        factory.deploy(a.registry, a.settlement, a.oracle, a.treasury, a.admin, a.arbiter, params({ maxBids: 257n })),
      )
        .to.be.revertedWithCustomError(factory, "MarketParameterOutOfBounds")
        .withArgs(Parameter.MaxBids, 257n, 1n, 256n);
    });

    it("test_constructor_setsRolesParamsAndEmits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const a = await constructorArgs(f);
      const market = await ethers.deployContract("JobMarket", [
        a.registry,
        a.settlement,
        a.oracle,
        a.treasury,
        a.admin,
        a.arbiter,
        DEFAULT_PARAMS,
      ]);
      const deployment = market.deploymentTransaction()!;
      await expect(deployment).to.emit(market, "MarketParamsSet").withArgs(1n, paramsTuple(DEFAULT_PARAMS));
      await expect(deployment).to.emit(market, "TreasurySet").withArgs(ethers.ZeroAddress, a.treasury);
      await expect(deployment).to.emit(market, "OracleSet").withArgs(ethers.ZeroAddress, a.oracle);
      expect(await market.REGISTRY()).to.equal(a.registry);
      expect(await market.SETTLEMENT()).to.equal(a.settlement);
      expect(await market.oracle()).to.equal(a.oracle);
      expect(await market.treasury()).to.equal(a.treasury);
      expect(await market.currentParamsId()).to.equal(1n);
      expect(await market.jobCount()).to.equal(0n);
      expect(await market.hasRole(await market.DEFAULT_ADMIN_ROLE(), a.admin)).to.equal(true);
      expect(await market.hasRole(await market.GOVERNANCE_ROLE(), a.admin)).to.equal(true);
      expect(await market.hasRole(await market.ARBITER_ROLE(), a.arbiter)).to.equal(true);
      expect(await market.hasRole(await market.ARBITER_ROLE(), a.admin)).to.equal(false);
      expect(await market.hasRole(await market.GOVERNANCE_ROLE(), a.arbiter)).to.equal(false);
      expect(await market.GOVERNANCE_ROLE()).to.equal(ethers.id("GOVERNANCE_ROLE"));
      expect(await market.ARBITER_ROLE()).to.equal(ethers.id("ARBITER_ROLE"));
      // The settlement is not allow-listed by the constructor: governance lists the credits explicitly.
      expect([...(await market.paymentTokens(a.settlement))]).to.deep.equal([false, 0n]);
    });
  });

  describe("window caps", function () {
    it("test_maxChallengeWindow_isThreeDays", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.MAX_CHALLENGE_WINDOW()).to.equal(3n * DAY);
      expect(await f.market.MAX_CHALLENGE_WINDOW()).to.equal(PARAM_BOUNDS.challengeWindow[1]);
    });

    it("test_maxDisputeTimeout_isThreeDays", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.MAX_DISPUTE_TIMEOUT()).to.equal(3n * DAY);
      expect(await f.market.MAX_DISPUTE_TIMEOUT()).to.equal(PARAM_BOUNDS.disputeTimeout[1]);
    });

    // Stake must still be bonded when the last slash of a job can land: after the longest challenge
    // window and the longest dispute timeout governance can set.
    it("test_maxChallengeWindowPlusMaxDisputeTimeout_belowUnbondingFloor", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const sum = (await f.market.MAX_CHALLENGE_WINDOW()) + (await f.market.MAX_DISPUTE_TIMEOUT());
      expect(sum).to.equal(6n * DAY);
      expect(sum < (await f.registry.UNBONDING_PERIOD_FLOOR())).to.equal(true);
      expect(await f.registry.UNBONDING_PERIOD_FLOOR()).to.equal(7n * DAY);
    });
  });

  describe("roles", function () {
    type Call = (f: MarketFixture, as: HardhatEthersSigner) => Promise<unknown>;
    const governanceCalls: [string, Call][] = [
      ["setMarketParams", (f, as) => f.market.connect(as).setMarketParams(params())],
      ["setPaymentToken", async (f, as) => f.market.connect(as).setPaymentToken(await f.usdc.getAddress(), false)],
      ["setTreasury", (f, as) => f.market.connect(as).setTreasury(as.address)],
      ["setOracle", (f, as) => f.market.connect(as).setOracle(as.address)],
    ];

    for (const [name, call] of governanceCalls) {
      it(`test_${name}_revertsForNonGovernance`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const role = await f.market.GOVERNANCE_ROLE();
        for (const account of [f.outsider, f.arbiter, f.renter, f.alice, f.treasury]) {
          await expect(call(f, account))
            .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
            .withArgs(account.address, role);
        }
        await expect(call(f, f.admin)).not.to.revert(ethers);
      });
    }

    it("test_resolveDispute_revertsForNonArbiter", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await f.market.ARBITER_ROLE();
      for (const account of [f.outsider, f.admin, f.renter, f.alice, f.treasury]) {
        await expect(f.market.connect(account).resolveDispute(1n, PROVIDER_FAULT))
          .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
          .withArgs(account.address, role);
      }
      // The arbiter passes the role check (and then finds no job).
      await expect(f.market.connect(f.arbiter).resolveDispute(1n, PROVIDER_FAULT))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
        .withArgs(1n);
    });

    it("test_resolveDispute_arbiterPassesRoleCheckOnRealJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await awardedJob(f, networkHelpers);
      await expect(f.market.connect(f.outsider).resolveDispute(jobId, PROVIDER_FAULT))
        .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, await f.market.ARBITER_ROLE());
      await expect(f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT))
        .to.be.revertedWithCustomError(f.market, "MarketWrongState")
        .withArgs(jobId, JobState.Awarded);
    });

    it("test_roles_adminCanHandGovernanceToTimelock", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await f.market.GOVERNANCE_ROLE();
      const timelock = f.outsider;
      await f.market.connect(f.admin).grantRole(role, timelock.address);
      await f.market.connect(f.admin).renounceRole(role, f.admin.address);
      await expect(f.market.connect(timelock).setTreasury(timelock.address)).to.emit(f.market, "TreasurySet");
      await expect(f.market.connect(f.admin).setTreasury(f.admin.address))
        .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, role);
    });

    it("test_roles_onlyAdminGrantsRoles", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const governance = await f.market.GOVERNANCE_ROLE();
      await expect(f.market.connect(f.arbiter).grantRole(governance, f.arbiter.address))
        .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
        .withArgs(f.arbiter.address, await f.market.DEFAULT_ADMIN_ROLE());
    });
  });

  describe("windows", function () {
    it("test_setMarketParams_startWindowSnapshotAppliesAtAward", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setParams(f, { startWindow: 2n * HOUR });
      const jobId = await createJob(f);
      await setParams(f, { startWindow: 5n * 60n });
      await commitBid(f, f.alice, jobId, P15);
      const { bidDeadline, revealDeadline } = await f.market.jobOf(jobId);
      await networkHelpers.time.increaseTo(bidDeadline);
      await revealBid(f, f.alice, jobId, P15);
      await networkHelpers.time.setNextBlockTimestamp(revealDeadline);
      await f.market.award(jobId);
      expect((await f.market.jobOf(jobId)).deadline).to.equal(revealDeadline + 2n * HOUR);
    });
  });
});
