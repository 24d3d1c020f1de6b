#!/usr/bin/env node
// The `gridlease` executable (package.json "bin"; `npx gridlease ...` in the project). Runs on the
// pinned Node 22, which strips TypeScript types itself: the project's TypeScript imports each other with
// the ".ts" extension, and the SDK loads TypeChain's output for its types only, so no loader is needed.
import { enableCompileCache } from "node:module";
import { join } from "node:path";
import { missingGeneratedCode } from "../sdk/generated.ts";
import { unbuiltReport } from "./lib/generated.ts";

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

// Before the first import of the SDK, which fails in Node's loader on a clone that was never built.
const unbuilt = missingGeneratedCode(join(import.meta.dirname, ".."));
if (unbuilt !== undefined) {
  const report = unbuiltReport(unbuilt, process.argv.includes("--json"));
  process.stdout.write(report.stdout);
  process.stderr.write(report.stderr);
  // 2, as for any configuration the command cannot run with (lib/errors.ts's EXIT_USAGE, which imports the SDK).
  process.exit(2);
}

const { main } = await import("./program.ts");
const { sentSoFar } = await import("./lib/tx.ts");
const status = await main(process.argv);
if (stdoutClosed) {
  const sent = sentSoFar();
  process.stderr.write(
    `gridlease: stdout was closed before all output was written (EPIPE); the command finished with exit status ${status}` +
      `${sent.length === 0 ? " and sent no transaction" : `; sent: ${sent.map((t) => `${t.step} ${t.hash}`).join(", ")}`}.\n`,
  );
}
process.exit(status);
