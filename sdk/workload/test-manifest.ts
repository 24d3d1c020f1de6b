// A result manifest for the workload tests (not exported by any entry point): valid, with fixed hashes and
// times, so each test states only the fields it is about.
import { RESULT_MANIFEST_SCHEMA_ID, type ResultManifest } from "./manifest.ts";

/** A valid manifest of a clean run with no outputs; `patch` replaces top-level fields. */
export function testManifest(patch: Partial<ResultManifest> = {}): ResultManifest {
  return {
    schema: RESULT_MANIFEST_SCHEMA_ID,
    specHash: `0x${"11".repeat(32)}`,
    imageDigest: `sha256:${"22".repeat(32)}`,
    exitCode: 0,
    stoppedAtDeadline: false,
    startedAt: "2026-12-06T03:00:00.000Z",
    endedAt: "2026-12-06T03:00:01.500Z",
    outputs: [],
    omittedOutputs: [],
    logsSha256: "44".repeat(32),
    logsBytes: 0,
    truncated: { outputs: false, logs: false },
    ...patch,
  };
}
