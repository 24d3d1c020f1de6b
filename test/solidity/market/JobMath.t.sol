// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {stdError} from "forge-std/StdError.sol";

import {JobMath} from "../../../contracts/libraries/JobMath.sol";

/// @notice Exposes the internal JobMath functions as external calls, so a revert is observable.
contract JobMathHarness {
    function value(uint96 pricePerGpuHour, uint32 gpuCount, uint40 duration) external pure returns (uint256) {
        return JobMath.value(pricePerGpuHour, gpuCount, duration);
    }

    function accrued(uint256 jobValue, uint256 elapsed, uint256 duration) external pure returns (uint256) {
        return JobMath.accrued(jobValue, elapsed, duration);
    }

    function bpsOf(uint256 amount, uint256 bps) external pure returns (uint256) {
        return JobMath.bpsOf(amount, bps);
    }

    function bpsOfUp(uint256 amount, uint256 bps) external pure returns (uint256) {
        return JobMath.bpsOfUp(amount, bps);
    }

    function grlForStablecoin(uint256 amount, uint8 decimals, uint256 grlUsdPrice) external pure returns (uint256) {
        return JobMath.grlForStablecoin(amount, decimals, grlUsdPrice);
    }
}

/// @notice Unit and fuzz tests of the job market's money arithmetic (JobMath): job value rounding,
/// streaming accrual, basis-point shares rounded both ways, and the GRL value of a stablecoin amount.
contract JobMathTest is Test {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant HOUR = 3600;
    /// @notice The market's request bounds (JobMarket.MAX_GPU_COUNT, MAX_DURATION).
    uint32 internal constant MAX_GPU_COUNT = 1024;
    uint40 internal constant MAX_DURATION = 365 days;
    /// @notice The oracle bounds used by the deployment (1e6..1e12 at 8 decimals), in 18 decimals.
    uint256 internal constant MIN_ORACLE_PRICE = 1e16;
    uint256 internal constant MAX_ORACLE_PRICE = 1e22;

    JobMathHarness internal h;

    function setUp() public {
        h = new JobMathHarness();
    }

    // ------------------------------------------------------------------------------------------------
    // value
    // ------------------------------------------------------------------------------------------------

    function test_value_examples() public view {
        // $2.00 per GPU-hour (6-decimal stablecoin), 8 GPUs, 1 hour: $16.
        assertEq(h.value(2e6, 8, 1 hours), 16e6);
        // $1.33 x 4 GPUs x 90 minutes = $7.98.
        assertEq(h.value(1_330_000, 4, 90 minutes), 7_980_000);
        // 3 wei per GPU-hour for 20 minutes is exactly 1 wei.
        assertEq(h.value(3, 1, 20 minutes), 1);
        // Rounds down: 1 wei per GPU-hour for 3599 s is 0.99... wei.
        assertEq(h.value(1, 1, 3599), 0);
        // 7 wei x 3 GPUs x 1000 s = 21000 / 3600 = 5.83 -> 5.
        assertEq(h.value(7, 3, 1000), 5);
    }

    function test_value_zeroInputs() public view {
        assertEq(h.value(0, 8, 1 hours), 0);
        assertEq(h.value(1e6, 0, 1 hours), 0);
        assertEq(h.value(1e6, 8, 0), 0);
    }

    /// @notice value == floor(price x gpus x seconds / 3600): value x 3600 <= product < (value + 1) x 3600.
    function testFuzz_value_roundsDown(uint96 price, uint32 gpuCount, uint40 duration) public view {
        uint256 product = uint256(price) * gpuCount * duration;
        uint256 v = h.value(price, gpuCount, duration);
        assertLe(v * HOUR, product, "value rounds up");
        assertLt(product, (v + 1) * HOUR, "value more than 1 wei low");
    }

    /// @notice Any request the market accepts has a value that fits uint128 (the SafeCast never fires).
    function testFuzz_value_fitsUint128WithinRequestBounds(uint96 price, uint32 gpuCount, uint40 duration)
        public
        view
    {
        gpuCount = uint32(bound(gpuCount, 1, MAX_GPU_COUNT));
        duration = uint40(bound(duration, 1 minutes, MAX_DURATION));
        assertLe(h.value(price, gpuCount, duration), type(uint128).max);
    }

    /// @notice The value is monotone in each argument.
    function testFuzz_value_monotone(uint96 p1, uint96 p2, uint32 gpuCount, uint40 d1, uint40 d2) public view {
        (p1, p2) = p1 <= p2 ? (p1, p2) : (p2, p1);
        (d1, d2) = d1 <= d2 ? (d1, d2) : (d2, d1);
        assertLe(h.value(p1, gpuCount, d1), h.value(p2, gpuCount, d1), "not monotone in price");
        assertLe(h.value(p1, gpuCount, d1), h.value(p1, gpuCount, d2), "not monotone in duration");
    }

    // ------------------------------------------------------------------------------------------------
    // accrued
    // ------------------------------------------------------------------------------------------------

    function test_accrued_examples() public view {
        assertEq(h.accrued(100e6, 0, 1 hours), 0);
        assertEq(h.accrued(100e6, 30 minutes, 1 hours), 50e6);
        assertEq(h.accrued(100e6, 1 hours, 1 hours), 100e6);
        assertEq(h.accrued(100e6, 2 hours, 1 hours), 100e6);
        // 10 wei over 3 s: 1 s accrues 3.33 -> 3, 2 s accrues 6.67 -> 6.
        assertEq(h.accrued(10, 1, 3), 3);
        assertEq(h.accrued(10, 2, 3), 6);
        assertEq(h.accrued(10, 3, 3), 10);
    }

    /// @notice accrued is floor(value x elapsed / duration) before the end, exactly the value from the end on.
    function testFuzz_accrued_matchesReference(uint128 jobValue, uint256 elapsed, uint40 duration) public view {
        duration = uint40(bound(duration, 1, type(uint40).max));
        elapsed = bound(elapsed, 0, uint256(duration) * 2);
        uint256 a = h.accrued(jobValue, elapsed, duration);
        if (elapsed >= duration) {
            assertEq(a, jobValue, "not the whole value at the end");
        } else {
            uint256 product = uint256(jobValue) * elapsed;
            assertLe(a * duration, product, "accrued rounds up");
            assertLt(product, (a + 1) * duration, "accrued more than 1 wei low");
        }
    }

    /// @notice accrued never decreases as time passes and never exceeds the value.
    function testFuzz_accrued_monotoneAndCapped(uint256 jobValue, uint256 e1, uint256 e2, uint256 duration)
        public
        view
    {
        duration = bound(duration, 1, 10 * 365 days);
        e1 = bound(e1, 0, 20 * 365 days);
        e2 = bound(e2, 0, 20 * 365 days);
        (e1, e2) = e1 <= e2 ? (e1, e2) : (e2, e1);
        uint256 a1 = h.accrued(jobValue, e1, duration);
        uint256 a2 = h.accrued(jobValue, e2, duration);
        assertLe(a1, a2, "accrued decreased");
        assertLe(a2, jobValue, "accrued above value");
    }

    /// @notice Extreme values go through mulDiv without overflow.
    function testFuzz_accrued_noOverflow(uint256 elapsed, uint256 duration) public view {
        duration = bound(duration, 1, type(uint256).max);
        uint256 a = h.accrued(type(uint256).max, elapsed, duration);
        assertLe(a, type(uint256).max);
        if (elapsed >= duration) assertEq(a, type(uint256).max);
    }

    /// @notice Claiming in several steps never releases more than the value: the sum of per-step deltas
    /// of accrued equals accrued at the last step (no rounding leak between steps).
    function testFuzz_accrued_stepsTelescope(uint128 jobValue, uint40 duration, uint32[4] memory steps) public view {
        duration = uint40(bound(duration, 1, 30 days));
        uint256 t;
        uint256 paid;
        for (uint256 i = 0; i < steps.length; ++i) {
            t += bound(steps[i], 0, duration);
            uint256 a = h.accrued(jobValue, t, duration);
            assertGe(a, paid, "accrued below what was paid");
            paid = a;
        }
        assertEq(paid, h.accrued(jobValue, t, duration));
        assertLe(paid, jobValue);
    }

    // ------------------------------------------------------------------------------------------------
    // bpsOf / bpsOfUp
    // ------------------------------------------------------------------------------------------------

    function test_bps_examples() public view {
        assertEq(h.bpsOf(1000, 250), 25);
        assertEq(h.bpsOfUp(1000, 250), 25);
        assertEq(h.bpsOf(999, 250), 24); // 24.975
        assertEq(h.bpsOfUp(999, 250), 25);
        assertEq(h.bpsOf(1, 1), 0);
        assertEq(h.bpsOfUp(1, 1), 1);
        assertEq(h.bpsOf(123, 0), 0);
        assertEq(h.bpsOfUp(123, 0), 0);
        assertEq(h.bpsOf(123, BPS), 123);
        assertEq(h.bpsOfUp(123, BPS), 123);
        assertEq(h.bpsOf(0, 9999), 0);
        assertEq(h.bpsOfUp(0, 9999), 0);
    }

    /// @notice bpsOfUp is bpsOf, plus one exactly when amount x bps is not a multiple of 10000.
    function testFuzz_bps_upIsDownPlusRemainder(uint256 amount, uint256 bps) public view {
        bps = bound(bps, 0, BPS);
        uint256 down = h.bpsOf(amount, bps);
        uint256 up = h.bpsOfUp(amount, bps);
        uint256 remainder = mulmod(amount, bps, BPS);
        assertEq(up, remainder == 0 ? down : down + 1, "up != down + (remainder != 0)");
        assertLe(up, amount, "share above the amount");
    }

    /// @notice bpsOf matches floor(amount x bps / 10000) where the product fits in 256 bits.
    function testFuzz_bps_matchesReference(uint240 amount, uint16 bps) public view {
        uint256 product = uint256(amount) * bps;
        assertEq(h.bpsOf(amount, bps), product / BPS);
        assertEq(h.bpsOfUp(amount, bps), (product + BPS - 1) / BPS);
    }

    /// @notice Splitting an amount by complementary shares, one rounded down and the other up, loses
    /// nothing: bpsOf(a, b) + bpsOfUp(a, 10000 - b) == a. The market relies on it for the fee/net and
    /// holdback/releasable splits.
    function testFuzz_bps_complementarySplitIsExact(uint256 amount, uint256 bps) public view {
        amount = bound(amount, 0, type(uint256).max / BPS);
        bps = bound(bps, 0, BPS);
        assertEq(h.bpsOf(amount, bps) + h.bpsOfUp(amount, BPS - bps), amount);
    }

    /// @notice Both shares are monotone in the amount and in the basis points.
    function testFuzz_bps_monotone(uint128 a1, uint128 a2, uint16 b1, uint16 b2) public view {
        (a1, a2) = a1 <= a2 ? (a1, a2) : (a2, a1);
        b1 = uint16(bound(b1, 0, BPS));
        b2 = uint16(bound(b2, 0, BPS));
        (b1, b2) = b1 <= b2 ? (b1, b2) : (b2, b1);
        assertLe(h.bpsOf(a1, b1), h.bpsOf(a2, b1));
        assertLe(h.bpsOf(a1, b1), h.bpsOf(a1, b2));
        assertLe(h.bpsOfUp(a1, b1), h.bpsOfUp(a2, b1));
        assertLe(h.bpsOfUp(a1, b1), h.bpsOfUp(a1, b2));
    }

    // ------------------------------------------------------------------------------------------------
    // grlForStablecoin
    // ------------------------------------------------------------------------------------------------

    function test_grlForStablecoin_examples() public view {
        // 1 USDC at $0.50 per GRL: 2 GRL.
        assertEq(h.grlForStablecoin(1e6, 6, 0.5e18), 2e18);
        // 1 DAI (18 decimals) at $0.50: 2 GRL.
        assertEq(h.grlForStablecoin(1e18, 18, 0.5e18), 2e18);
        // 1 wei of USDC at $0.50 is exactly 2e12 GRL wei.
        assertEq(h.grlForStablecoin(1, 6, 0.5e18), 2e12);
        // 1 wei of USDC at $0.30 is 3.33e12 GRL wei: rounded up.
        assertEq(h.grlForStablecoin(1, 6, 0.3e18), 3_333_333_333_334);
        // 1 wei of an 18-decimal coin at $3: 0.33 GRL wei -> 1.
        assertEq(h.grlForStablecoin(1, 18, 3e18), 1);
        assertEq(h.grlForStablecoin(0, 6, 0.5e18), 0);
        // $960 (the largest invariant-suite job) at $0.10 per GRL: 9600 GRL.
        assertEq(h.grlForStablecoin(960e6, 6, 0.1e18), 9600e18);
    }

    /// @notice 6 decimals: grl == ceil(amount x 1e12 x 1e18 / price).
    function testFuzz_grlForStablecoin_6decimalsMatchesReference(uint128 amount, uint256 price) public view {
        price = bound(price, 1, type(uint128).max);
        uint256 numerator = uint256(amount) * 1e12 * 1e18;
        uint256 expected = numerator / price + (numerator % price == 0 ? 0 : 1);
        assertEq(h.grlForStablecoin(amount, 6, price), expected);
    }

    /// @notice 18 decimals: grl == ceil(amount x 1e18 / price).
    function testFuzz_grlForStablecoin_18decimalsMatchesReference(uint128 amount, uint256 price) public view {
        price = bound(price, 1, type(uint128).max);
        uint256 numerator = uint256(amount) * 1e18;
        uint256 expected = numerator / price + (numerator % price == 0 ? 0 : 1);
        assertEq(h.grlForStablecoin(amount, 18, price), expected);
    }

    /// @notice The result rounds up: it is worth at least the amount, and one wei less would be worth less.
    function testFuzz_grlForStablecoin_roundsUp(uint128 amount, uint8 decimals, uint256 price) public view {
        decimals = uint8(bound(decimals, 0, 18));
        price = bound(price, MIN_ORACLE_PRICE, MAX_ORACLE_PRICE);
        uint256 usd36 = uint256(amount) * 10 ** (18 - decimals) * 1e18;
        uint256 grl = h.grlForStablecoin(amount, decimals, price);
        assertGe(grl * price, usd36, "GRL worth less than the amount");
        if (grl != 0) assertLt((grl - 1) * price, usd36, "rounded up by more than 1 wei");
        assertEq(grl == 0, amount == 0, "zero iff amount is zero");
    }

    /// @notice The same dollar amount gives the same GRL whatever the stablecoin's decimals.
    function testFuzz_grlForStablecoin_decimalsAgree(uint128 amount6, uint256 price) public view {
        price = bound(price, 1, type(uint128).max);
        assertEq(h.grlForStablecoin(amount6, 6, price), h.grlForStablecoin(uint256(amount6) * 1e12, 18, price));
    }

    /// @notice A higher GRL price never needs more GRL.
    function testFuzz_grlForStablecoin_monotoneInPrice(uint128 amount, uint256 p1, uint256 p2) public view {
        p1 = bound(p1, 1, type(uint128).max);
        p2 = bound(p2, 1, type(uint128).max);
        (p1, p2) = p1 <= p2 ? (p1, p2) : (p2, p1);
        assertGe(h.grlForStablecoin(amount, 6, p1), h.grlForStablecoin(amount, 6, p2));
    }

    /// @notice More than 18 decimals underflows 18 - decimals (the market rejects such tokens first).
    function test_grlForStablecoin_revertsAbove18Decimals() public {
        vm.expectRevert(stdError.arithmeticError);
        h.grlForStablecoin(1, 19, 1e18);
    }

    /// @notice A zero price divides by zero.
    function test_grlForStablecoin_revertsOnZeroPrice() public {
        vm.expectRevert(stdError.divisionError);
        h.grlForStablecoin(1, 6, 0);
    }
}
