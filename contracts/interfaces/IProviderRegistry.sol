// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProviderRegistry
/// @notice Provider profiles, GPU inventory, GRL stake, unbonding, per-job collateral locks, slashing and
/// reputation for the Gridlease GPU market.
/// @dev Stake accounting per provider: every GRL wei the registry holds for a provider is in exactly one of
/// three buckets. `freeStake` can back new bids or be unbonded; `lockedStake` backs running work (bid bonds and
/// job collateral, one total per provider: each job's share is the market's to keep, see {IJobMarket-lockOf}) and
/// only the market can unlock or slash it; `unbondingStake` waits for
/// its unlock time and stays in the registry, under the protocol's custody, until the provider withdraws it.
/// Locked collateral can never be unbonded, so a pending slash cannot be escaped by unbonding.
/// Bonded stake (free + locked) must cover `minStakePerGpu` for every listed GPU.
interface IProviderRegistry {
    // ------------------------------------------------------------------------------------------------
    // Types
    // ------------------------------------------------------------------------------------------------

    /// @notice A provider's state. Packed into two storage slots: the stake buckets, then the rest, so an
    /// eligibility check (stake, online, region, reputation, listed GPUs) reads both and no more.
    /// @param freeStake GRL available for new bid bonds and collateral, or for unbonding.
    /// @param lockedStake GRL locked by the market across all of the provider's lock ids.
    /// @param unbondingStake GRL requested for withdrawal, withdrawable from `unbondingUnlocksAt`.
    /// @param unbondingUnlocksAt Timestamp from which `unbondingStake` can be withdrawn (0 if none); uint40
    /// (enough for 30,000 years) so the slot packs.
    /// @param reputation Score in [0, 10000]; 5000 at registration.
    /// @param region Region code chosen by the provider (0 = unspecified).
    /// @param registered Whether the account has registered as a provider.
    /// @param online Whether the provider accepts new jobs.
    /// @param listedGpus Total GPUs over all inventory lines.
    struct Provider {
        uint128 freeStake;
        uint128 lockedStake;
        uint128 unbondingStake;
        uint40 unbondingUnlocksAt;
        uint16 reputation;
        uint16 region;
        bool registered;
        bool online;
        uint32 listedGpus;
    }

    /// @notice One inventory line: the provider's GPUs of one model. Packed into one storage slot.
    /// @param count GPUs of this model listed.
    /// @param leased GPUs of this model currently leased to running jobs (at most `count`).
    /// @param vramGb Memory per GPU, in GB.
    /// @param tflopsX100 Benchmark throughput per GPU in hundredths of a TFLOPS (82.6 TFLOPS = 8260).
    struct GpuLine {
        uint32 count;
        uint32 leased;
        uint32 vramGb;
        uint32 tflopsX100;
    }

    // ------------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------------

    /// @notice A constructor argument that must be an address is zero.
    /// @param what Which argument ("stakeToken" or "admin").
    error RegistryZeroAddress(string what);

    /// @notice An amount that must be positive is zero.
    error RegistryZeroAmount();

    /// @notice The caller (or the named account) is not a registered provider.
    error RegistryNotProvider(address account);

    /// @notice The caller is already registered.
    error RegistryAlreadyRegistered(address provider);

    /// @notice The metadata URI is longer than MAX_METADATA_URI_LENGTH bytes.
    error RegistryMetadataTooLong(uint256 length, uint256 maxLength);

    /// @notice An inventory line names the zero GPU model id.
    error RegistryZeroGpuModel();

    /// @notice An inventory line lists zero GPUs (use removeGpuLine to delete a line).
    error RegistryZeroGpuCount(bytes32 model);

    /// @notice An inventory line declares zero VRAM.
    error RegistryZeroVram(bytes32 model);

    /// @notice The provider has no inventory line for `model`.
    error RegistryGpuModelNotListed(address provider, bytes32 model);

    /// @notice The inventory change would leave fewer GPUs than are leased to running jobs.
    /// @param model The GPU model.
    /// @param leased GPUs of the model currently leased.
    /// @param requestedCount The count the change asked for.
    error RegistryGpusLeased(bytes32 model, uint32 leased, uint32 requestedCount);

    /// @notice A provider without listed GPUs tried to go online.
    error RegistryNoGpusListed(address provider);

    /// @notice The provider is already in the requested availability state.
    error RegistryAvailabilityUnchanged(bool online);

    /// @notice Bonded stake (free + locked) would not cover the minimum stake for the listed GPUs.
    /// @param required minStakePerGpu x listed GPUs.
    /// @param bonded The bonded stake the operation would leave.
    error RegistryInsufficientStake(uint256 required, uint256 bonded);

    /// @notice An unbonding request exceeds the free stake.
    error RegistryUnbondExceedsFree(uint256 requested, uint256 freeStake);

