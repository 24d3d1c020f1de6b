import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModuleBuilder, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";
import { id } from "ethers";

/** An address the module deploys (a contract future) or takes as a parameter. */
type AddressInput = ContractFuture<string> | ModuleParameterRuntimeValue<string>;

const GRL = 10n ** 18n;
const HOUR = 3600n;
const DAY = 24n * HOUR;

/** PROTOCOL.md defaults for the market's governance parameters (IJobMarket.MarketParams). */
export const DEFAULT_MARKET_PARAMS = {
  feeBps: 250n,
  collateralBps: 3_000n,
  holdbackBps: 2_000n,
  slashToRenterBps: 5_000n,
  faultSlashBps: 5_000n,
  disputeBondBps: 500n,
  maxBids: 32n,
  bidBond: 50n * GRL,
  startWindow: HOUR,
  challengeWindow: DAY,
  disputeTimeout: 3n * DAY,
  deliveryGrace: HOUR,
};

/**
 * Deploys the protocol into module `m`, with roles wired:
 * GridleaseToken, ProviderRegistry, ChainlinkPriceOracle over `feed`, JobMarket (MARKET_ROLE on the
 * registry) and `stablecoin` allow-listed as a payment token.
 *
 * Parameters (all optional; defaults are PROTOCOL.md's):
 * - `admin`: DEFAULT_ADMIN_ROLE everywhere and the GOVERNANCE_ROLEs (the deployer by default; it must
 *   be the deployer for the wiring calls, and hands over to the timelock once governance lands).
 * - `treasury`: initial GRL supply and protocol fees (the deployer by default).
 * - `arbiter`: ARBITER_ROLE on the market (the deployer by default).
 * - `initialSupply`, `minStakePerGpu`, `unbondingPeriod`: GRL and registry settings.
 * - `oracleHeartbeat`, `oracleMinAnswer`, `oracleMaxAnswer`: checks on the GRL/USD feed, in feed units.
 * - `marketParams`: the market's first parameter set (see DEFAULT_MARKET_PARAMS).
 */
export function deployGridlease(m: IgnitionModuleBuilder, feed: AddressInput, stablecoin: AddressInput) {
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const treasury = m.getParameter("treasury", deployer);
  const arbiter = m.getParameter("arbiter", deployer);

  const token = m.contract("GridleaseToken", [admin, treasury, m.getParameter("initialSupply", 1_000_000_000n * GRL)]);
  const registry = m.contract("ProviderRegistry", [
    token,
    admin,
    m.getParameter("minStakePerGpu", 200n * GRL),
    m.getParameter("unbondingPeriod", 7n * DAY),
  ]);
  const oracle = m.contract("ChainlinkPriceOracle", [
    feed,
    m.getParameter("oracleHeartbeat", DAY),
    m.getParameter("oracleMinAnswer", 1_000_000n), // $0.01 with 8 decimals
    m.getParameter("oracleMaxAnswer", 1_000_000_000_000n), // $10,000 with 8 decimals
  ]);
  const market = m.contract("JobMarket", [
    registry,
    oracle,
    treasury,
    admin,
    arbiter,
    m.getParameter("marketParams", DEFAULT_MARKET_PARAMS),
  ]);

  m.call(registry, "grantRole", [id("MARKET_ROLE"), market], { id: "grantMarketRole" });
  m.call(market, "setPaymentToken", [stablecoin, true], { id: "allowStablecoin" });

  return { token, registry, oracle, market };
}

/**
 * The protocol on a public network: the GRL/USD Chainlink feed and the stablecoin (e.g. USDC) are
 * required parameters (`grlUsdFeed`, `stablecoin`). See ignition/parameters/example-public.json.
 */
export default buildModule("Gridlease", (m) => {
  const feed = m.getParameter<string>("grlUsdFeed");
  const stablecoin = m.getParameter<string>("stablecoin");
  return deployGridlease(m, feed, stablecoin);
});
