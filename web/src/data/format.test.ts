import { describe, expect, it } from "vitest";

import {
  countChange,
  formatCount,
  formatFixed,
  formatGpuHours,
  formatGrlAmount,
  formatPeriod,
  formatRatio,
  formatUsd18,
  formatUtc,
  ratioChange,
  shortHex,
  usdChange,
  usdNumber,
} from "./format.ts";

const USD = 10n ** 18n;

describe("format", () => {
  it("writes 18-decimal USD exactly, rounded half up, digits grouped", () => {
    expect(formatUsd18(1_234_567n * USD + USD / 2n)).toBe("$1,234,567.50");
    expect(formatUsd18(USD / 200n)).toBe("$0.01"); // half a cent rounds up
    expect(formatUsd18(USD / 200n - 1n)).toBe("$0.00");
    expect(formatUsd18(2_100_000_000_000_000_000n, 4)).toBe("$2.1000");
    expect(formatUsd18(-3n * USD)).toBe("-$3.00");
    expect(formatUsd18(0n)).toBe("$0.00");
  });

  it("writes GRL, counts, ratios and GPU-hours", () => {
    expect(formatGrlAmount(1_000_050n * 10n ** 17n)).toBe("100,005.0 GRL");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(-1234n)).toBe("-1,234");
    expect(formatRatio(0.4134)).toBe("41.3%");
    expect(formatRatio(null)).toBe("n/a");
    expect(formatGpuHours(5_400n)).toBe("1.5 GPU-h");
    expect(formatGpuHours(0n)).toBe("0.0 GPU-h");
    expect(formatFixed(999n, 3n, 0)).toBe("1");
  });

  it("writes times in UTC and periods for chart axes", () => {
    expect(formatUtc(1_767_225_600)).toBe("2026-01-01 00:00 UTC");
    expect(formatPeriod(1_767_225_600n, "day")).toBe("2026-01-01");
    expect(formatPeriod(1_767_225_600n + 13n * 3600n, "hour")).toBe("01-01 13h");
    expect(shortHex("0x5fbdb2315678afecb367f032d93f642f64180aa3")).toBe("0x5fbd…0aa3");
  });

  it("gives changes a sign and a direction", () => {
    expect(usdChange(12n * USD, 2n * USD)).toEqual({ text: "+$10.00", direction: "up" });
    expect(usdChange(2n * USD, 12n * USD)).toEqual({ text: "-$10.00", direction: "down" });
    expect(usdChange(USD, USD)).toEqual({ text: "$0.00", direction: "flat" });
    expect(ratioChange(0.5, 0.25)).toEqual({ text: "+25.0 pp", direction: "up" });
    expect(ratioChange(0.25, 0.2500001)).toEqual({ text: "0.0 pp", direction: "flat" });
    expect(ratioChange(null, 0.2)).toEqual({ text: "n/a", direction: "flat" });
    expect(countChange(3, 5)).toEqual({ text: "-2", direction: "down" });
  });

  it("turns USD into chart numbers to the micro-dollar", () => {
    expect(usdNumber(1_234_567_890_000_000_000n)).toBe(1.234567);
  });
});
