// What every leaf command shares: the --json option, and running its body with errors turned into a
// report (text on stderr, or {"error": ...} on stdout with --json) and a non-zero exit status.
import type { Command } from "commander";

import { describeError } from "./errors.js";
import { createOutput, type Output } from "./output.js";

export const JSON_OPTION_HELP = 'print one machine-readable JSON object (failures as {"error": {...}}; exit status non-zero)';

/** Adds the --json option a leaf command needs. */
export function withJson(command: Command): Command {
  return command.option("--json", JSON_OPTION_HELP);
}

/** Runs a command's body; a failure is reported and sets the exit status, never thrown to commander. */
export async function run(command: Command, body: (out: Output) => Promise<void>): Promise<void> {
  const out = createOutput(command.optsWithGlobals<{ json?: boolean }>().json === true);
  try {
    await body(out);
  } catch (error) {
    const report = describeError(error);
    out.error(report);
    process.exitCode = report.exitCode;
  }
}
