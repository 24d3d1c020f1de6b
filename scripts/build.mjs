#!/usr/bin/env node
// Builds the contracts, then the Solidity tests one folder at a time (one file at a time if a folder
// fails). Why: Hardhat compiles all test files with their dependencies in a single solc job, and
// solc-js (WebAssembly, the only compiler available offline) runs out of memory on that job
// ("memory access out of bounds", HHE908). Smaller jobs compile fine, and Hardhat's cache then
// makes `hardhat test --no-compile` see a complete build.
// Last, the SDK's `as const` ABIs (sdk/abis, not committed) are generated from the artifacts. First, the
// pinned toolchain is bootstrapped if it is not in place (scripts/bootstrap.mjs).
// Usage: node scripts/build.mjs [--no-tests] [--build-profile NAME]
//   --no-tests: the contracts and the SDK's ABIs only, without the Solidity tests: what `npm run gas`,
//   `npm run bench`, `npm run test:indexer` and the other commands outside `npm test` need.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const hardhat = join(root, "node_modules", ".bin", "hardhat");
const contractsOnly = process.argv.includes("--no-tests");
const extraArgs = process.argv.slice(2).filter((arg) => arg !== "--no-tests");

function build(args) {
  const result = spawnSync(hardhat, ["build", "--quiet", ...args, ...extraArgs], { cwd: root, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status === 0;
}

/**
 * Solidity files under test/solidity grouped by folder. Handlers and other helpers are included, not
 * only the `.t.sol` tests: the invariant runner looks a target contract's ABI up in its artifact, and
 * Hardhat writes artifacts only for the files it is asked to build.
 */
function testGroups(dir, groups = new Map()) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) testGroups(path, groups);
    else if (entry.name.endsWith(".sol")) {
      const folder = relative(root, dir);
      groups.set(folder, [...(groups.get(folder) ?? []), relative(root, path)]);
    }
  }
  return groups;
}

// A clone where `npm ci` ran under the machine's Node 20 has no native binding for Hardhat (HHE27). The
// commands that build all come through here, so each bootstraps the pinned toolchain first, as `npm start`
// and `npm test` do (a no-op of a few milliseconds once it is in place).
const bootstrap = spawnSync(process.execPath, [join(root, "scripts", "bootstrap.mjs")], {
  cwd: root,
  stdio: "inherit",
});
if (bootstrap.error) throw bootstrap.error;
if (bootstrap.status !== 0) process.exit(bootstrap.status ?? 1);

if (!build(["--no-tests"])) process.exit(1);
for (const [folder, files] of contractsOnly ? [] : testGroups(join(root, "test", "solidity"))) {
  if (build(["--no-contracts", ...files])) continue;
  console.error(`[build] compiling ${folder} in one job failed; compiling its files one by one`);
  for (const file of files) {
    if (!build(["--no-contracts", file])) {
      console.error(`[build] ${file} does not compile`);
      process.exit(1);
    }
  }
}

// The SDK's ABI modules (sdk/abis/*.ts) from the fresh artifacts; the CLI, the indexer and tsc need them.
// The pinned Node 22 (type stripping) even when this script itself runs on an older node.
const node = existsSync(join(root, "node_modules", ".bin", "node"))
  ? join(root, "node_modules", ".bin", "node")
  : process.execPath;
const abis = spawnSync(node, [join(root, "sdk", "scripts", "generate-abis.ts")], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
});
if (abis.error) throw abis.error;
if (abis.status !== 0) process.exit(1);
