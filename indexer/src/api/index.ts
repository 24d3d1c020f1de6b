// The HTTP API: GraphQL (POST /graphql) with tightened limits, SQL over HTTP (/sql/*, for @ponder/client)
// and REST summaries. Ponder itself serves /health, /ready, /status and /metrics.
import { db } from "ponder:api";
import schema, { indexerClock, networkMetric } from "ponder:schema";
import { and, client, eq, graphql, gte } from "ponder";
import { Kind, parse, visit, type DocumentNode } from "graphql";
import { Hono } from "hono";

import { DAY, hourStart, ratio } from "../lib/core";

/** Largest `limit` a GraphQL list query may ask for (Ponder's own ceiling is 1000). */
export const MAX_PAGE_SIZE = 200;
export const GRAPHQL_LIMITS = { maxOperationDepth: 8, maxOperationTokens: 800, maxOperationAliases: 10 };

const app = new Hono();

/** The first `limit` argument above MAX_PAGE_SIZE in the operation, literal or through a variable. */
function oversizedLimit(document: DocumentNode, variables: Record<string, unknown>): number | undefined {
  let found: number | undefined;
  visit(document, {
    Argument(node) {
      if (node.name.value !== "limit" || found !== undefined) return;
      let value: unknown;
      if (node.value.kind === Kind.INT) value = Number(node.value.value);
      else if (node.value.kind === Kind.VARIABLE) value = variables[node.value.name.value];
      if (typeof value === "number" && value > MAX_PAGE_SIZE) found = value;
    },
  });
  return found;
}

app.use("/graphql", async (c, next) => {
  if (c.req.method !== "POST") return next();
  let body: unknown;
  try {
    body = await c.req.raw.clone().json();
  } catch {
    return next(); // GraphQL Yoga answers malformed bodies itself.
  }
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: unknown };
  if (typeof query !== "string") return next();
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return next(); // a syntax error, reported by Yoga with its location
  }
  const limit = oversizedLimit(document, (variables ?? {}) as Record<string, unknown>);
  if (limit === undefined) return next();
  return c.json({
    errors: [
      {
        message: `Page size too large: limit ${limit} exceeds the maximum of ${MAX_PAGE_SIZE}. Page with "after" cursors.`,
        extensions: { code: "PAGE_SIZE_EXCEEDED", maxPageSize: MAX_PAGE_SIZE },
      },
    ],
  });
});

app.use("/graphql", graphql({ db, schema }, GRAPHQL_LIMITS));
app.use("/sql/*", client({ db, schema }));

type MetricRow = typeof networkMetric.$inferSelect;

/** The headline figures, from cumulative flows (levels are derived from the flows the same way). */
function headline(flows: Pick<MetricRow, FlowColumn>) {
  const big = (v: bigint) => v.toString();
  return {
    grossUsd: big(flows.grossUsd),
    providerPayoutsUsd: big(flows.providerPayoutsUsd),
    feesUsd: big(flows.feesUsd),
    grlMinted: big(flows.grlMinted),
    grlBurned: big(flows.grlBurned),
    netEmission: big(flows.grlMinted - flows.grlBurned),
    totalSupply: big(flows.grlIssued - flows.grlBurned),
    creditsOutstanding: big(flows.creditsBought - flows.creditsSpent + flows.creditsRefunded),
    emissionsPaid: big(flows.emissionsPaid),
    stakedTotal: big(flows.stakeAdded - flows.stakeWithdrawn - flows.slashed),
    totalProviders: flows.newProviders,
    totalRenters: flows.newRenters,
    repeatRenters: flows.becameRepeatRenters,
    repeatCustomerRate: ratio(flows.becameRepeatRenters, flows.newRenters),
    jobsCreated: flows.jobsCreated,
    jobsCompleted: flows.jobsCompleted,
    jobsFailed: flows.jobsFailed,
    jobsDisputed: flows.jobsDisputed,
    leasedGpuSeconds: big(flows.leasedGpuSeconds),
    availableGpuSeconds: big(flows.availableGpuSeconds),
    utilization: ratio(flows.leasedGpuSeconds, flows.availableGpuSeconds),
  };
}

