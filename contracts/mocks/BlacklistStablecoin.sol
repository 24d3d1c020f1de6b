// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlacklistStablecoin
/// @notice Test stablecoin that refuses transfers to or from blacklisted accounts (as USDC does).
contract BlacklistStablecoin is ERC20 {
    /// @notice A transfer touched a blacklisted account.
    error Blacklisted(address account);

    mapping(address account => bool) public blacklisted;

    constructor() ERC20("Blacklist USD", "BUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlacklisted(address account, bool value) external {
        blacklisted[account] = value;
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert Blacklisted(from);
        if (blacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}
