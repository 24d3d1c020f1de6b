// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProviderRegistry} from "./IProviderRegistry.sol";
import {ISettlement} from "./ISettlement.sol";

/// @title IJobMarket
/// @notice The Gridlease job lifecycle: escrowed job creation, a sealed-bid reverse auction (or instant
/// acceptance), execution with streaming payment, delivery, a challenge window, disputes and timeouts.
/// @dev Money never leaves by push: every payout and refund is credited to a per-token ledger and pulled
/// with {withdraw}, so a payee that cannot receive blocks nobody else. Every transition that depends only
/// on time can be triggered by anyone. Governance parameters are snapshotted: a job keeps the parameter
/// set that was current at its creation, whatever governance changes later.
///
/// Times are half-open: a deadline is the first second at which its action is no longer allowed, and
/// the first second at which the matching timeout action is.
interface IJobMarket {
    // ------------------------------------------------------------------------------------------------
    // Types
    // ------------------------------------------------------------------------------------------------

    /// @notice How the auction sets the price.
    /// @dev FirstPrice: the winner's own bid. SecondPrice (Vickrey): the second-lowest revealed bid, or
    /// the reserve with a single reveal. Instant: no auction; the first eligible provider to accept wins
    /// at the reserve.
    enum PricingRule {
        FirstPrice,
        SecondPrice,
        Instant
    }

    /// @notice A job's state. `Revealing` is never stored: {stateOf} reports it for a `Bidding` job
    /// whose bid window has closed.
    enum JobState {
        None,
        Bidding,
        Revealing,
        Awarded,
        Running,
        Delivered,
        Disputed,
        Settled,
        Expired,
        Cancelled,
        Failed,
        Resolved
    }

    /// @notice The arbiter's ruling on a dispute.
    enum Ruling {
        ProviderFault,
        RenterFault
    }

    /// @notice Why a job failed.
    enum FailureReason {
        NoShow,
        LateDelivery
    }

    /// @notice The job request field named by {MarketInvalidRequest}.
    enum RequestField {
        GpuModel,
        GpuCount,
        MinReputation,
        Duration,
        ReservePricePerGpuHour,
        BidWindow,
        RevealWindow,
        MinVramGb,
        SpecHash
    }

    /// @notice The governance parameter named by {MarketParameterOutOfBounds}, in {MarketParams} order.
    enum Parameter {
        FeeBps,
        CollateralBps,
        HoldbackBps,
        SlashToRenterBps,
        FaultSlashBps,
        DisputeBondBps,
        MaxBids,
        BidBond,
        BidBondBps,
        StartWindow,
        ChallengeWindow,
        DisputeTimeout,
        DeliveryGrace
    }

    /// @notice What a renter asks for when creating a job.
    /// @param paymentToken An allow-listed stablecoin, or the settlement contract's address to pay in USD
    /// credits (the burn-mint path; see {ISettlement}).
    /// @param gpuModel GPU model id (bytes32 short string, as in the registry).
    /// @param gpuCount GPUs needed, all from one provider.
    /// @param minVramGb Minimum memory per GPU.
    /// @param region Required provider region, 0 for any.
    /// @param minReputation Minimum provider reputation, in [0, 10000].
    /// @param duration Seconds of compute.
    /// @param reservePricePerGpuHour Highest acceptable price per GPU-hour, in payment token units.
    /// @param pricingRule FirstPrice, SecondPrice or Instant.
    /// @param bidWindow Seconds during which providers commit bids (or, for Instant, may accept).
    /// @param revealWindow Seconds after the bid window during which bids are revealed (0 for Instant).
    /// @param specHash What the job runs: the hash of its workload spec (non-zero). Providers' sealed bids
    /// and the delivery refer to it, so a provider cannot later claim it ran something else.
    struct JobRequest {
        address paymentToken;
        bytes32 gpuModel;
        uint32 gpuCount;
        uint32 minVramGb;
        uint16 region;
        uint16 minReputation;
        uint40 duration;
        uint96 reservePricePerGpuHour;
        PricingRule pricingRule;
        uint40 bidWindow;
        uint40 revealWindow;
        bytes32 specHash;
    }

