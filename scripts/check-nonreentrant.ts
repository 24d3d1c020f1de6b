// Static check (CI): every external or public state-changing function of the contracts that hold
// other people's money (JobMarket, ProviderRegistry, Settlement) carries OpenZeppelin's `nonReentrant`
// modifier, inherited functions included, unless it is on the commented allow-list below. Parses the
// sources with @nomicfoundation/slang (no compiler needed), follows imports into node_modules, and
// resolves each contract's bases so that an inherited entry point (e.g. AccessControl.grantRole) is
// checked like a local one. Also fails when an allow-list entry no longer matches an unguarded function
// (so the list cannot rot), and when the `nonReentrant` in use is not OpenZeppelin's guard.
// Delegated modules (DEFAULT_MODULES: JobMarketDisputes, which JobMarket delegate-calls) are checked the
// other way round: their entry points run inside the host's `nonReentrant` frame, on the host's storage
// (and transient guard slot), so they must NOT be `nonReentrant` (the guard would see itself entered and
// revert); each must instead refuse direct calls (`onlyDelegated`) and be forwarded by a host entry
// point of the same signature, which the host's own check covers (guarded or allow-listed).
// Usage: node scripts/check-nonreentrant.ts   (`npm run check:reentrancy`)
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import {
  ContractDefinition,
  FallbackFunctionDefinition,
  FunctionDefinition,
  InheritanceSpecifier,
  InterfaceDefinition,
  ModifierDefinition,
  ModifierInvocation,
  ReceiveFunctionDefinition,
} from "@nomicfoundation/slang/ast";
import { CompilationBuilder } from "@nomicfoundation/slang/compilation";
import {
  type Cursor,
  NonterminalKind,
  type NonterminalNode,
  TerminalKind,
  TerminalNode,
} from "@nomicfoundation/slang/cst";

/** A contract to check: the file that defines it and its name. */
export interface Target {
  file: string;
  contract: string;
}

/** An entry point allowed without the guard, and why that is safe. */
export interface Allowed {
  contract: string;
  fn: string;
  reason: string;
}

/**
 * A module a target delegate-calls: its functions run in the host's frame, on the host's storage, after
 * the host's forwarding function took the guard.
 */
export interface DelegatedModule {
  file: string;
  contract: string;
  /** The target that delegate-calls it; the module is checked only when that target is. */
  host: string;
  /** The modifier with which every module entry point refuses a direct call. */
  directCallGuard: string;
}

export interface EntryPoint {
  contract: string;
  /** The function's name and parameter types, e.g. `withdraw(address,address)`. */
  signature: string;
  /** Where the effective (most derived) definition is: file, line (1-based) and contract. */
  definedIn: string;
  guarded: boolean;
  allowed?: string;
  /** A delegated module's entry point: the host's forwarding function that covers it, and why. */
  delegated?: string;
}

export interface Report {
  entryPoints: EntryPoint[];
  /** What fails the check, one line each. */
  findings: string[];
}

/** The guards the check accepts: OpenZeppelin's, by contract name and the file defining them. */
const GUARDS = ["ReentrancyGuard", "ReentrancyGuardTransient"];
const GUARD_FILE = /@openzeppelin[\\/]contracts[\\/]utils[\\/]ReentrancyGuard(Transient)?\.sol$/;

const ROOT = path.join(import.meta.dirname, "..");

export const DEFAULT_TARGETS: Target[] = [
  { file: "contracts/market/JobMarket.sol", contract: "JobMarket" },
  { file: "contracts/staking/ProviderRegistry.sol", contract: "ProviderRegistry" },
  { file: "contracts/settlement/Settlement.sol", contract: "Settlement" },
];

/** The delegated modules, by host. */
export const DEFAULT_MODULES: DelegatedModule[] = [
  {
    file: "contracts/market/JobMarketDisputes.sol",
    contract: "JobMarketDisputes",
    host: "JobMarket",
    directCallGuard: "onlyDelegated",
  },
];

