// The input fields tools share, as zod schemas (the MCP SDK publishes them as each tool's JSON schema).
// Each carries the message an agent reads when it gets one wrong.
import { z } from "zod";

import { GPU_MODELS } from "../sdk/index.ts";

const DECIMAL = /^\d+(\.\d+)?$/;

export const jobIdInput = z
  .string()
  .regex(/^[1-9]\d{0,30}$/, { error: 'job_id must be a job number such as "12" (a whole number from 1)' })
  .describe('the job\'s id, e.g. "12"');

export const modelInput = z
  .string()
  .min(1)
  .describe(`GPU model: ${GPU_MODELS.map((model) => model.name).join(", ")}`);

export const gpusInput = z
  .int({ error: "gpus must be a whole number of GPUs, at least 1" })
  .min(1, { error: "gpus must be at least 1" })
  .max(1024, { error: "gpus must be at most 1024" })
  .describe("GPUs, all from one provider");

export const hoursInput = z
  .string()
  .regex(DECIMAL, { error: 'hours must be a positive number of hours as a string, e.g. "2" or "0.25"' })
  .describe('compute time in hours, e.g. "0.25"');

export const usdInput = (what: string) =>
  z
    .string()
    .regex(DECIMAL, { error: `${what} must be a dollar amount as a string such as "1.80" (no sign, no symbol)` })
    .describe(`${what} in USD, e.g. "1.80"`);

export const payInput = z.enum(["usdc", "credits"]).describe("payment: usdc (default) or credits");

export const ruleInput = z
  .enum(["instant", "first", "second"])
  .describe("instant (default: the first eligible provider accepts at your price), or a first/second-price auction");

export const workloadSpecInput = z
  .record(z.string(), z.unknown())
  .describe("the workload spec, a gridlease.workload/v1 document (resource gridlease://schema/workload-spec)");
