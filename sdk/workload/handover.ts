// EIP-712 messages between a renter and the winning provider's node: the spec handover (the spec and its
// secrets go to the node off-chain, signed by the job's renter) and signed read requests (status, logs,
// results, the service proxy), so a node can check on-chain that the signer is the job's renter before it
// runs or reveals anything. Browser-safe: ethers only.
import { type Signer, type TypedDataDomain, type TypedDataField, verifyTypedData } from "ethers";

import { canonicalJsonKeccak256 } from "./canonical.ts";

/** The EIP-712 domain name every node message is signed under. */
export const NODE_DOMAIN_NAME = "Gridlease Node";
/** The EIP-712 domain version. */
export const NODE_DOMAIN_VERSION = "1";

/** What a node may be asked to read on a renter's behalf; each route of the node's API names one. */
export const NODE_READ_ACTIONS = ["status", "logs", "manifest", "files", "service"] as const;
/** One of {@link NODE_READ_ACTIONS}. */
export type NodeReadAction = (typeof NODE_READ_ACTIONS)[number];

/**
 * The spec handover's signed part. The spec itself travels in the request body and is bound by its hash;
 * the secrets are bound by the keccak256 of their canonical JSON, so they are never part of anything that
 * could end up on-chain or in a log, yet cannot be swapped in transit.
 */
export interface SpecHandover {
  jobId: bigint;
  /** The spec's hash (`hashWorkloadSpec`), equal to the job's on-chain `specHash`. */
  specHash: string;
  /** {@link hashSecrets} of the secrets sent with the spec. */
  secretsHash: string;
}

/** A signed read: who may read what, until when (unix seconds). */
export interface ReadRequest {
  jobId: bigint;
  action: NodeReadAction;
  expiresAt: bigint;
}

/** EIP-712 types of {@link SpecHandover}. */
export const SPEC_HANDOVER_TYPES: Record<string, TypedDataField[]> = {
  SpecHandover: [
    { name: "jobId", type: "uint256" },
    { name: "specHash", type: "bytes32" },
    { name: "secretsHash", type: "bytes32" },
  ],
};

/** EIP-712 types of {@link ReadRequest}. */
export const READ_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  ReadRequest: [
    { name: "jobId", type: "uint256" },
    { name: "action", type: "string" },
    { name: "expiresAt", type: "uint64" },
  ],
};

/** The typed data a wallet signs: domain, types and message, as `signer.signTypedData` takes them. */
export interface NodeTypedData<T> {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  message: T;
}

/** The domain of a node message: the chain and the JobMarket the job lives on (so a signature never replays elsewhere). */
export function nodeDomain(chainId: bigint, market: string): TypedDataDomain {
  return { name: NODE_DOMAIN_NAME, version: NODE_DOMAIN_VERSION, chainId, verifyingContract: market };
}

/** keccak256 of the secrets' RFC 8785 canonical JSON (an empty object when there are none). */
export function hashSecrets(secrets: Readonly<Record<string, string>> = {}): string {
  return canonicalJsonKeccak256(secrets);
}

/** The typed data of a spec handover. */
export function specHandoverTypedData(
  chainId: bigint,
  market: string,
  handover: SpecHandover,
): NodeTypedData<SpecHandover> {
  return { domain: nodeDomain(chainId, market), types: SPEC_HANDOVER_TYPES, message: handover };
}

/** The typed data of a read request. */
export function readRequestTypedData(
  chainId: bigint,
  market: string,
  request: ReadRequest,
): NodeTypedData<ReadRequest> {
  return { domain: nodeDomain(chainId, market), types: READ_REQUEST_TYPES, message: request };
}

/** Signs typed data with an ethers signer (a wallet, a browser wallet, a JSON-RPC account). */
export async function signNodeMessage<T extends object>(signer: Signer, data: NodeTypedData<T>): Promise<string> {
  return signer.signTypedData(data.domain, data.types, data.message as Record<string, unknown>);
}

/**
 * The address that signed `data`. Throws ethers' error for a malformed signature; a well-formed signature
 * over other data recovers some other address, which the caller compares with the one it expects.
 */
export function recoverNodeMessageSigner<T extends object>(data: NodeTypedData<T>, signature: string): string {
  return verifyTypedData(data.domain, data.types, data.message as Record<string, unknown>, signature);
}

/** The header a signed read request travels in: `<expiresAt>.<signature>` (the job and action come from the route). */
export const READ_SIGNATURE_HEADER = "x-gridlease-read";

/** Signs a read request and returns the value of {@link READ_SIGNATURE_HEADER}. */
export async function signReadRequest(
  signer: Signer,
  chainId: bigint,
  market: string,
  request: ReadRequest,
): Promise<string> {
  const signature = await signNodeMessage(signer, readRequestTypedData(chainId, market, request));
  return `${request.expiresAt}.${signature}`;
}

/** Thrown for a read header that is not `<expiresAt>.<0x signature>`. */
export class ReadHeaderError extends Error {
  constructor(reason: string) {
    super(
      `${READ_SIGNATURE_HEADER}: ${reason}; send "<expiresAt unix seconds>.<EIP-712 signature>" made with signReadRequest`,
    );
    this.name = "ReadHeaderError";
  }
}

/** Splits a read header into its expiry and signature (no signature check). */
export function parseReadHeader(value: string): { expiresAt: bigint; signature: string } {
  const match = /^(\d{1,20})\.(0x[0-9a-fA-F]+)$/.exec(value.trim());
  const [, expiresAt, signature] = match ?? [];
  if (expiresAt === undefined || signature === undefined) throw new ReadHeaderError("malformed");
  return { expiresAt: BigInt(expiresAt), signature };
}
