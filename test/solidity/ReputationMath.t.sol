// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {ReputationMath} from "../../contracts/libraries/ReputationMath.sol";

/// @notice Exposes ReputationMath's internal functions so tests call them as a deployed contract would.
contract ReputationMathHarness {
    function afterSuccess(uint16 score) external pure returns (uint16) {
        return ReputationMath.afterSuccess(score, ReputationMath.FULL_WEIGHT_BPS);
    }

    function afterWeightedSuccess(uint16 score, uint16 weightBps) external pure returns (uint16) {
        return ReputationMath.afterSuccess(score, weightBps);
    }

    function weightOf(uint256 jobValue, uint256 referenceValue) external pure returns (uint16) {
        return ReputationMath.weightOf(jobValue, referenceValue);
    }

    function minCountingWeight() external pure returns (uint16) {
        return ReputationMath.MIN_COUNTING_WEIGHT_BPS;
    }

    function afterFault(uint16 score) external pure returns (uint16) {
        return ReputationMath.afterFault(score);
    }

    function maxScore() external pure returns (uint16) {
        return ReputationMath.MAX_SCORE;
    }

    function initialScore() external pure returns (uint16) {
        return ReputationMath.INITIAL_SCORE;
    }
}

contract ReputationMathTest is Test {
    uint16 internal constant MAX_SCORE = 10_000;
    uint16 internal constant FULL = 10_000;
    /// @dev The registry's default reference value: $100 with 18 decimals.
    uint256 internal constant REFERENCE = 100e18;

    ReputationMathHarness internal harness;

    function setUp() public {
        harness = new ReputationMathHarness();
    }

    // ------------------------------------------------------------------------------------------------
    // Unit tests: exact values
    // ------------------------------------------------------------------------------------------------

    function test_constants_matchProtocol() public view {
        assertEq(harness.maxScore(), 10_000);
        assertEq(harness.initialScore(), 5_000);
    }

    function test_afterSuccess_fromInitialScore() public view {
        assertEq(harness.afterSuccess(5_000), 5_500);
    }

    function test_afterSuccess_atMaxStaysAtMax() public view {
        assertEq(harness.afterSuccess(10_000), 10_000);
    }

    function test_afterSuccess_fromZero() public view {
        assertEq(harness.afterSuccess(0), 1_000);
    }

    function test_afterSuccess_roundsUp() public view {
        // (10000 - 5555) / 10 = 444.5 -> 445.
        assertEq(harness.afterSuccess(5_555), 6_000);
        // A gap below 10 still moves by one, so the maximum is reachable.
        assertEq(harness.afterSuccess(9_990), 9_991);
        assertEq(harness.afterSuccess(9_991), 9_992);
        assertEq(harness.afterSuccess(9_999), 10_000);
    }

    function test_afterWeightedSuccess_exactValues() public view {
        // Full weight is the unweighted rule; above it counts as full.
        assertEq(harness.afterWeightedSuccess(5_000, FULL), 5_500);
        assertEq(harness.afterWeightedSuccess(5_000, type(uint16).max), 5_500);
        // Partial weight closes that share of a tenth of the gap, rounded down: $60 of $100 at 5000.
        assertEq(harness.afterWeightedSuccess(5_000, 6_000), 5_300);
        assertEq(harness.afterWeightedSuccess(5_555, 9_999), 5_999);
        // Weight 0 gains nothing, and so does the dust that rounds to it.
        assertEq(harness.afterWeightedSuccess(5_000, 0), 5_000);
        assertEq(harness.afterWeightedSuccess(5_000, 19), 5_000);
        assertEq(harness.afterWeightedSuccess(5_000, 20), 5_001);
        // Near the maximum only full steps still move the score.
        assertEq(harness.afterWeightedSuccess(9_990, 9_999), 9_990);
        assertEq(harness.afterWeightedSuccess(9_990, FULL), 9_991);
    }

    function test_weightOf_exactValues() public view {
        assertEq(harness.weightOf(0, REFERENCE), 0);
        assertEq(harness.weightOf(1, REFERENCE), 0);
        // One unit of a 6-decimals stablecoin ($0.000001) and a 60-second dust job: weight 0.
        assertEq(harness.weightOf(1e12, REFERENCE), 0);
        assertEq(harness.weightOf(60e18, REFERENCE), 6_000);
        assertEq(harness.weightOf(REFERENCE - 1, REFERENCE), 9_999);
        assertEq(harness.weightOf(REFERENCE, REFERENCE), FULL);
        assertEq(harness.weightOf(type(uint256).max, REFERENCE), FULL);
        // Below a thousandth of the reference ($0.10), the weight is under the counting floor.
        assertEq(harness.weightOf(REFERENCE / 1_000 - 1, REFERENCE), 9);
        assertEq(harness.weightOf(REFERENCE / 1_000, REFERENCE), harness.minCountingWeight());
    }

    function test_afterFault_fromInitialScore() public view {
        assertEq(harness.afterFault(5_000), 3_333);
    }

    function test_afterFault_atZeroStaysAtZero() public view {
        assertEq(harness.afterFault(0), 0);
    }

    function test_afterFault_fromMax() public view {
        assertEq(harness.afterFault(10_000), 6_666);
    }

    function test_afterFault_roundsDown() public view {
        assertEq(harness.afterFault(1), 0);
        assertEq(harness.afterFault(2), 1);
        assertEq(harness.afterFault(3), 2);
    }

    function test_afterSuccess_repeatedReachesMax() public view {
        uint16 score = 5_000;
        for (uint256 i = 0; i < 100; ++i) {
            score = harness.afterSuccess(score);
        }
        // Rounding the step up makes MAX_SCORE the fixed point, reached within 100 successes.
        assertEq(score, 10_000);
    }

    function test_afterFault_repeatedReachesZero() public view {
        uint16 score = 10_000;
        for (uint256 i = 0; i < 30; ++i) {
            score = harness.afterFault(score);
        }
        assertEq(score, 0);
    }

    // ------------------------------------------------------------------------------------------------
    // Fuzz tests
    // ------------------------------------------------------------------------------------------------

    function testFuzz_afterSuccess_staysInRangeAndIncreases(uint16 score) public view {
        score = uint16(bound(score, 0, MAX_SCORE));
        uint16 next = harness.afterSuccess(score);
        assertLe(next, MAX_SCORE, "above MAX_SCORE");
        assertGe(next, score, "decreased");
        // Strictly increases below the maximum.
        if (score < MAX_SCORE) assertGt(next, score, "did not increase");
        assertEq(next, score + (MAX_SCORE - score + 9) / 10, "formula");
    }

    function testFuzz_afterFault_staysInRangeAndDecreases(uint16 score) public view {
        score = uint16(bound(score, 0, MAX_SCORE));
        uint16 next = harness.afterFault(score);
        assertLe(next, MAX_SCORE, "above MAX_SCORE");
        assertLe(next, score, "increased");
        if (score > 0) assertLt(next, score, "did not decrease");
        assertEq(next, (uint256(score) * 2) / 3, "formula");
    }

    function testFuzz_afterSuccess_isMonotonic(uint16 a, uint16 b) public view {
        a = uint16(bound(a, 0, MAX_SCORE));
        b = uint16(bound(b, 0, MAX_SCORE));
        if (a > b) (a, b) = (b, a);
        assertLe(harness.afterSuccess(a), harness.afterSuccess(b));
    }

    function testFuzz_afterFault_isMonotonic(uint16 a, uint16 b) public view {
        a = uint16(bound(a, 0, MAX_SCORE));
        b = uint16(bound(b, 0, MAX_SCORE));
        if (a > b) (a, b) = (b, a);
        assertLe(harness.afterFault(a), harness.afterFault(b));
    }

    function testFuzz_faultThenSuccess_neverExceedsStart(uint16 score) public view {
        score = uint16(bound(score, 0, MAX_SCORE));
        // A fault costs a third of the score and a success recovers a tenth of the gap, so for
        // s >= 2500 one success does not make up for one fault: 0.9 * (2s / 3) + 1000 <= s.
        uint16 next = harness.afterSuccess(harness.afterFault(score));
        assertLe(next, MAX_SCORE);
        if (score >= 2_500) assertLe(next, score);
    }

    // ------------------------------------------------------------------------------------------------
    // Fuzz tests: value weighting (reputation cannot rise faster than the value behind it allows)
    // ------------------------------------------------------------------------------------------------

    function testFuzz_afterSuccess_weightedGainAtMostFullGain(uint16 score, uint16 weightBps) public view {
        score = uint16(bound(score, 0, MAX_SCORE));
        uint16 weighted = harness.afterWeightedSuccess(score, weightBps);
        assertGe(weighted, score, "decreased");
        assertLe(weighted, harness.afterSuccess(score), "weighted gain above a full step");
        assertLe(weighted, MAX_SCORE, "above MAX_SCORE");
        if (weightBps >= FULL) {
            assertEq(weighted, harness.afterSuccess(score), "full weight != unweighted rule");
        } else {
            assertEq(weighted, score + ((uint256(MAX_SCORE) - score) * weightBps) / 100_000, "partial formula");
        }
    }

    function testFuzz_afterSuccess_monotoneInWeight(uint16 score, uint16 w1, uint16 w2) public view {
        score = uint16(bound(score, 0, MAX_SCORE));
        if (w1 > w2) (w1, w2) = (w2, w1);
        assertLe(harness.afterWeightedSuccess(score, w1), harness.afterWeightedSuccess(score, w2));
    }

    function testFuzz_afterSuccess_monotoneInScore(uint16 a, uint16 b, uint16 weightBps) public view {
        a = uint16(bound(a, 0, MAX_SCORE));
        b = uint16(bound(b, 0, MAX_SCORE));
        if (a > b) (a, b) = (b, a);
        assertLe(harness.afterWeightedSuccess(a, weightBps), harness.afterWeightedSuccess(b, weightBps));
    }

    function testFuzz_afterSuccess_zeroWeightChangesNothing(uint16 score) public view {
        score = uint16(bound(score, 0, MAX_SCORE));
        assertEq(harness.afterWeightedSuccess(score, 0), score);
    }

    /// @notice Below MIN_COUNTING_WEIGHT_BPS a job gains nothing at any score; at score s a job gains
    /// something exactly when (MAX_SCORE - s) x weight >= 100_000 (or at full weight below the maximum).
    function testFuzz_afterSuccess_floor(uint16 score, uint16 weightBps) public view {
        score = uint16(bound(score, 0, MAX_SCORE));
        uint16 next = harness.afterWeightedSuccess(score, weightBps);
        if (weightBps < harness.minCountingWeight()) assertEq(next, score, "weight below the floor counted");
        bool counts = weightBps >= FULL
            ? score < MAX_SCORE
            : (uint256(MAX_SCORE) - score) * weightBps >= 100_000;
        assertEq(next > score, counts, "floor");
    }

    function testFuzz_weightOf_boundedAndMonotone(uint256 v1, uint256 v2, uint256 referenceValue) public view {
        referenceValue = bound(referenceValue, 1e18, 1_000_000e18);
        if (v1 > v2) (v1, v2) = (v2, v1);
        uint16 w1 = harness.weightOf(v1, referenceValue);
        assertLe(w1, FULL, "weight above full");
        assertLe(w1, harness.weightOf(v2, referenceValue), "weight not monotone in value");
        // Never more weight than value: w <= v x 10000 / reference (so full weight needs v >= reference).
        assertLe(uint256(w1) * referenceValue, v1 >= referenceValue ? type(uint256).max : v1 * FULL, "weight above value");
    }

    /// @notice The property the reputation-farming fix rests on. After successes of values v_1..v_n:
    /// (1) the score is at most what n full-weight steps reach from the same start;
    /// (2) the rise is at most 1000 points per reference value of job value: rise x reference <= 1000 x sum(v_i);
    /// (3) if every job is under a thousandth of the reference value (the counting floor), nothing changes.
    function testFuzz_afterSuccess_riseIsBackedByJobValue(uint16 start, uint256[8] memory values, uint8 count)
        public
        view
    {
        start = uint16(bound(start, 0, MAX_SCORE));
        uint256 n = bound(count, 1, values.length);
        uint16 score = start;
        uint16 fullOnly = start;
        uint256 totalValue;
        bool allDust = true;
        for (uint256 i = 0; i < n; ++i) {
            // Values from 0 to three reference values, half of them below $1 so dust and partial weights appear.
            uint256 v = i % 2 == 0 ? bound(values[i], 0, 3 * REFERENCE) : bound(values[i], 0, 1e18);
            if (v >= REFERENCE / 1_000) allDust = false;
            totalValue += v;
            score = harness.afterWeightedSuccess(score, harness.weightOf(v, REFERENCE));
            fullOnly = harness.afterSuccess(fullOnly);
        }
        assertLe(score, fullOnly, "above n full steps");
        assertLe(uint256(score - start) * REFERENCE, 1_000 * totalValue, "rise not backed by job value");
        if (allDust) assertEq(score, start, "dust jobs raised the score");
    }
}
