// Re-export shim for scripts/sim only (not yet migrated to the SDK): spec hashes and bid commitments
// live in sdk/bidding.ts. Do not import this from new code.
export { bidCommitment, workloadSpecHash } from "../../sdk/index.ts";
