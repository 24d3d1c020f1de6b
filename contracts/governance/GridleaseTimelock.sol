// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title GridleaseTimelock
/// @notice OpenZeppelin's TimelockController under a name of its own, so deployments and artifacts
/// refer to it directly. It holds every admin and parameter role of the protocol; the governor is its
/// proposer and canceller, and anyone may execute a queued operation once its delay has passed.
contract GridleaseTimelock is TimelockController {
    /// @param minDelay Seconds between queueing and execution.
    /// @param proposers Accounts allowed to queue (the governor).
    /// @param executors Accounts allowed to execute; address(0) lets anyone.
    /// @param admin Optional bootstrap admin (address(0) for none), to renounce after setup.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
