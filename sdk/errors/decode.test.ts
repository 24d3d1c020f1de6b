import {
  AbiCoder,
  encodeBytes32String,
  Interface,
  keccak256,
  toUtf8Bytes,
  ZeroAddress,
  type ErrorFragment,
  type InterfaceAbi,
  type ParamType,
} from "ethers";
import { describe, expect, it } from "vitest";

import { ABIS } from "../abis/index.ts";
import { DECODED_ABIS, decodeRevert, revertDataOf } from "./decode.ts";
import { ERROR_MESSAGES } from "./messages.ts";

/** OpenZeppelin's governance contracts: not called by the protocol's tools, their errors are not decoded. */
const GOVERNANCE = new Set(["GridleaseGovernor", "GridleaseTimelock"]);

/** Every generated ABI but governance's: each protocol contract and each interface (I*). */
const PROTOCOL_ABIS = Object.entries(ABIS).filter(([name]) => !GOVERNANCE.has(name));

function errorsOf(abi: unknown): ErrorFragment[] {
  return new Interface(abi as InterfaceAbi).fragments.filter((f): f is ErrorFragment => f.type === "error");
}

/** An argument of the given ABI type, for rendering every message once. */
function sample(param: ParamType): unknown {
  if (param.baseType === "address") return ZeroAddress;
  if (param.baseType === "bool") return true;
  if (param.baseType === "string") return "sample";
  if (param.baseType === "bytes32") return encodeBytes32String("H100");
  if (param.baseType.startsWith("uint") || param.baseType.startsWith("int")) return 1n;
  throw new Error(`no sample for ${param.type}`);
}

