import { expect } from "chai";
import type { ContractFactory, Interface } from "ethers";
import { artifacts, network } from "hardhat";

import {
  DEFAULT_PARAMS,
  deployMarket,
  EMISSION_BUDGET_PER_EPOCH,
  EPOCH_LENGTH,
  FEED_DECIMALS,
  GRL_USD_ANSWER,
  MINT_CAP_PER_EPOCH,
  ORACLE_HEARTBEAT,
  ORACLE_MAX_ANSWER,
  ORACLE_MIN_ANSWER,
  SPREAD_BPS,
} from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";

const { ethers, networkHelpers } = await network.create();

/** Stand-ins for constructor dependencies: only their being non-zero matters to the constructors checked. */
const SOME = "0x00000000000000000000000000000000000000A1";

/**
 * For every address parameter of every deployable contract's constructor, the error a zero there must
 * raise. Keyed by the ABI's parameter names, so a renamed or added address parameter fails the
 * completeness test below instead of going unchecked.
 */
const ZERO_ADDRESS_ERRORS: Record<string, Record<string, [string, unknown[]]>> = {
  GridleaseToken: {
    admin: ["TokenZeroAddress", ["admin"]],
    treasury: ["TokenZeroAddress", ["treasury"]],
  },
  ProviderRegistry: {
    stakeToken: ["RegistryZeroAddress", ["stakeToken"]],
    admin: ["RegistryZeroAddress", ["admin"]],
  },
  ChainlinkPriceOracle: {
    feed: ["OracleInvalidConfig", ["feed is the zero address"]],
  },
  SequencerGuardedOracle: {
    priceOracle: ["OracleInvalidConfig", ["priceOracle is the zero address"]],
    uptimeFeed: ["OracleInvalidConfig", ["uptimeFeed is the zero address"]],
  },
  Settlement: {
    grl: ["SettlementZeroAddress", ["grl"]],
    priceOracle: ["SettlementZeroAddress", ["oracle"]],
    admin: ["SettlementZeroAddress", ["admin"]],
  },
  JobMarket: {
    registry: ["MarketZeroAddress", ["registry"]],
    settlement: ["MarketZeroAddress", ["settlement"]],
    priceOracle: ["MarketZeroAddress", ["oracle"]],
    treasuryAddress: ["MarketZeroAddress", ["treasury"]],
    admin: ["MarketZeroAddress", ["admin"]],
    arbiter: ["MarketZeroAddress", ["arbiter"]],
  },
};

/** Every contract the protocol deploys (the Ignition modules' list; the sequencer guard only on an L2). */
const DEPLOYED = [
  "GridleaseToken",
  "ProviderRegistry",
  "ChainlinkPriceOracle",
  "SequencerGuardedOracle",
  "Settlement",
  "JobMarket",
  "GridleaseTimelock",
  "GridleaseGovernor",
] as const;

/**
 * A feed for the oracle adapter, whose constructor reads the feed's decimals, and an adapter over it for the
 * sequencer guard, whose constructor wants code at both its addresses (the feed doubles as the uptime feed).
 */
async function fixture() {
  const feed = await ethers.deployContract("MockAggregatorV3", [FEED_DECIMALS, GRL_USD_ANSWER]);
  const oracle = await ethers.deployContract("ChainlinkPriceOracle", [
    await feed.getAddress(),
    ORACLE_HEARTBEAT,
    ORACLE_MIN_ANSWER,
    ORACLE_MAX_ANSWER,
  ]);
  return { feed: await feed.getAddress(), oracle: await oracle.getAddress() };
}

type Dependencies = Awaited<ReturnType<typeof fixture>>;

/** Valid constructor arguments for each contract; each test zeroes one address in them. */
function validArgs(name: string, { feed, oracle }: Dependencies): unknown[] {
  switch (name) {
    case "GridleaseToken":
      return [SOME, SOME, 1_000n * GRL];
    case "ProviderRegistry":
      return [SOME, SOME, 200n * GRL, 7n * 24n * 3600n];
    case "ChainlinkPriceOracle":
      return [feed, ORACLE_HEARTBEAT, ORACLE_MIN_ANSWER, ORACLE_MAX_ANSWER];
    case "SequencerGuardedOracle":
      return [oracle, feed, 3600n];
    case "Settlement":
      return [SOME, SOME, SOME, EPOCH_LENGTH, SPREAD_BPS, MINT_CAP_PER_EPOCH, EMISSION_BUDGET_PER_EPOCH];
    case "JobMarket":
      return [SOME, SOME, SOME, SOME, SOME, SOME, DEFAULT_PARAMS];
    default:
      throw new Error(`no valid arguments for ${name}`);
  }
}

