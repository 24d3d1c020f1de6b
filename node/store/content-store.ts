// The provider node's content-addressed store: every output, log and input is kept once, named by its
// sha256, so a result manifest's hashes are also the addresses of the bytes it describes.
import { createHash } from "node:crypto";
import { constants, createReadStream, createWriteStream, existsSync } from "node:fs";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";

/** A blob's address and length. */
export interface StoredBlob {
  /** sha256 of the content, 64 lowercase hex characters. */
  sha256: string;
  size: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** sha256-named blobs under `<root>/sha256/`, written atomically (temporary file, then rename) and read-only once stored. */
export class ContentStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Where the blob with this sha256 lives (whether or not it is stored yet). */
  path(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) {
      throw new Error(`not a sha256 (64 lowercase hex characters): ${JSON.stringify(sha256)}`);
    }
    return join(this.root, "sha256", sha256);
  }

  /** Whether the blob is stored. */
  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  /** Stores bytes; returns their address. */
  async putBytes(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (this.has(sha256)) return { sha256, size: bytes.length };
    const temporary = await this.temporaryPath();
    const handle = await open(temporary, "wx", 0o444);
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    await this.commit(temporary, sha256);
    return { sha256, size: bytes.length };
  }

  /**
   * Copies a regular file into the store, hashing while copying (so the address always matches the bytes
   * stored, even if the source changes meanwhile). Opens with O_NOFOLLOW: a symlink is refused, not followed.
   */
  async putFile(source: string): Promise<StoredBlob> {
    const input = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
    const temporary = await this.temporaryPath();
    const hash = createHash("sha256");
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback): void {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    await pipeline(
      createReadStream("", { fd: input }),
      tap,
      createWriteStream(temporary, { flags: "wx", mode: 0o444 }),
    );
    const sha256 = hash.digest("hex");
    await this.commit(temporary, sha256);
    return { sha256, size };
  }

  private async temporaryPath(): Promise<string> {
    const folder = join(this.root, "tmp");
    await mkdir(folder, { recursive: true });
    return join(folder, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  }

  private async commit(temporary: string, sha256: string): Promise<void> {
    const destination = this.path(sha256);
    if (existsSync(destination)) {
      await rm(temporary, { force: true });
      return;
    }
    await mkdir(join(this.root, "sha256"), { recursive: true });
    await chmod(temporary, 0o444);
    await rename(temporary, destination);
  }
}
