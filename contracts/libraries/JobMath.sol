// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title JobMath
/// @notice Pure money arithmetic of the job market. Every rounding is stated and goes against the
/// party receiving value from the protocol where it can (down for payouts, up for collateral).
library JobMath {
    /// @notice Basis points in a whole.
    uint256 internal constant BPS = 10_000;

    /// @notice Seconds in the hour that prices are quoted per.
    uint256 internal constant HOUR = 3600;

    /// @notice A job's value: price per GPU-hour x GPUs x seconds / 3600, rounded down.
    /// @dev Bounded inputs (uint96 x uint32 x uint40 < 2^168) cannot overflow uint256; the result is
    /// checked into uint128 by the caller's SafeCast.
    function value(uint96 pricePerGpuHour, uint32 gpuCount, uint40 duration) internal pure returns (uint256) {
        return (uint256(pricePerGpuHour) * gpuCount * duration) / HOUR;
    }

    /// @notice Gross pay accrued after `elapsed` of `duration` seconds, rounded down.
    function accrued(uint256 jobValue, uint256 elapsed, uint256 duration) internal pure returns (uint256) {
        if (elapsed >= duration) return jobValue;
        return Math.mulDiv(jobValue, elapsed, duration);
    }

    /// @notice `amount` x `bps` / 10000, rounded down.
    function bpsOf(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return Math.mulDiv(amount, bps, BPS);
    }

    /// @notice `amount` x `bps` / 10000, rounded up.
    function bpsOfUp(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return Math.mulDiv(amount, bps, BPS, Math.Rounding.Ceil);
    }

    /// @notice GRL (18 decimals) worth `amount` of a dollar stablecoin with `decimals` decimals at
    /// `grlUsdPrice` (USD per GRL, 18 decimals), rounded up.
    function grlForStablecoin(uint256 amount, uint8 decimals, uint256 grlUsdPrice) internal pure returns (uint256) {
        // usd18 = amount * 10^(18 - decimals); grl = usd18 * 1e18 / price.
        return Math.mulDiv(amount * 10 ** (18 - decimals), 1e18, grlUsdPrice, Math.Rounding.Ceil);
    }
}
