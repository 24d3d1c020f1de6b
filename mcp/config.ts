// The MCP server's own configuration (`gridlease mcp --config mcp.json`): the guard rails an agent works
// within. It is read once at start and no tool can change it, so an agent cannot raise its own limits.
import { readFileSync } from "node:fs";

import { z } from "zod";

import { findGpuModel, formatIssues, GPU_MODELS, parseDecimal } from "../sdk/index.ts";
import { PAYMENT_KINDS } from "../cli/lib/tokens.ts";

const USD_AMOUNT = /^\d+(\.\d{1,18})?$/;

const usd = (what: string) =>
  z.string({ error: `${what} must be a dollar amount as a string, e.g. "25" or "1.80"` }).regex(USD_AMOUNT, {
    error: `${what} must be a dollar amount such as "25" or "1.80" (no sign, no currency symbol)`,
  });

/** The guard rails, as written in the config file. */
export const mcpConfigSchema = z.strictObject({
  /** The most one job may escrow (its budget: max price x GPUs x hours), in USD. */
  maxPerJobUsd: usd("maxPerJobUsd"),
  /** The most all jobs posted in one UTC day may escrow together, in USD. */
  maxPerDayUsd: usd("maxPerDayUsd"),
  /** The highest max price per GPU-hour a job may be posted with, in USD. */
  maxPricePerGpuHourUsd: usd("maxPricePerGpuHourUsd"),
  /** Payment tokens jobs may be paid in. */
  allowedPaymentTokens: z.array(z.enum(PAYMENT_KINDS)).min(1, { error: "name at least one payment token" }),
  /** GPU models jobs may ask for (catalogue names). */
  allowedGpuModels: z
    .array(
      z.string().refine((name) => findGpuModel(name) !== undefined, {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not a GPU model of the catalogue (${GPU_MODELS.map((m) => m.name).join(", ")})`,
      }),
    )
    .min(1, { error: "name at least one GPU model" }),
  /** The most GRL one buy_credits call may burn (default: buying credits is refused). */
  maxCreditPurchaseGrl: z
    .string()
    .regex(USD_AMOUNT, { error: 'maxCreditPurchaseGrl must be a GRL amount such as "100"' })
    .default("0"),
  /** The indexer's base URL (default http://127.0.0.1:42069). */
  indexerUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Where the day's spend is kept (default: the server's data folder). */
  dataDir: z.string().min(1).optional(),
});

/** The guard rails (see {@link mcpConfigSchema}). */
export type McpConfig = z.output<typeof mcpConfigSchema>;

/** Why the config file cannot be used; the message names the file and every problem. */
export class McpConfigError extends Error {
  override name = "McpConfigError";
}

/** Validates a config document; throws a {@link McpConfigError} listing every problem. */
export function parseMcpConfig(input: unknown, source = "the MCP config"): McpConfig {
  const parsed = mcpConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new McpConfigError(`${source} is invalid: ${formatIssues(parsed.error).join("; ")}.`);
  }
  const config = parsed.data;
  if (parseDecimal(config.maxPerJobUsd, 18) > parseDecimal(config.maxPerDayUsd, 18)) {
    throw new McpConfigError(
      `${source} is invalid: maxPerJobUsd (${config.maxPerJobUsd}) is more than maxPerDayUsd (${config.maxPerDayUsd}).`,
    );
  }
  return { ...config, allowedGpuModels: config.allowedGpuModels.map((name) => findGpuModel(name)?.name ?? name) };
}

/** Reads and validates the config file at `path`. */
export function loadMcpConfig(path: string): McpConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new McpConfigError(`Cannot read the MCP config file "${path}" (${reason}): pass --config <file>.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new McpConfigError(`The MCP config file "${path}" is not JSON (${(error as Error).message}).`);
  }
  return parseMcpConfig(json, `The MCP config file "${path}"`);
}
