// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {JobMath} from "../libraries/JobMath.sol";

/// @title JobMarket
/// @notice The Gridlease job lifecycle, escrowed in a stablecoin or in USD credits. See {IJobMarket}.
/// @dev Collateral is priced once, at job creation: the GRL worth collateralBps of the budget at the
/// oracle price then. Bids lock it at the reserve, and award scales it to the clearing price, so no
/// step after creation depends on the oracle (an oracle outage cannot strand an auction).
/// Every entry point is O(1): the auction keeps the best and second-best reveals as they arrive, and
/// each losing bid is closed by its own call.
/// The guardian's pause stops new jobs and bids only (createJob, createJobWithPermit, commitBid,
/// acceptInstant, acceptInstantAndStart); every step of a job already under way, and every withdrawal, keeps working.
/// Credit jobs: the settlement contract's address is the payment token. Escrow, refunds, pay and fees
/// of such a job move credits inside the settlement contract (see {ISettlement}) instead of this
/// contract's ledger, and every job settled as delivered records its GPU-seconds there for emissions.
contract JobMarket is IJobMarket, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice May rule on disputes.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");

    /// @notice May change parameters, payment tokens, treasury and oracle (the timelock).
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");

    /// @notice May pause and unpause new jobs and bids (granted by the admin).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Hard cap on the protocol fee.
    uint16 public constant MAX_FEE_BPS = 500;

    /// @notice Longest accepted result URI, in bytes.
    uint256 public constant MAX_URI_LENGTH = 256;

    /// @notice Bounds on a job request.
    uint32 public constant MAX_GPU_COUNT = 1024;
    uint40 public constant MIN_DURATION = 1 minutes;
    uint40 public constant MAX_DURATION = 365 days;
    uint40 public constant MIN_AUCTION_WINDOW = 1 minutes;
    uint40 public constant MAX_AUCTION_WINDOW = 7 days;
    uint16 internal constant MAX_REPUTATION = 10_000;

    /// @notice Hard caps on the challenge window and dispute timeout. Their sum (6 days) stays below the
    /// registry's unbonding floor (7 days), so "unbonding period > challenge window + dispute timeout"
    /// holds for every parameter governance can choose, with no cross-contract check.
    uint32 public constant MAX_CHALLENGE_WINDOW = 3 days;
    uint32 public constant MAX_DISPUTE_TIMEOUT = 3 days;

    /// @inheritdoc IJobMarket
    IProviderRegistry public immutable REGISTRY;

    /// @inheritdoc IJobMarket
    ISettlement public immutable SETTLEMENT;

    // oracle, currentParamsId and _jobCount share a slot with Pausable's flag: createJob reads all four.

    /// @notice GRL/USD oracle used to size collateral at job creation.
    IPriceOracle public oracle;

    /// @inheritdoc IJobMarket
    uint32 public currentParamsId;

    /// @dev uint56 so it packs with the above: 7.2e16 jobs, more than any chain will see.
    uint56 private _jobCount;

    /// @inheritdoc IJobMarket
    address public treasury;

    struct PaymentToken {
        bool allowed;
        uint8 decimals;
    }

    /// @notice Allow-listed payment tokens and their decimals.
    mapping(address token => PaymentToken) public paymentTokens;

    mapping(uint32 paramsId => MarketParams) private _params;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(address provider => Bid)) private _bids;
    mapping(address token => mapping(address account => uint256 amount)) private _balances;

    /// @param registry The provider registry; this market needs its MARKET_ROLE.
    /// @param settlement The settlement contract; this market needs its MARKET_ROLE.
    /// @param priceOracle The GRL/USD oracle.
    /// @param treasuryAddress Where fees accrue.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE (the timelock in production).
    /// @param arbiter Receives ARBITER_ROLE.
    /// @param params The first parameter set (id 1).
    constructor(
        IProviderRegistry registry,
        ISettlement settlement,
        IPriceOracle priceOracle,
        address treasuryAddress,
        address admin,
        address arbiter,
        MarketParams memory params
    ) {
        if (address(registry) == address(0)) revert MarketZeroAddress("registry");
        if (address(settlement) == address(0)) revert MarketZeroAddress("settlement");
        if (address(priceOracle) == address(0)) revert MarketZeroAddress("oracle");
        if (treasuryAddress == address(0)) revert MarketZeroAddress("treasury");
        if (admin == address(0)) revert MarketZeroAddress("admin");
        if (arbiter == address(0)) revert MarketZeroAddress("arbiter");
        REGISTRY = registry;
        SETTLEMENT = settlement;
        oracle = priceOracle;
        treasury = treasuryAddress;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _grantRole(ARBITER_ROLE, arbiter);
        _setMarketParams(params);
        emit TreasurySet(address(0), treasuryAddress);
        emit OracleSet(address(0), address(priceOracle));
    }

    // ------------------------------------------------------------------------------------------------
    // Renter actions
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function createJob(JobRequest calldata request) external whenNotPaused nonReentrant returns (uint256 jobId) {
        return _createJob(request);
    }

    /// @inheritdoc IJobMarket
    function createJobWithPermit(JobRequest calldata request, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 jobId)
    {
        // Checked before the permit call, so an unknown token fails as in createJob, not on a call to no code.
        if (!paymentTokens[request.paymentToken].allowed) revert MarketTokenNotAllowed(request.paymentToken);
        uint256 budget = JobMath.value(request.reservePricePerGpuHour, request.gpuCount, request.duration);
        // A permit seen in the mempool can be front-run; its allowance is then already in place.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(request.paymentToken).permit(msg.sender, address(this), budget, deadline, v, r, s) {}
        // solhint-disable-next-line no-empty-blocks
        catch {}
        return _createJob(request);
    }

    /// @inheritdoc IJobMarket
    function cancelJob(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        if (msg.sender != job.renter) revert MarketNotRenter(jobId, msg.sender);
        _requireState(job, jobId, JobState.Bidding);
        if (job.bidCount != 0) revert MarketJobHasBids(jobId, job.bidCount);
        uint128 refund = job.escrow;
        job.escrow = 0;
        job.state = JobState.Cancelled;
        _refund(job.paymentToken, job.renter, refund);
        emit JobCancelled(jobId, job.renter, refund);
    }

    /// @inheritdoc IJobMarket
    function stopJob(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        if (msg.sender != job.renter) revert MarketNotRenter(jobId, msg.sender);
        _requireState(job, jobId, JobState.Running);
        // Past the delivery deadline the provider has failed: the renter calls failJob, which refunds
        // the unclaimed value and slashes, instead of paying for an undelivered job.
        if (block.timestamp >= job.deadline) revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        uint40 ran = uint40(Math.min(block.timestamp - job.startedAt, job.duration));
        uint256 accrued = JobMath.accrued(uint256(job.escrow) + job.claimed, ran, job.duration);
        // Safe: accrued is at least what was claimed, since claims never exceed accrued pay.
        uint128 gross;
        unchecked {
            gross = uint128(accrued - job.claimed);
        }
        uint128 fee = _payProvider(job, gross);
        uint128 refund = job.escrow;
        job.escrow = 0;
        job.state = JobState.Cancelled;
        _refund(job.paymentToken, job.renter, refund);
        emit JobStopped(jobId, job.renter, job.provider, gross, fee, refund, ran);
        REGISTRY.releaseGpus(job.provider, job.gpuModel, job.gpuCount);
        _unlock(job.provider, jobId, job.collateral);
    }

    /// @inheritdoc IJobMarket
    function dispute(uint256 jobId, bytes32 evidenceHash) external nonReentrant {
        Job storage job = _job(jobId);
        if (msg.sender != job.renter) revert MarketNotRenter(jobId, msg.sender);
        _requireState(job, jobId, JobState.Delivered);
        if (block.timestamp >= job.deadline) revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        MarketParams storage params = _params[job.paramsId];
        uint96 bond = JobMath.bpsOfUp(uint256(job.escrow) + job.claimed, params.disputeBondBps).toUint96();
        uint40 disputeDeadline = uint40(block.timestamp) + params.disputeTimeout;
        job.state = JobState.Disputed;
        job.disputeBond = bond;
        job.deadline = disputeDeadline;
        emit JobDisputed(jobId, msg.sender, evidenceHash, bond, disputeDeadline);
        if (bond != 0) _pullExact(job.paymentToken, msg.sender, bond);
    }

    // ------------------------------------------------------------------------------------------------
    // Provider actions
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function commitBid(uint256 jobId, bytes32 commitment) external whenNotPaused nonReentrant {
        Job storage job = _job(jobId);
        _requireState(job, jobId, JobState.Bidding);
        if (job.pricingRule == PricingRule.Instant) revert MarketWrongPricingRule(jobId, PricingRule.Instant);
        if (block.timestamp >= job.bidDeadline) revert MarketWindowClosed(jobId, job.bidDeadline, block.timestamp);
        if (commitment == bytes32(0)) revert MarketZeroCommitment();
        MarketParams storage params = _params[job.paramsId];
        if (job.bidCount >= params.maxBids) revert MarketBidCapReached(jobId, params.maxBids);
        Bid storage bid = _bids[jobId][msg.sender];
        if (bid.status != BidStatus.None) revert MarketAlreadyBid(jobId, msg.sender);

        uint96 locked = params.bidBond + job.collateral;
        uint16 bidCount = job.bidCount + 1;
        bid.commitment = commitment;
        bid.lockedGrl = locked;
        bid.status = BidStatus.Committed;
        job.bidCount = bidCount;
        emit BidCommitted(jobId, msg.sender, commitment, locked, bidCount);
        _lockIfEligible(job, jobId, locked);
    }

    /// @inheritdoc IJobMarket
    function revealBid(uint256 jobId, uint96 pricePerGpuHour, bytes32 salt) external nonReentrant {
        Job storage job = _job(jobId);
        _requireState(job, jobId, JobState.Bidding);
        if (block.timestamp < job.bidDeadline) revert MarketTooEarly(jobId, job.bidDeadline, block.timestamp);
        if (block.timestamp >= job.revealDeadline) {
            revert MarketWindowClosed(jobId, job.revealDeadline, block.timestamp);
        }
        Bid storage bid = _bids[jobId][msg.sender];
        if (bid.status != BidStatus.Committed) revert MarketNoCommittedBid(jobId, msg.sender);
        if (_commitment(jobId, msg.sender, pricePerGpuHour, salt) != bid.commitment) {
            revert MarketCommitmentMismatch(jobId, msg.sender);
        }
        if (pricePerGpuHour == 0 || pricePerGpuHour > job.reservePricePerGpuHour) {
            revert MarketInvalidBidPrice(pricePerGpuHour, job.reservePricePerGpuHour);
        }

        bid.price = pricePerGpuHour;
        bid.status = BidStatus.Revealed;
        uint16 revealCount = job.revealCount + 1;
        job.revealCount = revealCount;
        // Strictly lower wins, so among equal prices the earliest reveal stays best; an equal price
        // becomes the second price, as a Vickrey auction requires.
        bool isBest = job.provider == address(0) || pricePerGpuHour < job.bestPrice;
        if (isBest) {
            if (job.provider != address(0)) job.secondPrice = job.bestPrice;
            job.provider = msg.sender;
            job.bestPrice = pricePerGpuHour;
        } else if (job.secondPrice == 0 || pricePerGpuHour < job.secondPrice) {
            job.secondPrice = pricePerGpuHour;
        }
        emit BidRevealed(jobId, msg.sender, pricePerGpuHour, revealCount, isBest);
    }

    /// @inheritdoc IJobMarket
    function acceptInstant(uint256 jobId) external whenNotPaused nonReentrant {
        _acceptInstant(jobId);
    }

    /// @inheritdoc IJobMarket
    function acceptInstantAndStart(uint256 jobId) external whenNotPaused nonReentrant {
        // The start checks hold by construction: the caller is the provider just set, the job is
        // Awarded, and the start deadline is at least the params' startWindow (>= 5 minutes) away.
        _start(jobId, _acceptInstant(jobId));
    }

    /// @inheritdoc IJobMarket
    function startJob(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        _requireState(job, jobId, JobState.Awarded);
        if (block.timestamp >= job.deadline) revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        _start(jobId, job);
    }

    /// @inheritdoc IJobMarket
    function awardAndStart(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        _requireAuctionClosed(job, jobId);
        // The best bid's provider, set at reveal: zero when nobody revealed (and on any instant job, which
        // only acceptInstant awards), so nobody else passes.
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        _award(jobId, job, msg.sender);
        // The start checks hold by construction: the caller is the winner, the job was just Awarded, and
        // the start deadline is at least the params' startWindow (>= 5 minutes) away.
        _start(jobId, job);
    }

    /// @inheritdoc IJobMarket
    function claim(uint256 jobId) external nonReentrant returns (uint128 gross) {
        Job storage job = _job(jobId);
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        JobState state = job.state;
        if (state != JobState.Running && state != JobState.Delivered && state != JobState.Disputed) {
            revert MarketWrongState(jobId, stateOf(jobId));
        }
        // Past the delivery deadline an undelivered job can only fail: no more pay leaves its escrow.
        if (state == JobState.Running && block.timestamp >= job.deadline) {
            revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        }
        uint256 accrued = _accrued(job);
        uint256 releasable = accrued - JobMath.bpsOfUp(accrued, _params[job.paramsId].holdbackBps);
        if (releasable <= job.claimed) revert MarketNothingToClaim(jobId);
        // Safe: releasable > claimed.
        unchecked {
            gross = uint128(releasable - job.claimed);
        }
        uint128 fee = _payProvider(job, gross);
        emit PaymentClaimed(jobId, msg.sender, job.paymentToken, gross, fee, job.claimed);
    }

    /// @inheritdoc IJobMarket
    function deliver(uint256 jobId, bytes32 resultHash, string calldata resultURI) external nonReentrant {
        Job storage job = _job(jobId);
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        _requireState(job, jobId, JobState.Running);
        if (block.timestamp >= job.deadline) revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        if (resultHash == bytes32(0)) revert MarketEmptyResult();
        if (bytes(resultURI).length > MAX_URI_LENGTH) revert MarketUriTooLong(bytes(resultURI).length, MAX_URI_LENGTH);
        uint32 deliveredAt = block.timestamp.toUint32();
        uint40 challengeDeadline = uint40(deliveredAt) + _params[job.paramsId].challengeWindow;
        job.state = JobState.Delivered;
        job.deadline = challengeDeadline;
        job.deliveredAt = deliveredAt;
        emit JobDelivered(jobId, msg.sender, resultHash, resultURI, challengeDeadline);
        REGISTRY.releaseGpus(msg.sender, job.gpuModel, job.gpuCount);
    }

    // ------------------------------------------------------------------------------------------------
    // Anyone
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function award(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        _requireAuctionClosed(job, jobId);
        address winner = job.provider;
        if (winner == address(0)) {
            uint128 escrow = job.escrow;
            job.escrow = 0;
            job.state = JobState.Expired;
            _refund(job.paymentToken, job.renter, escrow);
            emit JobExpired(jobId, job.renter, escrow, job.bidCount);
            return;
        }
        _award(jobId, job, winner);
    }

    /// @inheritdoc IJobMarket
    function closeBid(uint256 jobId, address provider) external nonReentrant {
        Job storage job = _job(jobId);
        JobState state = job.state;
        if (state == JobState.Bidding) revert MarketWrongState(jobId, stateOf(jobId));
        Bid storage bid = _bids[jobId][provider];
        BidStatus status = bid.status;
        uint96 locked = bid.lockedGrl;
        if (status == BidStatus.Revealed) {
            bid.status = BidStatus.Closed;
            emit BidReleased(jobId, provider, locked);
            REGISTRY.unlockCollateral(provider, jobId, locked);
        } else if (status == BidStatus.Committed) {
            uint96 bond = _params[job.paramsId].bidBond;
            // Safe: the lock is the bond plus collateral, so it is at least the bond.
            uint96 rest;
            unchecked {
                rest = locked - bond;
            }
            bid.status = BidStatus.Closed;
            emit BidBondForfeited(jobId, provider, job.renter, bond, rest);
            REGISTRY.slash(provider, jobId, bond, job.renter, 0);
            _unlock(provider, jobId, rest);
        } else {
            revert MarketBidNotClosable(jobId, provider, status);
        }
    }

    /// @inheritdoc IJobMarket
    function settle(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        _requireState(job, jobId, JobState.Delivered);
        if (block.timestamp < job.deadline) revert MarketTooEarly(jobId, job.deadline, block.timestamp);
        _settleAsDelivered(jobId, job, 0, 0);
    }

    /// @inheritdoc IJobMarket
    function settleDisputeTimeout(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        _requireState(job, jobId, JobState.Disputed);
        if (block.timestamp < job.deadline) revert MarketTooEarly(jobId, job.deadline, block.timestamp);
        _settleAsDelivered(jobId, job, 0, job.disputeBond);
    }

    /// @inheritdoc IJobMarket
    function failJob(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        JobState state = job.state;
        FailureReason reason;
        if (state == JobState.Awarded) {
            reason = FailureReason.NoShow;
        } else if (state == JobState.Running) {
            reason = FailureReason.LateDelivery;
        } else {
            revert MarketNotFailable(jobId, stateOf(jobId));
        }
        if (block.timestamp < job.deadline) revert MarketTooEarly(jobId, job.deadline, block.timestamp);

        uint128 refund = job.escrow;
        job.escrow = 0;
        job.state = JobState.Failed;
        _refund(job.paymentToken, job.renter, refund);
        address provider = job.provider;
        if (reason == FailureReason.LateDelivery) REGISTRY.releaseGpus(provider, job.gpuModel, job.gpuCount);
        MarketParams storage params = _params[job.paramsId];
        (uint96 toRenter, uint96 burned) = _slashCollateral(jobId, job, params.faultSlashBps, params.slashToRenterBps);
        uint16 reputation = REGISTRY.recordFault(provider);
        emit JobFailed(jobId, job.renter, provider, reason, refund, toRenter, burned, reputation);
    }

    /// @inheritdoc IJobMarket
    function withdraw(address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert MarketZeroAddress("to");
        amount = _balances[token][msg.sender];
        if (amount == 0) revert MarketNothingToWithdraw(token, msg.sender);
        _balances[token][msg.sender] = 0;
        emit Withdrawn(token, msg.sender, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------------------------------------
    // Arbiter and governance
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function resolveDispute(uint256 jobId, Ruling ruling) external onlyRole(ARBITER_ROLE) nonReentrant {
        Job storage job = _job(jobId);
        _requireState(job, jobId, JobState.Disputed);
        if (block.timestamp >= job.deadline) revert MarketWindowClosed(jobId, job.deadline, block.timestamp);

        if (ruling == Ruling.RenterFault) {
            emit DisputeResolvedForProvider(jobId, msg.sender);
            _settleAsDelivered(jobId, job, job.disputeBond, 0);
        } else {
            _ruleProviderFault(jobId, job);
        }
    }

    /// @dev ProviderFault: the provider keeps pay up to the holdback; the holdback and the bond go back
    /// to the renter; the whole collateral is slashed.
    function _ruleProviderFault(uint256 jobId, Job storage job) private {
        MarketParams storage params = _params[job.paramsId];
        uint256 accrued = _accrued(job);
        uint256 providerShare = accrued - JobMath.bpsOfUp(accrued, params.holdbackBps);
        uint128 providerGross;
        if (providerShare > job.claimed) {
            // Safe: checked just above.
            unchecked {
                providerGross = uint128(providerShare - job.claimed);
            }
        }
        uint128 fee = _payProvider(job, providerGross);
        uint128 refund = job.escrow;
        job.escrow = 0;
        job.state = JobState.Resolved;
        _refund(job.paymentToken, job.renter, uint256(refund) + job.disputeBond);
        (uint96 toRenter, uint96 burned) = _slashCollateral(jobId, job, uint16(JobMath.BPS), params.slashToRenterBps);
        uint16 reputation = REGISTRY.recordFault(job.provider);
        emit DisputeResolvedForRenter(
            jobId, job.renter, job.provider, msg.sender, providerGross, fee, refund, toRenter, burned, reputation
        );
    }

    /// @inheritdoc IJobMarket
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @inheritdoc IJobMarket
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IJobMarket
    function setMarketParams(MarketParams calldata params) external onlyRole(GOVERNANCE_ROLE) {
        _setMarketParams(params);
    }

    /// @inheritdoc IJobMarket
    function setPaymentToken(address token, bool allowed) external onlyRole(GOVERNANCE_ROLE) {
        if (token == address(0)) revert MarketZeroAddress("token");
        uint8 decimals = paymentTokens[token].decimals;
        if (allowed) {
            decimals = IERC20Metadata(token).decimals();
            if (decimals > 18) revert MarketTokenDecimalsUnsupported(token, decimals);
        }
        paymentTokens[token] = PaymentToken({allowed: allowed, decimals: decimals});
        emit PaymentTokenSet(token, allowed, decimals);
    }

    /// @inheritdoc IJobMarket
    function setTreasury(address newTreasury) external onlyRole(GOVERNANCE_ROLE) {
        if (newTreasury == address(0)) revert MarketZeroAddress("treasury");
        address previous = treasury;
        treasury = newTreasury;
        emit TreasurySet(previous, newTreasury);
    }

    /// @inheritdoc IJobMarket
    function setOracle(address newOracle) external onlyRole(GOVERNANCE_ROLE) {
        if (newOracle == address(0)) revert MarketZeroAddress("oracle");
        address previous = address(oracle);
        oracle = IPriceOracle(newOracle);
        emit OracleSet(previous, newOracle);
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function jobOf(uint256 jobId) external view returns (Job memory job) {
        job = _jobs[jobId];
        // A provider outside Bidding means awarded: an expired or cancelled-unawarded job has none.
        if (job.provider != address(0) && job.state != JobState.Bidding) job.clearingPrice = _clearingPrice(_jobs[jobId]);
    }

    /// @inheritdoc IJobMarket
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc IJobMarket
    function stateOf(uint256 jobId) public view returns (JobState) {
        Job storage job = _jobs[jobId];
        JobState state = job.state;
        if (
            state == JobState.Bidding && job.pricingRule != PricingRule.Instant
                && block.timestamp >= job.bidDeadline
        ) return JobState.Revealing;
        return state;
    }

    /// @inheritdoc IJobMarket
    function bidOf(uint256 jobId, address provider) external view returns (Bid memory) {
        return _bids[jobId][provider];
    }

    /// @inheritdoc IJobMarket
    function marketParams(uint32 paramsId) external view returns (MarketParams memory) {
        return _params[paramsId];
    }

    /// @inheritdoc IJobMarket
    function balanceOf(address token, address account) external view returns (uint256) {
        return _balances[token][account];
    }

    /// @inheritdoc IJobMarket
    function jobValue(uint96 pricePerGpuHour, uint32 gpuCount, uint40 duration) external pure returns (uint128) {
        return JobMath.value(pricePerGpuHour, gpuCount, duration).toUint128();
    }

    /// @inheritdoc IJobMarket
    function bidCommitment(uint256 jobId, address provider, uint96 pricePerGpuHour, bytes32 salt)
        external
        view
        returns (bytes32)
    {
        return _commitment(jobId, provider, pricePerGpuHour, salt);
    }

    /// @inheritdoc IJobMarket
    function accruedOf(uint256 jobId) external view returns (uint128) {
        Job storage job = _jobs[jobId];
        JobState state = job.state;
        if (state == JobState.Running || state == JobState.Delivered || state == JobState.Disputed) {
            return uint128(_accrued(job));
        }
        return job.claimed;
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev Awards an instant job to the caller at its reserve and locks the collateral.
    function _acceptInstant(uint256 jobId) private returns (Job storage job) {
        job = _job(jobId);
        _requireState(job, jobId, JobState.Bidding);
        if (job.pricingRule != PricingRule.Instant) revert MarketWrongPricingRule(jobId, job.pricingRule);
        if (block.timestamp >= job.bidDeadline) revert MarketWindowClosed(jobId, job.bidDeadline, block.timestamp);
        uint96 price = job.reservePricePerGpuHour;
        uint40 startDeadline = uint40(block.timestamp) + _params[job.paramsId].startWindow;
        job.provider = msg.sender;
        job.bestPrice = price;
        job.state = JobState.Awarded;
        job.deadline = startDeadline;
        _emitAwarded(jobId, job, 0, startDeadline);
        _lockIfEligible(job, jobId, job.collateral);
    }

    /// @dev The caller must be eligible for the job; locks `amount` of its stake under the job's id (one
    /// registry call for both). The registry reverts the whole call if it is not eligible, so the state
    /// written before this (in the same call) never stands for an ineligible provider.
    function _lockIfEligible(Job storage job, uint256 jobId, uint96 amount) private {
        REGISTRY.lockIfEligible(
            msg.sender, jobId, amount, job.gpuModel, job.gpuCount, job.minVramGb, job.region, job.minReputation
        );
    }

    /// @dev An auction job (its state still Bidding) whose reveal window has ended.
    function _requireAuctionClosed(Job storage job, uint256 jobId) private view {
        _requireState(job, jobId, JobState.Bidding);
        if (block.timestamp < job.revealDeadline) revert MarketTooEarly(jobId, job.revealDeadline, block.timestamp);
    }

    /// @dev Awards the job to `winner`, its best revealed bid, at the clearing price: the renter gets
    /// back the budget above the job's value, and the winner's lock shrinks to the collateral at that price.
    function _award(uint256 jobId, Job storage job, address winner) private {
        uint96 reserve = job.reservePricePerGpuHour;
        uint96 clearing = _clearingPrice(job);
        uint128 value = JobMath.value(clearing, job.gpuCount, job.duration).toUint128();
        // Safe: clearing <= reserve, so the value at the clearing price is at most the escrowed budget.
        uint128 refund;
        unchecked {
            refund = job.escrow - value;
        }
        // Collateral scales with the clearing price, rounded up; at most the collateral at the reserve.
        uint96 collateral = uint96(Math.mulDiv(job.collateral, clearing, reserve, Math.Rounding.Ceil));
        Bid storage bid = _bids[jobId][winner];
        // Safe: the winner's lock is the bond plus the collateral at the reserve, at least `collateral`.
        uint96 release;
        unchecked {
            release = bid.lockedGrl - collateral;
        }
        uint40 startDeadline = uint40(block.timestamp) + _params[job.paramsId].startWindow;

        bid.status = BidStatus.Closed;
        bid.lockedGrl = collateral;
        job.escrow = value;
        job.collateral = collateral;
        job.state = JobState.Awarded;
        job.deadline = startDeadline;
        _refund(job.paymentToken, job.renter, refund);
        _emitAwarded(jobId, job, refund, startDeadline);
        _unlock(winner, jobId, release);
    }

    /// @dev Starts an awarded job now (the caller checked who, the state and the start deadline).
    function _start(uint256 jobId, Job storage job) private {
        uint32 startedAt = block.timestamp.toUint32();
        uint40 endsAt = uint40(startedAt) + job.duration;
        uint40 deliveryDeadline = endsAt + _params[job.paramsId].deliveryGrace;
        job.state = JobState.Running;
        job.deadline = deliveryDeadline;
        job.startedAt = startedAt;
        emit JobStarted(jobId, msg.sender, job.gpuModel, job.gpuCount, startedAt, endsAt);
        REGISTRY.leaseGpus(msg.sender, job.gpuModel, job.gpuCount);
    }

    /// @dev Gross pay accrued by a running, delivered or disputed job: by the second up to now while
    /// running, up to the delivery afterwards (the whole value is earned only when the job settles).
    function _accrued(Job storage job) private view returns (uint256) {
        uint256 end = job.state == JobState.Running ? block.timestamp : job.deliveredAt;
        return JobMath.accrued(uint256(job.escrow) + job.claimed, end - job.startedAt, job.duration);
    }

    function _createJob(JobRequest calldata request) private returns (uint256 jobId) {
        PaymentToken memory token = paymentTokens[request.paymentToken];
        if (!token.allowed) revert MarketTokenNotAllowed(request.paymentToken);
        _validateRequest(request);
        uint128 budget =
            JobMath.value(request.reservePricePerGpuHour, request.gpuCount, request.duration).toUint128();
        if (budget == 0) revert MarketJobValueZero();
        uint32 paramsId = currentParamsId;
        uint96 collateral = JobMath.bpsOfUp(
            JobMath.grlForStablecoin(budget, token.decimals, oracle.grlUsdPrice()), _params[paramsId].collateralBps
        ).toUint96();
        uint40 bidDeadline = uint40(block.timestamp) + request.bidWindow;
        uint40 revealDeadline = bidDeadline + request.revealWindow;

        jobId = ++_jobCount;
        Job storage job = _jobs[jobId];
        // In slot order (see IJobMarket.Job).
        job.state = JobState.Bidding;
        job.pricingRule = request.pricingRule;
        job.paramsId = paramsId;
        job.gpuCount = request.gpuCount;
        job.duration = request.duration;
        job.escrow = budget;
        job.gpuModel = request.gpuModel;
        job.paymentToken = request.paymentToken;
        job.renter = msg.sender;
        job.collateral = collateral;
        job.bidDeadline = bidDeadline;
        job.revealDeadline = revealDeadline;
        job.minVramGb = request.minVramGb;
        job.region = request.region;
        job.minReputation = request.minReputation;
        job.reservePricePerGpuHour = request.reservePricePerGpuHour;
        _emitCreated(jobId, request, bidDeadline, revealDeadline, budget, paramsId);
        _pullExact(request.paymentToken, msg.sender, budget);
    }

    /// @dev The price the job runs at, once a provider is set: the best price, except under SecondPrice
    /// (an instant job's best price is its reserve). Not stored: awarding a one-bid job would otherwise
    /// set the last Job slot from zero.
    function _clearingPrice(Job storage job) private view returns (uint96) {
        if (job.pricingRule != PricingRule.SecondPrice) return job.bestPrice;
        uint96 second = job.secondPrice;
        return second != 0 ? second : job.reservePricePerGpuHour;
    }

    function _validateRequest(JobRequest calldata request) private pure {
        if (request.gpuModel == bytes32(0)) revert MarketInvalidRequest(RequestField.GpuModel);
        if (request.gpuCount == 0 || request.gpuCount > MAX_GPU_COUNT) revert MarketInvalidRequest(RequestField.GpuCount);
        if (request.minReputation > MAX_REPUTATION) revert MarketInvalidRequest(RequestField.MinReputation);
        if (request.duration < MIN_DURATION || request.duration > MAX_DURATION) {
            revert MarketInvalidRequest(RequestField.Duration);
        }
        if (request.reservePricePerGpuHour == 0) revert MarketInvalidRequest(RequestField.ReservePricePerGpuHour);
        if (request.bidWindow < MIN_AUCTION_WINDOW || request.bidWindow > MAX_AUCTION_WINDOW) {
            revert MarketInvalidRequest(RequestField.BidWindow);
        }
        bool instant = request.pricingRule == PricingRule.Instant;
        if (
            instant ? request.revealWindow != 0
                : (request.revealWindow < MIN_AUCTION_WINDOW || request.revealWindow > MAX_AUCTION_WINDOW)
        ) revert MarketInvalidRequest(RequestField.RevealWindow);
    }

    /// @dev Settles as delivered: the rest of the value to the provider (less the fee), collateral
    /// released, reputation up; the dispute bond, if any, to the provider or back to the renter.
    function _settleAsDelivered(uint256 jobId, Job storage job, uint96 bondToProvider, uint96 bondRefund) private {
        uint128 value = job.escrow + job.claimed;
        uint128 gross = job.escrow;
        uint128 fee = _payProvider(job, gross);
        job.state = JobState.Settled;
        address provider = job.provider;
        _pay(job.paymentToken, provider, bondToProvider);
        _refund(job.paymentToken, job.renter, bondRefund);
        // Emissions count the compute actually run (start to delivery, at most the duration), not the
        // duration paid for: a job delivered at once would otherwise claim a year of GPU-seconds in a day.
        uint256 ran = Math.min(job.deliveredAt - job.startedAt, job.duration);
        if (ran != 0) SETTLEMENT.recordGpuSeconds(provider, ran * job.gpuCount);
        uint16 reputation = REGISTRY.unlockAndRecordSuccess(provider, jobId, job.collateral);
        emit JobSettled(
            jobId, job.renter, provider, job.paymentToken, value, gross, fee, bondToProvider, bondRefund, reputation
        );
    }

    /// @dev Moves `gross` of the job's escrow to the provider's balance, less the fee to the treasury's.
    function _payProvider(Job storage job, uint128 gross) private returns (uint128 fee) {
        if (gross == 0) return 0;
        fee = uint128(JobMath.bpsOf(gross, _params[job.paramsId].feeBps));
        job.escrow -= gross;
        job.claimed += gross;
        address token = job.paymentToken;
        // Safe: fee <= gross.
        unchecked {
            _pay(token, job.provider, gross - fee);
        }
        _pay(token, treasury, fee);
    }

    /// @dev Slashes `slashBps` of the job's collateral (`toRenterBps` of it to the renter, the rest
    /// burned) and releases the remainder of the lock.
    function _slashCollateral(uint256 jobId, Job storage job, uint16 slashBps, uint16 toRenterBps)
        private
        returns (uint96 toRenter, uint96 burned)
    {
        uint96 collateral = job.collateral;
        uint96 slashed = uint96(JobMath.bpsOf(collateral, slashBps));
        toRenter = uint96(JobMath.bpsOf(slashed, toRenterBps));
        // Safe: toRenter <= slashed <= collateral.
        unchecked {
            burned = slashed - toRenter;
            if (slashed != 0) REGISTRY.slash(job.provider, jobId, toRenter, job.renter, burned);
            _unlock(job.provider, jobId, collateral - slashed);
        }
    }

    function _unlock(address provider, uint256 jobId, uint96 amount) private {
        if (amount != 0) REGISTRY.unlockCollateral(provider, jobId, amount);
    }

    /// @dev Returns escrow to a renter: credits back to its credit balance, a stablecoin to its ledger.
    function _refund(address token, address account, uint256 amount) private {
        if (amount == 0) return;
        if (token == address(SETTLEMENT)) SETTLEMENT.refundCredits(account, amount);
        else _balances[token][account] += amount;
    }

    /// @dev Pays escrow out as earnings: credits become USD earnings (minted as GRL on withdrawal), a
    /// stablecoin goes to the ledger.
    function _pay(address token, address account, uint256 amount) private {
        if (amount == 0) return;
        if (token == address(SETTLEMENT)) SETTLEMENT.accrueEarnings(account, amount);
        else _balances[token][account] += amount;
    }

    /// @dev Pulls exactly `amount`: credits from the renter's credit balance, or a stablecoin, where a
    /// token that delivers less (fee on transfer) is rejected.
    function _pullExact(address token, address from, uint256 amount) private {
        if (token == address(SETTLEMENT)) return SETTLEMENT.spendCredits(from, amount);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert MarketFeeOnTransferToken(token, amount, received);
    }

    function _commitment(uint256 jobId, address provider, uint96 pricePerGpuHour, bytes32 salt)
        private
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(jobId, provider, pricePerGpuHour, salt, block.chainid, address(this)));
    }

    function _job(uint256 jobId) private view returns (Job storage job) {
        job = _jobs[jobId];
        // State, not renter: every step reads the state's slot anyway.
        if (job.state == JobState.None) revert MarketUnknownJob(jobId);
    }

    function _requireState(Job storage job, uint256 jobId, JobState expected) private view {
        if (job.state != expected) revert MarketWrongState(jobId, stateOf(jobId));
    }

    function _emitCreated(
        uint256 jobId,
        JobRequest calldata request,
        uint40 bidDeadline,
        uint40 revealDeadline,
        uint128 budget,
        uint32 paramsId
    ) private {
        emit JobCreated(
            jobId,
            msg.sender,
            request.paymentToken,
            request.gpuModel,
            request.gpuCount,
            request.minVramGb,
            request.region,
            request.minReputation,
            request.duration,
            request.reservePricePerGpuHour,
            request.pricingRule,
            bidDeadline,
            revealDeadline,
            budget,
            paramsId
        );
    }

    function _emitAwarded(uint256 jobId, Job storage job, uint128 refund, uint40 startDeadline) private {
        emit JobAwarded(
            jobId,
            job.renter,
            job.provider,
            job.gpuModel,
            job.gpuCount,
            job.pricingRule,
            _clearingPrice(job),
            job.reservePricePerGpuHour,
            job.escrow,
            refund,
            job.collateral,
            job.bidCount,
            job.revealCount,
            startDeadline
        );
    }

    function _setMarketParams(MarketParams memory p) private {
        _checkBound(Parameter.FeeBps, p.feeBps, 0, MAX_FEE_BPS);
        _checkBound(Parameter.CollateralBps, p.collateralBps, 100, JobMath.BPS);
        _checkBound(Parameter.HoldbackBps, p.holdbackBps, 0, 5_000);
        _checkBound(Parameter.SlashToRenterBps, p.slashToRenterBps, 0, JobMath.BPS);
        _checkBound(Parameter.FaultSlashBps, p.faultSlashBps, 1, JobMath.BPS);
        _checkBound(Parameter.DisputeBondBps, p.disputeBondBps, 1, 5_000);
        _checkBound(Parameter.MaxBids, p.maxBids, 1, 256);
        _checkBound(Parameter.BidBond, p.bidBond, 1e18, 100_000e18);
        _checkBound(Parameter.StartWindow, p.startWindow, 5 minutes, 7 days);
        _checkBound(Parameter.ChallengeWindow, p.challengeWindow, 1 hours, MAX_CHALLENGE_WINDOW);
        _checkBound(Parameter.DisputeTimeout, p.disputeTimeout, 1 hours, MAX_DISPUTE_TIMEOUT);
        _checkBound(Parameter.DeliveryGrace, p.deliveryGrace, 0, 1 days);
        uint32 paramsId = currentParamsId + 1;
        currentParamsId = paramsId;
        _params[paramsId] = p;
        emit MarketParamsSet(paramsId, p);
    }

    function _checkBound(Parameter parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert MarketParameterOutOfBounds(parameter, value, min, max);
    }
}
