import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { AbiCoder, encodeBytes32String, id, Interface, ZeroAddress, type ErrorFragment, type ParamType } from "ethers";

import { PROJECT_ROOT } from "../kit/project.ts";
import { DECODED_ABIS, decodeRevert, ERROR_MESSAGES, revertDataOf } from "../../sdk/index.ts";
import { CliError, describeError, EXIT_FAILURE, EXIT_USAGE } from "../../cli/lib/errors.js";
import {
  JobMarket__factory,
  ProviderRegistry__factory,
  SequencerGuardedOracle__factory,
  Settlement__factory,
} from "../../types/ethers-contracts/index.js";

const market = JobMarket__factory.createInterface();
const registry = ProviderRegistry__factory.createInterface();
const settlement = Settlement__factory.createInterface();

/** An argument of the given ABI type, for rendering every message once. */
function sample(param: ParamType): unknown {
  if (param.baseType === "address") return ZeroAddress;
  if (param.baseType === "bool") return true;
  if (param.baseType === "string") return "sample";
  if (param.baseType === "bytes32") return encodeBytes32String("H100");
  if (param.baseType.startsWith("uint") || param.baseType.startsWith("int")) return 1n;
  throw new Error(`no sample for ${param.type}`);
}

function errorFragments(): ErrorFragment[] {
  return Object.values(DECODED_ABIS).flatMap((abi) => new Interface(abi).fragments.filter((f): f is ErrorFragment => f.type === "error"));
}