    /// @notice Governance parameters. Each job uses the set current at its creation.
    /// @param feeBps Protocol fee on every payout to the provider (at most MAX_FEE_BPS).
    /// @param collateralBps Winner's collateral as a share of the job value, locked in GRL at the oracle price.
    /// @param holdbackBps Share of accrued pay kept back until settlement.
    /// @param slashToRenterBps Share of slashed collateral sent to the renter; the rest is burned.
    /// @param faultSlashBps Share of the collateral slashed on a no-show or late delivery (a lost
    /// dispute slashes all of it).
    /// @param disputeBondBps The renter's dispute bond as a share of the job value: in the payment token for a
    /// stablecoin job, in GRL at the job's creation price for a credit job (see {disputeBondOf}).
    /// @param maxBids Most sealed bids a job accepts.
    /// @param bidBond The least GRL a bid bonds: locked from the bidder's stake at commit, burned if not revealed.
    /// @param bidBondBps A bid's bond as a share of the job's budget, in GRL at the oracle price of the job's
    /// creation (like the collateral), when that is more than `bidBond`. A spare sybil commitment (the
    /// last-revealer option, a renter's shill) then costs in proportion to the job it games. At most 5,000.
    /// @param startWindow Seconds after award within which the winner must start.
    /// @param challengeWindow Seconds after delivery during which the renter may dispute (at most 3 days).
    /// @param disputeTimeout Seconds the arbiter has to rule before the job settles as delivered (at most
    /// 3 days). Together at most 6 days: below the registry's 7-day unbonding floor, so stake can never
    /// finish unbonding while a job it backed can still be disputed.
    /// @param deliveryGrace Seconds after the paid duration within which the provider must deliver.
    struct MarketParams {
        uint16 feeBps;
        uint16 collateralBps;
        uint16 holdbackBps;
        uint16 slashToRenterBps;
        uint16 faultSlashBps;
        uint16 disputeBondBps;
        uint16 maxBids;
        uint96 bidBond;
        uint16 bidBondBps;
        uint32 startWindow;
        uint32 challengeWindow;
        uint32 disputeTimeout;
        uint32 deliveryGrace;
    }

    /// @notice A job as {jobOf} reports it. The market stores it packed into eight slots (see
    /// JobMarketBase.JobRecord); `clearingPrice` and, after award, `collateral` are derived, not stored.
    /// @param state Stored state (never `Revealing`; `None` only for an id never created).
    /// @param pricingRule See {PricingRule}.
    /// @param paramsId The governance parameter set the job uses.
    /// @param gpuCount GPUs required.
    /// @param duration Seconds of compute.
    /// @param deadline The current step's deadline: start, delivery, challenge or dispute deadline.
    /// @param startedAt When the provider started (0 before). uint32 seconds, valid until 2106.
    /// @param deliveredAt When the provider delivered (0 before). Until the job settles as delivered, pay
    /// accrues only up to this moment: an early delivery earns the whole value only once accepted.
    /// @param bidCount Sealed bids committed.
    /// @param revealCount Sealed bids revealed.
    /// @param provider The best revealed bidder during the auction; the winner after award.
    /// @param bestPrice The lowest revealed price.
    /// @param escrow Payment token still held for the job (budget, then value less payouts).
    /// @param claimed Gross pay already released to the provider (fees included).
    /// @param gpuModel GPU model id.
    /// @param paymentToken The stablecoin escrowed (the settlement contract for a credit job).
    /// @param disputeBond What the renter bonded to dispute, in the bond token (see {disputeBondOf}: the payment
    /// token, or GRL for a credit job); held only while Disputed, kept as a record after the ruling or timeout
    /// pays it out to the market's ledger ({balanceOf}, {withdraw}).
    /// @param renter Who created and pays for the job.
    /// @param collateral GRL locked from the winner's stake for the job (at the reserve until award, then
    /// scaled to the clearing price, rounded up).
    /// @param bidDeadline End of the bid (or instant acceptance) window.
    /// @param revealDeadline End of the reveal window.
    /// @param minVramGb Minimum memory per GPU.
    /// @param region Required region (0 = any).
    /// @param minReputation Minimum provider reputation.
    /// @param reservePricePerGpuHour The renter's ceiling.
    /// @param secondPrice The second-lowest revealed price (0 if fewer than two reveals).
    /// @param clearingPrice The price per GPU-hour the job runs at, from award (or the instant accept) on;
    /// 0 before. Not stored (always 0 in storage): {jobOf} derives it from the pricing rule and the prices,
    /// so that awarding a one-bid job sets no slot from zero.
    /// @param specHash The hash of the job's workload spec.
    struct Job {
        JobState state;
        PricingRule pricingRule;
        uint32 paramsId;
        uint32 gpuCount;
        uint40 duration;
        uint40 deadline;
        uint32 startedAt;
        uint32 deliveredAt;
        uint16 bidCount;
        uint16 revealCount;
        address provider;
        uint96 bestPrice;
        uint128 escrow;
        uint128 claimed;
        bytes32 gpuModel;
        address paymentToken;
        uint96 disputeBond;
        address renter;
        uint96 collateral;
        uint40 bidDeadline;
        uint40 revealDeadline;
        uint32 minVramGb;
        uint16 region;
        uint16 minReputation;
        uint96 reservePricePerGpuHour;
        uint96 secondPrice;
        uint96 clearingPrice;
        bytes32 specHash;
    }

