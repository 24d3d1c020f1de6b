// The example workloads in examples/workloads/ stay valid as the schema evolves.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { hashWorkloadSpec, parseWorkloadSpec } from "./spec.ts";
import { sha256Hex } from "./verify.ts";

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "workloads");

describe("example workloads", () => {
  it("batch.json is a valid batch spec whose input hash matches numbers.txt", () => {
    const result = parseWorkloadSpec(readFileSync(join(EXAMPLES, "batch.json"), "utf8"));
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(result.value.kind).toBe("batch");
    expect(result.value.inputs[0]?.sha256).toBe(sha256Hex(readFileSync(join(EXAMPLES, "numbers.txt"))));
    expect(hashWorkloadSpec(result.value)).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("service.json is a valid service spec", () => {
    const result = parseWorkloadSpec(readFileSync(join(EXAMPLES, "service.json"), "utf8"));
    if (!result.ok) throw new Error(result.errors.join("\n"));
    expect(result.value).toMatchObject({ kind: "service", port: 8080, healthPath: "/health", secrets: ["API_TOKEN"] });
  });
});
