// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {JobMath} from "../libraries/JobMath.sol";

/// @title JobMarketBase
/// @notice The job market's storage and the internals its two halves share: {JobMarket}, the entry point
/// (auction and execution), and {JobMarketDisputes}, the module it delegate-calls for disputes, failures,
/// early exits and governance. Both inherit this one contract and nothing else that holds storage, so
/// their storage layouts are the same by construction; the module only ever runs on the market's
/// storage, through DELEGATECALL.
/// @dev A job is stored in eight packed slots (see {JobRecord}); six are written at creation, the
/// provider's from the first reveal or the instant accept, the last from the second reveal or a dispute.
/// A bid is one slot (see {BidRecord}).
abstract contract JobMarketBase is AccessControl, Pausable, ReentrancyGuardTransient {
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

    /// @notice Largest job value (budget at the reserve) a job may escrow: escrow and pay are stored as
    /// uint96, 7.9e28 token units (79 billion dollars of 18-decimals credits).
    uint256 public constant MAX_JOB_VALUE = type(uint96).max;

    /// @notice Hard caps on the challenge window and dispute timeout. Their sum (6 days) stays below the
    /// registry's unbonding floor (7 days), so "unbonding period > challenge window + dispute timeout"
    /// holds for every parameter governance can choose, with no cross-contract check.
    uint32 public constant MAX_CHALLENGE_WINDOW = 3 days;
    uint32 public constant MAX_DISPUTE_TIMEOUT = 3 days;

    /// @dev A bid's status sits in the top byte of its slot; the low 248 bits hold the commitment while it
    /// is committed, the revealed price afterwards.
    uint256 internal constant BID_STATUS_SHIFT = 248;
    uint256 internal constant BID_VALUE_MASK = (1 << 248) - 1;

    /// @dev A job's `payment` below this is a credit job's mint floor (a uint64); at or above it, a stablecoin's
    /// address. No payment token may have an address below it (see {IJobMarket-MarketTokenAddressReserved}):
    /// its top 96 bits would all be zero, which no CREATE or CREATE2 address has in practice.
    uint160 internal constant CREDIT_FLOOR_LIMIT = 1 << 64;

    /// @dev The provider registry; exposed as {IJobMarket-REGISTRY} by the market.
    IProviderRegistry internal immutable _REGISTRY;

    /// @dev The settlement contract; exposed as {IJobMarket-SETTLEMENT} by the market.
    ISettlement internal immutable _SETTLEMENT;

    /// @notice A payment token's allow-listing and decimals.
    struct PaymentToken {
        bool allowed;
        uint8 decimals;
    }

    /// @notice A job as stored: eight slots, in the order the steps first write them.
    /// @dev Slot 0 is read and written by every step. While the job is Bidding, `deadline` is unused (the
    /// auction's deadlines are in slot 3). Slots 0-5 are written at creation; slot 6 by the first reveal or
    /// the instant accept; slot 7 by a second reveal or a dispute. `payment` is the payment token's address
    /// for a stablecoin job and, for a credit job, the mint floor of its escrowed credits (see
    /// {ISettlement-spendCredits}), which is below any address a payment token may have
    /// (CREDIT_FLOOR_LIMIT): a credit job keeps its floor in a slot it writes anyway, and every step that
    /// pays or refunds it reads the floor with the token (see {_paymentTokenOf}). Collateral is not stored after
    /// creation: the winner's is derived from `collateralAtReserve` and the clearing price (see
    /// {_collateralOf}), and every other bidder's lock is the bid bond plus `collateralAtReserve`.
    struct JobRecord {
        // slot 0
        IJobMarket.JobState state;
        IJobMarket.PricingRule pricingRule;
        uint16 paramsId;
        uint16 gpuCount;
        uint32 duration;
        uint32 deadline;
        uint32 startedAt;
        uint32 deliveredAt;
        uint16 bidCount;
        uint16 revealCount;
        uint16 minReputation;
        uint16 region;
        uint16 minVramGb;
        // slot 1
        address renter;
        uint96 reservePricePerGpuHour;
        // slot 2
        uint160 payment;
        uint96 collateralAtReserve;
        // slot 3
        uint96 escrow;
        uint96 claimed;
        uint32 bidDeadline;
        uint32 revealDeadline;
        // slot 4
        bytes32 gpuModel;
        // slot 5
        bytes32 specHash;
        // slot 6
        address provider;
        uint96 bestPrice;
        // slot 7
        uint96 secondPrice;
        uint96 disputeBond;
    }

    // oracle, _currentParamsId and _jobCount share a slot with Pausable's `_paused` flag (1 + 20 + 2 + 8 of its
    // 32 bytes): createJob reads all four, so its pause check pays the slot's cold read and the rest are warm.

    /// @notice GRL/USD oracle used to size collateral at job creation.
    IPriceOracle public oracle;

    /// @dev The id of the parameter set new jobs use ({IJobMarket-currentParamsId}); 16 bits, as a job stores it.
    uint16 internal _currentParamsId;

    /// @dev uint64: 1.8e19 jobs, more than any chain will see.
    uint64 internal _jobCount;

    /// @dev Where protocol fees accrue ({IJobMarket-treasury}).
    address internal _treasury;

    /// @notice Allow-listed payment tokens and their decimals.
    mapping(address token => PaymentToken) public paymentTokens;

    mapping(uint32 paramsId => IJobMarket.MarketParams) internal _params;
    mapping(uint256 jobId => JobRecord) internal _jobs;
    /// @dev One word per bid: status in the top byte (see BID_STATUS_SHIFT), commitment or price below.
    mapping(uint256 jobId => mapping(address provider => uint256 word)) internal _bids;
    mapping(address token => mapping(address account => uint256 amount)) internal _balances;

    constructor(IProviderRegistry registry, ISettlement settlement) {
        _REGISTRY = registry;
        _SETTLEMENT = settlement;
    }

    // ------------------------------------------------------------------------------------------------
    // Shared internals
    // ------------------------------------------------------------------------------------------------

    function _job(uint256 jobId) internal view returns (JobRecord storage job) {
        job = _jobs[jobId];
        // State, not renter: every step reads the state's slot anyway.
        if (job.state == IJobMarket.JobState.None) revert IJobMarket.MarketUnknownJob(jobId);
    }

    function _requireState(JobRecord storage job, uint256 jobId, IJobMarket.JobState expected) internal view {
        if (job.state != expected) revert IJobMarket.MarketWrongState(jobId, _stateOf(job));
    }

    /// @dev The state as reported: `Revealing` for an auction job still Bidding past its bid deadline.
    function _stateOf(JobRecord storage job) internal view returns (IJobMarket.JobState) {
        IJobMarket.JobState state = job.state;
        if (
            state == IJobMarket.JobState.Bidding && job.pricingRule != IJobMarket.PricingRule.Instant
                && block.timestamp >= job.bidDeadline
        ) return IJobMarket.JobState.Revealing;
        return state;
    }

    /// @dev The price the job runs at, once a provider is set: the best price, except under SecondPrice
    /// (an instant job's best price is its reserve).
    function _clearingPrice(JobRecord storage job) internal view returns (uint96) {
        if (job.pricingRule != IJobMarket.PricingRule.SecondPrice) return job.bestPrice;
        uint96 second = job.secondPrice;
        return second != 0 ? second : job.reservePricePerGpuHour;
    }

    /// @dev GRL locked for the job from the winner's stake once awarded: the collateral at the reserve,
    /// scaled to the clearing price and rounded up (at most the collateral at the reserve).
    function _collateralOf(JobRecord storage job) internal view returns (uint96) {
        return _scaledCollateral(job.collateralAtReserve, _clearingPrice(job), job.reservePricePerGpuHour);
    }

    /// @dev GRL a bid on the job bonds: `bidBondBps` of the budget at the creation price, which is the
    /// collateral at the reserve scaled from `collateralBps` (so no oracle read), and at least `bidBond`.
    function _bidBondOf(JobRecord storage job) internal view returns (uint96) {
        IJobMarket.MarketParams storage params = _params[job.paramsId];
        uint256 proportional =
            Math.mulDiv(job.collateralAtReserve, params.bidBondBps, params.collateralBps, Math.Rounding.Ceil);
        return Math.max(proportional, params.bidBond).toUint96();
    }

    /// @dev The dispute bond's token and amount (see {IJobMarket-disputeBondOf}). A credit job's bond is in GRL,
    /// sized from the collateral (GRL at the creation price, `collateralBps` of the value), so no oracle is read
    /// and neither a pause of credit purchases nor a stale feed can keep a renter from disputing.
    function _disputeBondOf(JobRecord storage job) internal view returns (address token, uint96 bond) {
        IJobMarket.MarketParams storage params = _params[job.paramsId];
        token = _paymentTokenOf(job);
        if (token != address(_SETTLEMENT)) {
            // At most disputeBondBps (<= 50%) of the value, a uint96.
            return (token, uint96(JobMath.bpsOfUp(uint256(job.escrow) + job.claimed, params.disputeBondBps)));
        }
        token = address(_SETTLEMENT.GRL());
        uint96 collateral = job.state == IJobMarket.JobState.Bidding ? job.collateralAtReserve : _collateralOf(job);
        bond = Math.mulDiv(collateral, params.disputeBondBps, params.collateralBps, Math.Rounding.Ceil).toUint96();
    }

    /// @dev Credits `amount` of the job's dispute bond to `account` on the market's ledger, in the bond token.
    function _creditBond(JobRecord storage job, address account, uint96 amount) internal {
        if (amount == 0) return;
        address token = _paymentTokenOf(job);
        if (token == address(_SETTLEMENT)) token = address(_SETTLEMENT.GRL());
        _balances[token][account] += amount;
    }

    /// @dev The job's payment token: the settlement for a credit job, whose `payment` holds its mint floor
    /// (below CREDIT_FLOOR_LIMIT), else the stablecoin whose address `payment` is.
    function _paymentTokenOf(JobRecord storage job) internal view returns (address) {
        uint160 payment = job.payment;
        return payment < CREDIT_FLOOR_LIMIT ? address(_SETTLEMENT) : address(payment);
    }

    function _scaledCollateral(uint96 atReserve, uint96 clearing, uint96 reserve) internal pure returns (uint96) {
        // At most `atReserve`, since clearing <= reserve, so the cast cannot truncate.
        return uint96(Math.mulDiv(atReserve, clearing, reserve, Math.Rounding.Ceil));
    }

    /// @dev Gross pay accrued by a running, delivered or disputed job: by the second up to now while
    /// running, up to the delivery afterwards (the whole value is earned only when the job settles).
    function _accrued(JobRecord storage job) internal view returns (uint256) {
        uint256 end = job.state == IJobMarket.JobState.Running ? block.timestamp : job.deliveredAt;
        return JobMath.accrued(uint256(job.escrow) + job.claimed, end - job.startedAt, job.duration);
    }

    /// @dev Settles as delivered: the rest of the value to the provider (less the fee), collateral
    /// released, reputation up; the dispute bond, if any, to the provider or back to the renter (on the
    /// market's ledger, in the bond token).
    function _settleAsDelivered(uint256 jobId, JobRecord storage job, uint96 bondToProvider, uint96 bondRefund)
        internal
    {
        uint128 value = uint128(job.escrow) + job.claimed;
        uint96 gross = job.escrow;
        uint96 fee = _payProvider(job, gross);
        job.state = IJobMarket.JobState.Settled;
        address provider = job.provider;
        _creditBond(job, provider, bondToProvider);
        _creditBond(job, job.renter, bondRefund);
        _recordRun(job, provider, value);
        address token = _paymentTokenOf(job);
        // The success weighs the job's value in USD, so self-dealt dust jobs cannot farm reputation.
        uint16 reputation =
            _REGISTRY.unlockAndRecordSuccess(provider, jobId, _collateralOf(job), _usd(token, value));
        emit IJobMarket.JobSettled(
            jobId, job.renter, provider, token, value, gross, fee, bondToProvider, bondRefund, reputation
        );
    }

    /// @dev Records the job's GPU-seconds for emissions, with the protocol fee on its value in USD, which
    /// caps the provider's emission (so hiring oneself never pays). The seconds count the compute actually
    /// run (start to delivery, at most the duration), not the duration paid for: a job delivered at once
    /// would otherwise claim a year of GPU-seconds in a day. The fee is the job's rate on its whole value;
    /// each payment's fee was rounded down, so the fees paid are less by under one token unit per payment.
    function _recordRun(JobRecord storage job, address provider, uint256 value) private {
        uint256 ran = Math.min(job.deliveredAt - job.startedAt, job.duration);
        if (ran == 0) return;
        uint256 fee = JobMath.bpsOf(value, _params[job.paramsId].feeBps);
        _SETTLEMENT.recordGpuSeconds(provider, ran * job.gpuCount, _usd(_paymentTokenOf(job), fee));
    }

    /// @dev `amount` of payment token `token` in USD with 18 decimals (stablecoins and credits are pegged
    /// to the dollar; allow-listed tokens have at most 18 decimals).
    function _usd(address token, uint256 amount) internal view returns (uint256) {
        return amount * 10 ** (18 - paymentTokens[token].decimals);
    }

    /// @dev Moves `gross` of the job's escrow to the provider's balance, less the fee to the treasury's.
    function _payProvider(JobRecord storage job, uint96 gross) internal returns (uint96 fee) {
        if (gross == 0) return 0;
        fee = uint96(JobMath.bpsOf(gross, _params[job.paramsId].feeBps));
        job.escrow -= gross;
        job.claimed += gross;
        // Safe: fee <= gross.
        unchecked {
            _pay(job, job.provider, gross - fee);
        }
        _pay(job, _treasury, fee);
    }

    function _unlock(address provider, uint256 jobId, uint96 amount) internal {
        if (amount != 0) _REGISTRY.unlockCollateral(provider, jobId, amount);
    }

    /// @dev Returns the job's escrow to a renter: credits back to its credit balance (with their GRL basis
    /// at the job's mint floor), a stablecoin to its ledger.
    function _refund(JobRecord storage job, address account, uint256 amount) internal {
        if (amount == 0) return;
        uint160 payment = job.payment;
        if (payment < CREDIT_FLOOR_LIMIT) _SETTLEMENT.refundCredits(account, amount, uint64(payment));
        else _balances[address(payment)][account] += amount;
    }

    /// @dev Pays the job's escrow out as earnings: credits become USD earnings (minted as GRL on
    /// withdrawal, capped at their GRL at the job's mint floor), a stablecoin goes to the ledger.
    function _pay(JobRecord storage job, address account, uint256 amount) internal {
        if (amount == 0) return;
        uint160 payment = job.payment;
        if (payment < CREDIT_FLOOR_LIMIT) _SETTLEMENT.accrueEarnings(account, amount, uint64(payment));
        else _balances[address(payment)][account] += amount;
    }

    /// @dev Pulls exactly `amount` of the job's payment token into its escrow: credits from the renter's
    /// credit balance (the job's mint floor is theirs, so they cannot pay out more GRL than their basis), or
    /// a stablecoin (see {_pullToken}).
    function _pullExact(uint256 jobId, JobRecord storage job, address from, uint256 amount) internal {
        address token = address(job.payment);
        if (token == address(_SETTLEMENT)) {
            // The floor replaces the settlement's address, which stood for the credits until the floor was known
            // (nothing pays or refunds the job in between). It is at least 1 (see {ISettlement-spendCredits}).
            uint64 floorPrice = _SETTLEMENT.spendCredits(from, amount);
            job.payment = floorPrice;
            emit IJobMarket.CreditFloorSet(jobId, floorPrice);
            return;
        }
        _pullToken(token, from, amount);
    }

    /// @dev Pulls exactly `amount` of ERC-20 `token`; a token that delivers less (fee on transfer) is rejected.
    function _pullToken(address token, address from, uint256 amount) internal {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert IJobMarket.MarketFeeOnTransferToken(token, amount, received);
    }

    function _setMarketParams(IJobMarket.MarketParams memory p) internal {
        _checkBound(IJobMarket.Parameter.FeeBps, p.feeBps, 0, MAX_FEE_BPS);
        _checkBound(IJobMarket.Parameter.CollateralBps, p.collateralBps, 100, JobMath.BPS);
        _checkBound(IJobMarket.Parameter.HoldbackBps, p.holdbackBps, 0, 5_000);
        _checkBound(IJobMarket.Parameter.SlashToRenterBps, p.slashToRenterBps, 0, JobMath.BPS);
        _checkBound(IJobMarket.Parameter.FaultSlashBps, p.faultSlashBps, 1, JobMath.BPS);
        _checkBound(IJobMarket.Parameter.DisputeBondBps, p.disputeBondBps, 1, 5_000);
        _checkBound(IJobMarket.Parameter.MaxBids, p.maxBids, 1, 256);
        _checkBound(IJobMarket.Parameter.BidBond, p.bidBond, 1e18, 100_000e18);
        _checkBound(IJobMarket.Parameter.BidBondBps, p.bidBondBps, 0, 5_000);
        _checkBound(IJobMarket.Parameter.StartWindow, p.startWindow, 5 minutes, 7 days);
        _checkBound(IJobMarket.Parameter.ChallengeWindow, p.challengeWindow, 1 hours, MAX_CHALLENGE_WINDOW);
        _checkBound(IJobMarket.Parameter.DisputeTimeout, p.disputeTimeout, 1 hours, MAX_DISPUTE_TIMEOUT);
        _checkBound(IJobMarket.Parameter.DeliveryGrace, p.deliveryGrace, 0, 1 days);
        uint32 paramsId = uint32(_currentParamsId) + 1;
        // A job stores its parameter set's id in 16 bits.
        if (paramsId > type(uint16).max) revert IJobMarket.MarketParamsExhausted(type(uint16).max);
        _currentParamsId = uint16(paramsId);
        _params[paramsId] = p;
        emit IJobMarket.MarketParamsSet(paramsId, p);
    }

    function _checkBound(IJobMarket.Parameter parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IJobMarket.MarketParameterOutOfBounds(parameter, value, min, max);
    }
}
