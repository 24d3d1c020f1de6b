// Reading the market: GPU prices and capacity by model (gpu_prices) and the pre-check of a job request
// (quote_job, the same answer as `gridlease renter quote`).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

import { parseDollars, parseGpuModel, parseHours } from "../../cli/lib/parse.ts";
import { quoteLines, quoteOnChain } from "../../cli/lib/quote.ts";
import { formatUsd, gpuMarket } from "../../sdk/index.ts";
import type { McpContext } from "../context.ts";
import { gpusInput, hoursInput, modelInput, usdInput } from "../inputs.ts";
import { answer, toolResult } from "../tool-result.ts";

const price = (value: bigint | null | undefined): string | null => (value == null ? null : formatUsd(value, 18));

/** Registers gpu_prices and quote_job. */
export function registerMarketTools(server: McpServer, mcp: McpContext): void {
  server.registerTool(
    "gpu_prices",
    {
      description:
        "GPU prices and capacity by model from the indexer: listed, available (online) and leased GPUs now, " +
        "utilization and clearing prices per GPU-hour (min, median, VWAP, max) over the period.",
      inputSchema: {
        model: modelInput.optional().describe("only this GPU model (default: every model)"),
        period: z.enum(["hour", "day", "all"]).optional().describe("latest hour, latest day, or all time (default)"),
      },
    },
    ({ model, period }) =>
      answer(async () => {
        const only = model === undefined ? undefined : parseGpuModel(model).spec.name;
        const entries = (await gpuMarket(mcp.indexer, { period: period ?? "all" })).filter(
          (entry) => only === undefined || entry.name === only,
        );
        const models = entries.map((entry) => ({
          model: entry.name,
          listedGpus: entry.listedGpus,
          availableGpus: entry.availableGpus,
          leasedGpus: entry.leasedGpus,
          utilization: entry.metrics?.utilization ?? null,
          awards: entry.metrics?.awards ?? 0,
          pricePerGpuHourUsd: {
            min: price(entry.metrics?.minPrice),
            median: price(entry.metrics?.medianPrice),
            vwap: price(entry.metrics?.vwapPrice),
            max: price(entry.metrics?.maxPrice),
          },
        }));
        const summary = models
          .map(
            (m) =>
              `${m.model}: ${m.availableGpus}/${m.listedGpus} GPUs online, median ${m.pricePerGpuHourUsd.median ?? "n/a"}/GPU-hour`,
          )
          .join("; ");
        return toolResult(
          { period: period ?? "all", models },
          summary === "" ? "No GPU model is listed yet." : summary,
        );
      }),
  );

  server.registerTool(
    "quote_job",
    {
      description:
        "Pre-check a job request before spending anything: eligible providers and free GPUs now, the 7/30-day " +
        "price band, the budget at your max price, the cost at the median, and warnings (as `gridlease renter quote`).",
      inputSchema: {
        model: modelInput,
        gpus: gpusInput.default(1),
        hours: hoursInput,
        max_price_per_gpu_hour: usdInput("max_price_per_gpu_hour").optional(),
        min_vram_gb: z.int().min(0).max(65_535).optional(),
        region: z.int().min(0).max(65_535).optional().describe("ISO 3166-1 numeric (0 = any)"),
        min_reputation: z.int().min(0).max(10_000).optional(),
      },
    },
    (args) =>
      answer(async () => {
        const { spec } = parseGpuModel(args.model);
        const quote = await quoteOnChain(mcp.chain, mcp.indexer, {
          model: spec.name,
          gpus: args.gpus,
          durationSeconds: parseHours(args.hours, "hours"),
          maxPricePerGpuHour:
            args.max_price_per_gpu_hour === undefined
              ? undefined
              : parseDollars(args.max_price_per_gpu_hour, 18, "max_price_per_gpu_hour"),
          minVramGb: args.min_vram_gb,
          region: args.region,
          minReputation: args.min_reputation,
        });
        return toolResult({ quote }, quoteLines(quote).join("\n"));
      }),
  );
}
