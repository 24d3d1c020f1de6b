// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {JobMath} from "../libraries/JobMath.sol";
import {JobMarketBase} from "./JobMarketBase.sol";
import {JobMarketDisputes} from "./JobMarketDisputes.sol";

/// @title JobMarket
/// @notice The Gridlease job lifecycle, escrowed in a stablecoin or in USD credits. See {IJobMarket}.
/// @dev One address for integrators: every entry point and every event of the market is this contract's.
/// It runs the auction and the execution path itself; disputes, failures, the renter's exits, closing
/// losing bids and governance run in {JobMarketDisputes}, a module this contract creates in its
/// constructor and reaches by DELEGATECALL (same storage, see {JobMarketBase}), after its own
/// `nonReentrant`, role and pause checks.
/// Collateral is priced once, at job creation: the GRL worth collateralBps of the budget at the
/// oracle price then. Bids lock it at the reserve, and award scales it to the clearing price, so no
/// step after creation depends on the oracle (an oracle outage cannot strand an auction).
/// Every entry point is O(1): the auction keeps the best and second-best reveals as they arrive, and
/// each losing bid is closed by its own call.
/// The guardian's pause stops new jobs and bids only (createJob, createJobWithPermit, commitBid,
/// acceptInstant, acceptInstantAndStart); every step of a job already under way, and every withdrawal, keeps working.
/// Credit jobs: the settlement contract's address is the payment token. Escrow, refunds, pay and fees
/// of such a job move credits inside the settlement contract (see {ISettlement}) instead of this
/// contract's ledger (only their dispute bonds, which are GRL, use this ledger), and every job settled as
/// delivered records its GPU-seconds there for emissions.
contract JobMarket is IJobMarket, JobMarketBase {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice The module that runs disputes, failures, exits and governance on this market's storage.
    address public immutable DISPUTES;

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
    ) JobMarketBase(registry, settlement) {
        if (address(registry) == address(0)) revert MarketZeroAddress("registry");
        if (address(settlement) == address(0)) revert MarketZeroAddress("settlement");
        if (address(priceOracle) == address(0)) revert MarketZeroAddress("oracle");
        if (treasuryAddress == address(0)) revert MarketZeroAddress("treasury");
        if (admin == address(0)) revert MarketZeroAddress("admin");
        if (arbiter == address(0)) revert MarketZeroAddress("arbiter");
        DISPUTES = address(new JobMarketDisputes(registry, settlement));
        oracle = priceOracle;
        _treasury = treasuryAddress;
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
    function cancelJob(uint256) external nonReentrant {
        _delegateToDisputes();
    }

    /// @inheritdoc IJobMarket
    function stopJob(uint256) external nonReentrant {
        _delegateToDisputes();
    }

    /// @inheritdoc IJobMarket
    function dispute(uint256, bytes32) external nonReentrant {
        _delegateToDisputes();
    }

    // ------------------------------------------------------------------------------------------------
    // Provider actions
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function commitBid(uint256 jobId, bytes32 commitment) external whenNotPaused nonReentrant {
        JobRecord storage job = _job(jobId);
        _requireState(job, jobId, JobState.Bidding);
        if (job.pricingRule == PricingRule.Instant) revert MarketWrongPricingRule(jobId, PricingRule.Instant);
        if (block.timestamp >= job.bidDeadline) revert MarketWindowClosed(jobId, job.bidDeadline, block.timestamp);
        if (commitment == bytes32(0)) revert MarketZeroCommitment();
        MarketParams storage params = _params[job.paramsId];
        uint16 bidCount = job.bidCount;
        if (bidCount >= params.maxBids) revert MarketBidCapReached(jobId, params.maxBids);
        mapping(address => uint256) storage bids = _bids[jobId];
        if (bids[msg.sender] != 0) revert MarketAlreadyBid(jobId, msg.sender);

        uint96 locked = _bidBondOf(job) + job.collateralAtReserve;
        // Safe: bidCount < maxBids <= 256.
        unchecked {
            ++bidCount;
        }
        bids[msg.sender] = (uint256(BidStatus.Committed) << BID_STATUS_SHIFT) | (uint256(commitment) & BID_VALUE_MASK);
        job.bidCount = bidCount;
        emit BidCommitted(jobId, msg.sender, commitment, locked, bidCount);
        _lockIfEligible(job, jobId, locked);
    }

    /// @inheritdoc IJobMarket
    function revealBid(uint256 jobId, uint96 pricePerGpuHour, bytes32 salt) external nonReentrant {
        JobRecord storage job = _job(jobId);
        _requireState(job, jobId, JobState.Bidding);
        if (block.timestamp < job.bidDeadline) revert MarketTooEarly(jobId, job.bidDeadline, block.timestamp);
        if (block.timestamp >= job.revealDeadline) {
            revert MarketWindowClosed(jobId, job.revealDeadline, block.timestamp);
        }
        uint256 word = _bids[jobId][msg.sender];
        if (word >> BID_STATUS_SHIFT != uint256(BidStatus.Committed)) revert MarketNoCommittedBid(jobId, msg.sender);
        bytes32 expected = _commitment(jobId, msg.sender, pricePerGpuHour, salt, job.specHash);
        if (uint256(expected) & BID_VALUE_MASK != word & BID_VALUE_MASK) {
            revert MarketCommitmentMismatch(jobId, msg.sender);
        }
        uint96 reserve = job.reservePricePerGpuHour;
        if (pricePerGpuHour == 0 || pricePerGpuHour > reserve) revert MarketInvalidBidPrice(pricePerGpuHour, reserve);
        // Still qualified (online, reputation, region, model): one that lapsed since its commit cannot win,
        // and its bond is forfeited when the bid is closed unrevealed.
        _REGISTRY.requireQualified(msg.sender, job.gpuModel, job.minVramGb, job.region, job.minReputation);

        _bids[jobId][msg.sender] = (uint256(BidStatus.Revealed) << BID_STATUS_SHIFT) | pricePerGpuHour;
        uint16 revealCount = job.revealCount + 1;
        job.revealCount = revealCount;
        // Strictly lower wins, so among equal prices the earliest reveal stays best; an equal price
        // becomes the second price, as a Vickrey auction requires.
        address best = job.provider;
        bool isBest = best == address(0) || pricePerGpuHour < job.bestPrice;
        if (isBest) {
            if (best != address(0)) job.secondPrice = job.bestPrice;
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
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        _requireState(job, jobId, JobState.Awarded);
        if (block.timestamp >= job.deadline) revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        _start(jobId, job);
    }

    /// @inheritdoc IJobMarket
    function awardAndStart(uint256 jobId) external nonReentrant {
        JobRecord storage job = _job(jobId);
        _requireAuctionClosed(job, jobId);
        // The best bid's provider, set at reveal: zero when nobody revealed (and on any instant job, which
        // only acceptInstant awards), so nobody else passes.
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        _REGISTRY.requireQualified(msg.sender, job.gpuModel, job.minVramGb, job.region, job.minReputation);
        _award(jobId, job, msg.sender);
        // The start checks hold by construction: the caller is the winner, the job was just Awarded, and
        // the start deadline is at least the params' startWindow (>= 5 minutes) away.
        _start(jobId, job);
    }

    /// @inheritdoc IJobMarket
    function claim(uint256 jobId) external nonReentrant returns (uint128 gross) {
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        JobState state = job.state;
        if (state != JobState.Running && state != JobState.Delivered && state != JobState.Disputed) {
            revert MarketWrongState(jobId, _stateOf(job));
        }
        // Past the delivery deadline an undelivered job can only fail: no more pay leaves its escrow.
        if (state == JobState.Running && block.timestamp >= job.deadline) {
            revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        }
        uint256 accrued = _accrued(job);
        uint256 releasable = accrued - JobMath.bpsOfUp(accrued, _params[job.paramsId].holdbackBps);
        uint96 claimed = job.claimed;
        if (releasable <= claimed) revert MarketNothingToClaim(jobId);
        // Safe: releasable > claimed, and releasable is at most the value, a uint96.
        uint96 amount;
        unchecked {
            amount = uint96(releasable - claimed);
        }
        uint96 fee = _payProvider(job, amount);
        emit PaymentClaimed(jobId, msg.sender, _paymentTokenOf(job), amount, fee, job.claimed);
        return amount;
    }

    /// @inheritdoc IJobMarket
    function deliver(uint256 jobId, bytes32 resultHash, string calldata resultURI) external nonReentrant {
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.provider) revert MarketNotProvider(jobId, msg.sender);
        _requireState(job, jobId, JobState.Running);
        if (block.timestamp >= job.deadline) revert MarketWindowClosed(jobId, job.deadline, block.timestamp);
        if (resultHash == bytes32(0)) revert MarketEmptyResult();
        if (bytes(resultURI).length > MAX_URI_LENGTH) revert MarketUriTooLong(bytes(resultURI).length, MAX_URI_LENGTH);
        uint32 deliveredAt = block.timestamp.toUint32();
        uint32 challengeDeadline = (uint256(deliveredAt) + _params[job.paramsId].challengeWindow).toUint32();
        job.state = JobState.Delivered;
        job.deadline = challengeDeadline;
        job.deliveredAt = deliveredAt;
        emit JobDelivered(jobId, msg.sender, resultHash, job.specHash, resultURI, challengeDeadline);
        _REGISTRY.releaseGpus(msg.sender, job.gpuModel, job.gpuCount);
    }

    // ------------------------------------------------------------------------------------------------
    // Anyone
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function award(uint256 jobId) external nonReentrant {
        JobRecord storage job = _job(jobId);
        _requireAuctionClosed(job, jobId);
        address winner = job.provider;
        if (winner == address(0)) {
            uint96 escrow = job.escrow;
            job.escrow = 0;
            job.state = JobState.Expired;
            _refund(job, job.renter, escrow);
            emit JobExpired(jobId, job.renter, escrow, job.bidCount);
            return;
        }
        if (!_isQualified(job, winner)) return _expireDisqualified(jobId, job, winner);
        _award(jobId, job, winner);
    }

    /// @inheritdoc IJobMarket
    function closeBid(uint256, address) external nonReentrant {
        _delegateToDisputes();
    }

    /// @inheritdoc IJobMarket
    function settle(uint256 jobId) external nonReentrant {
        JobRecord storage job = _job(jobId);
        _requireState(job, jobId, JobState.Delivered);
        // The challenge window is the renter's to dispute in: the renter alone may waive it, at once.
        if (block.timestamp < job.deadline && msg.sender != job.renter) {
            revert MarketTooEarly(jobId, job.deadline, block.timestamp);
        }
        _settleAsDelivered(jobId, job, 0, 0);
    }

    /// @inheritdoc IJobMarket
    function settleDisputeTimeout(uint256) external nonReentrant {
        _delegateToDisputes();
    }

    /// @inheritdoc IJobMarket
    function failJob(uint256) external nonReentrant {
        _delegateToDisputes();
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
    // Arbiter, guardian and governance
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    function resolveDispute(uint256, Ruling) external onlyRole(ARBITER_ROLE) nonReentrant {
        _delegateToDisputes();
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
    function setMarketParams(MarketParams calldata) external onlyRole(GOVERNANCE_ROLE) {
        _delegateToDisputes();
    }

    /// @inheritdoc IJobMarket
    function setPaymentToken(address, bool) external onlyRole(GOVERNANCE_ROLE) {
        _delegateToDisputes();
    }

    /// @inheritdoc IJobMarket
    function setTreasury(address) external onlyRole(GOVERNANCE_ROLE) {
        _delegateToDisputes();
    }

    /// @inheritdoc IJobMarket
    function setOracle(address) external onlyRole(GOVERNANCE_ROLE) {
        _delegateToDisputes();
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IJobMarket
    // solhint-disable-next-line func-name-mixedcase
    function REGISTRY() external view returns (IProviderRegistry) {
        return _REGISTRY;
    }

    /// @inheritdoc IJobMarket
    // solhint-disable-next-line func-name-mixedcase
    function SETTLEMENT() external view returns (ISettlement) {
        return _SETTLEMENT;
    }

    /// @inheritdoc IJobMarket
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IJobMarket
    function currentParamsId() external view returns (uint32) {
        return _currentParamsId;
    }

    /// @inheritdoc IJobMarket
    function jobOf(uint256 jobId) external view returns (Job memory view_) {
        JobRecord storage job = _jobs[jobId];
        view_.state = job.state;
        view_.pricingRule = job.pricingRule;
        view_.paramsId = job.paramsId;
        view_.gpuCount = job.gpuCount;
        view_.duration = job.duration;
        view_.deadline = job.deadline;
        view_.startedAt = job.startedAt;
        view_.deliveredAt = job.deliveredAt;
        view_.bidCount = job.bidCount;
        view_.revealCount = job.revealCount;
        view_.provider = job.provider;
        view_.bestPrice = job.bestPrice;
        view_.escrow = job.escrow;
        view_.claimed = job.claimed;
        view_.gpuModel = job.gpuModel;
        view_.paymentToken = _paymentTokenOf(job);
        view_.disputeBond = job.disputeBond;
        view_.renter = job.renter;
        view_.collateral = job.collateralAtReserve;
        view_.bidDeadline = job.bidDeadline;
        view_.revealDeadline = job.revealDeadline;
        view_.minVramGb = job.minVramGb;
        view_.region = job.region;
        view_.minReputation = job.minReputation;
        view_.reservePricePerGpuHour = job.reservePricePerGpuHour;
        view_.secondPrice = job.secondPrice;
        view_.specHash = job.specHash;
        // A provider outside Bidding means awarded: an expired or cancelled-unawarded job has none.
        if (job.provider != address(0) && job.state != JobState.Bidding) {
            view_.clearingPrice = _clearingPrice(job);
            view_.collateral = _collateralOf(job);
        }
    }

    /// @inheritdoc IJobMarket
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc IJobMarket
    function stateOf(uint256 jobId) external view returns (JobState) {
        return _stateOf(_jobs[jobId]);
    }

    /// @inheritdoc IJobMarket
    function bidOf(uint256 jobId, address provider) external view returns (Bid memory bid) {
        uint256 word = _bids[jobId][provider];
        bid.status = BidStatus(word >> BID_STATUS_SHIFT);
        if (bid.status == BidStatus.None) return bid;
        if (bid.status == BidStatus.Committed) bid.commitment = bytes32(word & BID_VALUE_MASK);
        else bid.price = uint96(word & BID_VALUE_MASK);
        JobRecord storage job = _jobs[jobId];
        bool isWinner = provider == job.provider && job.state != JobState.Bidding && bid.status == BidStatus.Closed;
        bid.lockedGrl = isWinner ? _collateralOf(job) : _bidBondOf(job) + job.collateralAtReserve;
    }

    /// @inheritdoc IJobMarket
    function lockOf(uint256 jobId, address provider) external view returns (uint96) {
        JobRecord storage job = _jobs[jobId];
        uint256 status = _bids[jobId][provider] >> BID_STATUS_SHIFT;
        // A bid word exists only on a created job, so its parameter set is there for the bond.
        if (status == uint256(BidStatus.Committed) || status == uint256(BidStatus.Revealed)) {
            return _bidBondOf(job) + job.collateralAtReserve;
        }
        JobState state = job.state;
        bool held = state == JobState.Awarded || state == JobState.Running || state == JobState.Delivered
            || state == JobState.Disputed;
        return held && provider == job.provider ? _collateralOf(job) : 0;
    }

    /// @inheritdoc IJobMarket
    function bidBondOf(uint256 jobId) external view returns (uint96) {
        return _bidBondOf(_job(jobId));
    }

    /// @inheritdoc IJobMarket
    function disputeBondOf(uint256 jobId) external view returns (address token, uint96 amount) {
        return _disputeBondOf(_job(jobId));
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
        return _commitment(jobId, provider, pricePerGpuHour, salt, _jobs[jobId].specHash);
    }

    /// @inheritdoc IJobMarket
    function accruedOf(uint256 jobId) external view returns (uint128) {
        JobRecord storage job = _jobs[jobId];
        JobState state = job.state;
        if (state == JobState.Running || state == JobState.Delivered || state == JobState.Disputed) {
            return uint128(_accrued(job));
        }
        return job.claimed;
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev Runs the current call's calldata in the disputes module on this contract's storage; its
    /// revert, if any, bubbles up unchanged. None of the forwarded functions returns a value.
    function _delegateToDisputes() private {
        Address.functionDelegateCall(DISPUTES, msg.data);
    }

    /// @dev Awards an instant job to the caller at its reserve and locks the collateral.
    function _acceptInstant(uint256 jobId) private returns (JobRecord storage job) {
        job = _job(jobId);
        _requireState(job, jobId, JobState.Bidding);
        if (job.pricingRule != PricingRule.Instant) revert MarketWrongPricingRule(jobId, job.pricingRule);
        if (block.timestamp >= job.bidDeadline) revert MarketWindowClosed(jobId, job.bidDeadline, block.timestamp);
        uint96 price = job.reservePricePerGpuHour;
        uint32 startDeadline = (block.timestamp + _params[job.paramsId].startWindow).toUint32();
        uint96 collateral = job.collateralAtReserve;
        job.provider = msg.sender;
        job.bestPrice = price;
        job.state = JobState.Awarded;
        job.deadline = startDeadline;
        _emitAwarded(jobId, job, 0, startDeadline);
        _lockIfEligible(job, jobId, collateral);
    }

    /// @dev The caller must be eligible for the job; locks `amount` of its stake under the job's id (one
    /// registry call for both). The registry reverts the whole call if it is not eligible, so the state
    /// written before this (in the same call) never stands for an ineligible provider.
    function _lockIfEligible(JobRecord storage job, uint256 jobId, uint96 amount) private {
        _REGISTRY.lockIfEligible(
            msg.sender, jobId, amount, job.gpuModel, job.gpuCount, job.minVramGb, job.region, job.minReputation
        );
    }

    /// @dev Whether `provider` is still qualified for the job (see IProviderRegistry.requireQualified). A
    /// revert without data (such as the registry call running out of gas, which a caller could provoke by
    /// sending too little) is not an answer: it reverts the whole call rather than disqualify the winner.
    function _isQualified(JobRecord storage job, address provider) private view returns (bool) {
        try _REGISTRY.requireQualified(provider, job.gpuModel, job.minVramGb, job.region, job.minReputation) {
            return true;
        } catch (bytes memory reason) {
            if (reason.length == 0) revert MarketRegistryCallFailed();
            return false;
        }
    }

    /// @dev The best bidder lapsed between its reveal and the award (offline, reputation below the job's
    /// minimum, model delisted): the job expires with a full refund, and the lapsed winner forfeits its bid
    /// bond as an unrevealed bidder would (burned) and gets the rest of its lock back.
    function _expireDisqualified(uint256 jobId, JobRecord storage job, address winner) private {
        uint96 escrow = job.escrow;
        uint96 bond = _bidBondOf(job);
        uint96 collateral = job.collateralAtReserve;
        _bids[jobId][winner] = (uint256(BidStatus.Closed) << BID_STATUS_SHIFT) | job.bestPrice;
        job.escrow = 0;
        job.state = JobState.Expired;
        job.provider = address(0);
        _refund(job, job.renter, escrow);
        emit JobExpired(jobId, job.renter, escrow, job.bidCount);
        emit BidBondForfeited(jobId, winner, job.renter, bond, collateral);
        _REGISTRY.slash(winner, jobId, 0, address(0), bond);
        _unlock(winner, jobId, collateral);
    }

    /// @dev An auction job (its state still Bidding) whose reveal window has ended.
    function _requireAuctionClosed(JobRecord storage job, uint256 jobId) private view {
        _requireState(job, jobId, JobState.Bidding);
        if (block.timestamp < job.revealDeadline) revert MarketTooEarly(jobId, job.revealDeadline, block.timestamp);
    }

    /// @dev Awards the job to `winner`, its best revealed bid, at the clearing price: the renter gets
    /// back the budget above the job's value, and the winner's lock shrinks to the collateral at that price.
    function _award(uint256 jobId, JobRecord storage job, address winner) private {
        uint96 clearing = _clearingPrice(job);
        // At most the budget (clearing <= reserve), a uint96.
        uint96 value = uint96(JobMath.value(clearing, job.gpuCount, job.duration));
        // Safe: clearing <= reserve, so the value at the clearing price is at most the escrowed budget.
        uint96 refund;
        unchecked {
            refund = job.escrow - value;
        }
        MarketParams storage params = _params[job.paramsId];
        uint96 atReserve = job.collateralAtReserve;
        uint96 collateral = _scaledCollateral(atReserve, clearing, job.reservePricePerGpuHour);
        // Safe: the winner's lock is the bond plus the collateral at the reserve, at least `collateral`.
        uint96 release;
        unchecked {
            release = _bidBondOf(job) + atReserve - collateral;
        }
        uint32 startDeadline = (block.timestamp + params.startWindow).toUint32();

        _bids[jobId][winner] = (uint256(BidStatus.Closed) << BID_STATUS_SHIFT) | job.bestPrice;
        job.escrow = value;
        job.state = JobState.Awarded;
        job.deadline = startDeadline;
        _refund(job, job.renter, refund);
        _emitAwarded(jobId, job, refund, startDeadline);
        _unlock(winner, jobId, release);
    }

    /// @dev Starts an awarded job now (the caller checked who, the state and the start deadline).
    function _start(uint256 jobId, JobRecord storage job) private {
        uint32 startedAt = block.timestamp.toUint32();
        uint40 endsAt = uint40(startedAt) + job.duration;
        uint32 deliveryDeadline = (uint256(endsAt) + _params[job.paramsId].deliveryGrace).toUint32();
        job.state = JobState.Running;
        job.deadline = deliveryDeadline;
        job.startedAt = startedAt;
        bytes32 gpuModel = job.gpuModel;
        uint16 gpuCount = job.gpuCount;
        emit JobStarted(jobId, msg.sender, gpuModel, gpuCount, startedAt, endsAt);
        _REGISTRY.leaseGpus(msg.sender, gpuModel, gpuCount);
    }

    function _createJob(JobRequest calldata request) private returns (uint256 jobId) {
        PaymentToken memory token = paymentTokens[request.paymentToken];
        if (!token.allowed) revert MarketTokenNotAllowed(request.paymentToken);
        _validateRequest(request);
        uint256 budget = JobMath.value(request.reservePricePerGpuHour, request.gpuCount, request.duration);
        if (budget == 0) revert MarketJobValueZero();
        if (budget > MAX_JOB_VALUE) revert MarketJobValueTooLarge(budget, MAX_JOB_VALUE);
        uint32 paramsId = _currentParamsId;
        uint96 collateral = JobMath.bpsOfUp(
            JobMath.grlForStablecoin(budget, token.decimals, oracle.grlUsdPrice()), _params[paramsId].collateralBps
        ).toUint96();
        uint32 bidDeadline = (block.timestamp + request.bidWindow).toUint32();
        // Safe: both windows are at most MAX_AUCTION_WINDOW (7 days), checked above.
        uint32 revealDeadline = bidDeadline + uint32(request.revealWindow);

        jobId = ++_jobCount;
        JobRecord storage job = _jobs[jobId];
        // In slot order (see JobRecord). The casts are safe: _validateRequest bounded every field.
        job.state = JobState.Bidding;
        job.pricingRule = request.pricingRule;
        job.paramsId = uint16(paramsId);
        job.gpuCount = uint16(request.gpuCount);
        job.duration = uint32(request.duration);
        job.minReputation = request.minReputation;
        job.region = request.region;
        job.minVramGb = uint16(request.minVramGb);
        job.renter = msg.sender;
        job.reservePricePerGpuHour = request.reservePricePerGpuHour;
        // A credit job's floor replaces the settlement's address once its credits are escrowed (see _pullExact).
        job.payment = uint160(request.paymentToken);
        job.collateralAtReserve = collateral;
        job.escrow = uint96(budget);
        job.bidDeadline = bidDeadline;
        job.revealDeadline = revealDeadline;
        job.gpuModel = request.gpuModel;
        job.specHash = request.specHash;
        _emitCreated(jobId, request, job);
        _pullExact(jobId, job, msg.sender, budget);
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
        if (request.minVramGb > type(uint16).max) revert MarketInvalidRequest(RequestField.MinVramGb);
        if (request.specHash == bytes32(0)) revert MarketInvalidRequest(RequestField.SpecHash);
    }

    function _commitment(uint256 jobId, address provider, uint96 pricePerGpuHour, bytes32 salt, bytes32 specHash)
        private
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(jobId, provider, pricePerGpuHour, salt, block.chainid, address(this), specHash));
    }

    /// @dev Emits JobCreated from the request and the job just written (warm slots).
    function _emitCreated(uint256 jobId, JobRequest calldata request, JobRecord storage job) private {
        emit JobCreated(
            jobId,
            msg.sender,
            request.paymentToken,
            request,
            job.bidDeadline,
            job.revealDeadline,
            job.escrow,
            job.paramsId
        );
    }

    function _emitAwarded(
        uint256 jobId,
        JobRecord storage job,
        uint96 refund,
        uint32 startDeadline
    ) private {
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
            _collateralOf(job),
            job.bidCount,
            job.revealCount,
            startDeadline
        );
    }
}
