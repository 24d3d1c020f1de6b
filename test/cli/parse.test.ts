import { expect } from "chai";
import { encodeBytes32String } from "ethers";

import {
  parseAddress,
  parseAmount,
  parseBytes32,
  parseChoice,
  parseDollars,
  parseDuration,
  parseGpuModel,
  parseGrl,
  parseHours,
  parseInteger,
  parseJobId,
  parseTflopsX100,
} from "../../cli/lib/parse.ts";
import { CliError, EXIT_USAGE } from "../../cli/lib/errors.ts";
import { formatDuration, formatTime, formatUsd } from "../../sdk/index.ts";
import { toJson } from "../../cli/lib/output.ts";

function rejects(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).to.be.instanceOf(CliError);
  expect((thrown as CliError).code).to.equal("INVALID_INPUT");
  expect((thrown as CliError).exitCode).to.equal(EXIT_USAGE);
  expect((thrown as CliError).message).to.match(message);
}

describe("CLI: input parsing", function () {
  describe("amounts", function () {
    it("test_parseDollars_exactInTokenUnits", function () {
      expect(parseDollars("1.80", 6, "--max-price")).to.equal(1_800_000n);
      expect(parseDollars("$0.000001", 6, "--max-price")).to.equal(1n);
      // 0.1 + 0.2 style inputs stay exact: no floating point on the way.
      expect(parseDollars("0.3", 18, "--max-price")).to.equal(300_000_000_000_000_000n);
    });

    it("test_parseDollars_rejectsMoreDecimalsThanTheToken", function () {
      rejects(() => parseDollars("1.0000001", 6, "--max-price"), /--max-price has 7 decimals but dollars has only 6/);
    });

    it("test_parseDollars_rejectsNonNumeric", function () {
      rejects(
        () => parseDollars("abc", 6, "The price"),
        /The price must be a decimal number of dollars such as 1.5, got "abc"/,
      );
      rejects(() => parseDollars("1e3", 6, "The price"), /decimal number/);
      rejects(() => parseDollars("-1", 6, "The price"), /decimal number/);
      rejects(() => parseDollars("", 6, "The price"), /decimal number/);
    });

    it("test_parseDollars_rejectsZeroUnlessAllowed", function () {
      rejects(() => parseDollars("0.00", 6, "The price"), /must be above zero/);
      expect(parseAmount("0", 2, "--slippage", { allowZero: true })).to.equal(0n);
    });

    it("test_parseGrl_eighteenDecimals", function () {
      expect(parseGrl("250.5", "The stake")).to.equal(250_500_000_000_000_000_000n);
      expect(parseGrl("1_000", "The stake")).to.equal(1_000n * 10n ** 18n);
    });

    it("test_parseTflopsX100_hundredths", function () {
      expect(parseTflopsX100("82.6")).to.equal(8260n);
      rejects(() => parseTflopsX100("82.605"), /has 3 decimals/);
    });
  });

  describe("integers, ids, times", function () {
    it("test_parseInteger_withinBounds", function () {
      expect(parseInteger("1024", "--count", 1n, 1024n)).to.equal(1024n);
      rejects(() => parseInteger("1025", "--count", 1n, 1024n), /--count must be between 1 and 1024, got 1025/);
      rejects(() => parseInteger("1.5", "--count", 1n, 1024n), /whole number/);
    });

    it("test_parseJobId_fromOne", function () {
      expect(parseJobId("#12")).to.equal(12n);
      rejects(() => parseJobId("0"), /job id must be a whole number from 1/);
      rejects(() => parseJobId("x"), /job id/);
    });

    it("test_parseHours_exactSeconds", function () {
      expect(parseHours("2", "--hours")).to.equal(7_200n);
      expect(parseHours("0.5", "--hours")).to.equal(1_800n);
      expect(parseHours("0.25", "--hours")).to.equal(900n);
      rejects(() => parseHours("0.0001", "--hours"), /whole number of seconds/);
    });

    it("test_parseDuration_units", function () {
      expect(parseDuration("90", "--bid-window")).to.equal(90n);
      expect(parseDuration("90s", "--bid-window")).to.equal(90n);
      expect(parseDuration("10m", "--bid-window")).to.equal(600n);
      expect(parseDuration("2h", "--bid-window")).to.equal(7_200n);
      expect(parseDuration("1d", "--bid-window")).to.equal(86_400n);
      rejects(
        () => parseDuration("ten minutes", "--bid-window"),
        /--bid-window must be a duration such as 90s, 10m, 2h or 1d/,
      );
    });
  });

  describe("names and hex", function () {
    it("test_parseGpuModel_caseInsensitiveCatalogueName", function () {
      const { id, spec } = parseGpuModel("rtx4090");
      expect(id).to.equal(encodeBytes32String("RTX4090"));
      expect(spec).to.deep.equal({ name: "RTX4090", vramGb: 24, tflops: 82.6 });
    });

    it("test_parseGpuModel_rejectsUnknownModel", function () {
      rejects(() => parseGpuModel("B200"), /^Unknown GPU model "B200": use one of H200, H100, A100, L40S, RTX4090\.$/);
    });

    it("test_parseAddress_checksums", function () {
      expect(parseAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "--to")).to.equal(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      );
      rejects(() => parseAddress("0x1234", "--to"), /--to must be an address/);
    });

    it("test_parseBytes32_exactLength", function () {
      expect(parseBytes32(`0x${"ab".repeat(32)}`, "--hash")).to.equal(`0x${"ab".repeat(32)}`);
      rejects(() => parseBytes32("0xab", "--hash"), /--hash must be 0x followed by 64 hex digits/);
    });

    it("test_parseChoice_listsTheChoices", function () {
      expect(parseChoice("Instant", ["first", "second", "instant"] as const, "--rule")).to.equal("instant");
      rejects(
        () => parseChoice("dutch", ["first", "second", "instant"] as const, "--rule"),
        /--rule must be one of first, second, instant, got "dutch"/,
      );
    });
  });

  describe("output formats", function () {
    it("test_formatUsd_centsAtLeast", function () {
      expect(formatUsd(1_800_000n, 6)).to.equal("$1.80");
      expect(formatUsd(1_456_000n, 6)).to.equal("$1.456");
      expect(formatUsd(0n, 18)).to.equal("$0.00");
    });

    it("test_formatTime_relativeToChainClock", function () {
      expect(formatTime(1_800_000_600n, 1_800_000_000n)).to.equal("2027-01-15T08:10:00Z (in 10m)");
      expect(formatTime(1_800_000_000n, 1_800_003_661n)).to.equal("2027-01-15T08:00:00Z (1h 1m 1s ago)");
      expect(formatDuration(0)).to.equal("0s");
    });

    it("test_toJson_bigintsAsStrings", function () {
      expect(toJson({ a: 2n ** 96n, b: [1n] })).to.equal('{"a":"79228162514264337593543950336","b":["1"]}');
    });
  });
});
