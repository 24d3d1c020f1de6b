// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {console} from "forge-std/console.sol";

import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {ISettlement} from "../../../contracts/interfaces/ISettlement.sol";

import {ProtocolDeployment} from "../shared/ProtocolDeployment.sol";
import {SettlementHandler} from "./handlers/SettlementHandler.sol";

/// @notice Stateful invariants of the burn-mint settlement against the real GRL token, provider registry,
/// Chainlink oracle adapter and job market: credits bought by burning GRL, credit jobs escrowed, refunded
/// and paid out by the market, earnings withdrawn as GRL under a small per-epoch mint cap (so the FIFO
/// queue forms), tickets claimed, emissions of ended epochs claimed, the price and the clock moving and
/// governance changing the cap, the budget and the spread; credit jobs' dispute bonds are GRL, held by the
/// market and paid out on its ledger, never credits. The fuzzer drives only {SettlementHandler},
/// whose actions never revert; every invariant below must hold after each call.
/// @dev The protocol comes from {ProtocolDeployment} (deployed from artifacts). Build the contracts (and,
/// after editing the handler, this folder) before running this file alone: `node scripts/build.mjs` (see
/// {SettlementHandler}, "Artifacts").
contract SettlementInvariantTest is ProtocolDeployment {
    uint256 internal constant PROVIDER_STAKE = 1_000_000 ether;
    uint256 internal constant RENTER_GRL = 20_000_000 ether;
    uint256 internal constant NUM_PROVIDERS = 3;
    uint256 internal constant NUM_RENTERS = 3;
    /// @notice The smallest mint cap allowed (1 GRL per epoch), so most withdrawals queue.
    uint256 internal constant MINT_CAP_PER_EPOCH = 1e18;

    SettlementHandler internal handler;

    function setUp() public {
        _deployProtocol(MINT_CAP_PER_EPOCH);
        _addProviders(NUM_PROVIDERS, PROVIDER_STAKE, 0);
        _addGrlRenters(NUM_RENTERS, RENTER_GRL);

        handler = new SettlementHandler(settlement, market, feed, address(this), admin, arbiter, providers, renters);

        // Weights: about half of the calls move a job along its lifecycle; the rest buy, withdraw (earnings
        // and GRL bonds), claim, cross epochs, move the price and the clock, and change parameters.
        bytes4[] memory selectors = new bytes4[](35);
        selectors[0] = SettlementHandler.buyCredits.selector;
        selectors[1] = SettlementHandler.createJob.selector;
        selectors[2] = SettlementHandler.withdrawEarnings.selector;
        selectors[3] = SettlementHandler.withdrawEarnings.selector;
        selectors[4] = SettlementHandler.withdrawEarnings.selector;
        selectors[5] = SettlementHandler.claimQueuedMint.selector;
        selectors[6] = SettlementHandler.claimQueuedMint.selector;
        selectors[7] = SettlementHandler.claimQueuedMint.selector;
        selectors[8] = SettlementHandler.releaseQueuedMints.selector;
        selectors[9] = SettlementHandler.claimEmission.selector;
        selectors[10] = SettlementHandler.claimEmission.selector;
        selectors[11] = SettlementHandler.setPrice.selector;
        selectors[12] = SettlementHandler.warp.selector;
        selectors[13] = SettlementHandler.warpToEpochBoundary.selector;
        selectors[14] = SettlementHandler.warpToEpochBoundary.selector;
        selectors[15] = SettlementHandler.setMintCapPerEpoch.selector;
        selectors[16] = SettlementHandler.setEmissionBudgetPerEpoch.selector;
        selectors[17] = SettlementHandler.setSpreadBps.selector;
        selectors[18] = SettlementHandler.withdrawBond.selector;
        for (uint256 i = 19; i < selectors.length; ++i) {
            selectors[i] = SettlementHandler.advance.selector;
        }
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // ------------------------------------------------------------------------------------------------
    // GRL
    // ------------------------------------------------------------------------------------------------

    /// @notice GRL supply moves only by the settlement's mints (earnings and emissions) and by burns
    /// (credit purchases and registry slashes), each exactly as the model counted it.
    function invariant_grlSupplyConserved() public view {
        uint256 minted = grl.totalMinted();
        uint256 burned = grl.totalBurned();
        assertEq(grl.totalSupply(), INITIAL_SUPPLY + minted - burned, "supply != initial + minted - burned");
        assertEq(
            minted, settlement.totalGrlMintedForEarnings() + settlement.totalEmissionsMinted(), "minted != settlement's"
        );
        assertEq(
            burned, settlement.totalGrlBurned() + handler.ghost_grlBurnedBySlashes(), "burned != credits + slashes"
        );
        assertEq(settlement.totalGrlBurned(), handler.ghost_grlBurnedForCredits(), "burned for credits != model");
        (uint256 head,) = settlement.mintQueue();
        assertEq(
            settlement.totalGrlMintedForEarnings(),
            handler.ghost_mintedNow() + head,
            "earnings mints != direct + released"
        );
        assertEq(settlement.totalEmissionsMinted(), handler.ghost_emissionsMinted(), "emissions != model");
    }

    /// @notice Every holder's GRL is its starting balance plus what it was minted (withdrawals, tickets,
    /// emissions), slashed to it, withdrawn from the market's ledger (dispute bonds) or sent by the treasury
    /// for a bond, minus what it burned for credits, bonded in disputes or sent; the registry holds exactly
    /// the stake left after slashes.
    function invariant_grlBalancesMatchFlows() public view {
        _assertNoViolation(SettlementHandler.Check.GrlFlow);
        address[] memory holders = handler.holders();
        for (uint256 i = 0; i < holders.length; ++i) {
            address a = holders[i];
            assertEq(
                grl.balanceOf(a) + handler.ghost_grlOut(a),
                handler.ghost_grlBase(a) + handler.ghost_grlIn(a),
                "holder's GRL != base + in - out"
            );
        }
        uint256 staked;
        for (uint256 i = 0; i < providers.length; ++i) {
            IProviderRegistry.Provider memory p = registry.providerOf(providers[i]);
            staked += uint256(p.freeStake) + p.lockedStake + p.unbondingStake;
        }
        assertEq(grl.balanceOf(address(registry)), staked, "registry balance != stake");
        assertEq(
            staked + handler.ghost_grlSlashedToRenters() + handler.ghost_grlBurnedBySlashes(),
            PROVIDER_STAKE * providers.length,
            "stake != staked - slashed"
        );
    }

    // ------------------------------------------------------------------------------------------------
    // Credits and earnings
    // ------------------------------------------------------------------------------------------------

    /// @notice Credits outstanding == bought - spent + refunded == the sum of every renter's credits, and
    /// each total is what the model measured on the accounts (spent: job budgets only; a dispute bond is
    /// GRL and spends no credits).
    function invariant_creditsConserved() public view {
        _assertNoViolation(SettlementHandler.Check.Credits);
        uint256 bought = settlement.totalCreditsBought();
        uint256 spent = settlement.totalCreditsSpent();
        uint256 refunded = settlement.totalCreditsRefunded();
        uint256 held;
        for (uint256 i = 0; i < renters.length; ++i) {
            held += settlement.creditsOf(renters[i]);
        }
        // Refunded credits can be spent again, so spent may exceed bought: add before subtracting.
        assertEq(bought + refunded - spent, held, "bought - spent + refunded != sum of credit balances");
        assertEq(settlement.creditsOutstanding(), held, "creditsOutstanding() != sum of credit balances");
        assertEq(bought, handler.ghost_creditsBought(), "bought != model");
        assertEq(spent, handler.ghost_creditsSpent(), "spent != model");
        assertEq(refunded, handler.ghost_creditsRefunded(), "refunded != model");
    }

    /// @notice Credits escrowed == spent - refunded - earnings accrued == the escrow of open credit jobs
    /// (a disputed job's bond is GRL: see {invariant_grlBondsHeldOrOwed}).
    function invariant_creditsEscrowedMatchesOpenJobs() public view {
        uint256 escrowed = settlement.creditsEscrowed();
        assertEq(
            escrowed,
            settlement.totalCreditsSpent() - settlement.totalCreditsRefunded() - settlement.totalEarningsAccrued(),
            "escrowed != spent - refunded - accrued"
        );
        uint256 held;
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            held += market.jobOf(id).escrow;
        }
        assertEq(escrowed, held, "escrowed != escrow of open jobs");
    }

    /// @notice Credit jobs' dispute bonds are GRL in the market's custody: its GRL balance == what its ledger
    /// owes in GRL (the sum over every provider, renter, the treasury and the vault of
    /// market.balanceOf(GRL, account)) + the bonds of the credit jobs now Disputed. Each account's ledger
    /// balance is the bonds rulings and timeouts credited to it less its withdrawals, the ledger's total
    /// is the bonds credited less withdrawn and the bonds held are those posted less those credited, as the
    /// model counted them; every dispute, payout and withdrawal moved exactly the bond.
    function invariant_grlBondsHeldOrOwed() public view {
        _assertNoViolation(SettlementHandler.Check.Bond);
        address[] memory holders = handler.holders();
        uint256 ledger;
        for (uint256 i = 0; i < holders.length; ++i) {
            uint256 owed = market.balanceOf(address(grl), holders[i]);
            assertEq(owed, handler.ghost_bondLedger(holders[i]), "ledger GRL != bonds credited - withdrawn");
            ledger += owed;
        }
        uint256 held;
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.Job memory job = market.jobOf(id);
            if (job.paymentToken == address(settlement) && job.state == IJobMarket.JobState.Disputed) {
                held += job.disputeBond;
            }
        }
        assertEq(grl.balanceOf(address(market)), ledger + held, "market GRL != ledger GRL + bonds of open disputes");
        assertEq(ledger, handler.ghost_bondsCredited() - handler.ghost_bondsWithdrawn(), "ledger GRL != model");
        assertEq(held, handler.ghost_bondsPosted() - handler.ghost_bondsCredited(), "bonds held != model");
    }

    /// @notice Earnings accrued - withdrawn == the sum of every earner's earnings (providers and the
    /// treasury; renters never earn), each total as the model measured it.
    function invariant_earningsConserved() public view {
        uint256 owed = settlement.earningsOf(treasury);
        for (uint256 i = 0; i < providers.length; ++i) {
            owed += settlement.earningsOf(providers[i]);
        }
        for (uint256 i = 0; i < renters.length; ++i) {
            assertEq(settlement.earningsOf(renters[i]), 0, "a renter earned");
        }
        uint256 accrued = settlement.totalEarningsAccrued();
        uint256 withdrawn = settlement.totalEarningsWithdrawn();
        assertEq(accrued - withdrawn, owed, "accrued - withdrawn != sum of earnings");
        assertEq(accrued, handler.ghost_earningsAccrued(), "accrued != model");
        assertEq(withdrawn, handler.ghost_earningsWithdrawn(), "withdrawn != model");
    }

    /// @notice Credits are not redeemable: the GRL cost basis renters hold, plus the GRL caps earners hold,
    /// plus the GRL minted or queued for earnings never exceeds the GRL burned for credits (the basis
    /// escrowed in open jobs is the slack). Holds whatever the oracle price did.
    function invariant_grlOwedNeverExceedsBurned() public view {
        uint256 owed = settlement.totalGrlMintedForEarnings();
        (uint256 head, uint256 tail) = settlement.mintQueue();
        owed += tail - head;
        for (uint256 i = 0; i < renters.length; ++i) {
            owed += settlement.creditBasisOf(renters[i]);
            assertEq(settlement.grlCapOf(renters[i]), 0, "a renter has a GRL cap");
        }
        owed += settlement.grlCapOf(treasury);
        for (uint256 i = 0; i < providers.length; ++i) {
            owed += settlement.grlCapOf(providers[i]);
        }
        assertLe(owed, settlement.totalGrlBurned(), "bases + caps + minted/queued > GRL burned");
    }

    /// @notice Every market call on a credit job conserved credits (escrow held, renter credits, provider
    /// and treasury earnings), paid the gross its rule gives with the fee on it, and left the expected state.
    function invariant_marketCallsConserveCredits() public view {
        _assertNoViolation(SettlementHandler.Check.Market);
    }

    // ------------------------------------------------------------------------------------------------
    // Mint cap and queue
    // ------------------------------------------------------------------------------------------------

    /// @notice In every epoch an action ran in, the GRL minted for earnings never exceeds the highest cap
    /// in force during the epoch, equals the model's count, and the epochs' counts add up to the total;
    /// no single mint ever took an epoch above the cap in force at the time.
    function invariant_mintCapNeverExceeded() public view {
        _assertNoViolation(SettlementHandler.Check.Cap);
        uint256[] memory epochs = handler.epochs();
        uint256 sum;
        for (uint256 i = 0; i < epochs.length; ++i) {
            uint256 minted = settlement.mintedInEpoch(epochs[i]);
            assertLe(minted, handler.ghost_maxCapIn(epochs[i]), "mintedInEpoch > cap in force");
            assertEq(minted, handler.ghost_mintedIn(epochs[i]), "mintedInEpoch != model");
            sum += minted;
        }
        assertEq(sum, settlement.totalGrlMintedForEarnings(), "epochs' mints != total minted for earnings");
    }

    /// @notice head <= tail; the tickets tile [0, tail) in issue order; each ticket's claims never exceed
    /// its amount or what the head reached, and match the model; the settlement holds exactly the released
    /// GRL not yet claimed.
    function invariant_mintQueueConsistent() public view {
        _assertNoViolation(SettlementHandler.Check.Queue);
        (uint256 head, uint256 tail) = settlement.mintQueue();
        assertLe(head, tail, "head > tail");
        assertEq(head, handler.ghost_queueHead(), "head != model");
        assertEq(tail, handler.ghost_queueTail(), "tail != model");
        assertEq(
            grl.balanceOf(address(settlement)), head - handler.ghost_ticketsClaimed(), "custody != head - claimed"
        );

        uint256 n = settlement.ticketCount();
        uint256 position;
        uint256 claimed;
        for (uint256 id = 1; id <= n; ++id) {
            ISettlement.MintTicket memory t = settlement.ticketOf(id);
            assertEq(t.start, position, "tickets not contiguous");
            assertGt(t.amount, 0, "empty ticket");
            assertLe(t.claimed, t.amount, "ticket claimed > amount");
            assertLe(t.claimed, head > t.start ? head - t.start : 0, "ticket claimed beyond what the head reached");
            assertEq(t.claimed, handler.ghost_ticketClaimed(id), "ticket claimed != model");
            position += t.amount;
            claimed += t.claimed;
        }
        assertEq(position, tail, "tickets do not end at the tail");
        assertEq(claimed, handler.ghost_ticketsClaimed(), "sum of claims != model");
    }

    // ------------------------------------------------------------------------------------------------
    // Oracle rounding
    // ------------------------------------------------------------------------------------------------

    /// @notice Every purchase gave exactly floor(grl x price x (1e4 - spread) / (1e18 x 1e4)) credits and
    /// every withdrawal exactly floor(usd x 1e18 / price) GRL: within one unit of the oracle price, in the
    /// protocol's favour. Purchases worth zero credits, below the buyer's bound, and withdrawals worth
    /// less than a wei were rejected with the documented errors.
    function invariant_oracleRoundingFavoursProtocol() public view {
        _assertNoViolation(SettlementHandler.Check.Rounding);
    }

    // ------------------------------------------------------------------------------------------------
    // Emissions
    // ------------------------------------------------------------------------------------------------

    /// @notice Each epoch's book holds the budget in force at its first record and the GPU-seconds
    /// recorded; what was claimed never exceeds the budget and matches the model, the claimers' pro-rata
    /// shares lose less than a wei per claimer to rounding once everyone claimed (what the fee caps held
    /// back is never minted), and nothing is claimed before the epoch ends.
    function invariant_emissionsWithinBudget() public view {
        _assertNoViolation(SettlementHandler.Check.Emission);
        uint256[] memory epochs = handler.epochs();
        uint256 current = handler.currentEpoch();
        uint256 total;
        for (uint256 i = 0; i < epochs.length; ++i) {
            uint256 e = epochs[i];
            ISettlement.EpochEmission memory book = settlement.epochEmissionOf(e);
            assertLe(book.claimed, book.budget, "emission claimed > budget");
            assertEq(book.claimed, handler.ghost_emissionClaimed(e), "emission claimed != model");
            assertEq(book.budget, handler.ghost_epochBudget(e), "budget != budget at first record");
            assertEq(book.gpuSeconds, handler.ghost_epochSeconds(e), "GPU-seconds != model");
            if (e >= current) assertEq(book.claimed, 0, "emission claimed before the epoch ended");
            bool allClaimed = true;
            for (uint256 j = 0; j < providers.length; ++j) {
                if (settlement.gpuSecondsOf(e, providers[j]) != 0) allClaimed = false;
            }
            uint256 shares = handler.ghost_emissionShares(e);
            assertLe(book.claimed, shares, "emission claimed > the claimers' shares");
            assertLe(shares, book.budget, "the claimers' shares > budget");
            if (allClaimed && book.gpuSeconds != 0) {
                assertLt(
                    book.budget - shares, handler.ghost_emissionClaimers(e), "rounding lost a wei or more per claim"
                );
            }
            total += book.claimed;
        }
        assertEq(total, settlement.totalEmissionsMinted(), "epochs' claims != total emissions");
    }

    /// @notice Emissions farming: every claim minted at most the GRL worth of the protocol fees the
    /// provider's jobs paid in the epoch, at the price of the claim (exactly: amount x price <= fees x
    /// 1e18), and at most its pro-rata share; the claims of an epoch sum to at most its budget; and the
    /// fees awaiting a claim are the model's (the fee on each settled job's value).
    function invariant_emissionWithinFees() public view {
        _assertNoViolation(SettlementHandler.Check.Emission);
        uint256[] memory epochs = handler.epochs();
        uint256[] memory sums = new uint256[](epochs.length);
        uint256 n = handler.emissionClaimCount();
        for (uint256 i = 0; i < n; ++i) {
            SettlementHandler.EmissionClaim memory c = handler.emissionClaimAt(i);
            assertLe(c.amount * c.price, c.feesUsd * 1e18, "emission x price > fees");
            assertLe(c.amount, c.feesUsd * 1e18 / c.price, "emission > grlFor(fees, price at claim)");
            assertLe(c.amount, c.share, "emission > pro-rata share");
            uint256 cap = c.feesUsd * 1e18 / c.price;
            assertEq(c.amount, c.share < cap ? c.share : cap, "emission != min(share, grlFor(fees, price))");
            for (uint256 j = 0; j < epochs.length; ++j) {
                if (epochs[j] == c.epoch) {
                    sums[j] += c.amount;
                    break;
                }
            }
        }
        for (uint256 j = 0; j < epochs.length; ++j) {
            ISettlement.EpochEmission memory book = settlement.epochEmissionOf(epochs[j]);
            assertLe(sums[j], book.budget, "an epoch's claims > its budget");
            assertEq(sums[j], book.claimed, "an epoch's claims != its book");
            for (uint256 k = 0; k < providers.length; ++k) {
                assertEq(
                    settlement.feesUsdOf(epochs[j], providers[k]),
                    handler.ghost_providerFeesUsd(epochs[j], providers[k]),
                    "feesUsdOf != model"
                );
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Regression: a deterministic case of invariant_creditsConserved
    // ------------------------------------------------------------------------------------------------

    /// @notice Credits refunded by the market can be spent again, so the cumulative credits spent can
    /// exceed those bought; creditsOutstanding() must still be bought - spent + refunded (here the
    /// renter's balance), not revert on the intermediate bought - spent.
    function test_creditsOutstanding_afterRefundedCreditsAreSpentAgain() public {
        address renter = renters[0];
        vm.prank(renter);
        // 1000 GRL at $0.50 less 25 bps: $498.75 of credits.
        uint256 credits = settlement.buyCredits(renter, 1000e18, 0);
        assertEq(credits, 498.75e18);

        IJobMarket.JobRequest memory r;
        r.paymentToken = address(settlement);
        r.gpuModel = H100;
        r.gpuCount = 1;
        r.duration = 4 hours;
        r.reservePricePerGpuHour = 100e18; // $400 budget
        r.pricingRule = IJobMarket.PricingRule.Instant;
        r.bidWindow = 1 hours;
        r.specHash = keccak256("spec");
        vm.startPrank(renter);
        uint256 first = market.createJob(r);
        market.cancelJob(first);
        market.createJob(r);
        vm.stopPrank();

        assertEq(settlement.totalCreditsBought(), 498.75e18);
        assertEq(settlement.totalCreditsSpent(), 800e18);
        assertEq(settlement.totalCreditsRefunded(), 400e18);
        assertEq(settlement.creditsOf(renter), 98.75e18);
        assertEq(settlement.creditsOutstanding(), 98.75e18, "bought - spent + refunded");
    }

    // ------------------------------------------------------------------------------------------------
    // Regression: a deterministic case of invariant_grlBondsHeldOrOwed
    // ------------------------------------------------------------------------------------------------

    /// @notice A credit job's dispute bond is GRL, not credits: a renter whose credits all went into the
    /// budget disputes with GRL (disputeBondBps of the $60 value at the creation price: 36 GRL of
    /// collateral x 500 / 3,000 = 6 GRL at $0.50), no credit moves, and the ProviderFault ruling credits
    /// the 6 GRL back on the market's ledger, where the renter withdraws them.
    function test_creditDispute_bondIsGrlOnTheMarketLedger() public {
        address renter = renters[0];
        address provider = providers[0];
        vm.prank(renter);
        settlement.buyCredits(renter, 200e18, 0); // $99.75 of credits

        IJobMarket.JobRequest memory r;
        r.paymentToken = address(settlement);
        r.gpuModel = H100;
        r.gpuCount = 1;
        r.duration = 4 hours;
        r.reservePricePerGpuHour = 15e18; // $60 budget
        r.pricingRule = IJobMarket.PricingRule.Instant;
        r.bidWindow = 1 hours;
        r.specHash = keccak256("spec");
        vm.prank(renter);
        uint256 id = market.createJob(r);
        vm.startPrank(provider);
        market.acceptInstant(id);
        market.startJob(id);
        vm.warp(block.timestamp + 1 hours);
        market.deliver(id, keccak256("result"), "ipfs://result");
        vm.stopPrank();

        (address token, uint96 bond) = market.disputeBondOf(id);
        assertEq(token, address(grl), "bond token");
        assertEq(bond, 6e18, "bond: 36 GRL collateral x 500 / 3000");
        uint256 credits = settlement.creditsOf(renter);
        uint256 spent = settlement.totalCreditsSpent();
        uint256 escrowed = settlement.creditsEscrowed();
        uint256 wallet = grl.balanceOf(renter);
        vm.startPrank(renter);
        grl.approve(address(market), bond);
        market.dispute(id, keccak256("evidence"));
        vm.stopPrank();
        assertEq(settlement.creditsOf(renter), credits, "dispute spent credits");
        assertEq(settlement.totalCreditsSpent(), spent, "dispute counted as credits spent");
        assertEq(settlement.creditsEscrowed(), escrowed, "dispute escrowed credits");
        assertEq(grl.balanceOf(renter), wallet - bond, "renter's GRL");
        assertEq(grl.balanceOf(address(market)), bond, "market holds the bond");

        vm.prank(arbiter);
        market.resolveDispute(id, IJobMarket.Ruling.ProviderFault);
        assertEq(market.balanceOf(address(grl), renter), bond, "bond back on the ledger");
        assertEq(market.balanceOf(address(grl), provider), 0, "provider got the bond");
        vm.prank(renter);
        assertEq(market.withdraw(address(grl), renter), bond, "withdrawn");
        assertEq(grl.balanceOf(address(market)), 0, "market GRL after the withdrawal");
    }

    /// @dev Fails with the handler's description of the first failed check of kind `check`, if any.
    function _assertNoViolation(SettlementHandler.Check check) internal view {
        assertEq(handler.violations(check), 0, handler.firstViolation(check));
    }

    /// @notice Logs how often each action reached a contract in the run, to check the campaign's reach.
    function afterInvariant() public view {
        string[30] memory names = [
            "buy",
            "buyRejected",
            "create",
            "accept",
            "cancel",
            "expire",
            "start",
            "claim",
            "deliver",
            "stop",
            "dispute",
            "settle",
            "resolveProviderFault",
            "resolveRenterFault",
            "disputeTimeout",
            "fail",
            "withdraw",
            "withdrawRejected",
            "claimTicket",
            "claimTicketRejected",
            "release",
            "claimEmission",
            "claimEmissionRejected",
            "setPrice",
            "warp",
            "setCap",
            "setBudget",
            "setSpread",
            "withdrawBond",
            "withdrawBondRejected"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(names[i], handler.calls(SettlementHandler.Action(i)));
        }
        (uint256 head, uint256 tail) = settlement.mintQueue();
        console.log("tickets", settlement.ticketCount());
        console.log("queue head", head);
        console.log("queue tail", tail);
        console.log("epochs", handler.epochs().length);
        console.log("claimEmission capped by fees", handler.emissionClaimsCapped());
        console.log("GRL bonds posted", handler.ghost_bondsPosted());
        console.log("GRL bonds withdrawn", handler.ghost_bondsWithdrawn());
    }
}
