// Posting a job: a typed request checked before anything is sent (a request no provider could fill would
// lock its escrow until it expires), then the budget escrowed in USDC (permit by default, approval as the
// fallback) or in credits, and the job created in the same transaction. Browser-safe: an ethers Signer only.
// The CLI, the web console and the MCP server all post through here.
import { type ContractTransactionReceipt, type ContractTransactionResponse, type Signer, ZeroHash } from "ethers";

import type { JobMarket, MockStablecoin, Settlement } from "../../types/ethers-contracts/index.ts";
import { JobMarketAbi, MockStablecoinAbi, SettlementAbi } from "../abis/index.ts";
import { typedContract } from "../contracts.ts";
import { AmountParseError, CREDIT_DECIMALS, formatAmount, formatUsd, parseDecimal } from "../amounts.ts";
import type { DeployedAddresses } from "../deployment.ts";
import { PricingRule } from "../enums.ts";
import { findGpuModel, GPU_MODELS, gpuModelId, type GpuModelSpec } from "../gpu-models.ts";
import { signPermit } from "../permit.ts";

/** How a job is paid: the stablecoin (USDC) or the settlement's USD credits. */
export type JobPayment = "usdc" | "credits";
/** The pricing rules by their short names. */
export type JobRule = "instant" | "first" | "second";

/** A job to post, as a person or an agent states it. */
export interface JobPostRequest {
  /** GPU model name from the catalogue, e.g. "H100" (case-insensitive). */
  model: string;
  /** GPUs, all from one provider (1-1024). */
  gpus: number | bigint;
  /** Paid compute time in seconds. */
  durationSeconds: number | bigint;
  /** The most paid per GPU-hour, in dollars as a decimal string ("2.00"): exact, no floating point. */
  maxPricePerGpuHour: string;
  rule: JobRule;
  pay: JobPayment;
  /** How long providers may bid (or accept an instant job). */
  bidWindowSeconds: number | bigint;
  /** How long bidders may reveal after the bid window: 0 for an instant job. */
  revealWindowSeconds: number | bigint;
  /** `hashWorkloadSpec` of the job's workload spec (0x + 64 hex digits, non-zero). */
  specHash: string;
  /** Minimum VRAM per GPU; default the model's. */
  minVramGb?: number | bigint;
  /** ISO 3166-1 numeric region; default 0 (any). */
  region?: number | bigint;
  /** Minimum provider reputation 0-10000; default 0. */
  minReputation?: number | bigint;
  /** USDC only: escrow with an EIP-2612 permit (default) rather than an approval transaction. */
  permit?: boolean;
  /** Post a request no provider can fill as specified (VRAM above the model's, a region that is no country). */
  force?: boolean;
}

/** Why a request was refused before anything was sent. */
export type JobRequestErrorCode =
  | "UNKNOWN_MODEL"
  | "INVALID_COUNT"
  | "INVALID_DURATION"
  | "INVALID_PRICE"
  | "PRICE_TOO_LARGE"
  | "INVALID_RULE"
  | "INVALID_PAYMENT"
  | "INVALID_WINDOW"
  | "UNFILLABLE_VRAM"
  | "UNFILLABLE_REGION"
  | "INVALID_REPUTATION"
  | "INVALID_SPEC_HASH"
  | "PERMIT_WITH_CREDITS"
  | "ZERO_BUDGET"
  | "INSUFFICIENT_BALANCE"
  | "NO_STABLECOIN";

/** A request refused before anything was sent; the message names the problem and what to do. */
export class JobRequestError extends Error {
  readonly code: JobRequestErrorCode;
  /** The request field at fault, when one is. */
  readonly field: keyof JobPostRequest | undefined;

  constructor(code: JobRequestErrorCode, message: string, field?: keyof JobPostRequest) {
    super(message);
    this.name = "JobRequestError";
    this.code = code;
    this.field = field;
  }
}

/** How messages name a request's fields and the override; the CLI names its flags ("--max-price", "--force"). */
export type JobRequestLabels = Partial<Record<keyof JobPostRequest, string>>;

/** The on-chain JobRequest struct. */
export interface OnChainJobRequest {
  paymentToken: string;
  gpuModel: string;
  gpuCount: bigint;
  minVramGb: bigint;
  region: bigint;
  minReputation: bigint;
  duration: bigint;
  reservePricePerGpuHour: bigint;
  pricingRule: bigint;
  bidWindow: bigint;
  revealWindow: bigint;
  specHash: string;
}

/** The payment token a request is priced in. */
export interface JobPaymentToken {
  address: string;
  symbol: string;
  decimals: number;
}

