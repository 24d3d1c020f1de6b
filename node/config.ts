// The provider node's configuration file (`gridlease node --config node.json`), validated with zod so each
// problem names its field. The account's key is never in this file: it comes from GRIDLEASE_PRIVATE_KEY, so
// the file can be shared, committed or read by other users without giving the account away.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { z } from "zod";

import { loadPolicy, parsePolicy, type Policy } from "../cli/agent/policy.ts";
import { CliError, EXIT_USAGE } from "../cli/lib/errors.ts";
import { formatIssues } from "../sdk/index.ts";

/** The engine socket `npm run containers` starts (Podman's Docker-compatible API). */
export const DEFAULT_ENGINE_SOCKET = "/run/gridlease/podman.sock";
export const DEFAULT_API_HOST = "127.0.0.1";
export const DEFAULT_API_PORT = 7311;

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL (${what}), e.g. http://127.0.0.1:8545` });

const fileSchema = z.strictObject({
  /** Optional: the CLI's GRIDLEASE_RPC_URL, else http://127.0.0.1:8545. */
  rpcUrl: httpUrl("the chain's JSON-RPC endpoint").optional(),
  /** Optional: the CLI's GRIDLEASE_DEPLOYMENT, else ignition/deployments/chain-<chainId>. */
  deployment: z.string({ error: "must be the Ignition deployment folder, a path" }).min(1).optional(),
  dataDir: z.string({ error: "is required: the folder of the node's state, job files and outputs" }).min(1, {
    error: "must not be empty: the folder of the node's state, job files and outputs",
  }),
  engineSocket: z
    .string({ error: "must be the path of the container engine's API socket (Docker or Podman)" })
    .min(1)
    .default(DEFAULT_ENGINE_SOCKET),
  api: z
    .strictObject({
      host: z
        .string({ error: "must be the address the API listens on, e.g. 127.0.0.1" })
        .min(1)
        .default(DEFAULT_API_HOST),
      port: z
        .number({ error: "must be a TCP port number" })
        .int({ error: "must be a whole port number" })
        .min(0, { error: "must be from 0 to 65535" })
        .max(65_535, { error: "must be from 0 to 65535" })
        .default(DEFAULT_API_PORT),
    })
    .default({ host: DEFAULT_API_HOST, port: DEFAULT_API_PORT }),
  /** The URL renters reach the API at (a TLS proxy in front of it, usually); default http://host:port. */
  publicUrl: httpUrl("where renters reach the node's API").optional(),
  /** The bidding policy (cli/agent/policy.ts), embedded or as a path relative to this file. */
  policy: z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
    error: "must be the bidding policy: an object as in `gridlease agent --config`, or the path of its JSON file",
  }),
});

/** A validated node configuration, paths resolved against the config file's folder. */
export interface NodeConfig {
  file: string;
  rpcUrl: string | undefined;
  deployment: string | undefined;
  dataDir: string;
  engineSocket: string;
  api: { host: string; port: number };
  /** Undefined: http://host:port once the API listens (the port may be 0 = any free one). */
  publicUrl: string | undefined;
  policy: Policy;
}

function invalid(file: string, problems: string[]): CliError {
  return new CliError(
    "INVALID_NODE_CONFIG",
    `The node configuration ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
      "Fix it (examples/node.json is a complete example) and start the node again.",
    { exitCode: EXIT_USAGE, details: { file, problems } },
  );
}

/** Validates a parsed configuration document; `file` names it in messages and anchors relative paths. */
export function parseNodeConfig(raw: unknown, file: string): NodeConfig {
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const problems = formatIssues(result.error).map((line) =>
      line.replace(
        /^(\S+): Unrecognized keys?: (.*)$/,
        (_match, path: string, keys: string) =>
          `${path}: unknown field ${keys}; known: ${Object.keys(fileSchema.shape).join(", ")}`,
      ),
    );
    throw invalid(file, problems);
  }
  const value = result.data;
  const base = dirname(resolve(file));
  let policy: Policy;
  try {
    policy =
      typeof value.policy === "string"
        ? loadPolicy(resolve(base, value.policy))
        : parsePolicy(value.policy, `embedded in ${file} ("policy")`);
  } catch (error) {
    throw invalid(file, [`policy: ${(error as Error).message}`]);
  }
  return {
    file,
    rpcUrl: value.rpcUrl,
    deployment: value.deployment === undefined ? undefined : resolve(base, value.deployment),
    dataDir: resolve(base, value.dataDir),
    engineSocket: resolve(base, value.engineSocket),
    api: value.api,
    publicUrl: value.publicUrl?.replace(/\/+$/, ""),
    policy,
  };
}

/** Reads and validates the configuration file. */
export function loadNodeConfig(file: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      "INVALID_NODE_CONFIG",
      code === "ENOENT"
        ? `The node configuration file ${file} does not exist: pass the path of a JSON file with --config (examples/node.json is an example).`
        : `Cannot read the node configuration file ${file}: ${(error as Error).message}.`,
      { exitCode: EXIT_USAGE, details: { file } },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(file, [`(document): not valid JSON (${(error as Error).message})`]);
  }
  return parseNodeConfig(raw, file);
}
