// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPriceOracle
/// @notice The GRL/USD price the protocol uses to size collateral (and, with settlement, to burn and mint).
/// @dev Implementations revert rather than return a price they cannot vouch for: a stale answer, a
/// non-positive one, one outside configured bounds, one from an incomplete round, or (on an L2) any answer
/// while the sequencer is down or has only just come back. The errors are declared here, not on each
/// adapter, so that a caller holding only this interface (the market, the settlement, the CLI) can decode
/// whichever adapter, or stack of adapters, governance has deployed.
interface IPriceOracle {
    /// @notice The feed's latest answer is older than the heartbeat allows.
    error OracleStaleAnswer(uint256 updatedAt, uint256 heartbeat, uint256 nowTimestamp);

    /// @notice The feed answered zero or a negative price.
    error OracleNonPositiveAnswer(int256 answer);

    /// @notice The feed's answer is outside the adapter's sanity bounds.
    error OracleAnswerOutOfBounds(int256 answer, int256 minAnswer, int256 maxAnswer);

    /// @notice The feed's round has not completed (no timestamp, or answered in an earlier round).
    error OracleIncompleteRound(uint80 roundId, uint80 answeredInRound, uint256 updatedAt);

    /// @notice The L2 sequencer is reported down: prices cannot be trusted, because the feed cannot update
    /// and only transactions forced in through L1 (which few users can send) are being included.
    /// @param status The uptime feed's answer (0 means up; anything else is treated as down).
    /// @param since When the feed last changed status.
    error OracleSequencerDown(int256 status, uint256 since);

    /// @notice The L2 sequencer is up again but for no longer than the grace period, during which prices
    /// may still be the ones from before the outage and a backlog of transactions is being replayed.
    /// @param upSince When the sequencer came back up.
    /// @param gracePeriod How long after that prices stay refused, in seconds.
    /// @param nowTimestamp The current block's timestamp.
    error OracleSequencerRecovering(uint256 upSince, uint256 gracePeriod, uint256 nowTimestamp);

    /// @notice The sequencer uptime feed has no status yet (its round reports no start time, as Arbitrum's
    /// feed does before it is initialised), so an outage cannot be ruled out.
    /// @param roundId The uptime feed's latest round.
    error OracleSequencerStatusUnknown(uint80 roundId);

    /// @notice A constructor argument is invalid.
    /// @param what Which argument and why.
    error OracleInvalidConfig(string what);

    /// @notice The price of 1 GRL in USD, with 18 decimals (1.25 USD = 1.25e18).
    function grlUsdPrice() external view returns (uint256 price);
}