    /// @notice There is no unbonding stake to withdraw or cancel.
    error RegistryNothingUnbonding(address provider);

    /// @notice The unbonding stake is not withdrawable before `unlocksAt`.
    error RegistryUnbondingLocked(uint64 unlocksAt, uint256 nowTimestamp);

    /// @notice The market asked to lock more than the provider's free stake.
    error RegistryLockExceedsFree(uint256 requested, uint256 freeStake);

    /// @notice The market asked to unlock or slash more than the provider's locked stake.
    error RegistryExceedsLocked(address provider, uint256 requested, uint256 lockedStake);

    /// @notice A slash sends a share to the zero address or to the registry itself (where it would be
    /// stranded outside every provider's stake).
    error RegistryInvalidSlashRecipient(address recipient);

    /// @notice A provider's total stake would not fit the registry's 128-bit accounting.
    error RegistryStakeOverflow(uint256 total);

    /// @notice The market asked to lease more GPUs of a model than are free, or with too little VRAM.
    error RegistryInsufficientGpus(bytes32 model, uint32 available, uint32 requested);

    /// @notice The market asked to release more GPUs than are leased.
    error RegistryReleaseExceedsLeased(bytes32 model, uint32 leased, uint32 requested);

    /// @notice The provider is offline.
    error RegistryProviderOffline(address provider);

    /// @notice The provider's GPUs of the model have less VRAM than required.
    error RegistryVramTooLow(bytes32 model, uint32 vramGb, uint32 minVramGb);

    /// @notice The provider is not in the required region.
    error RegistryRegionMismatch(uint16 region, uint16 requiredRegion);

    /// @notice The provider's reputation is below the required minimum.
    error RegistryReputationTooLow(uint16 reputation, uint16 minReputation);

