// `npm start` and `npm test` run scripts/bootstrap.mjs first (prestart, pretest), and so does every command
// that builds (scripts/build.mjs runs it before Hardhat). With node_modules
// present and matching package-lock.json it must not reinstall, even when package-lock.json's file is
// newer than the install (a fresh clone, a checkout, an `npm install` that rewrote it unchanged); a
// lockfile whose packages differ from the install still triggers one. Runs the script in a scratch
// project with a fake `npx`, so nothing is ever installed.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { PROJECT_ROOT } from "../kit/project.ts";

function scratchProject(lockVersion: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gridlease-bootstrap-"));
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(PROJECT_ROOT, "scripts", "bootstrap.mjs"), join(dir, "scripts", "bootstrap.mjs"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "x", type: "module", devDependencies: { node: "22.23.3", lib: "1.0.0" } }),
  );
  const modules = join(dir, "node_modules");
  for (const sub of ["node", "lib", ".bin", `@nomicfoundation/edr-${process.platform}-${process.arch}-gnu`, "fake-bin"])
    mkdirSync(join(modules, sub), { recursive: true });
  writeFileSync(join(modules, "node", "package.json"), "{}");
  writeFileSync(join(modules, "lib", "package.json"), "{}");
  writeFileSync(join(modules, ".bin", "node"), "");
  const packages = (version: string) => ({
    "node_modules/node": { version: "22.23.3" },
    "node_modules/lib": { version },
    "node_modules/other-platform": { version: "1.0.0", optional: true },
  });
  const hidden = { packages: { ...packages("1.0.0"), "node_modules/other-platform": undefined } };
  writeFileSync(join(modules, ".package-lock.json"), JSON.stringify(hidden));
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ packages: { "": { name: "x" }, ...packages(lockVersion) } }),
  );
  // The lockfile's file is newer than the install, as after a fresh clone.
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(join(modules, ".package-lock.json"), past, past);
  // A fake npx: an install attempt is visible and fails.
  writeFileSync(join(modules, "fake-bin", "npx"), '#!/bin/sh\necho FAKE-NPX-INSTALL "$@"\nexit 1\n');
  chmodSync(join(modules, "fake-bin", "npx"), 0o755);
  return dir;
}

/** Runs one of the project's scripts in the scratch project, with the fake npx first on the PATH. */
function runScript(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: `${join(dir, "node_modules", "fake-bin")}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? "/tmp",
    },
  });
}

/** What a run printed, for a failure's message (chai shortens the value it shows). */
function output(run: ReturnType<typeof runScript>): string {
  return `exit ${run.status}\n${run.stdout}${run.stderr}`;
}

function bootstrap(dir: string) {
  return runScript(dir, "scripts/bootstrap.mjs");
}

describe("npm start's bootstrap (scripts/bootstrap.mjs)", function () {
  it("does not say 'package-lock.json changed ... installing' when node_modules is present and current", function () {
    const dir = scratchProject("1.0.0");
    try {
      const run = bootstrap(dir);
      expect(run.stdout + run.stderr, output(run)).to.not.match(/changed|installing|FAKE-NPX/);
      expect(run.status, output(run)).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("still reinstalls when package-lock.json pins another version than the one installed", function () {
    const dir = scratchProject("2.0.0");
    try {
      const run = bootstrap(dir);
      expect(run.stdout, output(run)).to.match(/package-lock.json changed since the last install: installing/);
      expect(run.stdout, output(run)).to.contain("FAKE-NPX-INSTALL");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs first in scripts/build.mjs, so every command that builds installs the toolchain it needs", function () {
    // The scratch project has no Hardhat: a build.mjs that did not bootstrap first would spawn the
    // missing node_modules/.bin/hardhat and die with ENOENT instead of attempting the install.
    const dir = scratchProject("2.0.0");
    try {
      copyFileSync(join(PROJECT_ROOT, "scripts", "build.mjs"), join(dir, "scripts", "build.mjs"));
      const run = runScript(dir, "scripts/build.mjs", "--no-tests");
      expect(run.stdout, output(run)).to.match(/package-lock.json changed since the last install: installing/);
      expect(run.stdout, output(run)).to.contain("FAKE-NPX-INSTALL");
      expect(run.stderr, output(run)).to.contain("npm install failed");
      expect(run.stderr, output(run)).to.not.contain("ENOENT");
      expect(run.status, output(run)).to.equal(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
