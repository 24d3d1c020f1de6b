// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGridleaseToken} from "./IGridleaseToken.sol";
import {IPriceOracle} from "./IPriceOracle.sol";

/// @title ISettlement
/// @notice The Gridlease burn-mint equilibrium (the Akash-ACT / Render model): renters buy USD credits by
/// burning GRL at the oracle price; jobs are escrowed and refunded in credits through the job market; the
/// USD that providers (and the treasury, as fees) earn from credit jobs is minted as GRL at the live
/// oracle price when they withdraw, within a per-epoch mint cap; and a governed GRL budget per epoch is
/// shared among providers by the GPU-hours they delivered, each capped at the fees its jobs paid.
///
/// @dev Units. Credits and USD earnings are dollars with 18 decimals (1 USD = 1e18). GRL is in wei.
/// Prices are USD per GRL with 18 decimals (from {IPriceOracle}).
///
/// The market's view. The job market treats this contract's address as the payment token of credit jobs:
/// escrowing calls {spendCredits}, a refund calls {refundCredits}, pay and fees call {accrueEarnings}, and
/// a job settled as delivered calls {recordGpuSeconds} with the GPU-seconds it actually ran (GPUs x time
/// from start to delivery, at most the duration) and the protocol fee on its value, in USD. Only the market (MARKET_ROLE) may call them. {decimals}
/// lets the market allow-list the credits like any token.
///
/// Conservation. Credits are never transferable nor redeemable for GRL; they only move between a renter's
/// balance, the market's escrow and providers' earnings:
///   credits outstanding == bought - spent + refunded
///   credits escrowed    == spent - refunded - earnings accrued
///
/// Cost basis. Credits are not redeemable, so the GRL a withdrawal mints is capped by the GRL burned for
/// the credits that paid it. Each account's credits carry a GRL cost basis: a purchase adds the GRL
/// burned less the spread (the GRL whose value became credits); spending credits moves their pro-rata
/// share of it (rounded down) into the market's escrow, which the market keeps per job as a mint floor
/// price: the credits' USD per GRL, in units of FLOOR_UNIT (1e-9 USD per GRL), rounded up
/// ({spendCredits}). Every refund and payment of the job's credits passes that floor back: a refund
/// returns amount / floor GRL of basis, a payment adds amount / floor GRL to the earner's GRL cap (both
/// rounded down), and a withdrawal mints min(USD at the live price, cap). So a round trip (buy credits,
/// pay oneself, withdraw) never returns more GRL than was burned less the spread, whatever the price
/// did, while a provider gets the full dollar value whenever GRL has not fallen below the renter's
/// purchase price. Burned GRL bounds what is owed:
///   sum of bases + escrowed basis + sum of caps + GRL minted or queued for earnings <= GRL burned
///
/// Mint queue. A withdrawal converts all of the caller's USD earnings to GRL at the live price (the amount
/// is fixed then: provider income is pegged to the dollar at withdrawal). It is minted at once as far as
/// the current epoch's mint cap allows; the rest joins a first-in first-out queue as a ticket. At each
/// later interaction (or {releaseQueuedMints}, which anyone may call) the current epoch's unused cap is
/// minted into this contract's custody for the front of the queue, and ticket holders pull what reached
/// them ({claimQueuedMint}). Queue positions are cumulative GRL amounts, so every step is O(1) whatever
/// the queue's length. An epoch nobody touches releases nothing: GRL minted for earnings in any epoch,
/// as counted by {mintedInEpoch}, never exceeds the cap (a cap lowered mid-epoch below what was already
/// minted stops further mints that epoch; it cannot undo them).
///
/// Emissions. Each epoch's budget is fixed when the epoch's first GPU-seconds are recorded (a later
/// governance change applies from the next epoch). After the epoch ends, each provider's share is
/// budget x its GPU-seconds / the epoch's GPU-seconds, rounded down, capped at the GRL worth (at the
/// claim-time price) of the protocol fees its jobs paid in the epoch, minted by {claimEmission} in O(1);
/// the part above the cap is never minted, so hiring oneself returns at most the fee paid. Nothing expires.
interface ISettlement {
    // ------------------------------------------------------------------------------------------------
    // Types
    // ------------------------------------------------------------------------------------------------

    /// @notice A governance parameter, named by {SettlementParameterOutOfBounds}.
    enum Parameter {
        SpreadBps,
        MintCapPerEpoch,
        EmissionBudgetPerEpoch,
        EpochLength
    }

