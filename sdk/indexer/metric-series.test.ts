// tokenMetrics and paymentTokens against a real HTTP server executing the indexer's own GraphQL schema over
// canned rows (./test-server.ts). Generous timeouts: the first request builds the schema, slow on a busy machine.
import { afterEach, describe, expect, it } from "vitest";

import { CANNED, page } from "./canned.ts";
import { IndexerClient } from "./client.ts";
import { providerMetricSeries } from "./provider-metrics.ts";
import { tokenMetrics, tokenRevenue } from "./token-metrics.ts";
import { startTestIndexer, type TestIndexer } from "./test-server.ts";

let server: TestIndexer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const USDC_ROW = {
  token: CANNED.USDC,
  period: "all",
  periodStart: "0",
  gross: "16800000",
  providerPayouts: "16464000",
  fees: "336000",
  grossUsd: "16800000000000000000",
  providerPayoutsUsd: "16464000000000000000",
  feesUsd: "336000000000000000",
  payouts: 4,
  jobsCreated: 7,
  escrowed: "20000000",
};

describe("revenue per payment token", { timeout: 90_000 }, () => {
  it("tokenMetrics: the cumulative row per token by default, in token units and USD", async () => {
    server = await startTestIndexer(() => ({ root: { tokenMetrics: page([USDC_ROW], 1, "t1") } }));
    const client = new IndexerClient({ url: server.url, timeoutMs: 60_000 });
    const rows = await tokenMetrics(client, { limit: 10 });
    expect(server.requests[0]!.variables).toEqual({ where: { period: "all" }, limit: 10, after: null });
    expect(rows.items[0]).toMatchObject({
      token: CANNED.USDC,
      gross: 16_800_000n,
      fees: 336_000n,
      grossUsd: 16_800_000_000_000_000_000n,
      payouts: 4,
    });
  });

  it("tokenRevenue: each token's cumulative row joined with its decimals and kind, in one request", async () => {
    server = await startTestIndexer(() => ({
      root: {
        tokenMetrics: page([USDC_ROW], 1, null),
        paymentTokens: page(
          [{ address: CANNED.USDC, allowed: true, decimals: 6, isCredits: false, updatedAt: "1767139200" }],
          1,
          null,
        ),
      },
    }));
    const rows = await tokenRevenue(new IndexerClient({ url: server.url, timeoutMs: 60_000 }));
    expect(server.requests).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ gross: 16_800_000n, tokenInfo: { decimals: 6, isCredits: false } });
  });
});

describe("a provider's history", { timeout: 90_000 }, () => {
  it("providerMetricSeries: the provider's daily rows (address in lower case), newest first", async () => {
    const row = {
      provider: CANNED.PROVIDER.toLowerCase(),
      period: "day",
      periodStart: "1767139200",
      leasedGpuSeconds: "3600",
      availableGpuSeconds: "7200",
      utilization: 0.5,
      grossUsd: "4000000000000000000",
      feesUsd: "80000000000000000",
      jobsWon: 2,
      jobsSettled: 1,
      jobsFailed: 0,
      disputesLost: 0,
      slashed: "0",
    };
    server = await startTestIndexer(() => ({ root: { providerMetrics: page([row], 1, "p1") } }));
    const series = await providerMetricSeries(
      new IndexerClient({ url: server.url, timeoutMs: 60_000 }),
      CANNED.PROVIDER,
      { limit: 30 },
    );
    expect(server.requests[0]!.variables).toEqual({
      where: { provider: CANNED.PROVIDER.toLowerCase(), period: "day" },
      limit: 30,
      after: null,
    });
    expect(series.items[0]).toMatchObject({ periodStart: 1_767_139_200n, grossUsd: 4n * 10n ** 18n, utilization: 0.5 });
  });
});
