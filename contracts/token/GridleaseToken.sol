// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IGridleaseToken} from "../interfaces/IGridleaseToken.sol";

/// @title GridleaseToken (GRL)
/// @notice The Gridlease protocol token. See {IGridleaseToken}.
/// @dev The votes clock is the block timestamp (EIP-6372 "mode=timestamp") so governance periods
/// mean the same wall-clock time on every EVM chain, whatever its block time.
contract GridleaseToken is IGridleaseToken, ERC20, ERC20Burnable, ERC20Permit, ERC20Votes, AccessControl {
    /// @inheritdoc IGridleaseToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @inheritdoc IGridleaseToken
    uint256 public immutable INITIAL_SUPPLY;

    /// @inheritdoc IGridleaseToken
    uint256 public totalMinted;

    /// @inheritdoc IGridleaseToken
    uint256 public totalBurned;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (the timelock in production deployments).
    /// @param treasury Receives the whole initial supply.
    /// @param initialSupply Tokens minted to `treasury` at deployment, in wei.
    constructor(address admin, address treasury, uint256 initialSupply)
        ERC20("Gridlease", "GRL")
        ERC20Permit("Gridlease")
    {
        if (admin == address(0)) revert TokenZeroAddress("admin");
        if (treasury == address(0)) revert TokenZeroAddress("treasury");
        INITIAL_SUPPLY = initialSupply;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _mint(treasury, initialSupply);
    }

    /// @inheritdoc IGridleaseToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        if (amount == 0) revert TokenZeroAmount();
        _mint(to, amount);
    }

    /// @inheritdoc IGridleaseToken
    function burn(uint256 amount) public override(IGridleaseToken, ERC20Burnable) {
        super.burn(amount);
    }

    /// @inheritdoc IGridleaseToken
    function burnFrom(address account, uint256 amount) public override(IGridleaseToken, ERC20Burnable) {
        super.burnFrom(account, amount);
    }

    /// @notice EIP-6372 clock: the block timestamp.
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice EIP-6372 clock mode, matching {clock}.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev Counts mints and burns so supply conservation can be checked on-chain and by indexers.
    /// A mint during construction (no code at this address yet) is the INITIAL_SUPPLY, not a later mint.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
        if (from == address(0)) {
            if (address(this).code.length == 0) return;
            uint256 minted = totalMinted + value;
            totalMinted = minted;
            emit TokensMinted(_msgSender(), to, value, minted);
        } else if (to == address(0)) {
            uint256 burned = totalBurned + value;
            totalBurned = burned;
            emit TokensBurned(from, value, burned);
        }
    }
}