/** The highest ISO 3166-1 numeric country code assigned (894, Zambia): a region above it matches no provider. */
const MAX_ISO_REGION = 894n;
const RULE_NAMES = { first: "FirstPrice", second: "SecondPrice", instant: "Instant" } as const;
const MAX_RESERVE = 2n ** 96n;

/** The address of contract `name`, or an error saying the deployment lacks it. */
function contractAddress(addresses: DeployedAddresses, name: string): string {
  const address = addresses[name];
  if (address === undefined) throw new Error(`the deployment has no ${name}: pass the addresses of a full deployment`);
  return address;
}

function whole(
  value: number | bigint,
  field: keyof JobPostRequest,
  label: string,
  min: bigint,
  max: bigint,
  code: JobRequestErrorCode,
): bigint {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new JobRequestError(code, `${label} must be a whole number, got ${value}.`, field);
  }
  const n = BigInt(value);
  if (n < min || n > max)
    throw new JobRequestError(code, `${label} must be between ${min} and ${max}, got ${n}.`, field);
  return n;
}

/** The catalogue entry and on-chain id of a model name, or an UNKNOWN_MODEL error listing the models. */
export function jobModel(name: string): { id: string; spec: GpuModelSpec } {
  const spec = findGpuModel(name.trim());
  if (spec === undefined) {
    throw new JobRequestError(
      "UNKNOWN_MODEL",
      `Unknown GPU model "${name}": use one of ${GPU_MODELS.map((m) => m.name).join(", ")}.`,
      "model",
    );
  }
  return { id: gpuModelId(name.trim()), spec };
}

/**
 * Checks a request against the catalogue and the protocol's ranges and converts it to the on-chain struct,
 * priced in `token`. Throws a {@link JobRequestError}; nothing is sent.
 */
export function validateJobRequest(
  request: JobPostRequest,
  token: JobPaymentToken,
  labels: JobRequestLabels = {},
): OnChainJobRequest {
  const label = (field: keyof JobPostRequest): string => labels[field] ?? field;
  const force = labels.force ?? "force: true";
  const { id: gpuModel, spec } = jobModel(request.model);
  const MAX_UINT40 = 2n ** 40n - 1n;
  const int = (
    field: "gpus" | "durationSeconds" | "bidWindowSeconds" | "revealWindowSeconds",
    min: bigint,
    code: JobRequestErrorCode,
  ): bigint => whole(request[field], field, label(field), min, field === "gpus" ? 1024n : MAX_UINT40, code);
  const oneOf = (field: "rule" | "pay", allowed: readonly string[], code: JobRequestErrorCode): void => {
    if (!allowed.includes(request[field])) {
      throw new JobRequestError(
        code,
        `${label(field)} must be one of ${allowed.join(", ")}, got "${String(request[field])}".`,
        field,
      );
    }
  };
  const gpuCount = int("gpus", 1n, "INVALID_COUNT");
  const duration = int("durationSeconds", 1n, "INVALID_DURATION");
  oneOf("rule", ["instant", "first", "second"], "INVALID_RULE");
  oneOf("pay", ["usdc", "credits"], "INVALID_PAYMENT");
  const bidWindow = int("bidWindowSeconds", 1n, "INVALID_WINDOW");
  const revealWindow = int("revealWindowSeconds", 0n, "INVALID_WINDOW");
  if (request.rule === "instant" && revealWindow !== 0n) {
    throw new JobRequestError(
      "INVALID_WINDOW",
      `${label("revealWindowSeconds")} applies to auctions only: an instant job has no sealed bids to reveal (drop it, or use ${label("rule")} first|second).`,
      "revealWindowSeconds",
    );
  }
  const minVramGb =
    request.minVramGb === undefined
      ? BigInt(spec.vramGb)
      : whole(request.minVramGb, "minVramGb", label("minVramGb"), 0n, 65_535n, "UNFILLABLE_VRAM");
  const region = whole(request.region ?? 0n, "region", label("region"), 0n, 65_535n, "UNFILLABLE_REGION");
  const minReputation = whole(
    request.minReputation ?? 0n,
    "minReputation",
    label("minReputation"),
    0n,
    10_000n,
    "INVALID_REPUTATION",
  );
  if (request.force !== true && minVramGb > BigInt(spec.vramGb)) {
    throw new JobRequestError(
      "UNFILLABLE_VRAM",
      `${label("minVramGb")} ${minVramGb} is more than a ${spec.name} has (${spec.vramGb} GB): no provider can fill this job, and its escrow would stay ` +
        `locked until it expires. Ask for at most ${spec.vramGb}, pick a larger model, or pass ${force}. Nothing was sent.`,
      "minVramGb",
    );
  }
  if (request.force !== true && region > MAX_ISO_REGION) {
    throw new JobRequestError(
      "UNFILLABLE_REGION",
      `${label("region")} ${region} is not an ISO 3166-1 numeric country code (they go up to ${MAX_ISO_REGION}; 0 = any region): no provider ` +
        `can be in it, and the escrow would stay locked until the job expires. Pass ${force} to post it anyway. Nothing was sent.`,
      "region",
    );
  }
  const priceLabel = label("maxPricePerGpuHour");
  if (!/^\$?\d+(\.\d+)?$/.test(request.maxPricePerGpuHour.trim())) {
    throw new JobRequestError(
      "INVALID_PRICE",
      `${priceLabel} must be a dollar amount such as 1.80, got "${request.maxPricePerGpuHour}".`,
      "maxPricePerGpuHour",
    );
  }
  if (request.permit === true && request.pay === "credits") {
    throw new JobRequestError(
      "PERMIT_WITH_CREDITS",
      `${label("permit")} applies to USDC only; credit jobs need no approval.`,
      "permit",
    );
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(request.specHash) || request.specHash === ZeroHash) {
    throw new JobRequestError(
      "INVALID_SPEC_HASH",
      `${label("specHash")} must be the workload spec's hash (0x + 64 hex digits, non-zero), got "${request.specHash}".`,
      "specHash",
    );
  }
  let reserve: bigint;
  try {
    reserve = parseDecimal(request.maxPricePerGpuHour, token.decimals, { what: priceLabel, unit: "dollars" });
  } catch (error) {
    if (error instanceof AmountParseError)
      throw new JobRequestError("INVALID_PRICE", error.message, "maxPricePerGpuHour");
    throw error;
  }
  if (reserve >= MAX_RESERVE) {
    throw new JobRequestError(
      "PRICE_TOO_LARGE",
      `${priceLabel} is too large: at most ${formatUsd(MAX_RESERVE - 1n, token.decimals)} per GPU-hour in ${token.symbol}.`,
      "maxPricePerGpuHour",
    );
  }
  return {
    paymentToken: token.address,
    gpuModel,
    gpuCount,
    minVramGb,
    region,
    minReputation,
    duration,
    reservePricePerGpuHour: reserve,
    pricingRule: BigInt(PricingRule.valueOf(RULE_NAMES[request.rule])),
    bidWindow,
    revealWindow,
    specHash: request.specHash.toLowerCase(),
  };
}

