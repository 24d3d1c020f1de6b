import { expect } from "chai";
import { network } from "hardhat";

import type { MockAggregatorV3 } from "../../types/ethers-contracts/index.ts";

const { ethers, networkHelpers } = await network.create();

/** The inner adapter's configuration: $0.01 to $10,000 with 8 decimals, 24 h heartbeat, answering $1.25. */
const HEARTBEAT = 24n * 3600n;
const MIN_ANSWER_8 = 1_000_000n;
const MAX_ANSWER_8 = 1_000_000_000_000n;
const PRICE_8 = 125_000_000n;
const PRICE_18 = PRICE_8 * 10n ** 10n;

/** Chainlink's suggested grace period, and the guard's ceiling. */
const GRACE = 3600n;
const MAX_GRACE = 24n * 3600n;

/** Sequencer uptime feed answers. */
const UP = 0n;
const DOWN = 1n;

/**
 * A ChainlinkPriceOracle over a fresh $1.25 feed, behind a guard whose sequencer has been up for two grace
 * periods. The uptime feed is a MockAggregatorV3 with 0 decimals: its startedAt is the round's updatedAt.
 */
async function guardFixture() {
  const priceFeed = await ethers.deployContract("MockAggregatorV3", [8, PRICE_8]);
  const inner = await ethers.deployContract("ChainlinkPriceOracle", [
    await priceFeed.getAddress(),
    HEARTBEAT,
    MIN_ANSWER_8,
    MAX_ANSWER_8,
  ]);
  const uptime = await ethers.deployContract("MockAggregatorV3", [0, UP]);
  const upSince = BigInt(await networkHelpers.time.latest()) - 2n * GRACE;
  await (await uptime.setRound(1n, UP, upSince, 1n)).wait();
  const guard = await ethers.deployContract("SequencerGuardedOracle", [
    await inner.getAddress(),
    await uptime.getAddress(),
    GRACE,
  ]);
  return { priceFeed, inner, uptime, guard, upSince };
}

/** Publishes a new uptime status that changed at `startedAt`, then mines a block at `now`. */
async function statusAt(uptime: MockAggregatorV3, status: bigint, startedAt: bigint, now: bigint): Promise<void> {
  const roundId = (await uptime.latestRoundData())[0] + 1n;
  await (await uptime.setRound(roundId, status, startedAt, roundId)).wait();
  await networkHelpers.time.increaseTo(now);
}

/** A timestamp comfortably after the latest block, so that `statusAt` can mine at or after it. */
async function soon(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest()) + 10n;
}

async function deployGuard(priceOracle: string, uptimeFeed: string, gracePeriod: bigint) {
  return ethers.deployContract("SequencerGuardedOracle", [priceOracle, uptimeFeed, gracePeriod]);
}

async function guardFactory() {
  return ethers.getContractFactory("SequencerGuardedOracle");
}

