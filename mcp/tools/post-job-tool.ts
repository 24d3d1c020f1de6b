// post_job: posts a job (instant by default, an auction on request) within the server's guard rails.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

import { signerOf } from "../../cli/lib/context.ts";
import { formatAmount, formatUsd, postJob, type PostedJob } from "../../sdk/index.ts";
import type { McpContext } from "../context.ts";
import { gpusInput, hoursInput, modelInput, payInput, ruleInput, usdInput, workloadSpecInput } from "../inputs.ts";
import { prepareJobPost, workloadOf } from "../post-job.ts";
import { answer, toolResult } from "../tool-result.ts";

/** The fields of a job request, shared by post_job and run_workload. */
export const JOB_REQUEST_INPUT = {
  model: modelInput,
  gpus: gpusInput.default(1),
  hours: hoursInput,
  max_price_per_gpu_hour: usdInput("max_price_per_gpu_hour"),
  rule: ruleInput.optional(),
  pay: payInput.optional(),
  bid_window_minutes: z
    .int()
    .min(1)
    .max(10_080)
    .optional()
    .describe("how long providers may bid or accept (default 10)"),
  reveal_window_minutes: z.int().min(1).max(10_080).optional().describe("auctions only (default 10)"),
  min_vram_gb: z.int().min(0).max(65_535).optional(),
  region: z.int().min(0).max(894).optional().describe("ISO 3166-1 numeric (0 = any)"),
  min_reputation: z.int().min(0).max(10_000).optional(),
};

/** Registers post_job. */
export function registerPostJobTool(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    "post_job",
    {
      description:
        "Post a job and escrow its budget (max price x GPUs x hours), within this server's spending limits. " +
        "Instant by default (the first eligible provider accepts at your price); rule first|second runs a sealed auction. " +
        "Give the workload spec (its canonical keccak256 is the job's spec hash) or a spec_hash.",
      inputSchema: {
        ...JOB_REQUEST_INPUT,
        spec: workloadSpecInput.optional(),
        spec_hash: z.string().optional().describe("0x + 64 hex digits, instead of spec"),
      },
    },
    (args) =>
      answer(async () => {
        const { specHash } = workloadOf(args.spec, args.spec_hash);
        const guarded = await prepareJobPost(mcp, args, specHash);
        let posted: PostedJob;
        try {
          posted = await postJob(signerOf(mcp.chain), mcp.chain.addresses, guarded.request, guarded.options);
        } catch (error) {
          guarded.abandon();
          throw error;
        }
        guarded.confirm(posted.jobId, posted.txHash);
        const budget = formatAmount(posted.budget, posted.token.decimals);
        return toolResult(
          {
            jobId: posted.jobId,
            specHash,
            budget,
            token: posted.token.symbol,
            budgetUsd: formatUsd(guarded.budgetUsd, 18),
            spentTodayUsd: formatUsd(mcp.ledger.spentToday(), 18),
            bidDeadline: posted.bidDeadline,
            transactions: posted.transactions,
          },
          `Posted job #${posted.jobId}: ${budget} ${posted.token.symbol} escrowed; spec hash ${specHash}.`,
        );
      }),
  );
}
