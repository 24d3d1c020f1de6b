// Reading a job: its stored fields, its live state, its payment token, and what can happen next.
import { decodeBytes32String, ZeroAddress } from "ethers";

import {
  formatAmount,
  formatDuration,
  formatGrl,
  formatTime,
  formatUsd,
  JobState,
  PricingRule,
  pricingRuleLabel,
  pricingRuleOption,
  type JobStateName,
} from "../../sdk/index.ts";
import type { IJobMarket } from "../../types/ethers-contracts/market/JobMarket.ts";
import { chainNow, type Context } from "./context.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { table } from "./output.ts";
import { paymentTokenAt, type PaymentToken } from "./tokens.ts";

export interface LoadedJob {
  jobId: bigint;
  job: IJobMarket.JobStructOutput;
  /**
   * The live state at the time the next block will have (`Revealing` for a bidding job past its bid
   * window, even on an idle chain whose latest block is older).
   */
  state: JobStateName;
  token: PaymentToken;
  /** The chain's clock when the job was read. */
  now: bigint;
}

export async function loadJob(ctx: Context, jobId: bigint): Promise<LoadedJob> {
  const market = ctx.protocol.market;
  const [job, stateValue, now] = await Promise.all([market.jobOf(jobId), market.stateOf(jobId), chainNow(ctx)]);
  if (job.renter === ZeroAddress) {
    const count = await market.jobCount();
    throw new CliError(
      "UNKNOWN_JOB",
      `There is no job #${jobId} on this market (${count === 0n ? "no jobs yet" : `jobs are numbered 1 to ${count}`}): check the job id.`,
      { exitCode: EXIT_USAGE },
    );
  }
  const token = await paymentTokenAt(ctx, job.paymentToken);
  return { jobId, job, state: liveState(job, JobState.label(stateValue) as JobStateName, now), token, now };
}

/** The market's `stateOf` evaluated at `now` (the next block's time) instead of the latest block's. */
export function liveState(job: IJobMarket.JobStructOutput, stored: JobStateName, now: bigint): JobStateName {
  if (stored === "Bidding" && !isInstant(job) && now >= job.bidDeadline) return "Revealing";
  return stored;
}

/**
 * The state as the CLI shows it: the market records an early stop (`renter stop` on a started job) as
 * Cancelled, which reads like `renter cancel`; the CLI calls it Stopped.
 */
export function displayState(job: IJobMarket.JobStructOutput, state: JobStateName): string {
  return state === "Cancelled" && job.startedAt !== 0n ? "Stopped" : state;
}

/** An amount of a job's payment token: credits as dollars ("$3.20 of credits"), a stablecoin as "3.2 USDC". */
export function formatPayment(units: bigint, token: PaymentToken): string {
  return token.kind === "credits"
    ? `${formatUsd(units, token.decimals)} of credits`
    : `${formatAmount(units, token.decimals)} ${token.symbol}`;
}

/** A job's dispute bond: GRL for a credit job, the stablecoin otherwise (see IJobMarket.disputeBondOf). */
export function formatBond(units: bigint, token: PaymentToken): string {
  return token.kind === "credits" ? formatGrl(units) : formatPayment(units, token);
}

export function isInstant(job: IJobMarket.JobStructOutput): boolean {
  return Number(job.pricingRule) === PricingRule.valueOf("Instant");
}

export function modelName(id: string): string {
  try {
    return decodeBytes32String(id);
  } catch {
    return id;
  }
}

/** What the job's `deadline` field means in its state. */
function currentDeadline(state: JobStateName): string | undefined {
  switch (state) {
    case "Awarded":
      return "start deadline";
    case "Running":
      return "delivery deadline";
    case "Delivered":
      return "challenge deadline";
    case "Disputed":
      return "dispute deadline";
    default:
      return undefined;
  }
}

/** What can be done next, and by whom (the keeper-friendly transitions included). */
export function nextStep(loaded: LoadedJob): string {
  const { job, jobId, state, now } = loaded;
  switch (state) {
    case "Bidding":
      return isInstant(job)
        ? `an eligible provider may accept until ${formatTime(job.bidDeadline, now)} (gridlease provider accept ${jobId}); the renter may cancel`
        : `providers commit sealed bids until ${formatTime(job.bidDeadline, now)} (gridlease provider bid ${jobId} <price>)`;
    case "Revealing":
      if (isInstant(job))
        return `nobody accepted in time: anyone may close it with gridlease renter award ${jobId} (full refund)`;
      return now < job.revealDeadline
        ? `bidders reveal until ${formatTime(job.revealDeadline, now)} (gridlease provider reveal ${jobId})`
        : `the auction is over: anyone may award it (gridlease renter award ${jobId})`;
    case "Awarded":
      return now < job.deadline
        ? `the provider must start before ${formatTime(job.deadline, now)} (gridlease provider start ${jobId})`
        : `the provider did not start in time: anyone may fail it (gridlease renter fail ${jobId})`;
    case "Running":
      return now < job.deadline
        ? `the provider delivers before ${formatTime(job.deadline, now)} (gridlease provider deliver ${jobId}); the renter may stop it early`
        : `the provider did not deliver in time: anyone may fail it (gridlease renter fail ${jobId})`;
    case "Delivered":
      return now < job.deadline
        ? `the renter may dispute until ${formatTime(job.deadline, now)}; after that anyone may settle (gridlease renter settle ${jobId})`
        : `the challenge window is over: anyone may settle it (gridlease renter settle ${jobId})`;
    case "Disputed":
      return now < job.deadline
        ? `the arbiter rules before ${formatTime(job.deadline, now)}; after that anyone may settle it as delivered`
        : `the arbiter did not rule in time: anyone may settle it as delivered (gridlease renter settle ${jobId})`;
    default:
      return "nothing left to do; refunds and pay are in the market ledger or settlement (gridlease renter withdraw / provider withdraw)";
  }
}