    /// @notice A provider's sealed bid on a job.
    enum BidStatus {
        None,
        Committed,
        Revealed,
        Closed
    }

    /// @notice A bid as {bidOf} reports it. The market stores one word per bid: the status, and the
    /// commitment's low 248 bits until the reveal, the revealed price after it.
    /// @param commitment The commitment's low 248 bits (its first byte reads 0) while committed; 0 after
    /// the reveal. keccak256(abi.encode(jobId, provider, price, salt, chainid, market, specHash)).
    /// @param lockedGrl GRL locked from the bidder's stake: the bid bond plus collateral at the reserve;
    /// for the winner, from award on, the job's collateral.
    /// @param price The revealed price per GPU-hour (0 until revealed).
    /// @param status See {BidStatus}.
    struct Bid {
        bytes32 commitment;
        uint96 lockedGrl;
        uint96 price;
        BidStatus status;
    }

    // ------------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------------

    /// @notice A constructor or setter address argument is zero.
    error MarketZeroAddress(string what);

    /// @notice The payment token is not allow-listed.
    error MarketTokenNotAllowed(address token);

    /// @notice The token has more than 18 decimals, which the USD normalisation does not support.
    error MarketTokenDecimalsUnsupported(address token, uint8 decimals);

    /// @notice The token's address is below 2^64 (its top 96 bits are all zero): the market keeps a credit
    /// job's mint floor where a stablecoin job keeps its token, and tells them apart by that range. No
    /// contract deployed by CREATE or CREATE2 has such an address in practice.
    error MarketTokenAddressReserved(address token);

    /// @notice The token delivered less than was transferred (fee-on-transfer tokens are not supported).
    error MarketFeeOnTransferToken(address token, uint256 expected, uint256 received);

    /// @notice A job request field is invalid.
    /// @param field The offending field.
    error MarketInvalidRequest(RequestField field);

    /// @notice A job's value at the reserve rounds to zero.
    error MarketJobValueZero();

    /// @notice A job's value at the reserve exceeds what a job may escrow (`maxValue`, the uint96 range).
    error MarketJobValueTooLarge(uint256 value, uint256 maxValue);

    /// @notice A registry call failed without a reason (for example it ran out of gas): retry with more gas.
    error MarketRegistryCallFailed();

    /// @notice The disputes module was called directly; it runs only through the market.
    error MarketNotDelegated();

    /// @notice Governance has set the most parameter sets a job can refer to (ids are 16-bit).
    error MarketParamsExhausted(uint256 maxParamsId);

    /// @notice No job has this id.
    error MarketUnknownJob(uint256 jobId);

    /// @notice The job is not in a state that allows the action.
    error MarketWrongState(uint256 jobId, JobState state);

    /// @notice The caller is not the job's renter.
    error MarketNotRenter(uint256 jobId, address caller);

    /// @notice The caller is not the job's provider.
    error MarketNotProvider(uint256 jobId, address caller);

    /// @notice The action's window has closed.
    error MarketWindowClosed(uint256 jobId, uint256 deadline, uint256 nowTimestamp);

    /// @notice The action's window has not opened yet (or its timeout has not passed).
    error MarketTooEarly(uint256 jobId, uint256 opensAt, uint256 nowTimestamp);

    /// @notice The job uses a pricing rule the action does not apply to.
    error MarketWrongPricingRule(uint256 jobId, PricingRule pricingRule);

    /// @notice The job already has the maximum number of bids.
    error MarketBidCapReached(uint256 jobId, uint16 maxBids);

    /// @notice The provider already committed a bid on the job.
    error MarketAlreadyBid(uint256 jobId, address provider);

