import { expect } from "chai";
import { network } from "hardhat";

import type { MockAggregatorV3 } from "../../types/ethers-contracts/index.ts";

const { ethers, networkHelpers } = await network.create();

/** The adapter configuration the market fixture uses: $0.01 to $10,000 with 8 decimals, 24 h heartbeat. */
const HEARTBEAT = 24n * 3600n;
const MIN_ANSWER_8 = 1_000_000n; // $0.01
const MAX_ANSWER_8 = 1_000_000_000_000n; // $10,000
const PRICE_8 = 125_000_000n; // $1.25

/** An 8-decimals feed answering $1.25, behind the adapter. */
async function eightDecimalsFixture() {
  const [owner, stranger] = await ethers.getSigners();
  const feed = await ethers.deployContract("MockAggregatorV3", [8, PRICE_8]);
  const oracle = await ethers.deployContract("ChainlinkPriceOracle", [
    await feed.getAddress(),
    HEARTBEAT,
    MIN_ANSWER_8,
    MAX_ANSWER_8,
  ]);
  return { feed, oracle, owner, stranger };
}

/** An 18-decimals feed answering $0.50 (bounds $0.01 to $10,000 in 18 decimals). */
async function eighteenDecimalsFixture() {
  const feed = await ethers.deployContract("MockAggregatorV3", [18, 5n * 10n ** 17n]);
  const oracle = await ethers.deployContract("ChainlinkPriceOracle", [
    await feed.getAddress(),
    HEARTBEAT,
    10n ** 16n,
    10_000n * 10n ** 18n,
  ]);
  return { feed, oracle };
}

/** Publishes a complete round updated at `updatedAt`, then mines a block at `now`. */
async function roundAt(feed: MockAggregatorV3, answer: bigint, updatedAt: bigint, now: bigint): Promise<void> {
  const roundId = (await feed.latestRoundData())[0] + 1n;
  await (await feed.setRound(roundId, answer, updatedAt, roundId)).wait();
  await networkHelpers.time.increaseTo(now);
}

async function deployOracle(feed: string, heartbeat: bigint, minAnswer: bigint, maxAnswer: bigint) {
  return ethers.deployContract("ChainlinkPriceOracle", [feed, heartbeat, minAnswer, maxAnswer]);
}

async function oracleFactory() {
  return ethers.getContractFactory("ChainlinkPriceOracle");
}

