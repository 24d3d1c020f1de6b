// Field specs: each query names its fields once, with their GraphQL kind; the selection set, the result
// type and the decoder (BigInt strings to bigint, checks that every field has the schema's type) all
// come from that one list, so a query and its decoder cannot drift apart.

import { IndexerError } from "./errors.ts";

/**
 * A field's GraphQL type as this SDK reads it: "bigint" (the BigInt scalar, sent as a decimal string),
 * "int", "float", "string" (hex and text), "boolean", "strings" (a list of strings); "?" marks a nullable one.
 */
export type FieldKind =
  | "bigint"
  | "bigint?"
  | "int"
  | "int?"
  | "float?"
  | "string"
  | "string?"
  | "boolean"
  | "boolean?"
  | "strings";

/** The fields a query selects on one GraphQL type, with their kinds. */
export type FieldSpec = Readonly<Record<string, FieldKind>>;

/** The TypeScript type of a field of `kind`. */
export type FieldValue<K extends FieldKind> = K extends "bigint"
  ? bigint
  : K extends "bigint?"
    ? bigint | null
    : K extends "int"
      ? number
      : K extends "int?" | "float?"
        ? number | null
        : K extends "string"
          ? string
          : K extends "string?"
            ? string | null
            : K extends "boolean"
              ? boolean
              : K extends "boolean?"
                ? boolean | null
                : readonly string[];

/** A decoded row of a {@link FieldSpec}. */
export type Row<S extends FieldSpec> = { readonly [F in keyof S]: FieldValue<S[F]> };

/** The GraphQL selection of a spec's fields ("id renter state"). */
export function selection(spec: FieldSpec): string {
  return Object.keys(spec).join(" ");
}

const INTEGER = /^-?\d+$/;

/** One field's value, checked and converted; throws an IndexerError naming the field otherwise. */
function decodeField(kind: FieldKind, value: unknown, endpoint: string, path: string): unknown {
  const nullable = kind.endsWith("?");
  if (value === null && nullable) return null;
  const bad = (): never => {
    throw new IndexerError(
      endpoint,
      "response",
      `the indexer at ${endpoint} answered ${path} = ${JSON.stringify(value)}, not a ${kind}: the indexer's schema ` +
        `and this SDK differ; update the SDK (sdk/indexer/) or the indexer so they agree`,
    );
  };
  switch (kind) {
    case "bigint":
    case "bigint?":
      if (typeof value !== "string" || !INTEGER.test(value)) return bad();
      return BigInt(value);
    case "int":
    case "int?":
      return typeof value === "number" && Number.isInteger(value) ? value : bad();
    case "float?":
      return typeof value === "number" ? value : bad();
    case "string":
    case "string?":
      return typeof value === "string" ? value : bad();
    case "boolean":
    case "boolean?":
      return typeof value === "boolean" ? value : bad();
    case "strings":
      return Array.isArray(value) && value.every((item) => typeof item === "string")
        ? Object.freeze([...value])
        : bad();
  }
}

/**
 * Decodes one object of the answer by `spec`; `path` names it in errors ("jobs.items[3]").
 * Throws {@link IndexerError} (kind "response") for a missing field or a value of another type.
 */
export function decodeRow<S extends FieldSpec>(spec: S, raw: unknown, endpoint: string, path: string): Row<S> {
  if (typeof raw !== "object" || raw === null) {
    throw new IndexerError(
      endpoint,
      "response",
      `the indexer at ${endpoint} answered ${path} = ${JSON.stringify(raw)}, not an object: the indexer's schema ` +
        `and this SDK differ; update the SDK (sdk/indexer/) or the indexer so they agree`,
    );
  }
  const source = raw as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(spec)) {
    if (!(field in source)) {
      throw new IndexerError(
        endpoint,
        "response",
        `the indexer at ${endpoint} left out ${path}.${field}: the indexer's schema and this SDK differ; update the ` +
          `SDK (sdk/indexer/) or the indexer so they agree`,
      );
    }
    row[field] = decodeField(kind, source[field], endpoint, `${path}.${field}`);
  }
  return row as Row<S>;
}
