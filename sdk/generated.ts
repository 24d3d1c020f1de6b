// The SDK's generated code: its `as const` ABI modules (sdk/abis), written by `scripts/build.mjs` from the
// compiled contracts and not committed. On a clone that was never built, importing the SDK fails deep inside
// Node's loader (ERR_MODULE_NOT_FOUND .../sdk/abis/index.ts). The programs that run the SDK (the CLI, the
// market simulator) ask this first, before their first import of the SDK; so it imports nothing itself.
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The generated module every SDK import reaches, relative to the project root. */
export const GENERATED_ABIS = join("sdk", "abis", "index.ts");

/** Why the SDK cannot be loaded from the project at `root` yet, with what to do; undefined once it is built. */
export function missingGeneratedCode(root: string): string | undefined {
  if (existsSync(join(root, GENERATED_ABIS))) return undefined;
  return (
    `this clone has not been built yet: the SDK's generated ABI modules (${GENERATED_ABIS}) are missing. ` +
    "Run `npm run build -- --no-tests` once in the project folder (about a minute: it compiles the contracts and " +
    "writes the ABIs; `npm start` and `npm test` do it too), then run the command again."
  );
}
