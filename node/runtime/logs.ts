// The engine's log stream for a container without a TTY is multiplexed: frames of an 8-byte header
// (stream id, 3 zero bytes, big-endian payload length) then the payload. The node keeps stdout and
// stderr interleaved in arrival order in one file, capped, so a chatty workload cannot fill the disk.
import { open, type FileHandle } from "node:fs/promises";

/** Writes up to `maxBytes` to a file and drops the rest, remembering that it did. */
export class CappedLogFile {
  private written = 0;
  private dropped = false;
  private readonly handle: FileHandle;
  private readonly maxBytes: number;

  // Plain fields, not parameter properties: Node's type stripping (what runs the node) cannot load those.
  private constructor(handle: FileHandle, maxBytes: number) {
    this.handle = handle;
    this.maxBytes = maxBytes;
  }

  /** Creates (or empties) the file at `path`. */
  static async create(path: string, maxBytes: number): Promise<CappedLogFile> {
    return new CappedLogFile(await open(path, "w", 0o600), maxBytes);
  }

  async write(chunk: Uint8Array): Promise<void> {
    const room = this.maxBytes - this.written;
    if (chunk.length > room) this.dropped = true;
    const kept = chunk.length > room ? chunk.subarray(0, Math.max(room, 0)) : chunk;
    if (kept.length === 0) return;
    await this.handle.write(kept);
    this.written += kept.length;
  }

  get bytes(): number {
    return this.written;
  }

  get truncated(): boolean {
    return this.dropped;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * Reads a multiplexed log stream to its end and writes each frame's payload (stdout and stderr alike) to
 * `sink` in order. A trailing partial frame (the engine closed mid-frame) is written as far as it goes.
 */
export async function demuxLogStream(
  stream: AsyncIterable<Uint8Array | string>,
  sink: { write(chunk: Uint8Array): Promise<void> },
): Promise<void> {
  let pending = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = Buffer.concat([pending, typeof chunk === "string" ? Buffer.from(chunk) : chunk]);
    while (pending.length >= 8) {
      const length = pending.readUInt32BE(4);
      if (pending.length < 8 + length) break;
      await sink.write(pending.subarray(8, 8 + length));
      pending = pending.subarray(8 + length);
    }
  }
  if (pending.length > 8) await sink.write(pending.subarray(8));
}