    /// @notice The commitment is zero.
    error MarketZeroCommitment();

    /// @notice The provider has no committed, unrevealed bid on the job.
    error MarketNoCommittedBid(uint256 jobId, address provider);

    /// @notice The revealed price and salt do not hash to the commitment.
    error MarketCommitmentMismatch(uint256 jobId, address provider);

    /// @notice A revealed price is zero or above the reserve.
    error MarketInvalidBidPrice(uint256 price, uint256 reservePricePerGpuHour);

    /// @notice The bid has nothing left to close (never committed, already closed, or the winner's).
    error MarketBidNotClosable(uint256 jobId, address provider, BidStatus status);

    /// @notice The renter cannot cancel a job that has bids once its bid window has closed.
    error MarketJobHasBids(uint256 jobId, uint16 bidCount);

    /// @notice Nothing has accrued to claim yet.
    error MarketNothingToClaim(uint256 jobId);

    /// @notice A result commitment is missing.
    error MarketEmptyResult();

    /// @notice A URI is longer than MAX_URI_LENGTH.
    error MarketUriTooLong(uint256 length, uint256 maxLength);

    /// @notice The job cannot be failed now.
    error MarketNotFailable(uint256 jobId, JobState state);

    /// @notice The account has nothing to withdraw in this token.
    error MarketNothingToWithdraw(address token, address account);

    /// @notice A governance parameter is outside its hard bounds.
    error MarketParameterOutOfBounds(Parameter parameter, uint256 value, uint256 min, uint256 max);

    // ------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------

    /// @notice A job was created and its budget escrowed.
    /// @param request The request as the renter sent it (GPU model and count, requirements, duration,
    /// reserve, pricing rule, windows and the workload's spec hash).
    /// @param bidDeadline End of the bid (or instant acceptance) window.
    /// @param revealDeadline End of the reveal window (the bid deadline for an instant job).
    /// @param escrow Budget escrowed: reserve x GPUs x duration / 1 hour.
    /// @param paramsId The governance parameter set the job uses.
    event JobCreated(
        uint256 indexed jobId,
        address indexed renter,
        address indexed paymentToken,
        JobRequest request,
        uint40 bidDeadline,
        uint40 revealDeadline,
        uint128 escrow,
        uint32 paramsId
    );

    /// @notice Credit job `jobId`'s mint floor (see {ISettlement-spendCredits}): set when its budget is
    /// escrowed (right after JobCreated), never changed after. Every refund and payment of the job's
    /// credits uses it, so its pay never mints more GRL than its renter
    /// burned for the credits.
    /// @param floorPrice USD per GRL in units of 1e-9 (type(uint64).max: no GRL behind the credits).
    event CreditFloorSet(uint256 indexed jobId, uint64 floorPrice);

    /// @notice The renter cancelled a job before its award (see {cancelJob}).
    event JobCancelled(uint256 indexed jobId, address indexed renter, uint128 refund);

    /// @notice A provider committed a sealed bid and locked `lockedGrl` of its stake.
    event BidCommitted(uint256 indexed jobId, address indexed provider, bytes32 commitment, uint96 lockedGrl, uint16 bidCount);

    /// @notice A provider revealed its bid.
    /// @param isBest Whether the bid is now the lowest.
    event BidRevealed(uint256 indexed jobId, address indexed provider, uint96 price, uint16 revealCount, bool isBest);

    /// @notice A losing bid's stake lock was released.
    event BidReleased(uint256 indexed jobId, address indexed provider, uint96 unlockedGrl);

    /// @notice An unrevealed bid's bond was burned (never paid to the renter, whose own sybil bidders could
    /// otherwise shill for free) and the rest of its lock was released. `renter` is the job's renter.
    event BidBondForfeited(
        uint256 indexed jobId, address indexed provider, address indexed renter, uint96 bond, uint96 unlockedGrl
    );

    /// @notice The auction closed with a winner (or an instant job was accepted).
    /// @param value The job's value at the clearing price, now escrowed.
    /// @param refund Escrow above the value, credited back to the renter.
    /// @param collateral GRL locked from the winner's stake.
    event JobAwarded(
        uint256 indexed jobId,
        address indexed renter,
        address indexed provider,
        bytes32 gpuModel,
        uint32 gpuCount,
        PricingRule pricingRule,
        uint96 clearingPrice,
        uint96 reservePricePerGpuHour,
        uint128 value,
        uint128 refund,
        uint96 collateral,
        uint16 bidCount,
        uint16 revealCount,
        uint40 startDeadline
    );

