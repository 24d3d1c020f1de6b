// Fetching a delivered job's results from the provider's node and verifying them (tier 1): the manifest's
// keccak256 must be the result hash delivered on-chain, and every output must match the manifest.
import { keccak256 } from "ethers";

import { deliveredResult, type LoadedJob } from "../cli/lib/jobs.ts";
import { parseResultManifest, verifyOutputs, type OutputMismatch, type ResultManifest } from "../sdk/index.ts";
import type { McpContext } from "./context.ts";
import { readFromNode } from "./node-client.ts";
import { nodeOfJob } from "./own-job.ts";
import { ToolRefusal } from "./tool-result.ts";

/** Outputs shown inline up to this size (text); larger ones are listed with their hash only. */
const INLINE_BYTES = 64 * 1024;

/** A verified (or not) set of results. */
export interface VerifiedResults {
  verified: boolean;
  resultHash: string;
  manifestHash: string;
  manifest: ResultManifest;
  mismatches: OutputMismatch[];
  outputs: { path: string; size: number; sha256: string; text: string | null }[];
}

function inlineText(bytes: Uint8Array): string | null {
  if (bytes.length > INLINE_BYTES) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Downloads the manifest and outputs of a delivered job and verifies them against the chain. */
export async function fetchVerifiedResults(mcp: McpContext, loaded: LoadedJob): Promise<VerifiedResults> {
  const result = await deliveredResult(mcp.chain, loaded);
  if (result === null) {
    throw new ToolRefusal(
      "NOT_DELIVERED",
      `Job #${loaded.jobId} has no delivered result yet (state ${loaded.state}): wait for the provider to deliver.`,
    );
  }
  const node = await nodeOfJob(mcp, loaded);
  const manifestBytes = await readFromNode(node, loaded.jobId, "/manifest", "manifest");
  const manifestHash = keccak256(manifestBytes);
  const parsed = parseResultManifest(new TextDecoder().decode(manifestBytes));
  if (!parsed.ok) {
    throw new ToolRefusal(
      "BAD_MANIFEST",
      `The node's manifest is not a valid result manifest: ${parsed.errors.join("; ")}.`,
    );
  }
  const files = new Map<string, Uint8Array>();
  for (const output of parsed.value.outputs) {
    files.set(output.path, await readFromNode(node, loaded.jobId, `/files/${output.sha256}`, "files"));
  }
  const mismatches = verifyOutputs(parsed.value, files);
  return {
    verified: manifestHash === result.hash && mismatches.length === 0,
    resultHash: result.hash,
    manifestHash,
    manifest: parsed.value,
    mismatches,
    outputs: parsed.value.outputs.map((output) => ({
      ...output,
      text: inlineText(files.get(output.path) ?? new Uint8Array()),
    })),
  };
}

/** The summary line of a verification. */
export function verificationSummary(jobId: bigint, results: VerifiedResults): string {
  if (results.verified) {
    return `Job #${jobId}: results verified (manifest ${results.manifestHash} is the on-chain result hash; ${results.outputs.length} output(s) match).`;
  }
  const problems = [
    ...(results.manifestHash === results.resultHash
      ? []
      : [`the manifest hashes to ${results.manifestHash}, not the on-chain ${results.resultHash}`]),
    ...results.mismatches.map((m) => `${m.path}: ${m.problem}`),
  ];
  return `Job #${jobId}: results DO NOT verify (${problems.join("; ")}): dispute it with dispute_job before the challenge window ends.`;
}
