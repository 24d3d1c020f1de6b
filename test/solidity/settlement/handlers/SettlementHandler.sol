// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";

import {IGridleaseToken} from "../../../../contracts/interfaces/IGridleaseToken.sol";
import {IJobMarket} from "../../../../contracts/interfaces/IJobMarket.sol";
import {IPriceOracle} from "../../../../contracts/interfaces/IPriceOracle.sol";
import {IProviderRegistry} from "../../../../contracts/interfaces/IProviderRegistry.sol";
import {ISettlement} from "../../../../contracts/interfaces/ISettlement.sol";
import {JobMath} from "../../../../contracts/libraries/JobMath.sol";
import {MockAggregatorV3} from "../../../../contracts/mocks/MockAggregatorV3.sol";
import {ChainlinkPriceOracle} from "../../../../contracts/oracle/ChainlinkPriceOracle.sol";

/// @notice Settlement's public getters beyond {ISettlement}.
/// @dev The suite talks to the big contracts through interfaces only and deploys them from their
/// artifacts (see {SettlementInvariantTest-setUp}): a Solidity test job that also compiled JobMarket,
/// Settlement, the registry and the token runs solc-js out of memory.
interface ISettlementState is ISettlement {
    function GENESIS() external view returns (uint256);
    function EPOCH_LENGTH() external view returns (uint256);
    function MAX_SPREAD_BPS() external view returns (uint16);
    function MARKET_ROLE() external view returns (bytes32);
    function oracle() external view returns (IPriceOracle);
    function spreadBps() external view returns (uint16);
    function mintCapPerEpoch() external view returns (uint256);
    function emissionBudgetPerEpoch() external view returns (uint256);
    function ticketCount() external view returns (uint256);
}

/// @notice JobMarket's public getters beyond {IJobMarket}.
interface IJobMarketState is IJobMarket {
    function REGISTRY() external view returns (IProviderRegistry);
    function treasury() external view returns (address);
    function jobCount() external view returns (uint256);
}

