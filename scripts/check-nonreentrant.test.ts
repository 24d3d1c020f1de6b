// The nonReentrant check's own test, next to it (vitest): the tool is run on a fixture with seeded mistakes
// and on the protocol.
import { Interface } from "ethers";
import { describe, expect, it } from "vitest";

import { type Allowed, checkNonReentrant, DEFAULT_ALLOW_LIST, DEFAULT_TARGETS } from "./check-nonreentrant.ts";
import { JobMarketAbi, ProviderRegistryAbi, SettlementAbi } from "../sdk/index.ts";

/** Parsed by the checker only; Hardhat compiles contracts/ and test/solidity/, not test/fixtures/. */
const FIXTURE = "test/fixtures/reentrancy/Vault.sol";

/** The fixture vault's role management and its governance setter are allowed, as in the real list. */
const VAULT_ALLOW_LIST: Allowed[] = [
  { contract: "Vault", fn: "setFee", reason: "role-gated setter" },
  { contract: "Vault", fn: "grantRole", reason: "AccessControl" },
  { contract: "Vault", fn: "revokeRole", reason: "AccessControl" },
  { contract: "Vault", fn: "renounceRole", reason: "AccessControl" },
];

function stateChangingNames(iface: Interface): string[] {
  const out: string[] = [];
  iface.forEachFunction((fn) => {
    if (fn.stateMutability !== "view" && fn.stateMutability !== "pure") out.push(fn.name);
  });
  return out.sort();
}

describe("Security: the nonReentrant static check (scripts/check-nonreentrant.ts)", function () {
  describe("on a fixture with seeded mistakes", function () {
    it("test_check_flagsAnUnguardedFunction_anInheritedOne_andReceive", async function () {
      const { findings } = await checkNonReentrant([{ file: FIXTURE, contract: "Vault" }], VAULT_ALLOW_LIST);
      expect(findings).to.deep.equal([
        `Vault.withdraw(uint256) (${FIXTURE}:27 (Vault)) is external, changes state and is not nonReentrant`,
        `Vault.receive() (${FIXTURE}:49 (Vault)) is external, changes state and is not nonReentrant`,
        `Vault.sweep(address payable) (${FIXTURE}:12 (Sweepable)) is external, changes state and is not nonReentrant`,
      ]);
    });

    it("test_check_acceptsTheGuardedAndAllowedOnes_ignoresViewsPureAndInternals", async function () {
      const { entryPoints } = await checkNonReentrant([{ file: FIXTURE, contract: "Vault" }], VAULT_ALLOW_LIST);
      const byName = new Map(entryPoints.map((ep) => [ep.signature, ep]));
      expect([...byName.keys()].sort()).to.deep.equal(
        [
          "deposit()",
          "withdraw(uint256)",
          "setFee(uint256)",
          "receive()",
          "sweep(address payable)",
          "grantRole(bytes32,address)",
          "revokeRole(bytes32,address)",
          "renounceRole(bytes32,address)",
        ].sort(),
      );
      expect(byName.get("deposit()")!.guarded).to.equal(true);
      expect(byName.get("setFee(uint256)")!.allowed).to.equal("role-gated setter");
      expect(byName.get("grantRole(bytes32,address)")!.definedIn).to.match(/AccessControl\.sol:\d+ \(AccessControl\)$/);
    });

    it("test_check_flagsInheritedAccessControlWhenNotAllowed", async function () {
      const { findings } = await checkNonReentrant(
        [{ file: FIXTURE, contract: "Vault" }],
        VAULT_ALLOW_LIST.slice(0, 1),
      );
      expect(findings.filter((f) => /^Vault\.(grantRole|revokeRole|renounceRole)\(/.test(f))).toHaveLength(3);
    });

    it("test_check_rejectsAHomeMadeModifierNamedNonReentrant", async function () {
      const { findings } = await checkNonReentrant([{ file: FIXTURE, contract: "FakeGuardVault" }], []);
      expect(findings).to.deep.equal([
        "FakeGuardVault: does not inherit OpenZeppelin's ReentrancyGuard(Transient)",
        `FakeGuardVault: FakeGuardVault defines its own nonReentrant modifier (${FIXTURE})`,
      ]);
    });

    it("test_check_flagsStaleAllowListEntries", async function () {
      const { findings } = await checkNonReentrant(
        [{ file: FIXTURE, contract: "Vault" }],
        [
          ...VAULT_ALLOW_LIST,
          { contract: "Vault", fn: "withdraw", reason: "x" },
          { contract: "Vault", fn: "receive", reason: "x" },
          { contract: "Vault", fn: "sweep", reason: "x" },
          { contract: "Vault", fn: "deposit", reason: "guarded already" },
          { contract: "Vault", fn: "balanceOfAccount", reason: "a view" },
        ],
      );
      expect(findings).to.deep.equal([
        "allow-list: Vault.deposit is guarded; drop the entry",
        "allow-list: Vault.balanceOfAccount is not a state-changing entry point",
      ]);
    });

    it("test_check_reportsAContractNotInTheGivenFile", async function () {
      const { findings } = await checkNonReentrant([{ file: FIXTURE, contract: "JobMarket" }], []);
      expect(findings).to.deep.equal([
        "JobMarket: base contract not found in the sources (unresolved import or alias)",
        `JobMarket: not defined in ${FIXTURE}`,
      ]);
    });
  });

  describe("on the protocol", function () {
    it("test_check_passesOnTheMoneyHoldingContracts", async function () {
      const { findings } = await checkNonReentrant();
      expect(findings).to.deep.equal([]);
    });

    it("test_check_seesEveryStateChangingFunctionOfTheAbis", async function () {
      // The parser's view (own and inherited definitions) matches the compiler's ABI exactly, so no
      // entry point escapes the check.
      const { entryPoints } = await checkNonReentrant();
      const abis: Record<string, Interface> = {
        JobMarket: new Interface(JobMarketAbi),
        ProviderRegistry: new Interface(ProviderRegistryAbi),
        Settlement: new Interface(SettlementAbi),
      };
      expect(DEFAULT_TARGETS.map((t) => t.contract).sort()).to.deep.equal(Object.keys(abis).sort());
      for (const [name, iface] of Object.entries(abis)) {
        const seen = entryPoints.filter((ep) => ep.contract === name).map((ep) => ep.signature.split("(")[0]);
        expect(seen.sort(), name).to.deep.equal(stateChangingNames(iface));
      }
    });

    it("test_check_failsWhenAnAllowListEntryIsRemoved", async function () {
      const list = DEFAULT_ALLOW_LIST.filter((a) => !(a.contract === "JobMarket" && a.fn === "setTreasury"));
      const { findings } = await checkNonReentrant(DEFAULT_TARGETS, list);
      expect(findings).toHaveLength(1);
      expect(findings[0]).to.match(
        /^JobMarket\.setTreasury\(address\) \(contracts\/market\/JobMarket\.sol:\d+ \(JobMarket\)\) is external, changes state and is not nonReentrant$/,
      );
    });

    it("test_allowList_everyEntryHasAReason", async function () {
      for (const a of DEFAULT_ALLOW_LIST) expect(a.reason.length, `${a.contract}.${a.fn}`).to.be.greaterThan(20);
    });
  });
});
