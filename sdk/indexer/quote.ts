// The pre-check of a job request, before any gas is spent (the "why no bids?" answer): which providers
// could take it now (online, enough stake for their GPUs, region, reputation, VRAM and free GPUs, exactly the
// registry's eligibility test), the model's recent clearing prices, and what the job would cost. The CLI's
// `renter quote`, the web console and the MCP server all show this one result.

import { gpuModelId, findGpuModel } from "../gpu-models.ts";
import { referencePricesOf, type ReferencePrice } from "../reference-prices.ts";
import { awardedJobsSince } from "./awarded-jobs.ts";
import type { IndexerClient } from "./client.ts";
import { MAX_INDEXER_PAGE_SIZE } from "./client.ts";
import { decodePage, pageSelection } from "./pages.ts";
import { priceBand, type PriceBand } from "./price-band.ts";

const DAY = 86_400n;
const HOUR = 3_600n;

/** What the renter is about to ask for. Prices are USD per GPU-hour with 18 decimals. */
export interface JobQuoteRequest {
  /** GPU model name, e.g. "H100". */
  readonly model: string;
  /** GPUs, all from one provider. */
  readonly gpus: number;
  /** Compute time in seconds. */
  readonly durationSeconds: bigint;
  /** The reserve the renter would post (optional: without it there is no budget to show). */
  readonly maxPricePerGpuHour?: bigint;
  /** Minimum VRAM per GPU (default: any line of the model). */
  readonly minVramGb?: number;
  /** Required region (ISO 3166-1 numeric; 0 or absent = any). */
  readonly region?: number;
  /** Minimum provider reputation, 0-10000. */
  readonly minReputation?: number;
  /** The registry's stake required per listed GPU (GRL wei); absent = not checked (the indexer does not hold it). */
  readonly minStakePerGpu?: bigint;
  /** "Now" in chain time (unix seconds): the price windows end here. */
  readonly now: bigint;
}

/** A price band over a window, and whether it covers only the newest 1,000 awards. */
export interface QuotedBand extends PriceBand {
  readonly days: number;
  readonly truncated: boolean;
}

/** The pre-check's answer. */
export interface JobQuote {
  readonly model: string;
  readonly modelId: string;
  /** Online providers that could take the job right now. */
  readonly eligibleProviders: number;
  /** The free GPUs of the model those providers have (each line's count minus leased). */
  readonly freeGpus: number;
  /** GPUs of the model listed by all providers (online or not). */
  readonly listedGpus: number;
  /** Clearing prices of the model's jobs awarded in the last 7 and 30 days. */
  readonly bands: readonly [QuotedBand, QuotedBand];
  /** Reference cloud prices (docs/PROTOCOL.md), USD per GPU-hour. */
  readonly referencePrices: readonly ReferencePrice[];
  /** The escrow at the reserve: maxPrice x GPUs x seconds / 3600 rounded down, as the market computes it. */
  readonly budgetUsd: bigint | null;
  /** The cost at the 7-day median clearing price (30-day when 7 days have none), or null without awards. */
  readonly costAtMedianUsd: bigint | null;
  /** Plain-language reasons the job may get no bids, empty when nothing stands out. */
  readonly warnings: readonly string[];
}

/** Why a quote request cannot be checked at all (unknown model, a count or duration that is no job). */
export class QuoteRequestError extends Error {
  override name = "QuoteRequestError";
}

const LINE_FIELDS = { provider: "string", count: "int", leased: "int", vramGb: "int", listed: "boolean" } as const;
const PROVIDER_FIELDS = {
  address: "string",
  online: "boolean",
  region: "int",
  reputation: "int",
  listedGpus: "int",
  freeStake: "bigint",
  lockedStake: "bigint",
} as const;

const LINES_AND_PROVIDERS = `query QuoteCapacity($model: String!, $limit: Int) {
  gpuLines(where: { model: $model, listed: true }, limit: $limit) { ${pageSelection(LINE_FIELDS)} }
  providers(where: { models_has: $model }, limit: $limit) { ${pageSelection(PROVIDER_FIELDS)} }
}`;

