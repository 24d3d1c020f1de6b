// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockStablecoin
/// @notice A dollar stablecoin stand-in for local networks and tests (USDC-like: 6 decimals by default,
/// EIP-2612 permits) with an open faucet. Never deployed to a public network.
contract MockStablecoin is ERC20, ERC20Permit {
    uint8 private immutable _DECIMALS;

    constructor(string memory name, string memory symbol, uint8 tokenDecimals) ERC20(name, symbol) ERC20Permit(name) {
        _DECIMALS = tokenDecimals;
    }

    /// @notice Faucet: mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function decimals() public view override returns (uint8) {
        return _DECIMALS;
    }
}