/** Sends one transaction and waits for its receipt; the CLI passes its own (progress lines, decoded reverts). */
export type SendStep = (
  step: string,
  submit: () => Promise<ContractTransactionResponse>,
) => Promise<ContractTransactionReceipt>;
/** Runs a read-only simulation of a step before anything is sent (approval path: the creation is checked first). */
export type SimulateStep = (step: string, call: () => Promise<unknown>) => Promise<void>;

/** How {@link postJob} talks to the chain. */
export interface PostJobOptions {
  /** Field names in messages (the CLI's flags). */
  labels?: JobRequestLabels;
  send?: SendStep;
  simulate?: SimulateStep;
  /** The stablecoin's address when the deployment does not record one (MockStablecoin on a local chain). */
  stablecoin?: string;
}

/** A posted job. */
export interface PostedJob {
  jobId: bigint;
  /** The creating transaction. */
  txHash: string;
  blockNumber: number;
  /** The escrowed budget (max price x GPUs x hours), in the payment token's units. */
  budget: bigint;
  token: JobPaymentToken & { kind: JobPayment };
  request: OnChainJobRequest;
  bidDeadline: bigint;
  revealDeadline: bigint;
  /** Every transaction sent, in order (an approval first, if one was needed). */
  transactions: { step: string; hash: string; blockNumber: number; gasUsed: bigint }[];
}

const defaultSend: SendStep = async (_step, submit) => {
  const response = await submit();
  const receipt = await response.wait();
  if (receipt === null) throw new Error("the transaction was dropped: retry");
  return receipt;
};

/** The payment token of `pay` on this deployment. */
export async function jobPaymentToken(
  signer: Signer,
  addresses: DeployedAddresses,
  pay: JobPayment,
  stablecoin?: string,
): Promise<JobPaymentToken & { kind: JobPayment }> {
  if (pay === "credits") {
    return {
      kind: pay,
      address: contractAddress(addresses, "Settlement"),
      symbol: "credits",
      decimals: CREDIT_DECIMALS,
    };
  }
  const address = stablecoin ?? addresses.MockStablecoin;
  if (address === undefined) {
    throw new JobRequestError(
      "NO_STABLECOIN",
      "The deployment records no stablecoin: give the USDC address the market allow-lists.",
      "pay",
    );
  }
  const usdc = typedContract<MockStablecoin>(address, MockStablecoinAbi, signer);
  const [symbol, decimals] = await Promise.all([usdc.symbol(), usdc.decimals()]);
  return { kind: pay, address, symbol, decimals: Number(decimals) };
}

