// Turns whatever went wrong (bad input, a missing key, an unreachable node, a contract's custom error)
// into one plain-language report with a stable machine code and an exit status.
import { AbiCoder, decodeBytes32String, dataSlice, id, Interface, type ErrorFragment, type InterfaceAbi } from "ethers";

import {
  ChainlinkPriceOracle__factory,
  GridleaseToken__factory,
  JobMarket__factory,
  MockAggregatorV3__factory,
  MockStablecoin__factory,
  ProviderRegistry__factory,
  SequencerGuardedOracle__factory,
  Settlement__factory,
} from "../../types/ethers-contracts/index.js";
import { rpcUrl } from "./env.js";
import { ERROR_MESSAGES, type MessageFormat } from "./error-messages.js";
import { formatAmount, formatGrl, formatTime, formatUsd } from "./format.js";

/** Exit status of a command that failed at run time (a revert, the network). */
export const EXIT_FAILURE = 1;
/** Exit status of a command given bad input or bad configuration (nothing was sent). */
export const EXIT_USAGE = 2;

/** What a failed command reports: on stderr as text, or as `{"error": ...}` in --json mode. */
export interface ErrorReport {
  /** Stable machine-readable code, e.g. INVALID_INPUT, MISSING_KEY, WRONG_NETWORK, CONTRACT_ERROR. */
  code: string;
  message: string;
  exitCode: number;
  /** The decoded custom error, when a contract reverted with one. */
  contractError?: { name: string; signature: string; args: string[] };
  details?: Record<string, unknown>;
}

/** An error the CLI raises itself, with a message that already says what to do. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly details: Record<string, unknown> | undefined;
  readonly contractError: ErrorReport["contractError"];

  constructor(
    code: string,
    message: string,
    options: { exitCode?: number; details?: Record<string, unknown>; contractError?: ErrorReport["contractError"] } = {},
  ) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.details = options.details;
    this.contractError = options.contractError;
  }
}

/** Bad user input: nothing was sent. */
export function invalidInput(message: string, details?: Record<string, unknown>): CliError {
  return new CliError("INVALID_INPUT", message, { exitCode: EXIT_USAGE, details });
}

/** What the failing command knows about the amounts involved, so messages show dollars or GRL. */
export interface ErrorHints {
  /** The token the command moves (payment token, or GRL when staking), for ERC20 and escrow errors. */
  token?: { symbol: string; decimals: number };
  /** The decimals of the job's payment token, for prices per GPU-hour. */
  priceDecimals?: number;
  /** The chain's clock, so times read "in 5m" / "3m ago". */
  now?: bigint;
}

/** The ABIs whose errors the CLI decodes: every contract it calls, directly or through another. */
export const DECODED_ABIS: Readonly<Record<string, InterfaceAbi>> = {
  JobMarket: JobMarket__factory.abi,
  ProviderRegistry: ProviderRegistry__factory.abi,
  Settlement: Settlement__factory.abi,
  GridleaseToken: GridleaseToken__factory.abi,
  ChainlinkPriceOracle: ChainlinkPriceOracle__factory.abi,
  SequencerGuardedOracle: SequencerGuardedOracle__factory.abi,
  MockStablecoin: MockStablecoin__factory.abi,
  MockAggregatorV3: MockAggregatorV3__factory.abi,
};

/**
 * One interface with every custom error of those ABIs. A revert bubbles up unchanged through nested
 * calls (the registry's RegistryInsufficientGpus surfaces from JobMarket.commitBid), so decoding by
 * the called contract's ABI alone would miss it.
 */
const ERRORS = (() => {
  const bySignature = new Map<string, ErrorFragment>();
  for (const abi of Object.values(DECODED_ABIS)) {
    for (const fragment of new Interface(abi).fragments) {
      if (fragment.type === "error") bySignature.set((fragment as ErrorFragment).format("sighash"), fragment as ErrorFragment);
    }
  }
  return new Interface([...bySignature.values()]);
})();

const ERROR_STRING_SELECTOR = id("Error(string)").slice(0, 10);
const PANIC_SELECTOR = id("Panic(uint256)").slice(0, 10);

const PANIC_REASONS: Record<number, string> = {
  0x01: "an assertion failed",
  0x11: "an arithmetic overflow or underflow",
  0x12: "a division by zero",
  0x21: "an invalid enum value",
  0x32: "an out-of-bounds array access",
  0x41: "out of memory",
};

const ROLE_NAMES: Record<string, string> = Object.fromEntries(
  ["GOVERNANCE_ROLE", "MARKET_ROLE", "ARBITER_ROLE", "GUARDIAN_ROLE", "MINTER_ROLE", "PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE"]
    .map((name) => [id(name), name] as const)
    .concat([["0x" + "00".repeat(32), "DEFAULT_ADMIN_ROLE"]]),
);

function messageFormat(hints: ErrorHints): MessageFormat {
  const big = (value: unknown): bigint => BigInt(value as bigint);
  return {
    grl: (wei) => formatGrl(big(wei)),
    token: (units) =>
      hints.token === undefined ? `${big(units)} token units` : `${formatAmount(big(units), hints.token.decimals)} ${hints.token.symbol}`,
    price: (units) =>
      hints.priceDecimals === undefined ? `${big(units)} token units` : formatUsd(big(units), hints.priceDecimals),
    usd18: (units) => formatUsd(big(units), 18),
    time: (timestamp) => formatTime(big(timestamp), hints.now),
    model: (modelId) => {
      try {
        return decodeBytes32String(String(modelId));
      } catch {
        return String(modelId);
      }
    },
    role: (roleId) => ROLE_NAMES[String(roleId).toLowerCase()] ?? `role ${String(roleId)}`,
    feedAnswer: (answer) => formatUsd(big(answer), 8),
  };
}

