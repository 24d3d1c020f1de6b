// The CLI runs the SDK's generated code: its `as const` ABI modules (sdk/abis), written by
// `scripts/build.mjs` from the compiled contracts and not committed. On a clone that was never built,
// importing the SDK fails deep inside Node's loader (ERR_MODULE_NOT_FOUND .../sdk/abis/index.ts); this
// names what is missing and the one command that makes it, before anything is imported. It imports
// nothing of the project's for that reason (lib/errors.ts and lib/output.ts import the SDK).
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The generated module every SDK import reaches, relative to the project root. */
export const GENERATED_ABIS = join("sdk", "abis", "index.ts");

/** The report's stable machine code, as lib/errors.ts's codes are. */
export const NOT_BUILT = "NOT_BUILT";

/** Why the CLI cannot run from `root` yet, with what to do; undefined when the generated code is there. */
export function missingGeneratedCode(root: string): string | undefined {
  if (existsSync(join(root, GENERATED_ABIS))) return undefined;
  return (
    `this clone has not been built yet: the SDK's generated ABI modules (${GENERATED_ABIS}) are missing. ` +
    "Run `npm run build -- --no-tests` once in the project folder (about a minute: it compiles the contracts and " +
    "writes the ABIs; `npm start` and `npm test` do it too), then run the command again."
  );
}

/** The failure as every command reports one (lib/output.ts): `error: ...` on stderr, or `{"error": ...}` with --json. */
export function unbuiltReport(message: string, json: boolean): { stdout: string; stderr: string } {
  if (json) return { stdout: `${JSON.stringify({ error: { code: NOT_BUILT, message } }, null, 2)}\n`, stderr: "" };
  return { stdout: "", stderr: `error: ${message}\n` };
}
