// Workload spec hashes and sealed-bid commitments, shared by the simulator, the demo scripts and the CLI.
// A job names what it runs by `specHash` (IJobMarket.JobRequest.specHash, non-zero); a sealed bid
// commits to it, so a provider cannot later claim it bid on another workload.
import { AbiCoder, keccak256, toUtf8Bytes, type BigNumberish } from "ethers";

/**
 * A deterministic, non-zero spec hash for a simulated workload: the keccak256 of a short JSON string
 * naming the job's kind (`{"workload":"<kind>"}`), so the same kind always hashes the same.
 */
export function workloadSpecHash(kind: string): string {
  return keccak256(toUtf8Bytes(JSON.stringify({ workload: kind })));
}

/**
 * A bid's commitment, as JobMarket.bidCommitment computes it:
 * keccak256(abi.encode(jobId, provider, pricePerGpuHour, salt, chainid, market, specHash)).
 * Computing it locally keeps the price and salt away from the RPC endpoint.
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
      ["uint256", "address", "uint96", "bytes32", "uint256", "address", "bytes32"],
      [jobId, provider, pricePerGpuHour, salt, chainId, market, specHash],
    ),
  );
}

const LOW_248_BITS = (1n << 248n) - 1n;

/** What `bidOf(...).commitment` reports for a committed bid: the commitment's low 248 bits (first byte 0). */
export function storedCommitment(commitment: string): string {
  return "0x" + (BigInt(commitment) & LOW_248_BITS).toString(16).padStart(64, "0");
}
