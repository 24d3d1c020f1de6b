// A downloaded result on disk (Node only): the outputs under their manifest paths, the manifest's bytes as
// served and the log, so `gridlease results` and `gridlease arbiter verify` can check them again later; and
// the reverse, an output folder read back for verification.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

import { outputPathProblem } from "../workload/paths.ts";
import type { DownloadedResult } from "./run-workload.ts";

/** Where {@link saveResult} puts things under its folder. */
export const RESULT_LAYOUT = { outputs: "outputs", manifest: "manifest.json", logs: "logs.txt" } as const;

/**
 * Writes `result` under `dir`: `outputs/<path>` for each output, `manifest.json` (the bytes the node served)
 * and `logs.txt`. A path that would leave the folder is refused (the manifest schema already forbids one).
 */
export function saveResult(dir: string, result: DownloadedResult): { outputs: string; manifest: string; logs: string } {
  const root = resolve(dir);
  const outputs = join(root, RESULT_LAYOUT.outputs);
  mkdirSync(outputs, { recursive: true });
  for (const [path, bytes] of result.files) {
    const problem = outputPathProblem(path);
    const target = resolve(outputs, path);
    if (problem !== undefined || !target.startsWith(outputs + sep)) {
      throw new Error(
        `refusing to write output "${path}" outside ${outputs}${problem === undefined ? "" : ` (${problem})`}`,
      );
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  const manifest = join(root, RESULT_LAYOUT.manifest);
  const logs = join(root, RESULT_LAYOUT.logs);
  writeFileSync(manifest, result.manifestBytes);
  writeFileSync(logs, result.logs);
  return { outputs, manifest, logs };
}

/** Every regular file under `dir`, keyed by its path relative to `dir` with forward slashes. */
export function readOutputFolder(dir: string): Map<string, Uint8Array> {
  const root = resolve(dir);
  const files = new Map<string, Uint8Array>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set(relative(root, full).split(sep).join("/"), new Uint8Array(readFileSync(full)));
    }
  };
  walk(root);
  return files;
}