const GOVERNANCE_SETTER =
  "role-gated governance setter (timelock): writes a bounded parameter, moves no funds, calls nothing";
const GUARDIAN = "guardian pause switch: flips one flag, moves no funds, calls nothing";
const ACCESS_CONTROL = "inherited AccessControl role management: writes a role bit, moves no funds, calls nothing";
const MODULE_ACCESS_CONTROL =
  "inherited AccessControl role management on the module's own storage, where nobody holds a role (its " +
  "constructor grants none): grantRole and revokeRole revert for every caller, renounceRole changes nothing; " +
  "the market has its own and never forwards these selectors";

/**
 * THE ALLOW-LIST. Every entry says why the function needs no guard; anything else that is external or
 * public and not view or pure must be `nonReentrant`.
 */
export const DEFAULT_ALLOW_LIST: Allowed[] = [
  // JobMarket
  { contract: "JobMarket", fn: "setMarketParams", reason: GOVERNANCE_SETTER },
  { contract: "JobMarket", fn: "setPaymentToken", reason: GOVERNANCE_SETTER + " (reads the token's decimals, a view)" },
  { contract: "JobMarket", fn: "setTreasury", reason: GOVERNANCE_SETTER },
  { contract: "JobMarket", fn: "setOracle", reason: GOVERNANCE_SETTER },
  { contract: "JobMarket", fn: "pause", reason: GUARDIAN },
  { contract: "JobMarket", fn: "unpause", reason: GUARDIAN },
  { contract: "JobMarket", fn: "grantRole", reason: ACCESS_CONTROL },
  { contract: "JobMarket", fn: "revokeRole", reason: ACCESS_CONTROL },
  { contract: "JobMarket", fn: "renounceRole", reason: ACCESS_CONTROL },
  // Settlement
  { contract: "Settlement", fn: "setSpreadBps", reason: GOVERNANCE_SETTER },
  { contract: "Settlement", fn: "setMintCapPerEpoch", reason: GOVERNANCE_SETTER },
  { contract: "Settlement", fn: "setEmissionBudgetPerEpoch", reason: GOVERNANCE_SETTER },
  { contract: "Settlement", fn: "setOracle", reason: GOVERNANCE_SETTER },
  { contract: "Settlement", fn: "pause", reason: GUARDIAN },
  { contract: "Settlement", fn: "unpause", reason: GUARDIAN },
  { contract: "Settlement", fn: "grantRole", reason: ACCESS_CONTROL },
  { contract: "Settlement", fn: "revokeRole", reason: ACCESS_CONTROL },
  { contract: "Settlement", fn: "renounceRole", reason: ACCESS_CONTROL },
  // ProviderRegistry
  { contract: "ProviderRegistry", fn: "setMinStakePerGpu", reason: GOVERNANCE_SETTER },
  { contract: "ProviderRegistry", fn: "setUnbondingPeriod", reason: GOVERNANCE_SETTER },
  { contract: "ProviderRegistry", fn: "setReputationReferenceValue", reason: GOVERNANCE_SETTER },
  { contract: "ProviderRegistry", fn: "grantRole", reason: ACCESS_CONTROL },
  { contract: "ProviderRegistry", fn: "revokeRole", reason: ACCESS_CONTROL },
  { contract: "ProviderRegistry", fn: "renounceRole", reason: ACCESS_CONTROL },
  // JobMarketDisputes (a delegated module: its own entry points are covered by JobMarket's, see DEFAULT_MODULES)
  { contract: "JobMarketDisputes", fn: "grantRole", reason: MODULE_ACCESS_CONTROL },
  { contract: "JobMarketDisputes", fn: "revokeRole", reason: MODULE_ACCESS_CONTROL },
  { contract: "JobMarketDisputes", fn: "renounceRole", reason: MODULE_ACCESS_CONTROL },
];