describe("CLI: contract errors in plain language", function () {
  describe("the message table", function () {
    it("test_errorMessages_coverEveryErrorOfTheCalledContracts", function () {
      const missing = [...new Set(errorFragments().map((f) => f.name))].filter((name) => ERROR_MESSAGES[name] === undefined);
      expect(missing).to.deep.equal([]);
    });

    it("test_errorMessages_coverEveryErrorDeclaredInTheInterfaces", function () {
      const folder = join(PROJECT_ROOT, "contracts", "interfaces");
      const declared = readdirSync(folder)
        .filter((file) => file.endsWith(".sol"))
        .flatMap((file) => [...readFileSync(join(folder, file), "utf8").matchAll(/^\s*error\s+(\w+)\s*\(/gm)].map((m) => m[1]));
      expect(declared.length).to.be.greaterThan(60);
      expect(declared.filter((name) => ERROR_MESSAGES[name] === undefined)).to.deep.equal([]);
    });

    it("test_errorMessages_renderForEveryError", function () {
      for (const fragment of errorFragments()) {
        const data = new Interface([fragment]).encodeErrorResult(fragment, fragment.inputs.map(sample));
        const decoded = decodeRevert(data, { priceDecimals: 6, token: { symbol: "USDC", decimals: 6 }, now: 1n });
        expect(decoded?.name, fragment.format()).to.equal(fragment.name);
        expect(decoded?.message, fragment.format()).to.match(/\w/);
        expect(decoded?.message, fragment.format()).to.not.match(/undefined|NaN|\[object/);
      }
    });
  });

  describe("decodeRevert", function () {
    it("test_decodeRevert_invalidBidPriceInDollars", function () {
      const data = market.encodeErrorResult("MarketInvalidBidPrice", [1_950_000n, 1_800_000n]);
      const decoded = decodeRevert(data, { priceDecimals: 6 });
      expect(decoded?.name).to.equal("MarketInvalidBidPrice");
      expect(decoded?.args).to.deep.equal([1_950_000n, 1_800_000n]);
      expect(decoded?.message).to.equal(
        "A bid of $1.95 per GPU-hour is not allowed: it must be above zero and at most the job's maximum price of $1.80 per GPU-hour. Bid lower.",
      );
    });

    it("test_decodeRevert_invalidBidPriceWithoutDecimalsShowsUnits", function () {
      const decoded = decodeRevert(market.encodeErrorResult("MarketInvalidBidPrice", [2n, 1n]));
      expect(decoded?.message).to.contain("2 token units").and.contain("1 token units");
    });

    it("test_decodeRevert_registryErrorBubblingThroughTheMarket", function () {
      // commitBid reverts with the registry's error, which the market's ABI does not declare.
      const data = registry.encodeErrorResult("RegistryInsufficientGpus", [encodeBytes32String("H100"), 2, 4]);
      expect(market.parseError(data)).to.equal(null);
      expect(decodeRevert(data)?.message).to.equal(
        "Only 2 H100 GPUs are free (not leased), and the job needs 4: list more or wait for running jobs to end.",
      );
    });

    it("test_decodeRevert_grlAmountsInGrl", function () {
      const data = registry.encodeErrorResult("RegistryLockExceedsFree", [650n * 10n ** 18n, 250n * 10n ** 18n]);
      expect(decodeRevert(data)?.message).to.contain("650 GRL").and.contain("250 GRL free");
    });

    it("test_decodeRevert_creditsInDollars", function () {
      const data = settlement.encodeErrorResult("SettlementInsufficientCredits", [ZeroAddress, 5n * 10n ** 17n, 32n * 10n ** 17n]);
      expect(decodeRevert(data)?.message).to.contain("has $0.50 of credits and this needs $3.20");
    });

    it("test_decodeRevert_wrongStateNamesTheState", function () {
      const data = market.encodeErrorResult("MarketWrongState", [7n, 7n]);
      expect(decodeRevert(data)?.message).to.equal(
        "Job #7 is Settled, which does not allow this action: see `gridlease renter status 7`.",
      );
    });

    it("test_decodeRevert_sequencerErrorsSayWhatToWaitFor", function () {
      // They surface through the market and the settlement, whose ABIs do not declare them.
      const guard = SequencerGuardedOracle__factory.createInterface();
      const down = guard.encodeErrorResult("OracleSequencerDown", [1n, 1_000n]);
      expect(market.parseError(down)).to.equal(null);
      expect(decodeRevert(down)?.name).to.equal("OracleSequencerDown");
      expect(decodeRevert(down)?.message).to.contain("sequencer is down").and.contain("wait for the sequencer");
      const recovering = guard.encodeErrorResult("OracleSequencerRecovering", [1_000n, 3_600n, 2_000n]);
      expect(decodeRevert(recovering)?.message)
        .to.contain("refused for 3600 s")
        .and.contain("retry from 1970-01-01T01:16:41Z"); // 1,000 + 3,600 + 1: the first second that prices
      const unknown = guard.encodeErrorResult("OracleSequencerStatusUnknown", [0n]);
      expect(decodeRevert(unknown)?.message).to.contain("has not reported a status yet");
    });

    it("test_decodeRevert_enforcedPause", function () {
      const data = market.encodeErrorResult("EnforcedPause", []);
      expect(decodeRevert(data)?.message).to.contain("paused by the guardian");
    });

    it("test_decodeRevert_accessControlNamesTheRole", function () {
      const data = market.encodeErrorResult("AccessControlUnauthorizedAccount", [ZeroAddress, id("ARBITER_ROLE")]);
      expect(decodeRevert(data)?.message).to.contain("lacks the ARBITER_ROLE");
    });

    it("test_decodeRevert_requireString", function () {
      const data = id("Error(string)").slice(0, 10) + AbiCoder.defaultAbiCoder().encode(["string"], ["blacklisted"]).slice(2);
      expect(decodeRevert(data)?.message).to.equal("The transaction reverted: blacklisted.");
    });

    it("test_decodeRevert_panic", function () {
      const data = id("Panic(uint256)").slice(0, 10) + AbiCoder.defaultAbiCoder().encode(["uint256"], [0x11]).slice(2);
      expect(decodeRevert(data)?.message).to.contain("arithmetic overflow or underflow");
    });

    it("test_decodeRevert_unknownSelector", function () {
      expect(decodeRevert("0xdeadbeef")?.message).to.contain("selector 0xdeadbeef");
    });

    it("test_decodeRevert_emptyRevert", function () {
      expect(decodeRevert("0x")?.message).to.contain("without a reason");
    });

    it("test_decodeRevert_notHex", function () {
      expect(decodeRevert("revert")).to.equal(undefined);
    });
  });

  describe("describeError", function () {
    it("test_describeError_findsRevertDataNestedInAnEthersError", function () {
      const data = market.encodeErrorResult("MarketUnknownJob", [42n]);
      const error = { code: "UNKNOWN_ERROR", info: { error: { code: 3, message: "execution reverted", data } } };
      expect(revertDataOf(error)).to.equal(data);
      const report = describeError(error);
      expect(report.code).to.equal("CONTRACT_ERROR");
      expect(report.exitCode).to.equal(EXIT_FAILURE);
      expect(report.contractError).to.deep.equal({ name: "MarketUnknownJob", signature: "MarketUnknownJob(uint256)", args: ["42"] });
      expect(report.message).to.contain("There is no job #42");
    });

    it("test_describeError_keepsCliErrors", function () {
      const report = describeError(new CliError("INVALID_INPUT", "bad", { exitCode: EXIT_USAGE, details: { x: 1 } }));
      expect(report).to.deep.equal({ code: "INVALID_INPUT", message: "bad", exitCode: EXIT_USAGE, details: { x: 1 } });
    });

    it("test_describeError_insufficientFunds", function () {
      expect(describeError({ code: "INSUFFICIENT_FUNDS", message: "insufficient funds for gas" }).code).to.equal("INSUFFICIENT_FUNDS");
    });

    it("test_describeError_connectionRefused", function () {
      const error = Object.assign(new Error("fetch failed"), { cause: { code: "ECONNREFUSED", message: "connect ECONNREFUSED" } });
      const report = describeError(error);
      expect(report.code).to.equal("RPC_UNREACHABLE");
      expect(report.message).to.contain("GRIDLEASE_RPC_URL");
    });

    it("test_describeError_unexpected", function () {
      const report = describeError(new Error("boom"));
      expect(report).to.deep.equal({ code: "UNEXPECTED", message: "Unexpected error: boom", exitCode: EXIT_FAILURE });
    });
  });
});
