import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type {
  AccountRuntimeValue,
  ContractFuture,
  IgnitionModuleBuilder,
  ModuleParameterRuntimeValue,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";
import { id } from "ethers";

/** An address the module deploys (a contract future) or takes as a parameter. */
type AddressInput = ContractFuture<string> | ModuleParameterRuntimeValue<string>;

/** An account given a role: a required address parameter, or (locally) one defaulting to an account. */
type RoleInput = ModuleParameterRuntimeValue<string> | ModuleParameterRuntimeValue<AccountRuntimeValue>;

/** The accounts with power over the protocol (see deployGridlease). */
type Roles = { treasury: RoleInput; arbiter: RoleInput; guardian: RoleInput };

/** The Chainlink adapter every deployment starts from. */
type ChainlinkOracleFuture = NamedArtifactContractDeploymentFuture<"ChainlinkPriceOracle">;

const GRL = 10n ** 18n;
const HOUR = 3600n;
const DAY = 24n * HOUR;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** docs/PROTOCOL.md defaults for the market's governance parameters (IJobMarket.MarketParams). */
export const DEFAULT_MARKET_PARAMS = {
  feeBps: 250n,
  collateralBps: 3_000n,
  holdbackBps: 2_000n,
  slashToRenterBps: 5_000n,
  faultSlashBps: 5_000n,
  disputeBondBps: 500n,
  maxBids: 32n,
  bidBond: 50n * GRL,
  bidBondBps: 1_000n,
  startWindow: HOUR,
  challengeWindow: DAY,
  disputeTimeout: 3n * DAY,
  deliveryGrace: HOUR,
};

/**
 * Settlement defaults: 1-week epochs and a 25 bps purchase spread (docs/PROTOCOL.md); 1,000,000 GRL mintable
 * for earnings per epoch (0.1% of the genesis supply) and 250,000 GRL of emissions per epoch.
 */
export const DEFAULT_SETTLEMENT = {
  epochLength: 7n * DAY,
  spreadBps: 25n,
  mintCapPerEpoch: 1_000_000n * GRL,
  emissionBudgetPerEpoch: 250_000n * GRL,
};

/** Governance defaults (docs/PROTOCOL.md): timelock delay, voting delay and period (seconds), threshold, quorum. */
export const DEFAULT_GOVERNANCE = {
  timelockMinDelay: 2n * DAY,
  votingDelay: DAY,
  votingPeriod: 7n * DAY,
  proposalThreshold: 100_000n * GRL,
  quorumPercent: 4n,
};

/**
 * Seconds after an L2 sequencer comes back during which the guarded oracle still refuses prices:
 * Chainlink's suggested hour (SequencerGuardedOracle accepts 1 s to 1 day).
 */
export const DEFAULT_SEQUENCER_GRACE_PERIOD = HOUR;

/** The roles the deployer holds while it wires the protocol, and hands to the timelock. */
export const ROLES = {
  DEFAULT_ADMIN_ROLE: "0x0000000000000000000000000000000000000000000000000000000000000000",
  GOVERNANCE_ROLE: id("GOVERNANCE_ROLE"),
  MARKET_ROLE: id("MARKET_ROLE"),
  ARBITER_ROLE: id("ARBITER_ROLE"),
  GUARDIAN_ROLE: id("GUARDIAN_ROLE"),
  MINTER_ROLE: id("MINTER_ROLE"),
  PROPOSER_ROLE: id("PROPOSER_ROLE"),
  CANCELLER_ROLE: id("CANCELLER_ROLE"),
  EXECUTOR_ROLE: id("EXECUTOR_ROLE"),
} as const;

/**
 * Deploys the protocol into module `m`, wires it and hands it over to governance:
 * GridleaseToken, ProviderRegistry, ChainlinkPriceOracle over `feed`, Settlement (GRL's only
 * MINTER_ROLE), JobMarket (MARKET_ROLE on the registry and the settlement, `stablecoin` and the
 * settlement's USD credits allow-listed, GUARDIAN_ROLE on the market and the settlement to the guardian),
 * then GridleaseTimelock and GridleaseGovernor (GRL votes). The deployer is the bootstrap admin: it makes
 * the wiring calls, grants the timelock DEFAULT_ADMIN_ROLE everywhere and GOVERNANCE_ROLE on the
 * registry, the settlement and the market, makes the governor the timelock's proposer and canceller
 * (anyone executes), and then renounces every admin and governance role it held. From then on only a passed proposal, executed by the timelock, changes
 * parameters or roles.
 *
 * `roles` names the accounts with power: `treasury` (initial GRL supply, protocol fees and so, through the
 * votes of that supply, governance), `arbiter` (ARBITER_ROLE on the market) and `guardian` (GUARDIAN_ROLE
 * on the market and the settlement: may pause new jobs, bids and credit purchases). The public module
 * requires all three as parameters; only the local module defaults them to the deployer.
 *
 * Parameters (optional; defaults are docs/PROTOCOL.md's):
 * - `initialSupply`, `minStakePerGpu`, `unbondingPeriod`: GRL and registry settings.
 * - `oracleHeartbeat`, `oracleMinAnswer`, `oracleMaxAnswer`: checks on the GRL/USD feed, in feed units.
 * - `sequencerGracePeriod` (seconds, default DEFAULT_SEQUENCER_GRACE_PERIOD): deployGridleaseL2 only.
 * - `marketParams`: the market's first parameter set (see DEFAULT_MARKET_PARAMS).
 * - `epochLength`, `spreadBps`, `mintCapPerEpoch`, `emissionBudgetPerEpoch`: settlement settings (see
 *   DEFAULT_SETTLEMENT).
 * - `timelockMinDelay`, `votingDelay`, `votingPeriod` (seconds), `proposalThreshold` (GRL wei),
 *   `quorumPercent`: governance settings (see DEFAULT_GOVERNANCE).
 *
 * On an L2 use deployGridleaseL2 instead, which puts a sequencer guard in front of the adapter.
 */
export function deployGridlease(m: IgnitionModuleBuilder, feed: AddressInput, stablecoin: AddressInput, roles: Roles) {
  const useAdapter = (chainlinkOracle: ChainlinkOracleFuture) => chainlinkOracle;
  const { chainlinkOracle: _, ...deployed } = deployProtocol(m, feed, stablecoin, roles, useAdapter);
  return deployed;
}

/**
 * deployGridlease for an L2: a SequencerGuardedOracle over Chainlink's sequencer uptime feed
 * `sequencerUptimeFeed` is deployed around the Chainlink adapter, and the settlement and the market use it,
 * so no price is read while the sequencer is down or within the grace period after it comes back
 * (parameter `sequencerGracePeriod`, seconds, default DEFAULT_SEQUENCER_GRACE_PERIOD). The result's `oracle`
 * is the guard; `chainlinkOracle` is the adapter inside it.
 *
 * A separate function (and module, GridleaseL2) rather than a parameter defaulting to the zero address:
 * Ignition cannot branch on a parameter's value, so whether to deploy the guard is decided when the module
 * is built.
 */
export function deployGridleaseL2(
  m: IgnitionModuleBuilder,
  feed: AddressInput,
  stablecoin: AddressInput,
  roles: Roles,
  sequencerUptimeFeed: AddressInput,
) {
  return deployProtocol(m, feed, stablecoin, roles, (chainlinkOracle) =>
    m.contract("SequencerGuardedOracle", [
      chainlinkOracle,
      sequencerUptimeFeed,
      m.getParameter("sequencerGracePeriod", DEFAULT_SEQUENCER_GRACE_PERIOD),
    ]),
  );
}

/** Both deployments; `oracleOver` chooses the oracle the settlement and the market read, given the adapter. */
function deployProtocol<OracleT extends ContractFuture<string>>(
  m: IgnitionModuleBuilder,
  feed: AddressInput,
  stablecoin: AddressInput,
  roles: Roles,
  oracleOver: (chainlinkOracle: ChainlinkOracleFuture) => OracleT,
) {
  const deployer = m.getAccount(0);
  const { treasury, arbiter, guardian } = roles;

  const token = m.contract("GridleaseToken", [
    deployer,
    treasury,
    m.getParameter("initialSupply", 1_000_000_000n * GRL),
  ]);
  const registry = m.contract("ProviderRegistry", [
    token,
    deployer,
    m.getParameter("minStakePerGpu", 200n * GRL),
    m.getParameter("unbondingPeriod", 7n * DAY),
  ]);
  const chainlinkOracle = m.contract("ChainlinkPriceOracle", [
    feed,
    m.getParameter("oracleHeartbeat", DAY),
    m.getParameter("oracleMinAnswer", 1_000_000n), // $0.01 with 8 decimals
    m.getParameter("oracleMaxAnswer", 1_000_000_000_000n), // $10,000 with 8 decimals
  ]);
  const oracle = oracleOver(chainlinkOracle);
  const settlement = m.contract("Settlement", [
    token,
    oracle,
    deployer,
    m.getParameter("epochLength", DEFAULT_SETTLEMENT.epochLength),
    m.getParameter("spreadBps", DEFAULT_SETTLEMENT.spreadBps),
    m.getParameter("mintCapPerEpoch", DEFAULT_SETTLEMENT.mintCapPerEpoch),
    m.getParameter("emissionBudgetPerEpoch", DEFAULT_SETTLEMENT.emissionBudgetPerEpoch),
  ]);
  const market = m.contract("JobMarket", [
    registry,
    settlement,
    oracle,
    treasury,
    deployer,
    arbiter,
    m.getParameter("marketParams", DEFAULT_MARKET_PARAMS),
  ]);

  // Wiring, by the deployer as bootstrap admin.
  const wiring = [
    m.call(registry, "grantRole", [ROLES.MARKET_ROLE, market], { id: "grantMarketRole" }),
    m.call(market, "setPaymentToken", [stablecoin, true], { id: "allowStablecoin" }),
    m.call(market, "grantRole", [ROLES.GUARDIAN_ROLE, guardian], { id: "grantGuardianRole" }),
    m.call(token, "grantRole", [ROLES.MINTER_ROLE, settlement], { id: "grantMinterRole" }),
    m.call(settlement, "grantRole", [ROLES.MARKET_ROLE, market], { id: "grantSettlementMarketRole" }),
    m.call(settlement, "grantRole", [ROLES.GUARDIAN_ROLE, guardian], { id: "grantSettlementGuardianRole" }),
    m.call(market, "setPaymentToken", [settlement, true], { id: "allowCredits" }),
  ];

  // Governance. The timelock starts with the deployer as its admin so that it can make the governor
  // (deployed after it) proposer and canceller; anyone may execute a queued operation.
  const timelock = m.contract("GridleaseTimelock", [
    m.getParameter("timelockMinDelay", DEFAULT_GOVERNANCE.timelockMinDelay),
    [],
    [ZERO_ADDRESS],
    deployer,
  ]);
  const governor = m.contract("GridleaseGovernor", [
    token,
    timelock,
    m.getParameter("votingDelay", DEFAULT_GOVERNANCE.votingDelay),
    m.getParameter("votingPeriod", DEFAULT_GOVERNANCE.votingPeriod),
    m.getParameter("proposalThreshold", DEFAULT_GOVERNANCE.proposalThreshold),
    m.getParameter("quorumPercent", DEFAULT_GOVERNANCE.quorumPercent),
  ]);
  const handOver = [
    m.call(timelock, "grantRole", [ROLES.PROPOSER_ROLE, governor], { id: "timelockProposerGovernor" }),
    m.call(timelock, "grantRole", [ROLES.CANCELLER_ROLE, governor], { id: "timelockCancellerGovernor" }),
    m.call(token, "grantRole", [ROLES.DEFAULT_ADMIN_ROLE, timelock], { id: "tokenAdminTimelock" }),
    m.call(registry, "grantRole", [ROLES.DEFAULT_ADMIN_ROLE, timelock], { id: "registryAdminTimelock" }),
    m.call(registry, "grantRole", [ROLES.GOVERNANCE_ROLE, timelock], { id: "registryGovernanceTimelock" }),
    m.call(settlement, "grantRole", [ROLES.DEFAULT_ADMIN_ROLE, timelock], { id: "settlementAdminTimelock" }),
    m.call(settlement, "grantRole", [ROLES.GOVERNANCE_ROLE, timelock], { id: "settlementGovernanceTimelock" }),
    m.call(market, "grantRole", [ROLES.DEFAULT_ADMIN_ROLE, timelock], { id: "marketAdminTimelock" }),
    m.call(market, "grantRole", [ROLES.GOVERNANCE_ROLE, timelock], { id: "marketGovernanceTimelock" }),
  ];

  // Only once everything above ran does the deployer give up its roles (governance roles first, the
  // admin role last on each contract, though renouncing needs no admin).
  const after = [...wiring, ...handOver];
  const renounce = (
    contract: typeof market | typeof registry | typeof token | typeof timelock | typeof settlement,
    name: string,
    role: string,
  ) => m.call(contract, "renounceRole", [role, deployer], { id: `renounce${name}`, after });
  renounce(market, "MarketGovernance", ROLES.GOVERNANCE_ROLE);
  renounce(market, "MarketAdmin", ROLES.DEFAULT_ADMIN_ROLE);
  renounce(settlement, "SettlementGovernance", ROLES.GOVERNANCE_ROLE);
  renounce(settlement, "SettlementAdmin", ROLES.DEFAULT_ADMIN_ROLE);
  renounce(registry, "RegistryGovernance", ROLES.GOVERNANCE_ROLE);
  renounce(registry, "RegistryAdmin", ROLES.DEFAULT_ADMIN_ROLE);
  renounce(token, "TokenAdmin", ROLES.DEFAULT_ADMIN_ROLE);
  renounce(timelock, "TimelockAdmin", ROLES.DEFAULT_ADMIN_ROLE);

  return { token, registry, oracle, settlement, market, timelock, governor, chainlinkOracle };
}

/**
 * The protocol on a public network: the GRL/USD Chainlink feed, the stablecoin (e.g. USDC), the treasury,
 * the arbiter and the guardian are required parameters (`grlUsdFeed`, `stablecoin`, `treasury`, `arbiter`,
 * `guardian`): none defaults to the deployer's account, which would otherwise hold the genesis supply and so
 * governance. See ignition/parameters/example-public.json.
 */
export default buildModule("Gridlease", (m) => {
  const feed = m.getParameter<string>("grlUsdFeed");
  const stablecoin = m.getParameter<string>("stablecoin");
  return deployGridlease(m, feed, stablecoin, {
    treasury: m.getParameter<string>("treasury"),
    arbiter: m.getParameter<string>("arbiter"),
    guardian: m.getParameter<string>("guardian"),
  });
});
