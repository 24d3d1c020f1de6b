// A renter's whole workload in one call: post the job with the spec's hash, wait for the winner (instant: the
// first accept; auctions: after the windows, awarding as the renter if no one has), find the winner's node
// from its on-chain profile, hand the spec over, follow the logs, wait for the on-chain delivery, download the
// manifest and outputs and verify them against the delivered hash, then settle, or on a mismatch report it
// and (when asked) dispute with the mismatch as evidence. A service job resolves once its endpoint answers
// through the node's proxy. No Node built-ins: writing outputs to a folder is in ./save-outputs.ts.
import { keccak256, type Signer } from "ethers";

import { connectProtocol, type Protocol } from "../contracts.ts";
import type { DeployedAddresses } from "../deployment.ts";
import { JobState, type JobStateName, PricingRule } from "../enums.ts";
import { canonicalJsonBytes } from "../workload/canonical.ts";
import type { ResultManifest } from "../workload/manifest.ts";
import { findNodeApi } from "../workload/provider-profile.ts";
import { hashWorkloadSpec, type WorkloadSpec } from "../workload/spec.ts";
import { type OutputMismatch, sha256Hex, verifyOutputs } from "../workload/verify.ts";
import { NodeClient, NodeRequestError } from "./node-client.ts";
import { type JobPostRequest, type PostedJob, type PostJobOptions, postJob } from "./post-job.ts";

/** What a run reports as it goes (one JSON line each in `gridlease run --json`). */
export type RunEvent =
  | { type: "posted"; jobId: bigint; txHash: string; budget: bigint; specHash: string }
  | { type: "awarded"; jobId: bigint; provider: string; state: JobStateName }
  | { type: "nodeFound"; jobId: bigint; url: string }
  | { type: "handedOver"; jobId: bigint; nodeState: string }
  | { type: "running"; jobId: bigint }
  | { type: "log"; jobId: bigint; text: string }
  | { type: "delivered"; jobId: bigint; resultHash: string; challengeDeadline: bigint }
  | { type: "verified"; jobId: bigint; manifestHash: string; outputs: number; exitCode: number }
  | { type: "mismatch"; jobId: bigint; reason: string; mismatches: OutputMismatch[] }
  | { type: "disputed"; jobId: bigint; evidenceHash: string; txHash: string }
  | { type: "settled"; jobId: bigint; txHash: string }
  | { type: "serviceReady"; jobId: bigint; url: string };

/** Seconds spent in each phase of a run. */
export interface RunTimings {
  /** Posting, the auction or accept, waiting for the delivery transaction, and settling (or disputing). */
  chain: number;
  /** From the handover until the node reports the workload running (image, inputs, container start). */
  containerStart: number;
  /** The workload itself, until the node reports it finished. */
  workload: number;
  /** Manifest and outputs downloaded and verified. */
  download: number;
  total: number;
}

/** Why a run stopped short; `jobId` when a job was posted (what to look at or clean up). */
export class RunWorkloadError extends Error {
  readonly code: string;
  readonly jobId: bigint | undefined;

  constructor(code: string, message: string, jobId?: bigint) {
    super(message);
    this.name = "RunWorkloadError";
    this.code = code;
    this.jobId = jobId;
  }
}

/** A running service job: its endpoint through the node's proxy, usable until the lease ends or stop(). */
export interface RunningService {
  /** The proxied endpoint's base URL (requests need the renter's signed header: use fetch). */
  url: string;
  /** A request to the service, signed as the renter. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Unix time (chain) at which the lease ends. */
  endsAt: bigint;
  /** Ends the lease now (the renter's stopJob): the provider is paid for the time used, the rest refunded. */
  stop(): Promise<string>;
}

/** What {@link runWorkload} needs. */
export interface RunWorkloadOptions {
  signer: Signer;
  chainId: bigint;
  addresses: DeployedAddresses;
  spec: WorkloadSpec;
  secrets?: Readonly<Record<string, string>>;
  /** The job to post; its specHash is the spec's. */
  request: Omit<JobPostRequest, "specHash">;
  /** On a mismatch, open a dispute with the mismatch as evidence (default: only report it). */
  disputeOnMismatch?: boolean;
  /** Settle as soon as the results verify (the renter waives its challenge window; default true); false returns after verification. */
  settle?: boolean;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** How often to poll the chain and the node (default 500 ms). */
  pollMs?: number;
  /** The node's URL, instead of the winner's on-chain profile. */
  nodeUrl?: string;
  /** How postJob sends (the CLI's progress and revert decoding). */
  postOptions?: PostJobOptions;
  fetch?: typeof fetch;
}

