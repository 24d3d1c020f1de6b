// Build check: the browser entry point (sdk/index.ts) bundles for the browser, and nothing it imports,
// directly or through a package, reaches a Node built-in (`node:fs`, `crypto`, ...).
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const SDK = dirname(fileURLToPath(import.meta.url));
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Bundles `entry` for the browser; returns the Node built-ins reached (with their importer) and the bundled inputs. */
async function bundle(entry: string): Promise<{ builtins: string[]; inputs: string[] }> {
  const builtins: string[] = [];
  const recorder: Plugin = {
    name: "record-node-builtins",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (!BUILTINS.has(args.path) && !args.path.startsWith("node:")) return undefined;
        builtins.push(`${args.path} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [recorder],
  });
  return { builtins, inputs: Object.keys(result.metafile.inputs) };
}

describe("browser entry point", () => {
  it("sdk/index.ts bundles without reaching a Node built-in", async () => {
    const { builtins, inputs } = await bundle(join(SDK, "index.ts"));
    expect(builtins).toEqual([]);
    // It really is the SDK (and its dependencies) that was walked, not an empty graph.
    expect(inputs.some((input) => input.endsWith("sdk/errors/decode.ts"))).toBe(true);
    expect(inputs.some((input) => input.endsWith("sdk/lifecycle.ts"))).toBe(true);
    expect(inputs.some((input) => input.endsWith("sdk/indexer/client.ts"))).toBe(true);
    expect(inputs.some((input) => input.includes("node_modules/ethers/"))).toBe(true);
    expect(inputs.filter((input) => input.endsWith("sdk/node.ts"))).toEqual([]);
  });

  it("sdk/contracts.ts (typed ethers contracts) bundles without reaching a Node built-in", async () => {
    const { builtins, inputs } = await bundle(join(SDK, "contracts.ts"));
    expect(builtins).toEqual([]);
    // TypeChain's generated code is used for its types only, so none of it is bundled (or loaded by Node).
    expect(inputs.filter((input) => input.includes("types/ethers-contracts/"))).toEqual([]);
    expect(inputs.some((input) => input.endsWith("sdk/abis/JobMarket.ts"))).toBe(true);
  });

  it("sdk/contracts.ts loads on plain Node 22 (type stripping, no bundler, no resolve hook)", async () => {
    const child = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(join(SDK, "contracts.ts"))}); console.log(typeof m.connectProtocol);`,
      ],
      { encoding: "utf8" },
    );
    expect(child.stderr.replace(/^.*ExperimentalWarning.*\n?|^\(Use `node --trace-warnings.*\n?/gm, "")).toBe("");
    expect(child.stdout.trim()).toBe("function");
  });

  it("the check catches a Node built-in (sdk/node.ts reaches node:fs)", async () => {
    const { builtins } = await bundle(join(SDK, "node.ts"));
    expect(builtins.some((b) => b.startsWith("node:fs "))).toBe(true);
  });
});
