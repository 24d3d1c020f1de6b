import { describe, expect, it } from "vitest";

import { workloadSpecHash } from "../bidding.ts";
import { hashWorkloadSpec, parseWorkloadSpec, workloadSpecBytes, type WorkloadSpec } from "./spec.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

/** A minimal valid batch spec; `patch` overrides top-level fields. */
function batch(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: "gridlease.workload/v1",
    kind: "batch",
    image: `localhost/gridlease-busybox@${DIGEST}`,
    command: ["/bin/sh", "-c"],
    args: ["echo hi > out.txt"],
    resources: { cpu: 1, memoryMb: 64, diskMb: 16 },
    outputs: { paths: ["out.txt"], maxBytes: 1024 },
    ...patch,
  };
}

function parsed(input: unknown): WorkloadSpec {
  const result = parseWorkloadSpec(input);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value;
}

function errorsOf(input: unknown): string[] {
  const result = parseWorkloadSpec(input);
  if (result.ok) throw new Error("expected the spec to be rejected");
  return result.errors;
}

describe("workload spec gridlease.workload/v1", () => {
  it("accepts a batch spec and applies its defaults (no network, no env, no secrets, no inputs)", () => {
    const spec = parsed(batch());
    expect(spec).toMatchObject({ kind: "batch", network: false, env: {}, secrets: [], inputs: [] });
  });

  it("accepts a service spec with its port and health path", () => {
    const spec = parsed(batch({ kind: "service", port: 8080, healthPath: "/health" }));
    expect(spec).toMatchObject({ kind: "service", port: 8080, healthPath: "/health" });
  });

  it("parses JSON text and reports invalid JSON", () => {
    expect(parsed(JSON.stringify(batch())).kind).toBe("batch");
    expect(errorsOf("{ nope")[0]).toMatch(/^\(document\): the workload spec is not valid JSON/);
  });

  it("requires the image pinned by digest and names the field", () => {
    expect(errorsOf(batch({ image: "busybox:latest" }))).toEqual([
      'image: must be pinned by digest as name@sha256:<64 lowercase hex> (a tag alone can change under you), got "busybox:latest"',
    ]);
    expect(errorsOf(batch({ image: "busybox@sha256:abc" }))[0]).toMatch(/^image: must be pinned by digest/);
  });

  it("rejects an unknown kind, schema version or field", () => {
    expect(errorsOf(batch({ kind: "cron" }))).toEqual([
      'kind: kind must be "batch" (runs to completion) or "service" (serves HTTP until the lease ends)',
    ]);
    expect(errorsOf(batch({ schema: "gridlease.workload/v2" }))).toEqual(['schema: must be "gridlease.workload/v1"']);
    expect(errorsOf(batch({ netwrok: true }))[0]).toMatch(/^\(document\): Unrecognized key.*netwrok/);
  });

  it("rejects output paths that escape the output folder, with the path in the message", () => {
    expect(errorsOf(batch({ outputs: { paths: ["../../etc"], maxBytes: 10 } }))).toEqual([
      "outputs.paths[0]: output path \"../../etc\" has a '..' segment, which could escape the output folder",
    ]);
    expect(errorsOf(batch({ outputs: { paths: ["results/../../x"], maxBytes: 10 } }))[0]).toMatch(/'\.\.' segment/);
    expect(errorsOf(batch({ outputs: { paths: ["/etc/passwd"], maxBytes: 10 } }))[0]).toMatch(
      /^outputs\.paths\[0\]: output path "\/etc\/passwd" is absolute but outside the output folder \/gridlease\/out/,
    );
    expect(
      parsed(batch({ outputs: { paths: ["/gridlease/out/a.txt", "dir/", "b"], maxBytes: 10 } })).outputs.paths,
    ).toHaveLength(3);
  });

  it("checks resources, inputs, env names, secrets and the service fields", () => {
    const errors = errorsOf(
      batch({
        resources: { cpu: 0, memoryMb: 2, diskMb: 1.5 },
        inputs: [{ url: "ftp://x/y", sha256: "0xabc", mountPath: "/gridlease/out/in" }],
        env: { "1BAD": "x" },
        secrets: ["TOKEN", "TOKEN"],
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^resources\.cpu: must be a positive number of CPU cores/),
        expect.stringMatching(/^resources\.memoryMb: must be at least 6 MiB/),
        expect.stringMatching(/^resources\.diskMb: /),
        expect.stringMatching(/^inputs\[0\]\.url: must be an http\(s\) URL/),
        expect.stringMatching(/^inputs\[0\]\.sha256: must be the input's sha256/),
        expect.stringMatching(/^inputs\[0\]\.mountPath: must not be inside the output folder/),
        expect.stringMatching(/^env\.1BAD: must be an environment variable name/),
        expect.stringMatching(/^secrets: must not repeat a name/),
      ]),
    );
    expect(errorsOf(batch({ kind: "service", port: 70_000, healthPath: "health" }))).toEqual([
      "port: must be a TCP port, 1 to 65535",
      "healthPath: must be an HTTP path starting with /",
    ]);
    expect(errorsOf(batch({ env: { TOKEN: "x" }, secrets: ["TOKEN"] }))).toEqual([
      "secrets: TOKEN is both a public env value and a secret: keep it in one",
    ]);
  });

  it("hashes the canonical bytes with keccak256: key order and omitted defaults do not matter", () => {
    const spec = parsed(batch());
    const reordered = parsed(
      JSON.parse(JSON.stringify({ outputs: batch().outputs, ...batch(), network: false, env: {} })),
    );
    expect(hashWorkloadSpec(reordered)).toBe(hashWorkloadSpec(spec));
    expect(hashWorkloadSpec(spec)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(hashWorkloadSpec(parsed(batch({ args: ["echo other > out.txt"] })))).not.toBe(hashWorkloadSpec(spec));
    const text = new TextDecoder().decode(workloadSpecBytes(spec));
    expect(text.startsWith('{"args":["echo hi > out.txt"],"command":')).toBe(true);
    expect(text).not.toMatch(/\s"|":\s/);
  });

  it("leaves the simulator's placeholder workloadSpecHash(kind) unchanged", () => {
    expect(workloadSpecHash("batch")).toBe("0xf6793e1bbb952ff60fe4d1e9d1ba84f0ab9f497b2d093089a6b7a1349b307990");
    expect(workloadSpecHash("batch")).not.toBe(hashWorkloadSpec(parsed(batch())));
  });
});
