// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title BmeMath
/// @notice Pure arithmetic of the burn-mint equilibrium. Every conversion rounds once, down, in the
/// protocol's favour: a buyer gets at most the credits its GRL is worth, an earner at most the GRL its
/// dollars are worth, a provider at most its share of an emission budget.
/// @dev Prices are USD per GRL with 18 decimals; USD amounts (credits, earnings) have 18 decimals.
library BmeMath {
    /// @notice Basis points in a whole.
    uint256 internal constant BPS = 10_000;

    /// @notice 1e18: one whole GRL or dollar in base units.
    uint256 internal constant WAD = 1e18;

    /// @notice USD value of `grlAmount` GRL at `price`, rounded down.
    function usdValue(uint256 grlAmount, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(grlAmount, price, WAD);
    }

    /// @notice Credits for burning `grlAmount` GRL at `price` less `spreadBps`: one rounding, down.
    /// @dev price x (BPS - spread) < 2^256 for any price an oracle can return (bounded well below 2^200).
    function creditsFor(uint256 grlAmount, uint256 price, uint256 spreadBps) internal pure returns (uint256) {
        return Math.mulDiv(grlAmount, price * (BPS - spreadBps), WAD * BPS);
    }

    /// @notice GRL worth `usdAmount` at `price`, rounded down.
    function grlFor(uint256 usdAmount, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(usdAmount, WAD, price);
    }

    /// @notice `budget` x `share` / `total`, rounded down; 0 when `total` is 0.
    function proRata(uint256 budget, uint256 share, uint256 total) internal pure returns (uint256) {
        if (total == 0) return 0;
        return Math.mulDiv(budget, share, total);
    }

    /// @notice How much of a queue ticket at [`start`, `start` + `amount`) the queue's front at `head`
    /// has reached.
    function reached(uint256 start, uint256 amount, uint256 head) internal pure returns (uint256) {
        if (head <= start) return 0;
        return Math.min(head - start, amount);
    }
}
