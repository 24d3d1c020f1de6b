import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const root = path.join(import.meta.dirname, "..", "..");

interface Message {
  ruleId: string;
  severity: number;
  line: number;
  message: string;
}
const solhint = require("solhint/lib/index.js") as {
  processStr(source: string, config: object, fileName?: string): { messages: Message[] };
};
const config = JSON.parse(readFileSync(path.join(root, ".solhint.json"), "utf8")) as {
  extends: string;
  rules: Record<string, string | [string, ...unknown[]]>;
};

const ERROR = 2;

/** solhint's security rules; each must fail the lint, not warn (`not-rely-on-time` is off: the protocol runs on deadlines). */
const SECURITY_RULES = [
  "avoid-call-value",
  "avoid-low-level-calls",
  "avoid-sha3",
  "avoid-suicide",
  "avoid-throw",
  "avoid-tx-origin",
  "check-send-result",
  "compiler-version",
  "func-visibility",
  "multiple-sends",
  "no-complex-fallback",
  "no-immutable-before-declaration",
  "no-inline-assembly",
  "no-unchecked-calls",
  "not-rely-on-block-hash",
  "reentrancy",
  "state-visibility",
];

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solidityFiles(path.join(dir, e.name)) : e.name.endsWith(".sol") ? [path.join(dir, e.name)] : [],
  );
}

describe("Security: solhint's security rules fail the lint", function () {
  it("test_solhintConfig_setsEverySecurityRuleToError", function () {
    const shipped = readdirSync(
      path.join(path.dirname(require.resolve("solhint/package.json")), "lib", "rules", "security"),
    )
      .filter((f) => f.endsWith(".js") && f !== "index.js")
      .map((f) => f.slice(0, -3))
      .sort();
    // A rule added to solhint's security set must be looked at here.
    expect(shipped).to.deep.equal([...SECURITY_RULES, "not-rely-on-time"].sort());
    for (const rule of SECURITY_RULES) {
      const setting = config.rules[rule];
      expect(Array.isArray(setting) ? setting[0] : setting, rule).to.equal("error");
    }
    expect(config.rules["not-rely-on-time"]).to.equal("off");
  });

  it("test_solhint_reportsTxOriginLowLevelCallsAndAssemblyAsErrors", function () {
    const bad = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;
contract Bad {
    address owner;
    error NotOwner();
    function f(address target, bytes calldata data) external {
        if (tx.origin != owner) revert NotOwner();
        (bool ok,) = target.call(data);
        ok;
        assembly { sstore(0, 1) }
    }
}`;
    const found = solhint.processStr(bad, config).messages.map((m) => [m.ruleId, m.severity, m.line]);
    expect(found).to.deep.include.members([
      ["state-visibility", ERROR, 4],
      ["avoid-tx-origin", ERROR, 7],
      ["avoid-low-level-calls", ERROR, 8],
      ["no-inline-assembly", ERROR, 10],
    ]);
  });

  it("test_solhint_contractsHaveNoErrorNorWarning", function () {
    // The same as `npm run lint:sol` (--max-warnings 0), inside the test run.
    const files = solidityFiles(path.join(root, "contracts"));
    expect(files.length).to.be.greaterThan(10);
    for (const file of files) {
      const { messages } = solhint.processStr(readFileSync(file, "utf8"), config, file);
      expect(
        messages.map((m) => `${path.relative(root, file)}:${m.line} ${m.ruleId} ${m.message}`),
        path.relative(root, file),
      ).to.deep.equal([]);
    }
  });
});