    /// @notice A part of a withdrawal waiting in the mint queue.
    /// @param recipient Who receives the GRL.
    /// @param start The ticket's position in the queue: cumulative GRL queued before it.
    /// @param amount GRL the ticket is owed in total.
    /// @param claimed GRL already sent to the recipient.
    struct MintTicket {
        address recipient;
        uint128 start;
        uint128 amount;
        uint128 claimed;
    }

    /// @notice An epoch's emission book.
    /// @param budget GRL shared among the epoch's providers (fixed at the epoch's first record).
    /// @param gpuSeconds GPU-seconds delivered in the epoch, all providers.
    /// @param claimed GRL of the budget minted to providers so far.
    struct EpochEmission {
        uint128 budget;
        uint128 gpuSeconds;
        uint128 claimed;
    }

    // ------------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------------

    /// @notice A constructor or setter address argument is zero.
    error SettlementZeroAddress(string what);

    /// @notice The settlement itself cannot receive credits or GRL it would hold forever.
    error SettlementSelfRecipient();

    /// @notice An amount argument is zero.
    error SettlementZeroAmount();

    /// @notice The credits a purchase would give are fewer than the buyer's minimum (or zero).
    error SettlementSlippage(uint256 credits, uint256 minCredits);

    /// @notice The account has fewer credits than the market tried to escrow.
    error SettlementInsufficientCredits(address account, uint256 balance, uint256 needed);

    /// @notice The market tried to release more credits than it escrowed (a market accounting fault).
    error SettlementEscrowExceeded(uint256 escrowed, uint256 requested);

    /// @notice The account has no USD earnings to withdraw.
    error SettlementNoEarnings(address account);

    /// @notice The earnings are worth less than one GRL wei at the current price; they stay credited.
    error SettlementMintRoundsToZero(uint256 usdAmount, uint256 grlUsdPrice);

    /// @notice No mint ticket has this id.
    error SettlementUnknownTicket(uint256 ticketId);

    /// @notice The ticket has nothing released to claim yet (or was paid in full).
    error SettlementNothingToClaim(uint256 ticketId);

    /// @notice The epoch has not ended, so its emission cannot be claimed yet.
    error SettlementEpochNotEnded(uint256 epoch, uint256 currentEpoch);

    /// @notice The provider delivered no GPU-seconds in the epoch, or already claimed its emission.
    error SettlementNoEmission(uint256 epoch, address provider);

    /// @notice The market passed a zero mint floor (a market accounting fault).
    error SettlementZeroFloor();

    /// @notice A governance parameter is outside its hard bounds.
    error SettlementParameterOutOfBounds(Parameter parameter, uint256 value, uint256 min, uint256 max);

    // ------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------

    /// @notice `buyer` burned `grlBurned` GRL for `credits` USD credits, credited to `account`.
    /// @param usdValue The burned GRL's value at the price, before the spread, rounded down.
    event CreditsPurchased(
        address indexed buyer,
        address indexed account,
        uint256 grlBurned,
        uint256 usdValue,
        uint256 credits,
        uint256 grlUsdPrice,
        uint16 spreadBps,
        uint256 creditBalance
    );

    /// @notice The market escrowed `amount` of `account`'s credits (a new job's budget).
    /// @param basisOut GRL of the account's cost basis that left with the credits (rounded down).
    /// @param floorPrice The credits' mint floor, in FLOOR_UNITs (see {spendCredits}).
    /// @param creditBasis The account's cost basis left.
    event CreditsSpent(
        address indexed account,
        uint256 amount,
        uint256 creditBalance,
        uint256 creditsEscrowed,
        uint256 basisOut,
        uint64 floorPrice,
        uint256 creditBasis
    );

    /// @notice The market refunded `amount` credits from escrow to `account`.
    /// @param basisIn GRL of cost basis returned with them: amount / floorPrice, rounded down.
    /// @param creditBasis The account's cost basis after.
    event CreditsRefunded(
        address indexed account,
        uint256 amount,
        uint256 creditBalance,
        uint256 creditsEscrowed,
        uint256 basisIn,
        uint64 floorPrice,
        uint256 creditBasis
    );

