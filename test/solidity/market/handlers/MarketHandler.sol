// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";

import {IJobMarket} from "../../../../contracts/interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../../../contracts/interfaces/IProviderRegistry.sol";
import {JobMath} from "../../../../contracts/libraries/JobMath.sol";
import {MockAggregatorV3} from "../../../../contracts/mocks/MockAggregatorV3.sol";
import {MockStablecoin} from "../../../../contracts/mocks/MockStablecoin.sol";

import {MarketGhosts} from "./MarketGhosts.sol";

/// @notice Shared base of the IJobMarket invariant handlers (Morpho Blue style): random job lifecycles over
/// the real registry, GRL token, oracle adapter and a 6-decimal stablecoin.
/// @dev The fuzzer calls {AuctionHandler}, {ExecutionHandler} and {LifecycleHandler}. Each action asks
/// {MarketGhosts-find} for an existing job in the right state (scanning from a seed), checks every
/// precondition of its market call (time window, eligibility, free stake, free GPUs, balances), and returns
/// early when there is none, so no call it makes may revert (the invariant profile runs with failOnRevert).
/// Around each call {MarketGhosts} snapshots and then attributes the effects, and compares them with the
/// model.
///
/// Block time: each action first warps to the ghosts' clock, which only moves forward: through the warp
/// actions, and through the actions whose window opens at a deadline (reveal, award, settle, dispute
/// timeout), which, like a keeper waiting for its moment, jump into their window at a fuzzed offset when
/// it has not opened yet. Actions whose window closes at a deadline (commit, accept, start, deliver,
/// dispute, ruling) never move the clock; they skip jobs whose window has closed. Every time change
/// re-publishes the GRL/USD answer at a fuzzed price, so the oracle read by createJob is never stale.
///
/// Artifacts: the runner identifies the fuzz targets deployed in setUp by matching their code with the
/// compiled artifacts. `npx hardhat test solidity <file>` builds only <file> as a root and does not
/// (re)write the artifacts of the files it imports, so after adding or editing a handler, run
/// `npx hardhat build` (or the whole `npx hardhat test solidity`) first; otherwise every invariant fails
/// with "[targetSelectors] address does not have an associated contract". (Code size is not the cause:
/// a 32 KB target works once its artifact exists.)
///
/// Layout: actions are split by lifecycle phase over {AuctionHandler} and {ExecutionHandler}; the
/// bookkeeping lives in {MarketGhosts}, so the handlers only pick, bound, prank and call.
abstract contract MarketHandlerBase is CommonBase, StdUtils {
    bytes32 internal constant H100 = "H100";
    uint256 internal constant MAX_KEEPER_DELAY = 15 minutes;

    IJobMarket public immutable market;
    MockStablecoin public immutable usdc;
    MarketGhosts public immutable ghosts;
    MockAggregatorV3 public immutable feed;
    address public immutable feedOwner;
    address public immutable keeper;

    constructor(MarketGhosts ghosts_, MockAggregatorV3 feed_, address feedOwner_) {
        ghosts = ghosts_;
        market = ghosts_.market();
        usdc = ghosts_.usdc();
        feed = feed_;
        feedOwner = feedOwner_;
        keeper = address(uint160(uint256(keccak256("keeper"))));
    }

    modifier atCurrentTime() {
        vm.warp(ghosts.currentTime());
        _;
    }

    /// @dev Moves the clock into [opensAt, closesAt) at a fuzzed offset if the window has not opened yet.
    function _waitFor(uint256 opensAt, uint256 closesAt, uint256 seed) internal {
        if (block.timestamp < opensAt) _setTime(opensAt + seed % (closesAt - opensAt), seed >> 64);
    }

    function _setTime(uint256 timestamp, uint256 priceSeed) internal {
        vm.warp(timestamp);
        // $0.10 .. $2.00 per GRL, inside the oracle's bounds; re-published so the answer is never stale.
        int256 newAnswer = int256(bound(priceSeed, 1e7, 2e8));
        vm.prank(feedOwner);
        feed.setAnswer(newAnswer);
        ghosts.setTime(timestamp, newAnswer);
    }
}

