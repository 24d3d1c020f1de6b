// The HTTP API: GraphQL (POST /graphql) with tightened limits, SQL over HTTP (/sql/*, for @ponder/client)
// and REST summaries. Ponder itself serves /health, /ready, /status and /metrics. GraphQL and /summary
// answers are cached per version of the indexed data (./cache.ts).
import { db } from "ponder:api";
import schema, { indexerClock, networkMetric } from "ponder:schema";
import { and, client, eq, graphql, gte, sql } from "ponder";
import { is } from "drizzle-orm";
import { PgliteSession } from "drizzle-orm/pglite";
import type { PGlite } from "@electric-sql/pglite";
import { Kind, parse, visit } from "graphql";
import { Hono, type Context, type MiddlewareHandler } from "hono";

import { DAY, hourStart, ratio } from "../lib/core";
import { requestText, ResponseCache, responseCache, VersionReader, type StoredResponse } from "./cache";

/** Largest `limit` a GraphQL list query may ask for (Ponder's own ceiling is 1000). */
export const MAX_PAGE_SIZE = 200;
export const GRAPHQL_LIMITS = { maxOperationDepth: 8, maxOperationTokens: 800, maxOperationAliases: 10 };
/** Memory for cached answers, MiB (GRIDLEASE_API_CACHE_MB; 0 turns the cache off; off on PGlite). */
const CACHE_MB = Number(process.env.GRIDLEASE_API_CACHE_MB ?? "32");

const app = new Hono();

/** drizzle's session: internal API, the one `client()` itself uses (`db._.session.prepareQuery`). */
interface DrizzleSession {
  prepareQuery(...args: unknown[]): { execute(): Promise<unknown> };
}
const sessionOf = (database: unknown): DrizzleSession => (database as { _: { session: DrizzleSession } })._.session;
/** Whether the indexer runs on PGlite (`ponder dev`), one database session shared with the indexing. */
const onPglite = is(sessionOf(db), PgliteSession);

// ------------------------------------------------------------------------------------------------
// Response cache
// ------------------------------------------------------------------------------------------------

/**
 * The version of the indexed data: Ponder's checkpoint rows with the transaction that last wrote them,
 * and the ids of the triggers on the checkpoint table. Every transaction that changes indexed rows either
 * writes the checkpoint rows (a block, a backfill batch) or drops and recreates those triggers (a reorg
 * and crash recovery revert rows without touching the checkpoint), so equal versions mean equal data.
 * Transaction and trigger ids are never reused, so a version never comes back (a checkpoint alone
 * would: a reorged block can have the same number and timestamp as the block it replaces).
 */
const VERSION_SQL = `select
  coalesce((select string_agg(xmin::text || ':' || latest_checkpoint, ',' order by chain_name) from _ponder_checkpoint), '')
  || '/' || coalesce((select string_agg(oid::text, ',' order by oid) from pg_trigger
                      where tgrelid = to_regclass('_ponder_checkpoint')), '') as version`;

/** The read-only pool behind `db` (node-postgres; its connections' search path is the indexer's schema). */
const pool = (db as unknown as { $client: { query(text: string): Promise<{ rows: { version: string }[] }> } }).$client;

async function readVersion(): Promise<string> {
  return (await pool.query(VERSION_SQL)).rows[0]!.version;
}

const JSON_TYPES = /^application\/(graphql-response\+)?json\b/;

/** A GraphQL answer worth keeping: HTTP 200, JSON, no errors (partial answers with errors included). */
function cacheableGraphql(response: StoredResponse): boolean {
  const type = response.headers.find(([name]) => name === "content-type")?.[1] ?? "";
  if (response.status !== 200 || !JSON_TYPES.test(type)) return false;
  try {
    const body = JSON.parse(new TextDecoder().decode(response.body)) as { errors?: unknown };
    return body.errors === undefined;
  } catch {
    return false;
  }
}

const postOnly = (middleware: MiddlewareHandler): MiddlewareHandler => (c, next) =>
  c.req.method === "POST" ? middleware(c, next) : next();

// Not on PGlite: there Ponder writes a block's rows without a transaction (its transaction() runs the
// callback without BEGIN), so a version read would not pin the rows a query sees.
if (CACHE_MB > 0 && !onPglite) {
  const cache = new ResponseCache(CACHE_MB * 2 ** 20);
  const versions = new VersionReader(readVersion, (version) => cache.setVersion(version));
  // The answer depends on the body, the media types asked for and sent, and the origin (CORS headers).
  const headersKey = (c: Context, names: string[]) => names.map((name) => c.req.header(name) ?? "").join("\n");
  const graphqlKey = async (c: Context) =>
    `${headersKey(c, ["accept", "content-type", "origin"])}\n${await requestText(c)}`;
  app.use("/graphql", postOnly(responseCache({ cache, versions, key: graphqlKey, cacheable: cacheableGraphql })));
  app.use(
    "/summary",
    responseCache({
      cache,
      versions,
      key: async (c) => `GET /summary\n${headersKey(c, ["origin"])}`,
      cacheable: (response) => response.status === 200,
    }),
  );
}

