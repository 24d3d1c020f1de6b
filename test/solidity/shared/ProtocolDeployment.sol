// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IGridleaseToken} from "../../../contracts/interfaces/IGridleaseToken.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {ChainlinkPriceOracle} from "../../../contracts/oracle/ChainlinkPriceOracle.sol";

import {IJobMarketState, ISettlementState} from "../settlement/handlers/SettlementHandler.sol";

/// @notice The whole protocol as the invariant suites that span contracts run it: GRL token, provider
/// registry, Chainlink oracle adapter over a mock feed ($0.50), burn-mint settlement and job market, with
/// every role the market and the settlement need, the settlement's credits allow-listed as a payment
/// token, staked providers online with one H100 line each, and renters holding GRL.
/// @dev Token, registry, settlement and market are deployed from their artifacts (deployCode) and used
/// through interfaces: a test job that compiled them all next to a handler runs solc-js out of memory.
/// Build the contracts before running a suite alone (`node scripts/build.mjs`).
abstract contract ProtocolDeployment is Test {
    uint256 internal constant INITIAL_SUPPLY = 1e9 ether;
    uint256 internal constant MIN_STAKE_PER_GPU = 200 ether;
    uint64 internal constant UNBONDING_PERIOD = 7 days;
    bytes32 internal constant H100 = "H100";

    /// @notice The shortest epoch governance allows, so a run crosses many epochs and their emissions
    /// become claimable; docs/PROTOCOL.md's spread.
    uint256 internal constant EPOCH_LENGTH = 1 days;
    uint16 internal constant SPREAD_BPS = 25;
    uint256 internal constant EMISSION_BUDGET_PER_EPOCH = 10_000e18;

    IGridleaseToken internal grl;
    IProviderRegistry internal registry;
    MockAggregatorV3 internal feed;
    ChainlinkPriceOracle internal oracle;
    ISettlementState internal settlement;
    IJobMarketState internal market;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal arbiter = makeAddr("arbiter");

    address[] internal providers;
    address[] internal renters;

    /// @notice Deploys and wires the protocol with `mintCapPerEpoch` (small caps make the mint queue form).
    function _deployProtocol(uint256 mintCapPerEpoch) internal {
        vm.warp(1_750_000_000);
        grl = IGridleaseToken(
            deployCode("contracts/token/GridleaseToken.sol:GridleaseToken", abi.encode(admin, treasury, INITIAL_SUPPLY))
        );
        registry = IProviderRegistry(
            deployCode(
                "contracts/staking/ProviderRegistry.sol:ProviderRegistry",
                abi.encode(address(grl), admin, MIN_STAKE_PER_GPU, UNBONDING_PERIOD)
            )
        );
        feed = new MockAggregatorV3(8, 50_000_000);
        oracle = new ChainlinkPriceOracle(AggregatorV3Interface(address(feed)), 1 days, 1e6, 1e12);
        settlement = ISettlementState(
            deployCode(
                "contracts/settlement/Settlement.sol:Settlement",
                abi.encode(
                    address(grl),
                    address(oracle),
                    admin,
                    EPOCH_LENGTH,
                    SPREAD_BPS,
                    mintCapPerEpoch,
                    EMISSION_BUDGET_PER_EPOCH
                )
            )
        );
        market = IJobMarketState(
            deployCode(
                "contracts/market/JobMarket.sol:JobMarket",
                abi.encode(
                    address(registry), address(settlement), address(oracle), treasury, admin, arbiter, marketParams()
                )
            )
        );

        // ProviderRegistry.MARKET_ROLE is not part of its interface.
        bytes32 registryMarketRole = keccak256("MARKET_ROLE");
        bytes32 minterRole = grl.MINTER_ROLE();
        bytes32 settlementMarketRole = settlement.MARKET_ROLE();
        vm.startPrank(admin);
        IAccessControl(address(registry)).grantRole(registryMarketRole, address(market));
        IAccessControl(address(grl)).grantRole(minterRole, address(settlement));
        IAccessControl(address(settlement)).grantRole(settlementMarketRole, address(market));
        market.setPaymentToken(address(settlement), true);
        vm.stopPrank();
    }

    /// @notice `count` providers, each given `stake + wallet` GRL by the treasury, registered in region 1,
    /// staking `stake`, listing 8 H100 (80 GB) and online.
    function _addProviders(uint256 count, uint256 stake, uint256 wallet) internal {
        for (uint256 i = 0; i < count; ++i) {
            address p = makeAddr(string.concat("provider", vm.toString(i)));
            providers.push(p);
            vm.prank(treasury);
            grl.transfer(p, stake + wallet);
            vm.startPrank(p);
            grl.approve(address(registry), type(uint256).max);
            registry.register("ipfs://provider", 1);
            registry.stake(stake);
            registry.setGpuLine(H100, 8, 80, 98_900);
            registry.setOnline(true);
            vm.stopPrank();
        }
    }

    /// @notice `count` renters, each given `grlEach` GRL by the treasury and approving the settlement
    /// (to burn it for credits).
    function _addGrlRenters(uint256 count, uint256 grlEach) internal {
        for (uint256 i = 0; i < count; ++i) {
            address r = makeAddr(string.concat("renter", vm.toString(i)));
            renters.push(r);
            vm.prank(treasury);
            grl.transfer(r, grlEach);
            vm.prank(r);
            grl.approve(address(settlement), type(uint256).max);
        }
    }

    /// @notice docs/PROTOCOL.md's fees, collateral, holdback, slashes and bonds; windows long enough that jobs
    /// survive the clock's moves (a day to start, 12 hours' grace) while the challenge window (a day) and
    /// the dispute timeout (two days) span epochs; the unbonding period (a week) is longer than both.
    function marketParams() internal pure returns (IJobMarket.MarketParams memory) {
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
            startWindow: 1 days,
            challengeWindow: 1 days,
            disputeTimeout: 2 days,
            deliveryGrace: 12 hours
        });
    }
}
