// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IGridleaseToken} from "../interfaces/IGridleaseToken.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {BmeMath} from "../libraries/BmeMath.sol";

/// @title Settlement
/// @notice USD credits, dollar-pegged GRL minting of earnings under a per-epoch cap, and epoch emissions.
/// See {ISettlement}.
/// @dev Holds GRL's MINTER_ROLE (and nothing else may mint). The GRL it holds is what it minted into
/// custody for queue tickets not yet claimed (queue head - GRL claimed by tickets), plus whatever someone
/// sent it directly: neither withdrawals nor tickets can name it as recipient.
contract Settlement is ISettlement, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeCast for uint256;
    using SafeERC20 for IGridleaseToken;

    /// @notice May escrow, refund and pay out credits and record GPU-seconds (the job market).
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");

    /// @notice May change parameters and the oracle within hard bounds (the timelock).
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");

    /// @notice May pause and unpause credit purchases.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Hard bounds on the parameters.
    uint16 public constant MAX_SPREAD_BPS = 500;
    uint256 public constant MIN_MINT_CAP_PER_EPOCH = 1e18;
    uint256 public constant MAX_MINT_CAP_PER_EPOCH = 1e27;
    uint256 public constant MAX_EMISSION_BUDGET_PER_EPOCH = 1e26;
    uint256 public constant MIN_EPOCH_LENGTH = 1 days;
    uint256 public constant MAX_EPOCH_LENGTH = 90 days;

    /// @notice Mint floor prices are in units of 1e-9 USD per GRL (see {ISettlement-spendCredits}).
    uint256 public constant FLOOR_UNIT = 1e9;

    /// @notice The floor of credits with no GRL behind them: their pay and refunds carry no GRL.
    uint64 public constant UNBACKED_FLOOR = type(uint64).max;

    /// @notice The GRL token, burned for credits and minted for earnings and emissions.
    IGridleaseToken public immutable GRL;

    /// @notice When epoch 0 starts (the deployment).
    uint256 public immutable GENESIS;

    /// @notice Seconds in an epoch. Immutable, so epoch numbers and their books never shift.
    uint256 public immutable EPOCH_LENGTH;

    /// @notice The GRL/USD oracle.
    IPriceOracle public oracle;

    /// @notice Share of a purchase's USD value kept by the protocol, in basis points.
    uint16 public spreadBps;

    /// @notice GRL mintable for earnings per epoch.
    uint256 public mintCapPerEpoch;

    /// @notice GRL emission budget of each epoch not yet recorded.
    uint256 public emissionBudgetPerEpoch;

    /// @dev Running totals of the books (see {ISettlement}'s conservation laws), one per counter view, paired
    /// into slots by the transactions that update them together, so the second of a pair is a warm write
    /// (about 5k gas less each time): a credit job's creation (spendCredits), money leaving the escrow
    /// (refundCredits and accrueEarnings, twice per settlement), a purchase, and an earnings withdrawal.
    /// uint128 holds 3.4e20 dollars of 18-decimal credits (or GRL), far beyond any cumulative flow; a sum
    /// past it reverts rather than wraps.
    struct Totals {
        // slot 0: the market's escrow and what entered it
        uint128 creditsEscrowed;
        uint128 creditsSpent;
        // slot 1: what left the escrow
        uint128 creditsRefunded;
        uint128 earningsAccrued;
        // slot 2: purchases
        uint128 creditsBought;
        uint128 grlBurned;
        // slot 3: withdrawals
        uint128 earningsWithdrawn;
        uint128 grlMintedForEarnings;
        // slot 4
        uint256 emissionsMinted;
    }

    Totals private _totals;

    /// @notice Mint tickets issued so far; the latest ticket id.
    uint256 public ticketCount;

    uint128 private _queueHead;
    uint128 private _queueTail;

    /// @dev An account's spendable credits and the GRL behind them (its cost basis), in one slot.
    struct CreditAccount {
        uint128 credits;
        uint128 grlBasis;
    }

    /// @dev An account's USD earnings and the most GRL their withdrawal may mint, in one slot.
    struct EarningsAccount {
        uint128 usd;
        uint128 grlCap;
    }

    mapping(address account => CreditAccount) private _credits;
    mapping(address account => EarningsAccount) private _earnings;
    mapping(uint256 ticketId => MintTicket) private _tickets;
    mapping(uint256 epoch => uint256) private _mintedInEpoch;
    mapping(uint256 epoch => EpochEmission) private _epochs;
    /// @dev A provider's emission record for one epoch, in one slot.
    struct ProviderEpoch {
        uint128 gpuSeconds;
        uint128 feesUsd;
    }

    mapping(uint256 epoch => mapping(address provider => ProviderEpoch)) private _providerEpochs;

    /// @param grl The GRL token; this contract needs its MINTER_ROLE.
    /// @param priceOracle The GRL/USD oracle.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE (the timelock in production).
    /// @param epochLength Seconds per epoch (PROTOCOL.md default: 1 week).
    /// @param initialSpreadBps Purchase spread (default 25 bps).
    /// @param initialMintCap GRL mintable for earnings per epoch.
    /// @param initialEmissionBudget GRL emission budget per epoch.
    constructor(
        IGridleaseToken grl,
        IPriceOracle priceOracle,
        address admin,
        uint256 epochLength,
        uint16 initialSpreadBps,
        uint256 initialMintCap,
        uint256 initialEmissionBudget
    ) {
        if (address(grl) == address(0)) revert SettlementZeroAddress("grl");
        if (address(priceOracle) == address(0)) revert SettlementZeroAddress("oracle");
        if (admin == address(0)) revert SettlementZeroAddress("admin");
        _checkBound(Parameter.EpochLength, epochLength, MIN_EPOCH_LENGTH, MAX_EPOCH_LENGTH);
        GRL = grl;
        GENESIS = block.timestamp;
        EPOCH_LENGTH = epochLength;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _setOracle(priceOracle);
        _setSpreadBps(initialSpreadBps);
        _setMintCapPerEpoch(initialMintCap);
        _setEmissionBudgetPerEpoch(initialEmissionBudget);
    }

    // ------------------------------------------------------------------------------------------------
    // Renters
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function buyCredits(address account, uint256 grlAmount, uint256 minCredits)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 credits)
    {
        return _buyCredits(account, grlAmount, minCredits);
    }

    /// @inheritdoc ISettlement
    function buyCreditsWithPermit(
        address account,
        uint256 grlAmount,
        uint256 minCredits,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant returns (uint256 credits) {
        // A permit seen in the mempool can be front-run; its allowance is then already in place.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(GRL)).permit(msg.sender, address(this), grlAmount, deadline, v, r, s) {}
        // solhint-disable-next-line no-empty-blocks
        catch {}
        return _buyCredits(account, grlAmount, minCredits);
    }

    // ------------------------------------------------------------------------------------------------
    // Earners
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function withdrawEarnings(address recipient)
        external
        nonReentrant
        returns (uint256 grlAmount, uint256 mintedNow, uint256 ticketId)
    {
        if (recipient == address(0)) revert SettlementZeroAddress("recipient");
        if (recipient == address(this)) revert SettlementSelfRecipient();
        EarningsAccount memory earnings = _earnings[msg.sender];
        uint256 usd = earnings.usd;
        if (usd == 0) revert SettlementNoEarnings(msg.sender);
        uint256 price = oracle.grlUsdPrice();
        // Never more GRL than the renters burned for the credits that paid these earnings.
        grlAmount = Math.min(BmeMath.grlFor(usd, price), earnings.grlCap);
        if (grlAmount == 0) revert SettlementMintRoundsToZero(usd, price);

        delete _earnings[msg.sender];
        _totals.earningsWithdrawn += earnings.usd;
        uint256 epoch = currentEpoch();
        // The queue's front is served first; only an empty queue lets a new withdrawal mint at once.
        _releaseQueue(epoch);
        uint128 tail = _queueTail;
        if (_queueHead == tail) mintedNow = Math.min(grlAmount, _capRemaining(epoch));
        // Safe: mintedNow <= grlAmount.
        uint256 queued;
        unchecked {
            queued = grlAmount - mintedNow;
        }
        if (queued != 0) {
            ticketId = ++ticketCount;
            uint128 queued128 = queued.toUint128();
            _tickets[ticketId] = MintTicket({recipient: recipient, start: tail, amount: queued128, claimed: 0});
            _queueTail = tail + queued128;
        }
        emit EarningsWithdrawn(
            msg.sender, recipient, usd, grlAmount, price, mintedNow, ticketId, queued, epoch, earnings.grlCap
        );
        if (mintedNow != 0) _mintEarnings(epoch, recipient, mintedNow);
    }

    /// @inheritdoc ISettlement
    function claimQueuedMint(uint256 ticketId) external nonReentrant returns (uint256 amount) {
        MintTicket storage ticket = _tickets[ticketId];
        address recipient = ticket.recipient;
        if (recipient == address(0)) revert SettlementUnknownTicket(ticketId);
        _releaseQueue(currentEpoch());
        uint128 claimed = ticket.claimed;
        uint256 reached = BmeMath.reached(ticket.start, ticket.amount, _queueHead);
        if (reached <= claimed) revert SettlementNothingToClaim(ticketId);
        // Safe: checked just above.
        unchecked {
            amount = reached - claimed;
        }
        // Safe cast: reached <= ticket.amount, a uint128.
        ticket.claimed = uint128(reached);
        emit QueuedMintClaimed(ticketId, recipient, amount, reached, ticket.amount);
        GRL.safeTransfer(recipient, amount);
    }

    /// @inheritdoc ISettlement
    function releaseQueuedMints() external nonReentrant returns (uint256 released) {
        return _releaseQueue(currentEpoch());
    }

    /// @inheritdoc ISettlement
    function claimEmission(uint256 epoch, address provider) external nonReentrant returns (uint256 amount) {
        uint256 current = currentEpoch();
        if (epoch >= current) revert SettlementEpochNotEnded(epoch, current);
        ProviderEpoch memory record = _providerEpochs[epoch][provider];
        if (record.gpuSeconds == 0) revert SettlementNoEmission(epoch, provider);
        EpochEmission storage book = _epochs[epoch];
        uint256 share = BmeMath.proRata(book.budget, record.gpuSeconds, book.gpuSeconds);
        uint256 price = oracle.grlUsdPrice();
        amount = Math.min(share, BmeMath.grlFor(record.feesUsd, price));
        delete _providerEpochs[epoch][provider];
        // Safe cast: amount <= share, and the shares of an epoch sum to at most its budget, a uint128.
        uint128 claimed = book.claimed + uint128(amount);
        book.claimed = claimed;
        _totals.emissionsMinted += amount;
        emit EmissionClaimed(epoch, provider, amount, record.gpuSeconds, claimed, share, record.feesUsd, price);
        if (amount != 0) GRL.mint(provider, amount);
    }

    // ------------------------------------------------------------------------------------------------
    // Market
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function spendCredits(address account, uint256 amount)
        external
        onlyRole(MARKET_ROLE)
        nonReentrant
        returns (uint64 floorPrice)
    {
        if (amount == 0) revert SettlementZeroAmount();
        CreditAccount memory held = _credits[account];
        uint256 balance = held.credits;
        if (balance < amount) revert SettlementInsufficientCredits(account, balance, amount);
        // The spent credits take their pro-rata share of the basis, rounded down (all of it at the last).
        uint256 basisOut = Math.mulDiv(held.grlBasis, amount, balance);
        // Safe: amount <= balance, checked above, and basisOut <= grlBasis since amount <= balance.
        unchecked {
            balance -= amount;
            held.grlBasis -= uint128(basisOut);
        }
        held.credits = uint128(balance);
        _credits[account] = held;
        floorPrice = _floorOf(amount, basisOut);
        // Safe cast: amount <= balance, a uint128.
        uint128 amount128 = uint128(amount);
        uint128 escrowed = _totals.creditsEscrowed + amount128;
        _totals.creditsEscrowed = escrowed;
        _totals.creditsSpent += amount128;
        emit CreditsSpent(account, amount, balance, escrowed, basisOut, floorPrice, held.grlBasis);
    }

    /// @inheritdoc ISettlement
    function refundCredits(address account, uint256 amount, uint64 floorPrice)
        external
        onlyRole(MARKET_ROLE)
        nonReentrant
    {
        uint256 escrowed = _takeFromEscrow(amount);
        // Safe cast: amount came out of the escrow, a uint128.
        uint128 amount128 = uint128(amount);
        uint256 basisIn = _grlAtFloor(amount, floorPrice);
        CreditAccount memory held = _credits[account];
        uint128 balance = held.credits + amount128;
        uint128 basis = held.grlBasis + basisIn.toUint128();
        _credits[account] = CreditAccount({credits: balance, grlBasis: basis});
        _totals.creditsRefunded += amount128;
        emit CreditsRefunded(account, amount, balance, escrowed, basisIn, floorPrice, basis);
    }

    /// @inheritdoc ISettlement
    function accrueEarnings(address account, uint256 amount, uint64 floorPrice)
        external
        onlyRole(MARKET_ROLE)
        nonReentrant
    {
        uint256 escrowed = _takeFromEscrow(amount);
        // Safe cast: amount came out of the escrow, a uint128.
        uint128 amount128 = uint128(amount);
        uint256 capIn = _grlAtFloor(amount, floorPrice);
        EarningsAccount memory earnings = _earnings[account];
        uint128 balance = earnings.usd + amount128;
        uint128 cap = earnings.grlCap + capIn.toUint128();
        _earnings[account] = EarningsAccount({usd: balance, grlCap: cap});
        _totals.earningsAccrued += amount128;
        emit EarningsAccrued(account, amount, balance, escrowed, capIn, floorPrice, cap);
    }

    /// @inheritdoc ISettlement
    function recordGpuSeconds(address provider, uint256 gpuSeconds, uint256 feesUsd)
        external
        onlyRole(MARKET_ROLE)
        nonReentrant
    {
        if (gpuSeconds == 0) revert SettlementZeroAmount();
        uint256 epoch = currentEpoch();
        EpochEmission storage book = _epochs[epoch];
        uint128 epochSeconds = book.gpuSeconds;
        if (epochSeconds == 0) book.budget = uint128(emissionBudgetPerEpoch); // Safe: bounded by MAX_EMISSION_BUDGET.
        epochSeconds += gpuSeconds.toUint128();
        book.gpuSeconds = epochSeconds;
        ProviderEpoch storage record = _providerEpochs[epoch][provider];
        uint128 providerSeconds = record.gpuSeconds + gpuSeconds.toUint128();
        uint128 providerFees = record.feesUsd + feesUsd.toUint128();
        record.gpuSeconds = providerSeconds;
        record.feesUsd = providerFees;
        emit GpuSecondsRecorded(
            epoch, provider, gpuSeconds, providerSeconds, epochSeconds, book.budget, feesUsd, providerFees
        );
    }

    // ------------------------------------------------------------------------------------------------
    // Governance and guardian
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function setSpreadBps(uint16 newSpreadBps) external onlyRole(GOVERNANCE_ROLE) {
        _setSpreadBps(newSpreadBps);
    }

    /// @inheritdoc ISettlement
    function setMintCapPerEpoch(uint256 cap) external onlyRole(GOVERNANCE_ROLE) {
        _setMintCapPerEpoch(cap);
    }

    /// @inheritdoc ISettlement
    function setEmissionBudgetPerEpoch(uint256 budget) external onlyRole(GOVERNANCE_ROLE) {
        _setEmissionBudgetPerEpoch(budget);
    }

    /// @inheritdoc ISettlement
    function setOracle(IPriceOracle newOracle) external onlyRole(GOVERNANCE_ROLE) {
        _setOracle(newOracle);
    }

    /// @inheritdoc ISettlement
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @inheritdoc ISettlement
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc ISettlement
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @inheritdoc ISettlement
    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - GENESIS) / EPOCH_LENGTH;
    }

    /// @inheritdoc ISettlement
    function epochStart(uint256 epoch) external view returns (uint256) {
        return GENESIS + epoch * EPOCH_LENGTH;
    }

    /// @inheritdoc ISettlement
    function creditsOf(address account) external view returns (uint256) {
        return _credits[account].credits;
    }

    /// @inheritdoc ISettlement
    function creditBasisOf(address account) external view returns (uint256) {
        return _credits[account].grlBasis;
    }

    /// @inheritdoc ISettlement
    function grlCapOf(address account) external view returns (uint256) {
        return _earnings[account].grlCap;
    }

    /// @inheritdoc ISettlement
    function earningsOf(address account) external view returns (uint256) {
        return _earnings[account].usd;
    }

    /// @inheritdoc ISettlement
    function creditsOutstanding() external view returns (uint256) {
        // Refunded credits can be spent again, so spent may exceed bought: add before subtracting.
        return uint256(_totals.creditsBought) + _totals.creditsRefunded - _totals.creditsSpent;
    }

    /// @inheritdoc ISettlement
    function creditsEscrowed() external view returns (uint256) {
        return _totals.creditsEscrowed;
    }

    /// @inheritdoc ISettlement
    function totalCreditsBought() external view returns (uint256) {
        return _totals.creditsBought;
    }

    /// @inheritdoc ISettlement
    function totalCreditsSpent() external view returns (uint256) {
        return _totals.creditsSpent;
    }

    /// @inheritdoc ISettlement
    function totalCreditsRefunded() external view returns (uint256) {
        return _totals.creditsRefunded;
    }

    /// @inheritdoc ISettlement
    function totalEarningsAccrued() external view returns (uint256) {
        return _totals.earningsAccrued;
    }

    /// @inheritdoc ISettlement
    function totalEarningsWithdrawn() external view returns (uint256) {
        return _totals.earningsWithdrawn;
    }

    /// @inheritdoc ISettlement
    function totalGrlBurned() external view returns (uint256) {
        return _totals.grlBurned;
    }

    /// @inheritdoc ISettlement
    function totalGrlMintedForEarnings() external view returns (uint256) {
        return _totals.grlMintedForEarnings;
    }

    /// @inheritdoc ISettlement
    function totalEmissionsMinted() external view returns (uint256) {
        return _totals.emissionsMinted;
    }

    /// @inheritdoc ISettlement
    function mintedInEpoch(uint256 epoch) external view returns (uint256) {
        return _mintedInEpoch[epoch];
    }

    /// @inheritdoc ISettlement
    function mintCapRemaining() external view returns (uint256) {
        return _capRemaining(currentEpoch());
    }

    /// @inheritdoc ISettlement
    function mintQueue() external view returns (uint256 head, uint256 tail) {
        return (_queueHead, _queueTail);
    }

    /// @inheritdoc ISettlement
    function ticketOf(uint256 ticketId) external view returns (MintTicket memory) {
        return _tickets[ticketId];
    }

    /// @inheritdoc ISettlement
    function claimableOf(uint256 ticketId) external view returns (uint256) {
        MintTicket storage ticket = _tickets[ticketId];
        uint256 head = _queueHead;
        head += Math.min(_queueTail - head, _capRemaining(currentEpoch()));
        uint256 reached = BmeMath.reached(ticket.start, ticket.amount, head);
        return reached > ticket.claimed ? reached - ticket.claimed : 0;
    }

    /// @inheritdoc ISettlement
    function epochEmissionOf(uint256 epoch) external view returns (EpochEmission memory) {
        return _epochs[epoch];
    }

    /// @inheritdoc ISettlement
    function gpuSecondsOf(uint256 epoch, address provider) external view returns (uint256) {
        return _providerEpochs[epoch][provider].gpuSeconds;
    }

    /// @inheritdoc ISettlement
    function feesUsdOf(uint256 epoch, address provider) external view returns (uint256) {
        return _providerEpochs[epoch][provider].feesUsd;
    }

    /// @inheritdoc ISettlement
    function emissionOf(uint256 epoch, address provider) external view returns (uint256) {
        if (epoch >= currentEpoch()) return 0;
        EpochEmission storage book = _epochs[epoch];
        ProviderEpoch memory record = _providerEpochs[epoch][provider];
        if (record.gpuSeconds == 0) return 0;
        uint256 share = BmeMath.proRata(book.budget, record.gpuSeconds, book.gpuSeconds);
        return Math.min(share, BmeMath.grlFor(record.feesUsd, oracle.grlUsdPrice()));
    }

    /// @inheritdoc ISettlement
    function quoteCredits(uint256 grlAmount) external view returns (uint256) {
        return BmeMath.creditsFor(grlAmount, oracle.grlUsdPrice(), spreadBps);
    }

    /// @inheritdoc ISettlement
    function quoteGrl(uint256 usdAmount) external view returns (uint256) {
        return BmeMath.grlFor(usdAmount, oracle.grlUsdPrice());
    }

    /// @inheritdoc ISettlement
    function quoteWithdrawal(address account) external view returns (uint256) {
        EarningsAccount memory earnings = _earnings[account];
        return Math.min(BmeMath.grlFor(earnings.usd, oracle.grlUsdPrice()), earnings.grlCap);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    function _buyCredits(address account, uint256 grlAmount, uint256 minCredits) private returns (uint256 credits) {
        if (account == address(0)) revert SettlementZeroAddress("account");
        if (account == address(this)) revert SettlementSelfRecipient();
        if (grlAmount == 0) revert SettlementZeroAmount();
        uint256 price = oracle.grlUsdPrice();
        uint16 spread = spreadBps;
        credits = BmeMath.creditsFor(grlAmount, price, spread);
        if (credits == 0 || credits < minCredits) revert SettlementSlippage(credits, minCredits);
        CreditAccount memory held = _credits[account];
        // The basis is the GRL whose value became credits: the burn less the spread, rounded down, so
        // the credits' floor is the price they were bought at and the spread is never recovered.
        uint256 balance = held.credits + credits;
        uint256 basis = held.grlBasis + Math.mulDiv(grlAmount, BmeMath.BPS - spread, BmeMath.BPS);
        _credits[account] = CreditAccount({credits: balance.toUint128(), grlBasis: basis.toUint128()});
        // Safe cast: credits <= balance, just cast to uint128.
        _totals.creditsBought += uint128(credits);
        _totals.grlBurned += grlAmount.toUint128();
        emit CreditsPurchased(
            msg.sender, account, grlAmount, BmeMath.usdValue(grlAmount, price), credits, price, spread, balance
        );
        GRL.burnFrom(msg.sender, grlAmount);
    }

    /// @dev The mint floor of `amount` credits backed by `basis` GRL: their USD per GRL in FLOOR_UNITs,
    /// rounded up (so GRL computed at the floor never exceeds the basis); UNBACKED_FLOOR if no GRL backs
    /// them or the floor would not fit (then their GRL rounds to nothing, a conservative loss).
    function _floorOf(uint256 amount, uint256 basis) private pure returns (uint64) {
        if (basis == 0) return UNBACKED_FLOOR;
        uint256 floor = Math.mulDiv(amount, FLOOR_UNIT, basis, Math.Rounding.Ceil);
        return floor < UNBACKED_FLOOR ? uint64(floor) : UNBACKED_FLOOR;
    }

    /// @dev GRL worth `amount` USD at mint floor `floorPrice`, rounded down; none at UNBACKED_FLOOR.
    function _grlAtFloor(uint256 amount, uint64 floorPrice) private pure returns (uint256) {
        if (floorPrice == 0) revert SettlementZeroFloor();
        if (floorPrice == UNBACKED_FLOOR) return 0;
        return Math.mulDiv(amount, FLOOR_UNIT, floorPrice);
    }

    /// @dev Takes `amount` out of the market's escrow and returns what is left.
    function _takeFromEscrow(uint256 amount) private returns (uint256 escrowed) {
        if (amount == 0) revert SettlementZeroAmount();
        escrowed = _totals.creditsEscrowed;
        if (amount > escrowed) revert SettlementEscrowExceeded(escrowed, amount);
        // Safe: checked just above; the result fits in uint128, as the escrow does.
        unchecked {
            escrowed -= amount;
        }
        _totals.creditsEscrowed = uint128(escrowed);
    }

    /// @dev Mints the epoch's unused cap, up to what is queued, into custody for the queue's front.
    function _releaseQueue(uint256 epoch) private returns (uint256 released) {
        uint128 head = _queueHead;
        uint128 tail = _queueTail;
        if (head == tail) return 0;
        // Safe: the head never passes the tail.
        unchecked {
            released = Math.min(tail - head, _capRemaining(epoch));
        }
        if (released == 0) return 0;
        // Safe cast: released <= tail - head, so head + released <= tail, a uint128.
        uint128 newHead = head + uint128(released);
        _queueHead = newHead;
        emit QueuedMintsReleased(epoch, released, newHead, tail);
        _mintEarnings(epoch, address(this), released);
    }

    function _mintEarnings(uint256 epoch, address to, uint256 amount) private {
        uint256 minted = _mintedInEpoch[epoch] + amount;
        _mintedInEpoch[epoch] = minted;
        // Safe cast: amount <= the epoch's mint cap, at most MAX_MINT_CAP_PER_EPOCH (1e27).
        _totals.grlMintedForEarnings += uint128(amount);
        emit EarningsMinted(epoch, to, amount, minted, mintCapPerEpoch);
        GRL.mint(to, amount);
    }

    function _capRemaining(uint256 epoch) private view returns (uint256) {
        uint256 cap = mintCapPerEpoch;
        uint256 minted = _mintedInEpoch[epoch];
        return cap > minted ? cap - minted : 0;
    }

    function _setSpreadBps(uint16 value) private {
        _checkBound(Parameter.SpreadBps, value, 0, MAX_SPREAD_BPS);
        uint16 previous = spreadBps;
        spreadBps = value;
        emit SpreadSet(previous, value);
    }

    function _setMintCapPerEpoch(uint256 value) private {
        _checkBound(Parameter.MintCapPerEpoch, value, MIN_MINT_CAP_PER_EPOCH, MAX_MINT_CAP_PER_EPOCH);
        uint256 previous = mintCapPerEpoch;
        mintCapPerEpoch = value;
        emit MintCapSet(previous, value);
    }

    function _setEmissionBudgetPerEpoch(uint256 value) private {
        _checkBound(Parameter.EmissionBudgetPerEpoch, value, 0, MAX_EMISSION_BUDGET_PER_EPOCH);
        uint256 previous = emissionBudgetPerEpoch;
        emissionBudgetPerEpoch = value;
        emit EmissionBudgetSet(previous, value);
    }

    function _setOracle(IPriceOracle value) private {
        if (address(value) == address(0)) revert SettlementZeroAddress("oracle");
        address previous = address(oracle);
        oracle = value;
        emit OracleSet(previous, address(value));
    }

    function _checkBound(Parameter parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert SettlementParameterOutOfBounds(parameter, value, min, max);
    }
}