describe("revert decoding covers the protocol's ABIs", () => {
  it("includes every interface's errors (sanity: the interfaces declare many)", () => {
    const interfaces = PROTOCOL_ABIS.filter(([name]) => /^I[A-Z]/.test(name));
    expect(interfaces.map(([name]) => name).sort()).toEqual([
      "IGridleaseToken",
      "IJobMarket",
      "IPriceOracle",
      "IProviderRegistry",
      "ISettlement",
    ]);
    expect(interfaces.flatMap(([, abi]) => errorsOf(abi)).length).toBeGreaterThan(60);
  });

  it("decodes with every deployed contract's ABI", () => {
    const contracts = PROTOCOL_ABIS.map(([name]) => name).filter((name) => !/^I[A-Z]/.test(name));
    expect(contracts.filter((name) => DECODED_ABIS[name] === undefined)).toEqual([]);
  });

  for (const [contract, abi] of PROTOCOL_ABIS) {
    it(`has a plain-language message for every error of ${contract}`, () => {
      const missing = errorsOf(abi)
        .map((f) => f.name)
        .filter((name) => ERROR_MESSAGES[name] === undefined);
      expect(missing).toEqual([]);
    });

    it(`decodes and renders every error of ${contract}`, () => {
      for (const fragment of errorsOf(abi)) {
        const data = new Interface([fragment]).encodeErrorResult(fragment, fragment.inputs.map(sample));
        const decoded = decodeRevert(data, { priceDecimals: 6, token: { symbol: "USDC", decimals: 6 }, now: 1n });
        expect(decoded?.name, fragment.format()).toBe(fragment.name);
        expect(decoded?.signature, fragment.format()).toBe(fragment.format("sighash"));
        expect(decoded?.message, fragment.format()).toMatch(/\w/);
        expect(decoded?.message, fragment.format()).not.toMatch(/undefined|NaN|\[object|unknown\(/);
      }
    });
  }
});

describe("decodeRevert", () => {
  const market = new Interface(ABIS.JobMarket as unknown as InterfaceAbi);
  const registry = new Interface(ABIS.ProviderRegistry as unknown as InterfaceAbi);

  it("shows prices in dollars and names enum values", () => {
    expect(
      decodeRevert(market.encodeErrorResult("MarketInvalidBidPrice", [1_950_000n, 1_800_000n]), { priceDecimals: 6 })
        ?.message,
    ).toBe(
      "A bid of $1.95 per GPU-hour is not allowed: it must be above zero and at most the job's maximum price of $1.80 per GPU-hour. Bid lower.",
    );
    expect(decodeRevert(market.encodeErrorResult("MarketWrongState", [3n, 7n]))?.message).toMatch(
      /^Job #3 is Settled, which does not allow/,
    );
    expect(decodeRevert(market.encodeErrorResult("MarketInvalidRequest", [8n]))?.message).toContain(
      "workload spec hash",
    );
    expect(decodeRevert(market.encodeErrorResult("MarketParameterOutOfBounds", [0n, 5n, 0n, 1n]))?.message).toContain(
      "feeBps = 5",
    );
    expect(decodeRevert(market.encodeErrorResult("MarketWrongPricingRule", [4n, 2n]))?.message).toContain(
      "is an instant job",
    );
  });

  it("decodes an error bubbling up from another contract", () => {
    const data = registry.encodeErrorResult("RegistryInsufficientGpus", [encodeBytes32String("H100"), 2, 4]);
    expect(decodeRevert(data)?.message).toMatch(/^Only 2 H100 GPUs are free/);
  });

  it("handles require strings, panics, unknown selectors, empty and non-hex data", () => {
    const reason = "0x08c379a0" + AbiCoder.defaultAbiCoder().encode(["string"], ["nope"]).slice(2);
    expect(decodeRevert(reason)?.message).toBe("The transaction reverted: nope.");
    const panic = "0x4e487b71" + AbiCoder.defaultAbiCoder().encode(["uint256"], [0x11]).slice(2);
    expect(decodeRevert(panic)?.message).toMatch(/arithmetic overflow/);
    expect(decodeRevert("0xdeadbeef")?.signature).toBe("0xdeadbeef");
    expect(decodeRevert("0x")?.message).toMatch(/without a reason/);
    expect(decodeRevert("not hex")).toBeUndefined();
  });

  it("finds revert data nested in a provider error", () => {
    const data = market.encodeErrorResult("MarketUnknownJob", [9n]);
    expect(revertDataOf({ code: "UNKNOWN_ERROR", error: { cause: { data } } })).toBe(data);
    expect(revertDataOf(new Error("plain"))).toBeUndefined();
  });
});

describe("decodeRevert: amounts, roles and the oracle's guard in the messages", () => {
  const market = new Interface(ABIS.JobMarket as unknown as InterfaceAbi);
  const registry = new Interface(ABIS.ProviderRegistry as unknown as InterfaceAbi);
  const settlement = new Interface(ABIS.Settlement as unknown as InterfaceAbi);
  const guard = new Interface(ABIS.SequencerGuardedOracle as unknown as InterfaceAbi);

  it("returns the decoded arguments, and prices in token units when their decimals are not known", () => {
    expect(
      decodeRevert(market.encodeErrorResult("MarketInvalidBidPrice", [1_950_000n, 1_800_000n]), { priceDecimals: 6 })
        ?.args,
    ).toEqual([1_950_000n, 1_800_000n]);
    const message = decodeRevert(market.encodeErrorResult("MarketInvalidBidPrice", [2n, 1n]))?.message;
    expect(message).toContain("2 token units");
    expect(message).toContain("1 token units");
  });

  it("words an error the market's ABI does not declare (the registry's, bubbling up) in full", () => {
    const data = registry.encodeErrorResult("RegistryInsufficientGpus", [encodeBytes32String("H100"), 2, 4]);
    expect(market.parseError(data)).toBeNull();
    expect(decodeRevert(data)?.message).toBe(
      "Only 2 H100 GPUs are free (not leased), and the job needs 4: list more or wait for running jobs to end.",
    );
  });

  it("names the state and the command that shows the job", () => {
    expect(decodeRevert(market.encodeErrorResult("MarketWrongState", [7n, 7n]))?.message).toBe(
      "Job #7 is Settled, which does not allow this action: see `gridlease renter status 7`.",
    );
  });

  it("shows GRL in GRL and credits in dollars", () => {
    const grl = decodeRevert(
      registry.encodeErrorResult("RegistryLockExceedsFree", [650n * 10n ** 18n, 250n * 10n ** 18n]),
    )?.message;
    expect(grl).toContain("650 GRL");
    expect(grl).toContain("250 GRL free");
    const credits = settlement.encodeErrorResult("SettlementInsufficientCredits", [
      ZeroAddress,
      5n * 10n ** 17n,
      32n * 10n ** 17n,
    ]);
    expect(decodeRevert(credits)?.message).toContain("has $0.50 of credits and this needs $3.20");
  });

  it("says what to wait for when the sequencer guard refuses (errors the market's and settlement's ABIs do not declare)", () => {
    const down = guard.encodeErrorResult("OracleSequencerDown", [1n, 1_000n]);
    expect(market.parseError(down)).toBeNull();
    expect(decodeRevert(down)?.name).toBe("OracleSequencerDown");
    expect(decodeRevert(down)?.message).toContain("sequencer is down");
    expect(decodeRevert(down)?.message).toContain("wait for the sequencer");
    const recovering = decodeRevert(
      guard.encodeErrorResult("OracleSequencerRecovering", [1_000n, 3_600n, 2_000n]),
    )?.message;
    expect(recovering).toContain("refused for 3600 s");
    expect(recovering).toContain("retry from 1970-01-01T01:16:41Z"); // 1,000 + 3,600 + 1: the first second that prices
    expect(decodeRevert(guard.encodeErrorResult("OracleSequencerStatusUnknown", [0n]))?.message).toContain(
      "has not reported a status yet",
    );
  });

  it("explains a pause and names a missing role", () => {
    expect(decodeRevert(market.encodeErrorResult("EnforcedPause", []))?.message).toContain("paused by the guardian");
    const role = keccak256(toUtf8Bytes("ARBITER_ROLE"));
    expect(
      decodeRevert(market.encodeErrorResult("AccessControlUnauthorizedAccount", [ZeroAddress, role]))?.message,
    ).toContain("lacks the ARBITER_ROLE");
  });
});
