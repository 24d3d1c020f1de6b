// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPriceOracle
/// @notice The GRL/USD price the protocol uses to size collateral (and, with settlement, to burn and mint).
/// @dev Implementations revert rather than return a price they cannot vouch for: a stale answer, a
/// non-positive one, one outside configured bounds, or one from an incomplete round.
interface IPriceOracle {
    /// @notice The feed's latest answer is older than the heartbeat allows.
    error OracleStaleAnswer(uint256 updatedAt, uint256 heartbeat, uint256 nowTimestamp);

    /// @notice The feed answered zero or a negative price.
    error OracleNonPositiveAnswer(int256 answer);

    /// @notice The feed's answer is outside the adapter's sanity bounds.
    error OracleAnswerOutOfBounds(int256 answer, int256 minAnswer, int256 maxAnswer);

    /// @notice The feed's round has not completed (no timestamp, or answered in an earlier round).
    error OracleIncompleteRound(uint80 roundId, uint80 answeredInRound, uint256 updatedAt);

    /// @notice A constructor argument is invalid.
    /// @param what Which argument and why.
    error OracleInvalidConfig(string what);

    /// @notice The price of 1 GRL in USD, with 18 decimals (1.25 USD = 1.25e18).
    function grlUsdPrice() external view returns (uint256 price);
}
