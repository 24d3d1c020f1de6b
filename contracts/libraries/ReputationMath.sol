// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ReputationMath
/// @notice Provider reputation scores in [0, MAX_SCORE], as PROTOCOL.md defines them.
/// @dev Success closes a tenth of the gap to the maximum, rounded up so that every success below the
/// maximum counts and MAX_SCORE is reachable (rounding down would freeze scores at 9991); a fault keeps
/// two thirds of the score, rounded down. A success at MAX_SCORE stays there and a fault at 0 stays at 0.
library ReputationMath {
    /// @notice The highest reputation score (100.00%).
    uint16 internal constant MAX_SCORE = 10_000;

    /// @notice The score of a newly registered provider.
    uint16 internal constant INITIAL_SCORE = 5_000;

    /// @notice The score after a successfully completed job: s + ceil((MAX_SCORE - s) / 10).
    /// @param score The current score, at most MAX_SCORE.
    function afterSuccess(uint16 score) internal pure returns (uint16) {
        // Safe: score <= MAX_SCORE, so the gap is in [0, 10000] and ceil(gap / 10) <= gap keeps the
        // sum at most MAX_SCORE.
        unchecked {
            return score + (MAX_SCORE - score + 9) / 10;
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
