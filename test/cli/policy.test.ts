import { expect } from "chai";

import { decide } from "../../cli/agent/decision.ts";
import { bidPrice, floorIn, parsePolicy } from "../../cli/agent/policy.ts";
import type { Context } from "../../cli/lib/context.ts";
import type { LoadedJob } from "../../cli/lib/jobs.ts";
import { CliError } from "../../cli/lib/errors.ts";

const FILE = "policy.json";

function invalid(raw: unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    parsePolicy(raw, FILE);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).to.be.instanceOf(CliError);
  expect((thrown as CliError).code).to.equal("INVALID_POLICY");
  expect((thrown as CliError).message).to.match(message);
}

describe("CLI: agent pricing policy", function () {
  describe("parsePolicy", function () {
    it("test_parsePolicy_defaults", function () {
      const policy = parsePolicy({ minPricePerGpuHour: { h100: "1.40" } }, FILE);
      expect([...policy.floors]).to.deep.equal([["H100", 1_400_000_000_000_000_000n]]);
      expect(policy.marginBelowReserveBps).to.equal(0n);
      expect([...policy.paymentTokens]).to.deep.equal(["usdc", "credits"]);
      expect(policy.acceptInstant).to.equal(true);
      expect(policy.autoStart).to.equal(true);
      expect(policy.fromBlock).to.equal("latest");
      expect(policy.maxActionsPerPoll).to.equal(10);
    });

    it("test_parsePolicy_rentersChecksummed", function () {
      const policy = parsePolicy(
        { minPricePerGpuHour: { H100: "1" }, renters: ["0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"] },
        FILE,
      );
      expect([...(policy.renters ?? [])]).to.deep.equal(["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"]);
      expect(parsePolicy({ minPricePerGpuHour: { H100: "1" } }, FILE).renters).to.equal(undefined);
    });

    it("test_parsePolicy_rejectsMalformedRenters", function () {
      for (const renters of [[], ["0x1234"], "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", [42]])
        invalid({ minPricePerGpuHour: { H100: "1" }, renters }, /"renters" must list one or more renter addresses/);
    });

    it("test_parsePolicy_rejectsUnknownModel", function () {
      invalid({ minPricePerGpuHour: { B200: "2" } }, /unknown GPU model "B200"/);
    });

    it("test_parsePolicy_rejectsNonNumericFloor", function () {
      invalid({ minPricePerGpuHour: { H100: "cheap" } }, /the floor of H100 must be a decimal number/);
    });

    it("test_parsePolicy_rejectsUnknownSetting", function () {
      invalid({ minPricePerGpuHour: { H100: "1" }, maxGpu: 2 }, /unknown setting "maxGpu"/);
    });

    it("test_parsePolicy_rejectsOutOfRangeMargin", function () {
      invalid(
        { minPricePerGpuHour: { H100: "1" }, marginBelowReserveBps: 10_000 },
        /"marginBelowReserveBps" must be a whole number from 0 to 9999/,
      );
    });

    it("test_parsePolicy_rejectsUnknownPaymentToken", function () {
      invalid(
        { minPricePerGpuHour: { H100: "1" }, paymentTokens: ["dai"] },
        /"paymentTokens" must list one or more of usdc, credits/,
      );
    });

    it("test_parsePolicy_rejectsEmptyFloors", function () {
      invalid({ minPricePerGpuHour: {} }, /must map at least one GPU model/);
    });
  });

  describe("prices", function () {
    const policy = parsePolicy({ minPricePerGpuHour: { H100: "1.2000005" }, marginBelowReserveBps: 1_000 }, FILE);

    it("test_floorIn_roundsUpToTheTokenUnit", function () {
      // A floor is never undercut: $1.2000005 in 6-decimal USDC is $1.200001.
      expect(floorIn(policy, "H100", 6)).to.equal(1_200_001n);
      expect(floorIn(policy, "H100", 18)).to.equal(1_200_000_500_000_000_000n);
      expect(floorIn(policy, "A100", 6)).to.equal(undefined);
    });

    it("test_bidPrice_marginBelowReserve", function () {
      expect(bidPrice(policy, 2_000_000n, 1_200_001n)).to.equal(1_800_000n);
    });

    it("test_bidPrice_raisedToTheFloor", function () {
      expect(bidPrice(policy, 1_300_000n, 1_200_001n)).to.equal(1_200_001n);
    });

    it("test_bidPrice_noneWhenTheReserveIsBelowTheFloor", function () {
      expect(bidPrice(policy, 1_200_000n, 1_200_001n)).to.equal(undefined);
    });
  });

  describe("decide", function () {
    it("test_decide_skipsAJobOfARenterOutsideThePolicysRenters", async function () {
      const policy = parsePolicy(
        { minPricePerGpuHour: { H100: "1" }, renters: ["0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"] },
        FILE,
      );
      const stranger = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
      const loaded = { jobId: 1n, job: { renter: stranger }, state: "Bidding" } as unknown as LoadedJob;
      // Refused on the policy alone: nothing of the chain is read (the context is never touched).
      expect(await decide({} as Context, policy, stranger, loaded)).to.deep.equal({
        action: "skip",
        reason: `its renter ${stranger} is not one of the policy's renters`,
      });
    });
  });
});
