// How the CLI reports a clone that was never built (the SDK's generated code is missing: sdk/generated.ts),
// before anything that imports the SDK is loaded. It imports nothing of the project's but that check, for that
// reason (lib/errors.ts and lib/output.ts import the SDK).

/** The report's stable machine code, as lib/errors.ts's codes are. */
export const NOT_BUILT = "NOT_BUILT";

/** The failure as every command reports one (lib/output.ts): `error: ...` on stderr, or `{"error": ...}` with --json. */
export function unbuiltReport(message: string, json: boolean): { stdout: string; stderr: string } {
  if (json) return { stdout: `${JSON.stringify({ error: { code: NOT_BUILT, message } }, null, 2)}\n`, stderr: "" };
  return { stdout: "", stderr: `error: ${message}\n` };
}
