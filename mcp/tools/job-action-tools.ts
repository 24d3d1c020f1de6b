// Acting on one of the agent's jobs: stop_job (early, pro-rata), settle_job (at once as the renter, accepting the result; anyone after the challenge window)
// and dispute_job (with evidence, bonding 5%). Each simulates first, so a call the market would refuse
// sends nothing and says why.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { keccak256, toUtf8Bytes, type ContractTransactionResponse } from "ethers";
import { z } from "zod";

import { disputeWithBond } from "../../cli/commands/renter/dispute.ts";
import { signerOf } from "../../cli/lib/context.ts";
import { describeJob, loadJob, type LoadedJob } from "../../cli/lib/jobs.ts";
import { forgetSent, send, simulate, type SentTransaction } from "../../cli/lib/tx.ts";
import type { McpContext } from "../context.ts";
import { jobIdInput } from "../inputs.ts";
import { ownJob } from "../own-job.ts";
import { answer, SILENT, ToolRefusal, toolResult } from "../tool-result.ts";

function hintsOf(loaded: LoadedJob) {
  return {
    priceDecimals: loaded.token.decimals,
    token: { symbol: loaded.token.symbol, decimals: loaded.token.decimals },
    now: loaded.now,
  };
}

/** Simulates then sends one job transaction, and reports the job after it. */
async function jobTransaction(
  mcp: McpContext,
  jobIdText: string,
  step: string,
  call: { staticCall(jobId: bigint, overrides: { blockTag: "pending" }): Promise<unknown> },
  submit: (jobId: bigint) => Promise<ContractTransactionResponse>,
  verb: string,
) {
  const loaded = await ownJob(mcp, jobIdText);
  const sent = await mcp.exclusive(async (): Promise<SentTransaction> => {
    forgetSent();
    await simulate(step, (overrides) => call.staticCall(loaded.jobId, overrides), hintsOf(loaded));
    return (await send(SILENT, step, () => submit(loaded.jobId), hintsOf(loaded))).sent;
  });
  const { data } = describeJob(await loadJob(mcp.chain, loaded.jobId));
  return toolResult(
    { jobId: loaded.jobId, job: data, transactions: [sent] },
    `${verb} job #${loaded.jobId}: now ${String(data.state)}.`,
  );
}

/** Registers stop_job, settle_job and dispute_job. */
export function registerJobActionTools(server: McpServer, mcp: McpContext): void {
  const market = () => mcp.chain.protocol.market;
  server.registerTool(
    "stop_job",
    {
      description:
        "Stop one of your running jobs early: the provider is paid pro rata for the time used and the rest is refunded.",
      inputSchema: { job_id: jobIdInput },
    },
    ({ job_id }) =>
      answer(() => jobTransaction(mcp, job_id, "stop job", market().stopJob, (id) => market().stopJob(id), "Stopped")),
  );

  server.registerTool(
    "settle_job",
    {
      description:
        "Settle a delivered job, accepting its result (as its renter you may at once, inside the challenge window; verify with get_results first): the provider is paid in full and the job closes.",
      inputSchema: { job_id: jobIdInput },
    },
    ({ job_id }) =>
      answer(() => jobTransaction(mcp, job_id, "settle", market().settle, (id) => market().settle(id), "Settled")),
  );

  server.registerTool(
    "dispute_job",
    {
      description:
        "Dispute a delivery within the challenge window, with evidence (kept off-chain; its keccak256 goes on-chain). " +
        "Bonds 5% of the job's value in its stablecoin (GRL for a credit job). Give evidence text (e.g. get_results' mismatches) or its hash.",
      inputSchema: {
        job_id: jobIdInput,
        evidence: z.string().min(1).max(100_000).optional().describe("the evidence itself; its keccak256 is posted"),
        evidence_hash: z.string().optional().describe("0x + 64 hex digits: the hash of evidence kept elsewhere"),
      },
    },
    ({ job_id, evidence, evidence_hash }) =>
      answer(async () => {
        if ((evidence === undefined) === (evidence_hash === undefined)) {
          throw new ToolRefusal(
            "INVALID_INPUT",
            "Give exactly one of evidence (text) and evidence_hash (0x + 64 hex digits).",
          );
        }
        if (
          evidence_hash !== undefined &&
          (!/^0x[0-9a-fA-F]{64}$/.test(evidence_hash) || BigInt(evidence_hash) === 0n)
        ) {
          throw new ToolRefusal(
            "INVALID_INPUT",
            `evidence_hash must be 0x followed by 64 hex digits, not zero; got "${evidence_hash}".`,
          );
        }
        const hash = evidence_hash ?? keccak256(toUtf8Bytes(evidence as string));
        const loaded = await ownJob(mcp, job_id);
        const transactions = await mcp.exclusive(() => {
          forgetSent();
          return disputeWithBond(mcp.chain, SILENT, signerOf(mcp.chain).address, loaded, hash);
        });
        const { data } = describeJob(await loadJob(mcp.chain, loaded.jobId));
        return toolResult(
          { jobId: loaded.jobId, evidenceHash: hash, job: data, transactions },
          `Disputed job #${loaded.jobId} (evidence ${hash}); the arbiter rules next.`,
        );
      }),
  );
}