describe("ChainlinkPriceOracle", function () {
  describe("fresh answers", function () {
    it("test_grlUsdPrice_scalesEightDecimalsTo18", async function () {
      const { oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      expect(await oracle.grlUsdPrice()).to.equal(125n * 10n ** 16n);
    });

    it("test_grlUsdPrice_keepsEighteenDecimalsAsIs", async function () {
      const { oracle } = await networkHelpers.loadFixture(eighteenDecimalsFixture);
      expect(await oracle.grlUsdPrice()).to.equal(5n * 10n ** 17n);
    });

    it("test_grlUsdPrice_scalesZeroDecimalsFeed", async function () {
      const feed = await ethers.deployContract("MockAggregatorV3", [0, 3n]);
      const oracle = await deployOracle(await feed.getAddress(), HEARTBEAT, 1n, 100n);
      expect(await oracle.grlUsdPrice()).to.equal(3n * 10n ** 18n);
    });

    it("test_grlUsdPrice_followsANewAnswer", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setAnswer(99_999_999n)).wait();
      expect(await oracle.grlUsdPrice()).to.equal(99_999_999n * 10n ** 10n);
    });

    it("test_constructor_storesConfiguration", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      expect(await oracle.FEED()).to.equal(await feed.getAddress());
      expect(await oracle.HEARTBEAT()).to.equal(HEARTBEAT);
      expect(await oracle.MIN_ANSWER()).to.equal(MIN_ANSWER_8);
      expect(await oracle.MAX_ANSWER()).to.equal(MAX_ANSWER_8);
    });
  });

  describe("staleness (stale only when block.timestamp > updatedAt + heartbeat)", function () {
    async function staleFixture() {
      const f = await eightDecimalsFixture();
      const updatedAt = BigInt(await networkHelpers.time.latest()) + 10n;
      return { ...f, updatedAt };
    }

    it("test_grlUsdPrice_freshOneSecondBeforeHeartbeat", async function () {
      const { feed, oracle, updatedAt } = await networkHelpers.loadFixture(staleFixture);
      await roundAt(feed, PRICE_8, updatedAt, updatedAt + HEARTBEAT - 1n);
      expect(await networkHelpers.time.latest()).to.equal(Number(updatedAt + HEARTBEAT - 1n));
      expect(await oracle.grlUsdPrice()).to.equal(PRICE_8 * 10n ** 10n);
    });

    it("test_grlUsdPrice_freshExactlyAtHeartbeat", async function () {
      const { feed, oracle, updatedAt } = await networkHelpers.loadFixture(staleFixture);
      await roundAt(feed, PRICE_8, updatedAt, updatedAt + HEARTBEAT);
      expect(await networkHelpers.time.latest()).to.equal(Number(updatedAt + HEARTBEAT));
      expect(await oracle.grlUsdPrice()).to.equal(PRICE_8 * 10n ** 10n);
    });

    it("test_grlUsdPrice_staleOneSecondAfterHeartbeat", async function () {
      const { feed, oracle, updatedAt } = await networkHelpers.loadFixture(staleFixture);
      const now = updatedAt + HEARTBEAT + 1n;
      await roundAt(feed, PRICE_8, updatedAt, now);
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleStaleAnswer")
        .withArgs(updatedAt, HEARTBEAT, now);
    });

    it("test_grlUsdPrice_staleLongAfterHeartbeat", async function () {
      const { feed, oracle, updatedAt } = await networkHelpers.loadFixture(staleFixture);
      const now = updatedAt + 30n * HEARTBEAT;
      await roundAt(feed, PRICE_8, updatedAt, now);
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleStaleAnswer")
        .withArgs(updatedAt, HEARTBEAT, now);
    });

    it("test_grlUsdPrice_freshAgainAfterANewAnswer", async function () {
      const { feed, oracle, updatedAt } = await networkHelpers.loadFixture(staleFixture);
      await roundAt(feed, PRICE_8, updatedAt, updatedAt + HEARTBEAT + 1n);
      await expect(oracle.grlUsdPrice()).to.be.revertedWithCustomError(oracle, "OracleStaleAnswer");
      await (await feed.setAnswer(PRICE_8)).wait();
      expect(await oracle.grlUsdPrice()).to.equal(PRICE_8 * 10n ** 10n);
    });

    it("test_grlUsdPrice_answerFromTheFutureIsNotStale", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const now = BigInt(await networkHelpers.time.latest()) + 5n;
      await roundAt(feed, PRICE_8, now + 1_000n, now);
      expect(await oracle.grlUsdPrice()).to.equal(PRICE_8 * 10n ** 10n);
    });
  });

  describe("answer checks", function () {
    it("test_grlUsdPrice_revertsOnZeroAnswer", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setAnswer(0n)).wait();
      await expect(oracle.grlUsdPrice()).to.be.revertedWithCustomError(oracle, "OracleNonPositiveAnswer").withArgs(0n);
    });

    it("test_grlUsdPrice_revertsOnNegativeAnswer", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setAnswer(-1n)).wait();
      await expect(oracle.grlUsdPrice()).to.be.revertedWithCustomError(oracle, "OracleNonPositiveAnswer").withArgs(-1n);
    });

    it("test_grlUsdPrice_revertsOnMostNegativeAnswer", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const minInt256 = -(2n ** 255n);
      await (await feed.setAnswer(minInt256)).wait();
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleNonPositiveAnswer")
        .withArgs(minInt256);
    });

    it("test_grlUsdPrice_revertsOneBelowMin", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setAnswer(MIN_ANSWER_8 - 1n)).wait();
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleAnswerOutOfBounds")
        .withArgs(MIN_ANSWER_8 - 1n, MIN_ANSWER_8, MAX_ANSWER_8);
    });

    it("test_grlUsdPrice_revertsOneAboveMax", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setAnswer(MAX_ANSWER_8 + 1n)).wait();
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleAnswerOutOfBounds")
        .withArgs(MAX_ANSWER_8 + 1n, MIN_ANSWER_8, MAX_ANSWER_8);
    });

    it("test_grlUsdPrice_acceptsExactlyMin", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setAnswer(MIN_ANSWER_8)).wait();
      expect(await oracle.grlUsdPrice()).to.equal(MIN_ANSWER_8 * 10n ** 10n);
    });

    it("test_grlUsdPrice_acceptsExactlyMax", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setAnswer(MAX_ANSWER_8)).wait();
      expect(await oracle.grlUsdPrice()).to.equal(MAX_ANSWER_8 * 10n ** 10n);
    });

    it("test_grlUsdPrice_acceptsTheOnlyAnswerWhenMinEqualsMax", async function () {
      const feed = await ethers.deployContract("MockAggregatorV3", [8, PRICE_8]);
      const oracle = await deployOracle(await feed.getAddress(), HEARTBEAT, PRICE_8, PRICE_8);
      expect(await oracle.grlUsdPrice()).to.equal(PRICE_8 * 10n ** 10n);
      await (await feed.setAnswer(PRICE_8 + 1n)).wait();
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleAnswerOutOfBounds")
        .withArgs(PRICE_8 + 1n, PRICE_8, PRICE_8);
    });
  });

  describe("incomplete rounds", function () {
    it("test_grlUsdPrice_revertsWhenUpdatedAtIsZero", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      await (await feed.setRound(7n, PRICE_8, 0n, 7n)).wait();
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleIncompleteRound")
        .withArgs(7n, 7n, 0n);
    });

    it("test_grlUsdPrice_revertsWhenAnsweredInAnEarlierRound", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const now = BigInt(await networkHelpers.time.latest());
      await (await feed.setRound(7n, PRICE_8, now, 6n)).wait();
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleIncompleteRound")
        .withArgs(7n, 6n, now);
    });

    it("test_grlUsdPrice_acceptsAnsweredInALaterRound", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const now = BigInt(await networkHelpers.time.latest());
      await (await feed.setRound(7n, PRICE_8, now, 8n)).wait();
      expect(await oracle.grlUsdPrice()).to.equal(PRICE_8 * 10n ** 10n);
    });

    it("test_grlUsdPrice_incompleteRoundCheckedBeforeStalenessAndSign", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      // updatedAt 0 is both incomplete and (formally) stale, with a negative answer: incomplete wins.
      await (await feed.setRound(3n, -5n, 0n, 3n)).wait();
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleIncompleteRound")
        .withArgs(3n, 3n, 0n);
    });

    it("test_grlUsdPrice_stalenessCheckedBeforeSign", async function () {
      const { feed, oracle } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const now = BigInt(await networkHelpers.time.latest()) + 10n;
      await roundAt(feed, -5n, 1n, now);
      await expect(oracle.grlUsdPrice())
        .to.be.revertedWithCustomError(oracle, "OracleStaleAnswer")
        .withArgs(1n, HEARTBEAT, now);
    });
  });

  describe("constructor", function () {
    it("test_constructor_revertsOnZeroFeed", async function () {
      const factory = await oracleFactory();
      await expect(deployOracle(ethers.ZeroAddress, HEARTBEAT, MIN_ANSWER_8, MAX_ANSWER_8))
        .to.be.revertedWithCustomError(factory, "OracleInvalidConfig")
        .withArgs("feed is the zero address");
    });

    it("test_constructor_revertsOnZeroHeartbeat", async function () {
      const { feed } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const factory = await oracleFactory();
      await expect(deployOracle(await feed.getAddress(), 0n, MIN_ANSWER_8, MAX_ANSWER_8))
        .to.be.revertedWithCustomError(factory, "OracleInvalidConfig")
        .withArgs("heartbeat is zero");
    });

    it("test_constructor_revertsOnZeroMinAnswer", async function () {
      const { feed } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const factory = await oracleFactory();
      await expect(deployOracle(await feed.getAddress(), HEARTBEAT, 0n, MAX_ANSWER_8))
        .to.be.revertedWithCustomError(factory, "OracleInvalidConfig")
        .withArgs("minAnswer is not positive");
    });

    it("test_constructor_revertsOnNegativeMinAnswer", async function () {
      const { feed } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const factory = await oracleFactory();
      await expect(deployOracle(await feed.getAddress(), HEARTBEAT, -1n, MAX_ANSWER_8))
        .to.be.revertedWithCustomError(factory, "OracleInvalidConfig")
        .withArgs("minAnswer is not positive");
    });

    it("test_constructor_revertsWhenMaxBelowMin", async function () {
      const { feed } = await networkHelpers.loadFixture(eightDecimalsFixture);
      const factory = await oracleFactory();
      await expect(deployOracle(await feed.getAddress(), HEARTBEAT, MIN_ANSWER_8, MIN_ANSWER_8 - 1n))
        .to.be.revertedWithCustomError(factory, "OracleInvalidConfig")
        .withArgs("maxAnswer is below minAnswer");
    });

    it("test_constructor_revertsOnNineteenDecimalsFeed", async function () {
      const feed = await ethers.deployContract("MockAggregatorV3", [19, 5n * 10n ** 18n]);
      const factory = await oracleFactory();
      await expect(deployOracle(await feed.getAddress(), HEARTBEAT, 1n, 10n ** 30n))
        .to.be.revertedWithCustomError(factory, "OracleInvalidConfig")
        .withArgs("feed has more than 18 decimals");
    });

    it("test_constructor_acceptsEighteenDecimalsAndEqualBounds", async function () {
      const feed = await ethers.deployContract("MockAggregatorV3", [18, 10n ** 18n]);
      await expect(deployOracle(await feed.getAddress(), 1n, 10n ** 18n, 10n ** 18n)).not.to.revert(ethers);
    });
  });
});

