// Posting a job for the agent: the request checked (model, amounts, spec), the guard rails applied to its
// escrowed budget, the day's spend reserved before the transaction and confirmed after it, then the
// CLI's own escrow path (approval or credits). A refusal at any step sends nothing.
import { parseDollars, parseGpuModel, parseHours, parseInteger } from "../cli/lib/parse.ts";
import { chainNow, signerOf } from "../cli/lib/context.ts";
import { paymentTokenFor, type PaymentKind } from "../cli/lib/tokens.ts";
import { findEvent, forgetSent, sentSoFar, type SentTransaction } from "../cli/lib/tx.ts";
import { escrowAndCreate } from "../cli/commands/renter/escrow.ts";
import { formatAmount, hashWorkloadSpec, parseWorkloadSpec, PricingRule, type WorkloadSpec } from "../sdk/index.ts";
import type { McpContext } from "./context.ts";
import { checkJobSpend, toUsd18 } from "./guard-rails.ts";
import { SILENT, ToolRefusal } from "./tool-result.ts";

/** A job request as the agent gives it. */
export interface PostJobArgs {
  model: string;
  gpus: number;
  hours: string;
  max_price_per_gpu_hour: string;
  spec?: Record<string, unknown>;
  spec_hash?: string;
  rule?: "instant" | "first" | "second";
  pay?: PaymentKind;
  bid_window_minutes?: number;
  reveal_window_minutes?: number;
  min_vram_gb?: number;
  region?: number;
  min_reputation?: number;
}

/** A posted job. */
export interface PostedJob {
  jobId: bigint;
  specHash: string;
  /** The parsed spec, when one was given. */
  spec: WorkloadSpec | null;
  budget: string;
  budgetUsd: bigint;
  token: string;
  transactions: SentTransaction[];
}

const RULES = { instant: "Instant", first: "FirstPrice", second: "SecondPrice" } as const;

function specOf(args: PostJobArgs): { spec: WorkloadSpec | null; specHash: string } {
  if ((args.spec === undefined) === (args.spec_hash === undefined)) {
    throw new ToolRefusal(
      "INVALID_INPUT",
      "Give exactly one of spec (the workload spec document; its hash is posted) and spec_hash (0x + 64 hex digits).",
    );
  }
  if (args.spec_hash !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(args.spec_hash) || BigInt(args.spec_hash) === 0n) {
      throw new ToolRefusal(
        "INVALID_INPUT",
        `spec_hash must be 0x followed by 64 hex digits, not zero; got "${args.spec_hash}".`,
      );
    }
    return { spec: null, specHash: args.spec_hash };
  }
  const parsed = parseWorkloadSpec(args.spec);
  if (!parsed.ok) {
    throw new ToolRefusal(
      "INVALID_SPEC",
      `The workload spec is invalid: ${parsed.errors.join("; ")}. Nothing was sent.`,
    );
  }
  return { spec: parsed.value, specHash: hashWorkloadSpec(parsed.value) };
}

/** Checks, guards and posts a job; see the file's comment. */
export async function postJob(mcp: McpContext, args: PostJobArgs): Promise<PostedJob> {
  const { id: gpuModel, spec: model } = parseGpuModel(args.model);
  const gpuCount = parseInteger(String(args.gpus), "gpus", 1n, 1024n);
  const duration = parseHours(args.hours, "hours");
  const rule = args.rule ?? "instant";
  const pay = args.pay ?? mcp.config.allowedPaymentTokens[0];
  const { spec, specHash } = specOf(args);
  const chain = mcp.chain;
  const token = await paymentTokenFor(chain, pay);
  const reserve = parseDollars(args.max_price_per_gpu_hour, token.decimals, "max_price_per_gpu_hour");
  if (reserve >= 2n ** 96n) throw new ToolRefusal("INVALID_INPUT", "max_price_per_gpu_hour is too large.");
  const budget = await chain.protocol.market.jobValue(reserve, gpuCount, duration);
  if (budget === 0n) {
    throw new ToolRefusal(
      "INVALID_INPUT",
      "The job's budget (max price x GPUs x hours) rounds to zero: raise one of them.",
    );
  }
  const budgetUsd = toUsd18(budget, token.decimals);
  const request = {
    paymentToken: token.address,
    gpuModel,
    gpuCount,
    minVramGb: BigInt(args.min_vram_gb ?? model.vramGb),
    region: BigInt(args.region ?? 0),
    minReputation: BigInt(args.min_reputation ?? 0),
    duration,
    reservePricePerGpuHour: reserve,
    pricingRule: PricingRule.valueOf(RULES[rule]),
    bidWindow: BigInt((args.bid_window_minutes ?? 10) * 60),
    revealWindow: rule === "instant" ? 0n : BigInt((args.reveal_window_minutes ?? 10) * 60),
    specHash,
  };
  return mcp.exclusive(async () => {
    // Inside the queue: the day's spend includes every job posted before this one.
    checkJobSpend(mcp.config, mcp.ledger, {
      model: model.name,
      pay,
      pricePerGpuHourUsd: toUsd18(reserve, token.decimals),
      budgetUsd,
    });
    forgetSent();
    const reservation = mcp.ledger.reserve(budgetUsd);
    try {
      const hints = {
        token: { symbol: token.symbol, decimals: token.decimals },
        priceDecimals: token.decimals,
        now: await chainNow(chain),
      };
      const me = signerOf(chain).address;
      const { receipt, transactions } = await escrowAndCreate(chain, SILENT, me, {
        request,
        budget,
        token,
        permit: false,
        hints,
      });
      const created = findEvent(receipt, (log) => {
        const parsed = chain.protocol.market.interface.parseLog(log);
        return parsed?.name === "JobCreated" ? parsed : null;
      });
      if (created === undefined) throw new Error("the JobCreated event is missing from the receipt");
      const jobId = created.args.jobId as bigint;
      mcp.ledger.confirm(reservation, jobId, receipt.hash);
      return {
        jobId,
        specHash,
        spec,
        budget: formatAmount(budget, token.decimals),
        budgetUsd,
        token: token.symbol,
        transactions,
      };
    } catch (error) {
      // A creation that went out may have escrowed: keep counting it.
      if (!sentSoFar().some((sent) => sent.step.startsWith("create job"))) mcp.ledger.release(reservation);
      throw error;
    }
  });
}