interface Declared {
  kind: "contract" | "interface";
  name: string;
  file: string;
  bases: string[];
  functions: {
    signature: string;
    name: string;
    line: number;
    external: boolean;
    stateChanging: boolean;
    guarded: boolean;
    modifiers: string[];
  }[];
  modifiers: string[];
}

const text = (node: { unparse(): string } | { cst: { unparse(): string } }): string =>
  ("cst" in node ? node.cst.unparse() : node.unparse()).replace(/\s+/g, " ").trim();

function basesOf(specifier: InheritanceSpecifier | undefined): string[] {
  if (specifier === undefined) return [];
  // `A.B` paths name a contract B imported under namespace A; the contract's own name is the last part.
  return specifier.types.items.map((t) => text(t.typeName).split(".").pop()!);
}

function attributesOf(items: readonly { variant: ModifierInvocation | TerminalNode | { cst: NonterminalNode } }[]) {
  const keywords = new Set<string>();
  const modifiers: string[] = [];
  for (const a of items) {
    if (a.variant instanceof TerminalNode) keywords.add(a.variant.unparse().trim());
    else if (a.variant instanceof ModifierInvocation) modifiers.push(text(a.variant.name));
  }
  return { keywords, modifiers };
}

function parameterTypes(params: FunctionDefinition["parameters"] | undefined): string {
  if (params === undefined) return "";
  return params.parameters.items.map((p) => text(p.typeName)).join(",");
}

const KEYWORDS = [TerminalKind.FunctionKeyword, TerminalKind.ReceiveKeyword, TerminalKind.FallbackKeyword];

/** The 1-based line of a definition's keyword (the node's own range starts at its leading comments). */
function keywordLine(at: Cursor): number {
  const c = at.spawn();
  return c.goToNextTerminalWithKinds(KEYWORDS) ? c.textRange.start.line + 1 : at.textRange.start.line + 1;
}

/** Reads every contract and interface of a file, with its functions and modifiers. */
function declarations(fileId: string, root: Cursor): Declared[] {
  const out: Declared[] = [];
  const cursor = root.spawn();
  while (cursor.goToNextNonterminal()) {
    const node = cursor.node as NonterminalNode;
    if (node.kind === NonterminalKind.InterfaceDefinition) {
      const def = new InterfaceDefinition(node);
      out.push({
        kind: "interface",
        name: def.name.unparse().trim(),
        file: fileId,
        bases: basesOf(def.inheritance),
        functions: [],
        modifiers: [],
      });
      continue;
    }
    if (node.kind !== NonterminalKind.ContractDefinition) continue;
    const def = new ContractDefinition(node);
    const bases = def.specifiers.items.flatMap((s) =>
      s.variant instanceof InheritanceSpecifier ? basesOf(s.variant) : [],
    );
    const d: Declared = {
      kind: "contract",
      name: def.name.unparse().trim(),
      file: fileId,
      bases,
      functions: [],
      modifiers: [],
    };
    const members = cursor.spawn();
    while (members.goToNextNonterminal()) {
      const m = members.node as NonterminalNode;
      const line = keywordLine(members);
      if (m.kind === NonterminalKind.FunctionDefinition) {
        const fn = new FunctionDefinition(m);
        const { keywords, modifiers } = attributesOf(fn.attributes.items);
        const name = text(fn.name);
        d.functions.push({
          name,
          signature: `${name}(${parameterTypes(fn.parameters)})`,
          line,
          external: keywords.has("external") || keywords.has("public"),
          stateChanging: !keywords.has("view") && !keywords.has("pure"),
          guarded: modifiers.includes("nonReentrant"),
          modifiers,
        });
      } else if (
        m.kind === NonterminalKind.ReceiveFunctionDefinition ||
        m.kind === NonterminalKind.FallbackFunctionDefinition
      ) {
        const fn =
          m.kind === NonterminalKind.ReceiveFunctionDefinition
            ? new ReceiveFunctionDefinition(m)
            : new FallbackFunctionDefinition(m);
        const { keywords, modifiers } = attributesOf(fn.attributes.items);
        const name = m.kind === NonterminalKind.ReceiveFunctionDefinition ? "receive" : "fallback";
        d.functions.push({
          name,
          signature: `${name}()`,
          line,
          external: true,
          stateChanging: !keywords.has("view") && !keywords.has("pure"),
          guarded: modifiers.includes("nonReentrant"),
          modifiers,
        });
      } else if (m.kind === NonterminalKind.ModifierDefinition) {
        d.modifiers.push(new ModifierDefinition(m).name.unparse().trim());
      }
    }
    out.push(d);
  }
  return out;
}