    /// @notice The auction closed without a valid reveal (or an instant job without acceptance).
    event JobExpired(uint256 indexed jobId, address indexed renter, uint128 refund, uint16 bidCount);

    /// @notice The provider started the job; its GPUs are leased until it ends.
    event JobStarted(
        uint256 indexed jobId, address indexed provider, bytes32 gpuModel, uint32 gpuCount, uint40 startedAt, uint40 endsAt
    );

    /// @notice Pay was released to the provider. `gross` = `net` + `fee`.
    /// @param claimed Gross pay released for the job so far.
    event PaymentClaimed(
        uint256 indexed jobId, address indexed provider, address indexed paymentToken, uint128 gross, uint128 fee, uint128 claimed
    );

    /// @notice The renter stopped a running job: accrued pay to the provider, the rest refunded.
    event JobStopped(
        uint256 indexed jobId,
        address indexed renter,
        address indexed provider,
        uint128 providerGross,
        uint128 fee,
        uint128 refund,
        uint40 ranSeconds
    );

    /// @notice The provider delivered a result; the challenge window is open until `challengeDeadline`.
    /// @param specHash The job's workload spec hash, which the result (its manifest) answers.
    event JobDelivered(
        uint256 indexed jobId,
        address indexed provider,
        bytes32 resultHash,
        bytes32 specHash,
        string resultURI,
        uint40 challengeDeadline
    );

    /// @notice The job settled: the provider was paid the rest of the value and its collateral released.
    /// @param bondToProvider The renter's dispute bond paid to the provider (RenterFault ruling), else 0. Like
    /// `bondRefund`, it is in the bond token of {JobDisputed} (GRL for a credit job), not the payment token.
    /// @param bondRefund The renter's dispute bond returned (dispute timeout), else 0.
    event JobSettled(
        uint256 indexed jobId,
        address indexed renter,
        address indexed provider,
        address paymentToken,
        uint128 value,
        uint128 finalGross,
        uint128 fee,
        uint128 bondToProvider,
        uint128 bondRefund,
        uint16 reputation
    );

    /// @notice The renter disputed the delivery, bonding `bond` of `bondToken`: the payment token of a
    /// stablecoin job, GRL for a credit job (see {disputeBondOf}). Whoever the ruling or the timeout gives the
    /// bond to is credited with it on the market's ledger, in `bondToken`.
    event JobDisputed(
        uint256 indexed jobId,
        address indexed renter,
        bytes32 evidenceHash,
        address bondToken,
        uint96 bond,
        uint40 disputeDeadline
    );

    /// @notice The arbiter ruled ProviderFault: the provider was paid what had accrued up to its delivery
    /// less the holdback, the renter got the rest of the escrow and its bond back, and the provider's
    /// whole collateral was slashed.
    /// @param providerGross Pay released to the provider by the ruling (fee included): pay accrued up to
    /// the delivery, less the holdback, less what it had already claimed.
    /// @param fee Protocol fee on `providerGross`.
    /// @param refund Escrow refunded to the renter (the holdback plus any value not accrued by the
    /// delivery); its dispute bond (see {JobDisputed}) is credited back to it on the market's ledger, in the
    /// bond token (GRL for a credit job, whose refund itself goes back as credits).
    event DisputeResolvedForRenter(
        uint256 indexed jobId,
        address indexed renter,
        address indexed provider,
        address arbiter,
        uint128 providerGross,
        uint128 fee,
        uint128 refund,
        uint96 slashedToRenter,
        uint96 slashedBurned,
        uint16 reputation
    );

    /// @notice The arbiter ruled RenterFault (the job then settles; see {JobSettled}).
    event DisputeResolvedForProvider(uint256 indexed jobId, address indexed arbiter);

    /// @notice The job failed: the renter was refunded and part of the collateral slashed.
    event JobFailed(
        uint256 indexed jobId,
        address indexed renter,
        address indexed provider,
        FailureReason reason,
        uint128 refund,
        uint96 slashedToRenter,
        uint96 slashedBurned,
        uint16 reputation
    );

    /// @notice An account withdrew its balance of `token`.
    event Withdrawn(address indexed token, address indexed account, address indexed to, uint256 amount);

