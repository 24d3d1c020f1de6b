import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GENERATED_ABIS, missingGeneratedCode, NOT_BUILT } from "./generated.ts";

const cliDir = join(import.meta.dirname, "..");

describe("the gridlease executable on a clone that was never built", () => {
  const roots: string[] = [];
  const newRoot = (): string => {
    const root = mkdtempSync(join(tmpdir(), "gridlease-generated-"));
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** The executable and the check alone, in a project folder with no SDK: reaching the import of
   * program.ts (absent here) would fail with ERR_MODULE_NOT_FOUND instead. */
  function runUnbuilt(...args: string[]): SpawnSyncReturns<string> & { root: string } {
    const root = newRoot();
    mkdirSync(join(root, "cli", "lib"), { recursive: true });
    copyFileSync(join(cliDir, "gridlease.ts"), join(root, "cli", "gridlease.ts"));
    copyFileSync(join(cliDir, "lib", "generated.ts"), join(root, "cli", "lib", "generated.ts"));
    const run = spawnSync(process.execPath, [join(root, "cli", "gridlease.ts"), ...args], { encoding: "utf8" });
    return { ...run, root };
  }

  it("names the missing file and the command that makes it", () => {
    const message = missingGeneratedCode(newRoot());
    expect(message).toContain("sdk/abis/index.ts");
    expect(message).toContain("npm run build -- --no-tests");
  });

  it("has nothing to say once the ABIs are generated, as in this project after its build", () => {
    const root = newRoot();
    const file = join(root, GENERATED_ABIS);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "export {};\n");
    expect(missingGeneratedCode(root)).toBeUndefined();
    expect(missingGeneratedCode(join(cliDir, ".."))).toBeUndefined();
  });

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