/// @notice IJobMarket handler, auction side: create and cancel jobs, commit and reveal sealed bids, accept
/// instant jobs, award, and close losing or unrevealed bids. See {MarketHandlerBase}.
contract AuctionHandler is MarketHandlerBase {
    uint256 public constant MAX_JOBS = 32;

    address[] internal _renters;

    constructor(MarketGhosts ghosts_, MockAggregatorV3 feed_, address feedOwner_)
        MarketHandlerBase(ghosts_, feed_, feedOwner_)
    {
        _renters = ghosts_.renters();
    }

    /// @param shape Packs the pricing rule and the VRAM, region and reputation requirements.
    /// @param windows Packs the bid and reveal windows.
    function createJob(
        uint256 renterSeed,
        uint256 shape,
        uint256 gpuCount,
        uint256 duration,
        uint256 reserve,
        uint256 windows
    ) external atCurrentTime {
        if (market.jobCount() >= MAX_JOBS) return;
        address renter = _renters[renterSeed % _renters.length];
        IJobMarket.JobRequest memory r;
        r.paymentToken = address(usdc);
        r.gpuModel = H100;
        r.gpuCount = uint32(bound(gpuCount, 1, 4));
        r.minVramGb = uint32((shape >> 8) % 3) * 40;
        r.region = uint16((shape >> 16) % 4 == 3 ? 1 + (shape >> 24) % 2 : 0);
        r.minReputation = (shape >> 32) % 4 == 3 ? 4_000 : 0;
        r.duration = uint40(bound(duration, 1 hours, 48 hours));
        r.reservePricePerGpuHour = uint96(bound(reserve, 1e3, 5e6));
        r.pricingRule = IJobMarket.PricingRule(shape % 3);
        r.bidWindow = uint40(bound(uint128(windows), 10 minutes, 2 hours));
        if (r.pricingRule != IJobMarket.PricingRule.Instant) {
            r.revealWindow = uint40(bound(windows >> 128, 10 minutes, 2 hours));
        }
        // A workload spec hash per job (never zero): the bids' commitments must bind it.
        r.specHash = keccak256(abi.encode("spec", renterSeed, shape, market.jobCount()));
        usdc.mint(renter, JobMath.value(r.reservePricePerGpuHour, r.gpuCount, r.duration));

        vm.prank(renter);
        uint256 id = market.createJob(r);

        ghosts.afterCall(MarketGhosts.Action.Create, id, address(0), uint256(r.specHash));
    }

    function cancelJob(uint256 jobSeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Cancellable);
        if (id == 0) return;
        ghosts.beforeCall(id, address(0));
        vm.prank(job.renter);
        market.cancelJob(id);
        ghosts.afterCall(MarketGhosts.Action.Cancel, id, address(0), 0);
    }

    /// @notice Commits sealed bids from one to four eligible providers (so auctions often have several
    /// reveals, ties included).
    function commitBid(uint256 jobSeed, uint256 providerSeed, uint256 price, bytes32 salt) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Biddable);
        if (id == 0) return;
        uint256 bids = 1 + (providerSeed >> 128) % 4;
        uint96 bidPrice;
        for (uint256 i = 0; i < bids; ++i) {
            address p = ghosts.eligibleProvider(id, (providerSeed >> 8) + i, uint256(ghosts.bondOf(id)) + job.collateral, true);
            if (p == address(0)) return;
            uint256 seed = i == 0 ? price : uint256(keccak256(abi.encode(price, i)));
            // Equal bids must be common (tie-break, Vickrey second price): a third of the later bids in a
            // burst copy the previous price, a third sit on a grid of four levels, the rest are free.
            if (i == 0 || seed % 3 != 0) {
                bidPrice = seed % 3 == 1
                    ? uint96(uint256(job.reservePricePerGpuHour) * (1 + (seed >> 2) % 4) / 4)
                    : uint96(bound(seed, 1, job.reservePricePerGpuHour));
                if (bidPrice == 0) bidPrice = 1;
            }
            bytes32 commitment = ghosts.recordBid(id, p, bidPrice, keccak256(abi.encode(salt, i)));
            vm.prank(p);
            market.commitBid(id, commitment);
            ghosts.afterCall(MarketGhosts.Action.Commit, id, p, 0);
        }
    }

    /// @notice Reveals one to four committed bids, moving into the reveal window first if it has not opened.
    function revealBid(uint256 jobSeed, uint256 providerSeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Revealable);
        if (id == 0) return;
        _waitFor(job.bidDeadline, job.revealDeadline, providerSeed >> 8);
        uint256 reveals = 1 + (providerSeed >> 128) % 4;
        for (uint256 i = 0; i < reveals; ++i) {
            address p = ghosts.bidderWith(
                id, providerSeed % 64 + i, IJobMarket.BidStatus.Committed, IJobMarket.BidStatus.Committed
            );
            if (p == address(0)) return;
            // A bidder that lapsed since its commit cannot reveal (its bond is burned when closed).
            if (!ghosts.qualified(id, p)) continue;
            uint96 price = ghosts.bidPrice(id, p);
            bytes32 salt = ghosts.bidSalt(id, p);
            vm.prank(p);
            market.revealBid(id, price, salt);
            ghosts.afterCall(MarketGhosts.Action.Reveal, id, p, 0);
        }
    }

    function acceptInstant(uint256 jobSeed, uint256 providerSeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Acceptable);
        if (id == 0) return;
        address p = ghosts.eligibleProvider(id, providerSeed, job.collateral, false);
        if (p == address(0)) return;
        ghosts.beforeCall(id, address(0));
        vm.prank(p);
        market.acceptInstant(id);
        ghosts.afterCall(MarketGhosts.Action.Accept, id, p, 0);
    }

    /// @notice Closes an auction, waiting for the end of its reveal window first if needed.
    function award(uint256 jobSeed, uint256 delaySeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Awardable);
        if (id == 0) return;
        _waitFor(job.revealDeadline, job.revealDeadline + MAX_KEEPER_DELAY, delaySeed);
        // A best bidder that lapsed since its reveal (e.g. its reputation fell on another job) loses the job.
        bool lapsed = job.provider != address(0) && !ghosts.qualified(id, job.provider);
        ghosts.beforeCall(id, address(0));
        vm.prank(keeper);
        market.award(id);
        ghosts.afterCall(MarketGhosts.Action.Award, id, address(0), lapsed ? 1 : 0);
    }

    /// @notice The best bidder closes its auction and starts at once (awardAndStart), waiting for the end
    /// of the reveal window first if needed; skipped when nobody revealed or its GPUs are taken meanwhile.
    function awardAndStart(uint256 jobSeed, uint256 delaySeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Awardable);
        if (id == 0 || job.provider == address(0) || !ghosts.qualified(id, job.provider)) return;
        IProviderRegistry.GpuLine memory line = ghosts.registry().gpuLineOf(job.provider, H100);
        if (line.count - line.leased < job.gpuCount) return;
        _waitFor(job.revealDeadline, job.revealDeadline + MAX_KEEPER_DELAY, delaySeed);
        ghosts.beforeCall(id, address(0));
        vm.prank(job.provider);
        market.awardAndStart(id);
        ghosts.afterCall(MarketGhosts.Action.AwardAndStart, id, address(0), 0);
    }

    function closeBid(uint256 jobSeed, uint256 providerSeed) external atCurrentTime {
        (uint256 id,) = ghosts.find(jobSeed, MarketGhosts.Pick.BidsClosable);
        if (id == 0) return;
        address p = ghosts.bidderWith(id, providerSeed, IJobMarket.BidStatus.Committed, IJobMarket.BidStatus.Revealed);
        if (p == address(0)) return;
        ghosts.beforeCall(id, p);
        vm.prank(keeper);
        market.closeBid(id, p);
        ghosts.afterCall(MarketGhosts.Action.CloseBid, id, p, 0);
    }
}

