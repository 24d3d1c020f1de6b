// `gridlease renter create-job`: checks a job request (model, VRAM, region, price, spec) before anything is sent
// (job-request.ts), then posts it through the SDK's postJob, escrowing its budget in USDC (approval or permit)
// or in credits (post.ts).
import type { Command } from "commander";

import { formatAmount, formatDuration, formatUsd, GPU_MODELS, PRICING_RULE_OPTIONS } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { chainNow, connectSigner } from "../../lib/context.ts";
import { describeJob, formatPayment, loadJob } from "../../lib/jobs.ts";
import { PAYMENT_KINDS, paymentTokenFor } from "../../lib/tokens.ts";
import { parseJobRequest, type CreateJobOptions } from "./job-request.ts";
import { postJobFromCli } from "./post.ts";

/** Adds `renter create-job`. */
export function addCreateJobCommand(renter: Command): void {
  withJson(
    renter
      .command("create-job")
      .description("post a job and escrow its budget (max price x GPUs x hours) in one transaction")
      .requiredOption("--model <name>", `GPU model: ${GPU_MODELS.map((m) => m.name).join(", ")}`)
      .option("--count <n>", "GPUs, all from one provider", "1")
      .requiredOption("--hours <hours>", "compute time, e.g. 2 or 0.5")
      .requiredOption("--max-price <dollars>", "the most you pay per GPU-hour (the reserve), e.g. 1.80")
      .option("--vram <gb>", "minimum VRAM per GPU (default: the model's)")
      .option("--region <code>", "required provider region, ISO 3166-1 numeric (0 = any)", "0")
      .option("--min-reputation <score>", "minimum provider reputation, 0-10000", "0")
      .option("--rule <rule>", `pricing rule: ${Object.values(PRICING_RULE_OPTIONS).join(" | ")}`, "first")
      .option("--pay <token>", `payment: ${PAYMENT_KINDS.join(" | ")}`, "usdc")
      .option("--bid-window <duration>", "how long providers may bid (or accept an instant job), e.g. 10m", "10m")
      .option("--reveal-window <duration>", "how long bidders may reveal after the bid window (auctions only)", "10m")
      .option(
        "--spec <file>",
        "the workload spec file (gridlease.workload/v1); the job's spec hash is its canonical hash (or give --spec-hash)",
      )
      .option("--spec-hash <hash>", "the workload spec hash, 0x + 64 hex digits (instead of --spec)")
      .option("--permit", "escrow USDC with a permit signature instead of a separate approval")
      .option(
        "--force",
        "post a request no provider can fill as specified (--vram above the model's, a region that is no country code)",
      ),
  ).action(async (opts: CreateJobOptions, cmd: Command) =>
    run(cmd, async (out) => {
      const { request, spec, specFile } = parseJobRequest(opts, cmd.getOptionValueSource("revealWindow") === "cli");
      const { ctx } = await connectSigner();
      const token = await paymentTokenFor(ctx, request.pay);
      const hints = {
        token: { symbol: token.symbol, decimals: token.decimals },
        priceDecimals: token.decimals,
        now: await chainNow(ctx),
      };
      const posted = await postJobFromCli(ctx, out, request, token, hints);
      const { jobId, budget, transactions } = posted;
      const { specHash } = request;
      const count = posted.request.gpuCount;
      const duration = posted.request.duration;
      const reserve = posted.request.reservePricePerGpuHour;
      const loaded = await loadJob(ctx, jobId);
      const { data, lines } = describeJob(loaded);
      out.result(
        {
          command: "renter create-job",
          jobId,
          budget: formatAmount(budget, token.decimals),
          specHash,
          specFile,
          job: data,
          transactions: transactions.map((t) => ({ ...t, gasUsed: t.gasUsed.toString() })),
        },
        [
          `Created job #${jobId}: ${count}x ${spec.name} for ${formatDuration(duration)} at up to ${formatUsd(reserve, token.decimals)} per ` +
            `GPU-hour; ${formatPayment(budget, token)} escrowed.`,
          ...lines,
        ],
      );
    }),
  );
}
