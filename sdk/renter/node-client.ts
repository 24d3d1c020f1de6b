// The renter's client of one provider node's HTTP API (node/README.md, "The node's HTTP API"): the signed
// spec handover, signed reads (status, logs, manifest, files) and the proxied service endpoint. Every
// request is signed by the job's renter with the SDK's EIP-712 messages (sdk/workload/handover.ts); a node's
// JSON error becomes a NodeRequestError. Browser-safe: global fetch and an ethers Signer only.
import type { Signer } from "ethers";

import {
  hashSecrets,
  type NodeReadAction,
  READ_SIGNATURE_HEADER,
  signNodeMessage,
  signReadRequest,
  specHandoverTypedData,
} from "../workload/handover.ts";
import { hashResultManifest, parseResultManifest, type ResultManifest } from "../workload/manifest.ts";
import { hashWorkloadSpec, type WorkloadSpec } from "../workload/spec.ts";

/** A node refused or failed a request; `code` is the node's (or NODE_UNREACHABLE / BAD_RESPONSE), `status` the HTTP status (0 when none). */
export class NodeRequestError extends Error {
  readonly code: string;
  readonly status: number;
  readonly url: string;

  constructor(code: string, status: number, message: string, url: string) {
    super(message);
    this.name = "NodeRequestError";
    this.code = code;
    this.status = status;
    this.url = url;
  }
}

/** The job as the node reports it (no secrets, no spec body). */
export interface NodeJobStatus {
  jobId: string;
  state: string;
  specHash?: string;
  manifestHash?: string;
  lastError?: string;
  times: Record<string, string | undefined>;
}

/** A downloaded manifest: the exact bytes the node stored (their keccak256 is the delivered hash), parsed. */
export interface DownloadedManifest {
  bytes: Uint8Array;
  manifest: ResultManifest;
  /** keccak256 of the canonical form of `manifest`, to compare with the on-chain result hash. */
  hash: string;
}

/** Who talks to which node about which market. */
export interface NodeClientOptions {
  /** The node's API base URL (from `findNodeApi`). */
  url: string;
  /** The job's renter. */
  signer: Signer;
  chainId: bigint;
  /** The JobMarket address (the EIP-712 verifying contract). */
  market: string;
  /** How long a signed read stays valid (seconds, default 300; the node accepts at most a day). */
  readValiditySeconds?: number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** One provider node, as the renter of its jobs sees it. */
export class NodeClient {
  readonly url: string;
  private readonly options: NodeClientOptions;

  constructor(options: NodeClientOptions) {
    this.options = options;
    this.url = options.url.replace(/\/+$/, "");
  }

