// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IGridleaseToken
/// @notice GRL, the Gridlease protocol token: staked by providers as collateral, burned by renters for
/// USD credits and minted against providers' dollar earnings (burn-mint equilibrium). It also carries
/// governance votes (ERC20Votes, timestamp clock) and EIP-2612 permits for script-only renters.
/// @dev Supply conservation holds at all times: totalSupply() == INITIAL_SUPPLY() + totalMinted() - totalBurned().
interface IGridleaseToken is IERC20 {
    /// @notice Thrown when the token is deployed with the zero address as treasury or admin.
    /// @param role Which constructor argument was zero ("treasury" or "admin").
    error TokenZeroAddress(string role);

    /// @notice Thrown when a mint of zero tokens is requested.
    error TokenZeroAmount();

    /// @notice Emitted when MINTER_ROLE mints new GRL (settlement paying dollar earnings or emissions).
    /// @param minter The account holding MINTER_ROLE that minted.
    /// @param to The recipient of the new tokens.
    /// @param amount Tokens minted, in wei.
    /// @param totalMinted Cumulative tokens minted since deployment, after this mint.
    event TokensMinted(address indexed minter, address indexed to, uint256 amount, uint256 totalMinted);

    /// @notice Emitted whenever tokens are burned (by their holder or through an allowance).
    /// @param from The account whose tokens were destroyed.
    /// @param amount Tokens burned, in wei.
    /// @param totalBurned Cumulative tokens burned since deployment, after this burn.
    event TokensBurned(address indexed from, uint256 amount, uint256 totalBurned);

    /// @notice The role allowed to mint; granted to the settlement contract only.
    function MINTER_ROLE() external view returns (bytes32);

    /// @notice The supply minted to the treasury at deployment.
    function INITIAL_SUPPLY() external view returns (uint256);

    /// @notice Cumulative GRL minted after deployment (the initial supply excluded).
    function totalMinted() external view returns (uint256);

    /// @notice Cumulative GRL burned since deployment.
    function totalBurned() external view returns (uint256);

    /// @notice Mints `amount` GRL to `to`. Only MINTER_ROLE.
    /// @param to Recipient of the new tokens.
    /// @param amount Tokens to mint, in wei; must be non-zero.
    function mint(address to, uint256 amount) external;

    /// @notice Destroys `amount` of the caller's tokens.
    function burn(uint256 amount) external;

    /// @notice Destroys `amount` of `account`'s tokens, spending the caller's allowance.
    function burnFrom(address account, uint256 amount) external;
}