const COUNT_COLUMNS = new Set<string>([
  "newProviders",
  "newRenters",
  "becameRepeatRenters",
  "jobsCreated",
  "jobsCompleted",
  "jobsFailed",
  "jobsDisputed",
]);

const FLOW_COLUMNS = [
  "grossUsd",
  "providerPayoutsUsd",
  "feesUsd",
  "grlIssued",
  "grlMinted",
  "grlBurned",
  "creditsBought",
  "creditsSpent",
  "creditsRefunded",
  "emissionsPaid",
  "stakeAdded",
  "stakeWithdrawn",
  "slashed",
  "newProviders",
  "newRenters",
  "becameRepeatRenters",
  "jobsCreated",
  "jobsCompleted",
  "jobsFailed",
  "jobsDisputed",
  "leasedGpuSeconds",
  "availableGpuSeconds",
] as const;
type FlowColumn = (typeof FLOW_COLUMNS)[number];
const BIGINT_FLOWS = new Set<FlowColumn>(FLOW_COLUMNS.filter((column) => !COUNT_COLUMNS.has(column)));
type Flows = Pick<MetricRow, FlowColumn>;

/** Column-wise sum of `rows` (zero when empty). */
function sumFlows(rows: MetricRow[]): Flows {
  const result = {} as Record<FlowColumn, bigint | number>;
  for (const column of FLOW_COLUMNS) {
    result[column] = rows.reduce<bigint | number>(
      (acc, row) => (typeof row[column] === "bigint" ? (acc as bigint) + (row[column] as bigint) : (acc as number) + (row[column] as number)),
      BIGINT_FLOWS.has(column) ? 0n : 0,
    );
  }
  return result as Flows;
}

function subtract(total: Flows, part: Flows): Flows {
  const result = {} as Record<FlowColumn, bigint | number>;
  for (const column of FLOW_COLUMNS) {
    const value = total[column];
    result[column] =
      typeof value === "bigint" ? value - (part[column] as bigint) : (value as number) - (part[column] as number);
  }
  return result as Flows;
}

/**
 * Headline figures now (the latest indexed block) and 24 h earlier in chain time, at hour resolution:
 * "dayAgo" is the state at the start of the hour that contains now - 24 h; "last24h" is what happened since.
 */
app.get("/summary", async (c) => {
  const [clock] = await db.select().from(indexerClock).where(eq(indexerClock.id, 0));
  const [all] = await db
    .select()
    .from(networkMetric)
    .where(and(eq(networkMetric.period, "all"), eq(networkMetric.periodStart, 0n)));
  if (clock === undefined || all === undefined) {
    return c.json({ error: "nothing indexed yet: wait for /ready" }, 503);
  }
  const now = clock.blockTimestamp;
  const boundary = hourStart(now - DAY);
  const recent = await db
    .select()
    .from(networkMetric)
    .where(and(eq(networkMetric.period, "hour"), gte(networkMetric.periodStart, boundary)));
  // GPU-seconds since the network's last accrual (rates are constant since then) belong to now.
  const open = now - clock.accruedUntil;
  const withOpen = <T extends Pick<Flows, "leasedGpuSeconds" | "availableGpuSeconds">>(flows: T): T => ({
    ...flows,
    leasedGpuSeconds: flows.leasedGpuSeconds + open * clock.leasedGpus,
    availableGpuSeconds: flows.availableGpuSeconds + open * clock.availableGpus,
  });
  const last24h = withOpen(sumFlows(recent));
  const current = withOpen(all);
  const dayAgo = subtract(current, last24h);
  return c.json({
    asOf: { blockNumber: clock.blockNumber.toString(), timestamp: Number(now) },
    units: "USD and credit amounts: 18 decimals; GRL: wei; GPU time: GPU-seconds",
    now: headline(current),
    dayAgo: { timestamp: Number(boundary), ...headline(dayAgo) },
    last24h: {
      since: Number(boundary),
      grossUsd: last24h.grossUsd.toString(),
      feesUsd: last24h.feesUsd.toString(),
      grlMinted: last24h.grlMinted.toString(),
      grlBurned: last24h.grlBurned.toString(),
      jobsCreated: last24h.jobsCreated,
      jobsCompleted: last24h.jobsCompleted,
      utilization: ratio(last24h.leasedGpuSeconds, last24h.availableGpuSeconds),
    },
  });
});

export default app;
