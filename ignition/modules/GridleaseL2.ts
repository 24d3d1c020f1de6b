import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { deployGridleaseL2 } from "./Gridlease.ts";

/**
 * The protocol on an L2: as `Gridlease`, with the same required parameters (`grlUsdFeed`, `stablecoin`,
 * `treasury`, `arbiter`, `guardian`) and optional ones, plus `sequencerUptimeFeed` (required: Chainlink's
 * L2 sequencer uptime feed for the chain) and `sequencerGracePeriod` (optional, seconds, default one
 * hour). The settlement and the market read the GRL/USD price through a SequencerGuardedOracle around the
 * Chainlink adapter, so new jobs, credit purchases and earnings withdrawals wait while the sequencer is
 * down and for the grace period after it comes back. See ignition/parameters/example-l2.json.
 */
export default buildModule("GridleaseL2", (m) => {
  const feed = m.getParameter<string>("grlUsdFeed");
  const stablecoin = m.getParameter<string>("stablecoin");
  const roles = {
    treasury: m.getParameter<string>("treasury"),
    arbiter: m.getParameter<string>("arbiter"),
    guardian: m.getParameter<string>("guardian"),
  };
  return deployGridleaseL2(m, feed, stablecoin, roles, m.getParameter<string>("sequencerUptimeFeed"));
});