/// @notice IJobMarket handler, execution side: start, claim, deliver, stop, dispute, settle, rule on disputes
/// (both rulings), settle on dispute timeout, fail, withdraw, and move the clock. See {MarketHandlerBase}.
contract ExecutionHandler is MarketHandlerBase {
    uint256 internal constant MAX_WARP = 6 hours;

    address public immutable arbiter;

    constructor(MarketGhosts ghosts_, MockAggregatorV3 feed_, address feedOwner_, address arbiter_)
        MarketHandlerBase(ghosts_, feed_, feedOwner_)
    {
        arbiter = arbiter_;
    }

    function startJob(uint256 jobSeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Startable);
        if (id == 0) return;
        vm.prank(job.provider);
        market.startJob(id);
        ghosts.afterCall(MarketGhosts.Action.Start, id, address(0), 0);
    }

    function claim(uint256 jobSeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Claimable);
        if (id == 0) return;
        ghosts.beforeCall(id, address(0));
        vm.prank(job.provider);
        uint128 gross = market.claim(id);
        ghosts.afterCall(MarketGhosts.Action.Claim, id, address(0), gross);
    }

    function deliver(uint256 jobSeed, bytes32 resultHash) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Deliverable);
        if (id == 0) return;
        if (resultHash == bytes32(0)) resultHash = keccak256(abi.encode(id));
        vm.recordLogs();
        vm.prank(job.provider);
        market.deliver(id, resultHash, "ipfs://result");
        ghosts.afterCall(MarketGhosts.Action.Deliver, id, address(0), uint256(_deliveredSpecHash(id, resultHash)));
    }

    /// @dev The spec hash of the JobDelivered event just recorded for job `id` (0 if there is none, or if
    /// it does not carry `resultHash`).
    function _deliveredSpecHash(uint256 id, bytes32 resultHash) internal returns (bytes32 specHash) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (
                log.emitter == address(market) && log.topics.length == 3
                    && log.topics[0] == IJobMarket.JobDelivered.selector && uint256(log.topics[1]) == id
            ) {
                (bytes32 result, bytes32 spec,,) = abi.decode(log.data, (bytes32, bytes32, string, uint40));
                if (result == resultHash) return spec;
            }
        }
    }

    function stopJob(uint256 jobSeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Stoppable);
        if (id == 0) return;
        ghosts.beforeCall(id, address(0));
        vm.prank(job.renter);
        market.stopJob(id);
        ghosts.afterCall(MarketGhosts.Action.Stop, id, address(0), 0);
    }

    /// @notice The renter disputes a delivered job, bonding the model's bond in the stablecoin (minted to it
    /// first). The ghosts check the bond against the JobDisputed event, which must name the stablecoin.
    function dispute(uint256 jobSeed, bytes32 evidenceHash) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Disputable);
        if (id == 0) return;
        usdc.mint(job.renter, ghosts.disputeBondFor(id));
        ghosts.beforeCall(id, address(0));
        vm.recordLogs();
        vm.prank(job.renter);
        market.dispute(id, evidenceHash);
        ghosts.afterCall(MarketGhosts.Action.Dispute, id, address(0), _disputedBond(id, job.renter));
    }

    /// @dev The bond of the JobDisputed event just recorded for job `id` by `renter`, if its bond token is
    /// the stablecoin (a stablecoin job's bond is in its payment token); type(uint256).max otherwise, or if
    /// there is no such event.
    function _disputedBond(uint256 id, address renter) internal returns (uint256) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (
                log.emitter == address(market) && log.topics.length == 3
                    && log.topics[0] == IJobMarket.JobDisputed.selector && uint256(log.topics[1]) == id
                    && address(uint160(uint256(log.topics[2]))) == renter
            ) {
                (, address bondToken, uint96 bond,) = abi.decode(log.data, (bytes32, address, uint96, uint40));
                if (bondToken == address(usdc)) return bond;
            }
        }
        return type(uint256).max;
    }

    /// @notice Settles a delivered job: one time in four its renter accepts the result at once, inside the
    /// challenge window; otherwise the keeper, after waiting for the window's end if needed.
    function settle(uint256 jobSeed, uint256 delaySeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Settleable);
        if (id == 0) return;
        address caller = keeper;
        if (delaySeed % 4 == 0 && block.timestamp < job.deadline) caller = job.renter;
        else _waitFor(job.deadline, job.deadline + MAX_KEEPER_DELAY, delaySeed);
        ghosts.beforeCall(id, address(0));
        vm.prank(caller);
        market.settle(id);
        ghosts.afterCall(MarketGhosts.Action.Settle, id, address(0), 0);
    }

    function resolveDispute(uint256 jobSeed, bool providerFault) external atCurrentTime {
        (uint256 id,) = ghosts.find(jobSeed, MarketGhosts.Pick.Resolvable);
        if (id == 0) return;
        ghosts.beforeCall(id, address(0));
        vm.prank(arbiter);
        market.resolveDispute(id, providerFault ? IJobMarket.Ruling.ProviderFault : IJobMarket.Ruling.RenterFault);
        ghosts.afterCall(
            providerFault ? MarketGhosts.Action.ResolveProviderFault : MarketGhosts.Action.ResolveRenterFault,
            id,
            address(0),
            0
        );
    }

    /// @notice Settles a disputed job once the arbiter's time is up, waiting for it first if needed.
    function settleDisputeTimeout(uint256 jobSeed, uint256 delaySeed) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.DisputeTimedOut);
        if (id == 0) return;
        _waitFor(job.deadline, job.deadline + MAX_KEEPER_DELAY, delaySeed);
        ghosts.beforeCall(id, address(0));
        vm.prank(keeper);
        market.settleDisputeTimeout(id);
        ghosts.afterCall(MarketGhosts.Action.DisputeTimeout, id, address(0), 0);
    }

    /// @notice Fails a job whose start or delivery deadline has passed (never moves the clock).
    function failJob(uint256 jobSeed) external atCurrentTime {
        (uint256 id,) = ghosts.find(jobSeed, MarketGhosts.Pick.Failable);
        if (id == 0) return;
        ghosts.beforeCall(id, address(0));
        vm.prank(keeper);
        market.failJob(id);
        ghosts.afterCall(MarketGhosts.Action.Fail, id, address(0), 0);
    }

    /// @notice Withdraws the whole balance of the first renter, provider or treasury (from the seed) owed any.
    function withdraw(uint256 accountSeed) external atCurrentTime {
        address account = ghosts.owedAccount(accountSeed);
        if (account == address(0)) return;
        uint256 owed = market.balanceOf(address(usdc), account);
        uint256 walletBefore = usdc.balanceOf(account);
        vm.prank(account);
        uint256 amount = market.withdraw(address(usdc), account);
        ghosts.afterWithdraw(account, owed, walletBefore, amount);
    }

    function warp(uint256 seconds_, uint256 priceSeed) external atCurrentTime {
        _setTime(block.timestamp + bound(seconds_, 1, MAX_WARP), priceSeed);
    }

    /// @notice Warps to one second before, at or after the next deadline of a live job, so the half-open
    /// windows are exercised at their boundaries (random warps rarely land there).
    function warpToDeadline(uint256 jobSeed, uint256 offsetSeed) external atCurrentTime {
        uint256 target = ghosts.deadlineTarget(jobSeed, offsetSeed);
        if (target <= block.timestamp) return;
        _setTime(target, offsetSeed >> 8);
    }
}

