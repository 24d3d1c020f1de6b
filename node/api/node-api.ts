// The provider node's HTTP API (node:http, bound to 127.0.0.1 unless told otherwise): the renter hands the
// spec over (POST /jobs/:id/spec, EIP-712 signed, checked on-chain) and reads the job with signed requests:
// status, live logs, the result manifest, content-addressed outputs, and a running service's endpoint.
// Every handler's failure becomes a JSON error with its status: bad input never crashes the server.
import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { NodeMarket } from "../chain/node-market.ts";
import type { NodeJob, NodeStateStore } from "../state/node-state-store.ts";
import {
  canonicalJsonBytes,
  hashSecrets,
  hashWorkloadSpec,
  parseResultManifest,
  parseWorkloadSpec,
  PROVIDER_PROFILE_PATH,
  READ_SIGNATURE_HEADER,
  SHA256_HEX,
  type NodeReadAction,
  type ProviderProfile,
  type ResultManifest,
} from "../../sdk/index.ts";
import { ApiError, readJsonBody, sendError, sendJson } from "./http-json.ts";
import { authorizeHandover, authorizeRead } from "./renter-auth.ts";
import { proxyToService } from "./service-proxy.ts";

/** What the API reads of the runtime: a job's files, the content store, live logs and a service's endpoint. */
export interface NodeApiRuntime {
  jobFiles(jobId: bigint): { logs: string; manifest: string };
  store: { path(sha256: string): string; has(sha256: string): boolean };
  /** The running container's log as it is written (stdout and stderr), or undefined when no container runs. */
  liveLogs(jobId: bigint): Promise<AsyncIterable<Uint8Array> | undefined>;
  endpoint(jobId: bigint, containerPort: number): Promise<{ host: string; port: number } | undefined>;
}

/** Options of {@link startNodeApi}. */
export interface NodeApiOptions {
  store: NodeStateStore;
  market: NodeMarket;
  runtime: NodeApiRuntime;
  /** Called once a spec is accepted (the executor's `drive`); its failure is the executor's to record. */
  onSpec: (jobId: bigint) => void;
  /** Default 127.0.0.1: the API is put behind a TLS proxy to be reached from elsewhere. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** The clock for read expiry, unix seconds. */
  nowSeconds?: () => bigint;
  /** Largest accepted body (spec plus secrets); default 1 MiB. */
  maxBodyBytes?: number;
  log?: (message: string) => void;
  /** The provider profile served at `GET /profile` (gridlease.provider/v1), once the API's URL is known. */
  profile?: () => ProviderProfile;
}

/** A listening node API. */
export interface NodeApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const JOB_ROUTE = /^\/jobs\/(\d{1,78})(?:\/(spec|logs|manifest|files\/([^/]*)|service(\/.*)?))?$/;

/** Starts the API and resolves once it listens. */
export async function startNodeApi(options: NodeApiOptions): Promise<NodeApi> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(
              500,
              "INTERNAL",
              `the node failed to answer: ${error instanceof Error ? error.message : String(error)}`,
            );
      if (apiError.status >= 500) options.log?.(`${request.method} ${request.url}: ${apiError.message}`);
      // A body left unread (refused as too large, or before reading it) makes the connection unusable for another request.
      if (!request.complete) response.shouldKeepAlive = false;
      if (!response.headersSent) sendError(response, apiError);
      else response.destroy();
    });
  });
  // A client that sends garbage is answered 400 by node:http; the socket error must not reach the process.
  server.on("clientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(options: NodeApiOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://node");
  if (url.pathname === PROVIDER_PROFILE_PATH && options.profile !== undefined) {
    if (request.method !== "GET") throw new ApiError(405, "METHOD_NOT_ALLOWED", "read the profile with GET");
    return sendJson(response, 200, options.profile());
  }
  const match = JOB_ROUTE.exec(url.pathname);
  if (!match)
    throw new ApiError(
      404,
      "NOT_FOUND",
      "no such route: the API serves /profile, /jobs/:id, /jobs/:id/spec, /logs, /manifest, /files/:sha256 and /service/*",
    );
  const jobId = BigInt(match[1]);
  const [, , sub, fileHash, servicePath] = match;
  if (sub === "spec") {
    if (request.method !== "POST") throw new ApiError(405, "METHOD_NOT_ALLOWED", "hand the spec over with POST");
    return handOver(options, jobId, request, response);
  }
  const action: NodeReadAction =
    sub === undefined
      ? "status"
      : sub.startsWith("files/")
        ? "files"
        : sub.startsWith("service")
          ? "service"
          : (sub as NodeReadAction);
  if (action !== "service" && request.method !== "GET")
    throw new ApiError(405, "METHOD_NOT_ALLOWED", `read the job's ${action} with GET`);
  const job = options.store.get(jobId);
  if (job?.renter === undefined)
    throw new ApiError(
      404,
      "UNKNOWN_JOB",
      `this node has no spec for job ${jobId}: the renter hands it over first (POST /jobs/${jobId}/spec)`,
    );
  const now = options.nowSeconds?.() ?? BigInt(Math.floor(Date.now() / 1000));
  authorizeRead(options.market, request.headers[READ_SIGNATURE_HEADER], { jobId, action }, job.renter, now);
  switch (action) {
    case "status":
      return sendJson(response, 200, statusOf(job));
    case "logs":
      return sendLogs(options.runtime, job, response);
    case "manifest":
      return sendManifest(options.runtime, job, response);
    case "files":
      return sendFile(options.runtime, job, fileHash ?? "", response);
    case "service":
      return proxyService(options.runtime, job, servicePath ?? "/", url.search, request, response);
  }
}