/** A decoded revert: a custom error of the protocol, a require string, a panic, or unknown data. */
export interface DecodedRevert {
  name: string;
  signature: string;
  args: readonly unknown[];
  message: string;
}

/** Decodes revert data into a plain-language message (undefined for data that is not a revert). */
export function decodeRevert(data: string, hints: ErrorHints = {}): DecodedRevert | undefined {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(data)) return undefined;
  if (data === "0x") {
    return {
      name: "",
      signature: "",
      args: [],
      message:
        "The transaction reverted without a reason: the address may hold no contract (check GRIDLEASE_DEPLOYMENT), " +
        "or a token refused the transfer.",
    };
  }
  const selector = dataSlice(data, 0, 4);
  if (selector === ERROR_STRING_SELECTOR) {
    const [reason] = AbiCoder.defaultAbiCoder().decode(["string"], dataSlice(data, 4));
    return { name: "Error", signature: "Error(string)", args: [reason], message: `The transaction reverted: ${reason}.` };
  }
  if (selector === PANIC_SELECTOR) {
    const [code] = AbiCoder.defaultAbiCoder().decode(["uint256"], dataSlice(data, 4));
    const reason = PANIC_REASONS[Number(code)] ?? `panic code 0x${BigInt(code).toString(16)}`;
    return {
      name: "Panic",
      signature: "Panic(uint256)",
      args: [code],
      message: `The contract hit an internal error (${reason}): check the amounts you passed, and report it if they are sane.`,
    };
  }
  const parsed = ERRORS.parseError(data);
  if (parsed === null) {
    return {
      name: "",
      signature: selector,
      args: [],
      message:
        `The transaction reverted with an error this CLI does not know (selector ${selector}): is the deployment ` +
        "(GRIDLEASE_DEPLOYMENT) the one the node runs?",
    };
  }
  const describe = ERROR_MESSAGES[parsed.name];
  const args = [...parsed.args];
  const message =
    describe === undefined ? `The transaction reverted with ${parsed.name}(${args.join(", ")}).` : describe(args, messageFormat(hints));
  return { name: parsed.name, signature: parsed.signature, args, message };
}

/** Finds revert data in an ethers error (or the JSON-RPC error it wraps). */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 6) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (typeof data === "string" && /^0x([0-9a-fA-F]{2})*$/.test(data) && (data.length >= 10 || record.code === "CALL_EXCEPTION")) {
      return data;
    }
    for (const key of ["data", "error", "info", "cause", "payload"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

function isUnreachable(error: unknown): boolean {
  const text = errorText(error);
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|fetch failed|socket hang up|connect ETIMEDOUT/i.test(text);
}

function errorText(error: unknown): string {
  if (error === null || error === undefined) return "";
  if (typeof error !== "object") return String(error);
  const record = error as Record<string, unknown>;
  const own = [record.message, record.shortMessage, record.code].filter((x) => typeof x === "string").join(" ");
  return `${own} ${errorText(record.cause)} ${record.error === error ? "" : errorText(record.error)}`;
}

/** Builds the report for any error a command threw. */
export function describeError(error: unknown, hints: ErrorHints = {}): ErrorReport {
  if (error instanceof CliError) {
    return {
      code: error.code,
      message: error.message,
      exitCode: error.exitCode,
      ...(error.contractError === undefined ? {} : { contractError: error.contractError }),
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  const data = revertDataOf(error);
  if (data !== undefined) {
    const decoded = decodeRevert(data, hints);
    if (decoded !== undefined) {
      return {
        code: "CONTRACT_ERROR",
        message: decoded.message,
        exitCode: EXIT_FAILURE,
        contractError: { name: decoded.name, signature: decoded.signature, args: decoded.args.map((a) => String(a)) },
      };
    }
  }
  const record = (error ?? {}) as Record<string, unknown>;
  if (record.code === "CALL_EXCEPTION") {
    return {
      code: "CONTRACT_ERROR",
      message:
        "The call reverted without revert data: the address may hold no contract on this chain (check " +
        "GRIDLEASE_RPC_URL and GRIDLEASE_DEPLOYMENT).",
      exitCode: EXIT_FAILURE,
    };
  }
  if (record.code === "INSUFFICIENT_FUNDS" || /insufficient funds/i.test(errorText(error))) {
    return {
      code: "INSUFFICIENT_FUNDS",
      message: "The account has not enough ETH to pay for gas: fund it with ETH first.",
      exitCode: EXIT_FAILURE,
    };
  }
  if (record.code === "NONCE_EXPIRED" || record.code === "REPLACEMENT_UNDERPRICED" || /nonce too low/i.test(errorText(error))) {
    return {
      code: "NONCE_CONFLICT",
      message: "Another transaction from this account was sent at the same time: wait for it and retry.",
      exitCode: EXIT_FAILURE,
    };
  }
  if (isUnreachable(error) || record.code === "NETWORK_ERROR" || record.code === "TIMEOUT") {
    return {
      code: "RPC_UNREACHABLE",
      message: `Cannot reach the JSON-RPC endpoint ${rpcUrl()}: start a node (\`npm start\`) or set GRIDLEASE_RPC_URL.`,
      exitCode: EXIT_FAILURE,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "UNEXPECTED", message: `Unexpected error: ${message}`, exitCode: EXIT_FAILURE };
}
