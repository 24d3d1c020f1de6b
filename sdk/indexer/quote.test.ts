// The pre-check of a job request against the indexer's real GraphQL schema over canned rows.
import { afterEach, describe, expect, it } from "vitest";

import { CANNED, DISPUTED_JOB, page, PROVIDER_ROW } from "./canned.ts";
import { IndexerClient } from "./client.ts";
import { quoteJob, QuoteRequestError, type JobQuoteRequest } from "./quote.ts";
import { startTestIndexer, type TestIndexer } from "./test-server.ts";

const USD = 10n ** 18n;
const NOW = 1_767_230_000n;
const OFFLINE = "0x00000000000000000000000000000000000000aa";

let server: TestIndexer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** An indexer with the provider's H100 line (8 listed, 2 leased), an offline provider's line, and job 7 awarded at $2.10. */
async function client(): Promise<IndexerClient> {
  server = await startTestIndexer((request) =>
    request.query?.includes("QuoteCapacity") === true
      ? {
          root: {
            gpuLines: page(
              [
                { provider: CANNED.PROVIDER, count: 8, leased: 2, vramGb: 80, listed: true },
                { provider: OFFLINE, count: 4, leased: 0, vramGb: 80, listed: true },
              ],
              2,
              "l2",
            ),
            providers: page([PROVIDER_ROW, { ...PROVIDER_ROW, address: OFFLINE, online: false }], 2, "p2"),
          },
        }
      : { root: { jobs: page([DISPUTED_JOB], 1, "j1") } },
  );
  return new IndexerClient({ url: server.url });
}

const REQUEST: JobQuoteRequest = { model: "H100", gpus: 2, durationSeconds: 3_600n, now: NOW };

describe("quoteJob", () => {
  it("test_quoteJob_countsEligibleProvidersFreeGpusAndTheRecentBand", async () => {
    const quote = await quoteJob(await client(), { ...REQUEST, maxPricePerGpuHour: 3n * USD });
    expect(quote).toMatchObject({ model: "H100", eligibleProviders: 1, freeGpus: 6, listedGpus: 12, warnings: [] });
    expect(quote.bands[0]).toMatchObject({ days: 7, awards: 1, median: 2_100_000_000_000_000_000n, truncated: false });
    expect(quote.budgetUsd).toBe(6n * USD);
    expect(quote.costAtMedianUsd).toBe(4_200_000_000_000_000_000n);
    expect(quote.referencePrices.map((price) => price.source)).toContain("AWS p5");
  });

  it("test_quoteJob_appliesTheRegistryEligibilityTest", async () => {
    const indexer = await client();
    const tooMany = await quoteJob(indexer, { ...REQUEST, gpus: 7 });
    expect(tooMany.eligibleProviders).toBe(0);
    expect(tooMany.warnings[0]).toMatch(/1 online provider\(s\) list H100, but none meets the request/);
    expect((await quoteJob(indexer, { ...REQUEST, region: 2 })).eligibleProviders).toBe(0);
    expect((await quoteJob(indexer, { ...REQUEST, minReputation: 9_500 })).eligibleProviders).toBe(0);
    expect((await quoteJob(indexer, { ...REQUEST, minVramGb: 96 })).eligibleProviders).toBe(0);
    // 5,840 GRL staked for 8 GPUs: enough at 730 GRL per GPU, not at 731.
    expect((await quoteJob(indexer, { ...REQUEST, minStakePerGpu: 730n * USD })).eligibleProviders).toBe(1);
    expect((await quoteJob(indexer, { ...REQUEST, minStakePerGpu: 731n * USD })).eligibleProviders).toBe(0);
  });

  it("test_quoteJob_warnsWhenTheMaxPriceIsBelowEveryRecentClearingPrice", async () => {
    const quote = await quoteJob(await client(), { ...REQUEST, maxPricePerGpuHour: 2n * USD });
    expect(quote.warnings).toEqual([
      "The maximum price $2.00/GPU-hour is below every recent clearing price (lowest $2.10): providers may not bid.",
    ]);
  });

  it("test_quoteJob_refusesARequestThatIsNoJobBeforeAskingTheIndexer", async () => {
    const indexer = new IndexerClient({ url: "http://127.0.0.1:9" });
    await expect(quoteJob(indexer, { ...REQUEST, model: "H200X" })).rejects.toThrow(QuoteRequestError);
    await expect(quoteJob(indexer, { ...REQUEST, gpus: 0 })).rejects.toThrow(/at least 1/);
    await expect(quoteJob(indexer, { ...REQUEST, durationSeconds: 0n })).rejects.toThrow(/more than zero seconds/);
    await expect(quoteJob(indexer, { ...REQUEST, maxPricePerGpuHour: -1n })).rejects.toThrow(/more than zero/);
  });
});