/** A downloaded, checked result. */
export interface DownloadedResult {
  jobId: bigint;
  /** The result hash delivered on-chain. */
  resultHash: string;
  manifest: ResultManifest;
  /** The manifest's bytes as served. */
  manifestBytes: Uint8Array;
  manifestHash: string;
  /** Output path -> bytes, as downloaded. */
  files: Map<string, Uint8Array>;
  logs: Uint8Array;
  /** Empty when everything matches. */
  mismatches: OutputMismatch[];
  /** Set when the manifest itself does not hash to the delivered result. */
  manifestMismatch: boolean;
}

/** What a run ends with. */
export interface RunWorkloadResult {
  jobId: bigint;
  provider: string;
  nodeUrl: string;
  posted: PostedJob;
  /** For a batch job. */
  result?: DownloadedResult;
  verified: boolean;
  settled?: { txHash: string };
  disputed?: { txHash: string; evidenceHash: string; evidence: MismatchEvidence };
  /** For a service job. */
  service?: RunningService;
  timings: RunTimings;
}

/** The evidence document a mismatch dispute commits to (its canonical JSON's keccak256 is the evidence hash). */
export interface MismatchEvidence {
  schema: "gridlease.evidence/v1";
  chainId: string;
  market: string;
  jobId: string;
  specHash: string;
  /** What the provider delivered on-chain. */
  resultHash: string;
  /** The hash of the manifest its node served. */
  servedManifestHash: string;
  mismatches: OutputMismatch[];
}

/** How long the live log may still run once the delivery is on-chain (ms). */
const LOG_GRACE_MS = 5_000;

const AWARDED_OR_LATER: readonly JobStateName[] = [
  "Awarded",
  "Running",
  "Delivered",
  "Disputed",
  "Settled",
  "Resolved",
];

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

async function chainTime(protocol: Protocol): Promise<bigint> {
  const block = await protocol.market.runner?.provider?.getBlock("latest");
  if (block === null || block === undefined)
    throw new RunWorkloadError("RPC_UNREACHABLE", "the RPC endpoint returned no latest block");
  return BigInt(block.timestamp);
}

async function stateOf(protocol: Protocol, jobId: bigint): Promise<JobStateName> {
  return JobState.nameOf(await protocol.market.stateOf(jobId)) ?? "None";
}

/** The result hash delivered for `jobId` and its challenge deadline (from the JobDelivered event). */
export async function deliveredResult(
  protocol: Protocol,
  jobId: bigint,
): Promise<{ resultHash: string; challengeDeadline: bigint; provider: string } | undefined> {
  const events = await protocol.market.queryFilter(protocol.market.filters.JobDelivered(jobId));
  const last = events.at(-1);
  if (last === undefined) return undefined;
  return {
    resultHash: last.args.resultHash,
    challengeDeadline: BigInt(last.args.challengeDeadline),
    provider: last.args.provider,
  };
}

/**
 * Downloads `jobId`'s manifest, log and outputs from `client` and checks them against `resultHash`: the
 * manifest must hash to it, and every output must match the manifest (no file missing, changed or extra).
 */
export async function downloadResult(client: NodeClient, jobId: bigint, resultHash: string): Promise<DownloadedResult> {
  const { bytes, manifest, hash } = await client.manifest(jobId);
  const files = new Map<string, Uint8Array>();
  for (const output of manifest.outputs) files.set(output.path, await client.file(jobId, output.sha256));
  const logs = await client.file(jobId, manifest.logsSha256);
  const manifestMismatch = hash.toLowerCase() !== resultHash.toLowerCase();
  const mismatches = verifyOutputs(manifest, files);
  if (sha256Hex(logs) !== manifest.logsSha256) {
    mismatches.push({ path: "(logs)", problem: "sha256", expected: manifest.logsSha256, actual: sha256Hex(logs) });
  }
  return {
    jobId,
    resultHash,
    manifest,
    manifestBytes: bytes,
    manifestHash: hash,
    files,
    logs,
    mismatches,
    manifestMismatch,
  };
}

