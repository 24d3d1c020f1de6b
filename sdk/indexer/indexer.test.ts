// The typed indexer queries against a real HTTP server (node:http) that executes them with the indexer's own
// GraphQL schema over canned rows (./test-server.ts, ./canned.ts).
import { createServer } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import {
  BIDDING_JOB,
  CANNED,
  DISPUTED_JOB,
  GPU_MODELS,
  h100Metric,
  JOB_7_BIDS,
  JOB_7_DISPUTE,
  NEW_PROVIDER_ROW,
  networkMetricRow,
  page,
  PROVIDER_ROW,
  SUMMARY_BODY,
} from "./canned.ts";
import {
  gpuMarket,
  IndexerClient,
  IndexerError,
  jobDetail,
  listProviders,
  marketSummary,
  modelMetricSeries,
  networkMetrics,
  providerByAddress,
  recentJobs,
} from "./index.ts";
import { startTestIndexer, type Answer, type ReceivedRequest, type TestIndexer } from "./test-server.ts";

let server: TestIndexer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A client of a stand-in indexer answering with `answer`. */
async function indexer(
  answer: (request: ReceivedRequest, index: number) => Answer,
  timeoutMs?: number,
): Promise<IndexerClient> {
  server = await startTestIndexer(answer);
  return new IndexerClient({ url: `${server.url}/`, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** The error `promise` rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<IndexerError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(IndexerError);
  return error as IndexerError;
}

describe("recentJobs", () => {
  it("sends the filters (addresses in lower case) and decodes bigints, numbers and nulls", async () => {
    const client = await indexer(() => ({ root: { jobs: page([DISPUTED_JOB, BIDDING_JOB], 9, "cursor-2", true) } }));
    const jobs = await recentJobs(client, {
      renter: CANNED.RENTER.toUpperCase().replace("0X", "0x"),
      provider: CANNED.PROVIDER,
      state: ["Disputed", "Bidding"],
      limit: 2,
    });
    expect(server!.requests[0]!.variables).toEqual({
      where: { renter: CANNED.RENTER, provider: CANNED.PROVIDER, state_in: ["Disputed", "Bidding"] },
      limit: 2,
      after: null,
    });
    expect(jobs.totalCount).toBe(9);
    expect(jobs.hasNextPage).toBe(true);
    expect(jobs.endCursor).toBe("cursor-2");
    const [disputed, bidding] = jobs.items;
    expect(disputed!.id).toBe(7n);
    expect(disputed!.clearingPriceUsd).toBe(2_100_000_000_000_000_000n);
    expect(disputed!.gpuCount).toBe(2);
    expect(disputed!.state).toBe("Disputed");
    expect(disputed!.creditFloor).toBeNull();
    expect(bidding!.provider).toBeNull();
    expect(bidding!.startedAt).toBeNull();
  });

  it("filters by one state and pages with the cursor", async () => {
    const client = await indexer(() => ({ root: { jobs: page([], 9, null) } }));
    const jobs = await recentJobs(client, { state: "Running", gpuModel: CANNED.H100, after: "cursor-2" });
    expect(server!.requests[0]!.variables).toEqual({
      where: { state: "Running", gpuModel: CANNED.H100 },
      limit: 20,
      after: "cursor-2",
    });
    expect(jobs).toEqual({ items: [], totalCount: 9, hasNextPage: false, endCursor: null });
  });

  it("filters by pricing rule, payment token (lower case) and award time", async () => {
    const client = await indexer(() => ({ root: { jobs: page([DISPUTED_JOB], 1, "c1") } }));
    const jobs = await recentJobs(client, {
      pricingRule: "SecondPrice",
      paymentToken: CANNED.USDC.toUpperCase().replace("0X", "0x"),
      awardedSince: 1_767_000_000n,
    });
    expect(server!.requests[0]!.variables).toEqual({
      where: { pricingRule: "SecondPrice", paymentToken: CANNED.USDC, awardedAt_gte: "1767000000" },
      limit: 20,
      after: null,
    });
    expect(jobs.items.map((job) => job.id)).toEqual([7n]);
  });

  it("refuses a page size the indexer would refuse, before sending anything", async () => {
    const client = await indexer(() => ({ root: {} }));
    await expect(recentJobs(client, { limit: 201 })).rejects.toThrow(
      /limit 201 is not allowed; pass a whole number from 1 to 200/,
    );
    await expect(recentJobs(client, { limit: 0 })).rejects.toThrow(RangeError);
    expect(server!.requests).toEqual([]);
  });
});

describe("jobDetail", () => {
  it("returns the job with its bids in commit order and its dispute", async () => {
    const client = await indexer(() => ({
      root: { job: DISPUTED_JOB, bids: page(JOB_7_BIDS, 2, "b2"), dispute: JOB_7_DISPUTE },
    }));
    const detail = await jobDetail(client, 7n);
    expect(server!.requests[0]!.variables).toEqual({ id: "7", limit: 200 });
    expect(detail!.job.id).toBe(7n);
    expect(detail!.bids.map((bid) => [bid.provider, bid.status, bid.price])).toEqual([
      [CANNED.OTHER_PROVIDER, "released", 2_100_000n],
      [CANNED.PROVIDER, "won", 2_000_000n],
    ]);
    expect(detail!.bids[1]!.unlockedGrl).toBeNull();
    expect(detail!.dispute).toMatchObject({ status: "open", bond: 420_000n, deadline: 1_767_316_300n, arbiter: null });
  });

  it("reads a second page of bids when a job has more than a page", async () => {
    const client = await indexer((_request, index) =>
      index === 0
        ? { root: { job: DISPUTED_JOB, bids: page([JOB_7_BIDS[0]], 2, "b1", true), dispute: null } }
        : { root: { bids: page([JOB_7_BIDS[1]], 2, "b2") } },
    );
    const detail = await jobDetail(client, 7n);
    expect(server!.requests[1]!.variables).toEqual({ id: "7", limit: 200, after: "b1" });
    expect(detail!.bids.map((bid) => bid.bidIndex)).toEqual([1, 2]);
    expect(detail!.dispute).toBeNull();
  });

  it("returns null for a job the indexer does not have", async () => {
    const client = await indexer(() => ({ root: { job: null, bids: page([], 0, null), dispute: null } }));
    expect(await jobDetail(client, 999n)).toBeNull();
  });
});

describe("listProviders and providerByAddress", () => {
  it("lists providers best first with stake and reputation, rates null before any job", async () => {
    const client = await indexer(() => ({ root: { providers: page([PROVIDER_ROW, NEW_PROVIDER_ROW], 2, "p2") } }));
    const providers = await listProviders(client, {
      online: true,
      gpuModel: CANNED.H100,
      orderBy: "totalStaked",
      limit: 50,
    });
    expect(server!.requests[0]!.variables).toEqual({
      where: { online: true, models_has: CANNED.H100 },
      orderBy: "totalStaked",
      limit: 50,
      after: null,
    });
    const [busy, fresh] = providers.items;
    expect(busy).toMatchObject({
      reputation: 9120,
      freeStake: 5_000n * 10n ** 18n,
      lockedStake: 840n * 10n ** 18n,
      successRate: 1,
    });
    expect(busy!.modelNames).toEqual(["H100"]);
    expect(fresh).toMatchObject({ online: false, successRate: null, disputeRate: null });
  });

  it("finds one provider by address (any case), or null", async () => {
    const client = await indexer((_request, index) => ({ root: { provider: index === 0 ? PROVIDER_ROW : null } }));
    expect((await providerByAddress(client, CANNED.PROVIDER.toUpperCase().replace("0X", "0x")))!.totalStaked).toBe(
      5_840n * 10n ** 18n,
    );
    expect(server!.requests[0]!.variables).toEqual({ address: CANNED.PROVIDER });
    expect(await providerByAddress(client, CANNED.OTHER_PROVIDER)).toBeNull();
  });
});

describe("gpuMarket", () => {
  it("joins each model's capacity with its cumulative metrics (null for a model without any)", async () => {
    const client = await indexer(() => ({
      root: {
        gpuModels: page(GPU_MODELS, 2, "g2"),
        modelMetrics: page([h100Metric("all", "0", "2100000000000000000")], 1, "m1"),
      },
    }));
    const market = await gpuMarket(client);
    expect(server!.requests[0]!.variables).toEqual({ where: { period: "all", periodStart: "0" }, limit: 200 });
    expect(market.map((model) => [model.name, model.listedGpus, model.leasedGpus])).toEqual([
      ["A100", 4n, 0n],
      ["H100", 8n, 2n],
    ]);
    expect(market[0]!.metrics).toBeNull();
    expect(market[1]!.metrics).toMatchObject({ medianPrice: 2_100_000_000_000_000_000n, utilization: 0.25, awards: 2 });
  });

  it("takes each model's latest day when no periodStart is given, or the one asked for", async () => {
    const client = await indexer(() => ({
      root: {
        gpuModels: page(GPU_MODELS, 2, "g2"),
        modelMetrics: page(
          [h100Metric("day", "1767139200", null), h100Metric("day", "1767052800", "2000000000000000000")],
          2,
          "m2",
        ),
      },
    }));
    const latest = await gpuMarket(client, { period: "day" });
    expect(server!.requests[0]!.variables).toEqual({ where: { period: "day" }, limit: 200 });
    expect(latest[1]!.metrics).toMatchObject({ periodStart: 1_767_139_200n, medianPrice: null, awards: 0 });
    await gpuMarket(client, { period: "hour", periodStart: 1_767_225_600n });
    expect(server!.requests[1]!.variables).toEqual({
      where: { period: "hour", periodStart: "1767225600" },
      limit: 200,
    });
  });
});

describe("modelMetricSeries", () => {
  it("pages one model's daily price index since a day, newest first", async () => {
    const client = await indexer(() => ({
      root: {
        modelMetrics: page(
          [h100Metric("day", "1767139200", null), h100Metric("day", "1767052800", "2000000000000000000")],
          5,
          "m2",
          true,
        ),
      },
    }));
    const series = await modelMetricSeries(client, {
      model: CANNED.H100.toUpperCase().replace("0X", "0x"),
      since: 1_767_052_800n,
      limit: 2,
    });
    expect(server!.requests[0]!.variables).toEqual({
      where: { period: "day", model: CANNED.H100, periodStart_gte: "1767052800" },
      limit: 2,
      after: null,
    });
    expect(series.items.map((row) => [row.periodStart, row.medianPrice])).toEqual([
      [1_767_139_200n, null],
      [1_767_052_800n, 2_000_000_000_000_000_000n],
    ]);
    expect(series.hasNextPage).toBe(true);
  });

  it("takes every model's hourly rows after a cursor", async () => {
    const client = await indexer(() => ({ root: { modelMetrics: page([], 5, null) } }));
    await modelMetricSeries(client, { period: "hour", after: "m2" });
    expect(server!.requests[0]!.variables).toEqual({ where: { period: "hour" }, limit: 20, after: "m2" });
    await expect(modelMetricSeries(client, { limit: 500 })).rejects.toThrow(
      /modelMetricSeries: limit 500 is not allowed/,
    );
  });
});

describe("network figures", () => {
  it("networkMetrics: a daily series, newest first, with supply, revenue and utilization", async () => {
    const client = await indexer(() => ({
      root: { networkMetrics: page([networkMetricRow("1767139200")], 30, "n1", true) },
    }));
    const series = await networkMetrics(client, { limit: 1 });
    expect(server!.requests[0]!.variables).toEqual({ where: { period: "day" }, limit: 1, after: null });
    expect(series.items[0]).toMatchObject({
      period: "day",
      periodStart: 1_767_139_200n,
      feesUsd: 20_000_000_000_000_000n,
      netEmission: -1_000_000_000_000_000_000n,
      totalSupply: 99_999_999n * 10n ** 18n,
      avgJobSizeUsd: 4_200_000_000_000_000_000n,
      revealRate: 1,
    });
  });

  it("marketSummary: GET /summary with its amounts as bigints", async () => {
    const client = await indexer(() => ({ status: 200, body: SUMMARY_BODY }));
    const summary = await marketSummary(client);
    expect(server!.requests[0]).toMatchObject({ method: "GET", path: "/summary" });
    expect(summary.asOf).toEqual({ blockNumber: 1_450n, timestamp: 1_767_229_900 });
    expect(summary.now).toMatchObject({
      feesUsd: 336_000_000_000_000_000n,
      totalSupply: 99_999_999n * 10n ** 18n,
      utilization: 0.25,
    });
    expect(summary.dayAgo).toMatchObject({ timestamp: 1_767_142_800, utilization: null, repeatCustomerRate: null });
    expect(summary.last24h).toMatchObject({
      since: 1_767_142_800,
      jobsCreated: 7,
      grossUsd: 16_800_000_000_000_000_000n,
    });
  });
});

describe("errors name the endpoint, what failed and what to do", () => {
  it("network: nothing listens there", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const client = new IndexerClient({ url: `http://127.0.0.1:${port}` });
    const error = await failure(recentJobs(client));
    expect(error.kind).toBe("network");
    expect(error.endpoint).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(error.message).toMatch(
      new RegExp(`cannot reach the indexer at http://127.0.0.1:${port}/graphql .*check that it is running`),
    );
  });

  it("timeout: no answer in time", async () => {
    const client = await indexer(() => ({ hang: true }), 200);
    const error = await failure(networkMetrics(client));
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/\/graphql did not answer within 200 ms: .*retry, or raise timeoutMs/);
  });

  it("graphql: the indexer's limit error, with its code", async () => {
    const refusal = {
      errors: [
        {
          message:
            'Page size too large: limit 500 exceeds the maximum of 200. Page with "after" cursors (pageInfo.endCursor).',
          extensions: { code: "PAGE_SIZE_EXCEEDED", maxPageSize: 200 },
        },
      ],
    };
    const client = await indexer(() => ({ status: 400, body: JSON.stringify(refusal) }));
    const error = await failure(recentJobs(client));
    expect(error.kind).toBe("graphql");
    expect(error.status).toBe(400);
    expect(error.graphqlErrors).toEqual([{ message: refusal.errors[0]!.message, code: "PAGE_SIZE_EXCEEDED" }]);
    expect(error.message).toMatch(
      /refused the query: Page size too large.*: ask for 0 to 200 rows and page with the returned cursor/,
    );
  });

  it("graphql: a field the indexer's schema does not have (the real schema's validation message)", async () => {
    const client = await indexer(() => ({ root: {} }));
    const error = await failure(client.graphql("{ jobs { items { id noSuchField } } }"));
    expect(error.kind).toBe("graphql");
    expect(error.message).toMatch(
      /Cannot query field "noSuchField" on type "job".*the indexer's schema and this SDK differ/,
    );
  });

  it("http: /summary before anything is indexed says to wait for /ready", async () => {
    const client = await indexer(() => ({
      status: 503,
      body: JSON.stringify({ error: "nothing indexed yet: wait for /ready" }),
    }));
    const error = await failure(marketSummary(client));
    expect(error).toMatchObject({ kind: "http", status: 503, endpoint: `${server!.url}/summary` });
    expect(error.message).toMatch(
      /answered HTTP 503 \(nothing indexed yet: wait for \/ready\): .*wait until its \/ready answers 200/,
    );
  });

  it("response: a body that is not JSON (not an indexer)", async () => {
    const client = await indexer(() => ({ status: 200, body: "<html>hello</html>", contentType: "text/html" }));
    const error = await failure(marketSummary(client));
    expect(error.kind).toBe("response");
    expect(error.message).toMatch(/with a body that is not JSON .*check that the URL points at a Gridlease indexer/);
  });

  it("response: a field of another type names the field", async () => {
    const broken = JSON.parse(SUMMARY_BODY) as { now: Record<string, unknown> };
    broken.now.feesUsd = 12.5;
    const client = await indexer(() => ({ status: 200, body: JSON.stringify(broken) }));
    const error = await failure(marketSummary(client));
    expect(error.kind).toBe("response");
    expect(error.message).toMatch(
      /answered summary\.now\.feesUsd = 12\.5, not a bigint: .*update the SDK \(sdk\/indexer\/\) or the indexer/,
    );
  });
});
