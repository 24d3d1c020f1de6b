// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title ReputationMath
/// @notice Provider reputation scores in [0, MAX_SCORE], as PROTOCOL.md defines them.
/// @dev A success is weighted by the job's value: a job worth at least the reference value (a registry
/// parameter) has full weight and closes a tenth of the gap to the maximum, rounded up so that every such
/// success below the maximum counts and MAX_SCORE is reachable (rounding down would freeze scores at
/// 9991); a cheaper job has weight value / reference (in basis points) and closes that share of a tenth
/// of the gap, rounded down, so a dust job gains nothing. A fault keeps two thirds of the score, rounded
/// down. A success at MAX_SCORE stays there and a fault at 0 stays at 0.
///
/// The floor: a job gains nothing at score s when (MAX_SCORE - s) x weight < 100_000, so a job of
/// weight below MIN_COUNTING_WEIGHT_BPS (10 bps: a thousandth of the reference value) never counts, at
/// any score; one of weight w counts only while the gap is at least 100_000 / w. Self-dealt dust jobs
/// therefore cannot raise a score, and every point gained is backed by job value: a success raises the
/// score by at most ceil(gap x weight / 100_000) <= 1_000 x value / reference.
library ReputationMath {
    /// @notice The highest reputation score (100.00%).
    uint16 internal constant MAX_SCORE = 10_000;

    /// @notice The score of a newly registered provider.
    uint16 internal constant INITIAL_SCORE = 5_000;

    /// @notice The weight of a job worth at least the reference value: a full step.
    uint16 internal constant FULL_WEIGHT_BPS = 10_000;

    /// @notice The lowest weight that can count at any score (at score 0, where the gap is largest).
    /// Lower weights gain nothing at every score.
    uint16 internal constant MIN_COUNTING_WEIGHT_BPS = 10;

    /// @notice The weight of a job worth `jobValue` against `referenceValue` (same units):
    /// min(FULL_WEIGHT_BPS, jobValue x 10_000 / referenceValue), rounded down.
    /// @param referenceValue The value that earns a full step; non-zero (the registry bounds it).
    function weightOf(uint256 jobValue, uint256 referenceValue) internal pure returns (uint16) {
        // A value at or above the reference is full weight; below it, the quotient is below 10_000, so
        // the cast cannot truncate (and mulDiv cannot overflow: jobValue < referenceValue).
        if (jobValue >= referenceValue) return FULL_WEIGHT_BPS;
        return uint16(Math.mulDiv(jobValue, FULL_WEIGHT_BPS, referenceValue));
    }

    /// @notice The score after a successfully completed job of weight `weightBps`.
    /// @dev Full weight (FULL_WEIGHT_BPS or more): s + ceil((MAX_SCORE - s) / 10), the unweighted rule.
    /// Partial weight: s + floor((MAX_SCORE - s) x weightBps / 100_000). Weight 0: s.
    /// @param score The current score, at most MAX_SCORE.
    /// @param weightBps The job's weight (see {weightOf}); values above FULL_WEIGHT_BPS count as full.
    function afterSuccess(uint16 score, uint16 weightBps) internal pure returns (uint16) {
        // Safe: score <= MAX_SCORE, so the gap is in [0, 10000]. At full weight ceil(gap / 10) <= gap;
        // below it, gap x weight / 100_000 < gap / 10 <= gap. Either way the sum is at most MAX_SCORE.
        unchecked {
            uint256 gap = MAX_SCORE - score;
            if (weightBps >= FULL_WEIGHT_BPS) return score + uint16((gap + 9) / 10);
            return score + uint16((gap * weightBps) / 100_000);
        }
    }

    /// @notice The score after a fault (no-show, late delivery, lost dispute): s * 2 / 3.
    /// @param score The current score, at most MAX_SCORE.
    function afterFault(uint16 score) internal pure returns (uint16) {
        // Safe: the product is at most 20_000 computed in uint256, and the quotient is below score.
        unchecked {
            return uint16((uint256(score) * 2) / 3);
        }
    }
}
