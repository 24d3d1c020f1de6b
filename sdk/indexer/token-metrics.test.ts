// tokenMetrics and paymentTokens against a real HTTP server executing the indexer's own GraphQL schema over
// canned rows (./test-server.ts).
import { afterEach, describe, expect, it } from "vitest";

import { CANNED, page } from "./canned.ts";
import { IndexerClient } from "./client.ts";
import { paymentTokens, tokenMetrics } from "./token-metrics.ts";
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

describe("revenue per payment token", () => {
  it("tokenMetrics: the cumulative row per token by default, in token units and USD", async () => {
    server = await startTestIndexer(() => ({ root: { tokenMetrics: page([USDC_ROW], 1, "t1") } }));
    const client = new IndexerClient({ url: server.url });
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

  it("paymentTokens: each token's decimals and whether it is the credits", async () => {
    server = await startTestIndexer(() => ({
      root: {
        paymentTokens: page(
          [{ address: CANNED.USDC, allowed: true, decimals: 6, isCredits: false, updatedAt: "1767139200" }],
          1,
          null,
        ),
      },
    }));
    const tokens = await paymentTokens(new IndexerClient({ url: server.url }));
    expect(tokens).toEqual([{ address: CANNED.USDC, allowed: true, decimals: 6, isCredits: false }]);
  });
});
