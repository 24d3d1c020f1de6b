#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: installs the pinned toolchain when
// node_modules is missing, stale or incomplete. Runs on the machine's own Node (20+), so it uses
// nothing but Node built-ins.
//
// Why not a plain `npm install`: Hardhat 3 needs Node >= 22, and npm running under Node 20 silently
// skips EDR's native binding (Hardhat then fails with HHE27). So the install itself runs under the
// pinned Node 22 from the npm package `node`, fetched by npx from the npm registry.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pinnedNode = pkg.devDependencies.node;

/**
 * Whether the install recorded in node_modules/.package-lock.json (npm's hidden lockfile) matches
 * package-lock.json: every package the lockfile needs on this machine is installed at its locked version.
 * Optional packages for other platforms are in the lockfile but never installed, so they do not count.
 * A newer package-lock.json file alone (a fresh clone, a `git checkout`, an `npm install` that rewrote it
 * unchanged) is no reason to reinstall.
 */
function lockMatchesInstall(lock, installedLock) {
  let wanted;
  let installed;
  try {
    wanted = JSON.parse(readFileSync(lock, "utf8")).packages ?? {};
    installed = JSON.parse(readFileSync(installedLock, "utf8")).packages ?? {};
  } catch {
    return false;
  }
  for (const [path, entry] of Object.entries(wanted)) {
    if (path === "" || entry.link) continue;
    const have = installed[path];
    if (have === undefined) {
      if (entry.optional || entry.devOptional || entry.peer) continue;
      return false;
    }
    if (have.version !== entry.version) return false;
  }
  for (const path of Object.keys(installed)) if (!(path in wanted)) return false;
  return true;
}

/** Why node_modules needs a (re)install, or null when it is complete. */
function installReason() {
  if (process.env.GRIDLEASE_SKIP_BOOTSTRAP === "1") return null;
  if (!existsSync(modules)) return "node_modules is missing";
  const installedLock = join(modules, ".package-lock.json");
  if (!existsSync(installedLock)) return "node_modules has no record of a completed install";
  const lock = join(root, "package-lock.json");
  if (
    existsSync(lock) &&
    statSync(lock).mtimeMs > statSync(installedLock).mtimeMs + 1000 &&
    !lockMatchesInstall(lock, installedLock)
  ) {
    return "package-lock.json changed since the last install";
  }
  for (const name of Object.keys(pkg.devDependencies)) {
    if (!existsSync(join(modules, name, "package.json"))) return `${name} is not installed`;
  }
  const localNode = join(modules, ".bin", process.platform === "win32" ? "node.cmd" : "node");
  if (!existsSync(localNode)) return `the pinned Node ${pinnedNode} binary is missing`;
  const edrBinding = readdirSync(join(modules, "@nomicfoundation")).some((d) =>
    d.startsWith(`edr-${process.platform}-${process.arch}`),
  );
  if (!edrBinding) return "Hardhat's native EDR binding is missing (installed under the wrong Node?)";
  return null;
}

function run(command, args) {
  console.log(`[bootstrap] $ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: process.env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const reason = installReason();
if (reason !== null) {
  console.log(`[bootstrap] ${reason}: installing the pinned toolchain (Node ${pinnedNode}, Hardhat, solc) ...`);
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  // `npm install`, not `npm ci`: the registry serves no binaries for other platforms, so `npm ci`
  // rejects the lockfile; `npm install` leaves a correct lockfile unchanged.
  const status = run(npx, ["-y", "-p", `node@${pinnedNode}`, "--", "npm", "install", "--no-audit", "--no-fund"]);
  if (status !== 0) {
    console.error(
      "[bootstrap] npm install failed. Check that the npm registry is reachable, then run `npm run bootstrap` again.",
    );
    process.exit(status);
  }
  const after = installReason();
  if (after !== null) {
    console.error(`[bootstrap] the install finished but ${after}. Delete node_modules and run \`npm run bootstrap\`.`);
    process.exit(1);
  }
  console.log("[bootstrap] toolchain ready.");
}
