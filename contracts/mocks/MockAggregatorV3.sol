// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title MockAggregatorV3
/// @notice A settable Chainlink-style feed for local networks and tests. Never deployed to a public network.
contract MockAggregatorV3 is AggregatorV3Interface {
    /// @notice Emitted when the owner publishes a new round.
    event AnswerSet(uint80 indexed roundId, int256 answer, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Only the deployer may publish answers.
    error MockAggregatorNotOwner(address caller);

    address public immutable OWNER;
    uint8 private immutable _DECIMALS;

    uint80 private _roundId;
    int256 private _answer;
    uint256 private _updatedAt;
    uint80 private _answeredInRound;

    constructor(uint8 feedDecimals, int256 initialAnswer) {
        OWNER = msg.sender;
        _DECIMALS = feedDecimals;
        _publish(initialAnswer, block.timestamp);
    }

    /// @notice Publishes `answer` as a new complete round updated now.
    function setAnswer(int256 answer) external {
        _onlyOwner();
        _publish(answer, block.timestamp);
    }

    /// @notice Publishes a round with full control, for tests of stale, incomplete or odd rounds.
    function setRound(uint80 roundId, int256 answer, uint256 updatedAt, uint80 answeredInRound) external {
        _onlyOwner();
        _roundId = roundId;
        _answer = answer;
        _updatedAt = updatedAt;
        _answeredInRound = answeredInRound;
        emit AnswerSet(roundId, answer, updatedAt, answeredInRound);
    }

    function decimals() external view override returns (uint8) {
        return _DECIMALS;
    }

    function description() external pure override returns (string memory) {
        return "GRL / USD (mock)";
    }

    function version() external pure override returns (uint256) {
        return 4;
    }

    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        return (roundId, _answer, _updatedAt, _updatedAt, _answeredInRound);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _updatedAt, _updatedAt, _answeredInRound);
    }

    function _publish(int256 answer, uint256 updatedAt) private {
        uint80 roundId = _roundId + 1;
        _roundId = roundId;
        _answer = answer;
        _updatedAt = updatedAt;
        _answeredInRound = roundId;
        emit AnswerSet(roundId, answer, updatedAt, roundId);
    }

    function _onlyOwner() private view {
        if (msg.sender != OWNER) revert MockAggregatorNotOwner(msg.sender);
    }
}
