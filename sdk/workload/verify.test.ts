import { describe, expect, it } from "vitest";

import { testManifest } from "./test-manifest.ts";
import { sha256Hex, verifyOutputs } from "./verify.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const manifest = testManifest({
  outputs: [
    { path: "a.txt", size: 5, sha256: sha256Hex(bytes("hello")) },
    { path: "dir/b.txt", size: 3, sha256: sha256Hex(bytes("abc")) },
  ],
});

describe("verifyOutputs", () => {
  it("finds nothing wrong when every file matches (bytes or precomputed hashes)", () => {
    expect(sha256Hex(bytes("hello"))).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(
      verifyOutputs(manifest, { "a.txt": bytes("hello"), "dir/b.txt": { size: 3, sha256: sha256Hex(bytes("abc")) } }),
    ).toEqual([]);
  });

  it("lists every mismatch by path: missing, size, content, unlisted", () => {
    const files = new Map<string, Uint8Array>([
      ["a.txt", bytes("HELLO")],
      ["extra.bin", bytes("x")],
    ]);
    expect(verifyOutputs(manifest, files)).toEqual([
      { path: "a.txt", problem: "sha256", expected: sha256Hex(bytes("hello")), actual: sha256Hex(bytes("HELLO")) },
      { path: "dir/b.txt", problem: "missing" },
      { path: "extra.bin", problem: "unlisted" },
    ]);
    expect(verifyOutputs(manifest, { "a.txt": bytes("hell"), "dir/b.txt": bytes("abc") })).toEqual([
      { path: "a.txt", problem: "size", expected: "5", actual: "4" },
    ]);
  });
});
