// How the CLI reports a failure: the code, exit status and message of describeError for a contract's
// revert (decoded by the SDK, whose own tests are sdk/errors/decode.test.ts), its own errors, the
// network and the unexpected.
import { expect } from "chai";
import { Interface, type InterfaceAbi } from "ethers";

import { JobMarketAbi, revertDataOf } from "../../sdk/index.ts";
import { CliError, describeError, EXIT_FAILURE, EXIT_USAGE } from "../../cli/lib/errors.ts";

const market = new Interface(JobMarketAbi as unknown as InterfaceAbi);

describe("CLI: how failures are reported", function () {
  describe("describeError", function () {
    it("test_describeError_findsRevertDataNestedInAnEthersError", function () {
      const data = market.encodeErrorResult("MarketUnknownJob", [42n]);
      const error = { code: "UNKNOWN_ERROR", info: { error: { code: 3, message: "execution reverted", data } } };
      expect(revertDataOf(error)).to.equal(data);
      const report = describeError(error);
      expect(report.code).to.equal("CONTRACT_ERROR");
      expect(report.exitCode).to.equal(EXIT_FAILURE);
      expect(report.contractError).to.deep.equal({
        name: "MarketUnknownJob",
        signature: "MarketUnknownJob(uint256)",
        args: ["42"],
      });
      expect(report.message).to.contain("There is no job #42");
    });

    it("test_describeError_keepsCliErrors", function () {
      const report = describeError(new CliError("INVALID_INPUT", "bad", { exitCode: EXIT_USAGE, details: { x: 1 } }));
      expect(report).to.deep.equal({ code: "INVALID_INPUT", message: "bad", exitCode: EXIT_USAGE, details: { x: 1 } });
    });

    it("test_describeError_insufficientFunds", function () {
      expect(describeError({ code: "INSUFFICIENT_FUNDS", message: "insufficient funds for gas" }).code).to.equal(
        "INSUFFICIENT_FUNDS",
      );
    });

    it("test_describeError_connectionRefused", function () {
      const error = Object.assign(new Error("fetch failed"), {
        cause: { code: "ECONNREFUSED", message: "connect ECONNREFUSED" },
      });
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