  /** Hands the spec and its secrets over for `jobId`, signed by the renter; returns the node's status of the job. */
  async handOver(
    jobId: bigint,
    spec: WorkloadSpec,
    secrets: Readonly<Record<string, string>> = {},
  ): Promise<NodeJobStatus> {
    const { signer, chainId, market } = this.options;
    const message = { jobId, specHash: hashWorkloadSpec(spec), secretsHash: hashSecrets(secrets) };
    const signature = await signNodeMessage(signer, specHandoverTypedData(chainId, market, message));
    const response = await this.request(`/jobs/${jobId}/spec`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ spec, secrets, signature }),
    });
    return (await response.json()) as NodeJobStatus;
  }

  /** The node's view of the job. */
  async status(jobId: bigint): Promise<NodeJobStatus> {
    return (await (await this.read(jobId, "status", "")).json()) as NodeJobStatus;
  }

  /**
   * The job's log as text chunks: live while it runs (ending when the workload does), else the stored log.
   * With `follow`, waits for the log to exist instead of failing with NO_LOGS_YET.
   */
  async *logs(
    jobId: bigint,
    options: { follow?: boolean; signal?: AbortSignal; pollMs?: number } = {},
  ): AsyncIterable<string> {
    let response: Response;
    for (;;) {
      try {
        response = await this.read(jobId, "logs", "/logs", options.signal);
        break;
      } catch (error) {
        if (!(options.follow === true && error instanceof NodeRequestError && error.code === "NO_LOGS_YET"))
          throw error;
        await sleep(options.pollMs ?? 250, options.signal);
      }
    }
    if (response.body === null) return;
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (text !== "") yield text;
      }
      const rest = decoder.decode();
      if (rest !== "") yield rest;
    } finally {
      reader.releaseLock();
    }
  }

  /** The result manifest: the stored bytes, parsed and hashed. Throws BAD_MANIFEST for bytes that are no manifest. */
  async manifest(jobId: bigint): Promise<DownloadedManifest> {
    const response = await this.read(jobId, "manifest", "/manifest");
    const bytes = new Uint8Array(await response.arrayBuffer());
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new NodeRequestError(
        "BAD_MANIFEST",
        response.status,
        `the node's manifest for job ${jobId} is not JSON`,
        response.url,
      );
    }
    const parsed = parseResultManifest(json);
    if (!parsed.ok) {
      throw new NodeRequestError(
        "BAD_MANIFEST",
        response.status,
        `the node's manifest for job ${jobId} is not a gridlease.result/v1 document: ${parsed.errors.join("; ")}`,
        response.url,
      );
    }
    return { bytes, manifest: parsed.value, hash: hashResultManifest(parsed.value) };
  }

  /** One file the manifest lists (an output or the log), by its sha256. */
  async file(jobId: bigint, sha256: string): Promise<Uint8Array> {
    const response = await this.read(jobId, "files", `/files/${sha256}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The base URL of a service job's proxied endpoint (requests need the signed header: use serviceFetch). */
  serviceUrl(jobId: bigint): string {
    return `${this.url}/jobs/${jobId}/service`;
  }

  /** A request to a service job's endpoint through the node's proxy, signed; the node's own errors throw, the service's responses return as they are. */
  async serviceFetch(jobId: bigint, path: string, init: RequestInit = {}): Promise<Response> {
    const suffix = path.startsWith("/") ? path : `/${path}`;
    return this.read(jobId, "service", `/service${suffix}`, init.signal ?? undefined, init);
  }

  private async read(
    jobId: bigint,
    action: NodeReadAction,
    route: string,
    signal?: AbortSignal,
    init: RequestInit = {},
  ): Promise<Response> {
    const { signer, chainId, market } = this.options;
    const expiresAt = BigInt(Math.floor(Date.now() / 1000) + (this.options.readValiditySeconds ?? 300));
    const header = await signReadRequest(signer, chainId, market, { jobId, action, expiresAt });
    const headers = new Headers(init.headers);
    headers.set(READ_SIGNATURE_HEADER, header);
    return this.request(`/jobs/${jobId}${route}`, { ...init, headers, signal }, action === "service");
  }

  private async request(path: string, init: RequestInit, passThrough = false): Promise<Response> {
    const url = `${this.url}${path}`;
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      if ((error as Error).name === "AbortError") throw error;
      throw new NodeRequestError(
        "NODE_UNREACHABLE",
        0,
        `cannot reach the provider's node at ${this.url} (${(error as Error).message}): check its profile's nodeApi, or retry later`,
        url,
      );
    }
    if (response.ok) return response;
    const text = await response.text();
    let nodeError: { code?: unknown; message?: unknown } | undefined;
    try {
      nodeError = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    } catch {
      nodeError = undefined;
    }
    if (nodeError !== undefined && typeof nodeError.code === "string" && typeof nodeError.message === "string") {
      throw new NodeRequestError(nodeError.code, response.status, nodeError.message, url);
    }
    // A service's own error response (not the node's JSON error) is the service's answer.
    if (passThrough) return new Response(text, { status: response.status, headers: response.headers });
    throw new NodeRequestError(
      "BAD_RESPONSE",
      response.status,
      `the node answered ${response.status} without its JSON error: ${text.slice(0, 200)}`,
      url,
    );
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