    /// @notice Governance set a new parameter set, used by jobs created from now on.
    event MarketParamsSet(uint32 indexed paramsId, MarketParams params);

    /// @notice Governance allow-listed or delisted a payment token.
    event PaymentTokenSet(address indexed token, bool allowed, uint8 decimals);

    /// @notice Governance changed the treasury.
    event TreasurySet(address previous, address current);

    /// @notice Governance changed the price oracle.
    event OracleSet(address previous, address current);

    // ------------------------------------------------------------------------------------------------
    // Renter actions
    // ------------------------------------------------------------------------------------------------

    /// @notice Creates a job and escrows its budget (reserve x GPUs x duration / 1 hour) from the caller.
    /// @return jobId The new job's id (ids start at 1).
    function createJob(JobRequest calldata request) external returns (uint256 jobId);

    /// @notice Like {createJob}, with an EIP-2612 permit for the escrow instead of a prior approval.
    /// @dev A failing permit (for example front-run) is ignored; the transfer then needs an allowance.
    function createJobWithPermit(JobRequest calldata request, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 jobId);

    /// @notice Cancels a job before it is awarded or expired and refunds the escrow: at any time while it has
    /// no bid (or, for an instant job, nobody accepted it), and during its bid window even with sealed bids.
    /// @dev Cancelling with bids is the renter's way out of a squatted auction (sybil bidders that fill
    /// `maxBids` right after creation, to win at the reserve): nothing is revealed yet, and each bidder
    /// gets its whole lock back through {closeBid}, losing only gas. Once reveals begin the renter is bound.
    function cancelJob(uint256 jobId) external;

    /// @notice Stops a running job before its delivery deadline: pay accrued so far goes to the provider,
    /// the rest is refunded. Past the deadline, use {failJob}.
    function stopJob(uint256 jobId) external;

    /// @notice Disputes a delivery within the challenge window, bonding disputeBondBps of the job value, in the
    /// token and amount {disputeBondOf} quotes (the caller approves the market for it first). A credit job's
    /// bond is in GRL, not credits: credits come only from `buyCredits`, which a pause or a stale oracle stops,
    /// and neither may keep a renter from disputing. No oracle is read.
    /// @param evidenceHash Hash of the renter's evidence (stored off-chain).
    function dispute(uint256 jobId, bytes32 evidenceHash) external;

    // ------------------------------------------------------------------------------------------------
    // Provider actions
    // ------------------------------------------------------------------------------------------------

    /// @notice Commits a sealed bid, locking the bid bond plus collateral at the reserve from the caller's stake.
    /// @param commitment keccak256(abi.encode(jobId, provider, pricePerGpuHour, salt, block.chainid, market,
    /// specHash)); see {bidCommitment}. Its low 248 bits are stored and checked at the reveal.
    function commitBid(uint256 jobId, bytes32 commitment) external;

    /// @notice Reveals a committed bid during the reveal window. The caller must still be qualified for the
    /// job (the registry's `requireQualified` errors otherwise).
    function revealBid(uint256 jobId, uint96 pricePerGpuHour, bytes32 salt) external;

    /// @notice Accepts an instant job at its reserve price.
    function acceptInstant(uint256 jobId) external;

    /// @notice Accepts an instant job at its reserve price and starts it in the same transaction, leasing
    /// the GPUs: {acceptInstant} then {startJob}, for a provider that is ready to run at once.
    /// @dev Same checks, errors and pause as {acceptInstant} (reverts `EnforcedPause()` while paused,
    /// `MarketUnknownJob`, `MarketWrongState` unless Bidding, `MarketWrongPricingRule` unless Instant,
    /// `MarketWindowClosed` at or after the bid deadline, the registry's eligibility errors, and its
    /// lease errors). Emits exactly what the two calls would, in the same order and with the same
    /// arguments: `JobAwarded` (start deadline now + startWindow), the registry's `CollateralLocked`
    /// (when the collateral is non-zero), `JobStarted`, the registry's `GpusLeased`. The job ends Running,
    /// its deadline the delivery deadline (now + duration + deliveryGrace).
    /// @param jobId The instant job to accept and start.
    function acceptInstantAndStart(uint256 jobId) external;

    /// @notice Starts an awarded job before its start deadline, leasing the GPUs.
    function startJob(uint256 jobId) external;

