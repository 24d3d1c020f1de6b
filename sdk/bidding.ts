// Workload spec hashes and sealed-bid commitments, computed locally: the price and salt of a sealed bid
// never leave the bidder's machine before the reveal. A job names what it runs by `specHash`
// (IJobMarket.JobRequest.specHash, non-zero); a sealed bid commits to it, so a provider cannot later
// claim it bid on another workload.
import { AbiCoder, hexlify, keccak256, toUtf8Bytes, type BigNumberish } from "ethers";

/**
 * A deterministic, non-zero spec hash for a simulated workload: the keccak256 of a short JSON string
 * naming the job's kind (`{"workload":"<kind>"}`), so the same kind always hashes the same.
 */
export function workloadSpecHash(kind: string): string {
  return keccak256(toUtf8Bytes(JSON.stringify({ workload: kind })));
}

/** keccak256 of a file's bytes: a spec hash for opaque workloads (a `gridlease.workload/v1` spec posts `hashWorkloadSpec`). */
export function specHashOfBytes(bytes: Uint8Array): string {
  return keccak256(bytes);
}

/** The ABI types of a commitment's preimage: (jobId, provider, pricePerGpuHour, salt, chainId, market, specHash). */
export const BID_COMMITMENT_TYPES = [
  "uint256",
  "address",
  "uint96",
  "bytes32",
  "uint256",
  "address",
  "bytes32",
] as const;

/**
 * A sealed bid's commitment, as JobMarket.bidCommitment computes it:
 * keccak256(abi.encode(jobId, provider, pricePerGpuHour, salt, block.chainid, market, specHash)).
 * Computed locally: calling the contract's view instead would send the price and salt to the RPC endpoint.
 */
export function bidCommitment(
  jobId: BigNumberish,
  provider: string,
  pricePerGpuHour: BigNumberish,
  salt: string,
  chainId: BigNumberish,
  market: string,
  specHash: string,
): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      [...BID_COMMITMENT_TYPES],
      [jobId, provider, pricePerGpuHour, salt, chainId, market, specHash],
    ),
  );
}

const LOW_248_BITS = (1n << 248n) - 1n;

/** What `bidOf(...).commitment` reports for a committed bid: the commitment's low 248 bits (first byte 0). */
export function storedCommitment(commitment: string): string {
  return "0x" + (BigInt(commitment) & LOW_248_BITS).toString(16).padStart(64, "0");
}

/** A fresh random 32-byte salt (Web Crypto: the same in browsers and Node). */
export function newSalt(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return hexlify(bytes);
}
