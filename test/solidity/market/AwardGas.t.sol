// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {console} from "forge-std/console.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IGridleaseToken} from "../../../contracts/interfaces/IGridleaseToken.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {ISettlement} from "../../../contracts/interfaces/ISettlement.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {MockStablecoin} from "../../../contracts/mocks/MockStablecoin.sol";
import {ChainlinkPriceOracle} from "../../../contracts/oracle/ChainlinkPriceOracle.sol";
import {ProviderRegistry} from "../../../contracts/staking/ProviderRegistry.sol";
import {GridleaseToken} from "../../../contracts/token/GridleaseToken.sol";

/// @notice award() is O(1) in the number of bids: the auction keeps the best and second-best reveals as
/// they arrive, so closing an auction with 32 revealed bids costs the same as with one.
/// @dev Every auction is prepared in setUp (a separate transaction, so the test starts with cold storage)
/// and each award is measured from the same state snapshot, so warm/cold storage access is identical
/// across measurements. The numbers are for the default (unoptimized) build.
contract AwardGasTest is Test {
    uint256 internal constant NUM_PROVIDERS = 32;
    uint256 internal constant STAKE = 10_000 ether;
    uint96 internal constant RESERVE = 2e6; // $2.00 per GPU-hour
    uint96 internal constant WINNING_PRICE = 1e6;
    bytes32 internal constant H100 = "H100";
    uint256 internal constant TOLERANCE_BPS = 500; // 5%
    bytes32 internal constant SPEC_HASH = keccak256("gridlease/award-gas/spec");

    GridleaseToken internal grl;
    ProviderRegistry internal registry;
    MockAggregatorV3 internal feed;
    MockStablecoin internal usdc;
    IJobMarket internal market;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal arbiter = makeAddr("arbiter");
    address internal renter = makeAddr("renter");
    address internal keeper = makeAddr("keeper");
    address internal latecomer = makeAddr("latecomer");
    address[] internal providers;

    /// @notice Auctions by pricing rule and number of revealed bids.
    uint256 internal firstPrice1;
    uint256 internal firstPrice8;
    uint256 internal firstPrice32;
    uint256 internal secondPrice2;
    uint256 internal secondPrice8;
    uint256 internal secondPrice32;

    function setUp() public {
        vm.warp(1_750_000_000);
        grl = new GridleaseToken(admin, treasury, 1e9 ether);
        registry = new ProviderRegistry(IGridleaseToken(address(grl)), admin, 200 ether, 7 days);
        feed = new MockAggregatorV3(8, 50_000_000);
        ChainlinkPriceOracle oracle = new ChainlinkPriceOracle(AggregatorV3Interface(address(feed)), 1 days, 1e6, 1e12);
        usdc = new MockStablecoin("USDC", "USDC", 6);
        // Settlement and the market are deployed from their artifacts: compiling them into this test's job
        // runs solc-js out of memory (HHE908), all the more with coverage instrumentation.
        ISettlement settlement = ISettlement(
            deployCode(
                "Settlement.sol:Settlement",
                abi.encode(address(grl), address(oracle), admin, 7 days, uint16(25), 1_000_000 ether, 100_000 ether)
            )
        );
        market = IJobMarket(
            deployCode(
                "JobMarket.sol:JobMarket",
                abi.encode(address(registry), address(settlement), address(oracle), treasury, admin, arbiter, _params())
            )
        );
        bytes32 marketRole = registry.MARKET_ROLE();
        bytes32 minterRole = grl.MINTER_ROLE();
        bytes32 settlementMarketRole = keccak256("MARKET_ROLE");
        vm.startPrank(admin);
        registry.grantRole(marketRole, address(market));
        market.setPaymentToken(address(usdc), true);
        grl.grantRole(minterRole, address(settlement));
        IAccessControl(address(settlement)).grantRole(settlementMarketRole, address(market));
        vm.stopPrank();

        for (uint256 i = 0; i < NUM_PROVIDERS; ++i) {
            providers.push(_onboard(makeAddr(string.concat("provider", vm.toString(i)))));
        }
        _onboard(latecomer);
        usdc.mint(renter, 1_000_000e6);
        vm.prank(renter);
        usdc.approve(address(market), type(uint256).max);

        firstPrice1 = _createJob(IJobMarket.PricingRule.FirstPrice);
        firstPrice8 = _createJob(IJobMarket.PricingRule.FirstPrice);
        firstPrice32 = _createJob(IJobMarket.PricingRule.FirstPrice);
        secondPrice2 = _createJob(IJobMarket.PricingRule.SecondPrice);
        secondPrice8 = _createJob(IJobMarket.PricingRule.SecondPrice);
        secondPrice32 = _createJob(IJobMarket.PricingRule.SecondPrice);
        uint256[6] memory jobs = [firstPrice1, firstPrice8, firstPrice32, secondPrice2, secondPrice8, secondPrice32];
        uint256[6] memory bids = [uint256(1), 8, 32, 2, 8, 32];

        for (uint256 j = 0; j < jobs.length; ++j) {
            for (uint256 i = 0; i < bids[j]; ++i) {
                bytes32 commitment = _commitment(jobs[j], providers[i], _price(i), bytes32(i));
                vm.prank(providers[i]);
                market.commitBid(jobs[j], commitment);
            }
        }
        vm.warp(block.timestamp + 1 hours); // bid window over, reveal window open
        for (uint256 j = 0; j < jobs.length; ++j) {
            // Reveal the winner last, so that every reveal before it moved the best or second-best bid.
            for (uint256 k = bids[j]; k > 0; --k) {
                uint256 i = k - 1;
                vm.prank(providers[i]);
                market.revealBid(jobs[j], _price(i), bytes32(i));
            }
        }
        vm.warp(block.timestamp + 1 hours); // reveal window over
    }

    // ------------------------------------------------------------------------------------------------
    // Tests
    // ------------------------------------------------------------------------------------------------

    /// @notice FirstPrice: awarding 32 revealed bids costs within 5% of awarding one, either way, and of
    /// awarding 8.
    /// @dev No Job slot a one-bid award writes is still zero (clearingPrice is derived, not stored), so the
    /// 1-bid award is not dearer than the others, as it was when it set the clearing price's slot from zero.
    function test_awardGas_firstPrice_independentOfBidCount() public {
        (uint256 g1, uint256 g8, uint256 g32) = _measure(firstPrice1, firstPrice8, firstPrice32);
        console.log("award gas, FirstPrice, 1 bid:  ", g1);
        console.log("award gas, FirstPrice, 8 bids: ", g8);
        console.log("award gas, FirstPrice, 32 bids:", g32);
        _assertWithinTolerance(g32, g1, "32 bids vs 1");
        _assertWithinTolerance(g8, g1, "8 bids vs 1");
        _assertWithinTolerance(g32, g8, "32 bids vs 8");
    }

    /// @notice SecondPrice: awarding 32 revealed bids costs within 5% of awarding two (with a single reveal
    /// the job clears at the reserve and credits no refund, a cheaper path unrelated to the bid count).
    function test_awardGas_secondPrice_independentOfBidCount() public {
        (uint256 g2, uint256 g8, uint256 g32) = _measure(secondPrice2, secondPrice8, secondPrice32);
        console.log("award gas, SecondPrice, 2 bids: ", g2);
        console.log("award gas, SecondPrice, 8 bids: ", g8);
        console.log("award gas, SecondPrice, 32 bids:", g32);
        _assertWithinTolerance(g8, g2, "8 bids vs 2");
        _assertWithinTolerance(g32, g2, "32 bids vs 2");
    }

    /// @notice The auctions were set up as intended: the lowest bid wins at the rule's price.
    function test_award_picksLowestBidAtRulePrice() public {
        vm.startPrank(keeper);
        market.award(firstPrice32);
        market.award(secondPrice32);
        vm.stopPrank();
        IJobMarket.Job memory first = market.jobOf(firstPrice32);
        IJobMarket.Job memory second = market.jobOf(secondPrice32);
        assertEq(first.revealCount, 32);
        assertEq(first.provider, providers[0]);
        assertEq(first.clearingPrice, WINNING_PRICE);
        assertEq(second.provider, providers[0]);
        assertEq(second.clearingPrice, _price(1));
    }

    /// @notice Ties go to the earliest reveal: three bids at 1.00 (revealed 2nd), 1.50 (1st) and 1.00
    /// (3rd); the winner is the 1.00 revealed first, and under SecondPrice an equal bid revealed after a
    /// higher one still becomes the second price.
    function test_award_tiesGoToEarliestRevealAndSetSecondPrice() public {
        uint256 first = _createJob(IJobMarket.PricingRule.FirstPrice);
        uint256 second = _createJob(IJobMarket.PricingRule.SecondPrice);
        uint96[3] memory prices = [uint96(1.5e6), 1e6, 1e6];
        for (uint256 i = 0; i < 3; ++i) {
            _commit(first, providers[i], prices[i]);
            _commit(second, providers[i], prices[i]);
        }
        vm.warp(block.timestamp + 1 hours);
        for (uint256 i = 0; i < 3; ++i) {
            vm.startPrank(providers[i]);
            market.revealBid(first, prices[i], bytes32(i));
            market.revealBid(second, prices[i], bytes32(i));
            vm.stopPrank();
        }
        vm.warp(block.timestamp + 1 hours);
        vm.startPrank(keeper);
        market.award(first);
        market.award(second);
        vm.stopPrank();
        assertEq(market.jobOf(first).provider, providers[1], "FirstPrice tie: not the earliest reveal");
        assertEq(market.jobOf(first).clearingPrice, 1e6);
        assertEq(market.jobOf(second).provider, providers[1], "SecondPrice tie: not the earliest reveal");
        assertEq(market.jobOf(second).clearingPrice, 1e6, "SecondPrice: the equal bid is the second price");
    }

    /// @notice The commitment binds the job's spec hash: one computed without it (the formula before the
    /// spec hash) or with another spec hash is refused at the reveal. The market keeps, and bidOf reports,
    /// the commitment's low 248 bits while it is committed, and no commitment once revealed.
    function test_commitment_bindsSpecHash() public {
        uint256 id = _createJob(IJobMarket.PricingRule.FirstPrice);
        assertEq(market.jobOf(id).specHash, SPEC_HASH);
        (address a, address b, address c) = (providers[0], providers[1], providers[2]);
        uint96 price = 1e6;
        bytes32 withoutSpec = keccak256(abi.encode(id, a, price, bytes32(0), block.chainid, address(market)));
        bytes32 otherSpec = keccak256(
            abi.encode(id, b, price, bytes32(uint256(1)), block.chainid, address(market), keccak256("another spec"))
        );
        bytes32 good = _commitment(id, c, price, bytes32(uint256(2)));
        assertEq(market.bidCommitment(id, c, price, bytes32(uint256(2))), good, "bidCommitment");
        vm.prank(a);
        market.commitBid(id, withoutSpec);
        vm.prank(b);
        market.commitBid(id, otherSpec);
        vm.prank(c);
        market.commitBid(id, good);
        IJobMarket.Bid memory bid = market.bidOf(id, c);
        assertEq(uint8(bid.status), uint8(IJobMarket.BidStatus.Committed));
        assertEq(uint256(bid.commitment), uint256(good) & ((1 << 248) - 1), "not the low 248 bits");
        assertEq(bid.price, 0);

        vm.warp(block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketCommitmentMismatch.selector, id, a));
        vm.prank(a);
        market.revealBid(id, price, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketCommitmentMismatch.selector, id, b));
        vm.prank(b);
        market.revealBid(id, price, bytes32(uint256(1)));
        vm.prank(c);
        market.revealBid(id, price, bytes32(uint256(2)));
        bid = market.bidOf(id, c);
        assertEq(uint8(bid.status), uint8(IJobMarket.BidStatus.Revealed));
        assertEq(bid.commitment, bytes32(0), "commitment after the reveal");
        assertEq(bid.price, price);
    }

    /// @notice The bid cap (maxBids = 32) holds: a 33rd eligible provider cannot commit.
    function test_commitBid_revertsPastBidCap() public {
        uint256 id = _createJob(IJobMarket.PricingRule.FirstPrice);
        for (uint256 i = 0; i < NUM_PROVIDERS; ++i) {
            vm.prank(providers[i]);
            market.commitBid(id, bytes32(i + 1));
        }
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.MarketBidCapReached.selector, id, uint16(32)));
        vm.prank(latecomer);
        market.commitBid(id, bytes32(uint256(33)));
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    /// @dev Gas of award() for each job, each measured from the same snapshot of the state.
    function _measure(uint256 a, uint256 b, uint256 c) internal returns (uint256 ga, uint256 gb, uint256 gc) {
        uint256 snapshot = vm.snapshotState();
        ga = _awardGas(a);
        vm.revertToState(snapshot);
        gb = _awardGas(b);
        vm.revertToState(snapshot);
        gc = _awardGas(c);
        vm.revertToState(snapshot);
    }

    function _awardGas(uint256 jobId) internal returns (uint256 used) {
        vm.prank(keeper);
        uint256 before = gasleft();
        market.award(jobId);
        used = before - gasleft();
        assertEq(uint8(market.jobOf(jobId).state), uint8(IJobMarket.JobState.Awarded), "not awarded");
    }

    function _assertWithinTolerance(uint256 measured, uint256 reference_, string memory what) internal pure {
        assertLe(measured * 10_000, reference_ * (10_000 + TOLERANCE_BPS), what);
        assertGe(measured * 10_000, reference_ * (10_000 - TOLERANCE_BPS), what);
    }

    /// @dev Provider 0 bids lowest; the others bid 0.1 cent apart above it, all under the reserve.
    function _price(uint256 i) internal pure returns (uint96) {
        return WINNING_PRICE + uint96(i) * 1_000;
    }

    function _commit(uint256 jobId, address provider, uint96 price) internal {
        uint256 i;
        while (providers[i] != provider) ++i;
        bytes32 commitment = _commitment(jobId, provider, price, bytes32(i));
        vm.prank(provider);
        market.commitBid(jobId, commitment);
    }

    /// @dev The documented commitment, computed locally; it binds the job's spec hash.
    function _commitment(uint256 jobId, address provider, uint96 price, bytes32 salt) internal view returns (bytes32) {
        return keccak256(
            abi.encode(jobId, provider, price, salt, block.chainid, address(market), market.jobOf(jobId).specHash)
        );
    }

    function _createJob(IJobMarket.PricingRule rule) internal returns (uint256) {
        IJobMarket.JobRequest memory r = IJobMarket.JobRequest({
            paymentToken: address(usdc),
            gpuModel: H100,
            gpuCount: 1,
            minVramGb: 80,
            region: 0,
            minReputation: 0,
            duration: 1 hours,
            reservePricePerGpuHour: RESERVE,
            pricingRule: rule,
            bidWindow: 1 hours,
            revealWindow: 1 hours,
            specHash: SPEC_HASH
        });
        vm.prank(renter);
        return market.createJob(r);
    }

    function _onboard(address p) internal returns (address) {
        vm.prank(treasury);
        grl.transfer(p, STAKE);
        vm.startPrank(p);
        grl.approve(address(registry), type(uint256).max);
        registry.register("ipfs://provider", 1);
        registry.stake(STAKE);
        registry.setGpuLine(H100, 8, 80, 98_900);
        registry.setOnline(true);
        vm.stopPrank();
        return p;
    }

    function _params() internal pure returns (IJobMarket.MarketParams memory) {
        return IJobMarket.MarketParams({
            feeBps: 250,
            collateralBps: 3_000,
            holdbackBps: 2_000,
            slashToRenterBps: 5_000,
            faultSlashBps: 5_000,
            disputeBondBps: 500,
            maxBids: 32,
            bidBond: 50e18,
            bidBondBps: 1_000,
            startWindow: 1 hours,
            challengeWindow: 24 hours,
            disputeTimeout: 3 days,
            deliveryGrace: 1 hours
        });
    }
}
