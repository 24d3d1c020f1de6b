// `gridlease renter dispute`: disputes a delivery within the challenge window, bonding the job's stablecoin (or GRL for a credit job).
import type { Command } from "commander";

import { formatAmount } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner, stablecoinOf, type Context } from "../../lib/context.ts";
import { invalidInput } from "../../lib/errors.ts";
import { describeJob, formatBond, loadJob, type LoadedJob } from "../../lib/jobs.ts";
import type { Output } from "../../lib/output.ts";
import { hashFromOptions } from "../../lib/hash-option.ts";
import { parseJobId } from "../../lib/parse.ts";
import { ensureAllowance, send, type SentTransaction, simulate } from "../../lib/tx.ts";

/** Adds `renter dispute`. */
export function addDisputeCommand(renter: Command): void {
  withJson(
    renter
      .command("dispute")
      .description(
        "dispute a delivery within the challenge window;\nneeds exactly one of --evidence-hash or --evidence-file; bonds 5% of the " +
          "job value (by default) in its stablecoin, or in GRL for a credit job (approved here)",
      )
      .argument("<jobId>", "the job")
      .option(
        "--evidence-hash <bytes32>",
        "hash of your evidence (kept off-chain); this or --evidence-file is required",
      )
      .option(
        "--evidence-file <path>",
        "hash this file's contents (keccak256) as the evidence hash; this or --evidence-hash is required",
      ),
  ).action(async (jobIdText: string, opts: { evidenceHash?: string; evidenceFile?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const evidence = hashFromOptions(opts.evidenceHash, opts.evidenceFile, {
        hash: "--evidence-hash",
        file: "--evidence-file",
        what: "evidence",
      });
      const { ctx, me } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const transactions = await disputeWithBond(ctx, out, me, loaded, evidence);
      const inGrl = loaded.token.kind === "credits";
      const after = await loadJob(ctx, jobId);
      const { data, lines } = describeJob(after);
      out.result(
        {
          command: "renter dispute",
          jobId,
          evidenceHash: evidence,
          bond: formatAmount(after.job.disputeBond, inGrl ? 18 : loaded.token.decimals),
          bondToken: inGrl ? "GRL" : loaded.token.symbol,
          job: data,
          transactions,
        },
        [`Disputed job #${jobId} with a bond of ${formatBond(after.job.disputeBond, loaded.token)}.`, ...lines],
      );
    }),
  );
}

/**
 * Disputes `loaded` with `evidence` as `me`: simulates the dispute (state, challenge window) first, checks and
 * approves the bond (the job's stablecoin, or GRL for a credit job), then sends it. Also the MCP server's dispute_job.
 */
export async function disputeWithBond(
  ctx: Context,
  out: Output,
  me: string,
  loaded: LoadedJob,
  evidence: string,
): Promise<SentTransaction[]> {
  const jobId = loaded.jobId;
  const market = ctx.protocol.market;
  // A stablecoin job's bond is in its stablecoin; a credit job's in GRL (never credits, which a pause can stop).
  const [, bond] = await market.disputeBondOf(jobId);
  const inGrl = loaded.token.kind === "credits";
  const hints = inGrl
    ? { token: { symbol: "GRL", decimals: 18 }, now: loaded.now }
    : { token: { symbol: loaded.token.symbol, decimals: loaded.token.decimals }, now: loaded.now };
  const transactions: SentTransaction[] = [];
  // The bond's approval comes first: simulate the dispute (state, challenge window) before sending anything.
  await simulate("dispute", (overrides) => market.dispute.staticCall(jobId, evidence, overrides), hints);
  if (bond > 0n) {
    const bondToken = inGrl ? ctx.protocol.token : stablecoinOf(ctx);
    const held = await bondToken.balanceOf(me);
    if (held < bond) {
      throw invalidInput(
        `Disputing job #${jobId} bonds ${formatBond(bond, loaded.token)} and you hold ${formatBond(held, loaded.token)}: ` +
          `get ${formatBond(bond - held, loaded.token)} more, then retry before the challenge window closes.`,
      );
    }
    const step = `approve ${inGrl ? "GRL" : loaded.token.symbol}`;
    const approval = await ensureAllowance(out, bondToken, me, await market.getAddress(), bond, step, hints);
    if (approval !== undefined) transactions.push(approval);
  }
  transactions.push((await send(out, "dispute", () => market.dispute(jobId, evidence), hints)).sent);
  return transactions;
}