    /// @notice Closes the auction the caller won and starts the job in the same transaction, leasing the
    /// GPUs: {award} then {startJob}, for the winning provider once the reveal window has ended.
    /// @dev Same checks and errors as {award} (`MarketUnknownJob`, `MarketWrongState` unless the auction
    /// is still open to award, `MarketTooEarly` before the reveal deadline), then `MarketNotProvider`
    /// unless the caller holds the best revealed bid (so a job nobody revealed for, or an instant job,
    /// cannot pass: {award} expires those), then the registry's lease errors. Not stopped by a pause,
    /// like {award} and {startJob}. Emits exactly what the two calls would, in the same order and with
    /// the same arguments: `JobAwarded` (start deadline now + startWindow), the registry's
    /// `CollateralUnlocked` (when the bid bond and the collateral above the clearing price are
    /// non-zero), `JobStarted`, the registry's `GpusLeased`. The renter's refund of the budget above the
    /// job's value is credited to its balance, as {award} does. The job ends Running, its deadline the
    /// delivery deadline (now + duration + deliveryGrace).
    /// @param jobId The auction job to award to the caller and start.
    function awardAndStart(uint256 jobId) external;

    /// @notice Releases the pay accrued so far, less the holdback, to the caller's balance. While running,
    /// only before the delivery deadline; once delivered or disputed, pay accrued up to the delivery.
    /// @return gross Pay released, fee included.
    function claim(uint256 jobId) external returns (uint128 gross);

    /// @notice Delivers the result and opens the challenge window; the GPUs are released.
    function deliver(uint256 jobId, bytes32 resultHash, string calldata resultURI) external;

    // ------------------------------------------------------------------------------------------------
    // Anyone (keepers)
    // ------------------------------------------------------------------------------------------------

    /// @notice Closes the auction after the reveal window: awards the best bid, or expires the job. A best
    /// bidder that is no longer qualified (offline, reputation below the job's minimum, model delisted; see
    /// IProviderRegistry.requireQualified) does not win: the job expires with a full refund and that bidder's
    /// bond is burned (`JobExpired`, then `BidBondForfeited`).
    function award(uint256 jobId) external;

    /// @notice Closes a losing or unrevealed bid after the auction: releases its lock, or burns its bond
    /// when it was never revealed. A bid on a job the renter cancelled is released in full: it had no
    /// chance to reveal.
    function closeBid(uint256 jobId, address provider) external;

    /// @notice Settles a delivered job: anyone may once the challenge window is over; the job's renter may at
    /// once, accepting the result and giving up its right to dispute it (a renter that has verified the
    /// outputs need not keep the provider waiting a day). Anyone else before the deadline: `MarketTooEarly`.
    function settle(uint256 jobId) external;

    /// @notice Settles a disputed job as delivered once the arbiter's time has run out; the bond returns.
    function settleDisputeTimeout(uint256 jobId) external;

    /// @notice Fails a job whose provider did not start by the start deadline, or did not deliver by
    /// the end of the duration plus the delivery grace. The renter is refunded what is still escrowed
    /// (pay the provider claimed while running stays paid: the holdback is the renter's protection).
    function failJob(uint256 jobId) external;

    /// @notice Sends the caller's whole balance of `token` to `to`.
    /// @return amount What was sent.
    function withdraw(address token, address to) external returns (uint256 amount);

    // ------------------------------------------------------------------------------------------------
    // Arbiter and governance
    // ------------------------------------------------------------------------------------------------

    /// @notice Rules on a disputed job before its dispute deadline. Only ARBITER_ROLE.
    function resolveDispute(uint256 jobId, Ruling ruling) external;

    /// @notice Pauses new business: {createJob}, {createJobWithPermit}, {commitBid}, {acceptInstant} and
    /// {acceptInstantAndStart} then revert with Pausable's `EnforcedPause()`. Only GUARDIAN_ROLE; emits `Paused(guardian)`.
    /// @dev Never stops a job already under way or money going out: reveals, award, start, claim,
    /// delivery, stop, disputes and rulings, settlement, timeouts, closeBid, cancelJob and withdraw all
    /// keep working, so a pause cannot trap escrow, stake or pay. Reverts `EnforcedPause()` if already
    /// paused. `paused()` (from OpenZeppelin's Pausable) reports the state.
    function pause() external;

    /// @notice Lifts the pause. Only GUARDIAN_ROLE; emits `Unpaused(guardian)`. Reverts `ExpectedPause()`
    /// if not paused.
    function unpause() external;

