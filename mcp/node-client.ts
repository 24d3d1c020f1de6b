// The renter's side of a provider node's HTTP API (node/README.md): hand over a job's spec, and signed
// reads of its status, logs, manifest and output files. Every request is signed by the renter's key; a
// refusal comes back as the node's own { error: { code, message } }.
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
} from "../sdk/index.ts";
import { CliError } from "../cli/lib/errors.ts";

/** Where the node is and who asks. */
export interface NodeEndpoint {
  url: string;
  chainId: bigint;
  market: string;
  signer: Signer;
}

async function refusal(response: Response, what: string): Promise<CliError> {
  const text = await response.text();
  let message = text;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    message = body.error?.message ?? text;
  } catch {
    // Not JSON: the text is the message.
  }
  return new CliError("NODE_REFUSED", `The provider's node refused ${what} (HTTP ${response.status}): ${message}`);
}

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new CliError(
      "NODE_UNREACHABLE",
      `Cannot reach the provider's node at ${url} for ${what} (${(error as Error).message}): it may be down; try again later.`,
    );
  }
}

/** Hands the spec (and secrets) of `jobId` to the node; resolves once the node accepted it. */
export async function handOverSpec(
  node: NodeEndpoint,
  jobId: bigint,
  spec: WorkloadSpec,
  secrets: Record<string, string> = {},
): Promise<void> {
  const message = { jobId, specHash: hashWorkloadSpec(spec), secretsHash: hashSecrets(secrets) };
  const signature = await signNodeMessage(node.signer, specHandoverTypedData(node.chainId, node.market, message));
  const response = await request(
    `${node.url}/jobs/${jobId}/spec`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ spec, secrets, signature }),
    },
    "the spec handover",
  );
  if (!response.ok) throw await refusal(response, "the spec handover");
}

/** A signed read of `route` under the job (e.g. "" for status, "/logs"). */
export async function readFromNode(
  node: NodeEndpoint,
  jobId: bigint,
  route: string,
  action: NodeReadAction,
): Promise<Uint8Array> {
  const expiresAt = BigInt(Math.floor(Date.now() / 1000) + 300);
  const header = await signReadRequest(node.signer, node.chainId, node.market, { jobId, action, expiresAt });
  const what = `the job's ${action}`;
  const response = await request(
    `${node.url}/jobs/${jobId}${route}`,
    { headers: { [READ_SIGNATURE_HEADER]: header } },
    what,
  );
  if (!response.ok) throw await refusal(response, what);
  return new Uint8Array(await response.arrayBuffer());
}
