// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IPriceOracle} from "../interfaces/IPriceOracle.sol";

/// @title SequencerGuardedOracle
/// @notice Wraps another IPriceOracle and refuses to price while the L2 sequencer is down, or within a grace
/// period after it comes back, as Chainlink's L2 sequencer uptime feed is meant to be used.
/// @dev While the sequencer is down, the price feed cannot update and the only transactions included are
/// those forced in through L1, which few users can send: a stale but still "fresh-looking" price could then
/// size collateral or mint GRL for whoever can reach the chain. After it comes back, the backlog replays
/// against prices that may not have caught up yet, hence the grace period. The inner oracle's own checks
/// (staleness, bounds, rounds) still run, and its errors reach the caller unchanged.
/// Configuration is immutable, like the inner adapter's: governance points the protocol at a new guard to
/// change the feed or the grace period.
contract SequencerGuardedOracle is IPriceOracle {
    /// @notice The longest grace period the constructor accepts: one day.
    /// @dev Chainlink suggests an hour. Every second of grace is a second of refused jobs, credit purchases
    /// and earnings withdrawals after each outage, and the value cannot be changed in place, so anything
    /// above a day is taken for a units mistake (milliseconds, or a block count) rather than a choice.
    uint256 public constant MAX_GRACE_PERIOD = 1 days;

    /// @notice The oracle whose price this guard passes on (e.g. a ChainlinkPriceOracle).
    IPriceOracle public immutable PRICE_ORACLE;

    /// @notice Chainlink's sequencer uptime feed for this L2: answer 0 = up, 1 = down; startedAt = when the
    /// status last changed.
    AggregatorV3Interface public immutable SEQUENCER_UPTIME_FEED;

    /// @notice Seconds after the sequencer comes back during which prices are still refused.
    uint256 public immutable GRACE_PERIOD;

    /// @param priceOracle The oracle to guard (a contract).
    /// @param uptimeFeed The L2's sequencer uptime feed (a contract).
    /// @param gracePeriod Seconds of grace after the sequencer comes back (1 to MAX_GRACE_PERIOD).
    constructor(IPriceOracle priceOracle, AggregatorV3Interface uptimeFeed, uint256 gracePeriod) {
        if (address(priceOracle) == address(0)) revert OracleInvalidConfig("priceOracle is the zero address");
        if (address(uptimeFeed) == address(0)) revert OracleInvalidConfig("uptimeFeed is the zero address");
        // A wrong address with no code would make every price read fail with empty revert data, which
        // neither users nor the CLI could explain; catch it at deployment instead.
        if (address(priceOracle).code.length == 0) revert OracleInvalidConfig("priceOracle has no code");
        if (address(uptimeFeed).code.length == 0) revert OracleInvalidConfig("uptimeFeed has no code");
        // Without a grace period the first block after an outage would already price on a feed that has
        // had no chance to update.
        if (gracePeriod == 0) revert OracleInvalidConfig("gracePeriod is zero");
        if (gracePeriod > MAX_GRACE_PERIOD) revert OracleInvalidConfig("gracePeriod is above 1 day");
        PRICE_ORACLE = priceOracle;
        SEQUENCER_UPTIME_FEED = uptimeFeed;
        GRACE_PERIOD = gracePeriod;
    }

    /// @inheritdoc IPriceOracle
    /// @dev Reverts with OracleSequencerDown, OracleSequencerStatusUnknown or OracleSequencerRecovering
    /// before asking the inner oracle, whose errors then propagate unchanged.
    function grlUsdPrice() external view returns (uint256 price) {
        (uint80 roundId, int256 status, uint256 startedAt,,) = SEQUENCER_UPTIME_FEED.latestRoundData();
        // Fail closed: only the documented "up" answer lets a price through; any other value is an outage
        // or a feed we do not understand.
        if (status != 0) revert OracleSequencerDown(status, startedAt);
        // With startedAt 0 the sequencer would look up since 1970 and skip the grace period entirely.
        if (startedAt == 0) revert OracleSequencerStatusUnknown(roundId);
        // A change stamped at or after this block (L1 and L2 clocks disagree by a few seconds) has just
        // happened; testing it first also keeps the subtraction from underflowing. The last second of the
        // grace period is still refused, as in Chainlink's example (`timeSinceUp <= GRACE_PERIOD_TIME`).
        if (block.timestamp <= startedAt || block.timestamp - startedAt <= GRACE_PERIOD) {
            revert OracleSequencerRecovering(startedAt, GRACE_PERIOD, block.timestamp);
        }
        price = PRICE_ORACLE.grlUsdPrice();
    }
}