/** Parses the targets and everything they import (relative paths, then packages in node_modules). */
async function load(root: string, files: string[]): Promise<Declared[]> {
  const requireFrom = createRequire(path.join(root, "package.json"));
  const builder = CompilationBuilder.create({
    languageVersion: "0.8.28",
    readFile: async (id) => readFile(id, "utf8"),
    resolveImport: async (source, cursor) => {
      const spec = cursor.node.unparse().trim().slice(1, -1);
      if (spec.startsWith(".")) return path.resolve(path.dirname(source), spec);
      return requireFrom.resolve(spec);
    },
  });
  for (const file of files) await builder.addFile(path.resolve(root, file));
  const unit = builder.build();
  const out: Declared[] = [];
  for (const file of unit.files()) {
    const errors = file.errors();
    if (errors.length > 0) {
      throw new Error(`${shown(root, file.id)}: ${errors.length} parse error(s), first: ${errors[0].message}`);
    }
    out.push(...declarations(file.id, file.createTreeCursor()));
  }
  return out;
}

/** The contract and its bases, most derived first (a depth-first walk; enough to find every definition). */
function lineage(
  name: string,
  byName: Map<string, Declared>,
  findings: string[],
  seen = new Set<string>(),
): Declared[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const d = byName.get(name);
  if (d === undefined) {
    findings.push(`${name}: base contract not found in the sources (unresolved import or alias)`);
    return [];
  }
  if (d.kind === "interface") return [];
  return [d, ...d.bases.flatMap((b) => lineage(b, byName, findings, seen))];
}

/** A file for humans: project-relative, or from node_modules on for packages (whatever the symlinks). */
function shown(root: string, file: string): string {
  const i = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  return i >= 0 ? file.slice(i + 1) : path.relative(root, file);
}

/** A signature with each parameter type's qualifier dropped (`IJobMarket.Ruling` -> `Ruling`), to match a
 * module's function with the host's, which may name the same type differently. */
function bareSignature(signature: string): string {
  const open = signature.indexOf("(");
  const params = signature.slice(open + 1, -1);
  const bare =
    params === ""
      ? []
      : params.split(",").map((p) =>
          p
            .split(" ")
            .map((w) => w.split(".").pop())
            .join(" "),
        );
  return `${signature.slice(0, open)}(${bare.join(",")})`;
}

/** The external, state-changing functions of a lineage, most derived definition first, by signature. */
function effectiveFunctions(chain: Declared[]): Map<string, { fn: Declared["functions"][number]; d: Declared }> {
  const effective = new Map<string, { fn: Declared["functions"][number]; d: Declared }>();
  for (const d of chain) {
    for (const fn of d.functions) {
      if (!fn.external || !fn.stateChanging || effective.has(fn.signature)) continue;
      effective.set(fn.signature, { fn, d });
    }
  }
  return effective;
}