/** A job's value as JobMath.jobValue computes it. */
function jobValue(pricePerGpuHour: bigint, gpus: number, durationSeconds: bigint): bigint {
  return (pricePerGpuHour * BigInt(gpus) * durationSeconds) / HOUR;
}

function formatUsd(value: bigint): string {
  const cents = value / 10n ** 16n;
  return `$${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** Checks a job request against the market as the indexer sees it (see {@link JobQuote}). */
export async function quoteJob(client: IndexerClient, request: JobQuoteRequest): Promise<JobQuote> {
  const spec = findGpuModel(request.model);
  if (spec === undefined) throw new QuoteRequestError(`Unknown GPU model "${request.model}".`);
  if (!Number.isInteger(request.gpus) || request.gpus < 1) {
    throw new QuoteRequestError(`GPUs must be a whole number of at least 1, got ${request.gpus}.`);
  }
  if (request.durationSeconds <= 0n) throw new QuoteRequestError("The duration must be more than zero seconds.");
  if (request.maxPricePerGpuHour !== undefined && request.maxPricePerGpuHour <= 0n) {
    throw new QuoteRequestError("The maximum price per GPU-hour must be more than zero.");
  }
  const modelId = gpuModelId(spec.name).toLowerCase();
  const endpoint = `${client.url}/graphql`;
  const data = await client.graphql(LINES_AND_PROVIDERS, { model: modelId, limit: MAX_INDEXER_PAGE_SIZE });
  const lines = decodePage(LINE_FIELDS, data, "gpuLines", endpoint).items;
  const providers = new Map(
    decodePage(PROVIDER_FIELDS, data, "providers", endpoint).items.map((p) => [p.address.toLowerCase(), p]),
  );

  let eligibleProviders = 0;
  let freeGpus = 0;
  let listedGpus = 0;
  let onlineWithModel = 0;
  for (const line of lines) {
    listedGpus += line.count;
    const provider = providers.get(line.provider.toLowerCase());
    if (provider === undefined || !provider.online) continue;
    onlineWithModel++;
    // The registry's _requireEligible, in its order.
    const staked =
      request.minStakePerGpu === undefined ||
      provider.freeStake + provider.lockedStake >= request.minStakePerGpu * BigInt(provider.listedGpus);
    const region = request.region === undefined || request.region === 0 || provider.region === request.region;
    const reputation = provider.reputation >= (request.minReputation ?? 0);
    const vram = line.vramGb >= (request.minVramGb ?? 0);
    const free = line.count - line.leased;
    if (staked && region && reputation && vram && free >= request.gpus) {
      eligibleProviders++;
      freeGpus += free;
    }
  }

  const bands = (await Promise.all(
    [7, 30].map(async (days): Promise<QuotedBand> => {
      const { jobs, truncated } = await awardedJobsSince(client, modelId, request.now - BigInt(days) * DAY);
      return { days, truncated, ...priceBand(jobs) };
    }),
  )) as [QuotedBand, QuotedBand];
  const median = bands[0].median ?? bands[1].median;
  const budgetUsd =
    request.maxPricePerGpuHour === undefined
      ? null
      : jobValue(request.maxPricePerGpuHour, request.gpus, request.durationSeconds);

  const warnings: string[] = [];
  if (eligibleProviders === 0) {
    warnings.push(
      onlineWithModel === 0
        ? `No provider listing ${spec.name} is online: nobody can bid now.`
        : `${onlineWithModel} online provider(s) list ${spec.name}, but none meets the request now (free GPUs, VRAM, region, reputation or stake).`,
    );
  }
  const low = bands[0].min ?? bands[1].min;
  if (request.maxPricePerGpuHour !== undefined && low !== null && request.maxPricePerGpuHour < low) {
    warnings.push(
      `The maximum price ${formatUsd(request.maxPricePerGpuHour)}/GPU-hour is below every recent clearing price (lowest ${formatUsd(low)}): providers may not bid.`,
    );
  }
  return {
    model: spec.name,
    modelId,
    eligibleProviders,
    freeGpus,
    listedGpus,
    bands,
    referencePrices: referencePricesOf(spec.name),
    budgetUsd,
    costAtMedianUsd: median === null ? null : jobValue(median, request.gpus, request.durationSeconds),
    warnings,
  };
}
