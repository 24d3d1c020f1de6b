// Who may hand a spec to the node and read a job's results: the job's renter as the chain records it,
// proven by an EIP-712 signature (sdk/workload/handover.ts). Pure checks plus one chain read.
import { getAddress } from "ethers";

import type { ChainJob, NodeMarket } from "../chain/node-market.ts";
import {
  parseReadHeader,
  readRequestTypedData,
  recoverNodeMessageSigner,
  ReadHeaderError,
  specHandoverTypedData,
  type NodeReadAction,
  type SpecHandover,
} from "../../sdk/index.ts";
import { ApiError } from "./http-json.ts";

/** The longest a signed read may stay valid, so a leaked header is not a key forever. */
export const MAX_READ_VALIDITY_SECONDS = 24n * 3600n;

/** On-chain states in which a job can still receive its spec. */
const STATES_ACCEPTING_SPEC: readonly string[] = ["Awarded", "Running"];

/** The signer of a typed message, or a 400 for a signature that is not one. */
function recoverOr400<T extends object>(
  data: Parameters<typeof recoverNodeMessageSigner<T>>[0],
  signature: unknown,
): string {
  if (typeof signature !== "string")
    throw new ApiError(
      400,
      "MISSING_SIGNATURE",
      "sign the message with the renter's key (EIP-712) and send it as `signature`",
    );
  try {
    return recoverNodeMessageSigner(data, signature);
  } catch {
    throw new ApiError(
      400,
      "MALFORMED_SIGNATURE",
      "the signature is not a 65-byte EIP-712 signature: sign with signNodeMessage (or signReadRequest)",
    );
  }
}

/**
 * Checks a spec handover against the chain: signed by the job's renter, for the spec hash the job carries,
 * on a job this node's provider won and that is awarded or running. Returns the job record.
 */
export async function authorizeHandover(
  market: NodeMarket,
  handover: SpecHandover,
  signature: unknown,
): Promise<ChainJob> {
  const signer = recoverOr400(specHandoverTypedData(market.chainId, market.address, handover), signature);
  const job = await market.job(handover.jobId);
  if (job.state === "None")
    throw new ApiError(404, "UNKNOWN_JOB", `job ${handover.jobId} does not exist on chain ${market.chainId}`);
  if (!sameAddress(signer, job.renter)) {
    throw new ApiError(
      403,
      "NOT_RENTER",
      `the handover is signed by ${signer}, not by the job's renter ${job.renter}: sign it with the renter's key`,
    );
  }
  if (job.specHash.toLowerCase() !== handover.specHash.toLowerCase()) {
    throw new ApiError(
      409,
      "SPEC_HASH_MISMATCH",
      `the spec hashes to ${handover.specHash} but job ${handover.jobId} carries ${job.specHash}: send the spec the job was created with`,
    );
  }
  if (!sameAddress(job.provider, market.provider)) {
    throw new ApiError(
      409,
      "NOT_THIS_PROVIDER",
      `job ${handover.jobId} is not won by this node's provider ${market.provider}: send the spec to the winner's node`,
    );
  }
  if (!STATES_ACCEPTING_SPEC.includes(job.state)) {
    throw new ApiError(
      409,
      "JOB_NOT_RUNNABLE",
      `job ${handover.jobId} is ${job.state} on-chain: only an awarded or running job takes a spec`,
    );
  }
  return job;
}

/**
 * Checks a signed read header: well formed, not expired, valid for at most a day, and signed for this job
 * and action by `renter`. Returns nothing; throws a 401/403 {@link ApiError} otherwise.
 */
export function authorizeRead(
  market: Pick<NodeMarket, "chainId" | "address">,
  header: string | string[] | undefined,
  request: { jobId: bigint; action: NodeReadAction },
  renter: string,
  nowSeconds: bigint,
): void {
  if (typeof header !== "string") {
    throw new ApiError(
      401,
      "UNSIGNED_READ",
      "reads need the x-gridlease-read header: sign { jobId, action, expiresAt } with the renter's key (signReadRequest)",
    );
  }
  let parsed: { expiresAt: bigint; signature: string };
  try {
    parsed = parseReadHeader(header);
  } catch (error) {
    if (error instanceof ReadHeaderError) throw new ApiError(401, "MALFORMED_READ_SIGNATURE", error.message);
    throw error;
  }
  if (parsed.expiresAt <= nowSeconds)
    throw new ApiError(401, "READ_EXPIRED", `the signed read expired at ${parsed.expiresAt}: sign a new one`);
  if (parsed.expiresAt > nowSeconds + MAX_READ_VALIDITY_SECONDS) {
    throw new ApiError(
      401,
      "READ_TOO_LONG",
      `a signed read may be valid for at most ${MAX_READ_VALIDITY_SECONDS} s: sign one that expires sooner`,
    );
  }
  const signer = recoverOr400(
    readRequestTypedData(market.chainId, market.address, { ...request, expiresAt: parsed.expiresAt }),
    parsed.signature,
  );
  if (!sameAddress(signer, renter)) {
    throw new ApiError(
      403,
      "NOT_RENTER",
      `the read is signed by ${signer}, not by the job's renter: only the renter reads a job's ${request.action}`,
    );
  }
}

function sameAddress(a: string, b: string): boolean {
  try {
    return getAddress(a) === getAddress(b);
  } catch {
    return false;
  }
}