/** The evidence document of a mismatch and its hash (keccak256 of its RFC 8785 canonical JSON). */
export function mismatchEvidence(
  chainId: bigint,
  market: string,
  jobId: bigint,
  specHash: string,
  result: DownloadedResult,
): { evidence: MismatchEvidence; evidenceHash: string; bytes: Uint8Array } {
  const mismatches = result.manifestMismatch
    ? [
        { path: "(manifest)", problem: "sha256" as const, expected: result.resultHash, actual: result.manifestHash },
        ...result.mismatches,
      ]
    : result.mismatches;
  const evidence: MismatchEvidence = {
    schema: "gridlease.evidence/v1",
    chainId: chainId.toString(),
    market,
    jobId: jobId.toString(),
    specHash,
    resultHash: result.resultHash,
    servedManifestHash: result.manifestHash,
    mismatches,
  };
  const bytes = canonicalJsonBytes(evidence);
  return { evidence, evidenceHash: keccak256(bytes), bytes };
}

/** Opens a dispute on `jobId` with `evidenceHash`, approving the bond (the job's stablecoin, or GRL) first. */
export async function disputeJob(
  protocol: Protocol,
  signer: Signer,
  jobId: bigint,
  evidenceHash: string,
): Promise<string> {
  const [bondToken, bond] = await protocol.market.disputeBondOf(jobId);
  const marketAddress = await protocol.market.getAddress();
  if (bond > 0n) {
    const token = connectProtocol(protocol.chainId, { ...protocol.addresses, MockStablecoin: bondToken }, signer).usdc;
    const me = await signer.getAddress();
    if (token !== undefined && (await token.allowance(me, marketAddress)) < bond) {
      await (await token.approve(marketAddress, bond)).wait();
    }
  }
  const receipt = await (await protocol.market.dispute(jobId, evidenceHash)).wait();
  if (receipt === null) throw new RunWorkloadError("TX_DROPPED", "the dispute transaction was dropped: retry", jobId);
  return receipt.hash;
}

/** Runs one workload end to end; see the file's comment. */
export async function runWorkload(options: RunWorkloadOptions): Promise<RunWorkloadResult> {
  const { signer, chainId, addresses, spec, signal } = options;
  const pollMs = options.pollMs ?? 500;
  const emit = (event: RunEvent): void => options.onEvent?.(event);
  const protocol = connectProtocol(chainId, addresses, signer);
  const market = protocol.market;
  const marketAddress = await market.getAddress();
  const specHash = hashWorkloadSpec(spec);
  const started = Date.now();
  let chainMs = 0;
  const onChain = async <T>(work: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await work();
    } finally {
      chainMs += Date.now() - t;
    }
  };

  const posted = await onChain(() => postJob(signer, addresses, { ...options.request, specHash }, options.postOptions));
  const { jobId } = posted;
  emit({ type: "posted", jobId, txHash: posted.txHash, budget: posted.budget, specHash });

  const state = await onChain(() => waitForWinner(protocol, posted, pollMs, signal));
  const job = await market.jobOf(jobId);
  emit({ type: "awarded", jobId, provider: job.provider, state });

  const nodeUrl = options.nodeUrl ?? (await findNodeApi(protocol.registry, job.provider, options.fetch));
  emit({ type: "nodeFound", jobId, url: nodeUrl });
  const client = new NodeClient({ url: nodeUrl, signer, chainId, market: marketAddress, fetch: options.fetch });
  const handedOverAt = Date.now();
  const handed = await client.handOver(jobId, spec, options.secrets ?? {});
  emit({ type: "handedOver", jobId, nodeState: handed.state });

  const runningAt = await waitForNode(client, jobId, ["running", "finished", "delivered", "claimed"], pollMs, signal);
  emit({ type: "running", jobId });
  const containerStartMs = runningAt - handedOverAt;

  if (spec.kind === "service") {
    const service = await serviceWhenReady(protocol, client, jobId, spec, pollMs, signal);
    emit({ type: "serviceReady", jobId, url: service.url });
    return {
      jobId,
      provider: job.provider,
      nodeUrl,
      posted,
      verified: false,
      service,
      timings: timingsOf(started, chainMs, containerStartMs, 0, 0),
    };
  }

  // The log follow ends with the workload; bounded after the delivery so a stream the node leaves open never holds the run.
  const logsAbort = new AbortController();
  signal?.addEventListener("abort", () => logsAbort.abort(signal.reason), { once: true });
  const logsDone = followLogs(client, jobId, emit, logsAbort.signal);
  const finishedAt = await waitForNode(client, jobId, ["finished", "delivered", "claimed"], pollMs, signal);
  const workloadMs = finishedAt - runningAt;
  const delivered = await onChain(() => waitForDelivery(protocol, jobId, pollMs, signal));
  emit({ type: "delivered", jobId, resultHash: delivered.resultHash, challengeDeadline: delivered.challengeDeadline });
  await Promise.race([logsDone, sleep(LOG_GRACE_MS)]);
  logsAbort.abort();
  await logsDone;

  const downloadStart = Date.now();
  const result = await downloadResult(client, jobId, delivered.resultHash);
  const downloadMs = Date.now() - downloadStart;
  const verified = !result.manifestMismatch && result.mismatches.length === 0;
  const outcome: RunWorkloadResult = {
    jobId,
    provider: job.provider,
    nodeUrl,
    posted,
    result,
    verified,
    timings: timingsOf(started, chainMs, containerStartMs, workloadMs, downloadMs),
  };
  if (!verified) {
    const { evidence, evidenceHash } = mismatchEvidence(chainId, marketAddress, jobId, specHash, result);
    emit({
      type: "mismatch",
      jobId,
      reason: result.manifestMismatch
        ? `the node's manifest hashes to ${result.manifestHash}, not the delivered ${result.resultHash}`
        : `${result.mismatches.length} output(s) differ from the manifest`,
      mismatches: evidence.mismatches,
    });
    if (options.disputeOnMismatch === true) {
      const txHash = await onChain(() => disputeJob(protocol, signer, jobId, evidenceHash));
      emit({ type: "disputed", jobId, evidenceHash, txHash });
      outcome.disputed = { txHash, evidenceHash, evidence };
    }
  } else {
    emit({
      type: "verified",
      jobId,
      manifestHash: result.manifestHash,
      outputs: result.files.size,
      exitCode: result.manifest.exitCode,
    });
    if (options.settle !== false) {
      const txHash = await onChain(() => acceptResult(protocol, jobId));
      emit({ type: "settled", jobId, txHash });
      outcome.settled = { txHash };
    }
  }
  outcome.timings = timingsOf(started, chainMs, containerStartMs, workloadMs, downloadMs);
  return outcome;
}