    /// @notice The market paid `usdAmount` of escrowed credits to `account` as USD earnings (provider pay,
    /// or a protocol fee to the treasury).
    /// @param capIn GRL added to the account's withdrawal cap: usdAmount / floorPrice, rounded down.
    /// @param grlCap The account's GRL cap after.
    event EarningsAccrued(
        address indexed account,
        uint256 usdAmount,
        uint256 earningsBalance,
        uint256 creditsEscrowed,
        uint256 capIn,
        uint64 floorPrice,
        uint256 grlCap
    );

    /// @notice `account` withdrew `usdAmount` of earnings as `grlAmount` GRL to `recipient`: `mintedNow`
    /// at once, the rest (`queued`) as mint ticket `ticketId` (0 when nothing was queued). `grlAmount` is
    /// the USD at `grlUsdPrice`, capped at `grlCap` (the account's cap, spent in full by the withdrawal).
    event EarningsWithdrawn(
        address indexed account,
        address indexed recipient,
        uint256 usdAmount,
        uint256 grlAmount,
        uint256 grlUsdPrice,
        uint256 mintedNow,
        uint256 indexed ticketId,
        uint256 queued,
        uint256 epoch,
        uint256 grlCap
    );

    /// @notice GRL for earnings was minted in `epoch`, either straight to a withdrawing account or into
    /// custody for the queue; `mintedInEpoch` is the epoch's total after it, never above the cap.
    event EarningsMinted(uint256 indexed epoch, address indexed to, uint256 amount, uint256 mintedInEpoch, uint256 cap);

    /// @notice The queue's front advanced by `amount` GRL (minted into custody) to position `queueHead`.
    event QueuedMintsReleased(uint256 indexed epoch, uint256 amount, uint256 queueHead, uint256 queueTail);

    /// @notice `amount` GRL of ticket `ticketId` went from custody to its recipient.
    event QueuedMintClaimed(uint256 indexed ticketId, address indexed recipient, uint256 amount, uint256 claimed, uint256 ticketAmount);

    /// @notice The market recorded `gpuSeconds` delivered by `provider` in `epoch`, for emissions, and the
    /// protocol fee `feesUsd` (USD, 18 decimals) its job paid, which caps the provider's emission.
    /// @param providerGpuSeconds The provider's GPU-seconds in the epoch so far.
    /// @param epochBudget The epoch's emission budget (fixed by its first record).
    /// @param providerFeesUsd The provider's fees in the epoch so far.
    event GpuSecondsRecorded(
        uint256 indexed epoch,
        address indexed provider,
        uint256 gpuSeconds,
        uint256 providerGpuSeconds,
        uint256 epochGpuSeconds,
        uint256 epochBudget,
        uint256 feesUsd,
        uint256 providerFeesUsd
    );

    /// @notice `provider` was minted `amount` GRL of `epoch`'s emission for its `gpuSeconds`: its pro-rata
    /// `share` of the budget, capped at the GRL worth its `feesUsd` at `grlUsdPrice`. The rest of the share
    /// is never minted.
    event EmissionClaimed(
        uint256 indexed epoch,
        address indexed provider,
        uint256 amount,
        uint256 gpuSeconds,
        uint256 epochClaimed,
        uint256 share,
        uint256 feesUsd,
        uint256 grlUsdPrice
    );

    /// @notice Governance changed the purchase spread.
    event SpreadSet(uint16 previous, uint16 current);

    /// @notice Governance changed the per-epoch mint cap on earnings.
    event MintCapSet(uint256 previous, uint256 current);

    /// @notice Governance changed the per-epoch emission budget (applies from the next epoch with records).
    event EmissionBudgetSet(uint256 previous, uint256 current);

    /// @notice Governance changed the price oracle.
    event OracleSet(address previous, address current);

    // ------------------------------------------------------------------------------------------------
    // Renters
    // ------------------------------------------------------------------------------------------------

    /// @notice Burns `grlAmount` of the caller's GRL (needs an allowance to this contract) for USD credits
    /// credited to `account`: grlAmount x price x (1 - spread), rounded down.
    /// @param minCredits The least the caller accepts (slippage bound against a moving price).
    /// @return credits Credits bought.
    function buyCredits(address account, uint256 grlAmount, uint256 minCredits) external returns (uint256 credits);

    /// @notice Like {buyCredits}, with an EIP-2612 permit on GRL instead of a prior approval.
    /// @dev A failing permit (for example front-run) is ignored; the burn then needs an allowance.
    function buyCreditsWithPermit(
        address account,
        uint256 grlAmount,
        uint256 minCredits,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 credits);

