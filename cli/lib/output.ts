// Text for people or JSON for scripts and agents. In --json mode stdout carries exactly one JSON
// document per command (the result, or {"error": {...}} when it failed), or one JSON object per line
// for the agent's log; in text mode results go to stdout and errors to stderr.
import type { ErrorReport } from "./errors.ts";

export interface Output {
  readonly json: boolean;
  /** A command's result: `data` in --json mode, `text` lines otherwise. */
  result(data: Record<string, unknown>, text: string | string[]): void;
  /** Progress of a multi-step command (approvals, transactions): text mode only. */
  progress(text: string): void;
  /** One log line (the agent): a JSON object per line in --json mode. */
  event(data: Record<string, unknown>, text: string): void;
  /** A failure report. */
  error(report: ErrorReport): void;
}

/** JSON with bigints as decimal strings (JSON has no integers beyond 2^53). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

export interface Streams {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export function createOutput(json: boolean, streams: Streams = process): Output {
  return {
    json,
    result(data, text) {
      if (json) streams.stdout.write(`${toJson(data, 2)}\n`);
      else streams.stdout.write(`${(Array.isArray(text) ? text : [text]).join("\n")}\n`);
    },
    progress(text) {
      if (!json) streams.stdout.write(`${text}\n`);
    },
    event(data, text) {
      if (json) streams.stdout.write(`${toJson({ time: new Date().toISOString(), ...data })}\n`);
      else streams.stdout.write(`${new Date().toISOString()} ${text}\n`);
    },
    error(report) {
      const { exitCode: _exitCode, ...rest } = report;
      if (json) streams.stdout.write(`${toJson({ error: rest }, 2)}\n`);
      else streams.stderr.write(`error: ${report.message}\n`);
    },
  };
}

/** Lines "label  value" with the labels padded to one column. */
export function table(rows: readonly (readonly [string, string])[], indent = "  "): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}