/**
 * Validates `request`, checks the signer can pay its budget, escrows it and creates the job; returns the job
 * from its JobCreated event. A bad request or a short balance throws a {@link JobRequestError} with nothing sent.
 */
export async function postJob(
  signer: Signer,
  addresses: DeployedAddresses,
  request: JobPostRequest,
  options: PostJobOptions = {},
): Promise<PostedJob> {
  const send = options.send ?? defaultSend;
  const token = await jobPaymentToken(signer, addresses, request.pay, options.stablecoin);
  const struct = validateJobRequest(request, token, options.labels);
  const marketAddress = contractAddress(addresses, "JobMarket");
  const market = typedContract<JobMarket>(marketAddress, JobMarketAbi, signer);
  const label = (field: keyof JobPostRequest): string => options.labels?.[field] ?? field;
  const budget = await market.jobValue(struct.reservePricePerGpuHour, struct.gpuCount, struct.duration);
  if (budget === 0n) {
    throw new JobRequestError(
      "ZERO_BUDGET",
      `The job's budget (max price x GPUs x hours) rounds to zero: raise ${label("maxPricePerGpuHour")}, ${label("gpus")} or ${label("durationSeconds")}.`,
      "maxPricePerGpuHour",
    );
  }
  const me = await signer.getAddress();
  const transactions: PostedJob["transactions"] = [];
  const record = (step: string, receipt: ContractTransactionReceipt): ContractTransactionReceipt => {
    transactions.push({ step, hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed });
    return receipt;
  };
  let receipt: ContractTransactionReceipt;
  if (token.kind === "credits") {
    const settlement = typedContract<Settlement>(token.address, SettlementAbi, signer);
    const credits = await settlement.creditsOf(me);
    if (credits < budget) {
      throw new JobRequestError(
        "INSUFFICIENT_BALANCE",
        `The job's budget is ${formatUsd(budget, CREDIT_DECIMALS)} of credits and you have ${formatUsd(credits, CREDIT_DECIMALS)}: ` +
          "buy more with `gridlease renter buy-credits <GRL>`.",
      );
    }
    receipt = record("create job", await send("create job", () => market.createJob(struct)));
  } else {
    const usdc = typedContract<MockStablecoin>(token.address, MockStablecoinAbi, signer);
    const balance = await usdc.balanceOf(me);
    if (balance < budget) {
      throw new JobRequestError(
        "INSUFFICIENT_BALANCE",
        `The job's budget is ${formatAmount(budget, token.decimals)} ${token.symbol} and you have ` +
          `${formatAmount(balance, token.decimals)}: top up the account (on a local chain: gridlease renter faucet <USDC>).`,
      );
    }
    if (request.permit !== false) {
      const provider = signer.provider;
      const latest = provider === null ? null : await provider.getBlock("latest");
      const now = latest === null ? BigInt(Math.floor(Date.now() / 1000)) : BigInt(latest.timestamp);
      const deadline = now + 3600n;
      const { v, r, s } = await signPermit(
        signer,
        { name: () => usdc.name(), nonces: (owner) => usdc.nonces(owner), getAddress: () => usdc.getAddress() },
        { owner: me, spender: marketAddress, value: budget, deadline },
      );
      receipt = record(
        "create job with permit",
        await send("create job with permit", () => market.createJobWithPermit(struct, deadline, v, r, s)),
      );
    } else {
      // The approval comes after a simulation of the creation (window, oracle, parameters), so a call bound
      // to fail sends nothing at all.
      if (options.simulate !== undefined)
        await options.simulate("create job", () => market.createJob.staticCall(struct, { blockTag: "pending" }));
      const allowance = await usdc.allowance(me, marketAddress);
      if (allowance < budget) {
        const step = `approve ${token.symbol}`;
        record(step, await send(step, () => usdc.approve(marketAddress, budget)));
      }
      receipt = record("create job", await send("create job", () => market.createJob(struct)));
    }
  }
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== marketAddress.toLowerCase()) continue;
    const parsed = market.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name !== "JobCreated") continue;
    return {
      jobId: parsed.args.jobId as bigint,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      budget,
      token,
      request: struct,
      bidDeadline: BigInt(parsed.args.bidDeadline),
      revealDeadline: BigInt(parsed.args.revealDeadline),
      transactions,
    };
  }
  throw new Error(`the job was created (${receipt.hash}) but its JobCreated event is missing from the receipt`);
}