    // ------------------------------------------------------------------------------------------------
    // Earners
    // ------------------------------------------------------------------------------------------------

    /// @notice Converts all the caller's USD earnings to GRL at the live oracle price, rounded down and
    /// capped at the caller's GRL cap (see "Cost basis"), and mints what the epoch's cap allows to
    /// `recipient`; the rest becomes a mint ticket. The earnings and the whole GRL cap are spent.
    /// @dev Reverts with SettlementMintRoundsToZero if that is no GRL (then nothing changes).
    /// @return grlAmount GRL owed in total.
    /// @return mintedNow GRL minted to `recipient` in this call.
    /// @return ticketId The ticket for the rest, 0 if none.
    function withdrawEarnings(address recipient)
        external
        returns (uint256 grlAmount, uint256 mintedNow, uint256 ticketId);

    /// @notice Releases the current epoch's unused mint cap to the queue, then sends ticket `ticketId`'s
    /// recipient everything of it that the queue's front has reached. Anyone may call.
    /// @return amount GRL sent.
    function claimQueuedMint(uint256 ticketId) external returns (uint256 amount);

    /// @notice Releases the current epoch's unused mint cap to the front of the queue. Anyone may call.
    /// @return released GRL minted into custody for the queue.
    function releaseQueuedMints() external returns (uint256 released);

    /// @notice Mints `provider`'s share of ended epoch `epoch`'s emission to it: the budget split by
    /// GPU-seconds, capped at the GRL worth (at the current oracle price) the protocol fees its jobs paid in
    /// the epoch. Anyone may call. The part of the share above the cap is never minted.
    /// @dev The cap is what makes self-dealing unprofitable: a provider that hires itself pays the fee to
    /// the treasury and can get back at most that fee's worth in GRL, whatever the epoch's other activity,
    /// the job's size or price, or when the job settles. Reverts with the oracle's error while its price
    /// is unusable; the record waits.
    /// @return amount GRL minted.
    function claimEmission(uint256 epoch, address provider) external returns (uint256 amount);

    // ------------------------------------------------------------------------------------------------
    // Market (MARKET_ROLE)
    // ------------------------------------------------------------------------------------------------

    /// @notice Moves `amount` of `account`'s credits into the market's escrow, with their pro-rata share
    /// of its GRL cost basis (basisOut = basis x amount / credits, rounded down).
    /// @return floorPrice The credits' mint floor: amount x FLOOR_UNIT / basisOut in units of 1e-9 USD
    /// per GRL, rounded up, so GRL computed at it never exceeds basisOut; UNBACKED_FLOOR
    /// (type(uint64).max, "infinite") when basisOut is zero or the floor exceeds it. The market passes it
    /// to every {refundCredits} and {accrueEarnings} of these credits.
    function spendCredits(address account, uint256 amount) external returns (uint64 floorPrice);

    /// @notice Moves `amount` of escrowed credits back to `account`, with amount x FLOOR_UNIT /
    /// `floorPrice` GRL of cost basis (rounded down; none at UNBACKED_FLOOR).
    function refundCredits(address account, uint256 amount, uint64 floorPrice) external;

    /// @notice Moves `amount` of escrowed credits to `account`'s USD earnings, adding amount x FLOOR_UNIT /
    /// `floorPrice` GRL to its withdrawal cap (rounded down; none at UNBACKED_FLOOR).
    function accrueEarnings(address account, uint256 amount, uint64 floorPrice) external;

    /// @notice Records `gpuSeconds` of compute delivered by `provider` in the current epoch, and the protocol
    /// fee `feesUsd` (USD, 18 decimals) the job paid: the provider's emission for the epoch is its share of
    /// the budget by GPU-seconds, capped at the GRL worth the fees its jobs paid in the epoch (see
    /// {claimEmission}).
    function recordGpuSeconds(address provider, uint256 gpuSeconds, uint256 feesUsd) external;

    // ------------------------------------------------------------------------------------------------
    // Governance and guardian
    // ------------------------------------------------------------------------------------------------

    /// @notice Sets the spread kept on credit purchases, in basis points (at most MAX_SPREAD_BPS).
    function setSpreadBps(uint16 spreadBps) external;

    /// @notice Sets the GRL mintable for earnings per epoch (from the current epoch on).
    function setMintCapPerEpoch(uint256 cap) external;

