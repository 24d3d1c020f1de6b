// The project folder, for the harness's child processes (Hardhat, Ignition, the indexer) and their files.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder (package.json, ignition/, node_modules/). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
