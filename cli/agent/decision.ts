// The agent's decision on a job it has just seen: skip it (and why), accept it at its price (an instant
// job), or bid a price (an auction). Policy first, then the registry's own eligibility check (a view call,
// so nothing is sent for a job the agent would be refused).
import { getAddress } from "ethers";

import { decodeRevert, formatUsd, revertDataOf } from "../../sdk/index.ts";
import type { Context } from "../lib/context.ts";
import { describeError } from "../lib/errors.ts";
import { isInstant, modelName, type LoadedJob } from "../lib/jobs.ts";
import { bidPrice, floorIn, type Policy } from "./policy.ts";

/** What the agent does with a new job. */
export type Decision =
  | { action: "skip"; reason: string }
  /** An instant job, at its price. */
  | { action: "accept" }
  /** An auction: a sealed bid of `price` per GPU-hour, in the payment token's units. */
  | { action: "bid"; price: bigint };

/** Decides whether `provider` serves `loaded` under `policy`, and how. */
export async function decide(ctx: Context, policy: Policy, provider: string, loaded: LoadedJob): Promise<Decision> {
  const skip = (reason: string): Decision => ({ action: "skip", reason });
  const { job: j, token, state } = loaded;
  if (state !== "Bidding") return skip(`it is already ${state}`);
  if (policy.renters !== undefined && !policy.renters.has(getAddress(j.renter)))
    return skip(`its renter ${j.renter} is not one of the policy's renters`);
  const model = modelName(j.gpuModel);
  const floor = floorIn(policy, model, token.decimals);
  if (floor === undefined) return skip(`no floor for ${model} in the policy`);
  if (token.kind === "other" || !policy.paymentTokens.has(token.kind))
    return skip(`payment in ${token.symbol} is not accepted`);
  if (Number(j.gpuCount) > policy.maxGpusPerJob) return skip(`${j.gpuCount} GPUs is above maxGpusPerJob`);
  try {
    await ctx.protocol.registry.requireEligible(
      provider,
      j.gpuModel,
      j.gpuCount,
      j.minVramGb,
      j.region,
      j.minReputation,
    );
  } catch (error) {
    const data = revertDataOf(error);
    const reason =
      data === undefined ? describeError(error).message : (decodeRevert(data)?.message ?? describeError(error).message);
    return skip(`not eligible: ${reason}`);
  }
  if (isInstant(j)) {
    if (!policy.acceptInstant) return skip("instant jobs are disabled by the policy");
    if (j.reservePricePerGpuHour < floor) {
      return skip(
        `its price ${formatUsd(j.reservePricePerGpuHour, token.decimals)} is below the floor ${formatUsd(floor, token.decimals)}`,
      );
    }
    return { action: "accept" };
  }
  const price = bidPrice(policy, j.reservePricePerGpuHour, floor);
  if (price === undefined) {
    return skip(
      `its maximum price ${formatUsd(j.reservePricePerGpuHour, token.decimals)} is below the floor ${formatUsd(floor, token.decimals)}`,
    );
  }
  return { action: "bid", price };
}
