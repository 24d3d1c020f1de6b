// The renter's job actions that take only a job id and send one transaction (award, cancel, stop, settle, fail)
// share their parsing, sending and reporting here.
import type { Command } from "commander";
import type { ContractTransactionResponse } from "ethers";

import { run, withJson } from "../../lib/command.ts";
import { connectSigner, type Context } from "../../lib/context.ts";
import { describeJob, loadJob } from "../../lib/jobs.ts";
import { parseJobId } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";

/** A job action that takes only the job id and sends one transaction. */
export function simpleJobAction(
  parent: Command,
  name: string,
  description: string,
  act: (ctx: Context, jobId: bigint) => Promise<{ step: string; send: () => Promise<ContractTransactionResponse> }>,
  done: (ctx: Context, jobId: bigint) => Promise<{ data: Record<string, unknown>; text: string }>,
): void {
  withJson(parent.command(name).description(description).argument("<jobId>", "the job")).action(
    async (jobIdText: string, _opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const jobId = parseJobId(jobIdText);
        const { ctx } = await connectSigner();
        const loaded = await loadJob(ctx, jobId);
        const step = await act(ctx, jobId);
        const { sent } = await send(out, step.step, step.send, {
          priceDecimals: loaded.token.decimals,
          token: { symbol: loaded.token.symbol, decimals: loaded.token.decimals },
          now: loaded.now,
        });
        const result = await done(ctx, jobId);
        out.result({ command: `renter ${name}`, jobId, ...result.data, transactions: [sent] }, result.text);
      }),
  );
}

/** The job's state after an action, as the action's result. */
export async function stateAfter(
  ctx: Context,
  jobId: bigint,
): Promise<{ data: Record<string, unknown>; text: string }> {
  const loaded = await loadJob(ctx, jobId);
  const { data, lines } = describeJob(loaded);
  return { data: { job: data }, text: lines.join("\n") };
}
