import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { sha256Hex } from "../../sdk/index.ts";
import { ContentStore } from "../store/content-store.ts";
import { collectOutputs } from "./outputs.ts";

const folder = mkdtempSync(join(tmpdir(), "gridlease-outputs-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("collectOutputs", () => {
  it("collects declared files and folders, refuses symlinks, records missing paths and the cap", async () => {
    const out = join(folder, "out");
    mkdirSync(join(out, "dir", "sub"), { recursive: true });
    writeFileSync(join(out, "a.txt"), "aaaa");
    writeFileSync(join(out, "dir", "b.txt"), "bb");
    writeFileSync(join(out, "dir", "sub", "c.txt"), "cccccc");
    symlinkSync("/etc/passwd", join(out, "dir", "passwd"));
    symlinkSync("/etc", join(out, "etc"));
    const store = new ContentStore(join(folder, "store"));
    const collected = await collectOutputs(
      out,
      { paths: ["a.txt", "/gridlease/out/dir/", "etc/passwd", "nothing"], maxBytes: 7 },
      store,
    );
    expect(collected.outputs).toEqual([
      { path: "a.txt", size: 4, sha256: sha256Hex(new TextEncoder().encode("aaaa")) },
      { path: "dir/b.txt", size: 2, sha256: sha256Hex(new TextEncoder().encode("bb")) },
    ]);
    expect(collected.omitted).toEqual([
      { path: "dir/passwd", reason: "symlink" },
      { path: "dir/sub/c.txt", reason: "over-cap" },
      { path: "etc/passwd", reason: "symlink" },
      { path: "nothing", reason: "missing" },
    ]);
    expect(collected.truncated).toBe(true);
    expect(store.has(collected.outputs[0]?.sha256 ?? "")).toBe(true);
  });
});
