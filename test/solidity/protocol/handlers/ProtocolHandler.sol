// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IGridleaseToken} from "../../../../contracts/interfaces/IGridleaseToken.sol";
import {IJobMarket} from "../../../../contracts/interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../../../contracts/interfaces/IProviderRegistry.sol";
import {ISettlement} from "../../../../contracts/interfaces/ISettlement.sol";
import {JobMath} from "../../../../contracts/libraries/JobMath.sol";
import {MockAggregatorV3} from "../../../../contracts/mocks/MockAggregatorV3.sol";

import {IJobMarketState, ISettlementState} from "../../settlement/handlers/SettlementHandler.sol";

/// @notice Fuzz handler driving the provider registry, the job market and the settlement together: five
/// providers stake, unbond, cancel and withdraw; four renters open stablecoin (6-decimal) and credit jobs
/// under every pricing rule; sealed bids are committed, revealed or left unrevealed and closed; jobs are
/// accepted, started, claimed, delivered, stopped, disputed, ruled on, timed out, failed and settled;
/// ledgers are withdrawn (stablecoin, and the GRL of credit jobs' dispute bonds), earnings are withdrawn
/// as GRL (through the mint queue), tickets and emissions claimed; the clock and the GRL price move.
/// @dev No action may revert (the profile runs with failOnRevert). Lifecycle calls go out as low-level
/// calls: the fuzzer picks jobs and steps from seeds and an ill-timed step (too early, too late, no free
/// GPUs, not eligible) is simply rejected by the market and counted in {rejected}, leaving no state
/// behind. Every call that goes through is measured: the handler snapshots every ledger the protocol
/// keeps (market stablecoin and GRL balances, credits, earnings, stakes, renters' GRL) before and after it and
/// attributes the difference to the job it targeted, which gives the per-job ghosts that the invariants
/// compare with what the contracts hold. Calls expected to fail on purpose (a stake withdrawal before its
/// unlock) are checked for their exact error; a wrong outcome counts in {violations}.
///
/// Block time does not persist between fuzz calls, so every action first warps to {currentTime}, which
/// only moves forward; each move re-publishes the GRL/USD answer so the oracle is never stale.
contract ProtocolHandler is CommonBase, StdUtils {
    bytes32 internal constant H100 = "H100";
    uint256 public constant MAX_JOBS = 40;
    uint256 internal constant MAX_WARP = 6 hours;

    IGridleaseToken public immutable grl;
    IProviderRegistry public immutable registry;
    IJobMarketState public immutable market;
    ISettlementState public immutable settlement;
    IERC20 public immutable usdc;
    MockAggregatorV3 public immutable feed;
    address public immutable feedOwner;
    address public immutable treasury;
    address public immutable arbiter;
    address public immutable admin;
    address public immutable keeper;

    address[] internal _providers;
    address[] internal _renters;
    address[] internal _accounts; // renters, providers, treasury

    uint256 public currentTime;
    /// @notice Handler calls made in the run (including those that found nothing to do).
    uint256 public steps;

    enum Action {
        Create,
        Cancel,
        Commit,
        Reveal,
        Accept,
        Award,
        CloseBid,
        Start,
        Claim,
        Deliver,
        Stop,
        Dispute,
        Settle,
        ResolveProviderFault,
        ResolveRenterFault,
        DisputeTimeout,
        Fail,
        Stake,
        Unbond,
        CancelUnbond,
        WithdrawStake,
        WithdrawStakeEarly,
        WithdrawLedger,
        BuyCredits,
        WithdrawEarnings,
        ClaimTicket,
        ReleaseQueue,
        ClaimEmission,
        SetMintCap,
        Warp
    }

    enum Check {
        EarlyWithdraw,
        JobFlow,
        Terminal,
        Slash,
        Stake,
        Ledger,
        Emission
    }

    mapping(Action => uint256) public calls;
    mapping(Action => uint256) public rejected;
    mapping(Check => uint256) public violations;
    mapping(Check => string) public firstViolation;

    // ---- token ghosts --------------------------------------------------------------------------
    /// @notice Stablecoin credited to the market's ledger by job calls, less withdrawals.
    uint256 public ghost_usdcOwed;
    /// @notice GRL credited to the market's ledger by job calls (credit jobs' dispute bonds paid out), less
    /// withdrawals.
    uint256 public ghost_grlOwed;
    /// @notice GRL the registry should hold: initial stake + stakes - withdrawals - slashes.
    uint256 public ghost_staked;
    uint256 public ghost_grlSlashedToRenters;
    uint256 public ghost_grlBurnedBySlashes;
    uint256 public ghost_ticketsClaimed;
    uint256 public ghost_creditsBought;

    // ---- per-job ghosts ------------------------------------------------------------------------
    /// @notice In the job's payment token: budget escrowed, plus the dispute bond paid for a stablecoin job.
    mapping(uint256 => uint256) public ghost_jobIn;
    /// @notice A credit job's dispute bond, which is GRL: pulled from the renter, and credited on the
    /// market's GRL ledger (to the provider or back to the renter) when the dispute ends.
    mapping(uint256 => uint256) public ghost_grlBondIn;
    mapping(uint256 => uint256) public ghost_grlBondOut;
    mapping(uint256 => uint256) public ghost_toProvider;
    mapping(uint256 => uint256) public ghost_toTreasury;
    mapping(uint256 => uint256) public ghost_toRenter;
    mapping(uint256 => uint256) public ghost_slashed; // GRL taken from any provider's stake by the job's calls
    mapping(uint256 => uint256) public ghost_forfeitedBonds; // bid bonds forfeited on the job
    mapping(uint256 => uint256) public ghost_maxCollateral;
    mapping(uint256 => IJobMarket.JobState) public ghost_terminal;

    // ---- emissions -----------------------------------------------------------------------------
    /// @notice A claimed emission: the provider's pro-rata share, the fees its jobs paid in the epoch
    /// (USD, 18 decimals), the GRL/USD price at the claim and the GRL minted.
    struct EmissionClaim {
        uint256 epoch;
        address provider;
        uint256 amount;
        uint256 share;
        uint256 feesUsd;
        uint256 price;
    }

    /// @notice Protocol fees (USD, 18 decimals) on the value of each provider's jobs settled as delivered
    /// in an epoch (with GPU-seconds run), from the model: feeBps of the job's value, scaled from the
    /// payment token's decimals. Cleared by the provider's claim.
    mapping(uint256 epoch => mapping(address provider => uint256)) public ghost_feesUsd;
    EmissionClaim[] internal _emissionClaims;

    // ---- mint cap ------------------------------------------------------------------------------
    uint256[] internal _epochs;
    mapping(uint256 => bool) internal _epochSeen;
    mapping(uint256 => uint256) public ghost_maxCapIn;

    struct Snap {
        uint256 usdcIn; // market's stablecoin balance
        uint256[] ledger; // per account: market stablecoin ledger (or credits/earnings for credit jobs)
        uint256 stake; // all providers' free + locked + unbonding
        uint256 renterGrl; // the job's renter's wallet GRL
        uint256 held; // the job's escrow, + its bond if disputed and paid in the stablecoin
        uint256 grlIn; // market's GRL balance (credit jobs' dispute bonds)
        uint256[] grlLedger; // per account: market GRL ledger
    }

    /// @dev The feed's owner is the deployer (the test); the token and registry come from the market.
    constructor(
        IJobMarketState market_,
        ISettlementState settlement_,
        IERC20 usdc_,
        MockAggregatorV3 feed_,
        address admin_,
        address arbiter_,
        address[] memory providers_,
        address[] memory renters_,
        uint256 initialStake
    ) {
        grl = settlement_.GRL();
        registry = market_.REGISTRY();
        market = market_;
        settlement = settlement_;
        usdc = usdc_;
        feed = feed_;
        feedOwner = msg.sender;
        admin = admin_;
        arbiter = arbiter_;
        treasury = market_.treasury();
        keeper = address(uint160(uint256(keccak256("keeper"))));
        _providers = providers_;
        _renters = renters_;
        for (uint256 i = 0; i < renters_.length; ++i) {
            _accounts.push(renters_[i]);
        }
        for (uint256 i = 0; i < providers_.length; ++i) {
            _accounts.push(providers_[i]);
        }
        _accounts.push(treasury);
        ghost_staked = initialStake;
        currentTime = block.timestamp;
        _touchEpoch();
    }

    modifier step(Action a) {
        vm.warp(currentTime);
        ++steps;
        _;
        _touchEpoch();
        _observeTerminal();
    }

    // ============================================================================================
    // Registry
    // ============================================================================================

    function stake(uint256 providerSeed, uint256 amount) external step(Action.Stake) {
        address p = _providers[providerSeed % _providers.length];
        uint256 wallet = grl.balanceOf(p);
        if (wallet == 0) return;
        amount = _bound(amount, 1, wallet);
        vm.prank(p);
        registry.stake(amount);
        ghost_staked += amount;
        ++calls[Action.Stake];
    }

    function requestUnbond(uint256 providerSeed, uint256 amount) external step(Action.Unbond) {
        address p = _providers[providerSeed % _providers.length];
        IProviderRegistry.Provider memory info = registry.providerOf(p);
        uint256 required = registry.requiredStakeOf(p);
        uint256 bonded = uint256(info.freeStake) + info.lockedStake;
        if (bonded <= required || info.freeStake == 0) return;
        uint256 maxAmount = bonded - required;
        if (maxAmount > info.freeStake) maxAmount = info.freeStake;
        amount = _bound(amount, 1, maxAmount);
        vm.prank(p);
        registry.requestUnbond(amount);
        ++calls[Action.Unbond];
    }

    function cancelUnbond(uint256 providerSeed) external step(Action.CancelUnbond) {
        address p = _providers[providerSeed % _providers.length];
        if (registry.providerOf(p).unbondingStake == 0) return;
        vm.prank(p);
        registry.cancelUnbond();
        ++calls[Action.CancelUnbond];
    }

    /// @notice Withdraws unbonded stake; before the unlock the call must revert with
    /// RegistryUnbondingLocked(unlocksAt, now) and move nothing.
    function withdrawStake(uint256 providerSeed) external step(Action.WithdrawStake) {
        address p = _providers[providerSeed % _providers.length];
        IProviderRegistry.Provider memory info = registry.providerOf(p);
        if (info.unbondingStake == 0) return;
        uint256 registryBefore = grl.balanceOf(address(registry));
        if (block.timestamp < info.unbondingUnlocksAt) {
            vm.prank(p);
            try registry.withdraw() {
                _violate(Check.EarlyWithdraw, "stake withdrawn before its unlock");
            } catch (bytes memory reason) {
                bytes memory expected = abi.encodeWithSelector(
                    IProviderRegistry.RegistryUnbondingLocked.selector, info.unbondingUnlocksAt, block.timestamp
                );
                if (keccak256(reason) != keccak256(expected)) {
                    _violate(Check.EarlyWithdraw, "early withdrawal: wrong revert");
                }
            }
            if (grl.balanceOf(address(registry)) != registryBefore) {
                _violate(Check.EarlyWithdraw, "early withdrawal moved GRL");
            }
            ++calls[Action.WithdrawStakeEarly];
            return;
        }
        vm.prank(p);
        uint256 amount = registry.withdraw();
        if (amount != info.unbondingStake || registryBefore - grl.balanceOf(address(registry)) != amount) {
            _violate(Check.Stake, "withdrawal != unbonding stake");
        }
        ghost_staked -= amount;
        ++calls[Action.WithdrawStake];
    }

    /// @notice Jumps to just before or at a provider's unlock, so early withdrawals hit the boundary.
    function warpToUnlock(uint256 providerSeed, bool atUnlock) external step(Action.Warp) {
        address p = _providers[providerSeed % _providers.length];
        uint256 unlocksAt = registry.providerOf(p).unbondingUnlocksAt;
        if (unlocksAt == 0) return;
        uint256 target = atUnlock ? unlocksAt : unlocksAt - 1;
        if (target <= block.timestamp) return;
        _setTime(target, providerSeed >> 8);
        ++calls[Action.Warp];
    }

    // ============================================================================================
    // Jobs
    // ============================================================================================

    /// @param shape Packs the payment token, the pricing rule and the request's other fields.
    function createJob(uint256 renterSeed, uint256 shape, uint256 reserve) external step(Action.Create) {
        _createJob(renterSeed, shape, reserve);
    }

    /// @notice Moves a random job one applicable step along its lifecycle (waiting for the step's window
    /// when it opens later), or opens a job when none fits.
    function advance(uint256 jobSeed, uint256 choice) external step(Action.Warp) {
        uint256 n = market.jobCount();
        uint256 c = (choice >> 4) % 8;
        uint256 r = choice >> 8;
        // Mostly a live job (the first from the seed on); now and then a finished one, to close its
        // leftover bids and probe that it stays put.
        uint256 id = n == 0 ? 0 : _pickJob(jobSeed, n, choice % 10 == 0);
        if (id == 0 || choice % 10 == 1) {
            _createJob(choice >> 8, choice >> 16, choice >> 80);
            return;
        }
        IJobMarket.Job memory job = market.jobOf(id);
        IJobMarket.JobState state = market.stateOf(id);
        if (state == IJobMarket.JobState.Bidding) {
            if (job.pricingRule == IJobMarket.PricingRule.Instant) {
                if (c == 0) {
                    _waitFor(job.bidDeadline, r);
                    _jobCall(Action.Award, id, keeper, abi.encodeCall(IJobMarket.award, (id)));
                } else if (c == 1) {
                    _jobCall(Action.Cancel, id, job.renter, abi.encodeCall(IJobMarket.cancelJob, (id)));
                } else {
                    _jobCall(Action.Accept, id, _provider(r), abi.encodeCall(IJobMarket.acceptInstant, (id)));
                }
            } else if (c == 0 && job.bidCount == 0) {
                _jobCall(Action.Cancel, id, job.renter, abi.encodeCall(IJobMarket.cancelJob, (id)));
            } else if (c < 5 || job.bidCount == 0) {
                _commit(id, job, r);
            } else {
                // Bidding is over: a keeper-like wait into the reveal window, then reveals.
                _waitWithin(job.bidDeadline, job.revealDeadline, r);
                _reveal(id, r);
            }
        } else if (state == IJobMarket.JobState.Revealing) {
            if (c < 5 && block.timestamp < job.revealDeadline && job.revealCount < job.bidCount) _reveal(id, r);
            else _award(id, job, r);
        } else if (
            (state == IJobMarket.JobState.Awarded || state == IJobMarket.JobState.Running)
                && block.timestamp >= job.deadline
        ) {
            // Overdue: only a keeper's failJob moves it on.
            _jobCall(Action.Fail, id, keeper, abi.encodeCall(IJobMarket.failJob, (id)));
        } else if (state == IJobMarket.JobState.Awarded) {
            if (c == 0) _fail(id, job, r);
            else if (c == 1) _closeBid(id, r);
            else _jobCall(Action.Start, id, job.provider, abi.encodeCall(IJobMarket.startJob, (id)));
        } else if (state == IJobMarket.JobState.Running) {
            if (c < 2) {
                _warpInto(job.deadline, r);
                _jobCall(Action.Claim, id, job.provider, abi.encodeCall(IJobMarket.claim, (id)));
            } else if (c == 2) {
                _jobCall(Action.Stop, id, job.renter, abi.encodeCall(IJobMarket.stopJob, (id)));
            } else if (c == 3) {
                _fail(id, job, r);
            } else {
                _warpInto(job.deadline, r);
                _jobCall(
                    Action.Deliver,
                    id,
                    job.provider,
                    abi.encodeCall(IJobMarket.deliver, (id, keccak256(abi.encode(id)), "ipfs://result"))
                );
            }
        } else if (state == IJobMarket.JobState.Delivered) {
            if (c < 3 || block.timestamp >= job.deadline) {
                _waitFor(job.deadline, r);
                _jobCall(Action.Settle, id, keeper, abi.encodeCall(IJobMarket.settle, (id)));
            } else if (c < 6) {
                _dispute(id, job);
            } else {
                _closeBid(id, r);
            }
        } else if (state == IJobMarket.JobState.Disputed) {
            if (c < 2 || block.timestamp >= job.deadline) {
                _waitFor(job.deadline, r);
                _jobCall(Action.DisputeTimeout, id, keeper, abi.encodeCall(IJobMarket.settleDisputeTimeout, (id)));
            } else {
                bool providerFault = c < 5;
                _jobCall(
                    providerFault ? Action.ResolveProviderFault : Action.ResolveRenterFault,
                    id,
                    arbiter,
                    abi.encodeCall(
                        IJobMarket.resolveDispute,
                        (id, providerFault ? IJobMarket.Ruling.ProviderFault : IJobMarket.Ruling.RenterFault)
                    )
                );
            }
        } else {
            // Terminal: close leftover bids (unrevealed ones forfeit their bond) and probe that no step
            // moves the job (the market must reject each).
            if (c < 4) _closeBid(id, r);
            else _probeTerminal(id, job, c);
        }
    }

    /// @dev The first live job from the seed on (0 if none), or the seed's job itself if `anyJob`.
    function _pickJob(uint256 seed, uint256 n, bool anyJob) internal view returns (uint256) {
        uint256 start = seed % n;
        if (anyJob) return start + 1;
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = (start + i) % n + 1;
            if (uint8(market.stateOf(id)) < uint8(IJobMarket.JobState.Settled)) return id;
        }
        return 0;
    }

    /// @dev Moves the clock to a fuzzed point before `deadline` (and past it one time in eight).
    function _warpInto(uint256 deadline, uint256 seed) internal {
        if (deadline <= block.timestamp) return;
        uint256 span = deadline - block.timestamp;
        _warpBy(seed % 8 == 0 ? span + seed % 1 hours : (seed >> 3) % span, seed >> 16);
    }

    /// @dev Moves the clock into [opensAt, closesAt) at a fuzzed offset if the window has not opened.
    function _waitWithin(uint256 opensAt, uint256 closesAt, uint256 seed) internal {
        if (block.timestamp < opensAt) _setTime(opensAt + seed % (closesAt - opensAt), seed >> 32);
    }

    function _createJob(uint256 renterSeed, uint256 shape, uint256 reserve) internal {
        if (market.jobCount() >= MAX_JOBS) return;
        address renter = _renters[renterSeed % _renters.length];
        bool credits = shape % 3 == 0;
        IJobMarket.JobRequest memory r;
        r.paymentToken = credits ? address(settlement) : address(usdc);
        r.gpuModel = H100;
        r.gpuCount = uint32(1 + (shape >> 4) % 4);
        r.duration = uint40(_bound(shape >> 8, 1 hours, 24 hours));
        // $0.01 .. $5 per GPU-hour, in the token's decimals.
        r.reservePricePerGpuHour =
            credits ? uint96(_bound(reserve, 1e16, 5e18)) : uint96(_bound(reserve, 1e4, 5e6));
        r.pricingRule = IJobMarket.PricingRule((shape >> 48) % 3);
        r.bidWindow = uint40(_bound(shape >> 56, 10 minutes, 6 hours));
        if (r.pricingRule != IJobMarket.PricingRule.Instant) {
            r.revealWindow = uint40(_bound(shape >> 96, 10 minutes, 6 hours));
        }
        // The workload's spec hash (never zero); sealed bids bind it.
        r.specHash = keccak256(abi.encode("spec", renterSeed, shape, market.jobCount()));
        uint256 budget = JobMath.value(r.reservePricePerGpuHour, r.gpuCount, r.duration);
        if (credits) {
            uint256 have = settlement.creditsOf(renter);
            if (have < budget) {
                // Buy what is missing at the live price, with a 1% margin for the spread and rounding.
                uint256 grlNeeded = settlement.quoteGrl(budget - have) * 102 / 100 + 1e18;
                if (grl.balanceOf(renter) < grlNeeded) return;
                vm.prank(renter);
                uint256 bought = settlement.buyCredits(renter, grlNeeded, 0);
                ghost_creditsBought += bought;
                ++calls[Action.BuyCredits];
                if (settlement.creditsOf(renter) < budget) return;
            }
        } else {
            IStableMint(address(usdc)).mint(renter, budget);
            vm.prank(renter);
            usdc.approve(address(market), budget);
        }
        uint256 id = market.jobCount() + 1;
        _jobCall(Action.Create, id, renter, abi.encodeCall(IJobMarket.createJob, (r)));
    }

    function _commit(uint256 id, IJobMarket.Job memory job, uint256 r) internal {
        if (block.timestamp >= job.bidDeadline) return;
        uint256 bids = 1 + (r >> 200) % 3;
        for (uint256 i = 0; i < bids; ++i) {
            address p = _providers[_at(r, i, _providers.length)];
            if (market.bidOf(id, p).status != IJobMarket.BidStatus.None) continue;
            uint256 seed = uint256(keccak256(abi.encode(r, i)));
            // A grid of four price levels makes ties (and the Vickrey second price) common.
            uint96 price = seed % 2 == 0
                ? uint96(uint256(job.reservePricePerGpuHour) * (1 + (seed >> 2) % 4) / 4)
                : uint96(_bound(seed, 1, job.reservePricePerGpuHour));
            if (price == 0) price = 1;
            bytes32 salt = keccak256(abi.encode(seed, "salt"));
            _bidPrice[id][p] = price;
            _bidSalt[id][p] = salt;
            // The documented commitment, computed locally: it binds the job's spec hash.
            bytes32 commitment =
                keccak256(abi.encode(id, p, price, salt, block.chainid, address(market), job.specHash));
            _jobCall(Action.Commit, id, p, abi.encodeCall(IJobMarket.commitBid, (id, commitment)));
        }
    }

    mapping(uint256 => mapping(address => uint96)) internal _bidPrice;
    mapping(uint256 => mapping(address => bytes32)) internal _bidSalt;

    /// @dev Reveals some committed bids; about a quarter of the bidders never reveal.
    function _reveal(uint256 id, uint256 r) internal {
        for (uint256 i = 0; i < _providers.length; ++i) {
            address p = _providers[_at(r, i, _providers.length)];
            if (market.bidOf(id, p).status != IJobMarket.BidStatus.Committed) continue;
            if (uint256(keccak256(abi.encode(id, p))) % 4 == 0) continue;
            _jobCall(
                Action.Reveal, id, p, abi.encodeCall(IJobMarket.revealBid, (id, _bidPrice[id][p], _bidSalt[id][p]))
            );
            if ((r >> 100) % 2 == 0) return;
        }
    }

    function _award(uint256 id, IJobMarket.Job memory job, uint256 r) internal {
        _waitFor(job.revealDeadline, r);
        _jobCall(Action.Award, id, keeper, abi.encodeCall(IJobMarket.award, (id)));
    }

    function _closeBid(uint256 id, uint256 r) internal {
        for (uint256 i = 0; i < _providers.length; ++i) {
            address p = _providers[_at(r, i, _providers.length)];
            IJobMarket.BidStatus s = market.bidOf(id, p).status;
            if (s == IJobMarket.BidStatus.Committed || s == IJobMarket.BidStatus.Revealed) {
                if (s == IJobMarket.BidStatus.Committed) {
                    uint256 bond = market.bidBondOf(id);
                    if (_jobCall(Action.CloseBid, id, keeper, abi.encodeCall(IJobMarket.closeBid, (id, p)))) {
                        ghost_forfeitedBonds[id] += bond;
                    }
                } else {
                    _jobCall(Action.CloseBid, id, keeper, abi.encodeCall(IJobMarket.closeBid, (id, p)));
                }
                return;
            }
        }
    }

    /// @dev The provider vanishes: the clock moves to the start or delivery deadline (one second before
    /// it half the time) and a keeper fails the job.
    function _fail(uint256 id, IJobMarket.Job memory job, uint256 r) internal {
        uint256 target = r % 2 == 0 ? job.deadline : job.deadline - 1;
        if (target > block.timestamp) _setTime(target, r >> 8);
        _jobCall(Action.Fail, id, keeper, abi.encodeCall(IJobMarket.failJob, (id)));
    }

    /// @dev The renter disputes, bonding what the market quotes, which must be the model's: disputeBondBps
    /// of the value in the stablecoin for a stablecoin job; for a credit job, GRL at the job's creation price
    /// (its collateral at the clearing price scaled by disputeBondBps / collateralBps, rounded up), never
    /// credits. The renter gets the bond (stablecoin minted, GRL from the treasury if its own went into
    /// credits) and approves the market for exactly it.
    function _dispute(uint256 id, IJobMarket.Job memory job) internal {
        IJobMarket.MarketParams memory params = market.marketParams(job.paramsId);
        bool credits = job.paymentToken == address(settlement);
        (address token, uint96 bond) = market.disputeBondOf(id);
        uint256 expected = credits
            ? (uint256(job.collateral) * params.disputeBondBps + params.collateralBps - 1) / params.collateralBps
            : JobMath.bpsOfUp(uint256(job.escrow) + job.claimed, params.disputeBondBps);
        if (token != (credits ? address(grl) : address(usdc)) || bond != expected) {
            _violate(Check.JobFlow, "disputeBondOf != the model's token and bond");
        }
        if (credits) {
            uint256 wallet = grl.balanceOf(job.renter);
            if (wallet < bond) {
                if (grl.balanceOf(treasury) < bond - wallet) return;
                vm.prank(treasury);
                grl.transfer(job.renter, bond - wallet);
            }
        } else {
            IStableMint(address(usdc)).mint(job.renter, bond);
        }
        vm.prank(job.renter);
        IERC20(token).approve(address(market), bond);
        _jobCall(Action.Dispute, id, job.renter, abi.encodeCall(IJobMarket.dispute, (id, keccak256("evidence"))));
    }

    /// @dev A terminal job: every lifecycle step must be rejected (the call is expected to fail).
    function _probeTerminal(uint256 id, IJobMarket.Job memory job, uint256 c) internal {
        bytes memory data;
        address caller = keeper;
        if (c == 4) (caller, data) = (job.renter, abi.encodeCall(IJobMarket.cancelJob, (id)));
        else if (c == 5) data = abi.encodeCall(IJobMarket.failJob, (id));
        else if (c == 6) data = abi.encodeCall(IJobMarket.settle, (id));
        else (caller, data) = (arbiter, abi.encodeCall(IJobMarket.resolveDispute, (id, IJobMarket.Ruling.ProviderFault)));
        vm.prank(caller);
        (bool ok,) = address(market).call(data);
        if (ok) _violate(Check.Terminal, "a step on a terminal job went through");
    }

    /// @dev Makes one market call on job `id` as `caller`, measuring every ledger around it and
    /// attributing the flows to the job. Returns whether the call went through.
    function _jobCall(Action a, uint256 id, address caller, bytes memory data) internal returns (bool ok) {
        bool credits;
        address renter;
        if (a == Action.Create) {
            credits = bytes4(data) == IJobMarket.createJob.selector
                && _decodeToken(data) == address(settlement);
            renter = caller;
        } else {
            IJobMarket.Job memory j = market.jobOf(id);
            credits = j.paymentToken == address(settlement);
            renter = j.renter;
        }
        Snap memory before = _snap(id, credits, renter, a == Action.Create);
        vm.prank(caller);
        (ok,) = address(market).call(data);
        if (!ok) {
            ++rejected[a];
            return false;
        }
        ++calls[a];
        Snap memory afterSnap = _snap(id, credits, renter, false);
        _attribute(a, id, credits, before, afterSnap);
        if (a == Action.Settle || a == Action.ResolveRenterFault || a == Action.DisputeTimeout) _recordFees(id);
    }

    /// @dev A job settled as delivered with GPU-seconds run records its provider's fee for the emission
    /// cap: feeBps of its whole value (escrow paid out + claimed), in USD with 18 decimals.
    function _recordFees(uint256 id) internal {
        IJobMarket.Job memory job = market.jobOf(id);
        if (job.state != IJobMarket.JobState.Settled) return;
        if (job.deliveredAt == job.startedAt) return; // nothing ran: nothing recorded
        uint256 fee = JobMath.bpsOf(uint256(job.escrow) + job.claimed, market.marketParams(job.paramsId).feeBps);
        uint256 usd = job.paymentToken == address(settlement) ? fee : fee * 1e12; // credits: 18; USDC: 6
        uint256 epoch = settlement.currentEpoch();
        ghost_feesUsd[epoch][job.provider] += usd;
        if (settlement.feesUsdOf(epoch, job.provider) != ghost_feesUsd[epoch][job.provider]) {
            _violate(Check.Emission, "settle: feesUsdOf != fees of the settled jobs");
        }
    }

    function _decodeToken(bytes memory data) internal pure returns (address token) {
        // createJob(JobRequest): the struct is static (twelve words, specHash last), so it is encoded in
        // place and its first word, the payment token, follows the selector.
        assembly {
            token := mload(add(data, 36))
        }
    }

    function _snap(uint256 id, bool credits, address renter, bool creating) internal view returns (Snap memory s) {
        s.usdcIn = usdc.balanceOf(address(market));
        s.ledger = new uint256[](_accounts.length);
        for (uint256 i = 0; i < _accounts.length; ++i) {
            address acct = _accounts[i];
            if (!credits) s.ledger[i] = market.balanceOf(address(usdc), acct);
            else if (i < _renters.length) s.ledger[i] = settlement.creditsOf(acct);
            else s.ledger[i] = settlement.earningsOf(acct);
        }
        for (uint256 i = 0; i < _providers.length; ++i) {
            IProviderRegistry.Provider memory p = registry.providerOf(_providers[i]);
            s.stake += uint256(p.freeStake) + p.lockedStake + p.unbondingStake;
        }
        s.renterGrl = grl.balanceOf(renter);
        s.grlIn = grl.balanceOf(address(market));
        s.grlLedger = new uint256[](_accounts.length);
        for (uint256 i = 0; i < _accounts.length; ++i) {
            s.grlLedger[i] = market.balanceOf(address(grl), _accounts[i]);
        }
        if (!creating) {
            IJobMarket.Job memory job = market.jobOf(id);
            s.held = job.escrow;
            // A credit job's bond is GRL, outside its credits: see _attributeGrlBond.
            if (job.state == IJobMarket.JobState.Disputed && !credits) s.held += job.disputeBond;
        }
    }

    function _attribute(Action a, uint256 id, bool credits, Snap memory b, Snap memory s) internal {
        // Slashes: stake that left the providers went to the renter or was burned.
        if (s.stake > b.stake) {
            _violate(Check.Slash, "a job call increased stake");
            return;
        }
        uint256 slashed = b.stake - s.stake;
        IJobMarket.Job memory job = market.jobOf(id);
        // A credit job's dispute pulls the GRL bond from the renter's wallet into the market.
        uint256 bondIn = _attributeGrlBond(a, id, credits, job, b, s);
        if (s.renterGrl + bondIn < b.renterGrl) {
            _violate(Check.JobFlow, "renter's GRL fell by more than the bond");
            return;
        }
        uint256 toRenter = s.renterGrl + bondIn - b.renterGrl;
        if (toRenter > slashed) _violate(Check.Slash, "renter got more GRL than was slashed");
        ghost_slashed[id] += slashed;
        ghost_staked -= slashed;
        ghost_grlSlashedToRenters += toRenter;
        ghost_grlBurnedBySlashes += slashed - toRenter;
        if (job.collateral > ghost_maxCollateral[id]) ghost_maxCollateral[id] = job.collateral;

        // Value flows of the payment token.
        uint256 nr = _renters.length;
        if (a == Action.Create || a == Action.Dispute) {
            uint256 paid;
            if (credits) {
                for (uint256 i = 0; i < nr; ++i) {
                    paid += b.ledger[i] - s.ledger[i];
                }
            } else {
                paid = s.usdcIn - b.usdcIn;
            }
            ghost_jobIn[id] += paid;
            if (s.held != b.held + paid) _violate(Check.JobFlow, "escrow/bond != what the renter paid in");
            return;
        }
        uint256 toR;
        uint256 toP;
        uint256 toT;
        for (uint256 i = 0; i < _accounts.length; ++i) {
            if (s.ledger[i] < b.ledger[i]) {
                _violate(Check.JobFlow, "a job call reduced a ledger");
                return;
            }
            uint256 d = s.ledger[i] - b.ledger[i];
            if (i < nr) toR += d;
            else if (i < _accounts.length - 1) toP += d;
            else toT += d;
        }
        ghost_toRenter[id] += toR;
        ghost_toProvider[id] += toP;
        ghost_toTreasury[id] += toT;
        if (!credits) ghost_usdcOwed += toR + toP + toT;
        if (b.held != s.held + toR + toP + toT) _violate(Check.JobFlow, "paid out != escrow released");
        if (s.usdcIn != b.usdcIn) _violate(Check.JobFlow, "stablecoin moved on a job call");
    }

    /// @dev A credit job's GRL dispute bond around one call: a dispute must pull exactly the job's bond into
    /// the market's GRL (returned, so the renter's wallet is measured net of it); the dispute's end (either ruling, or the
    /// timeout) must credit exactly the bond on the market's GRL ledger, to the provider on RenterFault and
    /// to the renter otherwise; every other call, and every call on a stablecoin job, moves no GRL into or
    /// onto the market (GRL leaves it only by {withdrawLedger}).
    function _attributeGrlBond(
        Action a,
        uint256 id,
        bool credits,
        IJobMarket.Job memory job,
        Snap memory b,
        Snap memory s
    ) internal returns (uint256 bondIn) {
        if (s.grlIn < b.grlIn) {
            _violate(Check.JobFlow, "GRL left the market on a job call");
            return 0;
        }
        bondIn = s.grlIn - b.grlIn;
        bool disputing = credits && a == Action.Dispute;
        if (bondIn != (disputing ? job.disputeBond : 0)) _violate(Check.JobFlow, "GRL pulled != the credit job's bond");
        ghost_grlBondIn[id] += bondIn;

        bool ending = credits
            && (a == Action.ResolveProviderFault || a == Action.ResolveRenterFault || a == Action.DisputeTimeout);
        address payee = a == Action.ResolveRenterFault ? job.provider : job.renter;
        uint256 out;
        for (uint256 i = 0; i < _accounts.length; ++i) {
            if (s.grlLedger[i] < b.grlLedger[i]) {
                _violate(Check.JobFlow, "a job call reduced a GRL ledger balance");
                return bondIn;
            }
            uint256 d = s.grlLedger[i] - b.grlLedger[i];
            if (d != 0 && _accounts[i] != payee) _violate(Check.JobFlow, "GRL bond credited to the wrong party");
            out += d;
        }
        if (out != (ending ? job.disputeBond : 0)) _violate(Check.JobFlow, "GRL credited != the credit job's bond");
        ghost_grlBondOut[id] += out;
        ghost_grlOwed += out;
    }

    function _observeTerminal() internal {
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.JobState st = market.stateOf(id);
            IJobMarket.JobState seen = ghost_terminal[id];
            if (seen != IJobMarket.JobState.None) {
                if (st != seen) _violate(Check.Terminal, "a job left its terminal state");
            } else if (uint8(st) >= uint8(IJobMarket.JobState.Settled)) {
                ghost_terminal[id] = st;
            }
        }
    }

    // ============================================================================================
    // Ledgers, earnings, queue, emissions, clock
    // ============================================================================================

    /// @notice An account withdraws its whole balance of one token from the market's ledger: the stablecoin
    /// (pay, fees, refunds, bonds of stablecoin jobs) or GRL (credit jobs' dispute bonds), the seed's token
    /// first and the other if nobody is owed any.
    function withdrawLedger(uint256 accountSeed) external step(Action.WithdrawLedger) {
        bool grlFirst = (accountSeed >> 128) % 2 == 1;
        if (!_withdrawLedger(grlFirst ? IERC20(address(grl)) : usdc, accountSeed)) {
            _withdrawLedger(grlFirst ? usdc : IERC20(address(grl)), accountSeed);
        }
    }

    /// @dev The first account from `seed` on that the ledger owes `token` withdraws it; false if none.
    function _withdrawLedger(IERC20 token, uint256 seed) internal returns (bool) {
        for (uint256 i = 0; i < _accounts.length; ++i) {
            address acct = _accounts[_at(seed, i, _accounts.length)];
            uint256 owed = market.balanceOf(address(token), acct);
            if (owed == 0) continue;
            uint256 wallet = token.balanceOf(acct);
            vm.prank(acct);
            uint256 amount = market.withdraw(address(token), acct);
            if (amount != owed || token.balanceOf(acct) != wallet + owed) {
                _violate(Check.Ledger, "withdrawal != ledger balance");
            }
            if (address(token) == address(usdc)) ghost_usdcOwed -= amount;
            else ghost_grlOwed -= amount;
            ++calls[Action.WithdrawLedger];
            return true;
        }
        return false;
    }

    function buyCredits(uint256 renterSeed, uint256 amount) external step(Action.BuyCredits) {
        address renter = _renters[renterSeed % _renters.length];
        uint256 wallet = grl.balanceOf(renter);
        amount = _bound(amount, 1e18, 10_000e18);
        if (wallet < amount || settlement.quoteCredits(amount) == 0) return;
        vm.prank(renter);
        ghost_creditsBought += settlement.buyCredits(renter, amount, 0);
        ++calls[Action.BuyCredits];
    }

    function withdrawEarnings(uint256 accountSeed) external step(Action.WithdrawEarnings) {
        for (uint256 i = 0; i <= _providers.length; ++i) {
            address acct =
                i == _providers.length ? treasury : _providers[_at(accountSeed, i, _providers.length)];
            uint256 owed = settlement.earningsOf(acct);
            if (owed == 0 || settlement.quoteWithdrawal(acct) == 0) continue;
            vm.prank(acct);
            settlement.withdrawEarnings(acct);
            ++calls[Action.WithdrawEarnings];
            return;
        }
    }

    function claimQueuedMint(uint256 ticketSeed) external step(Action.ClaimTicket) {
        uint256 n = settlement.ticketCount();
        if (n == 0) return;
        uint256 start = ticketSeed % n;
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = (start + i) % n + 1;
            // claimQueuedMint first releases the epoch's unused cap, so the preview may understate it.
            ISettlement.MintTicket memory t = settlement.ticketOf(id);
            if (t.claimed == t.amount) continue;
            vm.prank(keeper);
            try settlement.claimQueuedMint(id) returns (uint256 amount) {
                ghost_ticketsClaimed += amount;
                ++calls[Action.ClaimTicket];
                return;
            } catch {
                ++rejected[Action.ClaimTicket];
            }
        }
    }

    function releaseQueuedMints() external step(Action.ReleaseQueue) {
        (uint256 head, uint256 tail) = settlement.mintQueue();
        if (head == tail || settlement.mintCapRemaining() == 0) return;
        vm.prank(keeper);
        settlement.releaseQueuedMints();
        ++calls[Action.ReleaseQueue];
    }

    /// @notice Claims the emission of a provider with GPU-seconds in an ended epoch (a claim capped to zero
    /// by its fees included), checking it against the model: min(share, GRL worth of its fees now).
    function claimEmission(uint256 epochSeed, uint256 providerSeed) external step(Action.ClaimEmission) {
        uint256 current = settlement.currentEpoch();
        if (current == 0) return;
        uint256 epoch = epochSeed % current;
        for (uint256 i = 0; i < _providers.length; ++i) {
            address p = _providers[_at(providerSeed, i, _providers.length)];
            uint256 seconds_ = settlement.gpuSecondsOf(epoch, p);
            if (seconds_ == 0) continue;
            uint256 fees = settlement.feesUsdOf(epoch, p);
            if (fees != ghost_feesUsd[epoch][p]) _violate(Check.Emission, "feesUsdOf != fees of the settled jobs");
            ISettlement.EpochEmission memory book = settlement.epochEmissionOf(epoch);
            uint256 share = book.budget * seconds_ / book.gpuSeconds;
            (, int256 answer,,,) = feed.latestRoundData();
            uint256 price = uint256(answer) * 1e10;
            uint256 cap = fees * 1e18 / price;
            uint256 before = grl.balanceOf(p);
            vm.prank(keeper);
            uint256 amount = settlement.claimEmission(epoch, p);
            ++calls[Action.ClaimEmission];
            if (amount != (share < cap ? share : cap)) _violate(Check.Emission, "emission != min(share, fees' worth)");
            if (grl.balanceOf(p) != before + amount) _violate(Check.Emission, "emission: provider GRL");
            if (settlement.feesUsdOf(epoch, p) != 0) _violate(Check.Emission, "emission: fees not cleared");
            ghost_feesUsd[epoch][p] = 0;
            _emissionClaims.push(EmissionClaim(epoch, p, amount, share, fees, price));
            return;
        }
    }

    /// @notice Governance changes the per-epoch mint cap (1 .. 1,000 GRL).
    function setMintCap(uint256 cap) external step(Action.SetMintCap) {
        cap = _bound(cap, 1e18, 1_000e18);
        vm.prank(admin);
        settlement.setMintCapPerEpoch(cap);
        ++calls[Action.SetMintCap];
    }

    function warp(uint256 seconds_, uint256 priceSeed) external step(Action.Warp) {
        _warpBy(_bound(seconds_, 1, MAX_WARP), priceSeed);
        ++calls[Action.Warp];
    }

    function _warpBy(uint256 seconds_, uint256 priceSeed) internal {
        if (seconds_ == 0) return;
        _setTime(block.timestamp + seconds_, priceSeed);
    }

    function _waitFor(uint256 opensAt, uint256 seed) internal {
        if (block.timestamp < opensAt) _setTime(opensAt + seed % 15 minutes, seed >> 32);
    }

    function _setTime(uint256 timestamp, uint256 priceSeed) internal {
        vm.warp(timestamp);
        currentTime = timestamp;
        // $0.10 .. $2.00 per GRL, inside the oracle's bounds; re-published so the answer is never stale.
        vm.prank(feedOwner);
        feed.setAnswer(int256(_bound(priceSeed, 1e7, 2e8)));
        _touchEpoch();
    }

    /// @dev Records the current epoch and the highest cap in force in it.
    function _touchEpoch() internal {
        uint256 e = settlement.currentEpoch();
        if (!_epochSeen[e]) {
            _epochSeen[e] = true;
            _epochs.push(e);
        }
        uint256 cap = settlement.mintCapPerEpoch();
        if (cap > ghost_maxCapIn[e]) ghost_maxCapIn[e] = cap;
    }

    /// @dev The i-th index after `seed`'s, cyclically (no overflow for any seed).
    function _at(uint256 seed, uint256 i, uint256 n) internal pure returns (uint256) {
        return (seed % n + i) % n;
    }

    function _provider(uint256 seed) internal view returns (address) {
        return _providers[seed % _providers.length];
    }

    function _violate(Check check, string memory what) internal {
        if (violations[check] == 0) firstViolation[check] = what;
        ++violations[check];
    }

    // ============================================================================================
    // Views for the invariants
    // ============================================================================================

    function providers() external view returns (address[] memory) {
        return _providers;
    }

    function renters() external view returns (address[] memory) {
        return _renters;
    }

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function epochs() external view returns (uint256[] memory) {
        return _epochs;
    }

    function emissionClaimCount() external view returns (uint256) {
        return _emissionClaims.length;
    }

    function emissionClaimAt(uint256 i) external view returns (EmissionClaim memory) {
        return _emissionClaims[i];
    }
}

interface IStableMint {
    function mint(address to, uint256 amount) external;
}
