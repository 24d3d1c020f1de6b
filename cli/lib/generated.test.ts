import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { missingGeneratedCode } from "../../sdk/generated.ts";
import { PROJECT_ROOT, scratchFolders } from "../../sdk/test-support.ts";
import { NOT_BUILT } from "./generated.ts";

describe("the gridlease executable on a clone that was never built", () => {
  const newRoot = scratchFolders("gridlease-unbuilt-cli-");

  /** The executable and the check alone, in a project folder with no generated SDK code: reaching the import
   * of program.ts (absent here) would fail with ERR_MODULE_NOT_FOUND instead. */
  function runUnbuilt(...args: string[]): SpawnSyncReturns<string> & { root: string } {
    const root = newRoot();
    mkdirSync(join(root, "cli", "lib"), { recursive: true });
    mkdirSync(join(root, "sdk"));
    for (const file of [join("cli", "gridlease.ts"), join("cli", "lib", "generated.ts"), join("sdk", "generated.ts")])
      copyFileSync(join(PROJECT_ROOT, file), join(root, file));
    const run = spawnSync(process.execPath, [join(root, "cli", "gridlease.ts"), ...args], { encoding: "utf8" });
    return { ...run, root };
  }

  it("stops with that message on stderr and exit status 2 (bad configuration), before it imports the SDK", () => {
    const run = runUnbuilt("--help");
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`error: ${missingGeneratedCode(run.root)}\n`);
    expect(run.stdout).toBe("");
  });

  it("reports it as the JSON error object with --json, as every command does", () => {
    const run = runUnbuilt("renter", "status", "1", "--json");
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: NOT_BUILT, message: missingGeneratedCode(run.root) } });
  });
});
