// Posting a job for the agent through the SDK's postJob (sdk/renter/post-job.ts), within the guard rails.
// The request is validated and its budget computed first; a request over a limit is refused before anything
// is sent. The check is repeated and the budget reserved in the day's ledger (one synchronous step, so two
// calls cannot both take the last dollars) right before the first transaction; the reservation is confirmed
// with the job id, or dropped when nothing went out.
import { chainNow, signerOf } from "../cli/lib/context.ts";
import { parseHours } from "../cli/lib/parse.ts";
import { forgetSent, send, sentSoFar, simulate } from "../cli/lib/tx.ts";
import {
  hashWorkloadSpec,
  jobModel,
  jobPaymentToken,
  parseWorkloadSpec,
  validateJobRequest,
  type JobPayment,
  type JobPostRequest,
  type JobRequestLabels,
  type JobRule,
  type PostJobOptions,
  type WorkloadSpec,
} from "../sdk/index.ts";
import type { McpContext } from "./context.ts";
import { checkJobSpend, toUsd18 } from "./guard-rails.ts";
import { SILENT, ToolRefusal } from "./tool-result.ts";

/** A job request as the agent gives it (the tools' input names). */
export interface JobRequestArgs {
  model: string;
  gpus: number;
  hours: string;
  max_price_per_gpu_hour: string;
  rule?: JobRule;
  pay?: JobPayment;
  bid_window_minutes?: number;
  reveal_window_minutes?: number;
  min_vram_gb?: number;
  region?: number;
  min_reputation?: number;
}

/** The tools' names for the request's fields, in the SDK's messages. */
const LABELS: JobRequestLabels = {
  model: "model",
  gpus: "gpus",
  durationSeconds: "hours",
  maxPricePerGpuHour: "max_price_per_gpu_hour",
  rule: "rule",
  pay: "pay",
  bidWindowSeconds: "bid_window_minutes",
  revealWindowSeconds: "reveal_window_minutes",
  minVramGb: "min_vram_gb",
  region: "region",
  minReputation: "min_reputation",
  specHash: "spec_hash",
};

/** A checked job request, ready to post under the guard rails. */
export interface GuardedPost {
  request: JobPostRequest;
  budgetUsd: bigint;
  /** For postJob / runWorkload: the guarded send. */
  options: PostJobOptions;
  /** Names the job the reservation paid for. */
  confirm(jobId: bigint, txHash: string): void;
  /** After a failure: drops the reservation unless the creation went out. */
  abandon(): void;
}

/** Validates `args`, applies the guard rails, and returns the guarded posting (nothing is sent here). */
export async function prepareJobPost(mcp: McpContext, args: JobRequestArgs, specHash: string): Promise<GuardedPost> {
  const chain = mcp.chain;
  const signer = signerOf(chain);
  const pay = args.pay ?? mcp.config.allowedPaymentTokens[0];
  const rule = args.rule ?? "instant";
  const request: JobPostRequest = {
    model: args.model,
    gpus: args.gpus,
    durationSeconds: parseHours(args.hours, "hours"),
    maxPricePerGpuHour: args.max_price_per_gpu_hour,
    rule,
    pay,
    bidWindowSeconds: (args.bid_window_minutes ?? 10) * 60,
    revealWindowSeconds: rule === "instant" ? 0 : (args.reveal_window_minutes ?? 10) * 60,
    specHash,
    minVramGb: args.min_vram_gb,
    region: args.region,
    minReputation: args.min_reputation,
    // Agents sign a permit: one transaction, no standing allowance.
    permit: pay === "usdc",
  };
  const stablecoin = chain.stablecoin === undefined ? undefined : await chain.stablecoin.getAddress();
  const token = await jobPaymentToken(signer, chain.addresses, pay, stablecoin);
  const struct = validateJobRequest(request, token, LABELS);
  const budget = await chain.protocol.market.jobValue(struct.reservePricePerGpuHour, struct.gpuCount, struct.duration);
  const spend = {
    model: jobModel(request.model).spec.name,
    pay,
    pricePerGpuHourUsd: toUsd18(struct.reservePricePerGpuHour, token.decimals),
    budgetUsd: toUsd18(budget, token.decimals),
  };
  checkJobSpend(mcp.config, mcp.ledger, spend);

  let reservation: number | undefined;
  const hints = { token: { symbol: token.symbol, decimals: token.decimals }, priceDecimals: token.decimals };
  return {
    request,
    budgetUsd: spend.budgetUsd,
    options: {
      labels: LABELS,
      stablecoin,
      simulate: (step, call) => simulate(step, () => call(), hints),
      send: (step, submit) =>
        mcp.exclusive(async () => {
          if (reservation === undefined) {
            // Again at the last moment: another call may have spent the day's budget since the first check.
            checkJobSpend(mcp.config, mcp.ledger, spend);
            reservation = mcp.ledger.reserve(spend.budgetUsd);
            forgetSent();
          }
          return (await send(SILENT, step, submit, { ...hints, now: await chainNow(chain) })).receipt;
        }),
    },
    confirm: (jobId, txHash) => {
      if (reservation !== undefined) mcp.ledger.confirm(reservation, jobId, txHash);
    },
    abandon: () => {
      if (reservation !== undefined && !sentSoFar().some((sent) => sent.step.startsWith("create job"))) {
        mcp.ledger.release(reservation);
      }
    },
  };
}

/** The workload of a post: a spec document (validated; its canonical hash is posted) or a bare spec hash. */
export function workloadOf(
  spec: Record<string, unknown> | undefined,
  specHash: string | undefined,
): { spec: WorkloadSpec | null; specHash: string } {
  if ((spec === undefined) === (specHash === undefined)) {
    throw new ToolRefusal(
      "INVALID_INPUT",
      "Give exactly one of spec (the workload spec document; its hash is posted) and spec_hash (0x + 64 hex digits).",
    );
  }
  if (specHash !== undefined) return { spec: null, specHash };
  const parsed = parseWorkloadSpec(spec);
  if (!parsed.ok) {
    throw new ToolRefusal(
      "INVALID_SPEC",
      `The workload spec is invalid: ${parsed.errors.join("; ")}. Nothing was sent.`,
    );
  }
  return { spec: parsed.value, specHash: hashWorkloadSpec(parsed.value) };
}
