// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {ReputationMath} from "../../contracts/libraries/ReputationMath.sol";

/// @notice Exposes ReputationMath's internal functions so tests call them as a deployed contract would.
contract ReputationMathHarness {
    function afterSuccess(uint16 score) external pure returns (uint16) {
        return ReputationMath.afterSuccess(score);
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
}
