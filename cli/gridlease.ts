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

// A reader that stops early (`gridlease renter create-job ... | head -1`) closes the pipe: later writes fail
// with EPIPE, which must not turn a command that did its work into a crash (a script retrying on failure
// would post the job twice). The rest of the output is dropped, what was sent is reported on stderr, and the
// exit status is the command's own.
let stdoutClosed = false;
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  stdoutClosed = true;
});

const { main } = await import("./program.js");
const { sentSoFar } = await import("./lib/tx.js");
const status = await main(process.argv);
if (stdoutClosed) {
  const sent = sentSoFar();
  process.stderr.write(
    `gridlease: stdout was closed before all output was written (EPIPE); the command finished with exit status ${status}` +
      `${sent.length === 0 ? " and sent no transaction" : `; sent: ${sent.map((t) => `${t.step} ${t.hash}`).join(", ")}`}.\n`,
  );
}
process.exit(status);
