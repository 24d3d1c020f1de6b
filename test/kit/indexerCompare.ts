// Reading an indexer's published rows and comparing them with the ground truth (indexerTruth.ts):
// shared by test/indexer/indexer.test.ts (the scenario) and test/indexer/simulator.test.ts (the simulator).
import { expect } from "chai";

import type { IndexerProcess } from "../../indexer/harness/indexerProcess.ts";
import { HOUR, type Truth } from "./indexerTruth.ts";

export type Row = Record<string, string | number | null>;

/** All rows of a GraphQL list field, 200 at a time through the cursors. */
export async function allRows(indexer: IndexerProcess, field: string, selection: string, where = ""): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await indexer.graphql(
      `query Page($after: String) { ${field}(limit: 200, after: $after${where === "" ? "" : `, where: ${where}`}) {
        items { ${selection} } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    if (result.errors !== undefined) throw new Error(`${field}: ${result.errors[0]!.message}`);
    const page = result.data[field] as { items: Row[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    rows.push(...page.items);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

export const big = (value: string | number | null | undefined): bigint => BigInt(value ?? 0);

/**
 * Ratios are floats: equal to the exact quotient within 1e-12 (relative). Compared by hand because the
 * chai-matchers plugin that other test files load turns closeTo into a bigint comparison.
 */
export function expectRatio(actual: unknown, expected: number, what: string): void {
  const value = Number(actual);
  const tolerance = 1e-12 * Math.max(1, Math.abs(expected));
  expect(Math.abs(value - expected) <= tolerance, `${what}: ${value} vs ${expected}`).to.equal(true);
}

/**
 * Every network and token revenue row equals the pay events of its period (gross, fees, payouts, per
 * token and in USD), and every token with revenue has its rows. Returns the tokens seen.
 */
export async function expectRevenue(
  indexer: IndexerProcess,
  truth: Truth,
): Promise<{ networkRows: Row[]; tokens: Set<string> }> {
  const networkRows = await allRows(
    indexer,
    "networkMetrics",
    "period periodStart grossUsd feesUsd providerPayoutsUsd",
  );
  for (const row of networkRows) {
    const key = `${row.period}:${row.periodStart}`;
    expect(big(row.grossUsd), `gross ${key}`).to.equal(truth.grossUsd.get(key) ?? 0n);
    expect(big(row.feesUsd), `fees ${key}`).to.equal(truth.feesUsd.get(key) ?? 0n);
    expect(big(row.providerPayoutsUsd)).to.equal((truth.grossUsd.get(key) ?? 0n) - (truth.feesUsd.get(key) ?? 0n));
  }
  const tokenRows = await allRows(
    indexer,
    "tokenMetrics",
    "token period periodStart gross fees providerPayouts grossUsd feesUsd providerPayoutsUsd",
  );
  const seen = new Set<string>();
  const tokens = new Set<string>();
  for (const row of tokenRows) {
    const key = `${row.token}|${row.period}:${row.periodStart}`;
    seen.add(key);
    tokens.add(String(row.token));
    expect(big(row.gross), `gross ${key}`).to.equal(truth.tokenGross.get(key) ?? 0n);
    expect(big(row.fees), `fees ${key}`).to.equal(truth.tokenFees.get(key) ?? 0n);
    expect(big(row.grossUsd), `gross USD ${key}`).to.equal(truth.tokenGrossUsd.get(key) ?? 0n);
    expect(big(row.feesUsd), `fees USD ${key}`).to.equal(truth.tokenFeesUsd.get(key) ?? 0n);
    expect(big(row.providerPayouts)).to.equal(big(row.gross) - big(row.fees));
    expect(big(row.providerPayoutsUsd)).to.equal(big(row.grossUsd) - big(row.feesUsd));
  }
  for (const [key, value] of truth.tokenGross) if (value > 0n) expect(seen.has(key), key).to.equal(true);
  return { networkRows, tokens };
}

/** GRL minted and burned (and the net emission) of every network row equal the token's events. */
export async function expectSupply(indexer: IndexerProcess, truth: Truth): Promise<Row[]> {
  const rows = await allRows(
    indexer,
    "networkMetrics",
    "period periodStart grlMinted grlBurned netEmission totalSupply",
  );
  for (const row of rows) {
    const key = `${row.period}:${row.periodStart}`;
    const minted = truth.minted.get(key) ?? 0n;
    const burned = truth.burned.get(key) ?? 0n;
    expect(big(row.grlMinted), `minted ${key}`).to.equal(minted);
    expect(big(row.grlBurned), `burned ${key}`).to.equal(burned);
    expect(big(row.netEmission)).to.equal(minted - burned);
  }
  return rows;
}

/**
 * Leased and available GPU-seconds (and their ratio) of every network, model and provider row equal the
 * integrated lease events, every subject has a row for every hour from its first to `finalHour`, and each
 * network row counts as active (serving) the providers with available (leased) GPU-seconds in its period.
 */
export async function expectUtilization(indexer: IndexerProcess, truth: Truth, finalHour: bigint): Promise<void> {
  const selection = "period periodStart leasedGpuSeconds availableGpuSeconds utilization";
  const scopes: [string, string, string][] = [
    ["network", "networkMetrics", ""],
    ["model", "modelMetrics", "model"],
    ["provider", "providerMetrics", "provider"],
  ];
  for (const [scope, field, subjectField] of scopes) {
    const rows = await allRows(indexer, field, `${subjectField} ${selection}`);
    const hours = new Map<string, Set<bigint>>();
    for (const row of rows) {
      const subject = subjectField === "" ? "all" : String(row[subjectField]);
      const key = `${scope}|${subject}|${row.period}:${row.periodStart}`;
      const leased = truth.leased.get(key) ?? 0n;
      const available = truth.available.get(key) ?? 0n;
      expect(big(row.leasedGpuSeconds), `leased ${key}`).to.equal(leased);
      expect(big(row.availableGpuSeconds), `available ${key}`).to.equal(available);
      if (available === 0n) expect(row.utilization).to.equal(null);
      else expectRatio(row.utilization, Number(leased) / Number(available), `utilization ${key}`);
      if (row.period === "hour") {
        if (!hours.has(subject)) hours.set(subject, new Set());
        hours.get(subject)!.add(big(row.periodStart));
      }
    }
    if (scope === "network") {
      // Providers with GPU-seconds > 0 per period ("hour:1700000000"), from keys "provider|<address>|<period>".
      const perPeriod = (map: Map<string, bigint>) => {
        const counts = new Map<string, number>();
        for (const [key, seconds] of map) {
          if (!key.startsWith("provider|") || seconds === 0n) continue;
          const period = key.slice(key.lastIndexOf("|") + 1);
          counts.set(period, (counts.get(period) ?? 0) + 1);
        }
        return counts;
      };
      const active = perPeriod(truth.available);
      const serving = perPeriod(truth.leased);
      for (const row of await allRows(indexer, field, "period periodStart activeProviders servingProviders")) {
        const period = `${row.period}:${row.periodStart}`;
        expect(row.activeProviders, `active providers ${period}`).to.equal(active.get(period) ?? 0);
        expect(row.servingProviders, `serving providers ${period}`).to.equal(serving.get(period) ?? 0);
      }
    }
    // Every hour from the subject's first to the last closed one has a row, events or not.
    for (const [subjectKey, first] of truth.firstHour) {
      if (!subjectKey.startsWith(`${scope}|`)) continue;
      const subject = subjectKey.slice(scope.length + 1);
      for (let h = first; h < finalHour; h += HOUR) {
        expect(hours.get(subject)?.has(h), `${subjectKey} hour ${h}`).to.equal(true);
      }
    }
  }
}

/** Every model row's price index (min, max, mean, median, VWAP, reserve, discount) equals its awards. */
export async function expectPriceIndex(indexer: IndexerProcess, truth: Truth): Promise<void> {
  const rows = await allRows(
    indexer,
    "modelMetrics",
    "model period periodStart awards minPrice maxPrice meanPrice medianPrice vwapPrice sumReserve discountVsReserve",
  );
  let checked = 0;
  for (const row of rows) {
    const key = `${row.model}|${row.period}:${row.periodStart}`;
    const expected = truth.prices.get(key);
    if (expected === undefined) {
      expect(row.awards, key).to.equal(0);
      expect(row.medianPrice).to.equal(null);
      continue;
    }
    expect(row.awards, key).to.equal(expected.awards);
    expect(big(row.minPrice), `min ${key}`).to.equal(expected.min);
    expect(big(row.maxPrice), `max ${key}`).to.equal(expected.max);
    expect(big(row.meanPrice), `mean ${key}`).to.equal(expected.mean);
    expect(big(row.medianPrice), `median ${key}`).to.equal(expected.median);
    expect(big(row.vwapPrice), `vwap ${key}`).to.equal(expected.vwap);
    expect(big(row.sumReserve)).to.equal(expected.sumReserve);
    expectRatio(row.discountVsReserve, expected.discount, `discount ${key}`);
    checked++;
  }
  expect(checked).to.equal(truth.prices.size);
}

/** Unique, new and repeat renters, the repeat-customer rate and job outcome counts of every network row. */
export async function expectRenters(indexer: IndexerProcess, truth: Truth): Promise<void> {
  const rows = await allRows(
    indexer,
    "networkMetrics",
    "period periodStart uniqueRenters newRenters repeatRenters repeatCustomerRate jobsCompleted jobsFailed jobsDisputed",
  );
  for (const row of rows) {
    const key = `${row.period}:${row.periodStart}`;
    const expected = truth.renters.get(key) ?? { unique: 0, fresh: 0, repeat: 0 };
    expect([row.uniqueRenters, row.newRenters, row.repeatRenters], key).to.deep.equal([
      expected.unique,
      expected.fresh,
      expected.repeat,
    ]);
    if (expected.unique === 0) expect(row.repeatCustomerRate).to.equal(null);
    else expectRatio(row.repeatCustomerRate, expected.repeat / expected.unique, `repeat rate ${key}`);
    expect(big(row.jobsCompleted)).to.equal(truth.jobsCompleted.get(key) ?? 0n);
    expect(big(row.jobsFailed)).to.equal(truth.jobsFailed.get(key) ?? 0n);
    expect(big(row.jobsDisputed)).to.equal(truth.jobsDisputed.get(key) ?? 0n);
  }
}