export async function checkNonReentrant(
  targets: Target[] = DEFAULT_TARGETS,
  allowList: Allowed[] = DEFAULT_ALLOW_LIST,
  root: string = ROOT,
  modules: DelegatedModule[] = DEFAULT_MODULES,
): Promise<Report> {
  // A module is checked when its host is one of the targets (and found in its file, see below).
  const hosted = modules.filter((m) => targets.some((t) => t.contract === m.host));
  const declared = await load(root, [...targets.map((t) => t.file), ...hosted.map((m) => m.file)]);
  const findings: string[] = [];
  const byName = new Map<string, Declared>();
  for (const d of declared) {
    const other = byName.get(d.name);
    if (other !== undefined && other.file !== d.file) {
      findings.push(`${d.name}: defined twice (${shown(root, other.file)}, ${shown(root, d.file)})`);
    }
    byName.set(d.name, d);
  }

  const entryPoints: EntryPoint[] = [];
  /** The entry points of each target found in its file, by bare signature. */
  const hostEntryPoints = new Map<string, Map<string, EntryPoint>>();
  for (const target of targets) {
    const chain = lineage(target.contract, byName, findings);
    if (chain.length === 0 || path.resolve(root, target.file) !== chain[0].file) {
      findings.push(`${target.contract}: not defined in ${target.file}`);
      continue;
    }
    const guard = chain.find((d) => GUARDS.includes(d.name) && GUARD_FILE.test(d.file));
    if (guard === undefined)
      findings.push(`${target.contract}: does not inherit OpenZeppelin's ReentrancyGuard(Transient)`);
    for (const d of chain) {
      if (d !== guard && d.modifiers.includes("nonReentrant")) {
        findings.push(`${target.contract}: ${d.name} defines its own nonReentrant modifier (${shown(root, d.file)})`);
      }
    }

    const effective = new Map<string, EntryPoint>();
    for (const [signature, { fn, d }] of effectiveFunctions(chain)) {
      effective.set(signature, {
        contract: target.contract,
        signature,
        definedIn: `${shown(root, d.file)}:${fn.line} (${d.name})`,
        guarded: fn.guarded,
      });
    }
    hostEntryPoints.set(
      target.contract,
      new Map([...effective.values()].map((ep) => [bareSignature(ep.signature), ep])),
    );
    const allowedHere = allowList.filter((a) => a.contract === target.contract);
    for (const ep of effective.values()) {
      const name = ep.signature.slice(0, ep.signature.indexOf("("));
      const allowed = allowedHere.find((a) => a.fn === name);
      if (allowed !== undefined) ep.allowed = allowed.reason;
      if (!ep.guarded && allowed === undefined) {
        findings.push(
          `${target.contract}.${ep.signature} (${ep.definedIn}) is external, changes state and is not nonReentrant`,
        );
      }
      entryPoints.push(ep);
    }
    for (const a of allowedHere) {
      const matches = [...effective.values()].filter((ep) => ep.signature.startsWith(`${a.fn}(`));
      if (matches.length === 0) findings.push(`allow-list: ${a.contract}.${a.fn} is not a state-changing entry point`);
      else if (matches.every((ep) => ep.guarded))
        findings.push(`allow-list: ${a.contract}.${a.fn} is guarded; drop the entry`);
    }
  }

  for (const module of hosted) {
    const host = hostEntryPoints.get(module.host);
    if (host === undefined) continue; // the host was not found in its file: reported above
    checkModule(module, host, allowList, byName, root, findings, entryPoints);
  }
  return { entryPoints, findings };
}

/**
 * A delegated module: every external state-changing function must not be `nonReentrant` (it runs inside
 * the host's guarded frame, on the host's transient guard slot, where the guard would revert), must refuse
 * a direct call with the module's `directCallGuard`, and must be forwarded by a host entry point of the
 * same signature, itself guarded or allow-listed by the host's check. Functions the module inherits but
 * the host never forwards need an allow-list entry under the module's name.
 */
