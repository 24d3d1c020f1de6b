// Reading one of the agent's jobs: job_status (chain, plus the node's view once a provider holds it),
// job_logs and get_results (download and verify).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

import { describeJob } from "../../cli/lib/jobs.ts";
import { deliveredResult } from "../../sdk/node.ts";
import type { McpContext } from "../context.ts";
import { jobIdInput } from "../inputs.ts";
import { nodeOfJob, ownJob } from "../own-job.ts";
import { fetchVerifiedResults, resultData, verificationSummary } from "../results.ts";
import { answer, toolResult } from "../tool-result.ts";

const LIVE_LOG_MS = 3_000;

/** The node's own view of a job, or why it cannot be read (the chain's view stands alone then). */
async function nodeStatus(mcp: McpContext, loaded: Awaited<ReturnType<typeof ownJob>>): Promise<unknown> {
  if (/^0x0{40}$/i.test(loaded.job.provider)) return null;
  try {
    const node = await nodeOfJob(mcp, loaded);
    return await node.status(loaded.jobId);
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
        const result = (await deliveredResult(mcp.chain.protocol, loaded.jobId)) ?? null;
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
        // A running job's log is live until the workload ends: take what is there within a few seconds.
        const signal = AbortSignal.timeout(LIVE_LOG_MS);
        let text = "";
        try {
          for await (const chunk of node.logs(loaded.jobId, { signal })) text += chunk;
        } catch (error) {
          if (!signal.aborted) throw error;
        }
        const limit = tail_bytes ?? 64 * 1024;
        const logs = text.length > limit ? text.slice(text.length - limit) : text;
        return toolResult(
          { jobId: loaded.jobId, chars: text.length, truncated: text.length > limit, live: signal.aborted, logs },
          `Job #${loaded.jobId}: ${text.length} characters of logs${signal.aborted ? " so far (still running)" : ""}.`,
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
        const result = await fetchVerifiedResults(mcp, loaded);
        return toolResult({ jobId: loaded.jobId, ...resultData(result) }, verificationSummary(result));
      }),
  );
}
