// Makes sure Debian's Chromium is installed at /usr/bin/chromium, the browser the web dashboard's tests drive
// through playwright-core (Playwright's own browser download cannot work offline). Idempotent: does nothing
// when it is already there. Run by .ci/run and by the web tests' set-up.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where the web tests expect the browser (playwright-core's executablePath). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Installs Chromium with apt-get when it is missing; throws, saying what to do, when that cannot be done here. */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH} and installing it needs root: run ` +
        "`sudo apt-get update && sudo apt-get install -y chromium`, then run the web tests again",
    );
  }
  console.log(`[browser] ${CHROMIUM_PATH} is missing: installing Debian's chromium with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let result = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
    stdio: "inherit",
    env,
  });
  if (result.status !== 0) {
    // A fresh image has no package lists yet.
    spawnSync("apt-get", ["update"], { stdio: "inherit", env });
    result = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env });
  }
  if (result.status !== 0 || !existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `apt-get could not install chromium (exit ${result.status}): check the machine's apt sources and network, ` +
        "then run `node scripts/browser.mjs` again",
    );
  }
  return CHROMIUM_PATH;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(`[browser] Chromium: ${ensureChromium()}`);
  } catch (error) {
    console.error(`[browser] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
