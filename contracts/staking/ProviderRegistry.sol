// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IGridleaseToken} from "../interfaces/IGridleaseToken.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ReputationMath} from "../libraries/ReputationMath.sol";

/// @title ProviderRegistry
/// @notice Provider staking, inventory and reputation for Gridlease. See {IProviderRegistry}.
/// @dev Every operation is O(1): inventory lines live in a mapping keyed by GPU model, and unbonding is a
/// single position per provider, so no loop depends on anything a user controls.
contract ProviderRegistry is IProviderRegistry, AccessControl, ReentrancyGuardTransient {
    using SafeCast for uint256;
    using SafeERC20 for IGridleaseToken;

    /// @notice May lock, unlock and slash collateral, lease GPUs and record job outcomes (the job market).
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");

    /// @notice May change the registry's parameters within their hard bounds (the timelock).
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");

    /// @notice Longest accepted metadata URI, in bytes.
    uint256 public constant MAX_METADATA_URI_LENGTH = 256;

    /// @notice Hard bounds on {minStakePerGpu}.
    uint256 public constant MIN_STAKE_PER_GPU_FLOOR = 1e18;
    uint256 public constant MIN_STAKE_PER_GPU_CEILING = 1_000_000e18;

    /// @notice Hard bounds on {unbondingPeriod}. The floor exceeds the job market's longest challenge
    /// window plus dispute timeout (3 + 3 days), so stake cannot leave before a job it backed is final.
    uint64 public constant UNBONDING_PERIOD_FLOOR = 7 days;
    uint64 public constant UNBONDING_PERIOD_CEILING = 90 days;

    /// @notice Hard bounds on {reputationReferenceValue}, in USD with 18 decimals ($1 to $1,000,000).
    uint256 public constant REPUTATION_REFERENCE_VALUE_FLOOR = 1e18;
    uint256 public constant REPUTATION_REFERENCE_VALUE_CEILING = 1_000_000e18;

    /// @notice {reputationReferenceValue} at deployment: $100 (governance may change it).
    uint256 public constant DEFAULT_REPUTATION_REFERENCE_VALUE = 100e18;

    /// @notice The GRL token staked here.
    IGridleaseToken public immutable STAKE_TOKEN;

    /// @inheritdoc IProviderRegistry
    uint256 public minStakePerGpu;

    /// @inheritdoc IProviderRegistry
    uint64 public unbondingPeriod;

    /// @inheritdoc IProviderRegistry
    uint256 public reputationReferenceValue;

    mapping(address provider => Provider) private _providers;
    mapping(address provider => mapping(bytes32 model => GpuLine)) private _gpuLines;

    /// @param stakeToken The GRL token.
    /// @param admin Receives DEFAULT_ADMIN_ROLE and GOVERNANCE_ROLE (the timelock in production).
    /// @param initialMinStakePerGpu Initial {minStakePerGpu} (PROTOCOL.md default: 200 GRL).
    /// @param initialUnbondingPeriod Initial {unbondingPeriod} (PROTOCOL.md default: 7 days).
    /// @dev {reputationReferenceValue} starts at DEFAULT_REPUTATION_REFERENCE_VALUE ($100).
    constructor(
        IGridleaseToken stakeToken,
        address admin,
        uint256 initialMinStakePerGpu,
        uint64 initialUnbondingPeriod
    ) {
        if (address(stakeToken) == address(0)) revert RegistryZeroAddress("stakeToken");
        if (admin == address(0)) revert RegistryZeroAddress("admin");
        STAKE_TOKEN = stakeToken;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _setMinStakePerGpu(initialMinStakePerGpu);
        _setUnbondingPeriod(initialUnbondingPeriod);
        _setReputationReferenceValue(DEFAULT_REPUTATION_REFERENCE_VALUE);
    }

    // ------------------------------------------------------------------------------------------------
    // Provider actions
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IProviderRegistry
    function register(string calldata metadataURI, uint16 region) external nonReentrant {
        Provider storage p = _providers[msg.sender];
        if (p.registered) revert RegistryAlreadyRegistered(msg.sender);
        _checkMetadata(metadataURI);
        p.registered = true;
        p.reputation = ReputationMath.INITIAL_SCORE;
        p.region = region;
        emit ProviderRegistered(msg.sender, metadataURI, region, ReputationMath.INITIAL_SCORE);
    }

    /// @inheritdoc IProviderRegistry
    function updateProfile(string calldata metadataURI, uint16 region) external nonReentrant {
        Provider storage p = _registered(msg.sender);
        _checkMetadata(metadataURI);
        p.region = region;
        emit ProviderProfileUpdated(msg.sender, metadataURI, region);
    }

    /// @inheritdoc IProviderRegistry
    function setGpuLine(bytes32 model, uint32 count, uint32 vramGb, uint32 tflopsX100) external nonReentrant {
        Provider storage p = _registered(msg.sender);
        if (model == bytes32(0)) revert RegistryZeroGpuModel();
        if (count == 0) revert RegistryZeroGpuCount(model);
        if (vramGb == 0) revert RegistryZeroVram(model);
        GpuLine storage line = _gpuLines[msg.sender][model];
        if (count < line.leased) revert RegistryGpusLeased(model, line.leased, count);

        // listedGpus >= line.count always holds, so the subtraction cannot underflow; the addition
        // is checked (a uint32 overflow reverts).
        uint32 listed = p.listedGpus - line.count + count;
        if (count > line.count) _requireStakeFor(listed, p.freeStake + p.lockedStake);

        p.listedGpus = listed;
        line.count = count;
        line.vramGb = vramGb;
        line.tflopsX100 = tflopsX100;
        emit GpuLineSet(msg.sender, model, count, vramGb, tflopsX100, listed);
    }

    /// @inheritdoc IProviderRegistry
    function removeGpuLine(bytes32 model) external nonReentrant {
        Provider storage p = _registered(msg.sender);
        GpuLine storage line = _gpuLines[msg.sender][model];
        uint32 count = line.count;
        if (count == 0) revert RegistryGpuModelNotListed(msg.sender, model);
        if (line.leased != 0) revert RegistryGpusLeased(model, line.leased, 0);

        uint32 listed = p.listedGpus - count;
        p.listedGpus = listed;
        delete _gpuLines[msg.sender][model];
        emit GpuLineRemoved(msg.sender, model, count, listed);
        if (listed == 0 && p.online) {
            p.online = false;
            emit ProviderAvailabilityChanged(msg.sender, false, 0);
        }
    }

    /// @inheritdoc IProviderRegistry
    function setOnline(bool online) external nonReentrant {
        Provider storage p = _registered(msg.sender);
        if (p.online == online) revert RegistryAvailabilityUnchanged(online);
        if (online) {
            if (p.listedGpus == 0) revert RegistryNoGpusListed(msg.sender);
            _requireStakeFor(p.listedGpus, p.freeStake + p.lockedStake);
        }
        p.online = online;
        emit ProviderAvailabilityChanged(msg.sender, online, p.listedGpus);
    }

    /// @inheritdoc IProviderRegistry
    function stake(uint256 amount) external nonReentrant {
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        // A permit can be front-run by anyone who saw it in the mempool; the allowance it set is then
        // already in place, so a failed permit is not an error by itself (OpenZeppelin's IERC20Permit advice).
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(STAKE_TOKEN)).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
        // solhint-disable-next-line no-empty-blocks
        catch {}
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnbond(uint256 amount) external nonReentrant {
        Provider storage p = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        uint256 freeStake = p.freeStake;
        if (amount > freeStake) revert RegistryUnbondExceedsFree(amount, freeStake);
        // Safe: amount <= freeStake.
        unchecked {
            freeStake -= amount;
        }
        _requireStakeFor(p.listedGpus, freeStake + p.lockedStake);

        uint256 unbonding = p.unbondingStake + amount;
        // Safe as uint40: the period is at most 90 days, so this overflows only in the year 36,812.
        uint40 unlocksAt = uint40(block.timestamp + unbondingPeriod);
        // A shorter period set by governance since the last request must not release earlier stake sooner.
        if (unlocksAt < p.unbondingUnlocksAt) unlocksAt = p.unbondingUnlocksAt;
        p.freeStake = uint128(freeStake);
        p.unbondingStake = unbonding.toUint128();
        p.unbondingUnlocksAt = unlocksAt;
        emit UnbondingRequested(msg.sender, amount, freeStake, unbonding, unlocksAt);
    }

    /// @inheritdoc IProviderRegistry
    function cancelUnbond() external nonReentrant {
        Provider storage p = _registered(msg.sender);
        uint256 amount = p.unbondingStake;
        if (amount == 0) revert RegistryNothingUnbonding(msg.sender);
        uint256 freeStake = p.freeStake + amount;
        p.freeStake = freeStake.toUint128();
        p.unbondingStake = 0;
        p.unbondingUnlocksAt = 0;
        emit UnbondingCancelled(msg.sender, amount, freeStake);
    }

    /// @inheritdoc IProviderRegistry
    function withdraw() external nonReentrant returns (uint256 amount) {
        Provider storage p = _registered(msg.sender);
        amount = p.unbondingStake;
        if (amount == 0) revert RegistryNothingUnbonding(msg.sender);
        uint64 unlocksAt = p.unbondingUnlocksAt;
        if (block.timestamp < unlocksAt) revert RegistryUnbondingLocked(unlocksAt, block.timestamp);
        p.unbondingStake = 0;
        p.unbondingUnlocksAt = 0;
        emit StakeWithdrawn(msg.sender, amount);
        STAKE_TOKEN.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------------------------------------
    // Market actions
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IProviderRegistry
    function lockIfEligible(
        address provider,
        uint256 lockId,
        uint256 amount,
        bytes32 model,
        uint32 gpuCount,
        uint32 minVramGb,
        uint16 region,
        uint16 minReputation
    ) external onlyRole(MARKET_ROLE) nonReentrant {
        Provider storage p = _requireEligible(provider, model, gpuCount, minVramGb, region, minReputation);
        if (amount != 0) _lock(p, provider, lockId, amount);
    }

    /// @inheritdoc IProviderRegistry
    function unlockCollateral(address provider, uint256 lockId, uint256 amount)
        external
        onlyRole(MARKET_ROLE)
        nonReentrant
    {
        Provider storage p = _registered(provider);
        if (amount == 0) revert RegistryZeroAmount();
        _unlock(p, provider, lockId, amount);
    }

    /// @inheritdoc IProviderRegistry
    function unlockAndRecordSuccess(address provider, uint256 lockId, uint256 amount, uint256 jobValueUsd)
        external
        onlyRole(MARKET_ROLE)
        nonReentrant
        returns (uint16 reputation)
    {
        Provider storage p = _registered(provider);
        if (amount != 0) _unlock(p, provider, lockId, amount);
        reputation = _recordSuccess(p, provider, ReputationMath.weightOf(jobValueUsd, reputationReferenceValue));
    }

    /// @inheritdoc IProviderRegistry
    function slash(address provider, uint256 lockId, uint256 toRecipient, address recipient, uint256 toBurn)
        external
        onlyRole(MARKET_ROLE)
        nonReentrant
    {
        Provider storage p = _registered(provider);
        uint256 total = toRecipient + toBurn;
        if (total == 0) revert RegistryZeroAmount();
        if (toRecipient != 0 && (recipient == address(0) || recipient == address(this))) {
            revert RegistryInvalidSlashRecipient(recipient);
        }
        uint256 lockedStake = _debitLocked(p, provider, total);
        emit ProviderSlashed(provider, lockId, recipient, toRecipient, toBurn, lockedStake);
        if (toRecipient != 0) STAKE_TOKEN.safeTransfer(recipient, toRecipient);
        if (toBurn != 0) STAKE_TOKEN.burn(toBurn);
    }

    /// @inheritdoc IProviderRegistry
    function leaseGpus(address provider, bytes32 model, uint32 count) external onlyRole(MARKET_ROLE) nonReentrant {
        _registered(provider);
        if (count == 0) revert RegistryZeroGpuCount(model);
        GpuLine storage line = _gpuLines[provider][model];
        if (line.count == 0) revert RegistryGpuModelNotListed(provider, model);
        // Safe: leased <= count is an invariant of every write to the line.
        uint32 available;
        unchecked {
            available = line.count - line.leased;
        }
        if (count > available) revert RegistryInsufficientGpus(model, available, count);
        uint32 leased = line.leased + count;
        line.leased = leased;
        emit GpusLeased(provider, model, count, leased);
    }

    /// @inheritdoc IProviderRegistry
    function releaseGpus(address provider, bytes32 model, uint32 count) external onlyRole(MARKET_ROLE) nonReentrant {
        _registered(provider);
        if (count == 0) revert RegistryZeroGpuCount(model);
        GpuLine storage line = _gpuLines[provider][model];
        if (line.count == 0) revert RegistryGpuModelNotListed(provider, model);
        uint32 leased = line.leased;
        if (count > leased) revert RegistryReleaseExceedsLeased(model, leased, count);
        // Safe: count <= leased.
        unchecked {
            leased -= count;
        }
        line.leased = leased;
        emit GpusReleased(provider, model, count, leased);
    }

    /// @inheritdoc IProviderRegistry
    function recordFault(address provider) external onlyRole(MARKET_ROLE) nonReentrant returns (uint16 reputation) {
        Provider storage p = _registered(provider);
        uint16 previous = p.reputation;
        reputation = ReputationMath.afterFault(previous);
        p.reputation = reputation;
        emit ReputationUpdated(provider, previous, reputation, false);
    }

    // ------------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IProviderRegistry
    function setMinStakePerGpu(uint256 newMinStakePerGpu) external onlyRole(GOVERNANCE_ROLE) {
        _setMinStakePerGpu(newMinStakePerGpu);
    }

    /// @inheritdoc IProviderRegistry
    function setUnbondingPeriod(uint64 newUnbondingPeriod) external onlyRole(GOVERNANCE_ROLE) {
        _setUnbondingPeriod(newUnbondingPeriod);
    }

    /// @inheritdoc IProviderRegistry
    function setReputationReferenceValue(uint256 newReputationReferenceValue) external onlyRole(GOVERNANCE_ROLE) {
        _setReputationReferenceValue(newReputationReferenceValue);
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IProviderRegistry
    function providerOf(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function gpuLineOf(address provider, bytes32 model) external view returns (GpuLine memory) {
        return _gpuLines[provider][model];
    }

    /// @inheritdoc IProviderRegistry
    function requiredStakeOf(address provider) external view returns (uint256) {
        return minStakePerGpu * _providers[provider].listedGpus;
    }

    /// @inheritdoc IProviderRegistry
    function requireEligible(
        address provider,
        bytes32 model,
        uint32 gpuCount,
        uint32 minVramGb,
        uint16 region,
        uint16 minReputation
    ) external view {
        _requireEligible(provider, model, gpuCount, minVramGb, region, minReputation);
    }

    /// @inheritdoc IProviderRegistry
    function requireQualified(address provider, bytes32 model, uint32 minVramGb, uint16 region, uint16 minReputation)
        external
        view
    {
        _requireQualified(provider, model, minVramGb, region, minReputation);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    function _lock(Provider storage p, address provider, uint256 lockId, uint256 amount) private {
        uint256 freeStake = p.freeStake;
        if (amount > freeStake) revert RegistryLockExceedsFree(amount, freeStake);
        uint256 lockedStake;
        // Safe: amount <= freeStake; lockedStake + amount <= total stake held, which fits in uint128.
        unchecked {
            freeStake -= amount;
            lockedStake = p.lockedStake + amount;
        }
        p.freeStake = uint128(freeStake);
        p.lockedStake = uint128(lockedStake);
        emit CollateralLocked(provider, lockId, amount, lockedStake, freeStake);
    }

    function _unlock(Provider storage p, address provider, uint256 lockId, uint256 amount) private {
        uint256 lockedStake = _debitLocked(p, provider, amount);
        // Safe: free + locked fits in uint128, and `amount` just left the locked stake.
        uint256 freeStake;
        unchecked {
            freeStake = p.freeStake + amount;
        }
        p.freeStake = uint128(freeStake);
        emit CollateralUnlocked(provider, lockId, amount, lockedStake, freeStake);
    }

    function _recordSuccess(Provider storage p, address provider, uint16 weightBps)
        private
        returns (uint16 reputation)
    {
        uint16 previous = p.reputation;
        reputation = ReputationMath.afterSuccess(previous, weightBps);
        p.reputation = reputation;
        emit ReputationUpdated(provider, previous, reputation, true);
    }

    function _requireEligible(
        address provider,
        bytes32 model,
        uint32 gpuCount,
        uint32 minVramGb,
        uint16 region,
        uint16 minReputation
    ) private view returns (Provider storage p) {
        GpuLine storage line;
        (p, line) = _requireQualified(provider, model, minVramGb, region, minReputation);
        uint32 available = line.count - line.leased;
        if (gpuCount > available) revert RegistryInsufficientGpus(model, available, gpuCount);
    }

    function _requireQualified(
        address provider,
        bytes32 model,
        uint32 minVramGb,
        uint16 region,
        uint16 minReputation
    ) private view returns (Provider storage p, GpuLine storage line) {
        p = _registered(provider);
        if (!p.online) revert RegistryProviderOffline(provider);
        _requireStakeFor(p.listedGpus, p.freeStake + p.lockedStake);
        if (region != 0 && p.region != region) revert RegistryRegionMismatch(p.region, region);
        if (p.reputation < minReputation) revert RegistryReputationTooLow(p.reputation, minReputation);
        line = _gpuLines[provider][model];
        if (line.count == 0) revert RegistryGpuModelNotListed(provider, model);
        if (line.vramGb < minVramGb) revert RegistryVramTooLow(model, line.vramGb, minVramGb);
    }

    function _stake(uint256 amount) private {
        Provider storage p = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        // Bounding the provider's whole stake here keeps every later move between buckets (done
        // unchecked in uint128) free of overflow: those moves never change the total.
        uint256 total = uint256(p.freeStake) + p.lockedStake + p.unbondingStake + amount;
        if (total > type(uint128).max) revert RegistryStakeOverflow(total);
        uint256 freeStake = p.freeStake + amount;
        p.freeStake = uint128(freeStake);
        emit Staked(msg.sender, amount, freeStake);
        // GRL has no transfer fee, so the registry receives exactly `amount`.
        STAKE_TOKEN.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Takes `amount` out of the provider's locked stake; returns what stays locked. Each job's share of the
    /// locked stake is the market's to keep ({IJobMarket-lockOf}); the registry bounds a release or a slash by
    /// the provider's whole locked stake, so the market can never reach its free or unbonding stake.
    function _debitLocked(Provider storage p, address provider, uint256 amount) private returns (uint256 lockedStake) {
        lockedStake = p.lockedStake;
        if (amount > lockedStake) revert RegistryExceedsLocked(provider, amount, lockedStake);
        // Safe: amount <= lockedStake.
        unchecked {
            lockedStake -= amount;
        }
        p.lockedStake = uint128(lockedStake);
    }

    function _registered(address account) private view returns (Provider storage p) {
        p = _providers[account];
        if (!p.registered) revert RegistryNotProvider(account);
    }

    function _requireStakeFor(uint32 listedGpus, uint256 bonded) private view {
        uint256 required = minStakePerGpu * listedGpus;
        if (bonded < required) revert RegistryInsufficientStake(required, bonded);
    }

    function _checkMetadata(string calldata metadataURI) private pure {
        uint256 length = bytes(metadataURI).length;
        if (length > MAX_METADATA_URI_LENGTH) revert RegistryMetadataTooLong(length, MAX_METADATA_URI_LENGTH);
    }

    function _setMinStakePerGpu(uint256 value) private {
        if (value < MIN_STAKE_PER_GPU_FLOOR || value > MIN_STAKE_PER_GPU_CEILING) {
            revert RegistryParameterOutOfBounds(
                "minStakePerGpu", value, MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING
            );
        }
        uint256 previous = minStakePerGpu;
        minStakePerGpu = value;
        emit MinStakePerGpuSet(previous, value);
    }

    function _setUnbondingPeriod(uint64 value) private {
        if (value < UNBONDING_PERIOD_FLOOR || value > UNBONDING_PERIOD_CEILING) {
            revert RegistryParameterOutOfBounds(
                "unbondingPeriod", value, UNBONDING_PERIOD_FLOOR, UNBONDING_PERIOD_CEILING
            );
        }
        uint64 previous = unbondingPeriod;
        unbondingPeriod = value;
        emit UnbondingPeriodSet(previous, value);
    }

    function _setReputationReferenceValue(uint256 value) private {
        if (value < REPUTATION_REFERENCE_VALUE_FLOOR || value > REPUTATION_REFERENCE_VALUE_CEILING) {
            revert RegistryParameterOutOfBounds(
                "reputationReferenceValue", value, REPUTATION_REFERENCE_VALUE_FLOOR, REPUTATION_REFERENCE_VALUE_CEILING
            );
        }
        uint256 previous = reputationReferenceValue;
        reputationReferenceValue = value;
        emit ReputationReferenceValueSet(previous, value);
    }
}
