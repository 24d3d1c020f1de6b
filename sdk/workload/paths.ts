// Where a workload's outputs live inside its container, and how a declared output path maps onto that
// folder. One rule, shared by the schema (which rejects bad paths) and the node (which collects them).

/** The only writable folder inside a workload's container; declared output paths are relative to it. */
export const WORKLOAD_OUTPUT_DIR = "/gridlease/out";

/**
 * Why an output path is unacceptable, or undefined when it is fine. Accepted: a relative path
 * (`result.json`, `stats/summary.txt`) or an absolute one inside {@link WORKLOAD_OUTPUT_DIR}; rejected:
 * any other absolute path, empty, `.` and `..` segments, backslashes and NUL bytes.
 */
export function outputPathProblem(path: string): string | undefined {
  if (path.includes("\0")) return "contains a NUL byte";
  if (path.includes("\\")) return "contains a backslash: use / as the separator";
  const relative = path.startsWith("/") ? stripOutputDir(path) : path;
  if (relative === undefined) {
    return `is absolute but outside the output folder ${WORKLOAD_OUTPUT_DIR}: use a path relative to it`;
  }
  const segments = relative.replace(/\/$/, "").split("/");
  if (segments.includes("..")) return "has a '..' segment, which could escape the output folder";
  if (segments.some((segment) => segment === "" || segment === ".")) {
    return "has an empty or '.' segment: write it as a plain relative path";
  }
  return undefined;
}

/** A valid output path relative to {@link WORKLOAD_OUTPUT_DIR}, without a trailing slash (call {@link outputPathProblem} first). */
export function relativeOutputPath(path: string): string {
  const relative = path.startsWith("/") ? (stripOutputDir(path) ?? path) : path;
  return relative.replace(/\/$/, "");
}

function stripOutputDir(path: string): string | undefined {
  const prefix = `${WORKLOAD_OUTPUT_DIR}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}
