// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {stdError} from "forge-std/StdError.sol";

import {BmeMath} from "../../../contracts/libraries/BmeMath.sol";

/// @notice Exposes the internal BmeMath functions as external calls, so a revert is observable.
contract BmeMathHarness {
    function usdValue(uint256 grlAmount, uint256 price) external pure returns (uint256) {
        return BmeMath.usdValue(grlAmount, price);
    }

    function creditsFor(uint256 grlAmount, uint256 price, uint256 spreadBps) external pure returns (uint256) {
        return BmeMath.creditsFor(grlAmount, price, spreadBps);
    }

    function grlFor(uint256 usdAmount, uint256 price) external pure returns (uint256) {
        return BmeMath.grlFor(usdAmount, price);
    }

    function proRata(uint256 budget, uint256 share, uint256 total) external pure returns (uint256) {
        return BmeMath.proRata(budget, share, total);
    }

    function reached(uint256 start, uint256 amount, uint256 head) external pure returns (uint256) {
        return BmeMath.reached(start, amount, head);
    }
}

/// @notice Unit and fuzz tests of the burn-mint arithmetic (BmeMath): the USD value of GRL, credits for a
/// burn less the spread, GRL for USD earnings, pro-rata emission shares and queue-ticket reach. Every
/// conversion must round once, down, in the protocol's favour; the fuzz tests bound each result between
/// the exact rational value minus one unit and the exact value.
contract BmeMathTest is Test {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant WAD = 1e18;
    /// @notice Settlement.MAX_SPREAD_BPS.
    uint256 internal constant MAX_SPREAD_BPS = 500;
    /// @notice The deployment's oracle bounds (1e6..1e12 at 8 decimals), in 18 decimals.
    uint256 internal constant MIN_ORACLE_PRICE = 1e16;
    uint256 internal constant MAX_ORACLE_PRICE = 1e22;
    /// @notice Fuzz bounds well beyond anything the protocol handles (GRL supply is 1e27 wei, oracle
    /// prices stay below 1e22), yet small enough that the reference products below cannot overflow.
    uint256 internal constant MAX_AMOUNT = 1e36;
    uint256 internal constant MAX_PRICE = 1e30;

    BmeMathHarness internal h;

    function setUp() public {
        h = new BmeMathHarness();
    }

    // ------------------------------------------------------------------------------------------------
    // usdValue
    // ------------------------------------------------------------------------------------------------

    function test_usdValue_examples() public view {
        // 1000 GRL at $0.50 is $500.
        assertEq(h.usdValue(1000e18, 5e17), 500e18);
        // 1 wei at $0.50 is half a wei of USD: rounds to 0; 3 wei is 1.5 -> 1.
        assertEq(h.usdValue(1, 5e17), 0);
        assertEq(h.usdValue(3, 5e17), 1);
        // 1 GRL at the oracle's floor and ceiling.
        assertEq(h.usdValue(1e18, MIN_ORACLE_PRICE), MIN_ORACLE_PRICE);
        assertEq(h.usdValue(1e18, MAX_ORACLE_PRICE), MAX_ORACLE_PRICE);
        assertEq(h.usdValue(0, 5e17), 0);
        assertEq(h.usdValue(1000e18, 0), 0);
    }

    function test_usdValue_revertsOnOverflow() public {
        vm.expectRevert(stdError.arithmeticError);
        h.usdValue(type(uint256).max, 2e18);
    }

    /// @notice usdValue == floor(grl x price / 1e18).
    function testFuzz_usdValue_roundsDown(uint256 grlAmount, uint256 price) public view {
        grlAmount = bound(grlAmount, 0, MAX_AMOUNT);
        price = bound(price, 0, MAX_PRICE);
        uint256 v = h.usdValue(grlAmount, price);
        assertLe(v * WAD, grlAmount * price, "usdValue rounds up");
        assertLt(grlAmount * price, (v + 1) * WAD, "usdValue more than 1 wei low");
    }

    function testFuzz_usdValue_monotone(uint256 g1, uint256 g2, uint256 p1, uint256 p2) public view {
        g1 = bound(g1, 0, MAX_AMOUNT);
        g2 = bound(g2, g1, MAX_AMOUNT);
        p1 = bound(p1, 0, MAX_PRICE);
        p2 = bound(p2, p1, MAX_PRICE);
        assertLe(h.usdValue(g1, p1), h.usdValue(g2, p1), "not monotone in the amount");
        assertLe(h.usdValue(g1, p1), h.usdValue(g1, p2), "not monotone in the price");
    }

    // ------------------------------------------------------------------------------------------------
    // creditsFor
    // ------------------------------------------------------------------------------------------------

    function test_creditsFor_examples() public view {
        // 1000 GRL at $0.50 less 25 bps: $500 x 0.9975 = $498.75.
        assertEq(h.creditsFor(1000e18, 5e17, 25), 498.75e18);
        // No spread: exactly the USD value.
        assertEq(h.creditsFor(1000e18, 5e17, 0), 500e18);
        // The maximum spread (5%): $475.
        assertEq(h.creditsFor(1000e18, 5e17, MAX_SPREAD_BPS), 475e18);
        // 1e6 wei at $0.01 less 25 bps: 1e6 x 1e16 x 9975 / 1e22 = 9975 wei of credits.
        assertEq(h.creditsFor(1e6, MIN_ORACLE_PRICE, 25), 9975);
        // A whole spread leaves nothing.
        assertEq(h.creditsFor(1000e18, 5e17, BPS), 0);
        // One wei of GRL at the oracle's floor is worth 1/100 of a wei: rounds to 0.
        assertEq(h.creditsFor(1, MIN_ORACLE_PRICE, 0), 0);
        assertEq(h.creditsFor(0, 5e17, 25), 0);
    }

    /// @notice One rounding, not two: 7 wei at $0.30 less 25 bps is 2.09475 -> 2, while rounding the USD
    /// value first (2.1 -> 2) and then the spread (2 x 0.9975 = 1.995 -> 1) would give 1.
    function test_creditsFor_roundsOnce() public view {
        assertEq(h.usdValue(7, 3e17), 2);
        assertEq(h.creditsFor(7, 3e17, 25), 2);
        assertEq(h.usdValue(7, 3e17) * (BPS - 25) / BPS, 1, "two-step rounding would lose a wei");
    }

    function test_creditsFor_revertsWhenSpreadAboveWhole() public {
        vm.expectRevert(stdError.arithmeticError);
        h.creditsFor(1e18, 5e17, BPS + 1);
    }

    function test_creditsFor_revertsOnOverflow() public {
        // The result does not fit uint256.
        vm.expectRevert(stdError.arithmeticError);
        h.creditsFor(type(uint256).max, MAX_ORACLE_PRICE, 0);
        // price x (BPS - spread) does not fit uint256.
        vm.expectRevert(stdError.arithmeticError);
        h.creditsFor(1, type(uint256).max, 0);
    }

    /// @notice credits == floor(grl x price x (BPS - spread) / (1e18 x BPS)):
    /// credits x 1e18 x BPS <= grl x price x (BPS - spread) < (credits + 1) x 1e18 x BPS.
    function testFuzz_creditsFor_roundsDownOnce(uint256 grlAmount, uint256 price, uint256 spreadBps) public view {
        grlAmount = bound(grlAmount, 0, MAX_AMOUNT);
        price = bound(price, 0, MAX_PRICE);
        spreadBps = bound(spreadBps, 0, BPS);
        uint256 c = h.creditsFor(grlAmount, price, spreadBps);
        uint256 exact = grlAmount * price * (BPS - spreadBps);
        assertLe(c * WAD * BPS, exact, "credits round up");
        assertLt(exact, (c + 1) * WAD * BPS, "credits more than 1 wei low");
    }

    /// @notice The spread only ever takes: credits never exceed the USD value, and equal it with no spread.
    function testFuzz_creditsFor_atMostUsdValue(uint256 grlAmount, uint256 price, uint256 spreadBps) public view {
        grlAmount = bound(grlAmount, 0, MAX_AMOUNT);
        price = bound(price, 0, MAX_PRICE);
        spreadBps = bound(spreadBps, 0, BPS);
        uint256 v = h.usdValue(grlAmount, price);
        assertLe(h.creditsFor(grlAmount, price, spreadBps), v, "credits above the USD value");
        assertEq(h.creditsFor(grlAmount, price, 0), v, "no spread must give the USD value");
    }

    /// @notice More GRL or a higher price never buys fewer credits; a wider spread never buys more.
    function testFuzz_creditsFor_monotone(uint256 g1, uint256 g2, uint256 p1, uint256 p2, uint256 s1, uint256 s2)
        public
        view
    {
        g1 = bound(g1, 0, MAX_AMOUNT);
        g2 = bound(g2, g1, MAX_AMOUNT);
        p1 = bound(p1, MIN_ORACLE_PRICE, MAX_ORACLE_PRICE);
        p2 = bound(p2, p1, MAX_ORACLE_PRICE);
        s1 = bound(s1, 0, MAX_SPREAD_BPS);
        s2 = bound(s2, s1, MAX_SPREAD_BPS);
        assertLe(h.creditsFor(g1, p1, s1), h.creditsFor(g2, p1, s1), "not monotone in the amount");
        assertLe(h.creditsFor(g1, p1, s1), h.creditsFor(g1, p2, s1), "not monotone in the price");
        assertGe(h.creditsFor(g1, p1, s1), h.creditsFor(g1, p1, s2), "a wider spread gave more");
    }

    /// @notice Burning for credits and minting the credits back as earnings at the same price never
    /// yields more GRL than was burned.
    function testFuzz_creditsFor_roundTripNeverCreatesGrl(uint256 grlAmount, uint256 price, uint256 spreadBps)
        public
        view
    {
        grlAmount = bound(grlAmount, 0, MAX_AMOUNT);
        price = bound(price, 1, MAX_PRICE);
        spreadBps = bound(spreadBps, 0, MAX_SPREAD_BPS);
        assertLe(h.grlFor(h.creditsFor(grlAmount, price, spreadBps), price), grlAmount);
    }

    // ------------------------------------------------------------------------------------------------
    // grlFor
    // ------------------------------------------------------------------------------------------------

    function test_grlFor_examples() public view {
        // $500 at $0.50 is 1000 GRL.
        assertEq(h.grlFor(500e18, 5e17), 1000e18);
        // $1 at $0.30 is 3.333... GRL, rounded down to the wei.
        assertEq(h.grlFor(1e18, 3e17), 3_333_333_333_333_333_333);
        // 10 wei of USD at $3 is 3.33 wei of GRL -> 3; 1 wei of USD is a third of a wei -> 0.
        assertEq(h.grlFor(10, 3e18), 3);
        assertEq(h.grlFor(1, 3e18), 0);
        // At the oracle's ceiling ($10,000), anything below 1e4 wei of USD is worth less than a wei.
        assertEq(h.grlFor(1e4 - 1, MAX_ORACLE_PRICE), 0);
        assertEq(h.grlFor(1e4, MAX_ORACLE_PRICE), 1);
        assertEq(h.grlFor(0, 5e17), 0);
    }

    function test_grlFor_revertsOnZeroPrice() public {
        vm.expectRevert(stdError.divisionError);
        h.grlFor(1e18, 0);
    }

    function test_grlFor_revertsOnOverflow() public {
        vm.expectRevert(stdError.arithmeticError);
        h.grlFor(type(uint256).max, 1);
    }

    /// @notice grl == floor(usd x 1e18 / price): grl x price <= usd x 1e18 < (grl + 1) x price.
    function testFuzz_grlFor_roundsDown(uint256 usdAmount, uint256 price) public view {
        usdAmount = bound(usdAmount, 0, MAX_AMOUNT);
        price = bound(price, 1, MAX_PRICE);
        uint256 g = h.grlFor(usdAmount, price);
        assertLe(g * price, usdAmount * WAD, "grl rounds up");
        assertLt(usdAmount * WAD, (g + 1) * price, "grl more than 1 wei low");
    }

    /// @notice More dollars never mint less GRL; a higher price never mints more.
    function testFuzz_grlFor_monotone(uint256 u1, uint256 u2, uint256 p1, uint256 p2) public view {
        u1 = bound(u1, 0, MAX_AMOUNT);
        u2 = bound(u2, u1, MAX_AMOUNT);
        p1 = bound(p1, 1, MAX_PRICE);
        p2 = bound(p2, p1, MAX_PRICE);
        assertLe(h.grlFor(u1, p1), h.grlFor(u2, p1), "not monotone in the amount");
        assertGe(h.grlFor(u1, p1), h.grlFor(u1, p2), "a higher price minted more");
    }

    /// @notice Converting USD to GRL and back at one price loses at most what one wei of GRL is worth
    /// (plus a wei of the second rounding), and never gains.
    function testFuzz_grlFor_usdValueRoundTrip(uint256 usdAmount, uint256 price) public view {
        usdAmount = bound(usdAmount, 0, MAX_AMOUNT);
        price = bound(price, 1, MAX_PRICE);
        uint256 back = h.usdValue(h.grlFor(usdAmount, price), price);
        assertLe(back, usdAmount, "round trip gained");
        // usd - back < price / 1e18 + 1, in integers: (usd - back - 1) x 1e18 < price.
        assertLt((usdAmount - back) * WAD, price + WAD, "round trip lost more than a wei of GRL");
    }

    // ------------------------------------------------------------------------------------------------
    // proRata
    // ------------------------------------------------------------------------------------------------

    function test_proRata_examples() public view {
        assertEq(h.proRata(100e18, 1, 3), 33_333_333_333_333_333_333);
        assertEq(h.proRata(100, 2, 3), 66);
        assertEq(h.proRata(100e18, 5, 5), 100e18);
        assertEq(h.proRata(100e18, 0, 5), 0);
        assertEq(h.proRata(0, 1, 5), 0);
        // No GPU-seconds in the epoch: nothing to share (and no division by zero).
        assertEq(h.proRata(100e18, 0, 0), 0);
        assertEq(h.proRata(100e18, 7, 0), 0);
    }

    function test_proRata_revertsOnOverflow() public {
        vm.expectRevert(stdError.arithmeticError);
        h.proRata(type(uint256).max, 2, 1);
    }

    /// @notice share == floor(budget x share / total) for total > 0, and at most the budget when
    /// share <= total.
    function testFuzz_proRata_roundsDown(uint256 budget, uint256 share, uint256 total) public view {
        budget = bound(budget, 0, MAX_AMOUNT);
        total = bound(total, 1, MAX_AMOUNT);
        share = bound(share, 0, total);
        uint256 r = h.proRata(budget, share, total);
        assertLe(r * total, budget * share, "share rounds up");
        assertLt(budget * share, (r + 1) * total, "share more than 1 wei low");
        assertLe(r, budget, "share above the budget");
    }

    /// @notice The shares of three providers splitting an epoch never sum above the budget, and lose
    /// less than a wei each.
    function testFuzz_proRata_sharesSumWithinBudget(uint256 budget, uint256 a, uint256 b, uint256 c) public view {
        budget = bound(budget, 0, MAX_AMOUNT);
        a = bound(a, 0, 1e30);
        b = bound(b, 0, 1e30);
        c = bound(c, 1, 1e30);
        uint256 total = a + b + c;
        uint256 sum = h.proRata(budget, a, total) + h.proRata(budget, b, total) + h.proRata(budget, c, total);
        assertLe(sum, budget, "shares sum above the budget");
        assertLt(budget - sum, 3, "more than a wei lost per share");
    }

    function testFuzz_proRata_monotoneInShare(uint256 budget, uint256 s1, uint256 s2, uint256 total) public view {
        budget = bound(budget, 0, MAX_AMOUNT);
        total = bound(total, 1, MAX_AMOUNT);
        s1 = bound(s1, 0, total);
        s2 = bound(s2, s1, total);
        assertLe(h.proRata(budget, s1, total), h.proRata(budget, s2, total));
    }

    // ------------------------------------------------------------------------------------------------
    // reached
    // ------------------------------------------------------------------------------------------------

    function test_reached_examples() public view {
        // Ticket [100, 150).
        assertEq(h.reached(100, 50, 0), 0);
        assertEq(h.reached(100, 50, 100), 0);
        assertEq(h.reached(100, 50, 101), 1);
        assertEq(h.reached(100, 50, 149), 49);
        assertEq(h.reached(100, 50, 150), 50);
        assertEq(h.reached(100, 50, 1_000), 50);
        // The queue's first ticket.
        assertEq(h.reached(0, 50, 20), 20);
        assertEq(h.reached(0, 0, 20), 0);
    }

    /// @notice reached is 0 until the head passes the ticket's start, then head - start up to the amount.
    function testFuzz_reached_matchesReference(uint128 start, uint128 amount, uint256 head) public view {
        head = bound(head, 0, uint256(type(uint128).max) * 2);
        uint256 r = h.reached(start, amount, head);
        uint256 expected = head <= start ? 0 : head - start;
        if (expected > amount) expected = amount;
        assertEq(r, expected);
        assertLe(r, amount, "reached beyond the ticket");
    }

    function testFuzz_reached_monotoneInHead(uint128 start, uint128 amount, uint128 h1, uint128 h2) public view {
        (h1, h2) = h1 <= h2 ? (h1, h2) : (h2, h1);
        assertLe(h.reached(start, amount, h1), h.reached(start, amount, h2));
    }

    /// @notice Adjacent tickets split the head's progress exactly: what two consecutive tickets reached
    /// is what one ticket covering both would have reached (queue positions are cumulative).
    function testFuzz_reached_adjacentTicketsPartitionTheHead(uint64 start, uint64 a1, uint64 a2, uint256 head)
        public
        view
    {
        head = bound(head, 0, uint256(start) + a1 + a2 + 1);
        uint256 split = h.reached(start, a1, head) + h.reached(uint256(start) + a1, a2, head);
        assertEq(split, h.reached(start, uint256(a1) + a2, head));
    }
}
