// `gridlease renter quote`: the pre-check of a job request before any gas is spent (eligible providers and
// free GPUs now, the recent price band, the estimated cost, warnings), from the indexer. The MCP server's
// quote_job tool gives the same answer (cli/lib/quote.ts).
import type { Command } from "commander";

import { GPU_MODELS, IndexerClient } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connect } from "../../lib/context.ts";
import { parseDollars, parseGpuModel, parseHours, parseInteger } from "../../lib/parse.ts";
import { indexerUrl, quoteLines, quoteOnChain } from "../../lib/quote.ts";

interface QuoteOptions {
  model: string;
  count: string;
  hours: string;
  maxPrice?: string;
  vram?: string;
  region: string;
  minReputation: string;
  indexer?: string;
}

/** Adds `renter quote`. */
export function addQuoteCommand(renter: Command): void {
  withJson(
    renter
      .command("quote")
      .description("check a job request first: eligible providers, free GPUs, recent prices, estimated cost")
      .requiredOption("--model <name>", `GPU model: ${GPU_MODELS.map((m) => m.name).join(", ")}`)
      .option("--count <n>", "GPUs, all from one provider", "1")
      .requiredOption("--hours <hours>", "compute time, e.g. 2 or 0.5")
      .option("--max-price <dollars>", "the most you would pay per GPU-hour, e.g. 1.80 (for the budget and warnings)")
      .option("--vram <gb>", "minimum VRAM per GPU (default: any)")
      .option("--region <code>", "required provider region, ISO 3166-1 numeric (0 = any)", "0")
      .option("--min-reputation <score>", "minimum provider reputation, 0-10000", "0")
      .option("--indexer <url>", "the indexer's base URL (default GRIDLEASE_INDEXER_URL or http://127.0.0.1:42069)"),
  ).action(async (opts: QuoteOptions, cmd: Command) =>
    run(cmd, async (out) => {
      const { spec } = parseGpuModel(opts.model);
      const gpus = Number(parseInteger(opts.count, "--count", 1n, 1024n));
      const durationSeconds = parseHours(opts.hours, "--hours");
      const maxPricePerGpuHour =
        opts.maxPrice === undefined ? undefined : parseDollars(opts.maxPrice, 18, "--max-price");
      const minVramGb = opts.vram === undefined ? undefined : Number(parseInteger(opts.vram, "--vram", 0n, 65_535n));
      const region = Number(parseInteger(opts.region, "--region", 0n, 65_535n));
      const minReputation = Number(parseInteger(opts.minReputation, "--min-reputation", 0n, 10_000n));
      const ctx = await connect({ needsSigner: false });
      const indexer = new IndexerClient({ url: opts.indexer ?? indexerUrl() });
      const quote = await quoteOnChain(ctx, indexer, {
        model: spec.name,
        gpus,
        durationSeconds,
        maxPricePerGpuHour,
        minVramGb,
        region,
        minReputation,
      });
      out.result({ command: "renter quote", quote }, quoteLines(quote));
    }),
  );
}
