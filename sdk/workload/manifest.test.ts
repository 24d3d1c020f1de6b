import { keccak256 } from "ethers";
import { describe, expect, it } from "vitest";

import { canonicalJsonBytes } from "./canonical.ts";
import { hashResultManifest, parseResultManifest, type ResultManifest } from "./manifest.ts";
import { testManifest } from "./test-manifest.ts";

const MANIFEST = testManifest({
  outputs: [{ path: "sum.json", size: 3, sha256: "33".repeat(32) }],
  omittedOutputs: [{ path: "big.bin", reason: "over-cap" }],
  logsBytes: 12,
  truncated: { outputs: true, logs: false },
});

describe("result manifest gridlease.result/v1", () => {
  it("round-trips through its schema", () => {
    expect(parseResultManifest(JSON.stringify(MANIFEST))).toEqual({ ok: true, value: MANIFEST });
  });

  it("hashes as keccak256 of the RFC 8785 bytes, independent of key order", () => {
    const shuffled = Object.fromEntries(Object.entries(MANIFEST).reverse()) as ResultManifest;
    expect(hashResultManifest(shuffled)).toBe(hashResultManifest(MANIFEST));
    expect(hashResultManifest(MANIFEST)).toBe(keccak256(canonicalJsonBytes(MANIFEST)));
    expect(hashResultManifest({ ...MANIFEST, exitCode: 1 })).not.toBe(hashResultManifest(MANIFEST));
  });

  it("names each bad field", () => {
    const result = parseResultManifest({
      ...MANIFEST,
      specHash: "0x12",
      outputs: [{ path: "../x", size: -1, sha256: "zz" }],
      extra: 1,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        "specHash: must be a lowercase 0x-prefixed bytes32",
        "outputs[0].path: must be a plain path relative to the output folder",
        expect.stringMatching(/^outputs\[0\]\.size: /),
        "outputs[0].sha256: must be a sha256: 64 lowercase hex characters, no 0x",
        expect.stringMatching(/^\(document\): Unrecognized key.*extra/),
      ]),
    );
  });
});
