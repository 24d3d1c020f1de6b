// What every leaf command shares: the --json option, and running its body with errors turned into a
// report (text on stderr, or {"error": ...} on stdout with --json) and a non-zero exit status.
import type { Command } from "commander";

import { describeError, EXIT_FAILURE, EXIT_USAGE, type ErrorReport } from "./errors.ts";
import { createOutput, type Output } from "./output.ts";
import { sentSoFar } from "./tx.ts";

export const JSON_OPTION_HELP =
  'print one machine-readable JSON object (failures as {"error": {...}}; exit status non-zero)';

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
    const report = withSentStatus(describeError(error));
    out.error(report);
    process.exitCode = report.exitCode;
  }
}

/**
 * Refusals where nothing was sent exit 2, failures after a transaction went out exit 1: a contract call
 * that reverted while reading or simulating (nothing broadcast yet) is a refusal, and any failure once a
 * transaction was sent says which ones were.
 */
export function withSentStatus(report: ErrorReport): ErrorReport {
  const sent = sentSoFar();
  if (sent.length === 0) {
    if (report.code !== "CONTRACT_ERROR" || report.exitCode === EXIT_USAGE) return report;
    return {
      ...report,
      exitCode: EXIT_USAGE,
      message: /Nothing was sent\.$/.test(report.message) ? report.message : `${report.message} Nothing was sent.`,
    };
  }
  if (report.exitCode !== EXIT_USAGE) return report;
  return {
    ...report,
    exitCode: EXIT_FAILURE,
    message: `${report.message} (Already sent: ${sent.map((t) => `${t.step} ${t.hash}`).join(", ")}.)`,
    details: { ...report.details, sent: sent.map((t) => ({ ...t })) },
  };
}
