// Turns whatever went wrong (bad input, a missing key, an unreachable node, a contract's custom error)
// into one plain-language report with a stable machine code and an exit status. Contract reverts are
// decoded by the SDK (sdk/errors).
import { decodeRevert, revertDataOf, type ErrorHints } from "../../sdk/index.ts";
import { rpcUrl } from "./env.ts";

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
    options: {
      exitCode?: number;
      details?: Record<string, unknown>;
      contractError?: ErrorReport["contractError"];
    } = {},
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

function isUnreachable(error: unknown): boolean {
  const text = errorText(error);
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|fetch failed|socket hang up|connect ETIMEDOUT/i.test(
    text,
  );
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
  if (
    record.code === "NONCE_EXPIRED" ||
    record.code === "REPLACEMENT_UNDERPRICED" ||
    /nonce too low/i.test(errorText(error))
  ) {
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
