import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { ContentStore } from "./content-store.ts";

const folder = mkdtempSync(join(tmpdir(), "gridlease-store-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

describe("ContentStore", () => {
  it("stores bytes and files once under their sha256, read-only", async () => {
    const store = new ContentStore(join(folder, "store"));
    expect(await store.putBytes(new TextEncoder().encode("hello"))).toEqual({ sha256: HELLO_SHA256, size: 5 });
    const source = join(folder, "hello.txt");
    writeFileSync(source, "hello");
    expect(await store.putFile(source)).toEqual({ sha256: HELLO_SHA256, size: 5 });
    expect(readFileSync(store.path(HELLO_SHA256), "utf8")).toBe("hello");
    expect(statSync(store.path(HELLO_SHA256)).mode & 0o777).toBe(0o444);
    expect(store.has("0".repeat(64))).toBe(false);
  });

  it("refuses to follow a symlink and rejects a malformed address", async () => {
    const store = new ContentStore(join(folder, "store"));
    const link = join(folder, "link");
    symlinkSync("/etc/hostname", link);
    await expect(store.putFile(link)).rejects.toThrow(/ELOOP/);
    expect(() => store.path("../../etc/passwd")).toThrow("not a sha256 (64 lowercase hex characters)");
  });
});
