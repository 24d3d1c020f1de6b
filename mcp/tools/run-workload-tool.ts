// run_workload: a workload end to end in one call, through the SDK's runWorkload (post, wait for the
// provider, hand the spec to its node, follow it, download and verify the delivery against the chain),
// with the posting under the server's guard rails. Settling after the challenge window, or disputing, stays
// the agent's decision (settle_job, dispute_job).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

import { signerOf } from "../../cli/lib/context.ts";
import { formatUsd } from "../../sdk/index.ts";
import { runWorkload, type RunWorkloadResult } from "../../sdk/node.ts";
import type { McpContext } from "../context.ts";
import { workloadSpecInput } from "../inputs.ts";
import { prepareJobPost, workloadOf } from "../post-job.ts";
import { resultData, verificationSummary } from "../results.ts";
import { answer, ToolRefusal, toolResult } from "../tool-result.ts";
import { JOB_REQUEST_INPUT } from "./post-job-tool.ts";

/** Registers run_workload. */
export function registerRunWorkloadTool(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    "run_workload",
    {
      description:
        "Run a workload end to end: post the job for the spec (instant by default, within this server's limits), wait for " +
        "a provider, hand the spec to its node, wait for the delivery, then download and verify the results against the " +
        "on-chain result hash. Returns the verified outputs; settle_job to accept them (at once), or dispute_job if they do not verify.",
      inputSchema: {
        ...JOB_REQUEST_INPUT,
        spec: workloadSpecInput,
        timeout_minutes: z.int().min(1).max(1_440).optional().describe("how long to wait for the results (default 30)"),
      },
    },
    (args) =>
      answer(async () => {
        const { spec, specHash } = workloadOf(args.spec, undefined);
        if (spec === null) throw new ToolRefusal("INVALID_INPUT", "run_workload needs the spec itself.");
        if (spec.kind !== "batch") {
          throw new ToolRefusal("INVALID_INPUT", "run_workload runs batch workloads; post a service with post_job.");
        }
        const guarded = await prepareJobPost(mcp, args, specHash);
        let jobId: bigint | undefined;
        let run: RunWorkloadResult;
        try {
          run = await runWorkload({
            signer: signerOf(mcp.chain),
            chainId: mcp.chain.chainId,
            addresses: mcp.chain.addresses,
            spec,
            request: guarded.request,
            settle: false,
            postOptions: guarded.options,
            signal: AbortSignal.timeout((args.timeout_minutes ?? 30) * 60_000),
            onEvent: (event) => {
              if (event.type !== "posted") return;
              jobId = event.jobId;
              guarded.confirm(event.jobId, event.txHash);
            },
          });
        } catch (error) {
          if (jobId === undefined) guarded.abandon();
          if (jobId !== undefined && error instanceof Error && error.name === "TimeoutError") {
            throw new ToolRefusal(
              "TIMEOUT",
              `Job #${jobId} was posted but its results did not arrive within the timeout: follow it with job_status and job_logs.`,
            );
          }
          throw error;
        }
        const result = run.result;
        if (result === undefined) throw new ToolRefusal("UNEXPECTED", `Job #${run.jobId} returned no result.`);
        return toolResult(
          {
            jobId: run.jobId,
            provider: run.provider,
            specHash,
            budgetUsd: formatUsd(guarded.budgetUsd, 18),
            transactions: run.posted.transactions,
            timings: run.timings,
            ...resultData(result),
          },
          verificationSummary(result),
        );
      }),
  );
}
