// Fails when a deployable contract of the production build breaks EIP-170 (runtime code above
// 24,576 bytes) or EIP-3860 (init code above 49,152 bytes), or when a production contract (every
// contract under contracts/ except contracts/mocks) uses more than 85% of EIP-170 (20,889 bytes of
// runtime code): the margin keeps room for fixes and small features without another split of a
// contract. Mocks only need the hard limits. The simulated test network lifts the limit for the
// unoptimised test build, so this is the check that the real deployment fits.
// Prints each contract's size and, for production contracts, its room in bytes under the 85% cap.
// Run after `hardhat build --build-profile production` (`npm run check:sizes` does both).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const RUNTIME_LIMIT = 24_576;
const INITCODE_LIMIT = 49_152;
/** Production contracts may use at most this share of EIP-170: floor(24,576 x 0.85) = 20,889 bytes. */
const PRODUCTION_SHARE = 0.85;
const PRODUCTION_RUNTIME_CAP = Math.floor(RUNTIME_LIMIT * PRODUCTION_SHARE);
/** Sources whose contracts only need the hard limits (test doubles, never deployed to a real network). */
const MOCKS_DIR = "contracts/mocks/";
const root = join(import.meta.dirname, "..");
const artifactsDir = join(root, "artifacts", "contracts");

interface Artifact {
  contractName: string;
  sourceName: string;
  bytecode: string;
  deployedBytecode: string;
}

function* artifacts(dir: string): Generator<Artifact> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* artifacts(path);
    else if (entry.endsWith(".json") && !entry.endsWith(".dbg.json") && entry !== "artifacts.d.ts") {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Artifact>;
      if (typeof parsed.deployedBytecode === "string" && typeof parsed.bytecode === "string") yield parsed as Artifact;
    }
  }
}

const byteLength = (hex: string): number => (hex.length - 2) / 2;
let failures = 0;
const rows: string[] = [];
for (const artifact of artifacts(artifactsDir)) {
  const runtime = byteLength(artifact.deployedBytecode);
  if (runtime === 0) continue; // interfaces and abstract contracts
  const init = byteLength(artifact.bytecode);
  const production = !artifact.sourceName.replaceAll("\\", "/").startsWith(MOCKS_DIR);
  const withinHardLimits = runtime <= RUNTIME_LIMIT && init <= INITCODE_LIMIT;
  const room = PRODUCTION_RUNTIME_CAP - runtime;
  const ok = withinHardLimits && (!production || room >= 0);
  if (!ok) failures++;
  const margin = production
    ? `room ${String(room).padStart(6)} B under the 85% cap (${PRODUCTION_RUNTIME_CAP})`
    : "mock: hard limits only".padEnd(39);
  rows.push(
    `${ok ? "ok  " : "FAIL"} ${artifact.contractName.padEnd(24)} runtime ${String(runtime).padStart(6)} B ` +
      `(${((runtime / RUNTIME_LIMIT) * 100).toFixed(1).padStart(5)}% of ${RUNTIME_LIMIT})  ${margin}  ` +
      `init ${String(init).padStart(6)} B  ${artifact.sourceName}`,
  );
}
console.log(rows.sort().join("\n"));
if (rows.length === 0) {
  console.error(`no artifacts under ${relative(root, artifactsDir)}: build first (npm run check:sizes)`);
  process.exit(1);
}
if (failures > 0) {
  console.error(
    `${failures} contract(s) exceed the EIP-170 / EIP-3860 size limits, or (production contracts) ` +
      `${PRODUCTION_SHARE * 100}% of EIP-170 (${PRODUCTION_RUNTIME_CAP} bytes), in the production build`,
  );
  process.exit(1);
}
console.log(
  `all within EIP-170 / EIP-3860; production contracts within ${PRODUCTION_SHARE * 100}% of EIP-170 ` +
    `(${PRODUCTION_RUNTIME_CAP} bytes of runtime code)`,
);
