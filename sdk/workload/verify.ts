// Tier-1 verification: do the files a renter (or an arbiter) holds match what the manifest lists? Pure:
// the caller reads the files however it likes (download, disk) and passes bytes or known hashes.
import { sha256 } from "ethers";

import type { ResultManifest } from "./manifest.ts";

/** A file as the verifier receives it: its bytes, or its size and sha256 already computed. */
export type OutputFile = Uint8Array | { size: number; sha256: string };

/** One disagreement between a manifest and the files at hand. */
export interface OutputMismatch {
  path: string;
  /** missing: listed but not given; size/sha256: content differs; unlisted: given but not in the manifest. */
  problem: "missing" | "size" | "sha256" | "unlisted";
  expected?: string;
  actual?: string;
}

/** sha256 of bytes as 64 lowercase hex characters without a prefix (the manifest's form). */
export function sha256Hex(bytes: Uint8Array): string {
  return sha256(bytes).slice(2);
}

/**
 * Compares every output the manifest lists with `files` (keyed by path relative to the output folder) and
 * returns the mismatches, empty when everything matches. Files the manifest does not list are reported
 * as `unlisted`, so a provider cannot slip extra content past the commitment.
 */
export function verifyOutputs(
  manifest: ResultManifest,
  files: ReadonlyMap<string, OutputFile> | Readonly<Record<string, OutputFile>>,
): OutputMismatch[] {
  const given = files instanceof Map ? new Map(files) : new Map(Object.entries(files));
  const mismatches: OutputMismatch[] = [];
  for (const listed of manifest.outputs) {
    const file = given.get(listed.path);
    given.delete(listed.path);
    if (file === undefined) {
      mismatches.push({ path: listed.path, problem: "missing" });
      continue;
    }
    const actual = file instanceof Uint8Array ? { size: file.length, sha256: sha256Hex(file) } : file;
    if (actual.size !== listed.size) {
      mismatches.push({
        path: listed.path,
        problem: "size",
        expected: String(listed.size),
        actual: String(actual.size),
      });
    } else if (actual.sha256.toLowerCase() !== listed.sha256) {
      mismatches.push({ path: listed.path, problem: "sha256", expected: listed.sha256, actual: actual.sha256 });
    }
  }
  for (const path of given.keys()) mismatches.push({ path, problem: "unlisted" });
  return mismatches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
