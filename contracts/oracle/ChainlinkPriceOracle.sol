// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/// @title ChainlinkPriceOracle
/// @notice Reads GRL/USD from a Chainlink AggregatorV3Interface feed, checks it and normalises it to 18 decimals.
/// @dev Configuration is immutable: to change the feed, heartbeat or bounds, governance points the
/// protocol at a new adapter, so a running check can never be loosened in place.
contract ChainlinkPriceOracle is IPriceOracle {
    /// @notice The GRL/USD feed.
    AggregatorV3Interface public immutable FEED;

    /// @notice Maximum age of an answer, in seconds.
    uint256 public immutable HEARTBEAT;

    /// @notice Lowest and highest answers accepted, in the feed's own decimals.
    int256 public immutable MIN_ANSWER;
    int256 public immutable MAX_ANSWER;

    /// @dev 10 ** (18 - feed decimals): multiplies an answer into 18 decimals.
    uint256 private immutable _SCALE;

    /// @param feed The aggregator (decimals at most 18).
    /// @param heartbeat Maximum answer age in seconds (non-zero).
    /// @param minAnswer Lowest accepted answer (positive), in feed decimals.
    /// @param maxAnswer Highest accepted answer (at least minAnswer), in feed decimals.
    constructor(AggregatorV3Interface feed, uint256 heartbeat, int256 minAnswer, int256 maxAnswer) {
        if (address(feed) == address(0)) revert OracleInvalidConfig("feed is the zero address");
        if (heartbeat == 0) revert OracleInvalidConfig("heartbeat is zero");
        if (minAnswer <= 0) revert OracleInvalidConfig("minAnswer is not positive");
        if (maxAnswer < minAnswer) revert OracleInvalidConfig("maxAnswer is below minAnswer");
        uint8 decimals = feed.decimals();
        if (decimals > 18) revert OracleInvalidConfig("feed has more than 18 decimals");
        FEED = feed;
        HEARTBEAT = heartbeat;
        MIN_ANSWER = minAnswer;
        MAX_ANSWER = maxAnswer;
        _SCALE = 10 ** (18 - decimals);
    }

    /// @inheritdoc IPriceOracle
    function grlUsdPrice() external view returns (uint256 price) {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = FEED.latestRoundData();
        if (updatedAt == 0 || answeredInRound < roundId) {
            revert OracleIncompleteRound(roundId, answeredInRound, updatedAt);
        }
        if (block.timestamp > updatedAt + HEARTBEAT) revert OracleStaleAnswer(updatedAt, HEARTBEAT, block.timestamp);
        if (answer <= 0) revert OracleNonPositiveAnswer(answer);
        if (answer < MIN_ANSWER || answer > MAX_ANSWER) revert OracleAnswerOutOfBounds(answer, MIN_ANSWER, MAX_ANSWER);
        // Safe cast: answer > 0 was checked above.
        price = uint256(answer) * _SCALE;
    }
}
