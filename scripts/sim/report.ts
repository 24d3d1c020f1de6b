// Human-readable and JSON renderings of the simulator's day reports and run summary.
import { formatUnits } from "ethers";

import type { FirstSettle, RunSummary } from "./engine.js";
import { utilisation, type DayReport, type Figures } from "./stats.js";

const usd = (n: number) => `$${n.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
const grl = (wei: bigint) => Number(formatUnits(wei, 18)).toLocaleString("en-US", { maximumFractionDigits: 0 });
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function failed(f: Figures): number {
  return f.failedNoShow + f.failedLate;
}

/** One line per simulated day. */
export function dayLine(report: DayReport): string {
  const f = report.figures;
  return [
    `day ${String(report.day + 1).padStart(3)}`,
    `${String(f.jobsCreated).padStart(3)} jobs (${f.instantJobs} instant, ${f.creditJobs} in credits)`,
    `${f.settled} settled, ${failed(f)} failed, ${f.expired} expired, ${f.cancelled} cancelled, ${f.stopped} stopped, ${f.disputed} disputed`,
    `${usd(f.volumeUsd)} paid`,
    `util ${pct(utilisation(f))}`,
    `GRL $${report.grlPriceUsd.toFixed(3)}`,
    `burned ${grl(f.grlBurned)}, minted ${grl(f.grlMinted)} GRL`,
    `${(report.wallMs / 1000).toFixed(1)} s` + (report.heldMs >= 100 ? ` (${(report.heldMs / 1000).toFixed(1)} s of it waiting for the indexer)` : ""),
  ].join(" | ");
}

export function firstSettleLine(info: FirstSettle, sinceLaunchMs?: number): string {
  const launch = sinceLaunchMs === undefined ? "" : `, ${(sinceLaunchMs / 1000).toFixed(1)} s after launch`;
  return (
    `first job settled: #${info.jobId} after ${(info.simSeconds / 3600).toFixed(1)} simulated hours ` +
    `(${(info.wallMs / 1000).toFixed(1)} s of simulation${launch})`
  );
}

/**
 * Jobs per simulated day over the full days on which jobs were posted (drain days and a day cut short
 * by Ctrl-C excluded); wall-clock seconds per simulated day and transactions per second over the days
 * simulated at full speed (a paced run waits on purpose), less the time the market was held for the
 * indexer.
 */
export function rates(summary: RunSummary): { jobsPerDay: number; wallSecondsPerDay: number; txPerSecond: number } {
  const active = summary.daysReported.slice(0, summary.activeDays);
  const fast = summary.daysReported.slice(0, Math.min(summary.activeDays, summary.fullSpeedDays));
  const txs = fast.reduce((sum, d) => sum + d.figures.txs, 0);
  // The simulator's own speed: time the market was held for the indexer is not its work.
  const wall = fast.reduce((sum, d) => sum + d.wallMs - d.heldMs, 0) / 1000;
  return {
    jobsPerDay: active.reduce((sum, d) => sum + d.figures.jobsCreated, 0) / Math.max(1, active.length),
    wallSecondsPerDay: wall / Math.max(1, fast.length),
    txPerSecond: wall === 0 ? 0 : txs / wall,
  };
}

/** The closing summary, several lines. */
export function summaryLines(summary: RunSummary): string[] {
  const t = summary.totals;
  const r = rates(summary);
  const reverts = Object.entries(summary.revertsByError)
    .map(([name, count]) => `${name} x${count}`)
    .join(", ");
  return [
    `simulated ${summary.days} days (${summary.activeDays} with new jobs), seed ${summary.seed}, ` +
      `${summary.providers} providers, ${summary.renters} renters, wall ${(summary.wallMs / 1000).toFixed(1)} s ` +
      `(set-up ${(summary.setupWallMs / 1000).toFixed(1)} s)`,
    `jobs: ${t.jobsCreated} posted (${t.instantJobs} instant, ${t.creditJobs} in credits), ${t.awarded} awarded, ` +
      `${t.settled} settled, ${t.expired} expired, ${t.cancelled} cancelled, ${t.stopped} stopped, ` +
      `${t.failedNoShow} no-shows, ${t.failedLate} late`,
    `disputes: ${t.disputed} (${t.disputesWonByRenter} won by the renter, ${t.disputesWonByProvider} by the provider, ` +
      `${t.disputeTimeouts} timed out); bids ${t.bidsCommitted} committed, ${t.bidsRevealed} revealed, ` +
      `${t.bondsForfeited} bonds forfeited`,
    `money: ${usd(t.volumeUsd)} paid to providers, ${usd(t.feesUsd)} fees, ${usd(t.creditsBoughtUsd)} credits bought; ` +
      `GRL burned ${grl(t.grlBurned)}, minted ${grl(t.grlMinted)} (emissions ${grl(t.grlEmitted)}, ` +
      `queued by the cap ${grl(t.grlQueued)}); GRL now $${summary.grlPriceUsd.toFixed(3)}`,
    `throughput: ${r.jobsPerDay.toFixed(0)} jobs per simulated day, ${r.wallSecondsPerDay.toFixed(2)} s wall per day ` +
      `at full speed, ` +
      `${r.txPerSecond.toFixed(0)} tx/s; utilisation ${pct(utilisation(t))}; ${t.txs} transactions, ${t.reverts} reverted` +
      (reverts === "" ? "" : ` (${reverts})`),
  ];
}

/** JSON-safe copies (bigints as decimal strings). */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}