    /// @notice A governance parameter is outside its hard bounds.
    error RegistryParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);

    // ------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------

    /// @notice A provider registered.
    event ProviderRegistered(address indexed provider, string metadataURI, uint16 region, uint16 reputation);

    /// @notice A provider changed its profile.
    event ProviderProfileUpdated(address indexed provider, string metadataURI, uint16 region);

    /// @notice An inventory line was added or changed.
    /// @param listedGpus The provider's total listed GPUs after the change.
    event GpuLineSet(
        address indexed provider,
        bytes32 indexed model,
        uint32 count,
        uint32 vramGb,
        uint32 tflopsX100,
        uint32 listedGpus
    );

    /// @notice An inventory line was removed.
    /// @param removedCount GPUs the line listed.
    /// @param listedGpus The provider's total listed GPUs after the removal.
    event GpuLineRemoved(address indexed provider, bytes32 indexed model, uint32 removedCount, uint32 listedGpus);

    /// @notice A provider went online or offline.
    /// @param listedGpus GPUs listed at the change, for availability (utilization) accounting.
    event ProviderAvailabilityChanged(address indexed provider, bool online, uint32 listedGpus);

    /// @notice GRL was added to a provider's free stake.
    event Staked(address indexed provider, uint256 amount, uint256 freeStake);

    /// @notice Free stake moved into unbonding.
    /// @param unbondingStake The provider's total unbonding stake after the request.
    /// @param unlocksAt When the whole unbonding stake becomes withdrawable.
    event UnbondingRequested(
        address indexed provider, uint256 amount, uint256 freeStake, uint256 unbondingStake, uint64 unlocksAt
    );

    /// @notice Unbonding stake returned to free stake.
    event UnbondingCancelled(address indexed provider, uint256 amount, uint256 freeStake);

    /// @notice Unbonded stake left the registry.
    event StakeWithdrawn(address indexed provider, uint256 amount);

    /// @notice The market locked free stake for `lockId` (a job id).
    /// @param lockedStake The provider's locked stake after the change (all its jobs together).
    event CollateralLocked(
        address indexed provider, uint256 indexed lockId, uint256 amount, uint256 lockedStake, uint256 freeStake
    );

    /// @notice The market released locked stake of `lockId` (a job id) back to free stake.
    /// @param lockedStake The provider's locked stake after the change (all its jobs together).
    event CollateralUnlocked(
        address indexed provider, uint256 indexed lockId, uint256 amount, uint256 lockedStake, uint256 freeStake
    );

    /// @notice The market slashed locked stake: `toRecipient` sent to `recipient`, `burned` destroyed.
    event ProviderSlashed(
        address indexed provider,
        uint256 indexed lockId,
        address indexed recipient,
        uint256 toRecipient,
        uint256 burned,
        uint256 lockedStake
    );

    /// @notice GPUs were leased to a running job.
    /// @param leased GPUs of the model leased after the change.
    event GpusLeased(address indexed provider, bytes32 indexed model, uint32 count, uint32 leased);

    /// @notice Leased GPUs were released.
    event GpusReleased(address indexed provider, bytes32 indexed model, uint32 count, uint32 leased);

    /// @notice A provider's reputation changed after a job outcome.
    event ReputationUpdated(address indexed provider, uint16 previous, uint16 current, bool success);

    /// @notice Governance changed the minimum stake per listed GPU.
    event MinStakePerGpuSet(uint256 previous, uint256 current);

    /// @notice Governance changed the unbonding period (applies to later unbonding requests).
    event UnbondingPeriodSet(uint64 previous, uint64 current);

    /// @notice Governance changed the job value that earns a full reputation step (applies to later
    /// successes), in USD with 18 decimals.
    event ReputationReferenceValueSet(uint256 previous, uint256 current);

    // ------------------------------------------------------------------------------------------------
    // Provider actions
    // ------------------------------------------------------------------------------------------------

    /// @notice Registers the caller as a provider, offline, with reputation 5000 and no stake.
    /// @param metadataURI Where the provider's off-chain profile lives (at most MAX_METADATA_URI_LENGTH bytes).
    /// @param region Region code (0 = unspecified).
    function register(string calldata metadataURI, uint16 region) external;

    /// @notice Replaces the caller's metadata URI and region.
    function updateProfile(string calldata metadataURI, uint16 region) external;

    /// @notice Adds or replaces the caller's inventory line for `model`.
    /// @dev Raising the listed total needs bonded stake for it; lowering a count below the leased GPUs reverts.
    /// @param model GPU model id (a short ASCII name as bytes32, e.g. "H100").
    /// @param count GPUs listed; non-zero.
    /// @param vramGb Memory per GPU in GB; non-zero.
    /// @param tflopsX100 Benchmark TFLOPS per GPU, times 100.
    function setGpuLine(bytes32 model, uint32 count, uint32 vramGb, uint32 tflopsX100) external;

    /// @notice Removes the caller's inventory line for `model`; none of its GPUs may be leased.
    /// @dev Removing the last line of an online provider takes it offline.
    function removeGpuLine(bytes32 model) external;

    /// @notice Takes the caller online (accepting new jobs) or offline. Running jobs are unaffected.
    /// @dev Going online needs listed GPUs and bonded stake covering them.
    function setOnline(bool online) external;

    /// @notice Adds `amount` GRL from the caller to its free stake (needs an allowance).
    function stake(uint256 amount) external;

    /// @notice Like {stake}, with an EIP-2612 permit instead of a prior approval (one transaction).
    /// @dev A permit that fails (for example front-run) is ignored; the transfer then needs an allowance.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Moves `amount` of free stake into unbonding. The whole unbonding stake unlocks one
    /// unbonding period from now (an earlier request's clock restarts), never earlier than it already did.
    function requestUnbond(uint256 amount) external;

    /// @notice Returns all of the caller's unbonding stake to free stake.
    function cancelUnbond() external;

    /// @notice Sends the caller's whole unbonding stake to it, from its unlock time on.
    /// @return amount GRL withdrawn.
    function withdraw() external returns (uint256 amount);

    // ------------------------------------------------------------------------------------------------
    // Market actions (MARKET_ROLE)
    // ------------------------------------------------------------------------------------------------

    /// @notice Releases `amount` of the provider's locked stake, held for job `lockId`, back to free stake.
    /// @dev Reverts with `RegistryExceedsLocked` if `amount` is above the provider's locked stake.
    function unlockCollateral(address provider, uint256 lockId, uint256 amount) external;

    /// @notice Checks that `provider` can serve a job of this shape, then moves `amount` of its free stake
    /// into its locked stake for job `lockId` (no lock, and no event, when `amount` is 0). Emits `CollateralLocked`.
    /// @dev For a bid or an instant accept, where the market checks and locks together. Reverts with the
    /// first reason the provider cannot serve the job, in {requireEligible}'s order, then with
    /// `RegistryLockExceedsFree` if `amount` is above the free stake.
    function lockIfEligible(
        address provider,
        uint256 lockId,
        uint256 amount,
        bytes32 model,
        uint32 gpuCount,
        uint32 minVramGb,
        uint16 region,
        uint16 minReputation
    ) external;

    /// @notice Records a job settled as delivered: releases `amount` held for job `lockId` back to free
    /// stake (nothing, and no event, when `amount` is 0), then raises the reputation by a step weighted by
    /// the job's value. Emits `CollateralUnlocked` (if any) then `ReputationUpdated`.
    /// @dev The weight is w = min(10000, jobValueUsd x 10000 / {reputationReferenceValue}), rounded down.
    /// A job worth the reference value or more takes a full step: reputation += ceil((10000 - reputation) / 10).
    /// A cheaper one: reputation += floor((10000 - reputation) x w / 100000), so a job worth less than a
    /// thousandth of the reference value never counts, and self-dealt dust jobs cannot farm reputation.
    /// Reverts with `RegistryExceedsLocked` if `amount` is above the provider's locked stake.
    /// @param provider The job's provider.
    /// @param lockId The job's id (for the record: it is emitted, not stored).
    /// @param amount GRL to release from the locked stake.
    /// @param jobValueUsd The job's value (escrow plus claimed pay) in USD with 18 decimals.
    /// @return reputation The new score.
    function unlockAndRecordSuccess(address provider, uint256 lockId, uint256 amount, uint256 jobValueUsd)
        external
        returns (uint16 reputation);

    /// @notice Slashes the provider's locked stake held for job `lockId`: `toRecipient` GRL to `recipient` and
    /// `toBurn` GRL burned.
    /// @dev The total is bounded by the provider's locked stake, so a slash never reaches free or unbonding
    /// stake; the market bounds it by the job's own share ({IJobMarket-lockOf}).
    function slash(address provider, uint256 lockId, uint256 toRecipient, address recipient, uint256 toBurn)
        external;

    /// @notice Marks `count` of the provider's GPUs of `model` as leased to a running job.
    function leaseGpus(address provider, bytes32 model, uint32 count) external;

    /// @notice Releases `count` leased GPUs of `model`.
    function releaseGpus(address provider, bytes32 model, uint32 count) external;

    /// @notice Records a fault: reputation = reputation * 2 / 3.
    /// @return reputation The new score.
    function recordFault(address provider) external returns (uint16 reputation);

    // ------------------------------------------------------------------------------------------------
    // Governance (GOVERNANCE_ROLE)
    // ------------------------------------------------------------------------------------------------

    /// @notice Sets the minimum bonded stake per listed GPU, within [MIN_STAKE_PER_GPU_FLOOR, MIN_STAKE_PER_GPU_CEILING].
    /// @dev Providers already below the new minimum stay registered but cannot pass eligibility or list more.
    function setMinStakePerGpu(uint256 minStakePerGpu) external;

    /// @notice Sets the unbonding period, within [UNBONDING_PERIOD_FLOOR, UNBONDING_PERIOD_CEILING].
    /// @dev Applies to later requests; stake already unbonding keeps its unlock time.
    function setUnbondingPeriod(uint64 unbondingPeriod) external;

    /// @notice Sets the job value that earns a full reputation step, in USD with 18 decimals, within
    /// [REPUTATION_REFERENCE_VALUE_FLOOR, REPUTATION_REFERENCE_VALUE_CEILING] ($1 to $1,000,000).
    /// @dev Applies to later successes; scores already earned are kept. Emits `ReputationReferenceValueSet`.
    function setReputationReferenceValue(uint256 reputationReferenceValue) external;

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @notice The provider's state (all zero if never registered).
    function providerOf(address provider) external view returns (Provider memory);

    /// @notice The provider's inventory line for `model` (all zero if not listed).
    function gpuLineOf(address provider, bytes32 model) external view returns (GpuLine memory);

    /// @notice Bonded stake the provider needs for its listed GPUs: minStakePerGpu x listedGpus.
    function requiredStakeOf(address provider) external view returns (uint256);

    /// @notice Reverts with the first reason the provider may not serve a job with these requirements, GPU
    /// availability aside: registered, online, bonded stake covers listed GPUs, region (0 = any), reputation,
    /// the model listed with enough VRAM. The market re-checks this at reveal and award, so a provider that
    /// went offline or fell below the job's minimum reputation after committing cannot win.
    function requireQualified(address provider, bytes32 model, uint32 minVramGb, uint16 region, uint16 minReputation)
        external
        view;

    /// @notice Reverts with the first reason the provider cannot serve a job of this shape, if any.
    /// @dev Checks: registered, online, bonded stake covers listed GPUs, region (0 = any), reputation,
    /// VRAM of the model's GPUs, and free (unleased) GPUs of the model. Free stake for bonds is checked
    /// when the market locks it.
    function requireEligible(
        address provider,
        bytes32 model,
        uint32 gpuCount,
        uint32 minVramGb,
        uint16 region,
        uint16 minReputation
    ) external view;

    /// @notice Minimum bonded stake per listed GPU, in GRL wei.
    function minStakePerGpu() external view returns (uint256);

    /// @notice Seconds between an unbonding request and its withdrawal.
    function unbondingPeriod() external view returns (uint64);

    /// @notice The job value that earns a full reputation step, in USD with 18 decimals ($100 at
    /// deployment). A success of value v weighs min(1, v / reputationReferenceValue).
    function reputationReferenceValue() external view returns (uint256);
}
