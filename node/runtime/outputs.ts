// Collects a finished workload's declared outputs from its output folder into the content store, within
// the spec's byte cap. The workload controlled that folder, so nothing in it is trusted: symlinks (which
// could point at the host's files) and anything that is not a regular file are refused, never followed.
import { lstat, readdir, realpath } from "node:fs/promises";
import { join, sep } from "node:path";

import {
  relativeOutputPath,
  type ManifestOutput,
  type OmittedOutputReason,
  type WorkloadSpec,
} from "../../sdk/index.ts";
import type { ContentStore } from "../store/content-store.ts";

/** What collection produced: the manifest's outputs (sorted by path), what was left out and why, and whether the cap cut anything. */
export interface CollectedOutputs {
  outputs: ManifestOutput[];
  omitted: { path: string; reason: OmittedOutputReason }[];
  truncated: boolean;
}

/** Collects `declared.paths` (files, or folders taken whole) from `outputDir` into `store`, at most `declared.maxBytes` in total. */
export async function collectOutputs(
  outputDir: string,
  declared: WorkloadSpec["outputs"],
  store: ContentStore,
): Promise<CollectedOutputs> {
  const root = await realpath(outputDir);
  const files = new Map<string, number>();
  const omitted = new Map<string, OmittedOutputReason>();
  for (const declaredPath of declared.paths) {
    const relative = relativeOutputPath(declaredPath);
    const blocked = await symlinkOnTheWay(root, relative);
    if (blocked !== undefined) {
      omitted.set(relative, blocked);
      continue;
    }
    await gather(root, relative, files, omitted);
  }
  const outputs: ManifestOutput[] = [];
  let total = 0;
  let truncated = false;
  for (const [path, size] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (total + size > declared.maxBytes) {
      omitted.set(path, "over-cap");
      truncated = true;
      continue;
    }
    const stored = await store.putFile(join(root, path));
    // The size is re-read while storing: the stored bytes are what the manifest describes.
    total += stored.size;
    outputs.push({ path, size: stored.size, sha256: stored.sha256 });
  }
  return {
    outputs,
    omitted: [...omitted].map(([path, reason]) => ({ path, reason })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    truncated,
  };
}

/** Why the path cannot be entered safely (a symlink or a missing folder on the way), or undefined. */
async function symlinkOnTheWay(root: string, relative: string): Promise<OmittedOutputReason | undefined> {
  const segments = relative.split("/");
  let current = root;
  for (const segment of segments.slice(0, -1)) {
    current = join(current, segment);
    const info = await lstat(current).catch(() => undefined);
    if (info === undefined) return "missing";
    if (info.isSymbolicLink()) return "symlink";
    if (!info.isDirectory()) return "not-a-regular-file";
  }
  return undefined;
}

async function gather(
  root: string,
  relative: string,
  files: Map<string, number>,
  omitted: Map<string, OmittedOutputReason>,
): Promise<void> {
  const absolute = join(root, relative);
  if (!absolute.startsWith(root + sep)) {
    omitted.set(relative, "not-a-regular-file");
    return;
  }
  const info = await lstat(absolute).catch(() => undefined);
  if (info?.isDirectory()) {
    for (const entry of (await readdir(absolute)).sort()) {
      await gather(root, `${relative}/${entry}`, files, omitted);
    }
    return;
  }
  if (info?.isFile()) {
    files.set(relative, info.size);
    return;
  }
  omitted.set(relative, info === undefined ? "missing" : info.isSymbolicLink() ? "symlink" : "not-a-regular-file");
}