/// @notice Moves one random live job a step along its lifecycle, choosing the step (and the branch) from a
/// seed; creates a job when none is live (and now and then anyway).
/// @dev Random selection among ~20 actions rarely carries a job through the ten or so steps of a full
/// lifecycle within one run of depth 64; this action always picks a step that applies to the job's current
/// state, so disputes, rulings and timeouts are reached in every campaign. It only calls the other
/// handlers' actions (which find the job from the seed and check every precondition themselves).
contract LifecycleHandler {
    AuctionHandler public immutable auction;
    ExecutionHandler public immutable execution;
    MarketGhosts public immutable ghosts;

    constructor(AuctionHandler auction_, ExecutionHandler execution_) {
        auction = auction_;
        execution = execution_;
        ghosts = auction_.ghosts();
    }

    function advance(uint256 jobSeed, uint256 choice) external {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Live);
        if (id == 0 || choice % 16 == 0) {
            auction.createJob(choice >> 4, choice >> 8, choice >> 48, choice >> 64, choice >> 96, choice >> 128);
            return;
        }
        // The actions' MarketGhosts.find scans from `seed % n + 1`: this job first, then the next that fit.
        uint256 seed = id - 1;
        IJobMarket.JobState state = ghosts.ghost_state(id);
        uint256 c = (choice >> 4) % 8;
        uint256 r = choice >> 8;
        if (state == IJobMarket.JobState.Bidding) {
            // Sealed auctions by stage: mostly commits while bidding, reveals while revealing, then award.
            if (job.pricingRule == IJobMarket.PricingRule.Instant) {
                if (c == 0) auction.award(seed, r);
                else auction.acceptInstant(seed, r);
            } else if (ghosts.currentTime() < job.bidDeadline && c < 6) {
                auction.commitBid(seed, r, r >> 32, bytes32(r));
            } else if (job.revealCount < job.bidCount && ghosts.currentTime() < job.revealDeadline && c != 7) {
                auction.revealBid(seed, r);
            } else {
                auction.award(seed, r);
            }
        } else if (state == IJobMarket.JobState.Awarded) {
            if (c == 0) _vanish(seed, r);
            else execution.startJob(seed);
        } else if (state == IJobMarket.JobState.Running) {
            if (c < 2) execution.claim(seed);
            else if (c == 2) execution.stopJob(seed);
            else if (c == 3) _vanish(seed, r);
            else execution.deliver(seed, bytes32(r));
        } else if (state == IJobMarket.JobState.Delivered) {
            c %= 4;
            if (c == 0) execution.claim(seed);
            else if (c == 1) execution.settle(seed, r);
            else execution.dispute(seed, bytes32(r));
        } else if (state == IJobMarket.JobState.Disputed) {
            c %= 4;
            if (c == 0) execution.settleDisputeTimeout(seed, r);
            else if (c == 1) execution.claim(seed);
            else execution.resolveDispute(seed, c == 2);
        }
    }

    /// @dev The provider vanishes: the clock moves to the job's start or delivery deadline (one second
    /// before, at or after it), and a keeper then fails the job if the deadline has passed.
    function _vanish(uint256 seed, uint256 r) internal {
        execution.warpToDeadline(seed, r);
        execution.failJob(seed);
    }
}

