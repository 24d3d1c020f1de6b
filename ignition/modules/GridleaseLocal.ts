import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { deployGridlease } from "./Gridlease.ts";

/**
 * The protocol on a local chain: a settable GRL/USD feed (`grlUsdAnswer`, 8 decimals, $0.50 by
 * default) and a 6-decimals USDC stand-in with an open faucet, then everything `Gridlease` deploys;
 * `treasury`, `arbiter` and `guardian` are optional here and default to the deployer.
 */
export default buildModule("GridleaseLocal", (m) => {
  const feed = m.contract("MockAggregatorV3", [8, m.getParameter("grlUsdAnswer", 50_000_000n)]);
  const usdc = m.contract("MockStablecoin", ["USD Coin (local)", "USDC", 6]);
  // On a local chain the treasury, arbiter and guardian default to the deployer (account 0).
  const deployer = m.getAccount(0);
  const roles = {
    treasury: m.getParameter("treasury", deployer),
    arbiter: m.getParameter("arbiter", deployer),
    guardian: m.getParameter("guardian", deployer),
  };
  return { ...deployGridlease(m, feed, usdc, roles), feed, usdc };
});
