// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {ProviderRegistry} from "../../../contracts/staking/ProviderRegistry.sol";
import {GridleaseToken} from "../../../contracts/token/GridleaseToken.sol";

/// @notice Invariant-test handler for ProviderRegistry (Morpho Blue style).
/// @dev The fuzzer calls only this contract. Every action picks one of a fixed set of actors, lock ids and
/// GPU models from a seed, bounds its amounts so that the registry call it makes cannot revert, and returns
/// early when no such call exists (the invariant profile runs with failOnRevert). Ghost variables record what
/// the handler did, independently of the registry's own bookkeeping, for the invariants to compare against.
///
/// Per actor the handler keeps a reference model of the three stake buckets, the unlock time and the
/// reputation score. Provider actions are bounded from that model, not from the registry's views, so a
/// registry that drifts from the model makes a call revert (caught by failOnRevert) or an invariant fail.
///
/// Artifacts: the invariant runner reads this contract's ABI from its build artifact. When the artifact is
/// missing or stale (Hardhat writes artifacts only for the files a build is asked for), every invariant
/// fails with "[targetSelectors] address does not have an associated contract": build with `npm run build`
/// (scripts/build.mjs builds every file under test/solidity), not by naming a single test file.
///
/// Block time: each action first warps to `currentTime`, which only the `warp` actions move forward, so the
/// handler's clock is the same whether or not the test runner carries `vm.warp` over between calls.
contract RegistryHandler is CommonBase, StdCheats, StdUtils {
    uint256 public constant NUM_ACTORS = 4;
    uint256 public constant ACTOR_FUNDS = 1_000_000 ether;
    uint256 internal constant MAX_STAKE_PER_CALL = 100_000 ether;
    uint256 internal constant MAX_WARP = 4 days;
    uint32 internal constant MAX_GPUS_PER_LINE = 32;
    uint16 internal constant MAX_SCORE = 10_000;
    /// @dev The registry's default reputation reference value ($100, 18 decimals): a full step's job value.
    uint256 internal constant REPUTATION_REFERENCE = 100e18;

    ProviderRegistry public immutable registry;
    GridleaseToken public immutable token;
    address public immutable market;
    address public immutable slashRecipient;

    address[] internal _actors;
    uint256[] internal _lockIds;
    bytes32[] internal _models;

    /// @notice The handler's clock; every action runs at this timestamp.
    uint256 public currentTime;

    // ------------------------------------------------------------------------------------------------
    // Ghost variables
    // ------------------------------------------------------------------------------------------------

    /// @notice GRL moved into the registry by stake().
    uint256 public ghost_totalStaked;
    /// @notice GRL sent out of the registry by withdraw().
    uint256 public ghost_totalWithdrawn;
    /// @notice GRL sent out of the registry to the slash recipient.
    uint256 public ghost_totalSlashedToRecipient;
    /// @notice GRL burned by slash().
    uint256 public ghost_totalBurned;

    /// @notice Reference model of each actor's stake buckets.
    mapping(address actor => uint256) public ghost_free;
    mapping(address actor => uint256) public ghost_locked;
    mapping(address actor => uint256) public ghost_unbonding;
    /// @notice The unlock time of each actor's latest unbonding request (0 when nothing is unbonding).
    mapping(address actor => uint256) public ghost_unlocksAt;
    /// @notice Reference model of each actor's reputation, computed here from the documented formulas.
    mapping(address actor => uint256) public ghost_reputation;

    /// @notice Per (actor, lock id): total ever locked, total unlocked, total slashed.
    mapping(address actor => mapping(uint256 lockId => uint256)) public ghost_lockedIn;
    mapping(address actor => mapping(uint256 lockId => uint256)) public ghost_unlockedFrom;
    mapping(address actor => mapping(uint256 lockId => uint256)) public ghost_slashedFrom;

    /// @notice Set if a withdraw ever succeeded before the unlock time the handler recorded.
    bool public ghost_earlyWithdraw;
    /// @notice Set if an early withdraw reverted, but not with RegistryUnbondingLocked(unlocksAt, now).
    bool public ghost_probeWrongRevert;
    /// @notice Set if a successful withdraw returned or transferred an amount other than the model's.
    bool public ghost_withdrawMismatch;
    /// @notice Set if an out-of-bounds call (see {probeOutOfBounds}) did not revert.
    bool public ghost_outOfBoundsSucceeded;
    /// @notice Set if an out-of-bounds call reverted with an error other than the documented one.
    bool public ghost_outOfBoundsWrongRevert;
    /// @notice Set if a reputation update returned a value other than the one it stored.
    bool public ghost_reputationReturnMismatch;
    /// @notice Set if a success raised a score by more than its job's value allows: more than 1000 points
    /// per reference value, or anything at all for a job under a thousandth of the reference value.
    bool public ghost_gainAboveValue;

    /// @notice Counters of the rarer paths, to check that the campaign reaches them.
    uint256 public ghost_withdrawProbes;
    uint256 public ghost_withdrawals;
    uint256 public ghost_outOfBoundsProbes;

    constructor(ProviderRegistry registry_, GridleaseToken token_, address market_, address treasury) {
        registry = registry_;
        token = token_;
        market = market_;
        slashRecipient = makeAddr("slashRecipient");
        currentTime = block.timestamp;

        for (uint256 i = 0; i < NUM_ACTORS; ++i) {
            address actor = makeAddr(string.concat("provider", vm.toString(i)));
            _actors.push(actor);
            vm.prank(treasury);
            token.transfer(actor, ACTOR_FUNDS);
            vm.startPrank(actor);
            token.approve(address(registry), type(uint256).max);
            registry.register("ipfs://provider", uint16(i));
            vm.stopPrank();
            ghost_reputation[actor] = 5_000;
        }

        _lockIds.push(0);
        _lockIds.push(42);
        _lockIds.push(type(uint256).max);

        _models.push("H100");
        _models.push("RTX4090");
    }

    modifier atCurrentTime() {
        vm.warp(currentTime);
        _;
    }

    // ------------------------------------------------------------------------------------------------
    // Views for the invariant test
    // ------------------------------------------------------------------------------------------------

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function lockIds() external view returns (uint256[] memory) {
        return _lockIds;
    }

    function models() external view returns (bytes32[] memory) {
        return _models;
    }

    // ------------------------------------------------------------------------------------------------
    // Provider actions
    // ------------------------------------------------------------------------------------------------

    function stake(uint256 actorSeed, uint256 amount) external atCurrentTime {
        address actor = _actor(actorSeed);
        uint256 balance = token.balanceOf(actor);
        if (balance == 0) return;
        amount = bound(amount, 1, _min(balance, MAX_STAKE_PER_CALL));

        vm.prank(actor);
        registry.stake(amount);

        ghost_free[actor] += amount;
        ghost_totalStaked += amount;
    }

    function requestUnbond(uint256 actorSeed, uint256 amount) external atCurrentTime {
        address actor = _actor(actorSeed);
        uint256 free = ghost_free[actor];
        uint256 bonded = free + ghost_locked[actor];
        uint256 required = registry.minStakePerGpu() * registry.providerOf(actor).listedGpus;
        if (bonded <= required) return;
        uint256 maxAmount = _min(free, bonded - required);
        if (maxAmount == 0) return;
        amount = bound(amount, 1, maxAmount);

        vm.prank(actor);
        registry.requestUnbond(amount);

        ghost_free[actor] -= amount;
        ghost_unbonding[actor] += amount;
        ghost_unlocksAt[actor] = block.timestamp + registry.unbondingPeriod();
    }

    function cancelUnbond(uint256 actorSeed) external atCurrentTime {
        address actor = _actor(actorSeed);
        uint256 unbonding = ghost_unbonding[actor];
        if (unbonding == 0) return;

        vm.prank(actor);
        registry.cancelUnbond();

        ghost_free[actor] += unbonding;
        ghost_unbonding[actor] = 0;
        ghost_unlocksAt[actor] = 0;
    }

    /// @notice Withdraws if the handler's record says the stake is unlocked; otherwise probes that an early
    /// withdraw reverts with the exact error.
    function withdraw(uint256 actorSeed) external atCurrentTime {
        address actor = _actor(actorSeed);
        if (ghost_unbonding[actor] == 0) return;
        if (block.timestamp < ghost_unlocksAt[actor]) {
            _probeEarlyWithdraw(actor);
        } else {
            _withdraw(actor);
        }
    }

    /// @notice Moves the clock to one second before the actor's unlock time, probes, then withdraws exactly
    /// at the unlock time. Exercises the boundary, which random warps rarely hit.
    function withdrawAtUnlockBoundary(uint256 actorSeed) external atCurrentTime {
        address actor = _actor(actorSeed);
        if (ghost_unbonding[actor] == 0) return;
        uint256 unlocksAt = ghost_unlocksAt[actor];
        if (block.timestamp < unlocksAt) {
            _setTime(unlocksAt - 1);
            _probeEarlyWithdraw(actor);
            // A registry that let the probe through has nothing left to withdraw; the flag is already set.
            if (ghost_unbonding[actor] == 0) return;
            _setTime(unlocksAt);
        }
        _withdraw(actor);
    }

    function setGpuLine(uint256 actorSeed, uint256 modelSeed, uint256 count, uint256 vramGb) external atCurrentTime {
        address actor = _actor(actorSeed);
        bytes32 model = _model(modelSeed);
        IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, model);
        IProviderRegistry.Provider memory p = registry.providerOf(actor);

        // Lowering (or keeping) a count needs no stake; raising it needs bonded stake for the new total.
        uint256 capacity = (uint256(p.freeStake) + p.lockedStake) / registry.minStakePerGpu();
        uint256 headroom = capacity > p.listedGpus ? capacity - p.listedGpus : 0;
        uint256 maxCount = _min(uint256(line.count) + headroom, _max(line.count, MAX_GPUS_PER_LINE));
        uint256 minCount = _max(line.leased, 1);
        if (minCount > maxCount) return;
        count = bound(count, minCount, maxCount);
        vramGb = bound(vramGb, 1, 192);

        vm.prank(actor);
        registry.setGpuLine(model, uint32(count), uint32(vramGb), 8_260);
    }

    function removeGpuLine(uint256 actorSeed, uint256 modelSeed) external atCurrentTime {
        address actor = _actor(actorSeed);
        bytes32 model = _model(modelSeed);
        IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, model);
        if (line.count == 0 || line.leased != 0) return;

        vm.prank(actor);
        registry.removeGpuLine(model);
    }

    // ------------------------------------------------------------------------------------------------
    // Market actions
    // ------------------------------------------------------------------------------------------------

    /// @notice Locks up to the whole free stake (0 included, which locks nothing) for a one-GPU job, after
    /// making the actor eligible for it (see {_makeEligible}).
    function lockIfEligible(uint256 actorSeed, uint256 lockSeed, uint256 modelSeed, uint256 amount)
        external
        atCurrentTime
    {
        address actor = _actor(actorSeed);
        uint256 lockId = _lockId(lockSeed);
        uint256 free = ghost_free[actor];
        if (free == 0) return;
        (bool eligible, bytes32 model) = _makeEligible(actor, modelSeed);
        if (!eligible) return;
        amount = bound(amount, 0, free);

        vm.prank(market);
        registry.lockIfEligible(actor, lockId, amount, model, 1, 0, 0, 0);

        ghost_free[actor] -= amount;
        ghost_locked[actor] += amount;
        ghost_lockedIn[actor][lockId] += amount;
    }

    function unlockCollateral(uint256 actorSeed, uint256 lockSeed, uint256 amount) external atCurrentTime {
        address actor = _actor(actorSeed);
        uint256 lockId = _lockId(lockSeed);
        uint256 held = _ghostLock(actor, lockId);
        if (held == 0) return;
        amount = bound(amount, 1, held);

        vm.prank(market);
        registry.unlockCollateral(actor, lockId, amount);

        ghost_locked[actor] -= amount;
        ghost_free[actor] += amount;
        ghost_unlockedFrom[actor][lockId] += amount;
    }

    function slash(uint256 actorSeed, uint256 lockSeed, uint256 total, uint256 toRecipient) external atCurrentTime {
        address actor = _actor(actorSeed);
        uint256 lockId = _lockId(lockSeed);
        uint256 held = _ghostLock(actor, lockId);
        if (held == 0) return;
        total = bound(total, 1, held);
        toRecipient = bound(toRecipient, 0, total);
        uint256 toBurn = total - toRecipient;

        vm.prank(market);
        registry.slash(actor, lockId, toRecipient, slashRecipient, toBurn);

        ghost_locked[actor] -= total;
        ghost_slashedFrom[actor][lockId] += total;
        ghost_totalSlashedToRecipient += toRecipient;
        ghost_totalBurned += toBurn;
    }

    function leaseGpus(uint256 actorSeed, uint256 modelSeed, uint256 count) external atCurrentTime {
        address actor = _actor(actorSeed);
        bytes32 model = _model(modelSeed);
        IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, model);
        if (line.count <= line.leased) return;
        count = bound(count, 1, line.count - line.leased);

        vm.prank(market);
        registry.leaseGpus(actor, model, uint32(count));
    }

    function releaseGpus(uint256 actorSeed, uint256 modelSeed, uint256 count) external atCurrentTime {
        address actor = _actor(actorSeed);
        bytes32 model = _model(modelSeed);
        IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, model);
        if (line.leased == 0) return;
        count = bound(count, 1, line.leased);

        vm.prank(market);
        registry.releaseGpus(actor, model, uint32(count));
    }

    /// @notice Releases up to the whole of a lock (0 included, which releases nothing) and records a success.
    /// @dev The job's value (USD, 18 decimals) is half the time dust (under $1), otherwise up to three
    /// reference values, so full, partial and zero weights all occur.
    function unlockAndRecordSuccess(uint256 actorSeed, uint256 lockSeed, uint256 amount, uint256 jobValueUsd)
        external
        atCurrentTime
    {
        address actor = _actor(actorSeed);
        uint256 lockId = _lockId(lockSeed);
        amount = bound(amount, 0, _ghostLock(actor, lockId));
        jobValueUsd = jobValueUsd % 2 == 0 ? bound(jobValueUsd, 0, 1e18) : bound(jobValueUsd, 0, 3 * REPUTATION_REFERENCE);
        uint256 previous = ghost_reputation[actor];
        uint256 gap = MAX_SCORE - previous;
        uint256 expected = jobValueUsd >= REPUTATION_REFERENCE
            ? previous + (gap + 9) / 10
            : previous + (gap * ((jobValueUsd * 10_000) / REPUTATION_REFERENCE)) / 100_000;

        vm.prank(market);
        uint16 reputation = registry.unlockAndRecordSuccess(actor, lockId, amount, jobValueUsd);

        if (reputation != registry.providerOf(actor).reputation) ghost_reputationReturnMismatch = true;
        if (reputation > previous) {
            uint256 gain = reputation - previous;
            if (gain * REPUTATION_REFERENCE > 1_000 * jobValueUsd || jobValueUsd < REPUTATION_REFERENCE / 1_000) {
                ghost_gainAboveValue = true;
            }
        }
        ghost_reputation[actor] = expected;
        ghost_locked[actor] -= amount;
        ghost_free[actor] += amount;
        ghost_unlockedFrom[actor][lockId] += amount;
    }

    function recordFault(uint256 actorSeed) external atCurrentTime {
        address actor = _actor(actorSeed);
        uint256 expected = (ghost_reputation[actor] * 2) / 3;

        vm.prank(market);
        uint16 reputation = registry.recordFault(actor);

        if (reputation != registry.providerOf(actor).reputation) ghost_reputationReturnMismatch = true;
        ghost_reputation[actor] = expected;
    }

    // ------------------------------------------------------------------------------------------------
    // Probes
    // ------------------------------------------------------------------------------------------------

    /// @notice Tries one call just past its bound and checks that it reverts with the documented error:
    /// lock free + 1, unlock or slash a lock + 1, unbond free + 1, lease available + 1, release leased + 1.
    /// A probe that goes through sets ghost_outOfBoundsSucceeded (the invariants then fail); state it changed
    /// is not modelled, so later actions may also revert, which failOnRevert reports too.
    function probeOutOfBounds(uint256 actorSeed, uint256 lockSeed, uint256 modelSeed, uint256 which)
        external
        atCurrentTime
    {
        address actor = _actor(actorSeed);
        uint256 kind = which % 6;
        address caller = market;
        bytes memory data;
        bytes memory expected;

        if (kind == 0) {
            // Only an eligible provider gets as far as the free-stake check.
            (bool eligible, bytes32 model) = _makeEligible(actor, modelSeed);
            if (!eligible) return;
            uint256 free = ghost_free[actor];
            data = abi.encodeCall(
                IProviderRegistry.lockIfEligible, (actor, _lockId(lockSeed), free + 1, model, 1, 0, 0, 0)
            );
            expected = abi.encodeWithSelector(IProviderRegistry.RegistryLockExceedsFree.selector, free + 1, free);
        } else if (kind == 1 || kind == 2) {
            // The registry bounds a release or a slash by the provider's whole locked stake (each job's share is
            // the market's, here the handler's, to keep).
            uint256 lockId = _lockId(lockSeed);
            uint256 held = ghost_locked[actor];
            data = kind == 1
                ? abi.encodeCall(IProviderRegistry.unlockCollateral, (actor, lockId, held + 1))
                : abi.encodeCall(IProviderRegistry.slash, (actor, lockId, 1, slashRecipient, held));
            expected =
                abi.encodeWithSelector(IProviderRegistry.RegistryExceedsLocked.selector, actor, held + 1, held);
        } else if (kind == 3) {
            uint256 free = ghost_free[actor];
            caller = actor;
            data = abi.encodeCall(IProviderRegistry.requestUnbond, (free + 1));
            expected = abi.encodeWithSelector(IProviderRegistry.RegistryUnbondExceedsFree.selector, free + 1, free);
        } else {
            bytes32 model = _model(modelSeed);
            IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, model);
            if (line.count == 0) return;
            if (kind == 4) {
                uint32 available = line.count - line.leased;
                data = abi.encodeCall(IProviderRegistry.leaseGpus, (actor, model, available + 1));
                expected = abi.encodeWithSelector(
                    IProviderRegistry.RegistryInsufficientGpus.selector, model, available, available + 1
                );
            } else {
                data = abi.encodeCall(IProviderRegistry.releaseGpus, (actor, model, line.leased + 1));
                expected = abi.encodeWithSelector(
                    IProviderRegistry.RegistryReleaseExceedsLeased.selector, model, line.leased, line.leased + 1
                );
            }
        }

        vm.prank(caller);
        (bool ok, bytes memory reason) = address(registry).call(data);
        if (ok) ghost_outOfBoundsSucceeded = true;
        else if (keccak256(reason) != keccak256(expected)) ghost_outOfBoundsWrongRevert = true;
        ghost_outOfBoundsProbes++;
    }

    // ------------------------------------------------------------------------------------------------
    // Time
    // ------------------------------------------------------------------------------------------------

    function warp(uint256 seconds_) external atCurrentTime {
        _setTime(currentTime + bound(seconds_, 1, MAX_WARP));
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    function _probeEarlyWithdraw(address actor) internal {
        uint256 unlocksAt = ghost_unlocksAt[actor];
        bytes memory expected =
            abi.encodeWithSelector(IProviderRegistry.RegistryUnbondingLocked.selector, uint64(unlocksAt), block.timestamp);

        vm.prank(actor);
        try registry.withdraw() returns (uint256 amount) {
            // Keep the model consistent with what happened, and remember the violation.
            ghost_earlyWithdraw = true;
            ghost_totalWithdrawn += amount;
            ghost_unbonding[actor] = 0;
            ghost_unlocksAt[actor] = 0;
        } catch (bytes memory reason) {
            if (keccak256(reason) != keccak256(expected)) ghost_probeWrongRevert = true;
        }
        ghost_withdrawProbes++;
    }

    function _withdraw(address actor) internal {
        uint256 expected = ghost_unbonding[actor];
        if (block.timestamp < ghost_unlocksAt[actor]) ghost_earlyWithdraw = true;
        uint256 balanceBefore = token.balanceOf(actor);

        vm.prank(actor);
        uint256 amount = registry.withdraw();

        if (amount != expected || token.balanceOf(actor) != balanceBefore + expected) ghost_withdrawMismatch = true;
        ghost_unbonding[actor] = 0;
        ghost_unlocksAt[actor] = 0;
        ghost_totalWithdrawn += amount;
        ghost_withdrawals++;
    }

    /// @notice Prepares `actor` for a one-GPU job as a provider would: picks a line with a free GPU (from
    /// `modelSeed` on), or else lists one more GPU of the seed's model, then goes online. Without this the
    /// campaign would rarely lock, since a lock needs a line listed and the actor online first. False when the
    /// bonded stake cannot cover that (too little staked, or a slash left it short).
    function _makeEligible(address actor, uint256 modelSeed) internal returns (bool eligible, bytes32 model) {
        IProviderRegistry.Provider memory p = registry.providerOf(actor);
        uint256 bonded = ghost_free[actor] + ghost_locked[actor];
        uint256 minStakePerGpu = registry.minStakePerGpu();
        if (bonded < minStakePerGpu * p.listedGpus) return (false, 0);
        for (uint256 i = 0; i < _models.length; ++i) {
            model = _model(modelSeed % _models.length + i);
            IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, model);
            if (line.count > line.leased) {
                eligible = true;
                break;
            }
        }
        if (!eligible) {
            if (bonded < minStakePerGpu * (uint256(p.listedGpus) + 1)) return (false, 0);
            model = _model(modelSeed);
            IProviderRegistry.GpuLine memory line = registry.gpuLineOf(actor, model);
            vm.prank(actor);
            registry.setGpuLine(model, line.count + 1, line.count == 0 ? 80 : line.vramGb, 8_260);
            eligible = true;
        }
        if (!p.online) {
            vm.prank(actor);
            registry.setOnline(true);
        }
    }

    function _setTime(uint256 timestamp) internal {
        currentTime = timestamp;
        vm.warp(timestamp);
    }

    function _ghostLock(address actor, uint256 lockId) internal view returns (uint256) {
        return ghost_lockedIn[actor][lockId] - ghost_unlockedFrom[actor][lockId] - ghost_slashedFrom[actor][lockId];
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    function _lockId(uint256 seed) internal view returns (uint256) {
        return _lockIds[seed % _lockIds.length];
    }

    function _model(uint256 seed) internal view returns (bytes32) {
        return _models[seed % _models.length];
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }
}
