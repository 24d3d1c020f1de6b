// A delivered job's results as a tool shows them: downloaded from the provider's node and verified by the
// SDK (downloadResult: the manifest must hash to the on-chain result hash, every output and the log must
// match it), with small text outputs inline.
import type { LoadedJob } from "../cli/lib/jobs.ts";
import { deliveredResult, downloadResult, type DownloadedResult } from "../sdk/node.ts";
import type { McpContext } from "./context.ts";
import { nodeOfJob } from "./own-job.ts";
import { ToolRefusal } from "./tool-result.ts";

/** Outputs shown inline up to this size (text); larger ones are listed with their hash only. */
const INLINE_BYTES = 64 * 1024;

function inlineText(bytes: Uint8Array | undefined): string | null {
  if (bytes === undefined || bytes.length > INLINE_BYTES) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** A downloaded result as structured content. */
export function resultData(result: DownloadedResult): Record<string, unknown> {
  return {
    verified: !result.manifestMismatch && result.mismatches.length === 0,
    resultHash: result.resultHash,
    manifestHash: result.manifestHash,
    mismatches: result.mismatches,
    manifest: result.manifest,
    outputs: result.manifest.outputs.map((output) => ({ ...output, text: inlineText(result.files.get(output.path)) })),
  };
}

/** Downloads and verifies the results of a delivered job. */
export async function fetchVerifiedResults(mcp: McpContext, loaded: LoadedJob): Promise<DownloadedResult> {
  const delivered = await deliveredResult(mcp.chain.protocol, loaded.jobId);
  if (delivered === undefined) {
    throw new ToolRefusal(
      "NOT_DELIVERED",
      `Job #${loaded.jobId} has no delivered result yet (state ${loaded.state}): wait for the provider to deliver.`,
    );
  }
  return downloadResult(await nodeOfJob(mcp, loaded), loaded.jobId, delivered.resultHash);
}

/** The summary line of a verification. */
export function verificationSummary(result: DownloadedResult): string {
  if (!result.manifestMismatch && result.mismatches.length === 0) {
    return `Job #${result.jobId}: results verified (the manifest hashes to the on-chain result ${result.resultHash}; ${result.manifest.outputs.length} output(s) match).`;
  }
  const problems = [
    ...(result.manifestMismatch
      ? [`the manifest hashes to ${result.manifestHash}, not the on-chain ${result.resultHash}`]
      : []),
    ...result.mismatches.map((m) => `${m.path}: ${m.problem}`),
  ];
  return `Job #${result.jobId}: results DO NOT verify (${problems.join("; ")}): dispute it with dispute_job before the challenge window ends.`;
}