describe("MockAggregatorV3", function () {
  it("test_setAnswer_onlyOwner", async function () {
    const { feed, stranger } = await networkHelpers.loadFixture(eightDecimalsFixture);
    await expect(feed.connect(stranger).setAnswer(1n))
      .to.be.revertedWithCustomError(feed, "MockAggregatorNotOwner")
      .withArgs(stranger.address);
  });

  it("test_setRound_onlyOwner", async function () {
    const { feed, stranger } = await networkHelpers.loadFixture(eightDecimalsFixture);
    await expect(feed.connect(stranger).setRound(9n, 1n, 1n, 9n))
      .to.be.revertedWithCustomError(feed, "MockAggregatorNotOwner")
      .withArgs(stranger.address);
  });

  it("test_setAnswer_publishesACompleteRoundUpdatedNow", async function () {
    const { feed, owner } = await networkHelpers.loadFixture(eightDecimalsFixture);
    expect(await feed.OWNER()).to.equal(owner.address);
    const next = BigInt(await networkHelpers.time.latest()) + 100n;
    await networkHelpers.time.setNextBlockTimestamp(next);
    await expect(feed.setAnswer(42n)).to.emit(feed, "AnswerSet").withArgs(2n, 42n, next, 2n);
    const [roundId, answer, startedAt, updatedAt, answeredInRound] = await feed.latestRoundData();
    expect([roundId, answer, startedAt, updatedAt, answeredInRound]).to.deep.equal([2n, 42n, next, next, 2n]);
  });

  it("test_setRound_publishesTheGivenRound", async function () {
    const { feed } = await networkHelpers.loadFixture(eightDecimalsFixture);
    await expect(feed.setRound(10n, -3n, 77n, 9n))
      .to.emit(feed, "AnswerSet")
      .withArgs(10n, -3n, 77n, 9n);
    expect(await feed.latestRoundData()).to.deep.equal([10n, -3n, 77n, 77n, 9n]);
    expect(await feed.getRoundData(4n)).to.deep.equal([4n, -3n, 77n, 77n, 9n]);
    // The next setAnswer continues from the round set explicitly.
    await (await feed.setAnswer(5n)).wait();
    expect((await feed.latestRoundData())[0]).to.equal(11n);
  });

  it("test_metadata", async function () {
    const { feed } = await networkHelpers.loadFixture(eightDecimalsFixture);
    expect(await feed.decimals()).to.equal(8n);
    expect(await feed.description()).to.equal("GRL / USD (mock)");
    expect(await feed.version()).to.equal(4n);
  });
});
