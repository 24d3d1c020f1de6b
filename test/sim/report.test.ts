import { expect } from "chai";

import type { RunSummary } from "../../simulator/engine.ts";
import { dayLine, fixed18, rates } from "../../simulator/report.ts";
import { emptyFigures, type DayReport } from "../../simulator/stats.ts";

function day(index: number, txs: number, wallMs: number, heldMs: number): DayReport {
  return { day: index, figures: { ...emptyFigures(), txs, jobsCreated: 100 }, grlPriceUsd: 0.5, wallMs, heldMs };
}

describe("Market simulator: report", function () {
  it("test_dayLine_saysHowLongTheIndexerHeldTheMarket", function () {
    expect(dayLine(day(0, 1000, 38_300, 32_600))).to.match(/\| 38\.3 s \(32\.6 s of it waiting for the indexer\)$/);
    // Status reads that found the indexer keeping up are not worth a mention.
    expect(dayLine(day(0, 1000, 6_000, 40))).to.match(/\| 6\.0 s$/);
  });

  it("test_rates_countTheSimulatorsOwnTimeOnly", function () {
    const summary = {
      daysReported: [day(0, 1000, 38_000, 33_000), day(1, 1000, 7_000, 2_000)],
      activeDays: 2,
      fullSpeedDays: 2,
    } as RunSummary;
    // 2,000 transactions in 10 s of the simulator's own work: the 35 s held for the indexer are left out.
    expect(rates(summary)).to.deep.equal({ jobsPerDay: 100, wallSecondsPerDay: 5, txPerSecond: 200 });
  });

  it("test_fixed18_roundsToTheCent_orTheMillionthUnderOne_andShowsDustInFull", function () {
    const WAD = 10n ** 18n;
    expect(fixed18(1_234_567n * WAD + 994n * 10n ** 15n)).to.equal("1,234,567.99");
    expect(fixed18(-1_752n * 10n ** 12n)).to.equal("-0.001752");
    expect(fixed18(-2n)).to.equal("-0.000000000000000002");
    expect(fixed18(0n)).to.equal("0");
    expect(fixed18(5n * WAD, 0)).to.equal("5");
  });
});
