import { describe, expect, it } from "vitest";

import {
  AmountParseError,
  formatAmount,
  formatBps,
  formatDuration,
  formatGrl,
  formatTime,
  formatUsd,
  parseDecimal,
} from "./amounts.ts";

describe("parseDecimal", () => {
  it("is exact in token units", () => {
    expect(parseDecimal("1.80", 6)).toBe(1_800_000n);
    expect(parseDecimal("$0.000001", 6)).toBe(1n);
    expect(parseDecimal("0.3", 18)).toBe(300_000_000_000_000_000n);
    expect(parseDecimal("1_000", 18)).toBe(1_000n * 10n ** 18n);
    expect(parseDecimal(" 7 ", 0)).toBe(7n);
    expect(parseDecimal("79228162514264337593543950335", 0)).toBe(2n ** 96n - 1n);
  });

  it("accepts trailing zeros within the token's decimals, refuses more decimals than it has", () => {
    expect(parseDecimal("1.500000", 6)).toBe(1_500_000n);
    expect(() => parseDecimal("1.0000001", 6, { what: "--max-price", unit: "dollars" })).toThrow(
      '--max-price has 7 decimals but dollars has only 6: got "1.0000001".',
    );
    expect(() => parseDecimal("0.5", 0)).toThrow(/has 1 decimals but the token has only 0/);
  });

  it("refuses what is not a plain decimal", () => {
    for (const text of ["abc", "1e3", "-1", "+1", "", "1.", ".5", "1,5", "0x10", "1.2.3", "NaN", "Infinity"]) {
      expect(() => parseDecimal(text, 6), text).toThrow(AmountParseError);
    }
    expect(() => parseDecimal("abc", 6, { what: "The price", unit: "dollars" })).toThrow(
      'The price must be a decimal number of dollars such as 1.5, got "abc".',
    );
  });

  it("refuses zero unless allowed", () => {
    expect(() => parseDecimal("0.00", 6)).toThrow('The amount must be above zero, got "0.00".');
    expect(parseDecimal("0", 2, { allowZero: true })).toBe(0n);
  });
});

describe("formatting", () => {
  it("prints amounts without float rounding", () => {
    expect(formatAmount(1_500_000n, 6)).toBe("1.5");
    expect(formatAmount(2_000_000n, 6)).toBe("2");
    expect(formatAmount(1n, 18)).toBe("0.000000000000000001");
    expect(formatGrl(10n ** 18n * 5000n)).toBe("5000 GRL");
    expect(formatBps(250)).toBe("2.5%");
  });

  it("prints dollars with at least cents", () => {
    expect(formatUsd(1_800_000n, 6)).toBe("$1.80");
    expect(formatUsd(1_456_000n, 6)).toBe("$1.456");
    expect(formatUsd(0n, 18)).toBe("$0.00");
    expect(formatUsd(-125n, 6)).toBe("-$0.000125");
  });

  it("round-trips every parsed amount", () => {
    for (const text of ["1.8", "0.000001", "123456789.123456", "5"])
      expect(formatAmount(parseDecimal(text, 6), 6)).toBe(text);
  });

  it("prints durations and times", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(90_061n)).toBe("1d 1h 1m 1s");
    expect(formatTime(1_800_000_600n, 1_800_000_000n)).toBe("2027-01-15T08:10:00Z (in 10m)");
    expect(formatTime(1_800_000_000n, 1_800_003_661n)).toBe("2027-01-15T08:00:00Z (1h 1m 1s ago)");
    expect(formatTime(1_800_000_000n, 1_800_000_000n)).toBe("2027-01-15T08:00:00Z (now)");
  });
});
