import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { deployGridlease } from "./Gridlease.js";

/**
 * The protocol on a local chain: a settable GRL/USD feed (`grlUsdAnswer`, 8 decimals, $0.50 by
 * default) and a 6-decimals USDC stand-in with an open faucet, then everything `Gridlease` deploys.
 */
export default buildModule("GridleaseLocal", (m) => {
  const feed = m.contract("MockAggregatorV3", [8, m.getParameter("grlUsdAnswer", 50_000_000n)]);
  const usdc = m.contract("MockStablecoin", ["USD Coin (local)", "USDC", 6]);
  return { ...deployGridlease(m, feed, usdc), feed, usdc };
});
