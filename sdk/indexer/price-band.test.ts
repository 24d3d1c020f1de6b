import { describe, expect, it } from "vitest";

import { priceBand } from "./price-band.ts";

const USD = 10n ** 18n;
const job = (price: bigint | null, gpuCount: number, hours: bigint) => ({
  clearingPriceUsd: price,
  gpuCount,
  duration: hours * 3600n,
});

describe("priceBand", () => {
  it("is empty without awards", () => {
    expect(priceBand([job(null, 1, 1n)])).toEqual({ awards: 0, min: null, median: null, vwap: null, max: null });
  });

  it("takes the middle price of an odd count and weights the mean by GPU-seconds", () => {
    const band = priceBand([job(3n * USD, 1, 1n), job(1n * USD, 3, 1n), job(2n * USD, 1, 1n)]);
    // (3 * 1 + 1 * 3 + 2 * 1) / 5 GPU-hours = 1.6
    expect(band).toEqual({ awards: 3, min: USD, median: 2n * USD, vwap: (16n * USD) / 10n, max: 3n * USD });
  });

  it("floors the mean of the two middle prices of an even count, as the indexer does", () => {
    const band = priceBand([job(1n, 1, 1n), job(2n, 1, 1n), job(5n, 1, 1n), job(9n, 1, 1n)]);
    expect(band.median).toBe(3n);
    expect(band.vwap).toBe(4n); // 17 / 4, floored
  });
});