function checkModule(
  module: DelegatedModule,
  host: Map<string, EntryPoint>,
  allowList: Allowed[],
  byName: Map<string, Declared>,
  root: string,
  findings: string[],
  entryPoints: EntryPoint[],
): void {
  const chain = lineage(module.contract, byName, findings);
  if (chain.length === 0 || path.resolve(root, module.file) !== chain[0].file) {
    findings.push(`${module.contract}: not defined in ${module.file}`);
    return;
  }
  const guard = chain.find((d) => GUARDS.includes(d.name) && GUARD_FILE.test(d.file));
  for (const d of chain) {
    if (d !== guard && d.modifiers.includes("nonReentrant")) {
      findings.push(`${module.contract}: ${d.name} defines its own nonReentrant modifier (${shown(root, d.file)})`);
    }
  }
  if (!chain.some((d) => d.modifiers.includes(module.directCallGuard))) {
    findings.push(`${module.contract}: defines no ${module.directCallGuard} modifier`);
  }

  const allowedHere = allowList.filter((a) => a.contract === module.contract);
  const covered = new Set<string>();
  const effective = effectiveFunctions(chain);
  for (const [signature, { fn, d }] of effective) {
    const ep: EntryPoint = {
      contract: module.contract,
      signature,
      definedIn: `${shown(root, d.file)}:${fn.line} (${d.name})`,
      guarded: fn.guarded,
    };
    const where = `${module.contract}.${signature} (${ep.definedIn})`;
    const forwarder = host.get(bareSignature(signature));
    const allowed = allowedHere.find((a) => a.fn === fn.name);
    if (fn.guarded) {
      findings.push(
        `${where} is nonReentrant: it runs inside ${module.host}'s guarded frame through DELEGATECALL, where the guard always reverts`,
      );
    }
    if (fn.modifiers.includes(module.directCallGuard) && forwarder !== undefined) {
      covered.add(fn.name);
      const how = forwarder.guarded ? "nonReentrant" : "allow-listed";
      ep.delegated = `runs only through ${module.host}.${forwarder.signature} (${how}); ${module.directCallGuard} refuses a direct call`;
    } else if (allowed !== undefined) {
      ep.allowed = allowed.reason;
    } else if (!fn.modifiers.includes(module.directCallGuard)) {
      findings.push(`${where} is external, changes state and is not ${module.directCallGuard}`);
    } else {
      findings.push(`${where} is not forwarded by ${module.host} (no entry point ${bareSignature(signature)} there)`);
    }
    entryPoints.push(ep);
  }
  for (const a of allowedHere) {
    const matches = [...effective.values()].filter(({ fn }) => fn.name === a.fn);
    if (matches.length === 0) findings.push(`allow-list: ${a.contract}.${a.fn} is not a state-changing entry point`);
    else if (covered.has(a.fn))
      findings.push(`allow-list: ${a.contract}.${a.fn} is covered by ${module.host}; drop the entry`);
  }
}

async function main(): Promise<void> {
  const { entryPoints, findings } = await checkNonReentrant();
  for (const ep of entryPoints) {
    const status = ep.guarded
      ? "nonReentrant"
      : ep.delegated !== undefined
        ? "delegated"
        : ep.allowed !== undefined
          ? "allowed"
          : "MISSING";
    const note = ep.delegated !== undefined ? `  [${ep.delegated}]` : "";
    console.log(`${status.padEnd(12)} ${ep.contract}.${ep.signature}  ${ep.definedIn}${note}`);
  }
  const guarded = entryPoints.filter((ep) => ep.guarded).length;
  const delegated = entryPoints.filter((ep) => !ep.guarded && ep.delegated !== undefined).length;
  const allowed = entryPoints.filter(
    (ep) => !ep.guarded && ep.delegated === undefined && ep.allowed !== undefined,
  ).length;
  console.log(
    `\n${entryPoints.length} entry points: ${guarded} nonReentrant, ${delegated} in a delegated module (covered by ` +
      `the host's guarded or allow-listed forwarding function), ${allowed} on the allow-list`,
  );
  if (findings.length > 0) {
    console.error(`\ncheck-nonreentrant: ${findings.length} finding(s):`);
    for (const f of findings) console.error(`  - ${f}`);
    process.exit(1);
  }
  console.log("check-nonreentrant: ok");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
