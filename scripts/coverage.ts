// `npm run coverage`: line coverage of the protocol's contracts by the whole test suite (mocha and
// Solidity), with a floor CI enforces.
//   1. Builds instrumented contracts, then the Solidity tests folder by folder (scripts/build.mjs; one
//      solc-js job for everything runs out of memory), with hardhat.coverage.config.ts, whose artifacts
//      live under cache/coverage/ so the normal build is never replaced by instrumented bytecode.
//   2. Runs `hardhat test --coverage` (every mocha and Solidity test but the CLI and indexer suites, which
//      run the protocol in other processes); Hardhat writes coverage/lcov.info.
//   3. Prints the line coverage of contracts/ without contracts/mocks/ (test doubles) per file and in
//      total, and fails below the floor (95% unless --min says otherwise) or when a test failed.
// Usage: node scripts/coverage.ts [--min 95] [--report-only]   (--report-only: step 3 on an existing lcov.info)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const CONFIG = "hardhat.coverage.config.ts";
const LCOV = path.join(root, "coverage", "lcov.info");
/** Mocha suites (by top-level title) that run the protocol outside this process. */
const OUT_OF_PROCESS_SUITES = "^(CLI: |indexer )";

export interface FileCoverage {
  file: string;
  found: number;
  hit: number;
  uncovered: number[];
}

/** Per-file line counts from an lcov tracefile (DA:<line>,<count> records). */
export function parseLcov(lcov: string): FileCoverage[] {
  const out: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  for (const raw of lcov.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      current = { file: line.slice(3).replaceAll("\\", "/"), found: 0, hit: 0, uncovered: [] };
    } else if (line.startsWith("DA:") && current !== undefined) {
      const [n, count] = line.slice(3).split(",").map(Number);
      current.found++;
      if (count > 0) current.hit++;
      else current.uncovered.push(n);
    } else if (line === "end_of_record" && current !== undefined) {
      out.push(current);
      current = undefined;
    }
  }
  return out;
}

/** The protocol's own code: contracts/, less the mocks. */
export function isProtocolSource(file: string): boolean {
  return file.startsWith("contracts/") && !file.startsWith("contracts/mocks/");
}

/** Compresses sorted line numbers into ranges: 3,4,5,9 -> "3-5, 9". */
function ranges(lines: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
    parts.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j;
  }
  return parts.join(", ");
}

function run(args: string[]): number {
  const result = spawnSync(args[0], args.slice(1), { cwd: root, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function report(min: number): boolean {
  if (!existsSync(LCOV)) {
    console.error(`coverage: ${path.relative(root, LCOV)} not found; run the tests with --coverage first`);
    return false;
  }
  const files = parseLcov(readFileSync(LCOV, "utf8")).filter((f) => isProtocolSource(f.file));
  files.sort((a, b) => a.file.localeCompare(b.file));
  let found = 0;
  let hit = 0;
  console.log("\nLine coverage of contracts/ (contracts/mocks/ excluded):");
  for (const f of files) {
    found += f.found;
    hit += f.hit;
    const pct = f.found === 0 ? 100 : (100 * f.hit) / f.found;
    const missing = f.uncovered.length === 0 ? "" : `  uncovered: ${ranges(f.uncovered)}`;
    console.log(
      `  ${f.file.padEnd(44)} ${String(f.hit).padStart(4)}/${String(f.found).padEnd(4)} ${pct.toFixed(2).padStart(6)}%${missing}`,
    );
  }
  const total = found === 0 ? 0 : (100 * hit) / found;
  console.log(
    `  ${"Total".padEnd(44)} ${String(hit).padStart(4)}/${String(found).padEnd(4)} ${total.toFixed(2).padStart(6)}%`,
  );
  if (files.length === 0) {
    console.error("coverage: no contract of contracts/ in the report");
    return false;
  }
  if (total < min) {
    console.error(`coverage: ${total.toFixed(2)}% of lines is below the ${min}% floor`);
    return false;
  }
  console.log(`coverage: ${total.toFixed(2)}% of lines (floor ${min}%)`);
  return true;
}

function main(): void {
  const args = process.argv.slice(2);
  const minAt = args.indexOf("--min");
  const min = minAt >= 0 ? Number(args[minAt + 1]) : 95;
  if (!Number.isFinite(min)) throw new Error("--min takes a percentage");
  let testsPassed = true;
  if (!args.includes("--report-only")) {
    const hardhat = path.join(root, "node_modules", ".bin", "hardhat");
    // Tests import the normal build's TypeChain types; a fresh clone has none yet.
    if (!existsSync(path.join(root, "types", "ethers-contracts", "index.ts"))) {
      if (run([process.execPath, path.join(root, "scripts", "build.mjs")]) !== 0) process.exit(1);
    }
    if (run([process.execPath, path.join(root, "scripts", "build.mjs"), "--config", CONFIG, "--coverage"]) !== 0) {
      process.exit(1);
    }
    // The CLI and indexer suites drive separate processes (a `hardhat node`, the CLI, Ponder) whose EVM
    // is not instrumented, so they add no coverage; `npm test` runs them.
    testsPassed =
      run([hardhat, "--config", CONFIG, "test", "--coverage", "--grep-exclude", OUT_OF_PROCESS_SUITES]) === 0;
    if (!testsPassed) console.error("coverage: some tests failed (see above)");
  }
  const ok = report(min);
  process.exit(ok && testsPassed ? 0 : 1);
}

main();
