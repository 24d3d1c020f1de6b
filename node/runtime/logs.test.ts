import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { CappedLogFile, demuxLogStream } from "./logs.ts";

const folder = mkdtempSync(join(tmpdir(), "gridlease-logs-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** One multiplexed frame: stream id (1 stdout, 2 stderr), three zero bytes, big-endian length, payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  yield* parts;
}

describe("log demultiplexing", () => {
  it("keeps stdout and stderr payloads in order, across frames split between chunks", async () => {
    const stream = Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "out 2\n")]);
    const path = join(folder, "ordered.log");
    const file = await CappedLogFile.create(path, 1024);
    await demuxLogStream(chunks(stream.subarray(0, 5), stream.subarray(5, 17), stream.subarray(17)), file);
    await file.close();
    expect(readFileSync(path, "utf8")).toBe("out 1\nerr 1\nout 2\n");
    expect(file.truncated).toBe(false);
  });

  it("stops writing at the cap and flags the truncation", async () => {
    const path = join(folder, "capped.log");
    const file = await CappedLogFile.create(path, 8);
    await demuxLogStream(chunks(frame(1, "12345"), frame(2, "67890")), file);
    await file.close();
    expect(readFileSync(path, "utf8")).toBe("12345678");
    expect({ bytes: file.bytes, truncated: file.truncated }).toEqual({ bytes: 8, truncated: true });
  });
});