async function handOver(
  options: NodeApiOptions,
  jobId: bigint,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readJsonBody(request, options.maxBodyBytes ?? 1024 * 1024);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError(
      400,
      "INVALID_HANDOVER",
      "send { spec, secrets, signature }: the spec (JSON), its secrets by name, and the renter's EIP-712 signature",
    );
  }
  const { spec: rawSpec, secrets: rawSecrets = {}, signature } = body as Record<string, unknown>;
  const parsed = parseWorkloadSpec(rawSpec);
  if (!parsed.ok)
    throw new ApiError(
      400,
      "INVALID_SPEC",
      `the spec is not a valid gridlease.workload/v1 document: ${parsed.errors.join("; ")}`,
      parsed.errors,
    );
  const secrets = secretsOf(rawSecrets);
  const missing = parsed.value.secrets.filter((name) => !(name in secrets));
  if (missing.length > 0)
    throw new ApiError(
      400,
      "MISSING_SECRETS",
      `the spec needs the secrets ${missing.join(", ")}: send their values in \`secrets\``,
    );
  const specHash = hashWorkloadSpec(parsed.value);
  const chainJob = await authorizeHandover(
    options.market,
    { jobId, specHash, secretsHash: hashSecrets(secrets) },
    signature,
  );

  const { store } = options;
  const held = store.recordWon(jobId);
  if (held.state === "won") {
    store.transition(jobId, "spec-received", {
      renter: chainJob.renter,
      specHash,
      spec: Buffer.from(canonicalJsonBytes(parsed.value)).toString("utf8"),
      secrets: JSON.stringify(secrets),
    });
  }
  options.onSpec(jobId);
  const job = store.require(jobId);
  sendJson(response, held.state === "won" ? 202 : 200, statusOf(job));
}

function secretsOf(value: unknown): Record<string, string> {
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== "string")
  ) {
    throw new ApiError(400, "INVALID_SECRETS", "`secrets` must be an object of name -> string value");
  }
  return value as Record<string, string>;
}

/** The job as the renter sees it: no secrets, no spec body. */
function statusOf(job: NodeJob): Record<string, unknown> {
  const iso = (ms: number | undefined): string | undefined =>
    ms === undefined ? undefined : new Date(ms).toISOString();
  return {
    jobId: job.jobId,
    state: job.state,
    specHash: job.specHash,
    manifestHash: job.manifestHash,
    pendingAction: job.pendingAction,
    lastError: job.lastError,
    times: {
      won: iso(job.wonAt),
      specReceived: iso(job.specReceivedAt),
      running: iso(job.runningAt),
      finished: iso(job.finishedAt),
      delivered: iso(job.deliveredAt),
      claimed: iso(job.claimedAt),
      failed: iso(job.failedAt),
    },
  };
}

