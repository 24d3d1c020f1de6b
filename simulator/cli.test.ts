import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { missingGeneratedCode } from "../sdk/generated.ts";
import { PROJECT_ROOT, scratchFolders } from "../sdk/test-support.ts";

describe("npm run simulate on a clone that was never built", () => {
  const newRoot = scratchFolders("gridlease-unbuilt-simulate-");

  it("says what is missing and what to run, instead of failing in Node's loader", () => {
    // The entry and the check alone: reaching the import of program.ts (absent here) would fail with
    // ERR_MODULE_NOT_FOUND instead.
    const root = newRoot();
    for (const folder of ["simulator", "sdk"]) mkdirSync(join(root, folder));
    for (const file of [join("simulator", "cli.ts"), join("sdk", "generated.ts")])
      copyFileSync(join(PROJECT_ROOT, file), join(root, file));
    // ES modules, as in the project (tsx compiles a folder without "type": "module" to CommonJS).
    copyFileSync(join(PROJECT_ROOT, "package.json"), join(root, "package.json"));
    // As `npm run simulate` runs it (node --import tsx), from the project folder, where tsx is installed.
    const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "simulator", "cli.ts"), "--days", "1"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`[sim] ${missingGeneratedCode(root)}`);
    expect(run.stderr).toContain("`npm start` builds, deploys and runs one");
    expect(run.stderr).not.toContain("ERR_MODULE_NOT_FOUND");
  });
});
