import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { CliError } from "../cli/lib/errors.ts";
import { DEFAULT_ENGINE_SOCKET, loadNodeConfig } from "./config.ts";

const ROOT = join(import.meta.dirname, "..");
const folder = mkdtempSync(join(tmpdir(), "gridlease-node-config-"));
const POLICY = { minPricePerGpuHour: { H100: "1.40" } };

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(folder, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function failure(path: string): CliError {
  try {
    loadNodeConfig(path);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return error as CliError;
  }
  throw new Error(`${path} was accepted`);
}

describe("node configuration", () => {
  it("applies the defaults and resolves paths against the config file's folder", () => {
    const config = loadNodeConfig(file("minimal.json", { dataDir: "state", policy: POLICY }));
    expect(config).toMatchObject({
      dataDir: join(folder, "state"),
      engineSocket: DEFAULT_ENGINE_SOCKET,
      api: { host: "127.0.0.1", port: 7311 },
      rpcUrl: undefined,
      deployment: undefined,
      publicUrl: undefined,
    });
    expect(config.policy.floors.get("H100")).toBe(1_400_000_000_000_000_000n);
  });

  it("reads a policy given as a path, as `gridlease agent` does", () => {
    file("policy.json", { ...POLICY, acceptInstant: false });
    const config = loadNodeConfig(file("by-path.json", { dataDir: "/tmp/x", policy: "policy.json" }));
    expect(config.policy.acceptInstant).toBe(false);
  });

  it("accepts the committed example", () => {
    const config = loadNodeConfig(join(ROOT, "examples", "node.json"));
    expect(config.publicUrl).toBe("http://127.0.0.1:7311");
    expect([...config.policy.floors.keys()]).toEqual(["H100", "RTX4090"]);
  });

  it("says a missing file does not exist and where an example is", () => {
    const error = failure(join(folder, "nowhere.json"));
    expect(error.message).toMatch(/nowhere\.json does not exist: pass the path of a JSON file with --config/);
    expect(error.message).toContain("examples/node.json");
  });

  it("says a file that is not JSON is not valid JSON", () => {
    expect(failure(file("bad.json", '{ "dataDir": ')).message).toMatch(
      /bad\.json is invalid:\n {2}- \(document\): not valid JSON/,
    );
  });

  it("names an unknown field and lists the known ones", () => {
    const error = failure(file("unknown.json", { dataDir: "x", policy: POLICY, privateKey: "0x01" }));
    expect(error.message).toMatch(/unknown field "privateKey"; known: rpcUrl, deployment, dataDir/);
  });

  it("names an unknown GPU model of the policy", () => {
    const error = failure(file("model.json", { dataDir: "x", policy: { minPricePerGpuHour: { H1000: "1" } } }));
    expect(error.message).toMatch(/policy: .*unknown GPU model "H1000" \(use H200, H100, /);
  });

  it("names each missing or malformed field", () => {
    const error = failure(file("fields.json", { rpcUrl: "localhost:8545", api: { port: 70_000 }, policy: POLICY }));
    expect(error.message).toMatch(/rpcUrl: must be an http\(s\) URL/);
    expect(error.message).toMatch(/api\.port: must be from 0 to 65535/);
    expect(error.message).toMatch(/dataDir: is required/);
  });

  it("gridlease node refuses to start without the key in the environment, and says it is never read from the file", () => {
    const path = file("keyless.json", { dataDir: "state", policy: POLICY });
    const env = { ...process.env };
    delete env.GRIDLEASE_PRIVATE_KEY;
    const result = spawnSync(
      process.execPath,
      [join(ROOT, "cli", "gridlease.ts"), "node", "--config", path, "--json"],
      {
        env,
        encoding: "utf8",
      },
    );
    expect(result.status).toBe(2);
    const report = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(report.error.code).toBe("MISSING_KEY");
    expect(report.error.message).toContain("GRIDLEASE_PRIVATE_KEY");
    expect(report.error.message).toContain("never read from the config file");
  });
});
