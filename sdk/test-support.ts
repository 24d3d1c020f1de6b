// Helpers of the vitest tests: the SDK's own, and the CLI's and simulator's that use scratchFolders (Node-only; not
// exported by any entry point).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterEach } from "vitest";

/** The project folder (artifacts/, contracts/). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Scratch folders for the tests of the suite (or file) this is called in: the returned function makes one under
 * the system's temporary folder, and every folder made is removed after each test.
 */
export function scratchFolders(prefix: string): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  return () => {
    const folder = mkdtempSync(join(tmpdir(), prefix));
    made.push(folder);
    return folder;
  };
}

/** A Hardhat artifact's ABI, its source name and the solc output it was built from. */
export interface Artifact {
  /** The contract's ABI (the parts the tests read). */
  abi: { type: string; name?: string; inputs?: { internalType?: string; components?: unknown[] }[] }[];
  /** The source file, e.g. "contracts/market/JobMarket.sol". */
  sourceName: string;
  /** The source's name in the solc input (its key in the build info's sources). */
  inputSourceName: string;
  /** The build the artifact came from (artifacts/build-info/<id>.json and <id>.output.json). */
  buildInfoId: string;
  /** The runtime bytecode (0x-prefixed hex). */
  deployedBytecode: string;
}

/** The artifact of `contracts/<path>` (e.g. "market/JobMarket.sol/JobMarket.json"); built by `node scripts/build.mjs`. */
export function artifact(path: string): Artifact {
  const file = join(PROJECT_ROOT, "artifacts", "contracts", path);
  if (!existsSync(file)) throw new Error(`${file} is missing: build the contracts first (node scripts/build.mjs)`);
  return JSON.parse(readFileSync(file, "utf8")) as Artifact;
}

/** The AST of the artifact's source file, from its build info. */
export function sourceAst(a: Artifact): unknown {
  const output = JSON.parse(
    readFileSync(join(PROJECT_ROOT, "artifacts", "build-info", `${a.buildInfoId}.output.json`), "utf8"),
  ) as {
    output: { sources: Record<string, { ast: unknown }> };
  };
  const source = output.output.sources[a.inputSourceName];
  if (source === undefined) throw new Error(`no AST for ${a.inputSourceName} in build info ${a.buildInfoId}`);
  return source.ast;
}

/** Every node of an AST with `nodeType`. */
export function astNodes(
  ast: unknown,
  nodeType: string,
  found: Record<string, unknown>[] = [],
): Record<string, unknown>[] {
  if (Array.isArray(ast)) for (const child of ast) astNodes(child, nodeType, found);
  else if (ast !== null && typeof ast === "object") {
    const node = ast as Record<string, unknown>;
    if (node.nodeType === nodeType) found.push(node);
    for (const value of Object.values(node))
      if (value !== null && typeof value === "object") astNodes(value, nodeType, found);
  }
  return found;
}