async function sendLogs(runtime: NodeApiRuntime, job: NodeJob, response: ServerResponse): Promise<void> {
  const live = job.state === "running" ? await runtime.liveLogs(job.jobId) : undefined;
  const headers = { "content-type": "text/plain; charset=utf-8" };
  const path = runtime.jobFiles(job.jobId).logs;
  if (live) {
    response.writeHead(200, headers);
    let sent = 0;
    for await (const chunk of live) {
      if (response.destroyed) break;
      response.write(chunk);
      sent += chunk.length;
    }
    // A container that exits just as the stream attaches can leave it empty while the runtime saves the
    // whole log: the reader gets that log rather than nothing.
    if (sent === 0 && !response.destroyed && (await appears(path, STORED_LOG_WAIT_MS))) {
      await pipeline(createReadStream(path), response);
      return;
    }
    response.end();
    return;
  }
  if (!existsSync(path))
    throw new ApiError(
      404,
      "NO_LOGS_YET",
      `job ${job.jobId} has no logs yet (it is ${job.state}): try again once it runs`,
    );
  response.writeHead(200, headers);
  createReadStream(path).pipe(response);
}

/** How long an empty live log waits for the stored one: the runtime saves it as soon as the container exits. */
const STORED_LOG_WAIT_MS = 10_000;

/** Whether `path` exists within `ms` (polled: the runtime renames the finished file into place). */
async function appears(path: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

async function readManifest(
  runtime: NodeApiRuntime,
  job: NodeJob,
): Promise<{ manifest: ResultManifest; bytes: Buffer }> {
  const path = runtime.jobFiles(job.jobId).manifest;
  if (!existsSync(path))
    throw new ApiError(
      404,
      "NO_MANIFEST_YET",
      `job ${job.jobId} has no result manifest yet (it is ${job.state}): it is written when the workload ends`,
    );
  const bytes = await readFile(path);
  const parsed = parseResultManifest(bytes.toString("utf8"));
  if (!parsed.ok)
    throw new ApiError(
      500,
      "MANIFEST_DAMAGED",
      `the node's manifest for job ${job.jobId} is invalid: ${parsed.errors.join("; ")}`,
    );
  return { manifest: parsed.value, bytes };
}

async function sendManifest(runtime: NodeApiRuntime, job: NodeJob, response: ServerResponse): Promise<void> {
  const { bytes } = await readManifest(runtime, job);
  // The stored canonical bytes, as they are: their keccak256 is the delivered result hash.
  response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": bytes.length });
  response.end(bytes);
}

async function sendFile(
  runtime: NodeApiRuntime,
  job: NodeJob,
  sha256: string,
  response: ServerResponse,
): Promise<void> {
  if (!SHA256_HEX.test(sha256))
    throw new ApiError(
      400,
      "INVALID_SHA256",
      "name the file by its sha256 from the manifest: 64 lowercase hex characters",
    );
  const { manifest } = await readManifest(runtime, job);
  const listed = sha256 === manifest.logsSha256 || manifest.outputs.some((output) => output.sha256 === sha256);
  // Only the job's own outputs and logs: the store is shared by every job the node runs.
  if (!listed || !runtime.store.has(sha256))
    throw new ApiError(
      404,
      "NOT_AN_OUTPUT",
      `job ${job.jobId}'s manifest lists no output or log with sha256 ${sha256}`,
    );
  response.writeHead(200, { "content-type": "application/octet-stream" });
  createReadStream(runtime.store.path(sha256)).pipe(response);
}

async function proxyService(
  runtime: NodeApiRuntime,
  job: NodeJob,
  path: string,
  search: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const spec = parseWorkloadSpec(job.spec ?? "");
  if (!spec.ok || spec.value.kind !== "service")
    throw new ApiError(404, "NOT_A_SERVICE", `job ${job.jobId} is a batch job: it has no service endpoint`);
  const endpoint = job.state === "running" ? await runtime.endpoint(job.jobId, spec.value.port) : undefined;
  if (!endpoint)
    throw new ApiError(
      503,
      "SERVICE_NOT_RUNNING",
      `job ${job.jobId}'s service is not running (the job is ${job.state}): it answers only while the lease runs`,
    );
  await proxyToService(endpoint, `${path}${search}`, request, response);
}
