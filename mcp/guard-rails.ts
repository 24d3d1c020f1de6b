// The guard rails of the server's config, checked before a job or a credit purchase is sent. A refusal
// names the limit and the amounts, and nothing goes out.
import { formatUsd, parseDecimal } from "../sdk/index.ts";
import type { McpConfig } from "./config.ts";
import type { SpendLedger } from "./spend-ledger.ts";
import { ToolRefusal } from "./tool-result.ts";

const USD = 18;

/** A job about to be posted, in USD with 18 decimals. */
export interface JobSpend {
  model: string;
  pay: "usdc" | "credits";
  /** The max price per GPU-hour. */
  pricePerGpuHourUsd: bigint;
  /** The budget the job escrows (max price x GPUs x hours). */
  budgetUsd: bigint;
}

/** Converts a token amount of `decimals` to USD with 18 decimals (stablecoins and credits are dollars). */
export function toUsd18(units: bigint, decimals: number): bigint {
  return decimals <= USD ? units * 10n ** BigInt(USD - decimals) : units / 10n ** BigInt(decimals - USD);
}

/** Throws a {@link ToolRefusal} when the job breaks a guard rail; `ledger` gives the day's spend so far. */
export function checkJobSpend(config: McpConfig, ledger: SpendLedger, job: JobSpend): void {
  if (!config.allowedGpuModels.includes(job.model)) {
    throw new ToolRefusal(
      "GPU_MODEL_NOT_ALLOWED",
      `This server may rent only ${config.allowedGpuModels.join(", ")}, not ${job.model} (its operator's config). Nothing was sent.`,
    );
  }
  if (!config.allowedPaymentTokens.includes(job.pay)) {
    throw new ToolRefusal(
      "PAYMENT_TOKEN_NOT_ALLOWED",
      `This server may pay only in ${config.allowedPaymentTokens.join(", ")}, not ${job.pay}. Nothing was sent.`,
    );
  }
  const maxPrice = parseDecimal(config.maxPricePerGpuHourUsd, USD);
  if (job.pricePerGpuHourUsd > maxPrice) {
    throw new ToolRefusal(
      "OVER_PRICE_LIMIT",
      `The max price ${formatUsd(job.pricePerGpuHourUsd, USD)}/GPU-hour is above this server's limit of ` +
        `${formatUsd(maxPrice, USD)}/GPU-hour: offer at most that. Nothing was sent.`,
    );
  }
  const perJob = parseDecimal(config.maxPerJobUsd, USD);
  if (job.budgetUsd > perJob) {
    throw new ToolRefusal(
      "OVER_JOB_LIMIT",
      `The job would escrow ${formatUsd(job.budgetUsd, USD)}, above this server's limit of ${formatUsd(perJob, USD)} per job: ` +
        "ask for fewer GPUs, fewer hours or a lower max price. Nothing was sent.",
    );
  }
  const perDay = parseDecimal(config.maxPerDayUsd, USD);
  const spent = ledger.spentToday();
  if (spent + job.budgetUsd > perDay) {
    throw new ToolRefusal(
      "OVER_DAILY_LIMIT",
      `The job would escrow ${formatUsd(job.budgetUsd, USD)}, but ${formatUsd(spent, USD)} of today's ${formatUsd(perDay, USD)} ` +
        `limit is spent (${formatUsd(perDay - spent < 0n ? 0n : perDay - spent, USD)} left, UTC day): wait until tomorrow or post a smaller job. Nothing was sent.`,
    );
  }
}

/** Throws a {@link ToolRefusal} when a credit purchase burns more GRL than the config allows. */
export function checkCreditPurchase(config: McpConfig, grlWei: bigint): void {
  const max = parseDecimal(config.maxCreditPurchaseGrl, 18, { allowZero: true });
  if (grlWei > max) {
    throw new ToolRefusal(
      "OVER_CREDIT_LIMIT",
      max === 0n
        ? "This server is not allowed to buy credits (its config sets no maxCreditPurchaseGrl). Nothing was sent."
        : `Buying credits with more than ${config.maxCreditPurchaseGrl} GRL at once is over this server's limit. Nothing was sent.`,
    );
  }
}