    /// @notice Sets the GRL emission budget of epochs not yet recorded.
    function setEmissionBudgetPerEpoch(uint256 budget) external;

    /// @notice Sets the GRL/USD oracle.
    function setOracle(IPriceOracle oracle) external;

    /// @notice Pauses credit purchases (new business). Withdrawals, claims and the market's calls never
    /// stop. Only GUARDIAN_ROLE.
    function pause() external;

    /// @notice Lifts the pause. Only GUARDIAN_ROLE.
    function unpause() external;

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @notice Credits and USD earnings have 18 decimals (so the market can allow-list the credits).
    function decimals() external pure returns (uint8);

    /// @notice The epoch now: (now - genesis) / epoch length.
    function currentEpoch() external view returns (uint256);

    /// @notice When epoch `epoch` starts.
    function epochStart(uint256 epoch) external view returns (uint256);

    /// @notice `account`'s spendable credits.
    function creditsOf(address account) external view returns (uint256);

    /// @notice `account`'s USD earnings not yet withdrawn.
    function earningsOf(address account) external view returns (uint256);

    /// @notice The GRL cost basis of `account`'s credits (see "Cost basis").
    function creditBasisOf(address account) external view returns (uint256);

    /// @notice The most GRL `account`'s next withdrawal may mint (see "Cost basis").
    function grlCapOf(address account) external view returns (uint256);

    /// @notice Credits held by renters: bought - spent + refunded.
    function creditsOutstanding() external view returns (uint256);

    /// @notice Credits the market holds in escrow: spent - refunded - earnings accrued.
    function creditsEscrowed() external view returns (uint256);

    /// @notice Cumulative credits bought, spent by the market and refunded by it.
    function totalCreditsBought() external view returns (uint256);
    function totalCreditsSpent() external view returns (uint256);
    function totalCreditsRefunded() external view returns (uint256);

    /// @notice Cumulative USD earnings accrued and withdrawn.
    function totalEarningsAccrued() external view returns (uint256);
    function totalEarningsWithdrawn() external view returns (uint256);

    /// @notice Cumulative GRL burned for credits, minted for earnings and minted as emissions.
    function totalGrlBurned() external view returns (uint256);
    function totalGrlMintedForEarnings() external view returns (uint256);
    function totalEmissionsMinted() external view returns (uint256);

    /// @notice GRL minted for earnings in `epoch`.
    function mintedInEpoch(uint256 epoch) external view returns (uint256);

    /// @notice GRL still mintable for earnings in the current epoch.
    function mintCapRemaining() external view returns (uint256);

    /// @notice The mint queue: cumulative GRL released to its front and queued at its back.
    function mintQueue() external view returns (uint256 head, uint256 tail);

    /// @notice A mint ticket.
    function ticketOf(uint256 ticketId) external view returns (MintTicket memory);

    /// @notice What {claimQueuedMint} would send for `ticketId` now, counting the current epoch's unused cap.
    function claimableOf(uint256 ticketId) external view returns (uint256);

    /// @notice An epoch's emission book.
    function epochEmissionOf(uint256 epoch) external view returns (EpochEmission memory);

    /// @notice GPU-seconds `provider` delivered in `epoch` (0 after it claimed).
    function gpuSecondsOf(uint256 epoch, address provider) external view returns (uint256);

    /// @notice Protocol fees (USD, 18 decimals) `provider`'s jobs paid in `epoch` (0 after it claimed).
    function feesUsdOf(uint256 epoch, address provider) external view returns (uint256);

    /// @notice What {claimEmission} would mint `provider` for ended epoch `epoch` at the current price: its
    /// share by GPU-seconds, capped at the GRL worth its fees (0 if claimed or not ended).
    function emissionOf(uint256 epoch, address provider) external view returns (uint256);

    /// @notice The GRL token, burned for credits and minted for earnings and emissions.
    function GRL() external view returns (IGridleaseToken);

    /// @notice Credits a purchase of `grlAmount` GRL would give at the current price and spread.
    function quoteCredits(uint256 grlAmount) external view returns (uint256 credits);

    /// @notice GRL a withdrawal of `usdAmount` earnings would be owed at the current price, before any cap.
    function quoteGrl(uint256 usdAmount) external view returns (uint256 grlAmount);

    /// @notice GRL `account`'s withdrawal would be owed now: its earnings at the current price, capped
    /// at its GRL cap.
    function quoteWithdrawal(address account) external view returns (uint256 grlAmount);
}
