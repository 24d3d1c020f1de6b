// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {console} from "forge-std/console.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IJobMarket} from "../../../contracts/interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {ISettlement} from "../../../contracts/interfaces/ISettlement.sol";

import {ProtocolDeployment} from "../shared/ProtocolDeployment.sol";
import {ProtocolHandler} from "./handlers/ProtocolHandler.sol";

/// @notice Protocol-wide stateful invariants: the provider registry, the job market (a 6-decimal
/// stablecoin and the settlement's credits as payment tokens, first-price, second-price and instant jobs)
/// and the burn-mint settlement driven together by {ProtocolHandler} with five providers, four renters
/// and random time jumps. After every call: each token the protocol holds is exactly what its accounting
/// owes (the market's GRL too: credit jobs' dispute bonds are GRL), GRL supply and credits are conserved,
/// no stake leaves before its unlock, slashes stay within the job's collateral plus forfeited bonds, every
/// finished job paid out exactly what it escrowed, no job leaves a terminal state, and no epoch mints
/// above its cap.
/// @dev The protocol comes from {ProtocolDeployment} (deployed from artifacts); the stablecoin too. Build the
/// contracts before running this file alone (`node scripts/build.mjs`).
contract ProtocolInvariantTest is ProtocolDeployment {
    uint256 internal constant PROVIDER_STAKE = 100_000 ether;
    uint256 internal constant PROVIDER_WALLET = 50_000 ether;
    uint256 internal constant RENTER_GRL = 1_000_000 ether;
    uint256 internal constant NUM_PROVIDERS = 5;
    uint256 internal constant NUM_RENTERS = 4;
    /// @notice A small mint cap, so runs cross epochs and the queue forms.
    uint256 internal constant MINT_CAP_PER_EPOCH = 50e18;

    IERC20 internal usdc;
    ProtocolHandler internal handler;

    function setUp() public {
        _deployProtocol(MINT_CAP_PER_EPOCH);
        usdc = IERC20(deployCode("contracts/mocks/MockStablecoin.sol:MockStablecoin", abi.encode("USD Coin", "USDC", 6)));
        vm.prank(admin);
        market.setPaymentToken(address(usdc), true);
        _addProviders(NUM_PROVIDERS, PROVIDER_STAKE, PROVIDER_WALLET);
        _addGrlRenters(NUM_RENTERS, RENTER_GRL);

        handler = new ProtocolHandler(
            market,
            settlement,
            usdc,
            feed,
            admin,
            arbiter,
            providers,
            renters,
            PROVIDER_STAKE * NUM_PROVIDERS
        );

        // About half of the calls move a job along its lifecycle; the rest create jobs, stake and unbond,
        // withdraw (early too), buy credits, withdraw earnings, claim tickets and emissions, and move time.
        bytes4[] memory selectors = new bytes4[](36);
        selectors[0] = ProtocolHandler.createJob.selector;
        selectors[1] = ProtocolHandler.stake.selector;
        selectors[2] = ProtocolHandler.requestUnbond.selector;
        selectors[3] = ProtocolHandler.requestUnbond.selector;
        selectors[4] = ProtocolHandler.cancelUnbond.selector;
        selectors[5] = ProtocolHandler.withdrawStake.selector;
        selectors[6] = ProtocolHandler.withdrawStake.selector;
        selectors[7] = ProtocolHandler.warpToUnlock.selector;
        selectors[8] = ProtocolHandler.withdrawLedger.selector;
        selectors[9] = ProtocolHandler.buyCredits.selector;
        selectors[10] = ProtocolHandler.withdrawEarnings.selector;
        selectors[11] = ProtocolHandler.claimQueuedMint.selector;
        selectors[12] = ProtocolHandler.releaseQueuedMints.selector;
        selectors[13] = ProtocolHandler.claimEmission.selector;
        selectors[14] = ProtocolHandler.setMintCap.selector;
        selectors[15] = ProtocolHandler.warp.selector;
        for (uint256 i = 16; i < selectors.length; ++i) {
            selectors[i] = ProtocolHandler.advance.selector;
        }
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // ------------------------------------------------------------------------------------------------
    // Token conservation, per token the protocol holds
    // ------------------------------------------------------------------------------------------------

    /// @notice The market's stablecoin == the ledger balances it owes (as the model counted them) + the
    /// escrow of open stablecoin jobs + the dispute bonds of disputed stablecoin jobs.
    function invariant_marketStablecoinConserved() public view {
        _assertNoViolation(ProtocolHandler.Check.Ledger);
        address[] memory accounts = handler.accounts();
        uint256 owed;
        for (uint256 i = 0; i < accounts.length; ++i) {
            owed += market.balanceOf(address(usdc), accounts[i]);
        }
        assertEq(owed, handler.ghost_usdcOwed(), "ledger balances != model");
        (uint256 escrow, uint256 bonds) = _held(address(usdc));
        assertEq(usdc.balanceOf(address(market)), owed + escrow + bonds, "market USDC != owed + escrow + bonds");
    }

    /// @notice The market's GRL == the GRL its ledger owes (every account's market.balanceOf(GRL, ·), as the
    /// model counted them: credit jobs' bonds paid out less withdrawals) + the bonds of the credit jobs now
    /// Disputed, which are GRL; GRL never reaches the market any other way (bid bonds and collateral are
    /// locked stake in the registry).
    function invariant_marketGrlConserved() public view {
        _assertNoViolation(ProtocolHandler.Check.Ledger);
        address[] memory accounts = handler.accounts();
        uint256 owed;
        for (uint256 i = 0; i < accounts.length; ++i) {
            owed += market.balanceOf(address(grl), accounts[i]);
        }
        assertEq(owed, handler.ghost_grlOwed(), "GRL ledger balances != model");
        (, uint256 bonds) = _held(address(settlement));
        assertEq(grl.balanceOf(address(market)), owed + bonds, "market GRL != owed + credit jobs' open bonds");
    }

    /// @notice The registry's GRL == every provider's free + locked + unbonding stake == the initial stake
    /// plus stakes, less withdrawals and slashes.
    function invariant_registryStakeConserved() public view {
        _assertNoViolation(ProtocolHandler.Check.Stake);
        uint256 staked;
        for (uint256 i = 0; i < providers.length; ++i) {
            IProviderRegistry.Provider memory p = registry.providerOf(providers[i]);
            staked += uint256(p.freeStake) + p.lockedStake + p.unbondingStake;
        }
        assertEq(grl.balanceOf(address(registry)), staked, "registry GRL != stake");
        assertEq(staked, handler.ghost_staked(), "stake != model");
    }

    /// @notice The settlement's GRL == the queue's head (released into custody) - what tickets claimed.
    function invariant_settlementCustodyConserved() public view {
        (uint256 head,) = settlement.mintQueue();
        uint256 claimed;
        uint256 n = settlement.ticketCount();
        for (uint256 id = 1; id <= n; ++id) {
            claimed += settlement.ticketOf(id).claimed;
        }
        assertEq(claimed, handler.ghost_ticketsClaimed(), "ticket claims != model");
        assertEq(grl.balanceOf(address(settlement)), head - claimed, "settlement GRL != head - claimed");
    }

    /// @notice GRL supply == initial + minted - burned; mints come only from the settlement (earnings and
    /// emissions), burns only from credit purchases and slashes.
    function invariant_grlSupplyConserved() public view {
        uint256 minted = grl.totalMinted();
        uint256 burned = grl.totalBurned();
        assertEq(grl.totalSupply(), INITIAL_SUPPLY + minted - burned, "supply != initial + minted - burned");
        assertEq(
            minted, settlement.totalGrlMintedForEarnings() + settlement.totalEmissionsMinted(), "minted != by source"
        );
        assertEq(burned, settlement.totalGrlBurned() + handler.ghost_grlBurnedBySlashes(), "burned != by source");
    }

    // ------------------------------------------------------------------------------------------------
    // Credits
    // ------------------------------------------------------------------------------------------------

    /// @notice Outstanding credits == bought + refunded - spent == the sum of renters' balances.
    function invariant_creditsConserved() public view {
        uint256 held;
        for (uint256 i = 0; i < renters.length; ++i) {
            held += settlement.creditsOf(renters[i]);
        }
        uint256 bought = settlement.totalCreditsBought();
        assertEq(bought, handler.ghost_creditsBought(), "bought != model");
        assertEq(
            bought + settlement.totalCreditsRefunded() - settlement.totalCreditsSpent(),
            held,
            "bought + refunded - spent != balances"
        );
        assertEq(settlement.creditsOutstanding(), held, "creditsOutstanding != balances");
    }

    /// @notice Escrowed credits == the escrow of open credit jobs (their dispute bonds are GRL, not
    /// credits) == spent - refunded - accrued, and accrued - withdrawn earnings == the sum of earners'
    /// balances.
    function invariant_creditsEscrowedMatchesOpenJobs() public view {
        (uint256 escrow,) = _held(address(settlement));
        uint256 escrowed = settlement.creditsEscrowed();
        assertEq(escrowed, escrow, "creditsEscrowed != open credit jobs' escrow");
        assertEq(
            escrowed,
            settlement.totalCreditsSpent() - settlement.totalCreditsRefunded() - settlement.totalEarningsAccrued(),
            "escrowed != spent - refunded - accrued"
        );
        uint256 earnings = settlement.earningsOf(treasury);
        for (uint256 i = 0; i < providers.length; ++i) {
            earnings += settlement.earningsOf(providers[i]);
        }
        assertEq(
            settlement.totalEarningsAccrued() - settlement.totalEarningsWithdrawn(),
            earnings,
            "accrued - withdrawn != earnings"
        );
    }

    // ------------------------------------------------------------------------------------------------
    // Stake and slashing
    // ------------------------------------------------------------------------------------------------

    /// @notice Every withdrawal tried before its unlock reverted with RegistryUnbondingLocked and moved
    /// nothing.
    function invariant_noStakeWithdrawnBeforeUnlock() public view {
        _assertNoViolation(ProtocolHandler.Check.EarlyWithdraw);
    }

    /// @notice What a job's calls slashed from any provider never exceeds the job's locked collateral plus
    /// the bid bonds forfeited on it, and a renter never receives more GRL than was slashed.
    function invariant_slashingBounded() public view {
        _assertNoViolation(ProtocolHandler.Check.Slash);
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            assertLe(
                handler.ghost_slashed(id),
                handler.ghost_maxCollateral(id) + handler.ghost_forfeitedBonds(id),
                "slashed > collateral + forfeited bonds"
            );
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Jobs
    // ------------------------------------------------------------------------------------------------

    /// @notice For every job and both payment paths, in the payment token: escrowed budget (+ the bond of a
    /// stablecoin job) == paid to the provider + fees + refunds + what it still holds; a finished job holds
    /// nothing and paid out exactly what it escrowed. A credit job's bond, in GRL: bonded == paid out on the
    /// market's ledger + the bond it holds while Disputed, and once the dispute ended all of it was paid out.
    function invariant_jobsBalanced() public view {
        _assertNoViolation(ProtocolHandler.Check.JobFlow);
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.Job memory job = market.jobOf(id);
            bool credits = job.paymentToken == address(settlement);
            bool disputed = job.state == IJobMarket.JobState.Disputed;
            uint256 out = handler.ghost_toProvider(id) + handler.ghost_toTreasury(id) + handler.ghost_toRenter(id);
            uint256 held = job.escrow;
            if (disputed && !credits) held += job.disputeBond;
            assertEq(handler.ghost_jobIn(id), out + held, "escrowed != paid + fees + refunds + held");
            uint256 grlBondHeld = disputed && credits ? job.disputeBond : 0;
            assertEq(
                handler.ghost_grlBondIn(id),
                handler.ghost_grlBondOut(id) + grlBondHeld,
                "credit job's GRL bond != paid out + held"
            );
            if (credits && job.disputeBond != 0 && !disputed) {
                assertEq(handler.ghost_grlBondOut(id), job.disputeBond, "ended dispute: GRL bond not paid out");
            }
            if (uint8(job.state) >= uint8(IJobMarket.JobState.Settled)) {
                assertEq(job.escrow, 0, "finished job holds escrow");
                assertEq(handler.ghost_jobIn(id), out, "finished job: paid + fees + refunds != escrowed");
            }
        }
    }

    /// @notice Once Settled, Expired, Cancelled, Failed or Resolved, a job stays in that state.
    function invariant_terminalStatesFinal() public view {
        _assertNoViolation(ProtocolHandler.Check.Terminal);
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.JobState seen = handler.ghost_terminal(id);
            if (seen != IJobMarket.JobState.None) assertEq(uint8(market.stateOf(id)), uint8(seen), "left terminal");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Mint cap
    // ------------------------------------------------------------------------------------------------

    /// @notice No epoch minted more GRL for earnings than the highest cap in force during it, and the
    /// epochs' mints add up to the total.
    function invariant_mintedPerEpochWithinCap() public view {
        uint256[] memory epochs = handler.epochs();
        uint256 sum;
        for (uint256 i = 0; i < epochs.length; ++i) {
            uint256 minted = settlement.mintedInEpoch(epochs[i]);
            assertLe(minted, handler.ghost_maxCapIn(epochs[i]), "mintedInEpoch > cap in force");
            sum += minted;
        }
        assertEq(sum, settlement.totalGrlMintedForEarnings(), "epochs' mints != total");
    }

    /// @notice Emissions farming: every claim minted at most the GRL worth, at the claim's price, of the
    /// protocol fees its provider's jobs paid in the epoch (exactly: amount x price <= fees x 1e18), and at
    /// most its pro-rata share; an epoch's claims sum to at most its budget (and to its book); the fees
    /// recorded are the model's (feeBps of each settled job's value, in USD).
    function invariant_emissionWithinFees() public view {
        _assertNoViolation(ProtocolHandler.Check.Emission);
        uint256[] memory epochs = handler.epochs();
        uint256[] memory sums = new uint256[](epochs.length);
        uint256 n = handler.emissionClaimCount();
        for (uint256 i = 0; i < n; ++i) {
            ProtocolHandler.EmissionClaim memory c = handler.emissionClaimAt(i);
            assertLe(c.amount * c.price, c.feesUsd * 1e18, "emission x price > fees");
            assertLe(c.amount, c.feesUsd * 1e18 / c.price, "emission > grlFor(fees, price at claim)");
            assertLe(c.amount, c.share, "emission > pro-rata share");
            for (uint256 j = 0; j < epochs.length; ++j) {
                if (epochs[j] == c.epoch) {
                    sums[j] += c.amount;
                    break;
                }
            }
        }
        address[] memory ps = handler.providers();
        uint256 total;
        for (uint256 j = 0; j < epochs.length; ++j) {
            ISettlement.EpochEmission memory book = settlement.epochEmissionOf(epochs[j]);
            assertLe(sums[j], book.budget, "an epoch's claims > its budget");
            assertEq(sums[j], book.claimed, "an epoch's claims != its book");
            total += sums[j];
            for (uint256 k = 0; k < ps.length; ++k) {
                assertEq(
                    settlement.feesUsdOf(epochs[j], ps[k]),
                    handler.ghost_feesUsd(epochs[j], ps[k]),
                    "feesUsdOf != model"
                );
            }
        }
        assertEq(total, settlement.totalEmissionsMinted(), "claims != total emissions");
    }

    /// @dev Escrow and dispute bonds of the open jobs paying in `token`. The bonds are in the bond token:
    /// `token` for a stablecoin, GRL for credits (`token` == the settlement).
    function _held(address token) internal view returns (uint256 escrow, uint256 bonds) {
        uint256 n = market.jobCount();
        for (uint256 id = 1; id <= n; ++id) {
            IJobMarket.Job memory job = market.jobOf(id);
            if (job.paymentToken != token) continue;
            escrow += job.escrow;
            if (job.state == IJobMarket.JobState.Disputed) bonds += job.disputeBond;
        }
    }

    function _assertNoViolation(ProtocolHandler.Check check) internal view {
        assertEq(handler.violations(check), 0, handler.firstViolation(check));
    }

    /// @notice Logs how often each action went through (and was rejected) in the run, to check the reach.
    function afterInvariant() public view {
        string[30] memory names = [
            "create",
            "cancel",
            "commit",
            "reveal",
            "accept",
            "award",
            "closeBid",
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
            "stake",
            "unbond",
            "cancelUnbond",
            "withdrawStake",
            "withdrawStakeEarly",
            "withdrawLedger",
            "buyCredits",
            "withdrawEarnings",
            "claimTicket",
            "releaseQueue",
            "claimEmission",
            "setMintCap",
            "warp"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            ProtocolHandler.Action a = ProtocolHandler.Action(i);
            console.log(names[i], handler.calls(a), handler.rejected(a));
        }
        console.log("jobs", market.jobCount());
        console.log("steps", handler.steps());
    }
}
