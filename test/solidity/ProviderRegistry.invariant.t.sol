// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {IGridleaseToken} from "../../contracts/interfaces/IGridleaseToken.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {ProviderRegistry} from "../../contracts/staking/ProviderRegistry.sol";
import {GridleaseToken} from "../../contracts/token/GridleaseToken.sol";

import {RegistryHandler} from "./handlers/RegistryHandler.sol";

/// @notice Stateful invariants of ProviderRegistry: the fuzzer drives only {RegistryHandler}, whose actions
/// never revert, and every invariant below must hold after each of its calls.
contract ProviderRegistryInvariantTest is Test {
    uint256 internal constant INITIAL_SUPPLY = 1e9 ether;
    uint256 internal constant MIN_STAKE_PER_GPU = 200 ether;
    uint64 internal constant UNBONDING_PERIOD = 7 days;
    uint16 internal constant MAX_SCORE = 10_000;

    GridleaseToken internal token;
    ProviderRegistry internal registry;
    RegistryHandler internal handler;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal market = makeAddr("market");

    address[] internal actors;
    uint256[] internal lockIds;
    bytes32[] internal models;

    function setUp() public {
        vm.warp(1_750_000_000);
        token = new GridleaseToken(admin, treasury, INITIAL_SUPPLY);
        registry = new ProviderRegistry(IGridleaseToken(address(token)), admin, MIN_STAKE_PER_GPU, UNBONDING_PERIOD);
        bytes32 marketRole = registry.MARKET_ROLE();
        vm.prank(admin);
        registry.grantRole(marketRole, market);

        handler = new RegistryHandler(registry, token, market, treasury);
        actors = handler.actors();
        lockIds = handler.lockIds();
        models = handler.models();

        bytes4[] memory selectors = new bytes4[](17);
        selectors[0] = RegistryHandler.stake.selector;
        selectors[1] = RegistryHandler.requestUnbond.selector;
        selectors[2] = RegistryHandler.cancelUnbond.selector;
        selectors[3] = RegistryHandler.withdraw.selector;
        selectors[4] = RegistryHandler.withdrawAtUnlockBoundary.selector;
        selectors[5] = RegistryHandler.lockIfEligible.selector;
        selectors[6] = RegistryHandler.unlockCollateral.selector;
        selectors[7] = RegistryHandler.slash.selector;
        selectors[8] = RegistryHandler.setGpuLine.selector;
        selectors[9] = RegistryHandler.removeGpuLine.selector;
        selectors[10] = RegistryHandler.leaseGpus.selector;
        selectors[11] = RegistryHandler.releaseGpus.selector;
        selectors[12] = RegistryHandler.unlockAndRecordSuccess.selector;
        selectors[13] = RegistryHandler.recordFault.selector;
        selectors[14] = RegistryHandler.warp.selector;
        // Stake twice as often as the rest, so the other actions have something to work with.
        selectors[15] = RegistryHandler.stake.selector;
        selectors[16] = RegistryHandler.probeOutOfBounds.selector;

        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // ------------------------------------------------------------------------------------------------
    // Stake accounting
    // ------------------------------------------------------------------------------------------------

    /// @notice The registry holds exactly the sum of every provider's three buckets, and exactly what came in
    /// minus what went out (withdrawals, slashes to the recipient, burns).
    function invariant_registryBalanceMatchesBuckets() public view {
        uint256 sum;
        for (uint256 i = 0; i < actors.length; ++i) {
            IProviderRegistry.Provider memory p = registry.providerOf(actors[i]);
            sum += uint256(p.freeStake) + p.lockedStake + p.unbondingStake;
        }
        uint256 balance = token.balanceOf(address(registry));
        assertEq(balance, sum, "balance != sum of buckets");
        assertEq(
            balance,
            handler.ghost_totalStaked() - handler.ghost_totalWithdrawn() - handler.ghost_totalSlashedToRecipient()
                - handler.ghost_totalBurned(),
            "balance != staked - withdrawn - slashed - burned"
        );
        assertEq(token.balanceOf(handler.slashRecipient()), handler.ghost_totalSlashedToRecipient(), "recipient");
    }

    /// @notice Each provider's buckets and unlock time match the handler's reference model.
    function invariant_bucketsMatchModel() public view {
        for (uint256 i = 0; i < actors.length; ++i) {
            address actor = actors[i];
            IProviderRegistry.Provider memory p = registry.providerOf(actor);
            assertEq(p.freeStake, handler.ghost_free(actor), "freeStake");
            assertEq(p.lockedStake, handler.ghost_locked(actor), "lockedStake");
            assertEq(p.unbondingStake, handler.ghost_unbonding(actor), "unbondingStake");
            assertEq(p.unbondingUnlocksAt, handler.ghost_unlocksAt(actor), "unbondingUnlocksAt");
            // An unlock time exists exactly when something is unbonding.
            assertEq(p.unbondingStake == 0, p.unbondingUnlocksAt == 0, "unlock time without unbonding stake");
            // Every wei the provider ever staked is still in a bucket or has left through a known exit.
            assertEq(
                uint256(p.freeStake) + p.lockedStake + p.unbondingStake + token.balanceOf(actor),
                handler.ACTOR_FUNDS() - _slashedFrom(actor),
                "provider funds not conserved"
            );
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Collateral locks
    // ------------------------------------------------------------------------------------------------

    /// @notice lockedStake is the sum of the provider's per-job shares as the market (here the handler) keeps
    /// them: each share is what was locked for the job minus what was unlocked or slashed from it, and no share
    /// was ever debited beyond what it received.
    function invariant_lockedStakeIsSumOfLocks() public view {
        for (uint256 i = 0; i < actors.length; ++i) {
            address actor = actors[i];
            uint256 sum;
            for (uint256 j = 0; j < lockIds.length; ++j) {
                uint256 id = lockIds[j];
                uint256 lockedIn = handler.ghost_lockedIn(actor, id);
                uint256 unlocked = handler.ghost_unlockedFrom(actor, id);
                uint256 slashed = handler.ghost_slashedFrom(actor, id);
                assertLe(slashed + unlocked, lockedIn, "debited beyond what was locked");
                sum += lockedIn - unlocked - slashed;
            }
            assertEq(registry.providerOf(actor).lockedStake, sum, "lockedStake != sum of the jobs' shares");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Unbonding
    // ------------------------------------------------------------------------------------------------

    /// @notice No withdraw ever succeeded before its unlock time, every early attempt reverted with
    /// RegistryUnbondingLocked(unlocksAt, now), and every withdraw paid out exactly the unbonding stake.
    function invariant_nothingWithdrawableBeforeUnlock() public view {
        assertFalse(handler.ghost_earlyWithdraw(), "withdraw succeeded before unlock time");
        assertFalse(handler.ghost_probeWrongRevert(), "early withdraw reverted with the wrong error");
        assertFalse(handler.ghost_withdrawMismatch(), "withdraw paid the wrong amount");
        for (uint256 i = 0; i < actors.length; ++i) {
            IProviderRegistry.Provider memory p = registry.providerOf(actors[i]);
            // The registry's unlock time is never later than one unbonding period from the handler's clock.
            if (p.unbondingStake != 0) {
                assertLe(p.unbondingUnlocksAt, handler.currentTime() + UNBONDING_PERIOD, "unlock too far out");
            }
        }
    }

    /// @notice No call past its bound (lock > free, unlock or slash > lock, unbond > free, lease > available,
    /// release > leased) ever went through, and each reverted with its documented error.
    function invariant_outOfBoundsCallsRevert() public view {
        assertFalse(handler.ghost_outOfBoundsSucceeded(), "out-of-bounds call succeeded");
        assertFalse(handler.ghost_outOfBoundsWrongRevert(), "out-of-bounds call reverted with the wrong error");
    }

    // ------------------------------------------------------------------------------------------------
    // Reputation and inventory
    // ------------------------------------------------------------------------------------------------

    /// @notice Reputation stays in [0, 10000] and follows the documented success/fault formulas, and no
    /// success raises it faster than its job's value allows (1000 points per reference value at most;
    /// nothing for a job under a thousandth of the reference value).
    function invariant_reputationInRange() public view {
        assertFalse(handler.ghost_reputationReturnMismatch(), "returned reputation != stored");
        assertFalse(handler.ghost_gainAboveValue(), "reputation rose faster than job value allows");
        for (uint256 i = 0; i < actors.length; ++i) {
            uint16 reputation = registry.providerOf(actors[i]).reputation;
            assertLe(reputation, MAX_SCORE, "reputation above max");
            assertEq(reputation, handler.ghost_reputation(actors[i]), "reputation != model");
        }
    }

    /// @notice For every GPU line the handler uses, leased <= count, and listedGpus is the sum of the counts.
    function invariant_leasedNeverExceedsCount() public view {
        for (uint256 i = 0; i < actors.length; ++i) {
            address actor = actors[i];
            uint256 listed;
            for (uint256 j = 0; j < models.length; ++j) {
                IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, models[j]);
                assertLe(line.leased, line.count, "leased > count");
                if (line.count == 0) assertEq(line.vramGb, 0, "removed line left data");
                listed += line.count;
            }
            assertEq(registry.providerOf(actor).listedGpus, listed, "listedGpus != sum of lines");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Token supply
    // ------------------------------------------------------------------------------------------------

    /// @notice totalSupply == INITIAL_SUPPLY + totalMinted - totalBurned, and every burn came from a slash.
    function invariant_tokenSupplyConserved() public view {
        assertEq(
            token.totalSupply(),
            token.INITIAL_SUPPLY() + token.totalMinted() - token.totalBurned(),
            "supply not conserved"
        );
        assertEq(token.totalMinted(), 0, "minted");
        assertEq(token.totalBurned(), handler.ghost_totalBurned(), "totalBurned != slashed burns");
        assertEq(token.totalSupply(), INITIAL_SUPPLY - handler.ghost_totalBurned(), "supply");
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    function _slashedFrom(address actor) internal view returns (uint256 total) {
        for (uint256 j = 0; j < lockIds.length; ++j) {
            total += handler.ghost_slashedFrom(actor, lockIds[j]);
        }
    }
}
