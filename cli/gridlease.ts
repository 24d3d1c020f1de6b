#!/usr/bin/env node
// The `gridlease` executable (package.json "bin"; `npx gridlease ...` in the project). Runs on the
// pinned Node 22, which strips TypeScript types itself. The project's TypeScript imports each other
// as ".js" (what tsc and TypeChain emit), and Node's type stripping does not map those to ".ts"
// files, so a resolve hook does it before the rest of the CLI is loaded.
import { existsSync } from "node:fs";
import { enableCompileCache, registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (
      parent !== undefined &&
      parent.startsWith("file:") &&
      !parent.includes("/node_modules/") &&
      (specifier.startsWith("./") || specifier.startsWith("../")) &&
      specifier.endsWith(".js")
    ) {
      const js = new URL(specifier, parent);
      const ts = new URL(`${specifier.slice(0, -3)}.ts`, parent);
      if (!existsSync(fileURLToPath(js)) && existsSync(fileURLToPath(ts))) return nextResolve(ts.href, context);
    }
    return nextResolve(specifier, context);
  },
});

// Caches compiled code across runs (os.tmpdir()/node-compile-cache): each command is a fresh process.
enableCompileCache();

const { main } = await import("./program.js");
process.exit(await main(process.argv));
