// run_workload: a workload end to end in one call. Posts the job (instant by default) within the guard
// rails, waits for a provider, hands the spec to its node (signed), waits for the delivery, then downloads
// and verifies the results against the on-chain result hash. Settling (after the challenge window) or
// disputing stays a separate decision of the agent.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

import { loadJob, type LoadedJob } from "../../cli/lib/jobs.ts";
import { formatUsd } from "../../sdk/index.ts";
import type { McpContext } from "../context.ts";
import { workloadSpecInput } from "../inputs.ts";
import { handOverSpec } from "../node-client.ts";
import { nodeOfJob } from "../own-job.ts";
import { postJob } from "../post-job.ts";
import { fetchVerifiedResults, verificationSummary } from "../results.ts";
import { answer, ToolRefusal, toolResult } from "../tool-result.ts";
import { JOB_REQUEST_INPUT } from "./post-job-tool.ts";

const POLL_MS = 500;
const ENDED = new Set(["Cancelled", "Failed", "Settled", "Resolved"]);

async function waitFor(
  mcp: McpContext,
  jobId: bigint,
  until: (loaded: LoadedJob) => boolean,
  deadlineMs: number,
): Promise<LoadedJob> {
  for (;;) {
    const loaded = await loadJob(mcp.chain, jobId);
    if (until(loaded) || ENDED.has(loaded.state) || Date.now() > deadlineMs) return loaded;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Registers run_workload. */
export function registerRunWorkloadTool(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    "run_workload",
    {
      description:
        "Run a workload end to end: post the job for the spec (instant by default, within this server's limits), wait for " +
        "a provider, hand the spec to its node, wait for the delivery, then download and verify the results. Returns the " +
        "verified outputs; settle_job after the challenge window, or dispute_job if they do not verify.",
      inputSchema: {
        ...JOB_REQUEST_INPUT,
        spec: workloadSpecInput,
        timeout_minutes: z.int().min(1).max(1_440).optional().describe("how long to wait for the results (default 30)"),
      },
    },
    (args) =>
      answer(async () => {
        const deadline = Date.now() + (args.timeout_minutes ?? 30) * 60_000;
        const posted = await postJob(mcp, args);
        const spec = posted.spec;
        if (spec === null) throw new ToolRefusal("INVALID_INPUT", "run_workload needs the spec itself.");
        const base = {
          jobId: posted.jobId,
          specHash: posted.specHash,
          budgetUsd: formatUsd(posted.budgetUsd, 18),
          transactions: posted.transactions,
        };
        const taken = await waitFor(
          mcp,
          posted.jobId,
          (loaded) => loaded.state === "Awarded" || loaded.state === "Running",
          deadline,
        );
        if (taken.state !== "Awarded" && taken.state !== "Running") {
          return toolResult(
            { ...base, state: taken.state, verified: false },
            `Job #${posted.jobId} was posted but no provider took it yet (state ${taken.state}): check job_status later.`,
          );
        }
        await handOverSpec(await nodeOfJob(mcp, taken), posted.jobId, spec);
        const delivered = await waitFor(mcp, posted.jobId, (loaded) => loaded.job.deliveredAt !== 0n, deadline);
        if (delivered.job.deliveredAt === 0n) {
          return toolResult(
            { ...base, state: delivered.state, verified: false },
            `Job #${posted.jobId} is ${delivered.state}, not delivered within the timeout: follow it with job_status and job_logs.`,
          );
        }
        const results = await fetchVerifiedResults(mcp, delivered);
        return toolResult({ ...base, state: delivered.state, ...results }, verificationSummary(posted.jobId, results));
      }),
  );
}