/// @notice Probes the half-open time windows: moves the clock to exactly a live job's deadline (or one
/// second before it) and checks that the action on the wrong side of it reverts with the documented error,
/// MarketWindowClosed(jobId, deadline, now) at the deadline, MarketTooEarly(jobId, deadline, now) one second
/// before. See {MarketHandlerBase}.
/// @dev Each checked action fails its time check before any later check (caller, eligibility, balances),
/// so the probe needs no other set-up. A probe that goes through changes state the model does not know
/// about; the flag it raises fails the invariants anyway.
contract WindowProbeHandler is MarketHandlerBase {
    address public immutable arbiter;

    constructor(MarketGhosts ghosts_, MockAggregatorV3 feed_, address feedOwner_, address arbiter_)
        MarketHandlerBase(ghosts_, feed_, feedOwner_)
    {
        arbiter = arbiter_;
    }

    /// @param closing Probe the action a deadline closes (at the deadline) rather than the one it opens
    /// (one second before).
    function probeWindow(uint256 jobSeed, bool closing) external atCurrentTime {
        (uint256 id, IJobMarket.Job memory job) = ghosts.find(jobSeed, MarketGhosts.Pick.Live);
        if (id == 0) return;
        uint256 boundary = job.deadline;
        address caller = keeper;
        bytes memory data;
        IJobMarket.JobState state = job.state;
        if (state == IJobMarket.JobState.Bidding) {
            if (job.pricingRule == IJobMarket.PricingRule.Instant) {
                (boundary, closing, data) = (job.bidDeadline, true, abi.encodeCall(IJobMarket.acceptInstant, (id)));
            } else if (closing) {
                (boundary, data) = (job.bidDeadline, abi.encodeCall(IJobMarket.commitBid, (id, bytes32(uint256(1)))));
            } else {
                (boundary, data) = (job.revealDeadline, abi.encodeCall(IJobMarket.award, (id)));
            }
        } else if (state == IJobMarket.JobState.Awarded) {
            if (closing) (caller, data) = (job.provider, abi.encodeCall(IJobMarket.startJob, (id)));
            else data = abi.encodeCall(IJobMarket.failJob, (id));
        } else if (state == IJobMarket.JobState.Running) {
            // The delivery deadline closes delivery, claims and the renter's stop, and opens failJob.
            if (!closing) data = abi.encodeCall(IJobMarket.failJob, (id));
            else if (jobSeed % 3 == 0) (caller, data) = (job.provider, abi.encodeCall(IJobMarket.claim, (id)));
            else if (jobSeed % 3 == 1) (caller, data) = (job.renter, abi.encodeCall(IJobMarket.stopJob, (id)));
            else (caller, data) = (job.provider, abi.encodeCall(IJobMarket.deliver, (id, bytes32(id), "")));
        } else if (state == IJobMarket.JobState.Delivered) {
            if (closing) (caller, data) = (job.renter, abi.encodeCall(IJobMarket.dispute, (id, bytes32(0))));
            else data = abi.encodeCall(IJobMarket.settle, (id));
        } else if (state == IJobMarket.JobState.Disputed) {
            if (closing) {
                (caller, data) = (arbiter, abi.encodeCall(IJobMarket.resolveDispute, (id, IJobMarket.Ruling.RenterFault)));
            } else {
                data = abi.encodeCall(IJobMarket.settleDisputeTimeout, (id));
            }
        } else {
            return;
        }

        uint256 t = closing ? boundary : boundary - 1;
        if (t < block.timestamp) return;
        if (t > block.timestamp) _setTime(t, jobSeed);
        bytes memory expected = closing
            ? abi.encodeWithSelector(IJobMarket.MarketWindowClosed.selector, id, boundary, t)
            : abi.encodeWithSelector(IJobMarket.MarketTooEarly.selector, id, boundary, t);

        vm.prank(caller);
        (bool ok, bytes memory reason) = address(market).call(data);
        ghosts.recordProbe(!ok && keccak256(reason) == keccak256(expected));
    }
}