function constructorInputs(iface: Interface) {
  return iface.deploy.inputs;
}

/**
 * Opcodes of runtime bytecode, PUSH data skipped and the trailing CBOR metadata (whose length is the
 * last two bytes) cut off, so a data byte that happens to equal an opcode is never counted.
 */
function opcodes(runtimeHex: string): number[] {
  const code = Buffer.from(runtimeHex.slice(2), "hex");
  const metadataLength = code.length >= 2 ? code.readUInt16BE(code.length - 2) + 2 : 0;
  const end = metadataLength <= code.length ? code.length - metadataLength : code.length;
  const out: number[] = [];
  for (let pc = 0; pc < end; pc++) {
    const op = code[pc];
    out.push(op);
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  return out;
}

const CALL = 0xf1;
const STATICCALL = 0xfa;
const DELEGATECALL = 0xf4;
const CALLCODE = 0xf2;
const SELFDESTRUCT = 0xff;

describe("Security: deploy-time configuration and re-initialisation", function () {
  describe("zero addresses at deploy", function () {
    it("test_zeroAddressTable_coversEveryAddressParameterOfEveryConstructor", async function () {
      for (const name of Object.keys(ZERO_ADDRESS_ERRORS)) {
        const factory = await ethers.getContractFactory(name);
        const addressParams = constructorInputs(factory.interface)
          .filter((p) => p.type === "address")
          .map((p) => p.name);
        expect(Object.keys(ZERO_ADDRESS_ERRORS[name]).sort(), name).to.deep.equal([...addressParams].sort());
        expect(addressParams.length, name).to.be.greaterThan(0);
      }
    });

    for (const [name, params] of Object.entries(ZERO_ADDRESS_ERRORS)) {
      for (const [param, [error, args]] of Object.entries(params)) {
        it(`test_constructor_${name}_revertsWhen_${param}_isZero`, async function () {
          const dependencies = await networkHelpers.loadFixture(fixture);
          const factory: ContractFactory = await ethers.getContractFactory(name);
          const inputs = constructorInputs(factory.interface);
          const values = validArgs(name, dependencies);
          const index = inputs.findIndex((p) => p.name === param);
          expect(index).to.be.greaterThanOrEqual(0);
          values[index] = ethers.ZeroAddress;
          await expect(factory.deploy(...values))
            .to.be.revertedWithCustomError(factory, error)
            .withArgs(...args);
        });
      }

      it(`test_constructor_${name}_deploysWithEveryAddressSet`, async function () {
        const dependencies = await networkHelpers.loadFixture(fixture);
        const factory = await ethers.getContractFactory(name);
        const contract = await factory.deploy(...validArgs(name, dependencies));
        expect((await ethers.provider.getCode(await contract.getAddress())).length).to.be.greaterThan(2);
      });
    }
  });

  describe("zero addresses through governance setters", function () {
    async function marketFixture() {
      return deployMarket(ethers);
    }

    it("test_setTreasury_revertsOnZero", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      await expect(f.market.connect(f.admin).setTreasury(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.market, "MarketZeroAddress")
        .withArgs("treasury");
      expect(await f.market.treasury()).to.equal(f.treasury.address);
    });

    it("test_marketSetOracle_revertsOnZero", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      await expect(f.market.connect(f.admin).setOracle(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.market, "MarketZeroAddress")
        .withArgs("oracle");
      expect(await f.market.oracle()).to.equal(await f.oracle.getAddress());
    });

    it("test_setPaymentToken_revertsOnZero", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      await expect(f.market.connect(f.admin).setPaymentToken(ethers.ZeroAddress, true))
        .to.be.revertedWithCustomError(f.market, "MarketZeroAddress")
        .withArgs("token");
    });

    it("test_settlementSetOracle_revertsOnZero", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      await expect(f.settlement.connect(f.admin).setOracle(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.settlement, "SettlementZeroAddress")
        .withArgs("oracle");
      expect(await f.settlement.oracle()).to.equal(await f.oracle.getAddress());
    });
  });

  describe("no re-initialisation", function () {
    it("test_abis_haveNoInitializerNorUpgradeEntryPoint", async function () {
      // Configuration happens once, in the constructor; there is no proxy to point at a new
      // implementation and no initializer anyone could call (again) on a fresh or live deployment.
      const forbidden =
        /^(initiali[sz]e|reinitiali[sz]e|init|upgradeTo|upgradeToAndCall|proxiableUUID|setImplementation)$/i;
      for (const name of DEPLOYED) {
        const { interface: iface } = await ethers.getContractFactory(name);
        const functions: string[] = [];
        iface.forEachFunction((fn) => functions.push(fn.name));
        expect(functions.length, name).to.be.greaterThan(0);
        expect(
          functions.filter((fn) => forbidden.test(fn)),
          name,
        ).to.deep.equal([]);
        expect(iface.getEvent("Initialized"), name).to.equal(null);
        expect(iface.getEvent("Upgraded"), name).to.equal(null);
      }
    });

    it("test_bytecode_hasNoDelegatecallCallcodeOrSelfdestruct", async function () {
      // Without these opcodes no code but the deployed one can ever run against a contract's storage,
      // and no contract can be destroyed and redeployed with a new configuration at the same address.
      // The one DELEGATECALL is JobMarket's, to the disputes module it creates itself (next test).
      for (const name of [...DEPLOYED, "JobMarketDisputes"]) {
        const { deployedBytecode } = await artifacts.readArtifact(name);
        const ops = opcodes(deployedBytecode);
        expect(ops.length, name).to.be.greaterThan(100);
        // The scan does see call opcodes where they are: every contract here makes external calls.
        expect(ops.includes(CALL) || ops.includes(STATICCALL), `${name} makes calls`).to.equal(true);
        expect(ops.includes(DELEGATECALL), `${name} DELEGATECALL`).to.equal(name === "JobMarket");
        expect(ops.includes(CALLCODE), `${name} CALLCODE`).to.equal(false);
        expect(ops.includes(SELFDESTRUCT), `${name} SELFDESTRUCT`).to.equal(false);
      }
    });

    it("test_jobMarket_delegatesOnlyToTheModuleItCreated", async function () {
      // JobMarket's DELEGATECALL target is an immutable set in its constructor to a JobMarketDisputes it
      // deploys itself: the code that may run on the market's storage is fixed at deployment, like its own.
      const dependencies = await networkHelpers.loadFixture(fixture);
      const market = await ethers.deployContract("JobMarket", validArgs("JobMarket", dependencies));
      const module = await market.DISPUTES();
      expect(ethers.getCreateAddress({ from: await market.getAddress(), nonce: 1 })).to.equal(module);
      const { deployedBytecode } = await artifacts.readArtifact("JobMarketDisputes");
      const code = await ethers.provider.getCode(module);
      // Equal but for the immutables (the registry, the settlement and the module's own address).
      expect(code.length).to.equal(deployedBytecode.length);
      const { interface: iface } = await ethers.getContractFactory("JobMarket");
      expect(iface.getFunction("DISPUTES")!.stateMutability).to.equal("view");
      // Called directly, the module refuses: it only ever runs on the market's storage.
      const direct = await ethers.getContractAt("JobMarketDisputes", module);
      await expect(direct.failJob(1n)).to.be.revertedWithCustomError(market, "MarketNotDelegated");
    });

    it("test_dependencies_areImmutable_noSetterRepointsThem", async function () {
      // The contracts each one trusts (token, registry, settlement, feed; a sequencer guard's inner oracle
      // and uptime feed) are immutables with no setter; only the oracle and treasury are
      // governance-settable, within the zero checks above.
      const immutables: Record<string, string[]> = {
        JobMarket: ["REGISTRY", "SETTLEMENT", "DISPUTES"],
        Settlement: ["GRL", "GENESIS", "EPOCH_LENGTH"],
        ProviderRegistry: ["STAKE_TOKEN"],
        ChainlinkPriceOracle: ["FEED", "HEARTBEAT", "MIN_ANSWER", "MAX_ANSWER"],
        SequencerGuardedOracle: ["PRICE_ORACLE", "SEQUENCER_UPTIME_FEED", "GRACE_PERIOD"],
        GridleaseToken: ["INITIAL_SUPPLY"],
      };
      for (const [name, getters] of Object.entries(immutables)) {
        const { interface: iface } = await ethers.getContractFactory(name);
        for (const getter of getters) {
          const fn = iface.getFunction(getter);
          expect(fn, `${name}.${getter}`).to.not.equal(null);
          expect(fn!.stateMutability, `${name}.${getter}`).to.equal("view");
          const setter = `set${getter.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`;
          expect(iface.getFunction(setter), `${name}.${setter}`).to.equal(null);
        }
      }
    });
  });
});