/** The job as a JSON-ready object (amounts as exact decimal strings in dollars or GRL) and as text lines. */
export function describeJob(loaded: LoadedJob): { data: Record<string, unknown>; lines: string[] } {
  const { job, jobId, state, token, now } = loaded;
  const price = (units: bigint) => formatAmount(units, token.decimals);
  const usd = (units: bigint) => formatUsd(units, token.decimals);
  const provider = job.provider === ZeroAddress ? null : job.provider;
  const deadlineLabel = currentDeadline(state);
  const shown = displayState(job, state);
  const data: Record<string, unknown> = {
    jobId,
    state: shown,
    ...(shown === state ? {} : { onChainState: state }),
    pricingRule: pricingRuleOption(job.pricingRule),
    renter: job.renter,
    provider,
    gpuModel: modelName(job.gpuModel),
    gpuCount: Number(job.gpuCount),
    minVramGb: Number(job.minVramGb),
    region: Number(job.region),
    minReputation: Number(job.minReputation),
    durationSeconds: Number(job.duration),
    specHash: job.specHash,
    paymentToken: { kind: token.kind, symbol: token.symbol, address: token.address, decimals: token.decimals },
    reservePricePerGpuHour: price(job.reservePricePerGpuHour),
    bestPrice: job.bestPrice === 0n ? null : price(job.bestPrice),
    secondPrice: job.secondPrice === 0n ? null : price(job.secondPrice),
    clearingPrice: job.clearingPrice === 0n ? null : price(job.clearingPrice),
    escrow: price(job.escrow),
    claimed: price(job.claimed),
    collateralGrl: formatAmount(job.collateral, 18),
    // A credit job's dispute bond is GRL (18 decimals); a stablecoin job's is the stablecoin.
    disputeBond: token.kind === "credits" ? formatAmount(job.disputeBond, 18) : price(job.disputeBond),
    disputeBondToken: token.kind === "credits" ? "GRL" : token.symbol,
    bidCount: Number(job.bidCount),
    revealCount: Number(job.revealCount),
    bidDeadline: Number(job.bidDeadline),
    revealDeadline: Number(job.revealDeadline),
    deadline: deadlineLabel === undefined ? null : { kind: deadlineLabel, at: Number(job.deadline) },
    startedAt: job.startedAt === 0n ? null : Number(job.startedAt),
    deliveredAt: job.deliveredAt === 0n ? null : Number(job.deliveredAt),
    paramsId: Number(job.paramsId),
    now: Number(now),
    nextStep: nextStep(loaded),
  };
  const rows: [string, string][] = [
    ["state", shown === state ? state : `${shown} (stopped early by the renter; recorded on chain as ${state})`],
    ["pricing", pricingRuleLabel(job.pricingRule)],
    [
      "GPUs",
      `${job.gpuCount}x ${modelName(job.gpuModel)}, >= ${job.minVramGb} GB VRAM${job.region === 0n ? "" : `, region ${job.region}`}`,
    ],
    ["duration", formatDuration(job.duration)],
    ["spec hash", job.specHash],
    ["max price", `${usd(job.reservePricePerGpuHour)} per GPU-hour (${token.symbol})`],
    ["renter", job.renter],
  ];
  if (provider !== null)
    rows.push([state === "Bidding" || state === "Revealing" ? "best bidder" : "provider", provider]);
  if (job.bestPrice !== 0n && job.clearingPrice === 0n) rows.push(["best bid", `${usd(job.bestPrice)} per GPU-hour`]);
  if (job.secondPrice !== 0n) rows.push(["second bid", `${usd(job.secondPrice)} per GPU-hour`]);
  if (job.clearingPrice !== 0n) rows.push(["clearing price", `${usd(job.clearingPrice)} per GPU-hour`]);
  rows.push(["bids", `${job.bidCount} committed, ${job.revealCount} revealed`]);
  rows.push([
    "escrow",
    `${formatPayment(job.escrow, token)}${job.claimed === 0n ? "" : ` (${formatPayment(job.claimed, token)} already paid out)`}`,
  ]);
  if (job.collateral !== 0n) rows.push(["collateral", formatGrl(job.collateral)]);
  if (state === "Bidding" || state === "Revealing") {
    rows.push(["bid deadline", formatTime(job.bidDeadline, now)]);
    if (!isInstant(job)) rows.push(["reveal deadline", formatTime(job.revealDeadline, now)]);
  }
  if (deadlineLabel !== undefined) rows.push([deadlineLabel, formatTime(job.deadline, now)]);
  if (job.startedAt !== 0n) rows.push(["started", formatTime(job.startedAt, now)]);
  if (job.deliveredAt !== 0n) rows.push(["delivered", formatTime(job.deliveredAt, now)]);
  rows.push(["next", nextStep(loaded)]);
  return { data, lines: [`Job #${jobId}`, ...table(rows)] };
}
