// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice Test token that, on every transfer, calls back into a target with preset calldata, to prove
/// that re-entering a protected contract fails. It records the outcome instead of bubbling it up.
contract ReentrantToken is ERC20 {
    address public reentryTarget;
    bytes public payload;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryError;

    constructor() ERC20("Reentrant USD", "RUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Arms the hook: the next transfer calls `target` with `data` once.
    function arm(address newTarget, bytes calldata data) external {
        reentryTarget = newTarget;
        payload = data;
        attempted = false;
        reentrySucceeded = false;
        delete reentryError;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = reentryTarget;
        if (t != address(0) && from != address(0) && !attempted) {
            attempted = true;
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory err) = t.call(payload);
            reentrySucceeded = ok;
            reentryError = err;
        }
    }
}