/// @notice Fuzz handler of the burn-mint settlement, driving the real GRL token, provider registry,
/// Chainlink oracle adapter (over a mock feed), Settlement and JobMarket together: renters buy credits at
/// the live price, credit jobs (instant pricing, payment token = the settlement) run through the market,
/// providers and the treasury withdraw their USD earnings as GRL under a small per-epoch mint cap (so the
/// mint queue forms and drains), queue tickets are claimed, emissions of ended epochs are claimed, the
/// price and the clock move (across epochs too) and governance changes the cap, the emission budget and
/// the spread. Renters dispute deliveries with a GRL bond (a credit job's dispute bond is GRL, not
/// credits), and the bonds the rulings and timeouts credit on the market's ledger are withdrawn.
///
/// @dev No action may revert (the invariant profile runs with failOnRevert): each one picks an account,
/// job, ticket or epoch for which its call must succeed and returns early when there is none. The calls
/// that are expected to fail (a purchase worth zero credits or below the slippage bound, a withdrawal
/// worth less than a wei of GRL, a ticket with nothing to claim, an emission not yet claimable) are made
/// on purpose inside try/catch and must revert with exactly the documented error.
///
/// Every settlement call is checked against an independent model kept here (the ghost variables): the
/// credits of a purchase and the GRL of a withdrawal are recomputed from the oracle answer with plain
/// integer arithmetic, the queue's head and tail, the GRL minted per epoch, each ticket's claims and each
/// epoch's emission book (with each provider's fees, which cap its emission) are tracked from the calls'
/// inputs, and every market call on a credit job must
/// conserve credits (the job's escrow, the renter's credits and the provider's and the treasury's earnings
/// sum to the same before and after; a dispute bond is GRL and never touches credits) and move the GRL of
/// a dispute bond exactly: from the renter's wallet to the market on the dispute, and from the market's
/// balance to the ledger balance of whoever the ruling or the timeout gives it. A mismatch increments a
/// counter in {violations} (the first of each kind is described in {firstViolation}) that the invariants
/// assert is zero.
///
/// Block time: as in the market suite, every action first warps to the handler's clock ({currentTime}),
/// so the time never depends on how the runner carries block state from one call to the next. The clock
/// only moves forward: through the warp actions, and through the steps that wait for a window to open
/// (expiry, settlement, dispute timeout, a vanished provider's deadline) or let a running job work for a
/// while. Every move re-publishes the feed's answer, so the oracle (1-day heartbeat) is never stale.
///
/// Artifacts: the invariant runner matches this contract's deployed code with its artifact; build it
/// (`node scripts/build.mjs`) before running the suite alone.
contract SettlementHandler is CommonBase, StdUtils {
    /// @notice What a violated check was about; see {violations}.
    enum Check {
        Rounding,
        Cap,
        Queue,
        Credits,
        Emission,
        Market,
        GrlFlow,
        Bond
    }

    /// @notice Actions that reached a contract, counted in {calls} for the run's reach report.
    enum Action {
        Buy,
        BuyRejected,
        Create,
        Accept,
        Cancel,
        Expire,
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
        Withdraw,
        WithdrawRejected,
        ClaimTicket,
        ClaimTicketRejected,
        Release,
        ClaimEmission,
        ClaimEmissionRejected,
        SetPrice,
        Warp,
        SetCap,
        SetBudget,
        SetSpread,
        WithdrawBond,
        WithdrawBondRejected
    }

    /// @dev Balances around one market call on a job. `providerBond` and `renterBond` are the GRL the market's
    /// ledger owes them (dispute bonds paid out), `marketGrl` the GRL the market holds.
    struct Snap {
        uint256 held;
        uint256 renterCredits;
        uint256 providerEarnings;
        uint256 treasuryEarnings;
        uint256 renterGrl;
        uint256 burned;
        uint256 escrowed;
        uint256 marketGrl;
        uint256 providerBond;
        uint256 renterBond;
    }

    /// @dev What a market call on a job must do. `bondIn` is the GRL dispute bond it pulls from the renter;
    /// `bondToProvider` and `bondToRenter` the bond it credits to either on the market's ledger.
    struct Expect {
        IJobMarket.JobState state;
        uint256 gross;
        uint256 bondIn;
        uint256 bondToProvider;
        uint256 bondToRenter;
        uint256 slashed;
        bool recordsGpu;
    }

    /// @dev A withdrawal as the model predicts it.
    struct Withdrawal {
        address earner;
        address recipient;
        uint256 usd;
        uint256 price;
        uint256 grlOwed;
        uint256 cap;
        uint256 mintNow;
        uint256 queued;
        uint256 ticket;
        uint256 recipientBefore;
        uint256 custodyBefore;
    }

    /// @notice A claimed emission as the model saw it: the provider's pro-rata share, the fees its jobs
    /// paid in the epoch (USD, 18 decimals), the price at the claim and the GRL minted.
    struct EmissionClaim {
        uint256 epoch;
        address provider;
        uint256 amount;
        uint256 share;
        uint256 feesUsd;
        uint256 price;
    }

    /// @dev A queue release as the model predicts it.
    struct QueueStep {
        uint256 epoch;
        uint256 release;
        uint256 capLeft;
        uint256 mintedBefore;
    }

    uint256 internal constant BPS = 10_000;
    uint256 internal constant WAD = 1e18;
    bytes32 internal constant H100 = "H100";
    /// @notice Feed answers have 8 decimals; the oracle scales them to 18.
    uint256 internal constant ANSWER_SCALE = 1e10;
    uint256 public constant MAX_JOBS = 32;
    uint256 internal constant MAX_WARP = 12 hours;
    uint256 internal constant MAX_KEEPER_DELAY = 15 minutes;
    /// @notice Governance keeps the cap small most of the time, so it binds and the queue grows.
    uint256 internal constant MAX_SMALL_CAP = 20e18;
    uint256 internal constant MAX_BUY = 100_000e18;
    uint256 internal constant MAX_EMISSION_BUDGET = 20_000e18;

    ISettlementState public immutable settlement;
    IJobMarketState public immutable market;
    IGridleaseToken public immutable grl;
    IProviderRegistry public immutable registry;
    MockAggregatorV3 public immutable feed;
    address public immutable feedOwner;
    address public immutable admin;
    address public immutable arbiter;
    address public immutable treasury;
    address public immutable keeper;
    /// @notice A cold wallet some withdrawals are sent to instead of the earner.
    address public immutable vault;

    uint256 public immutable genesis;
    uint256 public immutable epochLength;
    int256 public immutable minAnswer;
    int256 public immutable maxAnswer;
    uint16 internal immutable feeBps;
    uint16 internal immutable holdbackBps;
    uint16 internal immutable slashToRenterBps;
    uint16 internal immutable faultSlashBps;
    uint16 internal immutable disputeBondBps;
    uint16 internal immutable collateralBps;

    address[] internal _providers;
    address[] internal _renters;
    address[] internal _holders;

    /// @notice The handler's clock; every action runs at this timestamp.
    uint256 public currentTime;
    /// @notice The feed's current answer (8 decimals).
    int256 public answer;
    /// @notice Governance parameters in force, as set by this handler.
    uint256 public capNow;
    uint256 public budgetNow;
    uint256 public spreadNow;

    // ------------------------------------------------------------------------------------------------
    // Ghost variables
    // ------------------------------------------------------------------------------------------------

    /// @notice Credits bought, spent (job escrows only: dispute bonds are GRL), refunded and paid out as
    /// earnings, measured on the accounts involved.
    uint256 public ghost_creditsBought;
    uint256 public ghost_creditsSpent;
    uint256 public ghost_creditsRefunded;
    uint256 public ghost_earningsAccrued;
    uint256 public ghost_earningsWithdrawn;

    /// @notice GRL burned for credits and by registry slashes; GRL minted to withdrawing accounts at once,
    /// released into custody for the queue, queued as tickets, claimed from tickets, and minted as
    /// emissions.
    uint256 public ghost_grlBurnedForCredits;
    uint256 public ghost_grlBurnedBySlashes;
    uint256 public ghost_mintedNow;
    uint256 public ghost_queueHead;
    uint256 public ghost_queueTail;
    uint256 public ghost_ticketsClaimed;
    uint256 public ghost_emissionsMinted;
    mapping(uint256 ticketId => uint256) public ghost_ticketClaimed;

    /// @notice Base balance of every GRL holder the handler knows (at construction), GRL it received and
    /// GRL it gave away since.
    mapping(address holder => uint256) public ghost_grlBase;
    mapping(address holder => uint256) public ghost_grlIn;
    mapping(address holder => uint256) public ghost_grlOut;
    /// @notice GRL slashed from providers to renters (the rest of a slash is burned). Kept apart from the
    /// renters' {ghost_grlIn}, which also counts bonds withdrawn and GRL topped up for bonds.
    uint256 public ghost_grlSlashedToRenters;

    /// @notice Credit jobs' GRL dispute bonds: pulled into the market by disputes, credited on its ledger by
    /// rulings and timeouts (to the provider or back to the renter), and withdrawn from it; and what the
    /// ledger owes each account (bonds credited less its withdrawals).
    uint256 public ghost_bondsPosted;
    uint256 public ghost_bondsCredited;
    uint256 public ghost_bondsWithdrawn;
    mapping(address account => uint256) public ghost_bondLedger;

    /// @notice Every epoch an action ran in, the highest mint cap in force during it, and the GRL the
    /// model says was minted for earnings in it.
    uint256[] internal _epochs;
    mapping(uint256 epoch => bool) public touched;
    mapping(uint256 epoch => uint256) public ghost_maxCapIn;
    mapping(uint256 epoch => uint256) public ghost_mintedIn;

    /// @notice Each epoch's emission book from the model: budget fixed at the first record, GPU-seconds
    /// recorded (in total and per provider, the latter cleared by a claim), claimed, and how many
    /// providers claimed.
    mapping(uint256 epoch => uint256) public ghost_epochBudget;
    mapping(uint256 epoch => uint256) public ghost_epochSeconds;
    mapping(uint256 epoch => mapping(address provider => uint256)) public ghost_providerSeconds;
    mapping(uint256 epoch => uint256) public ghost_emissionClaimed;
    mapping(uint256 epoch => uint256) public ghost_emissionClaimers;
    /// @notice The protocol fees (USD, 18 decimals) each provider's settled jobs paid in an epoch, which
    /// cap its emission (cleared by its claim), and the sum of the pro-rata shares of an epoch's claims
    /// (what they would have minted uncapped).
    mapping(uint256 epoch => mapping(address provider => uint256)) public ghost_providerFeesUsd;
    mapping(uint256 epoch => uint256) public ghost_emissionShares;
    /// @notice Every emission claim, in order, and how many were capped by their fees.
    EmissionClaim[] internal _emissionClaims;
    uint256 public emissionClaimsCapped;

    /// @notice Failed checks by kind, and a description of the first of each kind.
    mapping(Check check => uint256) public violations;
    mapping(Check check => string) public firstViolation;

    /// @notice How often each action reached a contract.
    mapping(Action action => uint256) public calls;

    constructor(
        ISettlementState settlement_,
        IJobMarketState market_,
        MockAggregatorV3 feed_,
        address feedOwner_,
        address admin_,
        address arbiter_,
        address[] memory providers_,
        address[] memory renters_
    ) {
        settlement = settlement_;
        market = market_;
        grl = settlement_.GRL();
        registry = market_.REGISTRY();
        feed = feed_;
        feedOwner = feedOwner_;
        admin = admin_;
        arbiter = arbiter_;
        treasury = market_.treasury();
        keeper = address(uint160(uint256(keccak256("keeper"))));
        vault = address(uint160(uint256(keccak256("vault"))));
        genesis = settlement_.GENESIS();
        epochLength = settlement_.EPOCH_LENGTH();
        ChainlinkPriceOracle oracle = ChainlinkPriceOracle(address(settlement_.oracle()));
        minAnswer = oracle.MIN_ANSWER();
        maxAnswer = oracle.MAX_ANSWER();
        IJobMarket.MarketParams memory p = market_.marketParams(market_.currentParamsId());
        feeBps = p.feeBps;
        holdbackBps = p.holdbackBps;
        slashToRenterBps = p.slashToRenterBps;
        faultSlashBps = p.faultSlashBps;
        disputeBondBps = p.disputeBondBps;
        collateralBps = p.collateralBps;

        _providers = providers_;
        _renters = renters_;
        _holders = providers_;
        for (uint256 i = 0; i < renters_.length; ++i) {
            _holders.push(renters_[i]);
        }
        _holders.push(treasury);
        _holders.push(vault);
        for (uint256 i = 0; i < _holders.length; ++i) {
            ghost_grlBase[_holders[i]] = grl.balanceOf(_holders[i]);
        }

        currentTime = block.timestamp;
        (, answer,,,) = feed_.latestRoundData();
        capNow = settlement_.mintCapPerEpoch();
        budgetNow = settlement_.emissionBudgetPerEpoch();
        spreadNow = settlement_.spreadBps();
        _touch();
    }

    modifier synced() {
        vm.warp(currentTime);
        _;
    }

    // ------------------------------------------------------------------------------------------------
    // Views for the invariants
    // ------------------------------------------------------------------------------------------------

    function providers() external view returns (address[] memory) {
        return _providers;
    }

    function renters() external view returns (address[] memory) {
        return _renters;
    }

    /// @notice Every address whose GRL balance the model tracks (providers, renters, treasury, vault).
    function holders() external view returns (address[] memory) {
        return _holders;
    }

    /// @notice Every epoch an action ran in, in order.
    function epochs() external view returns (uint256[] memory) {
        return _epochs;
    }

    function emissionClaimCount() external view returns (uint256) {
        return _emissionClaims.length;
    }

    function emissionClaimAt(uint256 i) external view returns (EmissionClaim memory) {
        return _emissionClaims[i];
    }

    /// @notice The epoch of the handler's clock.
    function currentEpoch() public view returns (uint256) {
        return (currentTime - genesis) / epochLength;
    }

    function totalViolations() external view returns (uint256 n) {
        for (uint256 c = 0; c <= uint256(type(Check).max); ++c) {
            n += violations[Check(c)];
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Renters
    // ------------------------------------------------------------------------------------------------

    /// @notice A renter buys credits for itself (or, now and then, for another renter) with a random
    /// amount of its GRL at the current price. A quarter of the purchases are dust (up to 1e6 wei), which
    /// at low prices is worth zero credits and must be rejected; an eighth ask for one credit-wei more
    /// than the quote and must be rejected by the slippage bound.
    function buyCredits(uint256 buyerSeed, uint256 accountSeed, uint256 amountSeed) external synced {
        address buyer = _renters[buyerSeed % _renters.length];
        address account = accountSeed % 4 == 0 ? _renters[(accountSeed >> 2) % _renters.length] : buyer;
        uint256 balance = grl.balanceOf(buyer);
        if (balance == 0) return;
        uint256 cap = amountSeed % 4 == 0 ? 1e6 : MAX_BUY;
        uint256 amount = bound(amountSeed >> 2, 1, balance < cap ? balance : cap);
        _buy(buyer, account, amount, uint256(keccak256(abi.encode(amountSeed))) % 8 == 0);
    }

    /// @notice A renter posts an instant credit job, buying the credits it lacks first. An eighth of the
    /// jobs are dust (a few wei per GPU-hour), so tiny fees and earnings that round to zero GRL occur.
    function createJob(uint256 renterSeed, uint256 gpuSeed, uint256 durationSeed, uint256 reserveSeed, uint256 window)
        public
        synced
    {
        if (market.jobCount() >= MAX_JOBS) return;
        address renter = _renters[renterSeed % _renters.length];
        IJobMarket.JobRequest memory r;
        r.paymentToken = address(settlement);
        r.gpuModel = H100;
        r.gpuCount = uint32(bound(gpuSeed, 1, 4));
        r.duration = uint40(bound(durationSeed, 1 hours, 48 hours));
        r.reservePricePerGpuHour =
            uint96(reserveSeed % 8 == 0 ? bound(reserveSeed >> 3, 1, 1e6) : bound(reserveSeed >> 3, 1e15, 10e18));
        r.pricingRule = IJobMarket.PricingRule.Instant;
        r.bidWindow = uint40(bound(window, 6 hours, 2 days));
        r.specHash = keccak256(abi.encode("spec", renterSeed, gpuSeed, durationSeed));
        uint256 budget = JobMath.value(r.reservePricePerGpuHour, r.gpuCount, r.duration);
        if (!_haveCredits(renter, budget)) return;

        Snap memory s = _snap(renter, address(0), 0);
        vm.prank(renter);
        uint256 id = market.createJob(r);
        calls[Action.Create]++;

        IJobMarket.Job memory job = market.jobOf(id);
        _check(job.escrow == budget && job.renter == renter, Check.Market, "create: escrow != budget");
        _check(job.state == IJobMarket.JobState.Bidding, Check.Market, "create: state");
        _check(job.specHash == r.specHash, Check.Market, "create: spec hash");
        _check(s.renterCredits - settlement.creditsOf(renter) == budget, Check.Credits, "create: credits not spent");
        _check(settlement.creditsEscrowed() == s.escrowed + budget, Check.Credits, "create: escrow not credited");
        ghost_creditsSpent += budget;
    }

    // ------------------------------------------------------------------------------------------------
    // Jobs
    // ------------------------------------------------------------------------------------------------

    /// @notice Moves a random live credit job one step along its lifecycle, choosing the step (and the
    /// branch) from a seed; creates a job when none is live, and now and then anyway.
    /// @dev Random choice among a dozen actions seldom carries a job through create, accept, start,
    /// deliver and settle within a run; this action always takes a step that applies to the job's state.
    function advance(uint256 jobSeed, uint256 choice) external synced {
        (uint256 id, IJobMarket.Job memory job) = _findLive(jobSeed);
        // The fuzzer favours small and edge values; the step's own randomness comes from a hash of the
        // choice, so the jobs created here are not all dust and the delays not all zero.
        uint256 r = uint256(keccak256(abi.encode(choice)));
        if (id == 0 || choice % 16 == 0) {
            createJob(r, r >> 8, r >> 40, r >> 72, r >> 160);
            return;
        }
        uint256 c = (choice >> 4) % 8;
        IJobMarket.JobState state = job.state;
        // Past the deadline of its current phase a job can only expire, fail or settle.
        bool late = currentTime >= (state == IJobMarket.JobState.Bidding ? job.bidDeadline : job.deadline);
        if (state == IJobMarket.JobState.Bidding) {
            if (late && c % 2 == 0) _expire(id, job, r);
            else if (late || c == 0) _cancel(id, job);
            else _accept(id, job, r);
        } else if (state == IJobMarket.JobState.Awarded) {
            if (late || c == 0) _fail(id, job, r);
            else _start(id, job);
        } else if (state == IJobMarket.JobState.Running) {
            if (late || c == 3) {
                _fail(id, job, r);
            } else {
                // The provider works for a while first, so pay accrues (still before the deadline).
                _work(job, r);
                if (c < 2) _claim(id, job);
                else if (c == 2) _stop(id, job);
                else _deliver(id, job, bytes32(r));
            }
        } else if (state == IJobMarket.JobState.Delivered) {
            c %= 4;
            if (c == 0) _claim(id, job);
            else if (c == 1 && !late) _dispute(id, job);
            else _settle(id, job, r);
        } else if (state == IJobMarket.JobState.Disputed) {
            c %= 4;
            if (c == 0) _claim(id, job);
            else if (c == 1 || late) _disputeTimeout(id, job, r);
            else _resolve(id, job, c == 2);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Earners and the mint queue
    // ------------------------------------------------------------------------------------------------

    /// @notice A provider or the treasury with earnings withdraws them as GRL, to itself or (a third of
    /// the time) to the vault. Earnings worth less than a wei of GRL must be rejected and stay credited.
    function withdrawEarnings(uint256 earnerSeed, uint256 recipientSeed) external synced {
        Withdrawal memory w;
        w.earner = _earnerWithEarnings(earnerSeed);
        if (w.earner == address(0)) return;
        w.recipient = recipientSeed % 3 == 0 ? vault : w.earner;
        w.usd = settlement.earningsOf(w.earner);
        w.price = _price();
        uint256 atPrice = w.usd * WAD / w.price;
        w.cap = settlement.grlCapOf(w.earner);
        // Cost basis: never more GRL than the credits that paid the earnings burned.
        w.grlOwed = atPrice < w.cap ? atPrice : w.cap;
        _check(settlement.quoteGrl(w.usd) == atPrice, Check.Rounding, "quoteGrl != floor(usd * 1e18 / price)");
        _check(settlement.quoteWithdrawal(w.earner) == w.grlOwed, Check.Rounding, "quoteWithdrawal != min(at price, cap)");
        if (w.grlOwed == 0) _withdrawRoundingToZero(w);
        else _withdraw(w);
    }

    /// @notice Claims a mint ticket. Mostly a ticket with something to claim; now and then any ticket, or
    /// one that does not exist, which must be rejected with the documented error.
    function claimQueuedMint(uint256 ticketSeed) external synced {
        uint256 n = settlement.ticketCount();
        QueueStep memory q = _predictRelease();
        uint256 head = ghost_queueHead + q.release;
        uint256 id;
        uint256 amount;
        if (ticketSeed % 8 == 0) {
            id = ticketSeed % (n + 1) + 1; // up to n + 1, which is unknown
            if (id <= n) amount = _claimable(id, head);
        } else {
            if (n == 0) return;
            for (uint256 k = 0; k < n; ++k) {
                uint256 candidate = (ticketSeed % n + k) % n + 1;
                amount = _claimable(candidate, head);
                if (amount != 0) {
                    id = candidate;
                    break;
                }
            }
            if (id == 0) return;
        }
        if (id <= n) {
            _check(settlement.claimableOf(id) == amount, Check.Queue, "claimableOf != what a claim sends");
        }

        if (amount == 0) return _claimNothing(id, n);

        ISettlement.MintTicket memory t = settlement.ticketOf(id);
        uint256 recipientBefore = grl.balanceOf(t.recipient);
        uint256 custodyBefore = grl.balanceOf(address(settlement));
        vm.prank(keeper);
        uint256 sent = settlement.claimQueuedMint(id);
        calls[Action.ClaimTicket]++;

        _check(sent == amount, Check.Queue, "claim: amount != reached - claimed");
        _check(grl.balanceOf(t.recipient) == recipientBefore + sent, Check.GrlFlow, "claim: recipient GRL");
        _check(
            grl.balanceOf(address(settlement)) + sent == custodyBefore + q.release, Check.Queue, "claim: custody GRL"
        );
        ghost_ticketClaimed[id] += sent;
        ghost_ticketsClaimed += sent;
        ghost_grlIn[t.recipient] += sent;
        _applyRelease(q, 0);
    }

    /// @dev A claim of a ticket with nothing released to it, or of an unknown ticket: rejected.
    function _claimNothing(uint256 id, uint256 n) internal {
        bytes memory expected = id > n
            ? abi.encodeWithSelector(ISettlement.SettlementUnknownTicket.selector, id)
            : abi.encodeWithSelector(ISettlement.SettlementNothingToClaim.selector, id);
        vm.prank(keeper);
        try settlement.claimQueuedMint(id) {
            _fail(Check.Queue, "claim with nothing to claim went through");
        } catch (bytes memory reason) {
            _expectError(reason, expected, Check.Queue, "claim: wrong error");
        }
        calls[Action.ClaimTicketRejected]++;
    }

    /// @notice Anyone releases the current epoch's unused cap to the queue's front.
    function releaseQueuedMints() external synced {
        QueueStep memory q = _predictRelease();
        uint256 custodyBefore = grl.balanceOf(address(settlement));
        vm.prank(keeper);
        uint256 released = settlement.releaseQueuedMints();
        calls[Action.Release]++;
        _check(released == q.release, Check.Queue, "release != min(queued, cap left)");
        _check(grl.balanceOf(address(settlement)) == custodyBefore + released, Check.Queue, "release: custody GRL");
        _applyRelease(q, 0);
    }

    /// @notice A provider or renter that a ruling or a timeout credited with a GRL dispute bond withdraws it
    /// from the market's ledger, to itself or (a third of the time) to the vault. An eighth of the calls pick
    /// any provider or renter, and one with nothing on the ledger must be rejected with
    /// MarketNothingToWithdraw and move nothing.
    function withdrawBond(uint256 accountSeed, uint256 recipientSeed) external synced {
        address account = accountSeed % 8 == 0 ? _actor(accountSeed >> 3) : _bondHolder(accountSeed);
        if (account == address(0)) return;
        uint256 owed = market.balanceOf(address(grl), account);
        _check(owed == ghost_bondLedger[account], Check.Bond, "ledger GRL != bonds credited - withdrawn");
        address recipient = recipientSeed % 3 == 0 ? vault : account;
        uint256 marketBefore = grl.balanceOf(address(market));
        uint256 recipientBefore = grl.balanceOf(recipient);
        if (owed == 0) {
            vm.prank(account);
            try market.withdraw(address(grl), recipient) {
                _fail(Check.Bond, "a withdrawal of nothing went through");
            } catch (bytes memory reason) {
                _expectError(
                    reason,
                    abi.encodeWithSelector(IJobMarket.MarketNothingToWithdraw.selector, address(grl), account),
                    Check.Bond,
                    "withdraw GRL: not MarketNothingToWithdraw"
                );
            }
            _check(grl.balanceOf(address(market)) == marketBefore, Check.Bond, "rejected withdrawal moved GRL");
            calls[Action.WithdrawBondRejected]++;
            return;
        }

        vm.prank(account);
        uint256 amount = market.withdraw(address(grl), recipient);
        calls[Action.WithdrawBond]++;
        _check(amount == owed, Check.Bond, "withdraw GRL: amount != ledger balance");
        _check(market.balanceOf(address(grl), account) == 0, Check.Bond, "withdraw GRL: ledger balance left");
        _check(grl.balanceOf(address(market)) + amount == marketBefore, Check.Bond, "withdraw GRL: market GRL");
        _check(grl.balanceOf(recipient) == recipientBefore + amount, Check.GrlFlow, "withdraw GRL: recipient GRL");
        ghost_bondLedger[account] = 0;
        ghost_bondsWithdrawn += amount;
        ghost_grlIn[recipient] += amount;
    }

    /// @notice Claims a provider's emission of an ended epoch. Mostly a claimable one; now and then any
    /// epoch and provider, which must be rejected unless claimable.
    function claimEmission(uint256 epochSeed, uint256 providerSeed) external synced {
        uint256 current = currentEpoch();
        (uint256 epoch, address provider) = _findEmission(epochSeed, providerSeed, current);
        if (provider == address(0) || epochSeed % 8 == 0) {
            epoch = _epochs[epochSeed % _epochs.length];
            provider = _providers[providerSeed % _providers.length];
        }
        uint256 seconds_ = ghost_providerSeconds[epoch][provider];
        uint256 fees = ghost_providerFeesUsd[epoch][provider];
        _check(settlement.feesUsdOf(epoch, provider) == fees, Check.Emission, "feesUsdOf != model");
        bytes memory expectedError;
        if (epoch >= current) {
            expectedError = abi.encodeWithSelector(ISettlement.SettlementEpochNotEnded.selector, epoch, current);
        } else if (seconds_ == 0) {
            expectedError = abi.encodeWithSelector(ISettlement.SettlementNoEmission.selector, epoch, provider);
        }
        if (expectedError.length != 0) {
            _check(settlement.emissionOf(epoch, provider) == 0, Check.Emission, "emissionOf an unclaimable share != 0");
            vm.prank(keeper);
            try settlement.claimEmission(epoch, provider) {
                _fail(Check.Emission, "unclaimable emission went through");
            } catch (bytes memory reason) {
                _expectError(reason, expectedError, Check.Emission, "claimEmission: wrong error");
            }
            calls[Action.ClaimEmissionRejected]++;
            return;
        }

        // The pro-rata share, capped at the GRL its fees are worth at the price now.
        uint256 share = ghost_epochBudget[epoch] * seconds_ / ghost_epochSeconds[epoch];
        uint256 price = _price();
        uint256 cap = fees * WAD / price;
        uint256 expected = share < cap ? share : cap;
        _check(settlement.emissionOf(epoch, provider) == expected, Check.Emission, "emissionOf != min(share, cap)");
        uint256 before = grl.balanceOf(provider);
        vm.prank(keeper);
        uint256 amount = settlement.claimEmission(epoch, provider);
        calls[Action.ClaimEmission]++;
        _check(
            amount == expected,
            Check.Emission,
            "emission != min(floor(budget * seconds / epoch seconds), floor(fees * 1e18 / price))"
        );
        _check(grl.balanceOf(provider) == before + amount, Check.GrlFlow, "emission: provider GRL");
        _check(settlement.gpuSecondsOf(epoch, provider) == 0, Check.Emission, "emission: seconds not cleared");
        _check(settlement.feesUsdOf(epoch, provider) == 0, Check.Emission, "emission: fees not cleared");

        ghost_providerSeconds[epoch][provider] = 0;
        ghost_providerFeesUsd[epoch][provider] = 0;
        ghost_emissionShares[epoch] += share;
        _emissionClaims.push(EmissionClaim(epoch, provider, amount, share, fees, price));
        if (cap < share) emissionClaimsCapped++;
        ghost_emissionClaimed[epoch] += amount;
        ghost_emissionClaimers[epoch]++;
        ghost_emissionsMinted += amount;
        ghost_grlIn[provider] += amount;
    }

    // ------------------------------------------------------------------------------------------------
    // Price, time and governance
    // ------------------------------------------------------------------------------------------------

    /// @notice The feed publishes a new answer within the oracle's bounds.
    function setPrice(uint256 priceSeed) external synced {
        _publish(priceSeed);
        calls[Action.SetPrice]++;
    }

    /// @notice Moves the clock forward by up to 12 hours (a new answer is published).
    function warp(uint256 secondsSeed, uint256 priceSeed) external synced {
        _setTime(currentTime + bound(secondsSeed, 1, MAX_WARP), priceSeed);
    }

    /// @notice Moves the clock to one second before, exactly at or one second after the next epoch's start.
    function warpToEpochBoundary(uint256 offsetSeed, uint256 priceSeed) external synced {
        uint256 target = genesis + (currentEpoch() + 1) * epochLength + offsetSeed % 3 - 1;
        if (target <= currentTime) return;
        _setTime(target, priceSeed);
    }

    /// @notice Governance sets the per-epoch mint cap: mostly small (1 to 20 GRL, so it binds), an eighth
    /// of the time large enough to drain the queue.
    function setMintCapPerEpoch(uint256 capSeed) external synced {
        uint256 cap = uint256(keccak256(abi.encode(capSeed))) % 8 == 0
            ? bound(capSeed, 1e24, 1e27)
            : bound(capSeed, 1e18, MAX_SMALL_CAP);
        vm.prank(admin);
        settlement.setMintCapPerEpoch(cap);
        calls[Action.SetCap]++;
        capNow = cap;
        uint256 e = currentEpoch();
        if (cap > ghost_maxCapIn[e]) ghost_maxCapIn[e] = cap;
    }

    /// @notice Governance sets the emission budget (0 to 20,000 GRL); it applies from the next epoch with
    /// records.
    function setEmissionBudgetPerEpoch(uint256 budgetSeed) external synced {
        uint256 budget = bound(budgetSeed, 0, MAX_EMISSION_BUDGET);
        vm.prank(admin);
        settlement.setEmissionBudgetPerEpoch(budget);
        calls[Action.SetBudget]++;
        budgetNow = budget;
    }

    /// @notice Governance sets the purchase spread within its bounds (0 to 500 bps).
    function setSpreadBps(uint256 spreadSeed) external synced {
        uint16 spread = uint16(bound(spreadSeed, 0, settlement.MAX_SPREAD_BPS()));
        vm.prank(admin);
        settlement.setSpreadBps(spread);
        calls[Action.SetSpread]++;
        spreadNow = spread;
    }

    // ------------------------------------------------------------------------------------------------
    // Job steps (each checks its own preconditions; a job that does not qualify is left alone)
    // ------------------------------------------------------------------------------------------------

    function _accept(uint256 id, IJobMarket.Job memory job, uint256 seed) internal {
        if (currentTime >= job.bidDeadline) return;
        address p = _eligibleProvider(job, seed);
        if (p == address(0)) return;
        Expect memory e = _expect(IJobMarket.JobState.Awarded, 0);
        _marketCall(id, p, abi.encodeCall(IJobMarket.acceptInstant, (id)), Action.Accept, e);
    }

    function _cancel(uint256 id, IJobMarket.Job memory job) internal {
        Expect memory e = _expect(IJobMarket.JobState.Cancelled, 0);
        _marketCall(id, job.renter, abi.encodeCall(IJobMarket.cancelJob, (id)), Action.Cancel, e);
    }

    /// @dev Nobody accepted in time: a keeper closes the job once its bid window has ended.
    function _expire(uint256 id, IJobMarket.Job memory job, uint256 seed) internal {
        _waitFor(job.bidDeadline, seed);
        Expect memory e = _expect(IJobMarket.JobState.Expired, 0);
        _marketCall(id, keeper, abi.encodeCall(IJobMarket.award, (id)), Action.Expire, e);
    }

    function _start(uint256 id, IJobMarket.Job memory job) internal {
        if (currentTime >= job.deadline) return;
        IProviderRegistry.GpuLine memory line = registry.gpuLineOf(job.provider, H100);
        if (line.count - line.leased < job.gpuCount) return;
        Expect memory e = _expect(IJobMarket.JobState.Running, 0);
        _marketCall(id, job.provider, abi.encodeCall(IJobMarket.startJob, (id)), Action.Start, e);
    }

    function _claim(uint256 id, IJobMarket.Job memory job) internal {
        if (job.state == IJobMarket.JobState.Running && currentTime >= job.deadline) return;
        uint256 releasable = _releasable(job);
        if (releasable <= job.claimed) return;
        Expect memory e = _expect(job.state, releasable - job.claimed);
        _marketCall(id, job.provider, abi.encodeCall(IJobMarket.claim, (id)), Action.Claim, e);
    }

    function _deliver(uint256 id, IJobMarket.Job memory job, bytes32 resultHash) internal {
        if (currentTime >= job.deadline) return;
        if (resultHash == bytes32(0)) resultHash = keccak256(abi.encode(id));
        _marketCall(
            id,
            job.provider,
            abi.encodeCall(IJobMarket.deliver, (id, resultHash, "ipfs://result")),
            Action.Deliver,
            _expect(IJobMarket.JobState.Delivered, 0)
        );
    }

    function _stop(uint256 id, IJobMarket.Job memory job) internal {
        if (currentTime >= job.deadline) return;
        uint256 value = uint256(job.escrow) + job.claimed;
        uint256 gross = JobMath.accrued(value, currentTime - job.startedAt, job.duration) - job.claimed;
        Expect memory e = _expect(IJobMarket.JobState.Cancelled, gross);
        _marketCall(id, job.renter, abi.encodeCall(IJobMarket.stopJob, (id)), Action.Stop, e);
    }

    /// @dev The renter disputes within the challenge window. A credit job's bond is GRL, not credits:
    /// disputeBondBps of the job's value at its creation price, i.e. its collateral (GRL at that price,
    /// collateralBps of the value) scaled by disputeBondBps / collateralBps, rounded up, which the market
    /// must quote. The renter approves exactly that (topped up from the treasury if its GRL all went into
    /// credits); the dispute must pull it and spend, refund and re-floor no credits.
    function _dispute(uint256 id, IJobMarket.Job memory job) internal {
        if (currentTime >= job.deadline) return;
        // job.collateral is the collateral at the clearing price (jobOf after award); the reserve for an
        // instant job. Plain arithmetic, not the market's Math.mulDiv.
        uint256 bond = (uint256(job.collateral) * disputeBondBps + collateralBps - 1) / collateralBps;
        (address token, uint96 quoted) = market.disputeBondOf(id);
        _check(
            token == address(grl) && quoted == bond,
            Check.Bond,
            "disputeBondOf != (GRL, ceil(collateral * disputeBondBps / collateralBps))"
        );
        if (!_haveGrl(job.renter, bond)) return;
        vm.prank(job.renter);
        grl.approve(address(market), bond);

        uint256 spent = settlement.totalCreditsSpent();
        uint256 refunded = settlement.totalCreditsRefunded();
        Expect memory e = _expect(IJobMarket.JobState.Disputed, 0);
        e.bondIn = bond;
        vm.recordLogs();
        _marketCall(
            id,
            job.renter,
            abi.encodeCall(IJobMarket.dispute, (id, keccak256(abi.encode("evidence", id)))),
            Action.Dispute,
            e
        );
        _checkDisputeLogs(id, job.renter, bond);
        _check(market.jobOf(id).disputeBond == bond, Check.Market, "dispute: bond");
        _check(grl.allowance(job.renter, address(market)) == 0, Check.Bond, "dispute: pulled less than approved");
        _check(
            settlement.totalCreditsSpent() == spent && settlement.totalCreditsRefunded() == refunded,
            Check.Credits,
            "dispute: credits spent or refunded for a GRL bond"
        );
    }

    /// @dev The dispute's logs: JobDisputed names GRL as the bond token with the bond, and neither the
    /// market (CreditFloorSet) nor the settlement (any event: no credits move) logged anything else.
    function _checkDisputeLogs(uint256 id, address renter, uint256 bond) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 disputed;
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter == address(settlement)) {
                _fail(Check.Credits, "dispute: the settlement logged an event");
            } else if (log.emitter == address(market) && log.topics[0] == IJobMarket.CreditFloorSet.selector) {
                _fail(Check.Credits, "dispute: CreditFloorSet");
            } else if (log.emitter == address(market) && log.topics[0] == IJobMarket.JobDisputed.selector) {
                (, address bondToken, uint96 amount,) = abi.decode(log.data, (bytes32, address, uint96, uint40));
                _check(
                    uint256(log.topics[1]) == id && address(uint160(uint256(log.topics[2]))) == renter
                        && bondToken == address(grl) && amount == bond,
                    Check.Bond,
                    "JobDisputed: not (GRL, bond)"
                );
                disputed++;
            }
        }
        _check(disputed == 1, Check.Bond, "dispute: not one JobDisputed");
    }

    function _settle(uint256 id, IJobMarket.Job memory job, uint256 seed) internal {
        _waitFor(job.deadline, seed);
        Expect memory e = _expect(IJobMarket.JobState.Settled, job.escrow);
        e.recordsGpu = true;
        _marketCall(id, keeper, abi.encodeCall(IJobMarket.settle, (id)), Action.Settle, e);
    }

    function _resolve(uint256 id, IJobMarket.Job memory job, bool providerFault) internal {
        if (currentTime >= job.deadline) return;
        Expect memory e;
        if (providerFault) {
            // The provider keeps pay accrued up to its delivery, less the holdback; its whole collateral is slashed.
            uint256 value = uint256(job.escrow) + job.claimed;
            uint256 accrued = JobMath.accrued(value, job.deliveredAt - job.startedAt, job.duration);
            uint256 share = accrued - JobMath.bpsOfUp(accrued, holdbackBps);
            e = _expect(IJobMarket.JobState.Resolved, share > job.claimed ? share - job.claimed : 0);
            e.slashed = job.collateral;
            // The bond goes back to the renter, on the market's ledger in GRL.
            e.bondToRenter = job.disputeBond;
        } else {
            e = _expect(IJobMarket.JobState.Settled, job.escrow);
            e.bondToProvider = job.disputeBond;
            e.recordsGpu = true;
        }
        IJobMarket.Ruling ruling = providerFault ? IJobMarket.Ruling.ProviderFault : IJobMarket.Ruling.RenterFault;
        _marketCall(
            id,
            arbiter,
            abi.encodeCall(IJobMarket.resolveDispute, (id, ruling)),
            providerFault ? Action.ResolveProviderFault : Action.ResolveRenterFault,
            e
        );
    }

    function _disputeTimeout(uint256 id, IJobMarket.Job memory job, uint256 seed) internal {
        _waitFor(job.deadline, seed);
        Expect memory e = _expect(IJobMarket.JobState.Settled, job.escrow);
        e.recordsGpu = true;
        // The arbiter did not rule in time: the bond goes back to the renter.
        e.bondToRenter = job.disputeBond;
        _marketCall(id, keeper, abi.encodeCall(IJobMarket.settleDisputeTimeout, (id)), Action.DisputeTimeout, e);
    }

    /// @dev The provider vanishes: the clock moves past its start or delivery deadline and a keeper fails
    /// the job (refund of the unclaimed escrow, part of the collateral slashed).
    function _fail(uint256 id, IJobMarket.Job memory job, uint256 seed) internal {
        _waitFor(job.deadline, seed);
        Expect memory e = _expect(IJobMarket.JobState.Failed, 0);
        e.slashed = JobMath.bpsOf(job.collateral, faultSlashBps);
        _marketCall(id, keeper, abi.encodeCall(IJobMarket.failJob, (id)), Action.Fail, e);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: market calls
    // ------------------------------------------------------------------------------------------------

    function _expect(IJobMarket.JobState state, uint256 gross) internal pure returns (Expect memory e) {
        e.state = state;
        e.gross = gross;
    }

    /// @dev Makes one market call on credit job `id` and checks its effects on the settlement: the job's
    /// new state; credits conserved (escrow held, the renter's credits, the provider's and the treasury's
    /// earnings); the settlement's escrow moving with the job's; the gross pay and its fee; the slash's
    /// burn and renter share; the GRL dispute bond pulled from the renter or credited on the market's
    /// ledger as expected; and, for a job settled as delivered, its GPU-seconds recorded in the current
    /// epoch.
    function _marketCall(uint256 id, address caller, bytes memory data, Action action, Expect memory e) internal {
        IJobMarket.Job memory pre = market.jobOf(id);
        // Before acceptance the job has no provider; the accepting provider is the caller.
        address provider = pre.provider != address(0) ? pre.provider : caller;
        Snap memory s = _snap(pre.renter, provider, pre.escrow);
        vm.prank(caller);
        (bool ok, bytes memory ret) = address(market).call(data);
        if (!ok) {
            // A call whose preconditions were all checked failed: surface the market's error as is.
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        calls[action]++;
        IJobMarket.Job memory post = market.jobOf(id);
        _checkMarketEffects(pre, post, s, _snap(pre.renter, provider, post.escrow), e);
    }

    function _checkMarketEffects(
        IJobMarket.Job memory pre,
        IJobMarket.Job memory post,
        Snap memory s,
        Snap memory a,
        Expect memory e
    ) internal {
        _check(post.state == e.state, Check.Market, "market call left an unexpected state");
        if (e.state >= IJobMarket.JobState.Settled) _check(post.escrow == 0, Check.Market, "finished job escrows");

        _check(
            a.held + a.renterCredits + a.providerEarnings + a.treasuryEarnings
                == s.held + s.renterCredits + s.providerEarnings + s.treasuryEarnings,
            Check.Credits,
            "market call created or destroyed credits"
        );
        _check(a.escrowed + s.held == s.escrowed + a.held, Check.Credits, "settlement escrow != job escrow");
        if (a.providerEarnings < s.providerEarnings || a.treasuryEarnings < s.treasuryEarnings) {
            _fail(Check.Credits, "earnings decreased in a market call");
            return;
        }
        // No bond in the earnings: a credit job's bond is GRL, paid out on the market's ledger.
        uint256 dProvider = a.providerEarnings - s.providerEarnings;
        uint256 dTreasury = a.treasuryEarnings - s.treasuryEarnings;
        uint256 gross = dProvider + dTreasury;
        _check(gross == e.gross, Check.Market, "gross pay differs from the market's rule");
        _check(dTreasury == JobMath.bpsOf(gross, feeBps), Check.Market, "fee != feeBps of gross");
        ghost_earningsAccrued += dProvider + dTreasury;
        if (a.renterCredits > s.renterCredits) ghost_creditsRefunded += a.renterCredits - s.renterCredits;
        else ghost_creditsSpent += s.renterCredits - a.renterCredits;

        uint256 toRenter = JobMath.bpsOf(e.slashed, slashToRenterBps);
        _check(a.renterGrl + e.bondIn == s.renterGrl + toRenter, Check.GrlFlow, "renter's GRL != + slash share - bond");
        _check(a.burned == s.burned + e.slashed - toRenter, Check.GrlFlow, "slash: burned share");
        ghost_grlIn[pre.renter] += toRenter;
        ghost_grlOut[pre.renter] += e.bondIn;
        ghost_grlSlashedToRenters += toRenter;
        ghost_grlBurnedBySlashes += e.slashed - toRenter;

        // The bond: into the market's GRL on a dispute; out of the bonds held, onto the ledger of whoever
        // the ruling or the timeout gives it, on its end (the GRL stays in the market until withdrawn).
        _check(a.marketGrl == s.marketGrl + e.bondIn, Check.Bond, "market GRL != + bond pulled");
        _check(
            a.providerBond == s.providerBond + e.bondToProvider && a.renterBond == s.renterBond + e.bondToRenter,
            Check.Bond,
            "bond not credited on the market's ledger to whom the ruling gives it"
        );
        ghost_bondsPosted += e.bondIn;
        ghost_bondsCredited += e.bondToProvider + e.bondToRenter;
        ghost_bondLedger[post.provider] += e.bondToProvider;
        ghost_bondLedger[pre.renter] += e.bondToRenter;

        if (e.recordsGpu) _recordGpu(post);
    }

    function _recordGpu(IJobMarket.Job memory job) internal {
        uint256 epoch = currentEpoch();
        // The market counts the compute actually run: GPUs x (delivery - start), at most the duration.
        uint256 ran = job.deliveredAt - job.startedAt;
        if (ran > job.duration) ran = job.duration;
        uint256 seconds_ = ran * job.gpuCount;
        if (seconds_ == 0) return;
        if (ghost_epochSeconds[epoch] == 0) ghost_epochBudget[epoch] = budgetNow;
        ghost_epochSeconds[epoch] += seconds_;
        ghost_providerSeconds[epoch][job.provider] += seconds_;
        // The fee on the job's whole value (escrow paid out + claimed); credits are USD with 18 decimals.
        ghost_providerFeesUsd[epoch][job.provider] += JobMath.bpsOf(uint256(job.escrow) + job.claimed, feeBps);
        ISettlement.EpochEmission memory book = settlement.epochEmissionOf(epoch);
        _check(
            book.budget == ghost_epochBudget[epoch] && book.gpuSeconds == ghost_epochSeconds[epoch],
            Check.Emission,
            "settle: epoch book"
        );
        _check(
            settlement.gpuSecondsOf(epoch, job.provider) == ghost_providerSeconds[epoch][job.provider],
            Check.Emission,
            "settle: provider GPU-seconds"
        );
        _check(
            settlement.feesUsdOf(epoch, job.provider) == ghost_providerFeesUsd[epoch][job.provider],
            Check.Emission,
            "settle: provider fees"
        );
    }

    function _snap(address renter, address provider, uint256 held) internal view returns (Snap memory s) {
        s.held = held;
        s.renterCredits = settlement.creditsOf(renter);
        s.providerEarnings = provider == address(0) ? 0 : settlement.earningsOf(provider);
        s.treasuryEarnings = settlement.earningsOf(treasury);
        s.renterGrl = grl.balanceOf(renter);
        s.burned = grl.totalBurned();
        s.escrowed = settlement.creditsEscrowed();
        s.marketGrl = grl.balanceOf(address(market));
        s.providerBond = provider == address(0) ? 0 : market.balanceOf(address(grl), provider);
        s.renterBond = market.balanceOf(address(grl), renter);
    }

    /// @dev Pay released to the provider now: accrued by the second while running, up to the delivery
    /// once delivered or disputed, less the holdback (rounded up).
    function _releasable(IJobMarket.Job memory job) internal view returns (uint256) {
        uint256 value = uint256(job.escrow) + job.claimed;
        uint256 end = job.state == IJobMarket.JobState.Running ? currentTime : job.deliveredAt;
        uint256 accrued = JobMath.accrued(value, end - job.startedAt, job.duration);
        return accrued - JobMath.bpsOfUp(accrued, holdbackBps);
    }

    /// @dev The first live job (Bidding to Disputed) from `seed`, cyclically; id 0 when there is none.
    function _findLive(uint256 seed) internal view returns (uint256 id, IJobMarket.Job memory job) {
        uint256 n = market.jobCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 candidate = (seed % n + k) % n + 1;
            job = market.jobOf(candidate);
            if (job.state >= IJobMarket.JobState.Bidding && job.state <= IJobMarket.JobState.Disputed) {
                return (candidate, job);
            }
        }
        return (0, job);
    }

    /// @dev The provider (first) or renter at `seed`, cyclically over both.
    function _actor(uint256 seed) internal view returns (address) {
        uint256 i = seed % (_providers.length + _renters.length);
        return i < _providers.length ? _providers[i] : _renters[i - _providers.length];
    }

    /// @dev The first provider or renter from `seed` that the market's ledger owes GRL; 0 when none.
    function _bondHolder(uint256 seed) internal view returns (address) {
        uint256 n = _providers.length + _renters.length;
        for (uint256 k = 0; k < n; ++k) {
            address a = _actor(seed % n + k);
            if (market.balanceOf(address(grl), a) != 0) return a;
        }
        return address(0);
    }

    /// @dev The first provider from `seed` with free stake for the collateral that the registry deems eligible.
    function _eligibleProvider(IJobMarket.Job memory job, uint256 seed) internal view returns (address) {
        for (uint256 k = 0; k < _providers.length; ++k) {
            address p = _providers[(seed % _providers.length + k) % _providers.length];
            if (registry.providerOf(p).freeStake < job.collateral) continue;
            try registry.requireEligible(p, job.gpuModel, job.gpuCount, job.minVramGb, job.region, job.minReputation) {
                return p;
            } catch {}
        }
        return address(0);
    }

    /// @dev Moves the clock forward by a fuzzed part of what is left of a running job's delivery window,
    /// staying before its deadline.
    function _work(IJobMarket.Job memory job, uint256 seed) internal {
        uint256 left = job.deadline - currentTime;
        if (left > 1) _setTime(currentTime + seed % left, seed >> 64);
    }

    /// @dev Moves the clock to `opensAt` plus a keeper's delay if it is not there yet.
    function _waitFor(uint256 opensAt, uint256 seed) internal {
        if (currentTime < opensAt) _setTime(opensAt + seed % MAX_KEEPER_DELAY, seed >> 64);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: credits and GRL
    // ------------------------------------------------------------------------------------------------

    /// @dev Makes sure `renter` holds `amount` GRL for a dispute bond: the treasury sends what it lacks (its
    /// GRL may all have gone into credits), as the suite's set-up gave the renters their GRL. False only if
    /// the treasury cannot.
    function _haveGrl(address renter, uint256 amount) internal returns (bool) {
        uint256 balance = grl.balanceOf(renter);
        if (balance >= amount) return true;
        uint256 lacking = amount - balance;
        if (grl.balanceOf(treasury) < lacking) return false;
        vm.prank(treasury);
        grl.transfer(renter, lacking);
        ghost_grlOut[treasury] += lacking;
        ghost_grlIn[renter] += lacking;
        return true;
    }

    /// @dev Makes sure `renter` holds `amount` credits, buying what it lacks (rounded up to the GRL that
    /// buys at least that much); false if its GRL does not suffice.
    function _haveCredits(address renter, uint256 amount) internal returns (bool) {
        uint256 credits = settlement.creditsOf(renter);
        if (credits >= amount) return true;
        uint256 den = _price() * (BPS - spreadNow);
        uint256 grlNeeded = ((amount - credits) * WAD * BPS + den - 1) / den;
        if (grl.balanceOf(renter) < grlNeeded) return false;
        _buy(renter, renter, grlNeeded, false);
        return settlement.creditsOf(renter) >= amount;
    }

    /// @dev Buys credits for `account` with `amount` of `buyer`'s GRL and checks the purchase against the
    /// oracle: credits == floor(grl x price x (BPS - spread) / (1e18 x BPS)). With `overBound` the buyer
    /// asks for one credit-wei more than that, and the purchase must be rejected.
    function _buy(address buyer, address account, uint256 amount, bool overBound) internal {
        uint256 price = _price();
        uint256 expected = amount * price * (BPS - spreadNow) / (WAD * BPS);
        _check(settlement.quoteCredits(amount) == expected, Check.Rounding, "quoteCredits != floor(...)");
        uint256 minCredits = overBound ? expected + 1 : expected;
        uint256 creditsBefore = settlement.creditsOf(account);
        uint256 buyerGrl = grl.balanceOf(buyer);
        uint256 burned = grl.totalBurned();

        vm.prank(buyer);
        try settlement.buyCredits(account, amount, minCredits) returns (uint256 credits) {
            calls[Action.Buy]++;
            _check(expected != 0 && !overBound, Check.Rounding, "purchase below the bound or worth 0 went through");
            // The oracle conversion: one rounding, down, so never more credits than the GRL is worth.
            _check(credits == expected, Check.Rounding, "buy: credits != floor(grl * price * (1 - spread))");
            _check(
                credits * WAD * BPS <= amount * price * (BPS - spreadNow)
                    && amount * price * (BPS - spreadNow) < (credits + 1) * WAD * BPS,
                Check.Rounding,
                "buy: rounding not within one wei in the protocol's favour"
            );
            _check(
                settlement.creditsOf(account) == creditsBefore + credits, Check.Credits, "buy: credits not credited"
            );
            _check(grl.balanceOf(buyer) + amount == buyerGrl, Check.GrlFlow, "buy: buyer's GRL");
            _check(grl.totalBurned() == burned + amount, Check.GrlFlow, "buy: GRL not burned");
            ghost_creditsBought += credits;
            ghost_grlBurnedForCredits += amount;
            ghost_grlOut[buyer] += amount;
        } catch (bytes memory reason) {
            calls[Action.BuyRejected]++;
            _check(expected == 0 || overBound, Check.Rounding, "a valid purchase was rejected");
            _expectError(
                reason,
                abi.encodeWithSelector(ISettlement.SettlementSlippage.selector, expected, minCredits),
                Check.Rounding,
                "buy: not SettlementSlippage"
            );
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: withdrawals
    // ------------------------------------------------------------------------------------------------

    /// @dev Earnings worth less than a wei of GRL at the price: rejected, and still credited afterwards.
    function _withdrawRoundingToZero(Withdrawal memory w) internal {
        vm.prank(w.earner);
        try settlement.withdrawEarnings(w.recipient) {
            _fail(Check.Rounding, "withdrawal worth 0 GRL went through");
        } catch (bytes memory reason) {
            _expectError(
                reason,
                abi.encodeWithSelector(ISettlement.SettlementMintRoundsToZero.selector, w.usd, w.price),
                Check.Rounding,
                "withdraw: not SettlementMintRoundsToZero"
            );
        }
        _check(settlement.earningsOf(w.earner) == w.usd, Check.Credits, "rejected withdrawal lost earnings");
        calls[Action.WithdrawRejected]++;
    }

    /// @dev A withdrawal: the model releases the queue first, then mints at once only into an empty queue,
    /// as far as the epoch's cap allows; the rest becomes a ticket at the queue's tail.
    function _withdraw(Withdrawal memory w) internal {
        QueueStep memory q = _predictRelease();
        if (ghost_queueHead + q.release == ghost_queueTail) {
            uint256 left = q.capLeft - q.release;
            w.mintNow = w.grlOwed < left ? w.grlOwed : left;
        }
        w.queued = w.grlOwed - w.mintNow;
        w.ticket = w.queued == 0 ? 0 : settlement.ticketCount() + 1;
        w.recipientBefore = grl.balanceOf(w.recipient);
        w.custodyBefore = grl.balanceOf(address(settlement));

        vm.prank(w.earner);
        (uint256 grlAmount, uint256 mintedNow, uint256 ticketId) = settlement.withdrawEarnings(w.recipient);
        calls[Action.Withdraw]++;

        // The oracle conversion: floor(usd x 1e18 / price), so never more GRL than the dollars are worth.
        _check(grlAmount == w.grlOwed, Check.Rounding, "withdraw: grl != min(floor(usd * 1e18 / price), cap)");
        _check(
            grlAmount * w.price <= w.usd * WAD && (grlAmount == w.cap || w.usd * WAD < (grlAmount + 1) * w.price),
            Check.Rounding,
            "withdraw: rounding not within one wei in the protocol's favour"
        );
        _check(mintedNow == w.mintNow && ticketId == w.ticket, Check.Queue, "withdraw: minted now / ticket");
        _check(settlement.earningsOf(w.earner) == 0, Check.Credits, "withdraw: earnings left");
        _check(settlement.grlCapOf(w.earner) == 0, Check.Credits, "withdraw: cap left");
        _check(grl.balanceOf(w.recipient) == w.recipientBefore + mintedNow, Check.GrlFlow, "withdraw: recipient GRL");
        _check(
            grl.balanceOf(address(settlement)) == w.custodyBefore + q.release, Check.Queue, "withdraw: custody GRL"
        );
        if (w.queued != 0) {
            ISettlement.MintTicket memory t = settlement.ticketOf(ticketId);
            _check(
                t.recipient == w.recipient && t.start == ghost_queueTail && t.amount == w.queued && t.claimed == 0,
                Check.Queue,
                "withdraw: ticket"
            );
        }

        ghost_earningsWithdrawn += w.usd;
        ghost_mintedNow += mintedNow;
        ghost_grlIn[w.recipient] += mintedNow;
        ghost_queueTail += w.queued;
        _applyRelease(q, mintedNow);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: mint queue
    // ------------------------------------------------------------------------------------------------

    /// @dev What the next queue release mints: min(queued, the cap left in the current epoch).
    function _predictRelease() internal view returns (QueueStep memory q) {
        q.epoch = currentEpoch();
        q.mintedBefore = settlement.mintedInEpoch(q.epoch);
        uint256 minted = ghost_mintedIn[q.epoch];
        q.capLeft = capNow > minted ? capNow - minted : 0;
        uint256 queued = ghost_queueTail - ghost_queueHead;
        q.release = queued < q.capLeft ? queued : q.capLeft;
    }

    /// @dev Books a release of `q.release` (and `mintedNow` minted straight to a withdrawer) in the
    /// current epoch, and checks that no mint pushed the epoch above the cap in force.
    function _applyRelease(QueueStep memory q, uint256 mintedNow) internal {
        ghost_queueHead += q.release;
        ghost_mintedIn[q.epoch] += q.release + mintedNow;
        (uint256 head, uint256 tail) = settlement.mintQueue();
        _check(head == ghost_queueHead && tail == ghost_queueTail, Check.Queue, "queue head/tail != model");
        uint256 minted = settlement.mintedInEpoch(q.epoch);
        _check(minted == ghost_mintedIn[q.epoch], Check.Cap, "mintedInEpoch != model");
        _check(minted <= capNow || minted == q.mintedBefore, Check.Cap, "a mint went above the cap in force");
    }

    /// @dev What ticket `id` can claim once the queue's front is at `head`.
    function _claimable(uint256 id, uint256 head) internal view returns (uint256) {
        ISettlement.MintTicket memory t = settlement.ticketOf(id);
        uint256 reached = head <= t.start ? 0 : head - t.start;
        if (reached > t.amount) reached = t.amount;
        return reached - ghost_ticketClaimed[id];
    }

    function _earnerWithEarnings(uint256 seed) internal view returns (address) {
        uint256 n = _providers.length + 1;
        for (uint256 k = 0; k < n; ++k) {
            uint256 i = (seed % n + k) % n;
            address earner = i < _providers.length ? _providers[i] : treasury;
            if (settlement.earningsOf(earner) != 0) return earner;
        }
        return address(0);
    }

    /// @dev The first (ended epoch, provider) from the seeds with unclaimed GPU-seconds; provider 0 if none.
    function _findEmission(uint256 epochSeed, uint256 providerSeed, uint256 current)
        internal
        view
        returns (uint256, address)
    {
        uint256 n = _epochs.length;
        for (uint256 k = 0; k < n; ++k) {
            uint256 epoch = _epochs[(epochSeed % n + k) % n];
            if (epoch >= current) continue;
            for (uint256 j = 0; j < _providers.length; ++j) {
                address p = _providers[(providerSeed % _providers.length + j) % _providers.length];
                if (ghost_providerSeconds[epoch][p] != 0) return (epoch, p);
            }
        }
        return (0, address(0));
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: price, time, checks
    // ------------------------------------------------------------------------------------------------

    function _price() internal view returns (uint256) {
        return uint256(answer) * ANSWER_SCALE;
    }

    /// @dev A new answer: a sixteenth of the time exactly the oracle's floor ($0.01), a sixteenth its
    /// ceiling ($10,000), else $0.01 to $10 spread over three decades.
    function _publish(uint256 seed) internal {
        int256 a;
        uint256 h = uint256(keccak256(abi.encode(seed)));
        if (seed % 16 == 0) a = minAnswer;
        else if (seed % 16 == 1) a = maxAnswer;
        else a = int256(bound(h, 1e6, 1e7 - 1) * 10 ** ((h >> 128) % 3));
        vm.prank(feedOwner);
        feed.setAnswer(a);
        answer = a;
    }

    function _setTime(uint256 timestamp, uint256 priceSeed) internal {
        vm.warp(timestamp);
        currentTime = timestamp;
        _publish(priceSeed);
        _touch();
        calls[Action.Warp]++;
    }

    /// @dev Records the current epoch and the cap in force when the model first sees it.
    function _touch() internal {
        uint256 e = currentEpoch();
        if (touched[e]) return;
        touched[e] = true;
        _epochs.push(e);
        ghost_maxCapIn[e] = capNow;
    }

    function _expectError(bytes memory reason, bytes memory expected, Check check, string memory what) internal {
        if (keccak256(reason) != keccak256(expected)) _fail(check, what);
    }

    function _check(bool ok, Check check, string memory what) internal {
        if (!ok) _fail(check, what);
    }

    function _fail(Check check, string memory what) internal {
        if (violations[check] == 0) firstViolation[check] = what;
        violations[check]++;
    }
}
