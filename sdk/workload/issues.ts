// zod's issues restated as one line each, `field.path[0]: problem`, so a renter sees which field of the
// document is wrong and why without reading zod's structures.
import type { z } from "zod";

/** `a.b[2].c` for a zod issue path; `(document)` for the root. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text === "" ? "(document)" : text;
}

/** Each issue as `path: message`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

/** A parse outcome: the typed value, or every problem found (never only the first). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Parses JSON text (or takes an already-parsed value) and validates it with `schema`. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): ParseResult<T> {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return {
        ok: false,
        errors: [
          `(document): the ${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        ],
      };
    }
  }
  const result = schema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: formatIssues(result.error) };
}
