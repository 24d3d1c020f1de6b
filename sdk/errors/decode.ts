// Revert data to plain language: custom errors of every protocol contract (whichever contract in a call
// chain raised them), require strings and panics, each with a message that says what to do.
import { AbiCoder, dataSlice, decodeBytes32String, id, Interface, type ErrorFragment, type InterfaceAbi } from "ethers";

import {
  ChainlinkPriceOracleAbi,
  GridleaseTokenAbi,
  JobMarketAbi,
  JobMarketDisputesAbi,
  MockAggregatorV3Abi,
  MockStablecoinAbi,
  ProviderRegistryAbi,
  SequencerGuardedOracleAbi,
  SettlementAbi,
} from "../abis/index.ts";
import { formatAmount, formatGrl, formatTime, formatUsd } from "../amounts.ts";
import { ERROR_MESSAGES, type MessageFormat } from "./messages.ts";

/** What the failing action knows about the amounts involved, so messages show dollars or GRL. */
export interface ErrorHints {
  /** The token the action moves (payment token, or GRL when staking), for ERC20 and escrow errors. */
  token?: { symbol: string; decimals: number };
  /** The decimals of the job's payment token, for prices per GPU-hour. */
  priceDecimals?: number;
  /** The chain's clock, so times read "in 5m" / "3m ago". */
  now?: bigint;
}

/**
 * The ABIs whose errors are decoded: every contract a protocol call reaches, directly or through
 * another (the disputes module runs by delegatecall from the market). Governance is not included.
 */
export const DECODED_ABIS: Readonly<Record<string, InterfaceAbi>> = {
  JobMarket: JobMarketAbi as InterfaceAbi,
  JobMarketDisputes: JobMarketDisputesAbi as InterfaceAbi,
  ProviderRegistry: ProviderRegistryAbi as InterfaceAbi,
  Settlement: SettlementAbi as InterfaceAbi,
  GridleaseToken: GridleaseTokenAbi as InterfaceAbi,
  ChainlinkPriceOracle: ChainlinkPriceOracleAbi as InterfaceAbi,
  SequencerGuardedOracle: SequencerGuardedOracleAbi as InterfaceAbi,
  MockStablecoin: MockStablecoinAbi as InterfaceAbi,
  MockAggregatorV3: MockAggregatorV3Abi as InterfaceAbi,
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
      if (fragment.type === "error")
        bySignature.set((fragment as ErrorFragment).format("sighash"), fragment as ErrorFragment);
    }
  }
  return new Interface([...bySignature.values()]);
})();

const ERROR_STRING_SELECTOR = id("Error(string)").slice(0, 10);
const PANIC_SELECTOR = id("Panic(uint256)").slice(0, 10);

const PANIC_REASONS: Record<number, string> = {
  1: "an assertion failed",
  17: "an arithmetic overflow or underflow",
  18: "a division by zero",
  33: "an invalid enum value",
  50: "an out-of-bounds array access",
  65: "out of memory",
};

/** The access-control roles of the protocol's contracts, by role id (keccak256 of the name; 0 for the admin). */
export const ROLE_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    "GOVERNANCE_ROLE",
    "MARKET_ROLE",
    "ARBITER_ROLE",
    "GUARDIAN_ROLE",
    "MINTER_ROLE",
    "PROPOSER_ROLE",
    "CANCELLER_ROLE",
    "EXECUTOR_ROLE",
  ]
    .map((name) => [id(name), name] as const)
    .concat([["0x" + "00".repeat(32), "DEFAULT_ADMIN_ROLE"]]),
);

function messageFormat(hints: ErrorHints): MessageFormat {
  const big = (value: unknown): bigint => BigInt(value as bigint);
  return {
    grl: (wei) => formatGrl(big(wei)),
    token: (units) =>
      hints.token === undefined
        ? `${big(units)} token units`
        : `${formatAmount(big(units), hints.token.decimals)} ${hints.token.symbol}`,
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
  /** The error's name ("MarketWrongState", "Error", "Panic"; "" when unknown or empty). */
  name: string;
  /** Its signature ("MarketWrongState(uint256,uint8)"), or the bare selector when unknown. */
  signature: string;
  /** The decoded arguments. */
  args: readonly unknown[];
  /** What went wrong and what to do, in plain language. */
  message: string;
}

/** Decodes revert data into a plain-language message (undefined for data that is not hex). */
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
    return {
      name: "Error",
      signature: "Error(string)",
      args: [reason],
      message: `The transaction reverted: ${reason}.`,
    };
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
    describe === undefined
      ? `The transaction reverted with ${parsed.name}(${args.join(", ")}).`
      : describe(args, messageFormat(hints));
  return { name: parsed.name, signature: parsed.signature, args, message };
}

/** Finds revert data in an ethers or viem error (or the JSON-RPC error it wraps). */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 6) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (
      typeof data === "string" &&
      /^0x([0-9a-fA-F]{2})*$/.test(data) &&
      (data.length >= 10 || record.code === "CALL_EXCEPTION")
    ) {
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
