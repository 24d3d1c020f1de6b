// For tests that need a real container engine: runs `scripts/containers.mjs` once per test process (it
// installs, starts and builds whatever is missing, idempotently) and fails loudly when it cannot, so an
// engine problem is a red test, never a silent skip.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What the set-up script reports: the API socket and the offline test image, pinned. */
export interface TestEngine {
  socket: string;
  engine: string;
  testImage: string;
  /** `localhost/gridlease-busybox@sha256:...` */
  testImageRef: string;
  testImageDigest: string;
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "containers.mjs");
let engine: TestEngine | undefined;

/** Starts (or finds) the engine and the test image; throws with the script's own explanation on failure. */
export function ensureTestEngine(): TestEngine {
  if (engine) return engine;
  const result = spawnSync(process.execPath, [SCRIPT, "--json"], { encoding: "utf8", timeout: 600_000 });
  if (result.status !== 0) {
    throw new Error(
      `the container engine could not be set up (node scripts/containers.mjs exited ${result.status}):\n${result.stderr}${result.error ? `\n${result.error.message}` : ""}`,
    );
  }
  engine = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "") as TestEngine;
  return engine;
}
