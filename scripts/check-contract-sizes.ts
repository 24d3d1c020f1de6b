// Fails when a deployable contract of the production build breaks EIP-170 (runtime code above
// 24,576 bytes) or EIP-3860 (init code above 49,152 bytes). The simulated test network lifts the
// limit for the unoptimised test build, so this is the check that the real deployment fits.
// Run after `hardhat build --build-profile production` (`npm run check:sizes` does both).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const RUNTIME_LIMIT = 24_576;
const INITCODE_LIMIT = 49_152;
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
  const ok = runtime <= RUNTIME_LIMIT && init <= INITCODE_LIMIT;
  if (!ok) failures++;
  rows.push(
    `${ok ? "ok  " : "FAIL"} ${artifact.contractName.padEnd(24)} runtime ${String(runtime).padStart(6)} B ` +
      `(${((runtime / RUNTIME_LIMIT) * 100).toFixed(1)}% of ${RUNTIME_LIMIT})  init ${init} B  ${artifact.sourceName}`,
  );
}
console.log(rows.sort().join("\n"));
if (rows.length === 0) {
  console.error(`no artifacts under ${relative(root, artifactsDir)}: build first (npm run check:sizes)`);
  process.exit(1);
}
if (failures > 0) {
  console.error(`${failures} contract(s) exceed the EIP-170 / EIP-3860 size limits in the production build`);
  process.exit(1);
}
