// Validation of command-line input. Amounts are decimal strings converted exactly (the SDK's
// parseDecimal: no floating point), and every rejection says what was wrong and what is accepted.
import { getAddress, isAddress } from "ethers";

import {
  AmountParseError,
  EnumParseError,
  findGpuModel,
  GPU_MODELS,
  gpuModelId,
  parseDecimal,
  type GpuModelSpec,
  type ProtocolEnum,
} from "../../sdk/index.ts";
import { invalidInput } from "./errors.ts";

/**
 * A positive (or, with `allowZero`, non-negative) decimal amount in units of a token with `decimals`.
 * `what` names the input in the message ("--max-price").
 */
export function parseAmount(
  text: string,
  decimals: number,
  what: string,
  options: { allowZero?: boolean; unit?: string } = {},
): bigint {
  try {
    return parseDecimal(text, decimals, { ...options, what });
  } catch (error) {
    if (error instanceof AmountParseError) throw invalidInput(error.message);
    throw error;
  }
}

/** A dollar amount ("1.50" or "$1.50") in units of a dollar token with `decimals` (USDC 6, credits 18). */
export function parseDollars(
  text: string,
  decimals: number,
  what: string,
  options: { allowZero?: boolean } = {},
): bigint {
  return parseAmount(text, decimals, what, { ...options, unit: "dollars" });
}

/** A GRL amount (18 decimals). */
export function parseGrl(text: string, what: string, options: { allowZero?: boolean } = {}): bigint {
  return parseAmount(text, 18, what, { ...options, unit: "GRL" });
}

/** A whole number within [min, max]. */
export function parseInteger(text: string, what: string, min: bigint, max: bigint): bigint {
  const trimmed = text.trim().replace(/_/g, "");
  if (!/^\d+$/.test(trimmed)) throw invalidInput(`${what} must be a whole number, got "${text}".`);
  const value = BigInt(trimmed);
  if (value < min || value > max) throw invalidInput(`${what} must be between ${min} and ${max}, got ${value}.`);
  return value;
}

/** A job id (jobs are numbered from 1). */
export function parseJobId(text: string): bigint {
  const trimmed = text.trim().replace(/^#/, "");
  if (!/^\d+$/.test(trimmed) || BigInt(trimmed) === 0n) {
    throw invalidInput(`The job id must be a whole number from 1 (as printed by create-job), got "${text}".`);
  }
  return BigInt(trimmed);
}

/** Hours, possibly fractional ("1.5"), as an exact whole number of seconds. */
export function parseHours(text: string, what: string): bigint {
  const micros = parseAmount(text, 6, what, { unit: "hours" });
  const seconds = micros * 3600n;
  if (seconds % 1_000_000n !== 0n)
    throw invalidInput(`${what} must be a whole number of seconds, got "${text}" hours.`);
  return seconds / 1_000_000n;
}

const UNIT_SECONDS: Record<string, bigint> = { "": 1n, s: 1n, m: 60n, h: 3600n, d: 86_400n };

/** A duration such as "90", "90s", "10m", "2h" or "1d", in seconds. */
export function parseDuration(text: string, what: string): bigint {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim().toLowerCase());
  if (match === null) throw invalidInput(`${what} must be a duration such as 90s, 10m, 2h or 1d, got "${text}".`);
  return BigInt(match[1]) * UNIT_SECONDS[match[2]];
}

/** A GPU model of the SDK's catalogue, by name, case-insensitive. */
export function parseGpuModel(name: string): { id: string; spec: GpuModelSpec } {
  let modelId: string;
  try {
    modelId = gpuModelId(name.trim());
  } catch {
    throw invalidInput(`Unknown GPU model "${name}": use one of ${GPU_MODELS.map((m) => m.name).join(", ")}.`, {
      knownModels: GPU_MODELS.map((m) => m.name),
    });
  }
  const spec = findGpuModel(name) as GpuModelSpec;
  return { id: modelId, spec };
}

/** A checksummed address. */
export function parseAddress(text: string, what: string): string {
  if (!isAddress(text.trim()))
    throw invalidInput(`${what} must be an address (0x followed by 40 hex digits), got "${text}".`);
  return getAddress(text.trim());
}

/** A 32-byte hex value (a hash). */
export function parseBytes32(text: string, what: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text.trim()))
    throw invalidInput(`${what} must be 0x followed by 64 hex digits, got "${text}".`);
  return text.trim().toLowerCase();
}

/** One of `choices` (case-insensitive). */
export function parseChoice<T extends string>(text: string, choices: readonly T[], what: string): T {
  const value = text.trim().toLowerCase();
  const found = choices.find((c) => c === value);
  if (found === undefined) throw invalidInput(`${what} must be one of ${choices.join(", ")}, got "${text}".`);
  return found;
}

/** A member of a protocol enum, by its canonical name or one of its aliases (e.g. --rule first). */
export function parseProtocolEnum<N extends string>(text: string, protocolEnum: ProtocolEnum<N>, what: string): N {
  try {
    return protocolEnum.parse(text);
  } catch (error) {
    if (error instanceof EnumParseError)
      throw invalidInput(`${what} must be one of ${error.allowed.join(", ")}, got "${text}".`);
    throw error;
  }
}

/** TFLOPS as the registry stores them (hundredths), from a decimal with at most two decimals. */
export function parseTflopsX100(text: string): bigint {
  const value = parseAmount(text, 2, "--tflops", { unit: "TFLOPS" });
  if (value > 0xffff_ffffn) throw invalidInput(`--tflops is too large, got "${text}".`);
  return value;
}
