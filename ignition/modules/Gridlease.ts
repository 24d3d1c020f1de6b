import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const GRL = 10n ** 18n;

/**
 * Deploys the Gridlease protocol: the GRL token and the provider registry, with roles wired.
 *
 * Parameters (all optional; defaults are PROTOCOL.md's):
 * - `admin`: receives DEFAULT_ADMIN_ROLE on every contract and GOVERNANCE_ROLE on the registry
 *   (the deployer by default; the timelock once governance lands).
 * - `treasury`: receives the initial GRL supply (the deployer by default).
 * - `initialSupply`: GRL minted at deployment, in wei (1,000,000,000 GRL).
 * - `minStakePerGpu`: bonded GRL per listed GPU, in wei (200 GRL).
 * - `unbondingPeriod`: seconds between an unbonding request and its withdrawal (7 days).
 *
 * Later modules (market, settlement, governance) use this one with `m.useModule` and grant their
 * contracts MARKET_ROLE on the registry and MINTER_ROLE on the token.
 */
export default buildModule("Gridlease", (m) => {
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const treasury = m.getParameter("treasury", deployer);
  const initialSupply = m.getParameter("initialSupply", 1_000_000_000n * GRL);
  const minStakePerGpu = m.getParameter("minStakePerGpu", 200n * GRL);
  const unbondingPeriod = m.getParameter("unbondingPeriod", 7n * 24n * 60n * 60n);

  const token = m.contract("GridleaseToken", [admin, treasury, initialSupply]);
  const registry = m.contract("ProviderRegistry", [token, admin, minStakePerGpu, unbondingPeriod]);

  return { token, registry };
});