    /// @notice Sets the parameters for jobs created from now on. Only GOVERNANCE_ROLE.
    function setMarketParams(MarketParams calldata params) external;

    /// @notice Allow-lists or delists a payment token. Only GOVERNANCE_ROLE. Delisting stops new jobs
    /// only; running jobs and withdrawals are unaffected. Allowing reads and checks the decimals.
    /// Reverts `MarketTokenAddressReserved` for an address below 2^64.
    function setPaymentToken(address token, bool allowed) external;

    /// @notice Sets where protocol fees accrue. Only GOVERNANCE_ROLE.
    function setTreasury(address treasury) external;

    /// @notice Sets the GRL/USD oracle used to size collateral. Only GOVERNANCE_ROLE.
    function setOracle(address oracle) external;

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @notice The provider registry (stake, eligibility, GPU leases, reputation).
    // solhint-disable-next-line func-name-mixedcase
    function REGISTRY() external view returns (IProviderRegistry);

    /// @notice The settlement contract: USD credits, earnings and emissions; its address is the payment
    /// token of credit jobs.
    // solhint-disable-next-line func-name-mixedcase
    function SETTLEMENT() external view returns (ISettlement);

    /// @notice Where protocol fees accrue.
    function treasury() external view returns (address);

    /// @notice The module the market delegate-calls for disputes, failures, the renter's exits, closing
    /// bids and governance (see JobMarketDisputes); it holds no state of its own.
    // solhint-disable-next-line func-name-mixedcase
    function DISPUTES() external view returns (address);

    /// @notice Jobs created so far: the latest job id (ids start at 1).
    function jobCount() external view returns (uint256);

    /// @notice The job as stored, with its clearing price filled in (see {Job}); all zero for an unknown id.
    function jobOf(uint256 jobId) external view returns (Job memory);

    /// @notice The job's state, with `Revealing` for a bidding job whose bid window has closed.
    function stateOf(uint256 jobId) external view returns (JobState);

    /// @notice GRL a sealed bid on the job bonds (locked at commit with the collateral at the reserve, burned
    /// if never revealed): `bidBondBps` of the budget at the job's creation price, at least `bidBond`.
    function bidBondOf(uint256 jobId) external view returns (uint96);

    /// @notice What {dispute} would bond for the job: `disputeBondBps` of its value, in its payment token for a
    /// stablecoin job, or in GRL for a credit job, at the GRL price of the job's creation (the collateral scaled
    /// from `collateralBps`, rounded up). While the job is still bidding, the value is its budget at the reserve.
    /// @return token The ERC-20 the bond is pulled in and paid out in.
    /// @return amount The bond, in `token` units.
    function disputeBondOf(uint256 jobId) external view returns (address token, uint96 amount);

    /// @notice A provider's bid on a job.
    function bidOf(uint256 jobId, address provider) external view returns (Bid memory);

    /// @notice GRL of `provider`'s stake that the job holds locked now. The registry keeps one locked total
    /// per provider; the market keeps each job's share, and over all jobs the shares sum to the provider's
    /// `lockedStake`. The share is the bid bond plus the collateral at the reserve while the provider's bid is
    /// committed or revealed, the job's collateral while the provider holds the job (awarded, running,
    /// delivered or disputed), and 0 otherwise (an unknown job included).
    function lockOf(uint256 jobId, address provider) external view returns (uint96);

    /// @notice The parameter set `paramsId`.
    function marketParams(uint32 paramsId) external view returns (MarketParams memory);

    /// @notice The id of the parameter set new jobs use.
    function currentParamsId() external view returns (uint32);

    /// @notice What `account` can withdraw in `token`.
    function balanceOf(address token, address account) external view returns (uint256);

    /// @notice The job's value at a price: price x GPUs x duration / 1 hour, rounded down.
    function jobValue(uint96 pricePerGpuHour, uint32 gpuCount, uint40 duration) external pure returns (uint128);

    /// @notice The commitment a provider must submit for a bid; it binds the job's spec hash. Computing it
    /// locally is better: this call sends the price and salt to the RPC endpoint.
    function bidCommitment(uint256 jobId, address provider, uint96 pricePerGpuHour, bytes32 salt)
        external
        view
        returns (bytes32);

    /// @notice Gross pay accrued to the provider so far (before the holdback and fees): by the second
    /// while running, up to the delivery once delivered or disputed, the whole value once settled.
    function accruedOf(uint256 jobId) external view returns (uint128);
}
