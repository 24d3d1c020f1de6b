import { id } from "ethers";

import { GRL_USD_ANSWER, SPREAD_BPS } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";

/** The roles of the protocol, hashed here rather than read from the contracts they are checked against. */
export const ROLE = {
  DEFAULT_ADMIN: "0x" + "00".repeat(32),
  GOVERNANCE: id("GOVERNANCE_ROLE"),
  MARKET: id("MARKET_ROLE"),
  ARBITER: id("ARBITER_ROLE"),
  GUARDIAN: id("GUARDIAN_ROLE"),
  MINTER: id("MINTER_ROLE"),
  PROPOSER: id("PROPOSER_ROLE"),
  CANCELLER: id("CANCELLER_ROLE"),
  EXECUTOR: id("EXECUTOR_ROLE"),
} as const;

/** ReentrancyGuardReentrantCall(), the error of OpenZeppelin's guard. */
export const REENTRANT_CALL = id("ReentrancyGuardReentrantCall()").slice(0, 10);

/** The GRL/USD price of the fixture's feed with 18 decimals: $0.50. */
export const PRICE_18 = GRL_USD_ANSWER * 10n ** 10n;

const BPS = 10_000n;

/** Credits for burning `grl` at `price18` less the spread, rounded down once (BmeMath.creditsFor). */
export function creditsFor(grl: bigint, price18: bigint = PRICE_18, spreadBps: bigint = SPREAD_BPS): bigint {
  return (grl * price18 * (BPS - spreadBps)) / (GRL * BPS);
}

/** GRL worth `usd` (18 decimals) at `price18`, rounded down (BmeMath.grlFor). */
export function grlFor(usd: bigint, price18: bigint = PRICE_18): bigint {
  return (usd * GRL) / price18;
}
