// `gridlease provider withdraw`: the three independent ways a provider is paid out (stablecoin ledger, GRL bonds, USD earnings as GRL),
// each attempted and reported on its own so one failure does not hide the others.
import type { Command } from "commander";

import { run, withJson } from "../../lib/command.ts";
import { connectSigner } from "../../lib/context.ts";
import { CliError, describeError, EXIT_USAGE } from "../../lib/errors.ts";
import { describeWithdrawals, withdrawBondLedger, withdrawEarnings, withdrawMarketLedger } from "../../lib/ledger.ts";
import { parseAddress } from "../../lib/parse.ts";
import type { SentTransaction } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider withdraw`. */
export function addWithdrawCommand(provider: Command): void {
  withJson(
    provider
      .command("withdraw")
      .description(
        "withdraw your pay: stablecoin from the market ledger, GRL dispute bonds won on credit jobs, and USD earnings (credit jobs) as GRL",
      )
      .option("--to <address>", "recipient (default: your account)"),
  ).action(async (opts: { to?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const { ctx, me } = await connectSigner();
      const to = opts.to === undefined ? me : parseAddress(opts.to, "--to");
      // Independent steps: each one's outcome is reported, and a failure of one does not hide the others.
      type Step<T> = { ok: true; value: T | undefined } | { ok: false; error: ReturnType<typeof describeError> };
      const attempt = async <T>(f: () => Promise<T | undefined>): Promise<Step<T>> => {
        try {
          return { ok: true, value: await f() };
        } catch (error) {
          return { ok: false, error: describeError(error) };
        }
      };
      const ledgerStep = await attempt(() => withdrawMarketLedger(ctx, out, me, to));
      const bondsStep = await attempt(() => withdrawBondLedger(ctx, out, me, to));
      const earningsStep = await attempt(() => withdrawEarnings(ctx, out, me, to));
      const ledger = ledgerStep.ok ? ledgerStep.value : undefined;
      const bonds = bondsStep.ok ? bondsStep.value : undefined;
      const earnings = earningsStep.ok ? earningsStep.value : undefined;
      const failed = [
        ...(ledgerStep.ok ? [] : [{ step: "market ledger (stablecoin)", error: ledgerStep.error }]),
        ...(bondsStep.ok ? [] : [{ step: "market ledger (GRL dispute bonds)", error: bondsStep.error }]),
        ...(earningsStep.ok ? [] : [{ step: "USD earnings as GRL", error: earningsStep.error }]),
      ];
      if (ledger === undefined && bonds === undefined && earnings === undefined) {
        if (failed.length > 0) {
          const first = failed[0].error;
          throw new CliError(
            first.code,
            failed.map((f) => `withdrawing the ${f.step} failed: ${f.error.message}`).join("; "),
            {
              exitCode: first.exitCode,
              contractError: first.contractError,
            },
          );
        }
        throw new CliError(
          "NOTHING_TO_WITHDRAW",
          `${me} has nothing to withdraw: no stablecoin or GRL in the market ledger and no USD earnings. Nothing was sent.`,
          { exitCode: EXIT_USAGE },
        );
      }
      const transactions = [ledger?.transaction, bonds?.transaction, earnings?.transaction].filter(
        (t): t is SentTransaction => t !== undefined,
      );
      const warnings = failed.map((f) => ({ step: f.step, code: f.error.code, message: f.error.message }));
      const steps = {
        ledger: ledgerStep.ok ? (ledger === undefined ? "nothing to withdraw" : "withdrawn") : "failed",
        bonds: bondsStep.ok ? (bonds === undefined ? "nothing to withdraw" : "withdrawn") : "failed",
        earnings: earningsStep.ok ? (earnings === undefined ? "nothing to withdraw" : "withdrawn") : "failed",
      };
      out.result(
        txResult(
          "provider withdraw",
          {
            account: me,
            to,
            steps,
            ledger: ledger ?? null,
            bonds: bonds ?? null,
            earnings: earnings ?? null,
            warnings,
          },
          transactions,
        ),
        [
          ...describeWithdrawals(ledger, earnings, bonds),
          ...warnings.map(
            (w) => `warning: withdrawing the ${w.step} failed, nothing of it was withdrawn: ${w.message}`,
          ),
        ],
      );
    }),
  );
}
