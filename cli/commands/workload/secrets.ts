// The secrets a workload spec names, from --secret NAME=value (repeatable) and --secrets-file <json>: checked
// against the spec before anything is sent, so a job is never posted for a workload that cannot start.
import { readFileSync } from "node:fs";

import type { WorkloadSpec } from "../../../sdk/index.ts";
import { invalidInput } from "../../lib/errors.ts";

/** commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The secrets from the options, exactly the ones `spec` names (a missing one or an unknown one is refused). */
export function parseSecrets(spec: WorkloadSpec, pairs: readonly string[] = [], file?: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw invalidInput(`--secrets-file: cannot read "${file}" as JSON (${(e as Error).message}).`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw invalidInput(`--secrets-file: "${file}" must hold a JSON object of NAME -> string value.`);
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== "string") throw invalidInput(`--secrets-file: the secret ${name} must be a string.`);
      secrets[name] = value;
    }
  }
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw invalidInput(`--secret must be NAME=value, got "${pair.slice(0, 40)}".`);
    secrets[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const missing = spec.secrets.filter((name) => !(name in secrets));
  if (missing.length > 0) {
    throw invalidInput(
      `The workload needs the secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: pass --secret NAME=value or --secrets-file. Nothing was sent.`,
    );
  }
  const unknown = Object.keys(secrets).filter((name) => !spec.secrets.includes(name));
  if (unknown.length > 0) {
    throw invalidInput(
      `The workload spec does not name the secret${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: only ${spec.secrets.join(", ") || "none"} can be sent. Nothing was sent.`,
    );
  }
  return secrets;
}
