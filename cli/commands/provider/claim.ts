// `gridlease provider claim`: releases the pay accrued so far on a running job (less the holdback).
import type { Command } from "commander";

import { formatAmount } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { loadJob } from "../../lib/jobs.ts";
import { parseJobId } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider claim`. */
export function addClaimCommand(provider: Command): void {
  withJson(
    provider
      .command("claim")
      .description("release the pay accrued so far on a job (less the 20% holdback)")
      .argument("<jobId>", "the job"),
  ).action(async (jobIdText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const { receipt, sent } = await send(out, "claim", () => ctx.protocol.market.claim(jobId), { now: loaded.now });
      let gross = 0n;
      let fee = 0n;
      for (const log of receipt.logs) {
        const parsed = ctx.protocol.market.interface.parseLog({ topics: [...log.topics], data: log.data });
        if (parsed?.name === "PaymentClaimed") {
          gross = parsed.args.gross as bigint;
          fee = parsed.args.fee as bigint;
        }
      }
      const d = loaded.token.decimals;
      out.result(
        txResult(
          "provider claim",
          {
            jobId,
            gross: formatAmount(gross, d),
            fee: formatAmount(fee, d),
            net: formatAmount(gross - fee, d),
            token: loaded.token.symbol,
          },
          [sent],
        ),
        `Claimed ${formatAmount(gross - fee, d)} ${loaded.token.symbol} on job #${jobId} (fee ${formatAmount(fee, d)}); ` +
          (loaded.token.kind === "credits" ? "it is in your USD earnings" : "it is in your market ledger") +
          ": gridlease provider withdraw",
      );
    }),
  );
}
