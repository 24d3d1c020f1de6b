// Human-readable and JSON renderings of the simulator's day reports and run summary.
import { formatUnits } from "ethers";

import type { AdversaryReport } from "./adversaries/index.ts";
import type { FirstSettle, RunSummary } from "./engine.ts";
import { utilisation, type DayReport, type Figures } from "./stats.ts";

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
    `${(report.wallMs / 1000).toFixed(1)} s` +
      (report.heldMs >= 100 ? ` (${(report.heldMs / 1000).toFixed(1)} s of it waiting for the indexer)` : ""),
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

/**
 * An 18-decimal amount rounded to `decimals` places, with thousands separators: exact figures, shown
 * to the cent, or to the millionth under one (the farmer's dust trades live there).
 */
export function fixed18(amount: bigint, decimals?: number): string {
  if (amount === 0n) return "0";
  const sign = amount < 0n ? "-" : "";
  const abs = amount < 0n ? -amount : amount;
  const places = decimals ?? (abs >= 10n ** 18n ? 2 : 6);
  const unit = 10n ** BigInt(18 - places);
  const rounded = (abs + unit / 2n) / unit;
  // Too small to show at that precision, yet not zero (a wash trade's rounding loss): every digit.
  if (rounded === 0n) return sign + formatUnits(abs, 18);
  const whole = (rounded / 10n ** BigInt(places)).toLocaleString("en-US");
  const fraction = places === 0 ? "" : "." + (rounded % 10n ** BigInt(places)).toString().padStart(places, "0");
  return `${sign}${whole}${fraction}`;
}

const dollars = (amount: bigint | undefined) =>
  amount === undefined ? "n/a" : amount < 0n ? `-$${fixed18(-amount)}` : `$${fixed18(amount)}`;
const gas = (used: bigint, txs: number) => `gas ${(Number(used) / 1e6).toFixed(1)}M in ${txs} tx`;

/** The adversaries' closing lines: each attack's cost, gain and net profit next to the honest market's. */
export function adversaryLines(report: AdversaryReport): string[] {
  const h = report.honest;
  const honestProfit = `median honest provider ${dollars(h.medianProviderProfitUsd)}`;
  const lines = [
    "adversaries (exact, from the chain's events: USD kept to 18 decimals and shown rounded; GRL valued at the oracle price " +
      "of the block that moved it; gas counted, not priced)",
  ];
  const f = report.farmer;
  if (f !== undefined) {
    lines.push(
      `farmer: ${f.jobs} self-dealt jobs (${f.settled} settled) asked for ${f.claimedGpuSeconds.toLocaleString("en-US")} GPU-s, ` +
        `${f.recordedGpuSeconds.toLocaleString("en-US")} recorded; fees paid ${dollars(f.feesUsd)}, emissions ${fixed18(f.emissionGrl)} GRL = ` +
        `${dollars(f.emissionUsd)} from ${f.epochsClaimed} of ${f.epochsRecorded} epochs (share before the fee cap ${fixed18(f.shareGrl)} GRL = ` +
        `${dollars(f.shareUsd)}); net ${dollars(f.netUsd)} (${honestProfit}); reputation ${f.reputationStart} -> ${f.reputationEnd}; ` +
        gas(f.gasUsed, f.txs),
    );
  }
  const q = report.squatter;
  if (q !== undefined) {
    lines.push(
      `squatter: ${q.sybils} sybils filled ${q.auctionsSquatted} auctions with ${q.sealedBids} sealed bids, turning away ` +
        `${q.honestBidsTurnedAway} honest bids; ${q.cancelledByRenter} cancelled by their renters; won ${q.jobsWon} ` +
        `(${q.jobsWonAtReserve} at the reserve); stake lost ${fixed18(q.stakeLostGrl)} GRL; net ${dollars(q.netUsd)} ` +
        `(${honestProfit}); ${gas(q.gasUsed, q.txs)}`,
    );
  }
  const s = report.shill;
  if (s !== undefined) {
    lines.push(
      `shill: ${s.sybils} sybils on ${s.jobs} second-price jobs (${s.awarded} awarded to honest bidders, ${s.expired} expired): ` +
        `${s.sybilBids} sybil bids, ${s.sybilReveals} revealed, ${s.bondsForfeited} bonds burned (${fixed18(s.bondsBurnedGrl)} GRL = ` +
        `${dollars(s.bondsBurnedUsd)}); saved ${dollars(s.savedUsd)} vs the honest second price; net ${dollars(s.netUsd)}; ` +
        `paid ${dollars(s.paidUsd)}, median spread over the winner's bid ${dollars(s.medianSpreadUsd)} ` +
        `(honest renters: ${dollars(h.medianSecondPriceSpreadUsd)}); ${gas(s.gasUsed, s.txs)}`,
    );
  }
  lines.push(
    `honest: ${honestProfit} over ${h.providers} providers (pay net of fees, plus emissions, less stake lost); ` +
      `${h.secondPriceJobs} second-price jobs: median ${dollars(h.medianSecondPriceJobUsd)}, median spread over the winner's bid ` +
      dollars(h.medianSecondPriceSpreadUsd),
  );
  return lines;
}

/** JSON-safe copies (bigints as decimal strings). */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}