function timingsOf(
  started: number,
  chainMs: number,
  containerMs: number,
  workloadMs: number,
  downloadMs: number,
): RunTimings {
  const s = (ms: number): number => Math.round(ms) / 1000;
  return {
    chain: s(chainMs),
    containerStart: s(containerMs),
    workload: s(workloadMs),
    download: s(downloadMs),
    total: s(Date.now() - started),
  };
}

/**
 * Waits until the job has a winner. An instant job nobody accepts by its bid deadline is cancelled (the escrow
 * returns); an auction past its reveal window is awarded by the renter (or expires with a refund).
 */
async function waitForWinner(
  protocol: Protocol,
  posted: PostedJob,
  pollMs: number,
  signal?: AbortSignal,
): Promise<JobStateName> {
  const { jobId } = posted;
  const instant = posted.request.pricingRule === BigInt(PricingRule.valueOf("Instant"));
  for (;;) {
    const state = await stateOf(protocol, jobId);
    if (AWARDED_OR_LATER.includes(state)) return state;
    if (state === "Expired" || state === "Cancelled" || state === "Failed") {
      throw new RunWorkloadError(
        "NO_PROVIDER",
        `Job #${jobId} ended ${state} before anyone won it: its escrow was refunded to your balance (withdraw it with gridlease renter withdraw).`,
        jobId,
      );
    }
    const now = await chainTime(protocol);
    if (instant && now >= posted.bidDeadline) {
      await (await protocol.market.cancelJob(jobId)).wait();
      throw new RunWorkloadError(
        "NO_PROVIDER",
        `No provider accepted instant job #${jobId} within its bid window: it was cancelled and its escrow refunded to your balance.`,
        jobId,
      );
    }
    if (!instant && now >= posted.revealDeadline) {
      await (await protocol.market.award(jobId)).wait();
      continue;
    }
    await sleep(pollMs, signal);
  }
}

/** Polls the node until the job reaches one of `states`; returns when (ms). A failed job throws the node's reason. */
async function waitForNode(
  client: NodeClient,
  jobId: bigint,
  states: string[],
  pollMs: number,
  signal?: AbortSignal,
): Promise<number> {
  for (;;) {
    const status = await client.status(jobId);
    if (states.includes(status.state)) return Date.now();
    if (status.state === "failed") throw nodeFailed(jobId, status.lastError);
    await sleep(pollMs, signal);
  }
}

