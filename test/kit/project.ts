// The project folder (package.json, ignition/, node_modules/) for tests that run tools or read files in it.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
