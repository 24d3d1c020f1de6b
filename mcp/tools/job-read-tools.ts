// Reading one of the agent's jobs: job_status (chain, plus the node's view once a provider holds it),
// job_logs and get_results (download and verify).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

import { deliveredResult, describeJob } from "../../cli/lib/jobs.ts";
import type { McpContext } from "../context.ts";
import { jobIdInput } from "../inputs.ts";
import { readFromNode } from "../node-client.ts";
import { nodeOfJob, ownJob } from "../own-job.ts";
import { fetchVerifiedResults, verificationSummary } from "../results.ts";
import { answer, toolResult } from "../tool-result.ts";

/** The node's own view of a job, or why it cannot be read (the chain's view stands alone then). */
async function nodeStatus(mcp: McpContext, loaded: Awaited<ReturnType<typeof ownJob>>): Promise<unknown> {
  if (/^0x0{40}$/i.test(loaded.job.provider)) return null;
  try {
    const node = await nodeOfJob(mcp, loaded);
    return JSON.parse(new TextDecoder().decode(await readFromNode(node, loaded.jobId, "", "status"))) as unknown;
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

/** Registers job_status, job_logs and get_results. */
export function registerJobReadTools(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    "job_status",
    {
      description:
        "One of your jobs: on-chain state, prices, deadlines, next step, delivered result hash, and the provider node's status.",
      inputSchema: { job_id: jobIdInput },
    },
    ({ job_id }) =>
      answer(async () => {
        const loaded = await ownJob(mcp, job_id);
        const { data } = describeJob(loaded);
        const result = await deliveredResult(mcp.chain, loaded);
        const node = await nodeStatus(mcp, loaded);
        return toolResult(
          { job: { ...data, result }, node },
          `Job #${loaded.jobId}: ${String(data.state)}; ${String(data.nextStep)}`,
        );
      }),
  );

  server.registerTool(
    "job_logs",
    {
      description:
        "The workload's logs (stdout and stderr) from the provider's node: live while it runs, then as stored.",
      inputSchema: {
        job_id: jobIdInput,
        tail_bytes: z.int().min(1).max(1_000_000).optional().describe("only the last N bytes (default 64 KiB)"),
      },
    },
    ({ job_id, tail_bytes }) =>
      answer(async () => {
        const loaded = await ownJob(mcp, job_id);
        const node = await nodeOfJob(mcp, loaded);
        const bytes = await readFromNode(node, loaded.jobId, "/logs", "logs");
        const limit = tail_bytes ?? 64 * 1024;
        const logs = new TextDecoder().decode(bytes.subarray(Math.max(0, bytes.length - limit)));
        return toolResult(
          { jobId: loaded.jobId, bytes: bytes.length, truncated: bytes.length > limit, logs },
          `Job #${loaded.jobId}: ${bytes.length} bytes of logs.`,
        );
      }),
  );

  server.registerTool(
    "get_results",
    {
      description:
        "Download a delivered job's result manifest and outputs from the provider's node and verify them: the manifest " +
        "must hash to the on-chain result hash and every output must match it. Small text outputs are included.",
      inputSchema: { job_id: jobIdInput },
    },
    ({ job_id }) =>
      answer(async () => {
        const loaded = await ownJob(mcp, job_id);
        const results = await fetchVerifiedResults(mcp, loaded);
        return toolResult({ jobId: loaded.jobId, ...results }, verificationSummary(loaded.jobId, results));
      }),
  );
}
