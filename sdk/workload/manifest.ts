// The result manifest `gridlease.result/v1`: what a provider's node ran and produced. Its hash (keccak256
// of the RFC 8785 bytes) is the result commitment the node delivers on-chain, so anyone holding the
// outputs can check them against the chain (the first tier of verification: integrity).
import { z } from "zod";

import { canonicalJsonKeccak256 } from "./canonical.ts";
import { parseWith, type ParseResult } from "./issues.ts";
import { outputPathProblem } from "./paths.ts";
import { SHA256_HEX } from "./spec.ts";

/** The `schema` value of every v1 result manifest. */
export const RESULT_MANIFEST_SCHEMA_ID = "gridlease.result/v1";

const bytes32 = z.string().regex(/^0x[0-9a-f]{64}$/, { error: "must be a lowercase 0x-prefixed bytes32" });
const sha256 = z.string().regex(SHA256_HEX, { error: "must be a sha256: 64 lowercase hex characters, no 0x" });
const relativePath = z.string().refine((path) => !path.startsWith("/") && outputPathProblem(path) === undefined, {
  error: "must be a plain path relative to the output folder",
});
const byteCount = z.int().nonnegative();

const output = z.strictObject({ path: relativePath, size: byteCount, sha256 });

/** Why an output was left out of the manifest. */
export const OMITTED_OUTPUT_REASONS = ["missing", "symlink", "not-a-regular-file", "over-cap"] as const;

/** The zod schema of a v1 result manifest. */
export const resultManifestSchema = z.strictObject({
  schema: z.literal(RESULT_MANIFEST_SCHEMA_ID, { error: `must be "${RESULT_MANIFEST_SCHEMA_ID}"` }),
  specHash: bytes32,
  /** The image that ran, by content: `sha256:<64 hex>`. */
  imageDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: "must be sha256:<64 lowercase hex>" }),
  /** The workload's exit code (128 + signal when it was stopped). */
  exitCode: z.int(),
  /** True when the node stopped the workload because the paid time ended. */
  stoppedAtDeadline: z.boolean(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  /** Collected outputs, sorted by path. */
  outputs: z.array(output),
  /** Declared outputs not collected, and why (a missing file, a symlink, the size cap reached). */
  omittedOutputs: z.array(z.strictObject({ path: z.string(), reason: z.enum(OMITTED_OUTPUT_REASONS) })),
  /** sha256 and length of the log file as stored (stdout and stderr interleaved, capped). */
  logsSha256: sha256,
  logsBytes: byteCount,
  truncated: z.strictObject({ outputs: z.boolean(), logs: z.boolean() }),
});

/** A validated result manifest. */
export type ResultManifest = z.output<typeof resultManifestSchema>;
/** One collected output file as the manifest lists it. */
export type ManifestOutput = ResultManifest["outputs"][number];
/** Why a declared output was not collected. */
export type OmittedOutputReason = (typeof OMITTED_OUTPUT_REASONS)[number];

/** Validates a result manifest given as JSON text or a parsed value. */
export function parseResultManifest(input: unknown): ParseResult<ResultManifest> {
  return parseWith(resultManifestSchema, input, "result manifest");
}

/**
 * The result hash a node delivers on-chain: keccak256 of the manifest's RFC 8785 canonical bytes, a
 * 0x-prefixed bytes32 (keccak256, the chain's native hash, like the spec hash).
 */
export function hashResultManifest(manifest: ResultManifest): string {
  return canonicalJsonKeccak256(manifest);
}