// ------------------------------------------------------------------------------------------------
// GraphQL
// ------------------------------------------------------------------------------------------------

/** A `limit` argument: a literal, or the name of the variable that carries it. */
type LimitArgument = number | { variable: string };
/** The `limit` arguments of recent query texts (undefined: not valid GraphQL), so each text is parsed once. */
const limitArgumentsByQuery = new Map<string, LimitArgument[] | undefined>();
const LIMIT_MEMO_ENTRIES = 1000;
const LIMIT_MEMO_MAX_QUERY = 8192;

function limitArguments(query: string): LimitArgument[] | undefined {
  if (limitArgumentsByQuery.has(query)) return limitArgumentsByQuery.get(query);
  let found: LimitArgument[] | undefined = [];
  try {
    // Yoga enforces the token limit itself; this parse stops at it too rather than read a huge query.
    visit(parse(query, { maxTokens: GRAPHQL_LIMITS.maxOperationTokens }), {
      Argument(node) {
        if (node.name.value !== "limit") return;
        if (node.value.kind === Kind.INT) found!.push(Number(node.value.value));
        else if (node.value.kind === Kind.VARIABLE) found!.push({ variable: node.value.name.value });
      },
    });
  } catch {
    found = undefined;
  }
  if (query.length <= LIMIT_MEMO_MAX_QUERY) {
    if (limitArgumentsByQuery.size >= LIMIT_MEMO_ENTRIES) limitArgumentsByQuery.delete(limitArgumentsByQuery.keys().next().value!);
    limitArgumentsByQuery.set(query, found);
  }
  return found;
}

/** The first `limit` argument above MAX_PAGE_SIZE in the operation, literal or through a variable. */
function oversizedLimit(query: string, variables: Record<string, unknown>): number | undefined {
  for (const argument of limitArguments(query) ?? []) {
    const value = typeof argument === "number" ? argument : variables[argument.variable];
    if (typeof value === "number" && value > MAX_PAGE_SIZE) return value;
  }
  return undefined;
}

app.use("/graphql", async (c, next) => {
  if (c.req.method !== "POST") return next();
  let body: unknown;
  try {
    body = JSON.parse(await requestText(c));
  } catch {
    return next(); // GraphQL Yoga answers malformed bodies itself.
  }
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: unknown };
  if (typeof query !== "string") return next();
  // A syntax error (no limits found) is reported by Yoga with its location.
  const limit = oversizedLimit(query, (variables ?? {}) as Record<string, unknown>);
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

// ------------------------------------------------------------------------------------------------
// SQL over HTTP
// ------------------------------------------------------------------------------------------------

/**
 * On PGlite, the database `client()` queries. Ponder's indexing store flushes a large batch of updates
 * through a temporary table named like the target (`CREATE TEMP TABLE IF NOT EXISTS "provider_metric"`,
 * emptied after use), and PGlite is one session shared by the indexer and the API: from then on an
 * unqualified `provider_metric` in a client's SQL finds the empty temporary table, which PostgreSQL
 * searches first. (GraphQL and `db` name the schema, and on PostgreSQL the temporary tables live in the
 * indexer's own connections.) So each query runs in a read-only PGlite transaction (exclusive: PGlite runs
 * nothing else meanwhile) whose search path lists pg_temp last; the setting ends with the transaction, so
 * the indexer's flushes still find their temporary tables. (Ponder's own `transaction()` on PGlite runs
 * its callback without BEGIN, hence PGlite's.)
 */
function sqlOverHttpDb(database: typeof db): typeof db {
  if (!onPglite) return database;
  type SessionArgs = ConstructorParameters<typeof PgliteSession>;
  const session = sessionOf(database);
  const { dialect, schema: tables, options } = session as unknown as { dialect: SessionArgs[1]; schema: SessionArgs[2]; options: SessionArgs[3] };
  const pglite = (database as unknown as { $client: PGlite }).$client;
  const scoped: DrizzleSession = Object.create(session, {
    prepareQuery: {
      value: (...args: unknown[]) => ({
        execute: () =>
          pglite.transaction(async (tx) => {
            await tx.query("set transaction read only");
            await tx.query("select set_config('search_path', current_setting('search_path') || ', pg_temp', true)");
            const inTransaction = new PgliteSession(tx as unknown as PGlite, dialect, tables, options);
            return (inTransaction as unknown as DrizzleSession).prepareQuery(...args).execute();
          }),
      }),
    },
  });
  return { _: { ...(database as unknown as { _: object })._, session: scoped } } as unknown as typeof db;
}

app.use("/sql/*", client({ db: sqlOverHttpDb(db), schema }));

// ------------------------------------------------------------------------------------------------
// REST
// ------------------------------------------------------------------------------------------------

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