describe("SequencerGuardedOracle", function () {
  describe("sequencer up for longer than the grace period", function () {
    it("test_grlUsdPrice_returnsTheInnerPrice", async function () {
      const { guard, inner } = await networkHelpers.loadFixture(guardFixture);
      expect(await guard.grlUsdPrice()).to.equal(PRICE_18);
      expect(await guard.grlUsdPrice()).to.equal(await inner.grlUsdPrice());
    });

    it("test_grlUsdPrice_followsTheInnerFeed", async function () {
      const { guard, priceFeed } = await networkHelpers.loadFixture(guardFixture);
      await (await priceFeed.setAnswer(99_999_999n)).wait();
      expect(await guard.grlUsdPrice()).to.equal(99_999_999n * 10n ** 10n);
    });

    it("test_constructor_storesConfiguration", async function () {
      const { guard, inner, uptime } = await networkHelpers.loadFixture(guardFixture);
      expect(await guard.PRICE_ORACLE()).to.equal(await inner.getAddress());
      expect(await guard.SEQUENCER_UPTIME_FEED()).to.equal(await uptime.getAddress());
      expect(await guard.GRACE_PERIOD()).to.equal(GRACE);
      expect(await guard.MAX_GRACE_PERIOD()).to.equal(MAX_GRACE);
    });
  });

  describe("sequencer down", function () {
    it("test_grlUsdPrice_revertsWhenSequencerDown", async function () {
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      const now = await soon();
      await statusAt(uptime, DOWN, now - 5n, now);
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerDown")
        .withArgs(DOWN, now - 5n);
    });

    it("test_grlUsdPrice_revertsWhenSequencerDownLongerThanTheGracePeriod", async function () {
      // The grace period only starts when the sequencer comes back: a long outage never times out into a price.
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      const downSince = await soon();
      await statusAt(uptime, DOWN, downSince, downSince + 10n * GRACE);
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerDown")
        .withArgs(DOWN, downSince);
    });

    for (const [label, status] of [
      ["Two", 2n],
      ["MinusOne", -1n],
      ["MaxInt256", 2n ** 255n - 1n],
      ["MinInt256", -(2n ** 255n)],
    ] as const) {
      it(`test_grlUsdPrice_revertsOnUnknownStatus${label}`, async function () {
        // Fail closed: only the documented "up" answer lets a price through.
        const { guard, uptime, upSince } = await networkHelpers.loadFixture(guardFixture);
        await statusAt(uptime, status, upSince, await soon());
        await expect(guard.grlUsdPrice())
          .to.be.revertedWithCustomError(guard, "OracleSequencerDown")
          .withArgs(status, upSince);
      });
    }

    it("test_grlUsdPrice_downIsCheckedBeforeAMissingStartedAt", async function () {
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      await (await uptime.setRound(4n, DOWN, 0n, 4n)).wait();
      await expect(guard.grlUsdPrice()).to.be.revertedWithCustomError(guard, "OracleSequencerDown").withArgs(DOWN, 0n);
    });

    it("test_grlUsdPrice_sequencerIsCheckedBeforeTheInnerOracle", async function () {
      // The inner feed is also stale by then; the sequencer outage is the cause users need to see.
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      const downSince = await soon();
      await statusAt(uptime, DOWN, downSince, downSince + 2n * HEARTBEAT);
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerDown")
        .withArgs(DOWN, downSince);
    });
  });

  describe("grace period (recovering while block.timestamp - startedAt <= GRACE_PERIOD)", function () {
    it("test_grlUsdPrice_recoveringInTheBlockItComesBack", async function () {
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      const upSince = await soon();
      await statusAt(uptime, UP, upSince, upSince);
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerRecovering")
        .withArgs(upSince, GRACE, upSince);
    });

    it("test_grlUsdPrice_recoveringInTheLastSecondOfGrace", async function () {
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      const upSince = await soon();
      await statusAt(uptime, UP, upSince, upSince + GRACE);
      expect(await networkHelpers.time.latest()).to.equal(Number(upSince + GRACE));
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerRecovering")
        .withArgs(upSince, GRACE, upSince + GRACE);
    });

    it("test_grlUsdPrice_pricesInTheFirstSecondAfterGrace", async function () {
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      const upSince = await soon();
      await statusAt(uptime, UP, upSince, upSince + GRACE + 1n);
      expect(await networkHelpers.time.latest()).to.equal(Number(upSince + GRACE + 1n));
      expect(await guard.grlUsdPrice()).to.equal(PRICE_18);
    });

    it("test_grlUsdPrice_recoveringWhenTheStatusChangeIsStampedInTheFuture", async function () {
      // L1 and L2 clocks differ by seconds: a change stamped after this block has just happened (and must
      // not underflow into a panic).
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      const now = await soon();
      await statusAt(uptime, UP, now + 30n, now);
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerRecovering")
        .withArgs(now + 30n, GRACE, now);
    });

    it("test_grlUsdPrice_outageThenRecoveryThenPrice", async function () {
      const { guard, uptime, priceFeed } = await networkHelpers.loadFixture(guardFixture);
      expect(await guard.grlUsdPrice()).to.equal(PRICE_18);
      const downSince = await soon();
      await statusAt(uptime, DOWN, downSince, downSince + 600n);
      await expect(guard.grlUsdPrice()).to.be.revertedWithCustomError(guard, "OracleSequencerDown");
      const upSince = downSince + 1_200n;
      await statusAt(uptime, UP, upSince, upSince + 60n);
      await expect(guard.grlUsdPrice()).to.be.revertedWithCustomError(guard, "OracleSequencerRecovering");
      // Once the grace period is over, the (republished) inner price goes through again.
      await networkHelpers.time.increaseTo(upSince + GRACE + 1n);
      await (await priceFeed.setAnswer(PRICE_8)).wait();
      expect(await guard.grlUsdPrice()).to.equal(PRICE_18);
    });

    it("test_grlUsdPrice_oneSecondGracePeriod", async function () {
      const { inner, uptime } = await networkHelpers.loadFixture(guardFixture);
      const guard = await deployGuard(await inner.getAddress(), await uptime.getAddress(), 1n);
      const upSince = await soon();
      await statusAt(uptime, UP, upSince, upSince + 1n);
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerRecovering")
        .withArgs(upSince, 1n, upSince + 1n);
      await networkHelpers.time.increaseTo(upSince + 2n);
      expect(await guard.grlUsdPrice()).to.equal(PRICE_18);
    });
  });

  describe("uninitialised uptime feed (startedAt 0)", function () {
    it("test_grlUsdPrice_revertsWhenStartedAtIsZero", async function () {
      // Read naively, startedAt 0 means "up since 1970": past any grace period.
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      await (await uptime.setRound(0n, UP, 0n, 0n)).wait();
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerStatusUnknown")
        .withArgs(0n);
    });

    it("test_grlUsdPrice_revertsWhenALaterRoundHasNoStartedAt", async function () {
      const { guard, uptime } = await networkHelpers.loadFixture(guardFixture);
      await (await uptime.setRound(9n, UP, 0n, 9n)).wait();
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleSequencerStatusUnknown")
        .withArgs(9n);
    });
  });

  describe("inner oracle errors propagate unchanged", function () {
    it("test_grlUsdPrice_propagatesStaleAnswer", async function () {
      const { guard, priceFeed } = await networkHelpers.loadFixture(guardFixture);
      const updatedAt = await soon();
      const now = updatedAt + HEARTBEAT + 1n;
      const roundId = (await priceFeed.latestRoundData())[0] + 1n;
      await (await priceFeed.setRound(roundId, PRICE_8, updatedAt, roundId)).wait();
      await networkHelpers.time.increaseTo(now);
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleStaleAnswer")
        .withArgs(updatedAt, HEARTBEAT, now);
    });

    it("test_grlUsdPrice_propagatesOutOfBounds", async function () {
      const { guard, priceFeed } = await networkHelpers.loadFixture(guardFixture);
      await (await priceFeed.setAnswer(MAX_ANSWER_8 + 1n)).wait();
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleAnswerOutOfBounds")
        .withArgs(MAX_ANSWER_8 + 1n, MIN_ANSWER_8, MAX_ANSWER_8);
    });

    it("test_grlUsdPrice_propagatesNonPositiveAnswer", async function () {
      const { guard, priceFeed } = await networkHelpers.loadFixture(guardFixture);
      await (await priceFeed.setAnswer(0n)).wait();
      await expect(guard.grlUsdPrice()).to.be.revertedWithCustomError(guard, "OracleNonPositiveAnswer").withArgs(0n);
    });

    it("test_grlUsdPrice_propagatesIncompleteRound", async function () {
      const { guard, priceFeed } = await networkHelpers.loadFixture(guardFixture);
      const now = BigInt(await networkHelpers.time.latest());
      await (await priceFeed.setRound(7n, PRICE_8, now, 6n)).wait();
      await expect(guard.grlUsdPrice())
        .to.be.revertedWithCustomError(guard, "OracleIncompleteRound")
        .withArgs(7n, 6n, now);
    });

    it("test_grlUsdPrice_stackedGuardsPassOnTheInnerGuardsError", async function () {
      // Guards stack: an inner guard's sequencer error reaches the caller of the outer one unchanged.
      const { guard, inner, uptime } = await networkHelpers.loadFixture(guardFixture);
      const otherUptime = await ethers.deployContract("MockAggregatorV3", [0, UP]);
      const upSince = BigInt(await networkHelpers.time.latest()) - 2n * GRACE;
      await (await otherUptime.setRound(1n, UP, upSince, 1n)).wait();
      const outer = await deployGuard(await guard.getAddress(), await otherUptime.getAddress(), GRACE);
      expect(await outer.grlUsdPrice()).to.equal(await inner.grlUsdPrice());
      const downSince = await soon();
      await statusAt(uptime, DOWN, downSince, downSince + 1n);
      await expect(outer.grlUsdPrice())
        .to.be.revertedWithCustomError(outer, "OracleSequencerDown")
        .withArgs(DOWN, downSince);
    });
  });

  describe("constructor", function () {
    it("test_constructor_revertsOnZeroPriceOracle", async function () {
      const { uptime } = await networkHelpers.loadFixture(guardFixture);
      await expect(deployGuard(ethers.ZeroAddress, await uptime.getAddress(), GRACE))
        .to.be.revertedWithCustomError(await guardFactory(), "OracleInvalidConfig")
        .withArgs("priceOracle is the zero address");
    });

    it("test_constructor_revertsOnZeroUptimeFeed", async function () {
      const { inner } = await networkHelpers.loadFixture(guardFixture);
      await expect(deployGuard(await inner.getAddress(), ethers.ZeroAddress, GRACE))
        .to.be.revertedWithCustomError(await guardFactory(), "OracleInvalidConfig")
        .withArgs("uptimeFeed is the zero address");
    });

    it("test_constructor_revertsOnPriceOracleWithoutCode", async function () {
      const { uptime } = await networkHelpers.loadFixture(guardFixture);
      const [, eoa] = await ethers.getSigners();
      await expect(deployGuard(eoa.address, await uptime.getAddress(), GRACE))
        .to.be.revertedWithCustomError(await guardFactory(), "OracleInvalidConfig")
        .withArgs("priceOracle has no code");
    });

    it("test_constructor_revertsOnUptimeFeedWithoutCode", async function () {
      const { inner } = await networkHelpers.loadFixture(guardFixture);
      const [, eoa] = await ethers.getSigners();
      await expect(deployGuard(await inner.getAddress(), eoa.address, GRACE))
        .to.be.revertedWithCustomError(await guardFactory(), "OracleInvalidConfig")
        .withArgs("uptimeFeed has no code");
    });

    it("test_constructor_revertsOnZeroGracePeriod", async function () {
      const { inner, uptime } = await networkHelpers.loadFixture(guardFixture);
      await expect(deployGuard(await inner.getAddress(), await uptime.getAddress(), 0n))
        .to.be.revertedWithCustomError(await guardFactory(), "OracleInvalidConfig")
        .withArgs("gracePeriod is zero");
    });

    it("test_constructor_revertsOnGracePeriodAboveOneDay", async function () {
      const { inner, uptime } = await networkHelpers.loadFixture(guardFixture);
      await expect(deployGuard(await inner.getAddress(), await uptime.getAddress(), MAX_GRACE + 1n))
        .to.be.revertedWithCustomError(await guardFactory(), "OracleInvalidConfig")
        .withArgs("gracePeriod is above 1 day");
      // A grace period in milliseconds, the mistake the ceiling is there to catch.
      await expect(deployGuard(await inner.getAddress(), await uptime.getAddress(), GRACE * 1000n))
        .to.be.revertedWithCustomError(await guardFactory(), "OracleInvalidConfig")
        .withArgs("gracePeriod is above 1 day");
    });

    it("test_constructor_acceptsOneSecondAndExactlyOneDay", async function () {
      const { inner, uptime } = await networkHelpers.loadFixture(guardFixture);
      await expect(deployGuard(await inner.getAddress(), await uptime.getAddress(), 1n)).not.to.revert(ethers);
      const guard = await deployGuard(await inner.getAddress(), await uptime.getAddress(), MAX_GRACE);
      expect(await guard.GRACE_PERIOD()).to.equal(MAX_GRACE);
    });

    it("test_constructor_deploysWhileTheSequencerIsDown", async function () {
      // The constructor reads no status: a guard can be deployed (and governance can switch to it) mid-outage.
      const { inner, uptime } = await networkHelpers.loadFixture(guardFixture);
      const now = await soon();
      await statusAt(uptime, DOWN, now, now);
      const guard = await deployGuard(await inner.getAddress(), await uptime.getAddress(), GRACE);
      await expect(guard.grlUsdPrice()).to.be.revertedWithCustomError(guard, "OracleSequencerDown");
    });
  });
});
