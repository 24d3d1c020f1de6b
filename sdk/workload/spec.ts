// The workload spec `gridlease.workload/v1` (docs/PROTOCOL.md, "Workloads and the spec hash"): what a job runs. Objects are
// strict (an unknown key is an error, not silently ignored) because the document is hashed and a typo
// would otherwise change the hash without changing what runs.
import { z } from "zod";

import { canonicalJsonBytes, canonicalJsonKeccak256 } from "./canonical.ts";
import { parseWith, type ParseResult } from "./issues.ts";
import { outputPathProblem, WORKLOAD_OUTPUT_DIR } from "./paths.ts";

/** The `schema` value of every v1 workload spec. */
export const WORKLOAD_SCHEMA_ID = "gridlease.workload/v1";

/** A lowercase sha256 digest, 64 hex characters without a prefix (what `sha256sum` prints). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
const IMAGE_BY_DIGEST = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ENV_NAME_PROBLEM = "must be an environment variable name: letters, digits and _, not starting with a digit";
const envName = z.string().regex(ENV_NAME, { error: ENV_NAME_PROBLEM });

const image = z
  .string({ error: "is required: an OCI image reference pinned by digest, name@sha256:<64 hex>" })
  .regex(IMAGE_BY_DIGEST, {
    error: (issue) =>
      `must be pinned by digest as name@sha256:<64 lowercase hex> (a tag alone can change under you), got ${JSON.stringify(issue.input)}`,
  });

const absoluteMountPath = z
  .string()
  .refine((path) => path.startsWith("/") && path !== "/", { error: "must be an absolute path other than /" })
  .refine((path) => !path.split("/").some((segment) => segment === ".." || segment === "."), {
    error: "must not have '.' or '..' segments",
  })
  .refine((path) => path !== WORKLOAD_OUTPUT_DIR && !path.startsWith(`${WORKLOAD_OUTPUT_DIR}/`), {
    error: `must not be inside the output folder ${WORKLOAD_OUTPUT_DIR}`,
  });

const input = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL the node can download" }),
  sha256: z.string().regex(SHA256_HEX, { error: "must be the input's sha256: 64 lowercase hex characters, no 0x" }),
  mountPath: absoluteMountPath,
});

const outputPath = z.string().superRefine((path, context) => {
  const problem = outputPathProblem(path);
  if (problem !== undefined) {
    context.addIssue({ code: "custom", message: `output path ${JSON.stringify(path)} ${problem}` });
  }
});

const resources = z.strictObject({
  cpu: z.number().positive({ error: "must be a positive number of CPU cores (fractions allowed, e.g. 0.5)" }).max(1024),
  memoryMb: z.int().min(6, { error: "must be at least 6 MiB (the engine's minimum)" }),
  diskMb: z.int().positive({ error: "must be a positive number of MiB" }),
});

const common = {
  schema: z.literal(WORKLOAD_SCHEMA_ID, { error: `must be "${WORKLOAD_SCHEMA_ID}"` }),
  image,
  command: z
    .array(z.string())
    .min(1, { error: "when given, must name the executable (or omit it to use the image's entrypoint)" })
    .optional(),
  args: z.array(z.string()).default([]),
  env: z
    .record(z.string(), z.string({ error: "must be a string (env values are public: put private values in secrets)" }))
    .default({})
    .superRefine((env, context) => {
      for (const name of Object.keys(env)) {
        if (!ENV_NAME.test(name)) context.addIssue({ code: "custom", path: [name], message: ENV_NAME_PROBLEM });
      }
    }),
  secrets: z
    .array(envName)
    .default([])
    .refine((names) => new Set(names).size === names.length, { error: "must not repeat a name" }),
  resources,
  inputs: z.array(input).default([]),
  outputs: z.strictObject({
    paths: z.array(outputPath),
    maxBytes: z.int().positive({ error: "must be a positive byte cap on all outputs together" }),
  }),
};

const batch = z.strictObject({
  ...common,
  kind: z.literal("batch"),
  /** Outbound network for a batch job; none unless the spec asks (isolation by default). */
  network: z.boolean().default(false),
});

const service = z.strictObject({
  ...common,
  kind: z.literal("service"),
  port: z.int().min(1).max(65_535, { error: "must be a TCP port, 1 to 65535" }),
  healthPath: z.string().startsWith("/", { error: "must be an HTTP path starting with /" }),
});

/** The zod schema of a v1 workload spec (defaults applied: args, env, secrets, inputs, and `network: false` for batch). */
export const workloadSpecSchema = z
  .discriminatedUnion("kind", [batch, service], {
    error: 'kind must be "batch" (runs to completion) or "service" (serves HTTP until the lease ends)',
  })
  .superRefine((spec, context) => {
    for (const name of spec.secrets) {
      if (name in spec.env) {
        context.addIssue({
          code: "custom",
          path: ["secrets"],
          message: `${name} is both a public env value and a secret: keep it in one`,
        });
      }
    }
    const mounts = spec.inputs.map((entry) => entry.mountPath);
    if (new Set(mounts).size !== mounts.length) {
      context.addIssue({ code: "custom", path: ["inputs"], message: "two inputs share a mountPath" });
    }
  });

/** A validated workload spec, defaults applied. */
export type WorkloadSpec = z.output<typeof workloadSpecSchema>;
/** A batch workload: runs to completion. */
export type BatchWorkloadSpec = Extract<WorkloadSpec, { kind: "batch" }>;
/** A service workload: serves HTTP on `port` until the lease ends. */
export type ServiceWorkloadSpec = Extract<WorkloadSpec, { kind: "service" }>;

/**
 * Validates a workload spec given as JSON text or as a parsed value. Returns the spec with defaults
 * applied, or every problem found, each as `field.path: what is wrong`.
 */
export function parseWorkloadSpec(input: unknown): ParseResult<WorkloadSpec> {
  return parseWith(workloadSpecSchema, input, "workload spec");
}

/** The RFC 8785 canonical bytes of a validated spec (defaults applied, so omitted defaults hash the same as explicit ones). */
export function workloadSpecBytes(spec: WorkloadSpec): Uint8Array {
  return canonicalJsonBytes(spec);
}

/**
 * The spec hash a job carries on-chain: keccak256 of the validated spec's RFC 8785 canonical bytes, a
 * 0x-prefixed bytes32 equal to IJobMarket.JobRequest.specHash. keccak256 (not sha256) because it is the
 * chain's native hash. Not to be confused with `workloadSpecHash(kind)` in sdk/bidding.ts, the
 * simulator's placeholder hash of a kind name, nor with `specHashOfBytes`, the keccak256 of a file's bytes
 * as they are (not canonicalized).
 */
export function hashWorkloadSpec(spec: WorkloadSpec): string {
  return canonicalJsonKeccak256(spec);
}
