// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGridleaseToken} from "../../../../contracts/interfaces/IGridleaseToken.sol";
import {IJobMarket} from "../../../../contracts/interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../../../contracts/interfaces/IProviderRegistry.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {JobMath} from "../../../../contracts/libraries/JobMath.sol";
import {MockStablecoin} from "../../../../contracts/mocks/MockStablecoin.sol";

/// @dev The registry's public getter of its stake token, which IProviderRegistry does not declare. Importing
/// the registry itself would compile its (coverage-instrumented) code into the invariant suite's job, which
/// crashes solc-js under coverage (HHE908).
interface IStakeTokenGetter {
    function STAKE_TOKEN() external view returns (IGridleaseToken);
}

/// @notice The reference model and ghost ledger behind the market handlers (see {MarketHandlerBase}): job
/// selection, the expected stored state of every job, the sealed-bid auction model, and every money and
/// GRL flow, measured independently of the market's own bookkeeping.
/// @dev Not a fuzz target; the handlers delegate all of their bookkeeping here, so they only pick, bound,
/// prank and call. Around each market call a handler calls {beforeCall} (snapshot of the job and of the
/// payees' balances) and {afterCall} (attribution of the deltas to the job, and comparison with the
/// model). Mismatches raise flags that the invariants assert.
///
/// Money is measured as deltas of the market ledger balances of the job's provider, the treasury and the
/// renter, of the renter's GRL and of GRL burns, around the single call that caused them.
contract MarketGhosts {
    /// @notice What a handler action needs a job for: its state (see {_stateFits}) and, beyond the state,
    /// the conditions of {_eligible}.
    enum Pick {
        Cancellable,
        Biddable,
        Revealable,
        Acceptable,
        Awardable,
        BidsClosable,
        Startable,
        Claimable,
        Deliverable,
        Stoppable,
        Disputable,
        Settleable,
        Resolvable,
        DisputeTimedOut,
        Failable,
        Live
    }

    /// @notice The market call a handler action made; see {afterCall}. (AwardAndStart is last so that the
    /// others keep their numbers in the campaign's call counts.)
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
        AwardAndStart
    }

    struct Snap {
        uint256 provider;
        uint256 treasury;
        uint256 renter;
        uint256 renterGrl;
        uint256 burned;
        IJobMarket.BidStatus bidStatus;
    }

    bytes32 public constant H100 = "H100";
    /// @notice The market keeps (and {IJobMarket-bidOf} reports) a commitment's low 248 bits.
    uint256 public constant COMMITMENT_MASK = (1 << 248) - 1;

    IJobMarket public immutable market;
    IProviderRegistry public immutable registry;
    IGridleaseToken public immutable grl;
    MockStablecoin public immutable usdc;
    address public immutable treasury;
    address public immutable deployer;
    mapping(address => bool) public isHandler;

    uint16 public immutable feeBps;
    uint16 public immutable holdbackBps;
    uint16 public immutable slashToRenterBps;
    uint16 public immutable faultSlashBps;
    uint16 public immutable disputeBondBps;
    uint16 public immutable collateralBps;
    uint96 public immutable bidBond;
    uint16 public immutable bidBondBps;

    address[] internal _providers;
    address[] internal _renters;

    /// @notice The handler's clock; every action runs at this timestamp.
    uint256 public currentTime;
    /// @notice The GRL/USD answer last published (8 decimals).
    int256 public answer;

    // ------------------------------------------------------------------------------------------------
    // Ghost variables
    // ------------------------------------------------------------------------------------------------

    /// @notice The stored state each job must be in, from the model.
    mapping(uint256 jobId => IJobMarket.JobState) public ghost_state;
    /// @notice The first terminal state the job reached (None while it is live).
    mapping(uint256 jobId => IJobMarket.JobState) public ghost_terminal;

    /// @notice Budget escrowed at creation.
    mapping(uint256 jobId => uint256) public ghost_budget;
    /// @notice Gross pay (net + fee) credited for the job to the provider and the treasury.
    mapping(uint256 jobId => uint256) public ghost_gross;
    /// @notice Fees credited to the treasury for the job.
    mapping(uint256 jobId => uint256) public ghost_fees;
    /// @notice Budget credited back to the renter (dispute bonds excluded).
    mapping(uint256 jobId => uint256) public ghost_refunds;
    /// @notice Dispute bond pulled from the renter, and paid back out (to either party).
    mapping(uint256 jobId => uint256) public ghost_bondIn;
    mapping(uint256 jobId => uint256) public ghost_bondOut;
    /// @notice The job's collateral at the reserve, priced at creation.
    mapping(uint256 jobId => uint256) public ghost_collateralAtReserve;
    /// @notice The winner's collateral from the award (or the instant accept) on, by the model: the
    /// collateral at the reserve scaled to the clearing price, rounded up (0 before).
    mapping(uint256 jobId => uint256) public ghost_collateral;
    /// @notice The workload spec hash the renter sent with the request.
    mapping(uint256 jobId => bytes32) public ghost_specHash;
    /// @notice GRL ever locked for the job (sealed-bid locks, instant collateral).
    mapping(uint256 jobId => uint256) public ghost_grlLocked;
    /// @notice GRL taken from providers for the job (to the renter plus burned).
    mapping(uint256 jobId => uint256) public ghost_grlSlashed;
    /// @notice Bid bonds forfeited on the job (unrevealed bids closed).
    mapping(uint256 jobId => uint256) public ghost_bondsForfeited;

    /// @notice Totals over all jobs and accounts.
    uint256 public ghost_usdcIn;
    uint256 public ghost_usdcOut;
    uint256 public ghost_credited;
    uint256 public ghost_totalFees;
    uint256 public ghost_grlLockedTotal;
    uint256 public ghost_grlToRenters;
    uint256 public ghost_grlBurned;

    /// @notice Set when the market left a job in another state than the model's.
    bool public ghost_stateMismatch;
    /// @notice Set when a payout's treasury credit is not feeBps of its gross, rounded down.
    bool public ghost_feeMismatch;
    /// @notice Set when a value, collateral, lock, pay, refund, bond or slash differs from the model's.
    bool public ghost_amountMismatch;
    /// @notice Set when an award picked another winner or clearing price than the model's.
    bool public ghost_auctionMismatch;

    /// @notice Set when a call on the wrong side of a deadline did not revert with the documented error.
    bool public ghost_windowProbeMismatch;
    /// @notice Window probes made.
    uint256 public windowProbes;

    /// @notice How often each action got through to the market.
    mapping(Action action => uint256) public calls;
    uint256 public withdrawals;
    uint256 public warps;

    /// @dev Sealed bids: the price, salt and documented commitment (the full 256 bits) each provider
    /// committed, and the reveal order of each job.
    mapping(uint256 jobId => mapping(address provider => uint96)) public bidPrice;
    mapping(uint256 jobId => mapping(address provider => bytes32)) public bidSalt;
    mapping(uint256 jobId => mapping(address provider => bytes32)) public bidCommitment;
    mapping(uint256 jobId => address[]) internal _revealed;

    /// @dev The job and balances before the current call.
    IJobMarket.Job internal _pre;
    Snap internal _snap;

    error NotHandler(address caller);

    constructor(IJobMarket market_, MockStablecoin usdc_, address[] memory providers_, address[] memory renters_) {
        market = market_;
        registry = IProviderRegistry(address(market_.REGISTRY()));
        // The stake token, read through its public getter: the registry's interface does not expose it.
        grl = IStakeTokenGetter(address(registry)).STAKE_TOKEN();
        usdc = usdc_;
        treasury = market_.treasury();
        deployer = msg.sender;
        IJobMarket.MarketParams memory p = market_.marketParams(market_.currentParamsId());
        feeBps = p.feeBps;
        holdbackBps = p.holdbackBps;
        slashToRenterBps = p.slashToRenterBps;
        faultSlashBps = p.faultSlashBps;
        disputeBondBps = p.disputeBondBps;
        collateralBps = p.collateralBps;
        bidBond = p.bidBond;
        bidBondBps = p.bidBondBps;
        _providers = providers_;
        _renters = renters_;
        currentTime = block.timestamp;
    }

    modifier onlyHandler() {
        if (!isHandler[msg.sender]) revert NotHandler(msg.sender);
        _;
    }

    /// @notice Registers the handlers and the feed's current answer. Deployer only, once.
    function init(address[] calldata handlers, int256 initialAnswer) external {
        if (msg.sender != deployer || answer != 0) revert NotHandler(msg.sender);
        for (uint256 i = 0; i < handlers.length; ++i) {
            isHandler[handlers[i]] = true;
        }
        answer = initialAnswer;
    }

    function providers() external view returns (address[] memory) {
        return _providers;
    }

    function renters() external view returns (address[] memory) {
        return _renters;
    }

    function revealedCount(uint256 jobId) external view returns (uint256) {
        return _revealed[jobId].length;
    }

    // ------------------------------------------------------------------------------------------------
    // Selection (views, called by the handler in its own block context)
    // ------------------------------------------------------------------------------------------------

    /// @notice The first job from `seed` (cyclically) that `pick` applies to now; id 0 when there is none.
    function find(uint256 seed, Pick pick) external view returns (uint256 id, IJobMarket.Job memory job) {
        uint256 n = market.jobCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 candidate = (seed % n + k) % n + 1;
            if (!_stateFits(pick, candidate)) continue;
            job = market.jobOf(candidate);
            if (_eligible(pick, job)) return (candidate, job);
        }
        return (0, job);
    }

    /// @notice The first provider from `seed` that has not bid on the job (when `sealedBid`), has
    /// `locked` of free stake and passes the registry's eligibility check; address(0) when none does.
    function eligibleProvider(uint256 id, uint256 seed, uint256 locked, bool sealedBid) external view returns (address) {
        IJobMarket.Job memory job = market.jobOf(id);
        for (uint256 k = 0; k < _providers.length; ++k) {
            address p = _providers[(seed % _providers.length + k) % _providers.length];
            if (sealedBid && market.bidOf(id, p).status != IJobMarket.BidStatus.None) continue;
            if (registry.providerOf(p).freeStake < locked) continue;
            try registry.requireEligible(p, job.gpuModel, job.gpuCount, job.minVramGb, job.region, job.minReputation) {
                return p;
            } catch {}
        }
        return address(0);
    }

    /// @notice The first provider from `seed` whose bid on the job has status `a` or `b`; address(0) if none.
    /// @notice Whether `provider` is still qualified for job `id` (the registry's check at reveal and award:
    /// online, reputation, region, model; GPU availability aside).
    function qualified(uint256 id, address provider) public view returns (bool) {
        IJobMarket.Job memory job = market.jobOf(id);
        try registry.requireQualified(provider, job.gpuModel, job.minVramGb, job.region, job.minReputation) {
            return true;
        } catch {
            return false;
        }
    }

    function bidderWith(uint256 id, uint256 seed, IJobMarket.BidStatus a, IJobMarket.BidStatus b)
        external
        view
        returns (address)
    {
        for (uint256 k = 0; k < _providers.length; ++k) {
            address p = _providers[(seed % _providers.length + k) % _providers.length];
            IJobMarket.BidStatus status = market.bidOf(id, p).status;
            if (status == a || status == b) return p;
        }
        return address(0);
    }

    /// @notice The first account (renters, providers, treasury) from `seed` owed a balance; address(0) if none.
    function owedAccount(uint256 seed) external view returns (address) {
        uint256 nRenters = _renters.length;
        uint256 n = nRenters + _providers.length + 1;
        for (uint256 k = 0; k < n; ++k) {
            uint256 i = (seed % n + k) % n;
            address account = i < nRenters ? _renters[i] : (i < n - 1 ? _providers[i - nRenters] : treasury);
            if (market.balanceOf(address(usdc), account) != 0) return account;
        }
        return address(0);
    }

    /// @notice The next deadline of a live job from `seed`, moved by -1, 0 or +1 second; 0 if none.
    function deadlineTarget(uint256 seed, uint256 offsetSeed) external view returns (uint256 target) {
        (uint256 id, IJobMarket.Job memory job) = this.find(seed, Pick.Live);
        if (id == 0) return 0;
        target = job.deadline;
        if (job.state == IJobMarket.JobState.Bidding) {
            target = block.timestamp < job.bidDeadline ? job.bidDeadline : job.revealDeadline;
        }
        target = target + (offsetSeed % 3) - 1;
    }

    /// @notice The model's bid bond of job `id`: `bidBondBps` of its budget in GRL at the creation price (the
    /// collateral at the reserve scaled from `collateralBps`), rounded up, and at least `bidBond`.
    function bondOf(uint256 id) public view returns (uint96) {
        uint256 proportional = Math.mulDiv(ghost_collateralAtReserve[id], bidBondBps, collateralBps, Math.Rounding.Ceil);
        return uint96(Math.max(proportional, bidBond));
    }

    /// @notice The dispute bond the renter must post for the job now, in the stablecoin: disputeBondBps of
    /// its value, rounded up.
    function disputeBondFor(uint256 id) external view returns (uint256) {
        IJobMarket.Job memory job = market.jobOf(id);
        return JobMath.bpsOfUp(uint256(job.escrow) + job.claimed, disputeBondBps);
    }

    // ------------------------------------------------------------------------------------------------
    // Recording (handler only)
    // ------------------------------------------------------------------------------------------------

    function setTime(uint256 timestamp, int256 newAnswer) external onlyHandler {
        currentTime = timestamp;
        answer = newAnswer;
        warps++;
    }

    /// @notice Records a bid's price and salt; returns the documented commitment (which binds the spec hash
    /// the renter sent), checked against the market's.
    function recordBid(uint256 id, address provider, uint96 price, bytes32 salt) external onlyHandler returns (bytes32 c) {
        bidPrice[id][provider] = price;
        bidSalt[id][provider] = salt;
        c = keccak256(abi.encode(id, provider, price, salt, block.chainid, address(market), ghost_specHash[id]));
        bidCommitment[id][provider] = c;
        if (c != market.bidCommitment(id, provider, price, salt)) ghost_amountMismatch = true;
    }

    /// @notice The bid `bidOf` must report for `provider` on job `id` by the model, given its status: while
    /// committed, the commitment's low 248 bits and no price; once revealed (or closed after a reveal), no
    /// commitment and the revealed price; closed unrevealed, neither. The lock is the bid bond plus the
    /// collateral at the reserve, and the winner's, from award on, its collateral.
    function expectedBid(uint256 id, address provider, IJobMarket.BidStatus status, bool winner)
        public
        view
        returns (IJobMarket.Bid memory bid)
    {
        bid.status = status;
        if (status == IJobMarket.BidStatus.None) return bid;
        if (status == IJobMarket.BidStatus.Committed) {
            bid.commitment = bytes32(uint256(bidCommitment[id][provider]) & COMMITMENT_MASK);
        } else if (status == IJobMarket.BidStatus.Revealed || _isRevealed(id, provider)) {
            bid.price = bidPrice[id][provider];
        }
        bid.lockedGrl = winner ? uint96(ghost_collateral[id]) : uint96(bondOf(id) + ghost_collateralAtReserve[id]);
    }

    /// @notice Whether `bid` is what {expectedBid} says.
    function bidMatches(uint256 id, address provider, IJobMarket.Bid memory bid, bool winner)
        public
        view
        returns (bool)
    {
        IJobMarket.Bid memory e = expectedBid(id, provider, bid.status, winner);
        return bid.commitment == e.commitment && bid.price == e.price && bid.lockedGrl == e.lockedGrl;
    }

    /// @notice Snapshots the job, the payees' ledger balances, the renter's GRL, burns and `provider`'s bid.
    function beforeCall(uint256 id, address provider) external onlyHandler {
        IJobMarket.Job memory job = market.jobOf(id);
        _pre = job;
        _snap = Snap({
            provider: market.balanceOf(address(usdc), job.provider),
            treasury: market.balanceOf(address(usdc), treasury),
            renter: market.balanceOf(address(usdc), job.renter),
            renterGrl: grl.balanceOf(job.renter),
            burned: grl.totalBurned(),
            bidStatus: provider == address(0) ? IJobMarket.BidStatus.None : market.bidOf(id, provider).status
        });
    }

    /// @notice Attributes the effects of the call `action` on job `id` (made since {beforeCall}) and checks them
    /// against the model. `provider` is the bidder involved, `x` the call's return value, if any.
    function afterCall(Action action, uint256 id, address provider, uint256 x) external onlyHandler {
        calls[action]++;
        if (action == Action.Create) return _afterCreate(id, bytes32(x));
        if (action == Action.Commit) return _afterCommit(id, provider);
        if (action == Action.Reveal) {
            _revealed[id].push(provider);
            IJobMarket.Bid memory bid = market.bidOf(id, provider);
            _checkAmount(bid.status == IJobMarket.BidStatus.Revealed && bidMatches(id, provider, bid, false));
            return;
        }
        if (action == Action.Start) {
            if (market.jobOf(id).startedAt != block.timestamp) ghost_stateMismatch = true;
            return _expect(id, IJobMarket.JobState.Running);
        }
        if (action == Action.Deliver) {
            // x: the spec hash JobDelivered carried.
            if (bytes32(x) != ghost_specHash[id]) ghost_stateMismatch = true;
            return _expect(id, IJobMarket.JobState.Delivered);
        }
        // x: the bond JobDisputed carried, if it named the stablecoin as the bond token.
        if (action == Action.Dispute) return _afterDispute(id, x);

        IJobMarket.Job memory pre = _pre;
        if (action == Action.Cancel) {
            _account(id, 0, 0);
            _checkAmount(_renterDelta() == pre.escrow);
            _expect(id, IJobMarket.JobState.Cancelled);
        } else if (action == Action.Accept) {
            _afterAccept(id, provider, pre);
        } else if (action == Action.Award) {
            // x: 1 when the best bidder had lapsed (no longer qualified) before the call.
            if (x == 1) _afterLapsedAward(id, pre);
            else _afterAward(id, pre, IJobMarket.JobState.Awarded);
        } else if (action == Action.AwardAndStart) {
            // {award} then {startJob} in one call: the award's model, and the job runs from now.
            if (market.jobOf(id).startedAt != block.timestamp) ghost_stateMismatch = true;
            _afterAward(id, pre, IJobMarket.JobState.Running);
        } else if (action == Action.CloseBid) {
            _account(id, 0, 0);
            if (_snap.bidStatus == IJobMarket.BidStatus.Committed && pre.state == IJobMarket.JobState.Cancelled) {
                // The renter cancelled before reveals could begin: the whole lock comes back, nothing burned.
                _checkAmount(grl.totalBurned() == _snap.burned);
                _checkAmount(market.lockOf(id, provider) == 0);
            } else if (_snap.bidStatus == IJobMarket.BidStatus.Committed) {
                ghost_bondsForfeited[id] += bondOf(id);
                // The bond is burned, never paid to the renter.
                _checkAmount(grl.balanceOf(pre.renter) == _snap.renterGrl);
                _checkAmount(grl.totalBurned() - _snap.burned == bondOf(id));
            }
            IJobMarket.Bid memory bid = market.bidOf(id, provider);
            _checkAmount(bid.status == IJobMarket.BidStatus.Closed && bidMatches(id, provider, bid, false));
        } else if (action == Action.Claim) {
            uint256 gross = _account(id, 0, 0);
            _checkAmount(gross == x && gross == _releasable(pre) - pre.claimed);
        } else if (action == Action.Stop) {
            uint256 value = uint256(pre.escrow) + pre.claimed;
            uint256 expected = JobMath.accrued(value, block.timestamp - pre.startedAt, pre.duration) - pre.claimed;
            _checkAmount(_account(id, 0, 0) == expected);
            _expect(id, IJobMarket.JobState.Cancelled);
        } else if (action == Action.Settle) {
            _checkAmount(_account(id, 0, 0) == pre.escrow);
            _expect(id, IJobMarket.JobState.Settled);
        } else if (action == Action.ResolveProviderFault) {
            // The provider keeps pay accrued up to its delivery, less the holdback; the rest and the bond
            // go back to the renter; the whole collateral is slashed.
            uint256 value = uint256(pre.escrow) + pre.claimed;
            uint256 accruedAtDelivery = JobMath.accrued(value, pre.deliveredAt - pre.startedAt, pre.duration);
            uint256 share = accruedAtDelivery - JobMath.bpsOfUp(accruedAtDelivery, holdbackBps);
            uint256 expected = share > pre.claimed ? share - pre.claimed : 0;
            _checkAmount(_account(id, 0, pre.disputeBond) == expected);
            _checkSlash(pre, pre.collateral);
            _expect(id, IJobMarket.JobState.Resolved);
        } else if (action == Action.ResolveRenterFault) {
            _checkAmount(_account(id, pre.disputeBond, 0) == pre.escrow);
            _expect(id, IJobMarket.JobState.Settled);
        } else if (action == Action.DisputeTimeout) {
            _checkAmount(_account(id, 0, pre.disputeBond) == pre.escrow);
            _expect(id, IJobMarket.JobState.Settled);
        } else if (action == Action.Fail) {
            _checkAmount(_account(id, 0, 0) == 0);
            _checkAmount(_renterDelta() == pre.escrow);
            _checkSlash(pre, JobMath.bpsOf(pre.collateral, faultSlashBps));
            _expect(id, IJobMarket.JobState.Failed);
        }
    }

    /// @notice Records the outcome of a window probe (see {WindowProbeHandler}).
    function recordProbe(bool ok) external onlyHandler {
        if (!ok) ghost_windowProbeMismatch = true;
        windowProbes++;
    }

    /// @notice Records a withdrawal of `amount` by `account`, which was owed `owed` and held `walletBefore`.
    function afterWithdraw(address account, uint256 owed, uint256 walletBefore, uint256 amount) external onlyHandler {
        _checkAmount(amount == owed && usdc.balanceOf(account) == walletBefore + owed);
        _checkAmount(market.balanceOf(address(usdc), account) == 0);
        ghost_usdcOut += amount;
        withdrawals++;
    }

    // ------------------------------------------------------------------------------------------------
    // Per-action models
    // ------------------------------------------------------------------------------------------------

    /// @dev `specHash`: the spec hash of the request.
    function _afterCreate(uint256 id, bytes32 specHash) internal {
        IJobMarket.Job memory job = market.jobOf(id);
        uint256 budget = JobMath.value(job.reservePricePerGpuHour, job.gpuCount, job.duration);
        uint256 collateral =
            JobMath.bpsOfUp(JobMath.grlForStablecoin(budget, 6, uint256(answer) * 1e10), collateralBps);
        _checkAmount(job.escrow == budget && job.collateral == collateral && job.renter != address(0));
        if (specHash == bytes32(0) || job.specHash != specHash) ghost_stateMismatch = true;
        ghost_specHash[id] = specHash;
        ghost_budget[id] = budget;
        ghost_usdcIn += budget;
        ghost_collateralAtReserve[id] = collateral;
        _expect(id, IJobMarket.JobState.Bidding);
    }

    function _afterCommit(uint256 id, address provider) internal {
        uint256 locked = uint256(bondOf(id)) + ghost_collateralAtReserve[id];
        IJobMarket.Bid memory bid = market.bidOf(id, provider);
        _checkAmount(bid.lockedGrl == locked && bid.status == IJobMarket.BidStatus.Committed);
        // The market keeps the commitment's low 248 bits, and no price before the reveal.
        _checkAmount(bidMatches(id, provider, bid, false) && uint256(bid.commitment) >> 248 == 0);
        ghost_grlLocked[id] += locked;
        ghost_grlLockedTotal += locked;
    }

    function _afterAccept(uint256 id, address provider, IJobMarket.Job memory pre) internal {
        IJobMarket.Job memory job = market.jobOf(id);
        if (job.provider != provider || job.clearingPrice != pre.reservePricePerGpuHour) ghost_auctionMismatch = true;
        // At the reserve, the collateral is the collateral at the reserve.
        uint256 collateral = ghost_collateralAtReserve[id];
        _checkAmount(job.escrow == pre.escrow && job.collateral == collateral);
        ghost_collateral[id] = collateral;
        ghost_grlLocked[id] += collateral;
        ghost_grlLockedTotal += collateral;
        _expect(id, IJobMarket.JobState.Awarded);
    }

    /// @dev `awarded`: the state the job must be in when it was won (Awarded, or Running for awardAndStart).
    function _afterAward(uint256 id, IJobMarket.Job memory pre, IJobMarket.JobState awarded) internal {
        (address winner, uint96 clearing) = _modelAuction(id, pre);
        _account(id, 0, 0);
        uint256 refund = _renterDelta();
        if (winner == address(0)) {
            _checkAmount(refund == pre.escrow);
            return _expect(id, IJobMarket.JobState.Expired);
        }
        IJobMarket.Job memory job = market.jobOf(id);
        if (job.provider != winner || job.clearingPrice != clearing) ghost_auctionMismatch = true;
        uint256 value = JobMath.value(clearing, pre.gpuCount, pre.duration);
        // Collateral scales with the clearing price, rounded up.
        uint256 collateral = (ghost_collateralAtReserve[id] * clearing + pre.reservePricePerGpuHour - 1)
            / pre.reservePricePerGpuHour;
        _checkAmount(job.escrow == value && refund == pre.escrow - value && job.collateral == collateral);
        ghost_collateral[id] = collateral;
        // The winner's bid is closed at award and reports the job's collateral as its lock.
        IJobMarket.Bid memory bid = market.bidOf(id, winner);
        _checkAmount(bid.status == IJobMarket.BidStatus.Closed && bidMatches(id, winner, bid, true));
        _expect(id, awarded);
    }

    /// @dev The best bidder lapsed before the award: the job expired with a full refund, and that bidder's
    /// bid is closed with its bond burned (as if unrevealed) and the rest of its lock released.
    function _afterLapsedAward(uint256 id, IJobMarket.Job memory pre) internal {
        (address winner,) = _modelAuction(id, pre);
        _account(id, 0, 0);
        _checkAmount(_renterDelta() == pre.escrow);
        _checkAmount(grl.totalBurned() - _snap.burned == bondOf(id));
        ghost_bondsForfeited[id] += bondOf(id);
        IJobMarket.Bid memory bid = market.bidOf(id, winner);
        _checkAmount(bid.status == IJobMarket.BidStatus.Closed && bidMatches(id, winner, bid, false));
        _checkAmount(market.lockOf(id, winner) == 0);
        if (market.jobOf(id).provider != address(0)) ghost_auctionMismatch = true;
        _expect(id, IJobMarket.JobState.Expired);
    }

    /// @dev A stablecoin job's bond is in the stablecoin: the job, the JobDisputed event (`eventBond`) and
    /// the market's quote must all carry the model's bond.
    function _afterDispute(uint256 id, uint256 eventBond) internal {
        IJobMarket.Job memory job = market.jobOf(id);
        uint256 bond = JobMath.bpsOfUp(uint256(job.escrow) + job.claimed, disputeBondBps);
        _checkAmount(job.disputeBond == bond && eventBond == bond);
        (address token, uint96 quoted) = market.disputeBondOf(id);
        _checkAmount(token == address(usdc) && quoted == bond);
        ghost_bondIn[id] += bond;
        ghost_usdcIn += bond;
        _expect(id, IJobMarket.JobState.Disputed);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    function _stateFits(Pick pick, uint256 id) internal view returns (bool) {
        IJobMarket.JobState st = ghost_state[id];
        if (pick <= Pick.Awardable) return st == IJobMarket.JobState.Bidding;
        if (pick == Pick.BidsClosable) return st != IJobMarket.JobState.Bidding;
        if (pick == Pick.Startable) return st == IJobMarket.JobState.Awarded;
        if (pick == Pick.Claimable) {
            return st == IJobMarket.JobState.Running || st == IJobMarket.JobState.Delivered
                || st == IJobMarket.JobState.Disputed;
        }
        if (pick <= Pick.Stoppable) return st == IJobMarket.JobState.Running;
        if (pick <= Pick.Settleable) return st == IJobMarket.JobState.Delivered;
        if (pick <= Pick.DisputeTimedOut) return st == IJobMarket.JobState.Disputed;
        if (pick == Pick.Failable) return st == IJobMarket.JobState.Awarded || st == IJobMarket.JobState.Running;
        return ghost_terminal[id] == IJobMarket.JobState.None; // Live
    }

    /// @dev Time windows and other conditions, beyond the state, under which the pick's call succeeds.
    function _eligible(Pick pick, IJobMarket.Job memory job) internal view returns (bool) {
        bool instant = job.pricingRule == IJobMarket.PricingRule.Instant;
        uint256 t = block.timestamp;
        // With sealed bids only during the bid window (the renter's way out of a squatted auction).
        if (pick == Pick.Cancellable) return job.bidCount == 0 || t < job.bidDeadline;
        if (pick == Pick.Biddable) return !instant && t < job.bidDeadline;
        // Reveal, award, settle and the dispute timeout wait for their window to open (see the handlers).
        if (pick == Pick.Revealable) return !instant && t < job.revealDeadline && job.revealCount < job.bidCount;
        if (pick == Pick.Acceptable) return instant && t < job.bidDeadline;
        if (pick == Pick.Awardable) return true;
        if (pick == Pick.BidsClosable) return job.bidCount != 0;
        if (pick == Pick.Startable) {
            if (t >= job.deadline) return false;
            IProviderRegistry.GpuLine memory line = registry.gpuLineOf(job.provider, H100);
            return line.count - line.leased >= job.gpuCount;
        }
        // While running, pay can be claimed only before the delivery deadline (afterwards the job can only fail).
        if (pick == Pick.Claimable) {
            return (job.state != IJobMarket.JobState.Running || t < job.deadline) && _releasable(job) > job.claimed;
        }
        if (pick == Pick.Deliverable || pick == Pick.Stoppable || pick == Pick.Disputable || pick == Pick.Resolvable) {
            return t < job.deadline;
        }
        if (pick == Pick.Failable) return t >= job.deadline;
        return true; // Settleable, DisputeTimedOut, Live
    }

    /// @dev Pay released to the provider at this moment, by the market's documented rule: accrued by the
    /// second while running, up to the delivery once delivered or disputed, less the holdback.
    function _releasable(IJobMarket.Job memory job) internal view returns (uint256) {
        uint256 value = uint256(job.escrow) + job.claimed;
        uint256 end = job.state == IJobMarket.JobState.Running ? block.timestamp : job.deliveredAt;
        uint256 accrued = JobMath.accrued(value, end - job.startedAt, job.duration);
        return accrued - JobMath.bpsOfUp(accrued, holdbackBps);
    }

    /// @dev Winner and clearing price from the revealed bids, independently of the market's running
    /// best/second: the lowest price wins (the earliest reveal among equals); FirstPrice clears at it,
    /// SecondPrice at the lowest of the other reveals (the reserve with a single reveal).
    function _modelAuction(uint256 id, IJobMarket.Job memory job) internal view returns (address winner, uint96 clearing) {
        address[] storage revealed = _revealed[id];
        uint256 best;
        for (uint256 i = 0; i < revealed.length; ++i) {
            if (winner == address(0) || bidPrice[id][revealed[i]] < bidPrice[id][winner]) {
                winner = revealed[i];
                best = i;
            }
        }
        if (winner == address(0)) return (winner, 0);
        clearing = bidPrice[id][winner];
        if (job.pricingRule == IJobMarket.PricingRule.SecondPrice) {
            clearing = job.reservePricePerGpuHour;
            for (uint256 i = 0; i < revealed.length; ++i) {
                uint96 price = bidPrice[id][revealed[i]];
                if (i != best && price < clearing) clearing = price;
            }
        }
    }

    function _isRevealed(uint256 id, address provider) internal view returns (bool) {
        address[] storage revealed = _revealed[id];
        for (uint256 i = 0; i < revealed.length; ++i) {
            if (revealed[i] == provider) return true;
        }
        return false;
    }

    function _renterDelta() internal view returns (uint256) {
        return market.balanceOf(address(usdc), _pre.renter) - _snap.renter;
    }

    /// @dev Attributes the ledger and GRL deltas since {beforeCall} to job `id`. `bondToProvider` and
    /// `bondToRenter` are the dispute bond the call should pay out; the rest is pay and refunds.
    /// @return gross Gross pay (net + fee) credited for the job by the call.
    function _account(uint256 id, uint256 bondToProvider, uint256 bondToRenter) internal returns (uint256 gross) {
        Snap memory s = _snap;
        address renter = _pre.renter;
        uint256 dProvider = market.balanceOf(address(usdc), _pre.provider) - s.provider;
        uint256 dTreasury = market.balanceOf(address(usdc), treasury) - s.treasury;
        uint256 dRenter = market.balanceOf(address(usdc), renter) - s.renter;
        if (dProvider < bondToProvider || dRenter < bondToRenter) {
            ghost_amountMismatch = true;
            return 0;
        }
        gross = dProvider + dTreasury - bondToProvider;
        if (dTreasury != JobMath.bpsOf(gross, feeBps)) ghost_feeMismatch = true;
        ghost_gross[id] += gross;
        ghost_fees[id] += dTreasury;
        ghost_totalFees += dTreasury;
        ghost_refunds[id] += dRenter - bondToRenter;
        ghost_bondOut[id] += bondToProvider + bondToRenter;
        ghost_credited += dProvider + dTreasury + dRenter;

        uint256 toRenter = grl.balanceOf(renter) - s.renterGrl;
        uint256 burned = grl.totalBurned() - s.burned;
        ghost_grlSlashed[id] += toRenter + burned;
        ghost_grlToRenters += toRenter;
        ghost_grlBurned += burned;
    }

    /// @dev Checks a collateral slash of `slashed`: slashToRenterBps of it to the renter, the rest burned.
    function _checkSlash(IJobMarket.Job memory pre, uint256 slashed) internal {
        uint256 toRenter = JobMath.bpsOf(slashed, slashToRenterBps);
        _checkAmount(grl.balanceOf(pre.renter) - _snap.renterGrl == toRenter);
        _checkAmount(grl.totalBurned() - _snap.burned == slashed - toRenter);
    }

    /// @dev Records the state the market must now hold for the job and checks that it does.
    function _expect(uint256 id, IJobMarket.JobState state) internal {
        ghost_state[id] = state;
        if (state >= IJobMarket.JobState.Settled && ghost_terminal[id] == IJobMarket.JobState.None) {
            ghost_terminal[id] = state;
        }
        IJobMarket.Job memory job = market.jobOf(id);
        if (job.state != state || job.specHash != ghost_specHash[id]) ghost_stateMismatch = true;
    }

    function _checkAmount(bool ok) internal {
        if (!ok) ghost_amountMismatch = true;
    }
}
