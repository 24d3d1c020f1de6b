// `npm run bench [-- --update-baseline] [-- --only=gas,growth]`: builds the production profile and the
// SDK's ABIs (scripts/build.mjs --no-tests), then runs scripts/bench/run.ts under `hardhat run` on that
// build. Not part of `npm test`.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const args = process.argv.slice(2);
const known = (a: string) => a === "--update-baseline" || a.startsWith("--only=");
const unknown = args.filter((a) => !known(a));
if (unknown.length > 0) {
  console.error(`unknown option(s) ${unknown.join(" ")}; use --update-baseline and/or --only=<section-id prefixes>`);
  process.exit(2);
}
const env = { ...process.env };
if (args.includes("--update-baseline")) env.BENCH_UPDATE_BASELINE = "1";
const only = args.find((a) => a.startsWith("--only="));
if (only !== undefined) env.BENCH_ONLY = only.slice("--only=".length);

const started = Date.now();
function hardhat(...hhArgs: string[]): void {
  const r = spawnSync("hardhat", hhArgs, { stdio: "inherit", env, shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// The sections import the SDK, whose ABI modules are generated from the artifacts (not committed).
const build = spawnSync(
  process.execPath,
  [join(import.meta.dirname, "..", "build.mjs"), "--build-profile", "production", "--no-tests"],
  { stdio: "inherit", env },
);
if (build.status !== 0) process.exit(build.status ?? 1);
hardhat("run", "--build-profile", "production", "--no-compile", "scripts/bench/run.ts");
console.log(`bench: ${((Date.now() - started) / 1000).toFixed(1)} s in total (build included)`);
