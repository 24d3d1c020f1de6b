import { expect } from "chai";

import type { RunSummary } from "../../scripts/sim/engine.js";
import { dayLine, rates } from "../../scripts/sim/report.js";
import { emptyFigures, type DayReport } from "../../scripts/sim/stats.js";

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
    const summary = { daysReported: [day(0, 1000, 38_000, 33_000), day(1, 1000, 7_000, 2_000)], activeDays: 2, fullSpeedDays: 2 } as RunSummary;
    // 2,000 transactions in 10 s of the simulator's own work: the 35 s held for the indexer are left out.
    expect(rates(summary)).to.deep.equal({ jobsPerDay: 100, wallSecondsPerDay: 5, txPerSecond: 200 });
  });
});
