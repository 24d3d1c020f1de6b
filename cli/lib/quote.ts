// The pre-check of a job request (the SDK's quoteJob) at the chain's clock and with the registry's stake
// rule, shared by `gridlease renter quote` and the MCP server's quote_job tool.
import {
  DEFAULT_INDEXER_URL,
  formatUsd,
  quoteJob,
  type IndexerClient,
  type JobQuote,
  type JobQuoteRequest,
} from "../../sdk/index.ts";
import { chainNow, type Context } from "./context.ts";

/** The indexer's base URL: GRIDLEASE_INDEXER_URL, else the local default. */
export function indexerUrl(): string {
  const value = process.env.GRIDLEASE_INDEXER_URL?.trim();
  return value === undefined || value === "" ? DEFAULT_INDEXER_URL : value;
}

/** Quotes `request` at the chain's current time, counting only providers staked for all their GPUs. */
export async function quoteOnChain(
  ctx: Context,
  indexer: IndexerClient,
  request: Omit<JobQuoteRequest, "now" | "minStakePerGpu">,
): Promise<JobQuote> {
  const [now, minStakePerGpu] = await Promise.all([chainNow(ctx), ctx.protocol.registry.minStakePerGpu()]);
  return quoteJob(indexer, { ...request, now, minStakePerGpu });
}

/** The quote as lines of text. */
export function quoteLines(quote: JobQuote): string[] {
  const usd = (value: bigint | null): string => (value === null ? "n/a" : formatUsd(value, 18));
  const band = (index: 0 | 1): string => {
    const b = quote.bands[index];
    return b.awards === 0
      ? `no awards in ${b.days} days`
      : `${usd(b.min)}-${usd(b.max)} (median ${usd(b.median)}, ${b.awards} awards in ${b.days} days${b.truncated ? ", newest 1,000" : ""})`;
  };
  return [
    `${quote.model}: ${quote.eligibleProviders} eligible provider(s) now, ${quote.freeGpus} free GPU(s) of ${quote.listedGpus} listed`,
    `  price band 7d: ${band(0)}`,
    `  price band 30d: ${band(1)}`,
    `  budget at your max price: ${usd(quote.budgetUsd)}; cost at the median: ${usd(quote.costAtMedianUsd)}`,
    ...quote.referencePrices.map((p) => `  reference: ${p.source} $${p.usdPerGpuHour.toFixed(2)}/GPU-hour`),
    ...quote.warnings.map((warning) => `  warning: ${warning}`),
  ];
}
