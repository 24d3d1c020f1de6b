import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sha256Hex } from "../../sdk/index.ts";
import { ContentStore } from "../store/content-store.ts";
import { InputError } from "./errors.ts";
import { fetchInputs } from "./inputs.ts";

const folder = mkdtempSync(join(tmpdir(), "gridlease-inputs-"));
const DATA = new TextEncoder().encode("1\n2\n3\n");
const requests: string[] = [];
const server = createServer((request, response) => {
  requests.push(request.url ?? "");
  if (request.url === "/data.txt") response.end(DATA);
  else response.writeHead(404).end();
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("fetchInputs", () => {
  it("downloads an input once, checks its sha256 and mounts the stored file", async () => {
    const store = new ContentStore(join(folder, "store"));
    const input = { url: `${base}/data.txt`, sha256: sha256Hex(DATA), mountPath: "/gridlease/in/data.txt" };
    const mounts = await fetchInputs([input], store, 1024);
    expect(mounts).toEqual([{ hostPath: store.path(input.sha256), mountPath: "/gridlease/in/data.txt" }]);
    expect(readFileSync(store.path(input.sha256))).toEqual(Buffer.from(DATA));
    await fetchInputs([input], store, 1024);
    expect(requests.filter((url) => url === "/data.txt")).toHaveLength(1);
  });

  it("refuses bytes that do not match the pinned sha256, a failed download and an input over the limit", async () => {
    const store = new ContentStore(join(folder, "other-store"));
    const wrong = { url: `${base}/data.txt`, sha256: "0".repeat(64), mountPath: "/in" };
    await expect(fetchInputs([wrong], store, 1024)).rejects.toThrow(
      `input ${base}/data.txt: downloaded bytes hash to sha256 ${sha256Hex(DATA)}, the spec pins ${"0".repeat(64)}: refusing to run on other data`,
    );
    await expect(fetchInputs([{ ...wrong, url: `${base}/absent` }], store, 1024)).rejects.toThrow(InputError);
    await expect(fetchInputs([{ ...wrong, url: `${base}/absent` }], store, 1024)).rejects.toThrow("answered HTTP 404");
    await expect(fetchInputs([{ ...wrong, sha256: sha256Hex(DATA) }], store, 3)).rejects.toThrow(
      "over the node's 3-byte input limit",
    );
    // Bytes that failed their check are not kept.
    expect(store.has(sha256Hex(DATA))).toBe(false);
  });
});
