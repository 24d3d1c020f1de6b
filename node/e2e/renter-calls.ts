// Test support: what a renter does with a provider node's API in the end-to-end tests: hand the spec over
// (EIP-712 signed), read with signed requests, and wait for the job's state.
import type { Signer } from "ethers";

import {
  hashSecrets,
  hashWorkloadSpec,
  READ_SIGNATURE_HEADER,
  signNodeMessage,
  signReadRequest,
  specHandoverTypedData,
  type NodeReadAction,
  type WorkloadSpec,
} from "../../sdk/index.ts";

/** The chain and market a node's signatures are bound to. */
export interface NodeDomain {
  chainId: bigint;
  market: string;
}

/** POSTs the spec (and secrets) for `jobId` to the node at `url`, signed by `signer`. */
export async function handOver(
  domain: NodeDomain,
  url: string,
  jobId: bigint,
  signer: Signer,
  spec: WorkloadSpec,
  secrets: Record<string, string> = {},
): Promise<Response> {
  const message = { jobId, specHash: hashWorkloadSpec(spec), secretsHash: hashSecrets(secrets) };
  const signature = await signNodeMessage(signer, specHandoverTypedData(domain.chainId, domain.market, message));
  return fetch(`${url}/jobs/${jobId}/spec`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ spec, secrets, signature }),
  });
}

/** A signed GET of the job's `route` (e.g. "/manifest") on the node at `url`. */
export async function signedRead(
  domain: NodeDomain,
  url: string,
  jobId: bigint,
  route: string,
  action: NodeReadAction,
  signer: Signer,
): Promise<Response> {
  const expiresAt = BigInt(Math.floor(Date.now() / 1000) + 300);
  const header = await signReadRequest(signer, domain.chainId, domain.market, { jobId, action, expiresAt });
  return fetch(`${url}/jobs/${jobId}${route}`, { headers: { [READ_SIGNATURE_HEADER]: header } });
}

/** The job's status on the node. */
export interface NodeStatus {
  state: string;
  lastError?: string;
}

/** Polls the job's status until `done` says so, or `timeoutMs` passes (then the last status). */
export async function waitForStatus(
  domain: NodeDomain,
  url: string,
  jobId: bigint,
  signer: Signer,
  done: (state: string) => boolean,
  timeoutMs = 150_000,
): Promise<NodeStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await signedRead(domain, url, jobId, "", "status", signer)).json()) as NodeStatus;
    if (done(body.state) || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Whether a job has come to rest on the node. */
export function atRest(state: string): boolean {
  return state === "claimed" || state === "failed";
}
