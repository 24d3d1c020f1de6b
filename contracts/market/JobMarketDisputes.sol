// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {JobMath} from "../libraries/JobMath.sol";
import {JobMarketBase} from "./JobMarketBase.sol";

/// @title JobMarketDisputes
/// @notice The job market's second half: disputes and rulings, failures, the renter's exits (cancel and
/// early stop), closing losing bids, and governance. {JobMarket} creates it in its constructor and
/// delegate-calls it for these entry points, after its own `nonReentrant` (and, for governance, role)
/// checks; this contract never holds state of its own.
/// @dev Every function runs only through the market's DELEGATECALL: called directly it reverts with
/// {IJobMarket.MarketNotDelegated}. The external functions have the market's selectors, so the market
/// forwards its calldata unchanged. Events are the market's ({IJobMarket}) and come from its address.
contract JobMarketDisputes is JobMarketBase {
    using SafeCast for uint256;

    /// @dev This module's own address, to refuse direct calls.
    address private immutable _SELF;

    /// @param registry The market's provider registry.
    /// @param settlement The market's settlement contract.
    constructor(IProviderRegistry registry, ISettlement settlement) JobMarketBase(registry, settlement) {
        _SELF = address(this);
    }

    modifier onlyDelegated() {
        if (address(this) == _SELF) revert IJobMarket.MarketNotDelegated();
        _;
    }

    // ------------------------------------------------------------------------------------------------
    // Renter exits and disputes
    // ------------------------------------------------------------------------------------------------

    /// @dev See {IJobMarket-cancelJob}.
    function cancelJob(uint256 jobId) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.renter) revert IJobMarket.MarketNotRenter(jobId, msg.sender);
        _requireState(job, jobId, IJobMarket.JobState.Bidding);
        // With bids, only while they are still sealed: the renter's way out of a squatted auction.
        if (job.bidCount != 0 && block.timestamp >= job.bidDeadline) {
            revert IJobMarket.MarketJobHasBids(jobId, job.bidCount);
        }
        uint96 refund = job.escrow;
        job.escrow = 0;
        job.state = IJobMarket.JobState.Cancelled;
        _refund(job, job.renter, refund);
        emit IJobMarket.JobCancelled(jobId, job.renter, refund);
    }

    /// @dev See {IJobMarket-stopJob}.
    function stopJob(uint256 jobId) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.renter) revert IJobMarket.MarketNotRenter(jobId, msg.sender);
        _requireState(job, jobId, IJobMarket.JobState.Running);
        // Past the delivery deadline the provider has failed: the renter calls failJob, which refunds
        // the unclaimed value and slashes, instead of paying for an undelivered job.
        if (block.timestamp >= job.deadline) {
            revert IJobMarket.MarketWindowClosed(jobId, job.deadline, block.timestamp);
        }
        uint40 ran = uint40(Math.min(block.timestamp - job.startedAt, job.duration));
        uint256 accrued = JobMath.accrued(uint256(job.escrow) + job.claimed, ran, job.duration);
        // Safe: accrued is at least what was claimed, since claims never exceed accrued pay, and at most
        // the value, a uint96.
        uint96 gross;
        unchecked {
            gross = uint96(accrued - job.claimed);
        }
        uint96 fee = _payProvider(job, gross);
        uint96 refund = job.escrow;
        job.escrow = 0;
        job.state = IJobMarket.JobState.Cancelled;
        address provider = job.provider;
        _refund(job, job.renter, refund);
        emit IJobMarket.JobStopped(jobId, job.renter, provider, gross, fee, refund, ran);
        _REGISTRY.releaseGpus(provider, job.gpuModel, job.gpuCount);
        _unlock(provider, jobId, _collateralOf(job));
    }

    /// @dev See {IJobMarket-dispute}.
    function dispute(uint256 jobId, bytes32 evidenceHash) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        if (msg.sender != job.renter) revert IJobMarket.MarketNotRenter(jobId, msg.sender);
        _requireState(job, jobId, IJobMarket.JobState.Delivered);
        if (block.timestamp >= job.deadline) {
            revert IJobMarket.MarketWindowClosed(jobId, job.deadline, block.timestamp);
        }
        (address bondToken, uint96 bond) = _disputeBondOf(job);
        uint32 disputeDeadline = (block.timestamp + _params[job.paramsId].disputeTimeout).toUint32();
        job.state = IJobMarket.JobState.Disputed;
        job.disputeBond = bond;
        job.deadline = disputeDeadline;
        emit IJobMarket.JobDisputed(jobId, msg.sender, evidenceHash, bondToken, bond, disputeDeadline);
        if (bond != 0) _pullToken(bondToken, msg.sender, bond);
    }

    /// @dev See {IJobMarket-settleDisputeTimeout}.
    function settleDisputeTimeout(uint256 jobId) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        _requireState(job, jobId, IJobMarket.JobState.Disputed);
        if (block.timestamp < job.deadline) revert IJobMarket.MarketTooEarly(jobId, job.deadline, block.timestamp);
        _settleAsDelivered(jobId, job, 0, job.disputeBond);
    }

    /// @dev See {IJobMarket-resolveDispute}. The market checked ARBITER_ROLE.
    function resolveDispute(uint256 jobId, IJobMarket.Ruling ruling) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        _requireState(job, jobId, IJobMarket.JobState.Disputed);
        if (block.timestamp >= job.deadline) {
            revert IJobMarket.MarketWindowClosed(jobId, job.deadline, block.timestamp);
        }
        if (ruling == IJobMarket.Ruling.RenterFault) {
            emit IJobMarket.DisputeResolvedForProvider(jobId, msg.sender);
            _settleAsDelivered(jobId, job, job.disputeBond, 0);
        } else {
            _ruleProviderFault(jobId, job);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Keepers
    // ------------------------------------------------------------------------------------------------

    /// @dev See {IJobMarket-failJob}.
    function failJob(uint256 jobId) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        IJobMarket.JobState state = job.state;
        IJobMarket.FailureReason reason;
        if (state == IJobMarket.JobState.Awarded) {
            reason = IJobMarket.FailureReason.NoShow;
        } else if (state == IJobMarket.JobState.Running) {
            reason = IJobMarket.FailureReason.LateDelivery;
        } else {
            revert IJobMarket.MarketNotFailable(jobId, _stateOf(job));
        }
        if (block.timestamp < job.deadline) revert IJobMarket.MarketTooEarly(jobId, job.deadline, block.timestamp);

        uint96 refund = job.escrow;
        job.escrow = 0;
        job.state = IJobMarket.JobState.Failed;
        _refund(job, job.renter, refund);
        address provider = job.provider;
        if (reason == IJobMarket.FailureReason.LateDelivery) {
            _REGISTRY.releaseGpus(provider, job.gpuModel, job.gpuCount);
        }
        IJobMarket.MarketParams storage params = _params[job.paramsId];
        (uint96 toRenter, uint96 burned) = _slashCollateral(jobId, job, params.faultSlashBps, params.slashToRenterBps);
        uint16 reputation = _REGISTRY.recordFault(provider);
        emit IJobMarket.JobFailed(jobId, job.renter, provider, reason, refund, toRenter, burned, reputation);
    }

    /// @dev See {IJobMarket-closeBid}.
    function closeBid(uint256 jobId, address provider) external onlyDelegated {
        JobRecord storage job = _job(jobId);
        if (job.state == IJobMarket.JobState.Bidding) revert IJobMarket.MarketWrongState(jobId, _stateOf(job));
        uint256 word = _bids[jobId][provider];
        IJobMarket.BidStatus status = IJobMarket.BidStatus(word >> BID_STATUS_SHIFT);
        // Every bid but the winner's locks the bond plus the collateral at the reserve; the winner's bid
        // is closed at award.
        uint96 bond = _bidBondOf(job);
        uint96 collateral = job.collateralAtReserve;
        // Revealed, or sealed on a job the renter cancelled before reveals could begin: released in full.
        if (
            status == IJobMarket.BidStatus.Revealed
                || (status == IJobMarket.BidStatus.Committed && job.state == IJobMarket.JobState.Cancelled)
        ) {
            // A closed bid keeps its revealed price; a sealed one (no price) records none.
            _bids[jobId][provider] = _closedBid(status == IJobMarket.BidStatus.Revealed ? word : 0);
            uint96 locked = bond + collateral;
            emit IJobMarket.BidReleased(jobId, provider, locked);
            _REGISTRY.unlockCollateral(provider, jobId, locked);
        } else if (status == IJobMarket.BidStatus.Committed) {
            _bids[jobId][provider] = _closedBid(0);
            emit IJobMarket.BidBondForfeited(jobId, provider, job.renter, bond, collateral);
            // Burned, never paid to the renter: a renter's own sybil bidders would otherwise shill for free.
            _REGISTRY.slash(provider, jobId, 0, address(0), bond);
            _unlock(provider, jobId, collateral);
        } else {
            revert IJobMarket.MarketBidNotClosable(jobId, provider, status);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Governance (the market checked GOVERNANCE_ROLE)
    // ------------------------------------------------------------------------------------------------

    /// @dev See {IJobMarket-setMarketParams}.
    function setMarketParams(IJobMarket.MarketParams calldata params) external onlyDelegated {
        _setMarketParams(params);
    }

    /// @dev See {IJobMarket-setPaymentToken}.
    function setPaymentToken(address token, bool allowed) external onlyDelegated {
        if (token == address(0)) revert IJobMarket.MarketZeroAddress("token");
        if (uint160(token) < CREDIT_FLOOR_LIMIT) revert IJobMarket.MarketTokenAddressReserved(token);
        uint8 decimals = paymentTokens[token].decimals;
        if (allowed) {
            decimals = IERC20Metadata(token).decimals();
            if (decimals > 18) revert IJobMarket.MarketTokenDecimalsUnsupported(token, decimals);
        }
        paymentTokens[token] = PaymentToken({allowed: allowed, decimals: decimals});
        emit IJobMarket.PaymentTokenSet(token, allowed, decimals);
    }

    /// @dev See {IJobMarket-setTreasury}.
    function setTreasury(address newTreasury) external onlyDelegated {
        if (newTreasury == address(0)) revert IJobMarket.MarketZeroAddress("treasury");
        address previous = _treasury;
        _treasury = newTreasury;
        emit IJobMarket.TreasurySet(previous, newTreasury);
    }

    /// @dev See {IJobMarket-setOracle}.
    function setOracle(address newOracle) external onlyDelegated {
        if (newOracle == address(0)) revert IJobMarket.MarketZeroAddress("oracle");
        address previous = address(oracle);
        oracle = IPriceOracle(newOracle);
        emit IJobMarket.OracleSet(previous, newOracle);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev ProviderFault: the provider keeps pay up to the holdback; the holdback and the bond go back
    /// to the renter; the whole collateral is slashed.
    function _ruleProviderFault(uint256 jobId, JobRecord storage job) private {
        IJobMarket.MarketParams storage params = _params[job.paramsId];
        uint256 accrued = _accrued(job);
        uint256 providerShare = accrued - JobMath.bpsOfUp(accrued, params.holdbackBps);
        uint96 providerGross;
        if (providerShare > job.claimed) {
            // Safe: checked just above, and the share is at most the value, a uint96.
            unchecked {
                providerGross = uint96(providerShare - job.claimed);
            }
        }
        uint96 fee = _payProvider(job, providerGross);
        uint96 refund = job.escrow;
        job.escrow = 0;
        job.state = IJobMarket.JobState.Resolved;
        _refund(job, job.renter, refund);
        _creditBond(job, job.renter, job.disputeBond);
        (uint96 toRenter, uint96 burned) =
            _slashCollateral(jobId, job, uint16(JobMath.BPS), params.slashToRenterBps);
        uint16 reputation = _REGISTRY.recordFault(job.provider);
        emit IJobMarket.DisputeResolvedForRenter(
            jobId, job.renter, job.provider, msg.sender, providerGross, fee, refund, toRenter, burned, reputation
        );
    }

    /// @dev Slashes `slashBps` of the job's collateral (`toRenterBps` of it to the renter, the rest
    /// burned) and releases the remainder of the lock.
    function _slashCollateral(uint256 jobId, JobRecord storage job, uint16 slashBps, uint16 toRenterBps)
        private
        returns (uint96 toRenter, uint96 burned)
    {
        uint96 collateral = _collateralOf(job);
        uint96 slashed = uint96(JobMath.bpsOf(collateral, slashBps));
        toRenter = uint96(JobMath.bpsOf(slashed, toRenterBps));
        // Safe: toRenter <= slashed <= collateral.
        unchecked {
            burned = slashed - toRenter;
            if (slashed != 0) _REGISTRY.slash(job.provider, jobId, toRenter, job.renter, burned);
            _unlock(job.provider, jobId, collateral - slashed);
        }
    }

    /// @dev The closed form of a bid word: status Closed, the revealed price (if any) kept.
    function _closedBid(uint256 word) private pure returns (uint256) {
        return (uint256(IJobMarket.BidStatus.Closed) << BID_STATUS_SHIFT) | (word & BID_VALUE_MASK);
    }
}
