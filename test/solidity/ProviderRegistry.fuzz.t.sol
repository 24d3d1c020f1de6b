// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {stdError} from "forge-std/StdError.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IGridleaseToken} from "../../contracts/interfaces/IGridleaseToken.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {ProviderRegistry} from "../../contracts/staking/ProviderRegistry.sol";
import {GridleaseToken} from "../../contracts/token/GridleaseToken.sol";

/// @notice Fuzz and unit tests of the registry's stake arithmetic: stake, unbonding, withdrawal, collateral
/// locks and slashing.
contract ProviderRegistryFuzzTest is Test {
    uint256 internal constant INITIAL_SUPPLY = 1e9 ether;
    uint256 internal constant MIN_STAKE_PER_GPU = 200 ether;
    uint64 internal constant UNBONDING_PERIOD = 7 days;
    uint256 internal constant PROVIDER_FUNDS = 1_000_000 ether;
    uint256 internal constant START_TIME = 1_750_000_000;
    bytes32 internal constant H100 = "H100";
    uint256 internal constant JOB_ID = 42;

    GridleaseToken internal token;
    ProviderRegistry internal registry;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal market = makeAddr("market");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal slashRecipient = makeAddr("slashRecipient");
    address internal outsider = makeAddr("outsider");

    function setUp() public {
        vm.warp(START_TIME);
        token = new GridleaseToken(admin, treasury, INITIAL_SUPPLY);
        registry = new ProviderRegistry(IGridleaseToken(address(token)), admin, MIN_STAKE_PER_GPU, UNBONDING_PERIOD);

        bytes32 marketRole = registry.MARKET_ROLE();
        vm.prank(admin);
        registry.grantRole(marketRole, market);

        _fundAndRegister(alice);
        _fundAndRegister(bob);
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    function _fundAndRegister(address provider) internal {
        vm.prank(treasury);
        token.transfer(provider, PROVIDER_FUNDS);
        vm.startPrank(provider);
        token.approve(address(registry), type(uint256).max);
        registry.register("ipfs://provider", 1);
        vm.stopPrank();
    }

    function _stake(address provider, uint256 amount) internal {
        vm.prank(provider);
        registry.stake(amount);
    }

    /// @dev The market locks only through lockIfEligible, so a provider needs a listed line, bonded stake
    /// covering it and to be online before it can hold collateral.
    function _stakeEligible(address provider, uint256 amount) internal {
        _stake(provider, amount);
        vm.startPrank(provider);
        registry.setGpuLine(H100, 1, 80, 8260);
        registry.setOnline(true);
        vm.stopPrank();
    }

    /// @dev Any job shape the provider of {_stakeEligible} can serve; the lock arithmetic does not depend on it.
    function _lock(address provider, uint256 lockId, uint256 amount) internal {
        vm.prank(market);
        registry.lockIfEligible(provider, lockId, amount, H100, 1, 0, 0, 0);
    }

    function _provider(address provider) internal view returns (IProviderRegistry.Provider memory) {
        return registry.providerOf(provider);
    }

    function _assertBuckets(address provider, uint256 free, uint256 locked, uint256 unbonding) internal view {
        IProviderRegistry.Provider memory p = _provider(provider);
        assertEq(p.freeStake, free, "freeStake");
        assertEq(p.lockedStake, locked, "lockedStake");
        assertEq(p.unbondingStake, unbonding, "unbondingStake");
    }

    // ------------------------------------------------------------------------------------------------
    // stake
    // ------------------------------------------------------------------------------------------------

    function testFuzz_stake_creditsFreeStakeExactly(uint256 first, uint256 second) public {
        first = bound(first, 1, PROVIDER_FUNDS - 1);
        second = bound(second, 1, PROVIDER_FUNDS - first);

        vm.expectEmit(address(registry));
        emit IProviderRegistry.Staked(alice, first, first);
        _stake(alice, first);

        vm.expectEmit(address(registry));
        emit IProviderRegistry.Staked(alice, second, first + second);
        _stake(alice, second);

        _assertBuckets(alice, first + second, 0, 0);
        assertEq(token.balanceOf(alice), PROVIDER_FUNDS - first - second, "provider balance");
        assertEq(token.balanceOf(address(registry)), first + second, "registry balance");
        assertEq(token.totalSupply(), INITIAL_SUPPLY, "supply");
    }

    function test_stake_zero_reverts() public {
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        _stake(alice, 0);
    }

    function test_stake_unregistered_reverts() public {
        vm.prank(treasury);
        token.transfer(outsider, 1 ether);
        vm.startPrank(outsider);
        token.approve(address(registry), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotProvider.selector, outsider));
        registry.stake(1 ether);
        vm.stopPrank();
    }

    function testFuzz_stake_moreThanBalance_reverts(uint256 amount) public {
        amount = bound(amount, PROVIDER_FUNDS + 1, type(uint128).max);
        vm.expectRevert();
        _stake(alice, amount);
        _assertBuckets(alice, 0, 0, 0);
    }

    // ------------------------------------------------------------------------------------------------
    // requestUnbond / withdraw
    // ------------------------------------------------------------------------------------------------

    function testFuzz_stake_thenUnbondAndWithdraw_returnsExactly(uint256 amount, uint256 unbondPart, uint256 wait)
        public
    {
        amount = bound(amount, 1, PROVIDER_FUNDS);
        unbondPart = bound(unbondPart, 1, amount);
        wait = bound(wait, 0, 2 * uint256(UNBONDING_PERIOD));

        _stake(alice, amount);
        uint64 unlocksAt = uint64(block.timestamp) + UNBONDING_PERIOD;

        vm.expectEmit(address(registry));
        emit IProviderRegistry.UnbondingRequested(alice, unbondPart, amount - unbondPart, unbondPart, unlocksAt);
        vm.prank(alice);
        registry.requestUnbond(unbondPart);

        _assertBuckets(alice, amount - unbondPart, 0, unbondPart);
        assertEq(_provider(alice).unbondingUnlocksAt, unlocksAt, "unlocksAt");
        // Unbonding stake stays in the registry until withdrawn.
        assertEq(token.balanceOf(address(registry)), amount, "registry balance while unbonding");

        vm.warp(block.timestamp + wait);
        if (block.timestamp < unlocksAt) {
            vm.expectRevert(
                abi.encodeWithSelector(IProviderRegistry.RegistryUnbondingLocked.selector, unlocksAt, block.timestamp)
            );
            vm.prank(alice);
            registry.withdraw();
            vm.warp(unlocksAt);
        }

        vm.expectEmit(address(registry));
        emit IProviderRegistry.StakeWithdrawn(alice, unbondPart);
        vm.prank(alice);
        uint256 withdrawn = registry.withdraw();

        assertEq(withdrawn, unbondPart, "withdrawn");
        assertEq(token.balanceOf(alice), PROVIDER_FUNDS - amount + unbondPart, "provider balance");
        assertEq(token.balanceOf(address(registry)), amount - unbondPart, "registry balance");
        _assertBuckets(alice, amount - unbondPart, 0, 0);
        assertEq(_provider(alice).unbondingUnlocksAt, 0, "unlocksAt cleared");

        // The position is gone: a second withdrawal has nothing to send.
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingUnbonding.selector, alice));
        vm.prank(alice);
        registry.withdraw();
    }

    function test_withdraw_oneSecondBeforeUnlock_reverts() public {
        _stake(alice, 1_000 ether);
        vm.prank(alice);
        registry.requestUnbond(400 ether);
        uint64 unlocksAt = uint64(block.timestamp) + UNBONDING_PERIOD;

        vm.warp(unlocksAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryUnbondingLocked.selector, unlocksAt, unlocksAt - 1)
        );
        vm.prank(alice);
        registry.withdraw();
    }

    function test_withdraw_atUnlockTime_succeeds() public {
        _stake(alice, 1_000 ether);
        vm.prank(alice);
        registry.requestUnbond(400 ether);

        vm.warp(block.timestamp + UNBONDING_PERIOD);
        vm.prank(alice);
        assertEq(registry.withdraw(), 400 ether);
        _assertBuckets(alice, 600 ether, 0, 0);
    }

    function test_withdraw_nothingUnbonding_reverts() public {
        _stake(alice, 1_000 ether);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingUnbonding.selector, alice));
        vm.prank(alice);
        registry.withdraw();
    }

    function test_requestUnbond_zero_reverts() public {
        _stake(alice, 1_000 ether);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        vm.prank(alice);
        registry.requestUnbond(0);
    }

    function testFuzz_requestUnbond_restartsClock(uint256 amount, uint256 first, uint256 gap) public {
        amount = bound(amount, 2, PROVIDER_FUNDS);
        first = bound(first, 1, amount - 1);
        gap = bound(gap, 0, 2 * uint256(UNBONDING_PERIOD));
        _stake(alice, amount);

        vm.prank(alice);
        registry.requestUnbond(first);
        uint64 firstUnlock = uint64(block.timestamp) + UNBONDING_PERIOD;

        vm.warp(block.timestamp + gap);
        uint256 second = amount - first;
        vm.prank(alice);
        registry.requestUnbond(second);
        uint64 secondUnlock = uint64(block.timestamp) + UNBONDING_PERIOD;

        IProviderRegistry.Provider memory p = _provider(alice);
        assertEq(p.unbondingStake, amount, "whole position unbonding");
        assertEq(p.unbondingUnlocksAt, secondUnlock, "clock restarted");
        assertGe(secondUnlock, firstUnlock);

        // Even if the first request alone would already be withdrawable, the merged position is not.
        vm.warp(secondUnlock - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryUnbondingLocked.selector, secondUnlock, secondUnlock - 1)
        );
        vm.prank(alice);
        registry.withdraw();

        vm.warp(secondUnlock);
        vm.prank(alice);
        assertEq(registry.withdraw(), amount);
        assertEq(token.balanceOf(alice), PROVIDER_FUNDS);
        assertEq(token.balanceOf(address(registry)), 0);
    }

    function testFuzz_requestUnbond_exceedsFree_reverts(uint256 amount, uint256 locked, uint256 request) public {
        amount = bound(amount, MIN_STAKE_PER_GPU, PROVIDER_FUNDS);
        locked = bound(locked, 0, amount);
        _stakeEligible(alice, amount);
        if (locked > 0) _lock(alice, JOB_ID, locked);
        uint256 free = amount - locked;
        // Anything above the free stake, including locked collateral, cannot be unbonded.
        request = bound(request, free + 1, type(uint256).max);

        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnbondExceedsFree.selector, request, free));
        vm.prank(alice);
        registry.requestUnbond(request);
        _assertBuckets(alice, free, locked, 0);
    }

    function testFuzz_requestUnbond_respectsMinStake(uint32 listedGpus, uint256 stakeAmount, uint256 amount) public {
        listedGpus = uint32(bound(listedGpus, 1, 100));
        uint256 required = MIN_STAKE_PER_GPU * listedGpus;
        stakeAmount = bound(stakeAmount, required, PROVIDER_FUNDS);
        amount = bound(amount, 1, stakeAmount);

        _stake(alice, stakeAmount);
        vm.prank(alice);
        registry.setGpuLine(H100, listedGpus, 80, 8260);
        assertEq(registry.requiredStakeOf(alice), required, "requiredStakeOf");

        uint256 remaining = stakeAmount - amount;
        if (remaining < required) {
            vm.expectRevert(
                abi.encodeWithSelector(IProviderRegistry.RegistryInsufficientStake.selector, required, remaining)
            );
            vm.prank(alice);
            registry.requestUnbond(amount);
            _assertBuckets(alice, stakeAmount, 0, 0);
        } else {
            vm.prank(alice);
            registry.requestUnbond(amount);
            _assertBuckets(alice, remaining, 0, amount);
        }
    }

    function testFuzz_requestUnbond_countsLockedStakeAsBonded(
        uint32 listedGpus,
        uint256 stakeAmount,
        uint256 locked,
        uint256 amount
    ) public {
        listedGpus = uint32(bound(listedGpus, 1, 100));
        uint256 required = MIN_STAKE_PER_GPU * listedGpus;
        stakeAmount = bound(stakeAmount, required + 1, PROVIDER_FUNDS);
        locked = bound(locked, 0, stakeAmount - 1);
        uint256 free = stakeAmount - locked;
        amount = bound(amount, 1, free);

        _stake(alice, stakeAmount);
        vm.startPrank(alice);
        registry.setGpuLine(H100, listedGpus, 80, 8260);
        registry.setOnline(true);
        vm.stopPrank();
        if (locked > 0) _lock(alice, JOB_ID, locked);

        // Bonded stake after the request is free - amount + locked = stakeAmount - amount.
        uint256 bondedAfter = stakeAmount - amount;
        if (bondedAfter < required) {
            vm.expectRevert(
                abi.encodeWithSelector(IProviderRegistry.RegistryInsufficientStake.selector, required, bondedAfter)
            );
            vm.prank(alice);
            registry.requestUnbond(amount);
        } else {
            vm.prank(alice);
            registry.requestUnbond(amount);
            _assertBuckets(alice, free - amount, locked, amount);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // cancelUnbond
    // ------------------------------------------------------------------------------------------------

    function testFuzz_cancelUnbond_restoresFreeStake(uint256 amount, uint256 unbondPart, uint256 wait) public {
        amount = bound(amount, 1, PROVIDER_FUNDS);
        unbondPart = bound(unbondPart, 1, amount);
        wait = bound(wait, 0, 2 * uint256(UNBONDING_PERIOD));

        _stake(alice, amount);
        vm.prank(alice);
        registry.requestUnbond(unbondPart);
        vm.warp(block.timestamp + wait);

        vm.expectEmit(address(registry));
        emit IProviderRegistry.UnbondingCancelled(alice, unbondPart, amount);
        vm.prank(alice);
        registry.cancelUnbond();

        _assertBuckets(alice, amount, 0, 0);
        assertEq(_provider(alice).unbondingUnlocksAt, 0, "unlocksAt cleared");
        assertEq(token.balanceOf(address(registry)), amount, "registry balance");

        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingUnbonding.selector, alice));
        vm.prank(alice);
        registry.withdraw();
    }

    function test_cancelUnbond_nothingUnbonding_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingUnbonding.selector, alice));
        vm.prank(alice);
        registry.cancelUnbond();
    }

    // ------------------------------------------------------------------------------------------------
    // lockIfEligible / unlockCollateral
    // ------------------------------------------------------------------------------------------------

    function testFuzz_lockUnlock_roundTrip(uint256 stakeAmount, uint256 lockAmount, uint256 unlockPart, uint256 lockId)
        public
    {
        stakeAmount = bound(stakeAmount, MIN_STAKE_PER_GPU, PROVIDER_FUNDS);
        lockAmount = bound(lockAmount, 1, stakeAmount);
        unlockPart = bound(unlockPart, 1, lockAmount);
        _stakeEligible(alice, stakeAmount);

        vm.expectEmit(address(registry));
        emit IProviderRegistry.CollateralLocked(alice, lockId, lockAmount, lockAmount, stakeAmount - lockAmount);
        _lock(alice, lockId, lockAmount);
        _assertBuckets(alice, stakeAmount - lockAmount, lockAmount, 0);

        vm.expectEmit(address(registry));
        emit IProviderRegistry.CollateralUnlocked(
            alice, lockId, unlockPart, lockAmount - unlockPart, stakeAmount - lockAmount + unlockPart
        );
        vm.prank(market);
        registry.unlockCollateral(alice, lockId, unlockPart);
        _assertBuckets(alice, stakeAmount - lockAmount + unlockPart, lockAmount - unlockPart, 0);

        uint256 rest = lockAmount - unlockPart;
        if (rest > 0) {
            vm.prank(market);
            registry.unlockCollateral(alice, lockId, rest);
        }

        // Back where it started; no token moved.
        _assertBuckets(alice, stakeAmount, 0, 0);
        assertEq(token.balanceOf(address(registry)), stakeAmount, "registry balance");
        assertEq(token.balanceOf(alice), PROVIDER_FUNDS - stakeAmount, "provider balance");

        // Nothing locked is left to unlock.
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryExceedsLocked.selector, alice, 1, 0));
        vm.prank(market);
        registry.unlockCollateral(alice, lockId, 1);
    }

    function testFuzz_lockIfEligible_exceedsFree_reverts(uint256 stakeAmount, uint256 alreadyLocked, uint256 amount)
        public
    {
        stakeAmount = bound(stakeAmount, MIN_STAKE_PER_GPU, PROVIDER_FUNDS);
        alreadyLocked = bound(alreadyLocked, 0, stakeAmount);
        _stakeEligible(alice, stakeAmount);
        if (alreadyLocked > 0) _lock(alice, JOB_ID, alreadyLocked);
        uint256 free = stakeAmount - alreadyLocked;
        amount = bound(amount, free + 1, type(uint256).max);

        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryLockExceedsFree.selector, amount, free));
        _lock(alice, JOB_ID + 1, amount);
    }

    function testFuzz_unlockCollateral_exceedsLocked_reverts(uint256 lockAmount, uint256 amount) public {
        lockAmount = bound(lockAmount, 1, PROVIDER_FUNDS / 2);
        // Locked over two jobs; the rest of the stake is free: the bound is the locked total, not the stake.
        _stakeEligible(alice, PROVIDER_FUNDS);
        _lock(alice, JOB_ID, lockAmount);
        _lock(alice, JOB_ID + 1, lockAmount);
        amount = bound(amount, 2 * lockAmount + 1, type(uint256).max);

        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryExceedsLocked.selector, alice, amount, 2 * lockAmount)
        );
        vm.prank(market);
        registry.unlockCollateral(alice, JOB_ID, amount);
    }

    function testFuzz_lockIfEligible_accumulatesOnSameId(uint256 a, uint256 b) public {
        a = bound(a, 1, PROVIDER_FUNDS - 1);
        b = bound(b, 1, PROVIDER_FUNDS - a);
        _stakeEligible(alice, PROVIDER_FUNDS);
        _lock(alice, JOB_ID, a);
        _lock(alice, JOB_ID, b);
        _assertBuckets(alice, PROVIDER_FUNDS - a - b, a + b, 0);
    }

    function testFuzz_lockIfEligible_locksArePerProvider(uint256 a, uint256 b) public {
        a = bound(a, MIN_STAKE_PER_GPU, PROVIDER_FUNDS);
        b = bound(b, MIN_STAKE_PER_GPU, PROVIDER_FUNDS);
        _stakeEligible(alice, a);
        _stakeEligible(bob, b);
        _lock(alice, JOB_ID, a);
        _lock(bob, JOB_ID, b);
        _assertBuckets(alice, 0, a, 0);
        _assertBuckets(bob, 0, b, 0);

        vm.prank(market);
        registry.unlockCollateral(alice, JOB_ID, a);
        _assertBuckets(alice, a, 0, 0);
        _assertBuckets(bob, 0, b, 0);
    }

    function test_lockIfEligible_zero_locksNothing() public {
        _stakeEligible(alice, 1_000 ether);
        vm.recordLogs();
        _lock(alice, JOB_ID, 0);
        assertEq(vm.getRecordedLogs().length, 0, "no CollateralLocked event");
        _assertBuckets(alice, 1_000 ether, 0, 0);
    }

    function test_lockIfEligible_zeroWhenOffline_reverts() public {
        _stakeEligible(alice, 1_000 ether);
        vm.prank(alice);
        registry.setOnline(false);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryProviderOffline.selector, alice));
        _lock(alice, JOB_ID, 0);
    }

    function test_unlockCollateral_zero_reverts() public {
        _stakeEligible(alice, 1_000 ether);
        _lock(alice, JOB_ID, 10 ether);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        vm.prank(market);
        registry.unlockCollateral(alice, JOB_ID, 0);
    }

    function test_lockIfEligible_unregisteredProvider_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotProvider.selector, outsider));
        _lock(outsider, JOB_ID, 1);
    }

    function testFuzz_marketActions_onlyMarket(address caller) public {
        vm.assume(caller != market);
        _stakeEligible(alice, 1_000 ether);
        _lock(alice, JOB_ID, 100 ether);
        bytes32 role = registry.MARKET_ROLE();
        bytes memory unauthorized =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role);

        vm.startPrank(caller);
        vm.expectRevert(unauthorized);
        registry.lockIfEligible(alice, JOB_ID, 1 ether, H100, 1, 0, 0, 0);
        vm.expectRevert(unauthorized);
        registry.unlockCollateral(alice, JOB_ID, 1 ether);
        vm.expectRevert(unauthorized);
        registry.slash(alice, JOB_ID, 1 ether, slashRecipient, 1 ether);
        vm.stopPrank();

        _assertBuckets(alice, 900 ether, 100 ether, 0);
    }

    // ------------------------------------------------------------------------------------------------
    // slash
    // ------------------------------------------------------------------------------------------------

    function testFuzz_slash_neverExceedsLocked(uint256 lock, uint256 toRecipient, uint256 toBurn) public {
        lock = bound(lock, 1, PROVIDER_FUNDS / 2);
        toRecipient = bound(toRecipient, 0, PROVIDER_FUNDS);
        toBurn = bound(toBurn, 0, PROVIDER_FUNDS);
        uint256 total = toRecipient + toBurn;

        // Free stake is around, so only the bound of the locked stake (two jobs' shares) can stop the slash.
        _stakeEligible(alice, PROVIDER_FUNDS);
        _lock(alice, JOB_ID, lock);
        _lock(alice, JOB_ID + 1, PROVIDER_FUNDS / 4);
        uint256 free = PROVIDER_FUNDS - lock - PROVIDER_FUNDS / 4;
        uint256 lockedBefore = lock + PROVIDER_FUNDS / 4;

        uint256 registryBefore = token.balanceOf(address(registry));
        uint256 supplyBefore = token.totalSupply();
        uint256 burnedBefore = token.totalBurned();

        if (total == 0) {
            vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        } else if (total > lockedBefore) {
            vm.expectRevert(
                abi.encodeWithSelector(IProviderRegistry.RegistryExceedsLocked.selector, alice, total, lockedBefore)
            );
        } else {
            vm.expectEmit(address(registry));
            emit IProviderRegistry.ProviderSlashed(
                alice, JOB_ID, slashRecipient, toRecipient, toBurn, lockedBefore - total
            );
        }
        vm.prank(market);
        registry.slash(alice, JOB_ID, toRecipient, slashRecipient, toBurn);

        if (total == 0 || total > lockedBefore) {
            // Nothing moved.
            _assertBuckets(alice, free, lockedBefore, 0);
            assertEq(token.balanceOf(address(registry)), registryBefore, "registry balance unchanged");
            assertEq(token.totalSupply(), supplyBefore, "supply unchanged");
            return;
        }

        _assertBuckets(alice, free, lockedBefore - total, 0);
        assertEq(token.balanceOf(slashRecipient), toRecipient, "recipient share");
        assertEq(token.balanceOf(address(registry)), registryBefore - total, "registry balance");
        assertEq(token.totalSupply(), supplyBefore - toBurn, "supply drops by the burn");
        assertEq(token.totalBurned(), burnedBefore + toBurn, "totalBurned rises by the burn");
        assertEq(token.totalSupply(), token.INITIAL_SUPPLY() + token.totalMinted() - token.totalBurned(), "conservation");
    }

    function testFuzz_slash_cannotReachFreeStake(uint256 lockA, uint256 lockB, uint256 excess) public {
        lockA = bound(lockA, 1, PROVIDER_FUNDS / 4);
        lockB = bound(lockB, 1, PROVIDER_FUNDS / 4);
        excess = bound(excess, 1, PROVIDER_FUNDS / 2);
        _stakeEligible(alice, PROVIDER_FUNDS);
        _lock(alice, JOB_ID, lockA);
        _lock(alice, JOB_ID + 1, lockB);

        // The free stake covers the excess, the locked stake does not. (Each job's own bound is the market's:
        // its share, {IJobMarket-lockOf}, checked by the market invariants.)
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.RegistryExceedsLocked.selector, alice, lockA + lockB + excess, lockA + lockB
            )
        );
        vm.prank(market);
        registry.slash(alice, JOB_ID, lockA + lockB + excess, slashRecipient, 0);

        // Up to the whole locked stake can go; the free stake is intact afterwards.
        vm.prank(market);
        registry.slash(alice, JOB_ID, 0, address(0), lockA);
        _assertBuckets(alice, PROVIDER_FUNDS - lockA - lockB, lockB, 0);
    }

    function testFuzz_slash_cannotBeEscapedByUnbonding(uint256 stakeAmount, uint256 lock, uint256 toBurn) public {
        stakeAmount = bound(stakeAmount, MIN_STAKE_PER_GPU, PROVIDER_FUNDS);
        lock = bound(lock, 1, stakeAmount - 1);
        toBurn = bound(toBurn, 1, lock);
        _stakeEligible(alice, stakeAmount);
        _lock(alice, JOB_ID, lock);
        // Delisting drops the stake the GPU line needed, so nothing but the lock holds the stake back.
        vm.prank(alice);
        registry.removeGpuLine(H100);

        // The provider unbonds everything it can: only the free stake.
        uint256 free = stakeAmount - lock;
        vm.prank(alice);
        registry.requestUnbond(free);
        vm.warp(block.timestamp + UNBONDING_PERIOD);

        vm.prank(market);
        registry.slash(alice, JOB_ID, 0, address(0), toBurn);

        vm.prank(alice);
        assertEq(registry.withdraw(), free, "only free stake leaves");
        _assertBuckets(alice, 0, lock - toBurn, 0);
        assertEq(token.balanceOf(address(registry)), lock - toBurn, "registry keeps the rest of the lock");
    }

    function test_slash_zeroTotal_reverts() public {
        _stakeEligible(alice, 1_000 ether);
        _lock(alice, JOB_ID, 100 ether);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        vm.prank(market);
        registry.slash(alice, JOB_ID, 0, slashRecipient, 0);
    }

    function test_slash_shareToZeroRecipient_reverts() public {
        _stakeEligible(alice, 1_000 ether);
        _lock(alice, JOB_ID, 100 ether);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryInvalidSlashRecipient.selector, address(0)));
        vm.prank(market);
        registry.slash(alice, JOB_ID, 1 ether, address(0), 0);
    }

    function test_slash_burnOnlyWithZeroRecipient_succeeds() public {
        _stakeEligible(alice, 1_000 ether);
        _lock(alice, JOB_ID, 100 ether);
        vm.prank(market);
        registry.slash(alice, JOB_ID, 0, address(0), 60 ether);
        assertEq(token.totalBurned(), 60 ether);
        assertEq(token.totalSupply(), INITIAL_SUPPLY - 60 ether);
        _assertBuckets(alice, 900 ether, 40 ether, 0);
    }

    function test_slash_amountsOverflow_panics() public {
        _stakeEligible(alice, 1_000 ether);
        _lock(alice, JOB_ID, 100 ether);
        vm.expectRevert(stdError.arithmeticError);
        vm.prank(market);
        registry.slash(alice, JOB_ID, type(uint256).max, slashRecipient, 1);
    }

    function test_slash_unregisteredProvider_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotProvider.selector, outsider));
        vm.prank(market);
        registry.slash(outsider, JOB_ID, 1, slashRecipient, 0);
    }
}
