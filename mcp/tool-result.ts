// How tools answer: a structured result (structuredContent) with a one-line summary as text, or a tool
// error (isError) whose message says what was wrong and what to do. Every failure, thrown or decoded from a
// revert, becomes such an error, so a bad call never brings the server down.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

import { CliError, describeError, EXIT_USAGE } from "../cli/lib/errors.ts";
import { createOutput, toJson } from "../cli/lib/output.ts";

/** A refusal the server decides itself (bad input, a guard rail): nothing was sent. */
export class ToolRefusal extends CliError {
  constructor(code: string, message: string) {
    super(code, message, { exitCode: EXIT_USAGE });
  }
}

/** The CLI helpers' progress output, discarded: a tool answers once, with its result. */
export const SILENT = createOutput(true, { stdout: { write: () => true }, stderr: { write: () => true } });

/** JSON-safe data: bigints as decimal strings. */
export function jsonSafe(data: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(toJson(data)) as Record<string, unknown>;
}

/** A successful result: `data` as structured content, `summary` (and the data) as text. */
export function toolResult(data: Record<string, unknown>, summary: string): CallToolResult {
  const structured = jsonSafe(data);
  return { structuredContent: structured, content: [{ type: "text", text: `${summary}\n${toJson(structured)}` }] };
}

/** Errors of the SDK whose message is already the whole answer to bad input. */
const INPUT_ERRORS = new Set(["AmountParseError", "QuoteRequestError", "EnumParseError", "JobRequestError"]);

/** A tool error for whatever `error` is. */
export function toolError(error: unknown): CallToolResult {
  const report =
    error instanceof Error && INPUT_ERRORS.has(error.name)
      ? describeError(new ToolRefusal((error as { code?: string }).code ?? "INVALID_INPUT", error.message))
      : error instanceof Error && error.name === "IndexerError"
        ? describeError(new CliError("INDEXER_UNAVAILABLE", error.message))
        : error instanceof Error && ["NodeRequestError", "NodeDiscoveryError", "RunWorkloadError"].includes(error.name)
          ? describeError(new CliError((error as { code?: string }).code ?? "NODE_ERROR", error.message))
          : describeError(error);
  const structured = jsonSafe({
    error: {
      code: report.code,
      message: report.message,
      ...(report.contractError === undefined ? {} : { contractError: report.contractError }),
    },
  });
  return { isError: true, structuredContent: structured, content: [{ type: "text", text: report.message }] };
}

/** Runs a tool's body; any failure becomes a tool error. */
export async function answer(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return toolError(error);
  }
}
