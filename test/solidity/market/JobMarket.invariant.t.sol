// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IGridleaseToken} from "../../../contracts/interfaces/IGridleaseToken.sol";
import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IPriceOracle} from "../../../contracts/interfaces/IPriceOracle.sol";
import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {ISettlement} from "../../../contracts/interfaces/ISettlement.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {MockStablecoin} from "../../../contracts/mocks/MockStablecoin.sol";
import {ChainlinkPriceOracle} from "../../../contracts/oracle/ChainlinkPriceOracle.sol";
import {GridleaseToken} from "../../../contracts/token/GridleaseToken.sol";

import {MarketGhosts} from "./handlers/MarketGhosts.sol";
import {AuctionHandler, ExecutionHandler, LifecycleHandler, WindowProbeHandler} from "./handlers/MarketHandler.sol";

/// @notice The public state the disputes module inherits from the market's base (its own storage, which
/// must stay empty: the module runs only on the market's storage).
interface IDisputesStorage {
    function oracle() external view returns (address);
    function paymentTokens(address token) external view returns (bool allowed, uint8 decimals);
    function paused() external view returns (bool);
    function hasRole(bytes32 role, address account) external view returns (bool);
}

/// @notice Stateful invariants of JobMarket against the real ProviderRegistry, GRL token, Chainlink oracle
/// adapter and Settlement (which records the GPU-seconds of every job settled as delivered), and a
/// 6-decimal stablecoin. The fuzzer drives only the market handlers ({AuctionHandler},
/// {ExecutionHandler}, {LifecycleHandler}, {WindowProbeHandler}; see {MarketHandlerBase}), whose actions
/// never revert and whose bookkeeping (reference model and ghost ledger) lives in {MarketGhosts}; every
/// invariant below must hold after each call.
/// @dev After editing a handler, run `npx hardhat build` before running this file alone (see
/// {MarketHandlerBase}, "Artifacts").
contract JobMarketInvariantTest is Test {
    uint256 internal constant INITIAL_SUPPLY = 1e9 ether;
    uint256 internal constant MIN_STAKE_PER_GPU = 200 ether;
    uint64 internal constant UNBONDING_PERIOD = 7 days;
    uint256 internal constant PROVIDER_STAKE = 1_000_000 ether;
    uint256 internal constant RENTER_FUNDS = 1_000_000e6;
    uint256 internal constant NUM_PROVIDERS = 4;
    uint256 internal constant NUM_RENTERS = 3;
    bytes32 internal constant H100 = "H100";

    GridleaseToken internal grl;
    IProviderRegistry internal registry;
    MockAggregatorV3 internal feed;
    ChainlinkPriceOracle internal oracle;
    MockStablecoin internal usdc;
    ISettlement internal settlement;
    IJobMarket internal market;
    MarketGhosts internal ghosts;
    AuctionHandler internal auction;
    ExecutionHandler internal execution;
    LifecycleHandler internal lifecycle;
    WindowProbeHandler internal probe;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal arbiter = makeAddr("arbiter");

    address[] internal providers;
    address[] internal renters;

    function setUp() public {
        vm.warp(1_750_000_000);
        grl = new GridleaseToken(admin, treasury, INITIAL_SUPPLY);
        // The registry, the settlement and the market are deployed from their artifacts: compiled into this
        // suite's job, their instrumented code crashes solc-js under coverage (HHE908).
        registry = IProviderRegistry(
            _deploy(
                "ProviderRegistry.sol:ProviderRegistry",
                abi.encode(IGridleaseToken(address(grl)), admin, MIN_STAKE_PER_GPU, UNBONDING_PERIOD)
            )
        );
        feed = new MockAggregatorV3(8, 50_000_000);
        oracle = new ChainlinkPriceOracle(AggregatorV3Interface(address(feed)), 1 days, 1e6, 1e12);
        usdc = new MockStablecoin("USDC", "USDC", 6);
        settlement = ISettlement(
            _deploy(
                "Settlement.sol:Settlement",
                abi.encode(grl, oracle, admin, 7 days, uint16(25), 1_000_000 ether, 100_000 ether)
            )
        );
        market = IJobMarket(
            deployCode(
                "JobMarket.sol:JobMarket",
                abi.encode(address(registry), address(settlement), address(oracle), treasury, admin, arbiter, defaultParams())
            )
        );

        bytes32 marketRole = keccak256("MARKET_ROLE"); // the same role name on the registry and the settlement
        bytes32 minterRole = grl.MINTER_ROLE();
        vm.startPrank(admin);
        IAccessControl(address(registry)).grantRole(marketRole, address(market));
        market.setPaymentToken(address(usdc), true);
        grl.grantRole(minterRole, address(settlement));
        IAccessControl(address(settlement)).grantRole(marketRole, address(market));
        vm.stopPrank();

        for (uint256 i = 0; i < NUM_PROVIDERS; ++i) {
            address p = makeAddr(string.concat("provider", vm.toString(i)));
            providers.push(p);
            vm.prank(treasury);
            grl.transfer(p, PROVIDER_STAKE);
            vm.startPrank(p);
            grl.approve(address(registry), type(uint256).max);
            registry.register("ipfs://provider", uint16(1 + i / 2)); // regions 1, 1, 2, 2
            registry.stake(PROVIDER_STAKE);
            registry.setGpuLine(H100, 8, 80, 98_900);
            registry.setOnline(true);
            vm.stopPrank();
        }
        for (uint256 i = 0; i < NUM_RENTERS; ++i) {
            address r = makeAddr(string.concat("renter", vm.toString(i)));
            renters.push(r);
            usdc.mint(r, RENTER_FUNDS);
            vm.prank(r);
            usdc.approve(address(market), type(uint256).max);
        }

        ghosts = new MarketGhosts(market, usdc, providers, renters);
        auction = new AuctionHandler(ghosts, feed, address(this));
        execution = new ExecutionHandler(ghosts, feed, address(this), arbiter);
        lifecycle = new LifecycleHandler(auction, execution);
        probe = new WindowProbeHandler(ghosts, feed, address(this), arbiter);
        address[] memory handlers = new address[](3);
        handlers[0] = address(auction);
        handlers[1] = address(execution);
        handlers[2] = address(probe);
        (, int256 answer,,,) = feed.latestRoundData();
        ghosts.init(handlers, answer);

        bytes4[] memory a = new bytes4[](9);
        a[0] = AuctionHandler.createJob.selector;
        a[1] = AuctionHandler.cancelJob.selector;
        a[2] = AuctionHandler.commitBid.selector;
        a[3] = AuctionHandler.revealBid.selector;
        a[4] = AuctionHandler.acceptInstant.selector;
        a[5] = AuctionHandler.award.selector;
        a[6] = AuctionHandler.closeBid.selector;
        a[7] = AuctionHandler.commitBid.selector; // twice: several bids per auction
        a[8] = AuctionHandler.awardAndStart.selector;

        bytes4[] memory e = new bytes4[](12);
        e[0] = ExecutionHandler.startJob.selector;
        e[1] = ExecutionHandler.claim.selector;
        e[2] = ExecutionHandler.deliver.selector;
        e[3] = ExecutionHandler.stopJob.selector;
        e[4] = ExecutionHandler.dispute.selector;
        e[5] = ExecutionHandler.settle.selector;
        e[6] = ExecutionHandler.resolveDispute.selector;
        e[7] = ExecutionHandler.settleDisputeTimeout.selector;
        e[8] = ExecutionHandler.failJob.selector;
        e[9] = ExecutionHandler.withdraw.selector;
        e[10] = ExecutionHandler.warp.selector;
        e[11] = ExecutionHandler.warpToDeadline.selector;

        // About half of the calls advance a job along its lifecycle (see {LifecycleHandler}).
        bytes4[] memory l = new bytes4[](20);
        for (uint256 i = 0; i < l.length; ++i) {
            l[i] = LifecycleHandler.advance.selector;
        }

        bytes4[] memory w = new bytes4[](2);
        w[0] = WindowProbeHandler.probeWindow.selector;
        w[1] = WindowProbeHandler.probeWindow.selector;

        targetContract(address(auction));
        targetContract(address(execution));
        targetContract(address(lifecycle));
        targetSelector(FuzzSelector({addr: address(auction), selectors: a}));
        targetSelector(FuzzSelector({addr: address(execution), selectors: e}));
        targetSelector(FuzzSelector({addr: address(lifecycle), selectors: l}));
        targetContract(address(probe));
        targetSelector(FuzzSelector({addr: address(probe), selectors: w}));
    }

    /// @notice docs/PROTOCOL.md defaults.
    function defaultParams() internal pure returns (IJobMarket.MarketParams memory) {
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

    // ------------------------------------------------------------------------------------------------
    // Stablecoin custody
    // ------------------------------------------------------------------------------------------------

    /// @notice The market holds exactly what it owes: every job's escrow, the bond of every disputed job,
    /// and every account's withdrawable balance; and exactly what came in minus what was withdrawn. It
    /// holds no GRL: every job here pays in the stablecoin, so every dispute bond is in the stablecoin too
    /// (only a credit job's bond is GRL), and bid bonds and collateral stay locked in the registry.
    function invariant_usdcBalanceMatchesLiabilities() public view {
        uint256 owed;
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.Job memory job = market.jobOf(id);
            owed += job.escrow;
            if (job.state == IJobMarket.JobState.Disputed) owed += job.disputeBond;
        }
        uint256 ledger;
        for (uint256 i = 0; i < renters.length; ++i) {
            ledger += market.balanceOf(address(usdc), renters[i]);
        }
        for (uint256 i = 0; i < providers.length; ++i) {
            ledger += market.balanceOf(address(usdc), providers[i]);
        }
        ledger += market.balanceOf(address(usdc), treasury);
        uint256 balance = usdc.balanceOf(address(market));
        assertEq(balance, owed + ledger, "balance != escrow + bonds + ledger");
        assertEq(balance, ghosts.ghost_usdcIn() - ghosts.ghost_usdcOut(), "balance != in - out");
        assertEq(ledger, ghosts.ghost_credited() - ghosts.ghost_usdcOut(), "ledger != credited - withdrawn");
        assertEq(grl.balanceOf(address(market)), 0, "market holds GRL");
    }

    /// @notice Per job, the budget is always split exactly into what is still escrowed, gross pay to the
    /// provider (net + fee) and refunds to the renter; a finished job escrows nothing, so there
    /// gross + refunds == budget. The dispute bond is returned or paid out in full once the dispute ends.
    /// Every payout's fee is exactly feeBps of its gross, rounded down.
    function invariant_budgetConserved() public view {
        assertFalse(ghosts.ghost_feeMismatch(), "fee != feeBps of gross");
        uint256 fees;
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.Job memory job = market.jobOf(id);
            uint256 budget = ghosts.ghost_budget(id);
            uint256 gross = ghosts.ghost_gross(id);
            uint256 refunds = ghosts.ghost_refunds(id);
            assertEq(uint256(job.escrow) + gross + refunds, budget, "escrow + gross + refunds != budget");
            assertEq(job.claimed, gross, "claimed != gross paid");
            if (job.state >= IJobMarket.JobState.Settled) {
                assertEq(job.escrow, 0, "finished job still escrows");
                assertEq(gross + refunds, budget, "finished: gross + refunds != budget");
            }
            uint256 bondHeld = job.state == IJobMarket.JobState.Disputed ? job.disputeBond : 0;
            assertEq(ghosts.ghost_bondIn(id), ghosts.ghost_bondOut(id) + bondHeld, "dispute bond not conserved");
            fees += ghosts.ghost_fees(id);
        }
        assertEq(market.balanceOf(address(usdc), treasury) + _withdrawnBy(treasury), fees, "treasury != fees");
        assertEq(ghosts.ghost_totalFees(), fees, "fee totals");
    }

    // ------------------------------------------------------------------------------------------------
    // Lifecycle
    // ------------------------------------------------------------------------------------------------

    /// @notice Every job is in the state the handler's model expects, and a job that reached a terminal
    /// state (Settled, Expired, Cancelled, Failed, Resolved) never leaves it.
    function invariant_terminalStatesAreFinal() public view {
        assertFalse(ghosts.ghost_stateMismatch(), "a transition left another state than expected");
        uint256 n = market.jobCount();
        assertEq(market.jobCount(), n, "jobCount");
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.JobState state = market.jobOf(id).state;
            assertEq(uint8(state), uint8(ghosts.ghost_state(id)), "state != model");
            IJobMarket.JobState terminal = ghosts.ghost_terminal(id);
            if (terminal != IJobMarket.JobState.None) assertEq(uint8(state), uint8(terminal), "left a terminal state");
            assertTrue(state != IJobMarket.JobState.Revealing && state != IJobMarket.JobState.None, "bad stored state");
        }
    }

    /// @notice Time windows are half-open: at a deadline the action it closes reverts with
    /// MarketWindowClosed, and one second before it the action it opens reverts with MarketTooEarly.
    function invariant_windowsAreHalfOpen() public view {
        assertFalse(ghosts.ghost_windowProbeMismatch(), "a call on the wrong side of a deadline did not revert as documented");
    }

    /// @notice Every award picked the lowest revealed bid (earliest among equals) and cleared at the
    /// rule's price; every value, collateral, refund, pay and slash matched the handler's model.
    function invariant_amountsMatchModel() public view {
        assertFalse(ghosts.ghost_auctionMismatch(), "auction winner or clearing price");
        assertFalse(ghosts.ghost_amountMismatch(), "amount differs from the model");
    }

    // ------------------------------------------------------------------------------------------------
    // Registry coupling
    // ------------------------------------------------------------------------------------------------

    /// @notice Each provider's lockedStake in the registry (moved only by the market's lock, unlock and slash
    /// calls) is the sum of the per-job shares the market reports (lockOf), each share is exactly what the
    /// job's bid or award should hold by the model (the bid bond plus the collateral at the reserve for an
    /// open bid, the model's collateral for the winner; nothing once the bid or job is closed), and no share
    /// ever exceeds the bid bond plus the job's collateral at the reserve. The market derives (does not
    /// store) the shares, and the locks that bidOf and jobOf report.
    function invariant_locksMatchJobs() public view {
        uint256 n = market.jobCount();
        for (uint256 i = 0; i < providers.length; ++i) {
            address p = providers[i];
            uint256 sum;
            for (uint256 id = 1; id <= n; ++id) {
                uint256 held = market.lockOf(id, p);
                IJobMarket.Job memory job = market.jobOf(id);
                IJobMarket.Bid memory bid = market.bidOf(id, p);
                uint256 expected;
                if (bid.status == IJobMarket.BidStatus.Committed || bid.status == IJobMarket.BidStatus.Revealed) {
                    expected = uint256(ghosts.bondOf(id)) + ghosts.ghost_collateralAtReserve(id);
                    assertEq(market.bidBondOf(id), ghosts.bondOf(id), "bid bond != model");
                    assertEq(bid.lockedGrl, expected, "bid lock");
                } else if (job.provider == p && _holdsCollateral(job.state)) {
                    expected = ghosts.ghost_collateral(id);
                    assertEq(job.collateral, expected, "collateral != model");
                }
                // From award on, the winner's bid records the job's collateral as its lock.
                if (bid.status == IJobMarket.BidStatus.Closed && job.provider == p) {
                    assertEq(bid.lockedGrl, ghosts.ghost_collateral(id), "winner's bid lock != collateral");
                    assertEq(bid.lockedGrl, job.collateral, "winner's bid lock != job's collateral");
                }
                assertEq(held, expected, "lock != model");
                assertLe(held, uint256(ghosts.bondOf(id)) + ghosts.ghost_collateralAtReserve(id), "lock above bond + collateral at reserve");
                sum += held;
            }
            assertEq(registry.providerOf(p).lockedStake, sum, "lockedStake != sum of the jobs' shares");
        }
    }

    /// @notice Every bid reads as the model says: while committed, the low 248 bits of the documented
    /// commitment keccak256(abi.encode(jobId, provider, price, salt, chainid, market, specHash)) with the
    /// spec hash the renter sent, and no price; after a reveal, the revealed price and no commitment; a
    /// bid closed unrevealed, neither. Every job keeps the spec hash it was created with.
    function invariant_bidsMatchCommitments() public view {
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.Job memory job = market.jobOf(id);
            assertEq(job.specHash, ghosts.ghost_specHash(id), "spec hash != request's");
            assertTrue(job.specHash != bytes32(0), "zero spec hash");
            for (uint256 i = 0; i < providers.length; ++i) {
                address p = providers[i];
                IJobMarket.Bid memory bid = market.bidOf(id, p);
                if (bid.status == IJobMarket.BidStatus.None) {
                    assertEq(bid.commitment, bytes32(0), "no bid: commitment");
                    assertEq(bid.lockedGrl, 0, "no bid: lock");
                    continue;
                }
                bool winner = bid.status == IJobMarket.BidStatus.Closed && job.provider == p;
                IJobMarket.Bid memory e = ghosts.expectedBid(id, p, bid.status, winner);
                assertEq(bid.commitment, e.commitment, "bid commitment != model");
                assertEq(bid.price, e.price, "bid price != model");
                assertEq(bid.lockedGrl, e.lockedGrl, "bid lock != model");
                if (bid.status == IJobMarket.BidStatus.Committed) {
                    bytes32 full = ghosts.bidCommitment(id, p);
                    assertEq(
                        full,
                        keccak256(
                            abi.encode(
                                id, p, ghosts.bidPrice(id, p), ghosts.bidSalt(id, p), block.chainid, address(market), job.specHash
                            )
                        ),
                        "recorded commitment"
                    );
                    assertEq(uint256(bid.commitment), uint256(full) & ((1 << 248) - 1), "not the low 248 bits");
                }
            }
        }
    }

    /// @notice The provider's leased H100s are exactly the GPUs of its Running jobs.
    function invariant_gpuLeasesMatchRunningJobs() public view {
        uint256 n = market.jobCount();
        for (uint256 i = 0; i < providers.length; ++i) {
            address p = providers[i];
            uint256 running;
            for (uint256 id = 1; id <= n; ++id) {
                IJobMarket.Job memory job = market.jobOf(id);
                if (job.state == IJobMarket.JobState.Running && job.provider == p) running += job.gpuCount;
            }
            IProviderRegistry.GpuLine memory line = registry.gpuLineOf(p, H100);
            assertEq(line.leased, running, "leased != GPUs of running jobs");
            assertLe(line.leased, line.count, "leased > count");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // GRL
    // ------------------------------------------------------------------------------------------------

    /// @notice GRL supply is conserved (nothing is minted; burns are exactly the slashes' burned shares),
    /// stake is conserved (what providers staked is still free or locked, or went to renters or was
    /// burned), and slashing is bounded: never more than the job's forfeited bid bonds plus its
    /// collateral, and in total never more than the collateral and bonds ever locked.
    function invariant_grlConservedAndSlashingBounded() public view {
        assertEq(grl.totalSupply(), grl.INITIAL_SUPPLY() + grl.totalMinted() - grl.totalBurned(), "supply");
        assertEq(grl.totalMinted(), 0, "minted");
        assertEq(grl.totalBurned(), ghosts.ghost_grlBurned(), "burned != slashed burns");

        uint256 staked;
        for (uint256 i = 0; i < providers.length; ++i) {
            IProviderRegistry.Provider memory p = registry.providerOf(providers[i]);
            staked += uint256(p.freeStake) + p.lockedStake + p.unbondingStake;
        }
        assertEq(grl.balanceOf(address(registry)), staked, "registry balance != stake");
        assertEq(
            staked + ghosts.ghost_grlToRenters() + ghosts.ghost_grlBurned(),
            PROVIDER_STAKE * providers.length,
            "stake not conserved"
        );
        uint256 toRenters;
        for (uint256 i = 0; i < renters.length; ++i) {
            toRenters += grl.balanceOf(renters[i]);
        }
        assertEq(toRenters, ghosts.ghost_grlToRenters(), "renters' GRL != slashed to renters");

        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.Job memory job = market.jobOf(id);
            uint256 slashed = ghosts.ghost_grlSlashed(id);
            assertLe(slashed, ghosts.ghost_bondsForfeited(id) + job.collateral, "slashed beyond bonds + collateral");
            assertLe(slashed, ghosts.ghost_grlLocked(id), "slashed beyond what was locked for the job");
        }
        assertLe(
            ghosts.ghost_grlToRenters() + ghosts.ghost_grlBurned(),
            ghosts.ghost_grlLockedTotal(),
            "slashed beyond collateral + bonds ever locked"
        );
    }

    // ------------------------------------------------------------------------------------------------
    // The disputes module
    // ------------------------------------------------------------------------------------------------

    /// @notice The market's split: the disputes module, which the market delegate-calls, holds no funds
    /// and no state of its own (no token, GRL or ether balance, no ledger balance in the market, no stake
    /// or lock in the registry, none of the market's roles, tokens, oracle or treasury in its own
    /// storage), and every one of its entry points called directly reverts with MarketNotDelegated,
    /// even from the caller the market would accept (renter, arbiter, governance). The escrow the market
    /// holds is exactly the sum of the live jobs' escrow: a job that ended (Settled, Expired, Cancelled,
    /// Failed, Resolved) escrows nothing, and the stablecoin the market holds is that sum plus the bonds of
    /// disputed jobs and the withdrawable ledger.
    function invariant_disputesModuleHoldsNothing() public {
        address disputes = _disputes();
        assertTrue(disputes != address(0) && disputes != address(market), "DISPUTES");
        assertGt(disputes.code.length, 0, "DISPUTES has no code");

        // No funds.
        assertEq(usdc.balanceOf(disputes), 0, "module holds stablecoin");
        assertEq(grl.balanceOf(disputes), 0, "module holds GRL");
        assertEq(disputes.balance, 0, "module holds ether");
        assertEq(market.balanceOf(address(usdc), disputes), 0, "module has a ledger balance");
        IProviderRegistry.Provider memory asProvider = registry.providerOf(disputes);
        assertEq(uint256(asProvider.freeStake) + asProvider.lockedStake + asProvider.unbondingStake, 0, "module stake");

        // No state: its own storage is as deployed (empty), whatever the market did through it.
        IDisputesStorage module = IDisputesStorage(disputes);
        assertEq(module.oracle(), address(0), "module storage: oracle");
        (bool allowed, uint8 decimals) = module.paymentTokens(address(usdc));
        assertTrue(!allowed && decimals == 0, "module storage: payment token");
        assertFalse(module.paused(), "module storage: paused");
        assertFalse(module.hasRole(bytes32(0), admin), "module storage: admin role");
        assertFalse(module.hasRole(keccak256("GOVERNANCE_ROLE"), admin), "module storage: governance role");
        assertFalse(module.hasRole(keccak256("ARBITER_ROLE"), arbiter), "module storage: arbiter role");

        // Every entry point refuses a direct call, from the caller the market would let through.
        uint256 n = market.jobCount();
        uint256 id = n == 0 ? 1 : n;
        address renter = n == 0 ? renters[0] : market.jobOf(id).renter;
        address p = providers[0];
        IJobMarket.MarketParams memory params = defaultParams();
        _expectNotDelegated(disputes, renter, abi.encodeCall(IJobMarket.cancelJob, (id)));
        _expectNotDelegated(disputes, renter, abi.encodeCall(IJobMarket.stopJob, (id)));
        _expectNotDelegated(disputes, renter, abi.encodeCall(IJobMarket.dispute, (id, bytes32(0))));
        _expectNotDelegated(
            disputes, arbiter, abi.encodeCall(IJobMarket.resolveDispute, (id, IJobMarket.Ruling.ProviderFault))
        );
        _expectNotDelegated(
            disputes, arbiter, abi.encodeCall(IJobMarket.resolveDispute, (id, IJobMarket.Ruling.RenterFault))
        );
        _expectNotDelegated(disputes, renter, abi.encodeCall(IJobMarket.settleDisputeTimeout, (id)));
        _expectNotDelegated(disputes, renter, abi.encodeCall(IJobMarket.failJob, (id)));
        _expectNotDelegated(disputes, renter, abi.encodeCall(IJobMarket.closeBid, (id, p)));
        _expectNotDelegated(disputes, admin, abi.encodeCall(IJobMarket.setMarketParams, (params)));
        _expectNotDelegated(disputes, admin, abi.encodeCall(IJobMarket.setPaymentToken, (address(usdc), true)));
        _expectNotDelegated(disputes, admin, abi.encodeCall(IJobMarket.setTreasury, (treasury)));
        _expectNotDelegated(disputes, admin, abi.encodeCall(IJobMarket.setOracle, (address(oracle))));

        // The market's escrow is exactly the live jobs' escrow.
        uint256 liveEscrow;
        uint256 bonds;
        for (uint256 j = 1; j <= n; ++j) {
            IJobMarket.Job memory job = market.jobOf(j);
            if (job.state >= IJobMarket.JobState.Settled) assertEq(job.escrow, 0, "ended job escrows");
            else liveEscrow += job.escrow;
            if (job.state == IJobMarket.JobState.Disputed) bonds += job.disputeBond;
        }
        assertEq(usdc.balanceOf(address(market)), liveEscrow + bonds + _ledgerTotal(), "escrow held != live jobs' escrow");
    }

    /// @notice Logs how often each action reached the market in the run, to check the campaign's reach.
    function afterInvariant() public view {
        string[18] memory names = [
            "createJob", "cancelJob", "commitBid", "revealBid", "acceptInstant", "award", "closeBid", "startJob",
            "claim", "deliver", "stopJob", "dispute", "settle", "resolveProviderFault", "resolveRenterFault",
            "settleDisputeTimeout", "failJob", "awardAndStart"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(names[i], ghosts.calls(MarketGhosts.Action(i)));
        }
        console.log("withdraw", ghosts.withdrawals());
        console.log("warps", ghosts.warps());
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    /// @dev Deploys `artifact` from its compiled creation code: a `new Settlement(...)` here would put the
    /// settlement's code into this test's compilation unit, which is then too large for solc-js
    /// ("memory access out of bounds", HHE908).
    function _deploy(string memory artifact, bytes memory args) internal returns (address deployed) {
        bytes memory code = abi.encodePacked(vm.getCode(artifact), args);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "deployment failed");
    }

    /// @dev The disputes module's address, as the market reports it.
    function _disputes() internal view returns (address) {
        return market.DISPUTES();
    }

    /// @dev Calls `data` on the module directly as `caller` and requires the revert MarketNotDelegated.
    function _expectNotDelegated(address disputes, address caller, bytes memory data) internal {
        vm.prank(caller);
        (bool ok, bytes memory reason) = disputes.call(data);
        assertFalse(ok, "a direct call to the disputes module went through");
        assertEq(reason, abi.encodeWithSelector(IJobMarket.MarketNotDelegated.selector), "not MarketNotDelegated");
    }

    /// @dev Every account's withdrawable stablecoin balance in the market.
    function _ledgerTotal() internal view returns (uint256 ledger) {
        for (uint256 i = 0; i < renters.length; ++i) {
            ledger += market.balanceOf(address(usdc), renters[i]);
        }
        for (uint256 i = 0; i < providers.length; ++i) {
            ledger += market.balanceOf(address(usdc), providers[i]);
        }
        ledger += market.balanceOf(address(usdc), treasury);
    }

    function _holdsCollateral(IJobMarket.JobState state) internal pure returns (bool) {
        return state == IJobMarket.JobState.Awarded || state == IJobMarket.JobState.Running
            || state == IJobMarket.JobState.Delivered || state == IJobMarket.JobState.Disputed;
    }

    /// @dev USDC the account holds in its wallet came only from market withdrawals (the treasury starts empty).
    function _withdrawnBy(address account) internal view returns (uint256) {
        return usdc.balanceOf(account);
    }
}