/** The node gave the job up: its reason, and the renter's way to its refund. */
function nodeFailed(jobId: bigint, lastError: string | undefined): RunWorkloadError {
  return new RunWorkloadError(
    "NODE_FAILED",
    `The provider's node failed job #${jobId}: ${lastError ?? "no reason given"}. If it does not deliver, fail the job after its delivery deadline (gridlease renter fail) for a refund.`,
    jobId,
  );
}

async function followLogs(
  client: NodeClient,
  jobId: bigint,
  emit: (event: RunEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  try {
    for await (const text of client.logs(jobId, { follow: true, signal })) emit({ type: "log", jobId, text });
  } catch (error) {
    // Logs are a convenience: the result's log is downloaded and verified with the outputs.
    if (signal?.aborted || error instanceof NodeRequestError) return;
    throw error;
  }
}

async function waitForDelivery(
  protocol: Protocol,
  jobId: bigint,
  pollMs: number,
  signal?: AbortSignal,
): Promise<{ resultHash: string; challengeDeadline: bigint }> {
  for (;;) {
    const state = await stateOf(protocol, jobId);
    if (state === "Failed" || state === "Expired") {
      throw new RunWorkloadError(
        "NOT_DELIVERED",
        `Job #${jobId} ended ${state} without a delivery: its escrow was refunded.`,
        jobId,
      );
    }
    if (state === "Delivered" || state === "Disputed" || state === "Settled" || state === "Resolved") {
      const delivered = await deliveredResult(protocol, jobId);
      if (delivered !== undefined) return delivered;
    }
    await sleep(pollMs, signal);
  }
}

/**
 * Settles the verified delivery at once: the renter may waive its own challenge window (the market refuses
 * anyone else before the deadline), so the provider is paid now instead of a day later.
 */
async function acceptResult(protocol: Protocol, jobId: bigint): Promise<string> {
  if ((await stateOf(protocol, jobId)) !== "Delivered") {
    throw new RunWorkloadError(
      "NOT_SETTLEABLE",
      `Job #${jobId} is no longer Delivered: someone settled or disputed it first.`,
      jobId,
    );
  }
  // The provider's node claims and withdraws in the same moments: with the gas estimated before its
  // transactions land, the settle could run short, so it gets a fifth more (unused gas is not paid for).
  const estimate = await protocol.market.settle.estimateGas(jobId);
  const receipt = await (await protocol.market.settle(jobId, { gasLimit: (estimate * 6n) / 5n })).wait();
  if (receipt === null) throw new RunWorkloadError("TX_DROPPED", "the settle transaction was dropped: retry", jobId);
  return receipt.hash;
}

async function serviceWhenReady(
  protocol: Protocol,
  client: NodeClient,
  jobId: bigint,
  spec: WorkloadSpec,
  pollMs: number,
  signal?: AbortSignal,
): Promise<RunningService> {
  const job = await protocol.market.jobOf(jobId);
  const endsAt = BigInt(job.startedAt) + BigInt(job.duration);
  const probe = spec.kind === "service" ? (spec.healthPath ?? "/") : "/";
  for (;;) {
    try {
      const response = await client.serviceFetch(jobId, probe, { signal });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch (error) {
      // The proxy answers 502/503 until the service listens: keep asking, within the lease, unless the node
      // has given the job up (its container could not start), which no later answer would change.
      if (!(error instanceof NodeRequestError) || error.status < 502 || error.status > 504) throw error;
      const status = await client.status(jobId);
      if (status.state === "failed") throw nodeFailed(jobId, status.lastError);
    }
    if ((await chainTime(protocol)) >= endsAt) {
      throw new RunWorkloadError(
        "SERVICE_NOT_READY",
        `Job #${jobId}'s service never answered ${probe} through the node before its lease ended.`,
        jobId,
      );
    }
    await sleep(pollMs, signal);
  }
  return {
    url: client.serviceUrl(jobId),
    endsAt,
    fetch: (path, init) => client.serviceFetch(jobId, path, init),
    stop: async () => {
      const receipt = await (await protocol.market.stopJob(jobId)).wait();
      if (receipt === null) throw new RunWorkloadError("TX_DROPPED", "the stop transaction was dropped: retry", jobId);
      return receipt.hash;
    },
  };
}
