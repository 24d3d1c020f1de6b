// The HTTP API: GraphQL (POST /graphql) with tightened limits, an offline explorer (GET /graphql, /explorer),
// SQL over HTTP (/sql/*, for @ponder/client and curl) behind a cost ceiling, a row cap and a statement
// timeout (./sql-guard.ts), and REST summaries. Ponder itself serves /health, /ready, /status and /metrics.
// GraphQL and /summary answers are cached per version of the indexed data (./cache.ts).
import { db } from "ponder:api";
import schema, { indexerClock, networkMetric } from "ponder:schema";
import { and, client, eq, graphql, gte } from "ponder";
import { is } from "drizzle-orm";
import { PgliteSession } from "drizzle-orm/pglite";
import type { PGlite } from "@electric-sql/pglite";
import { Kind, parse, visit } from "graphql";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import superjson from "superjson";

import { DAY, hourStart, ratio } from "../lib/core";
import { requestText, ResponseCache, responseCache, VersionReader, type StoredResponse } from "./cache";
import { EXPLORER_HTML } from "./explorer";
import {
  capped,
  checkCost,
  checkRows,
  databaseRefusal,
  maxCost,
  parseSqlParameter,
  refusalResponse,
  SQL_LIMITS,
  SqlRefusal,
  sqlUsage,
  validate,
} from "./sql-guard";

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

/** Appended to a statement timeout's message (see below): the answer does not exist within the limit. */
const TIMEOUT_NOTE =
  ": an answer within the time limit does not exist; filter with WHERE on key columns, add a LIMIT or aggregate less";

/** A connection of the read-only pool (node-postgres). */
interface PoolClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(): void;
}
/** The read-only pool behind `db` (node-postgres; its connections' search path is the indexer's schema). */
const pool = (
  db as unknown as {
    $client: {
      query(text: string): Promise<{ rows: { version: string }[] }>;
      connect(): Promise<PoolClient>;
      options: Record<string, unknown>;
    };
  }
).$client;

// Every statement of the API's read-only pool (SQL over HTTP, GraphQL's loaders, the version reads) runs
// under the statement timeout: node-postgres sends the pool's options when it opens a connection, and the
// pool opens its connections on demand, after this module is loaded. (Ponder's own default is 30 s.)
//
// A timed-out statement is not retried: Ponder's query builder retries a failed query up to 9 times with
// back-off unless it takes the error for the user's own (its message says something "does not exist"),
// so a query stopped after 5 s would run 10 times, for over a minute. Each connection's `query` rewrites
// the timeout's message to one Ponder does not retry.
if (!onPglite) {
  pool.options.statement_timeout = SQL_LIMITS.timeoutMs;
  type Query = (...args: unknown[]) => unknown;
  (pool as unknown as { on(event: "connect", listener: (client: PoolClient) => void): void }).on(
    "connect",
    (client) => {
      const query = client.query.bind(client) as Query;
      (client as unknown as { query: Query }).query = (...args: unknown[]) => {
        const result = query(...args);
        if (!(result instanceof Promise)) return result;
        return result.catch((error: { code?: string; message?: string }) => {
          if (error?.code === "57014" && typeof error.message === "string" && !error.message.includes(TIMEOUT_NOTE)) {
            error.message = `${error.message} after ${SQL_LIMITS.timeoutMs} ms${TIMEOUT_NOTE}`;
          }
          throw error;
        });
      };
      // Connections opened before this module was loaded (none, normally) keep Ponder's 30 s.
      (query(`set statement_timeout = ${Math.max(1, Math.floor(SQL_LIMITS.timeoutMs))}`) as Promise<unknown>).catch(
        () => {},
      );
    },
  );
}

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

const postOnly =
  (middleware: MiddlewareHandler): MiddlewareHandler =>
  (c, next) =>
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
type LimitArgument = number | string | { variable: string };
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
        else if (node.value.kind === Kind.FLOAT) found!.push(Number(node.value.value));
        else if (node.value.kind === Kind.STRING) found!.push(node.value.value);
      },
    });
  } catch {
    found = undefined;
  }
  if (query.length <= LIMIT_MEMO_MAX_QUERY) {
    if (limitArgumentsByQuery.size >= LIMIT_MEMO_ENTRIES)
      limitArgumentsByQuery.delete(limitArgumentsByQuery.keys().next().value!);
    limitArgumentsByQuery.set(query, found);
  }
  return found;
}

/** A `limit` argument that cannot be served: its error code and message (literal or through a variable). */
function limitProblem(
  query: string,
  variables: Record<string, unknown>,
): { code: string; message: string } | undefined {
  for (const argument of limitArguments(query) ?? []) {
    const value =
      typeof argument === "number" || typeof argument === "string" ? argument : variables[argument.variable];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      return {
        code: "INVALID_LIMIT",
        message: `limit ${JSON.stringify(value)} is not a whole number: use an integer from 0 to ${MAX_PAGE_SIZE}.`,
      };
    }
    if (value < 0) {
      return {
        code: "NEGATIVE_LIMIT",
        message: `limit ${value} is negative: use 0 to ${MAX_PAGE_SIZE}, and page with "after" cursors (pageInfo.endCursor).`,
      };
    }
    if (value > MAX_PAGE_SIZE) {
      return {
        code: "PAGE_SIZE_EXCEEDED",
        message: `Page size too large: limit ${value} exceeds the maximum of ${MAX_PAGE_SIZE}. Page with "after" cursors (pageInfo.endCursor).`,
      };
    }
  }
  return undefined;
}

// The explorer: a page of this server's own (no CDN), in place of Ponder's GraphiQL page.
const explorer = (c: Context) => c.html(EXPLORER_HTML);
app.get("/explorer", explorer);

app.use("/graphql", async (c, next) => {
  if (c.req.method === "GET") return explorer(c);
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
  const problem = limitProblem(query, (variables ?? {}) as Record<string, unknown>);
  if (problem === undefined) return next();
  const extensions = { code: problem.code, maxPageSize: MAX_PAGE_SIZE };
  return c.json({ errors: [{ message: problem.message, extensions }] }, 400);
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
  const {
    dialect,
    schema: tables,
    options,
  } = session as unknown as { dialect: SessionArgs[1]; schema: SessionArgs[2]; options: SessionArgs[3] };
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

/** Ponder's client() in an app of its own: the guard below hands it the capped query. */
const ponderSql = new Hono();
ponderSql.use("/sql/*", client({ db: sqlOverHttpDb(db), schema }));

/** Ponder's allow-list (read-only SELECTs over the schema), from Ponder's own SQL parser. */
type Validator = (sql: string) => Promise<void>;
let validator: Promise<Validator> | undefined;
function ponderValidator(): Promise<Validator> {
  validator ??= (async () => {
    const path = new URL("../../../node_modules/ponder/dist/esm/utils/sql-parse.js", import.meta.url).href;
    try {
      return ((await import(/* @vite-ignore */ path)) as { validateAllowableSQLQuery: Validator })
        .validateAllowableSQLQuery;
    } catch {
      return async () => {}; // client() checks it anyway; the EXPLAIN below runs read-only and plans only
    }
  })();
  return validator;
}

/** Runs EXPLAIN (never executes the query) read-only, under the statement timeout; returns the JSON plan. */
async function explain(sql: string, params: unknown[]): Promise<unknown> {
  if (onPglite) {
    const pglite = (db as unknown as { $client: PGlite }).$client;
    return pglite.transaction(async (tx) => {
      await tx.query("set transaction read only");
      await tx.query("select set_config('search_path', current_setting('search_path') || ', pg_temp', true)");
      const result = await tx.query<Record<string, unknown>>(sql, params);
      return result.rows[0]!["QUERY PLAN"];
    });
  }
  const connection = await pool.connect();
  try {
    await connection.query("begin read only");
    await connection.query(`set local statement_timeout = ${Math.max(1, Math.floor(SQL_LIMITS.timeoutMs))}`);
    const result = await connection.query(sql, params);
    await connection.query("commit");
    return result.rows[0]!["QUERY PLAN"];
  } catch (error) {
    await connection.query("rollback").catch(() => {});
    throw error;
  } finally {
    connection.release();
  }
}

const SQL_COST_CEILING = maxCost(onPglite);
const usage = (c: Context) => c.text(sqlUsage(new URL(c.req.url).origin));
app.get("/sql", usage);
app.get("/sql/", usage);

app.use("/sql/*", async (c) => {
  const live = c.req.path === "/sql/live";
  if (c.req.path !== "/sql/db" && !live) return c.text(sqlUsage(new URL(c.req.url).origin), 404);
  try {
    const query = parseSqlParameter(c.req.query("sql"));
    await validate(query.sql, await ponderValidator());
    const limited = capped(query);
    await checkCost(limited, SQL_COST_CEILING, explain);
    const url = new URL(c.req.url);
    url.searchParams.set("sql", superjson.stringify(limited));
    const answer = await ponderSql.fetch(new Request(url, { headers: c.req.raw.headers }), c.env);
    if (live && answer.status === 200) return answer;
    const text = await answer.text();
    if (answer.status !== 200) throw databaseRefusal(text);
    checkRows((JSON.parse(text) as { rows?: unknown[] }).rows?.length ?? 0);
    return new Response(text, { status: 200, headers: answer.headers });
  } catch (error) {
    if (error instanceof SqlRefusal) return refusalResponse(c, error);
    throw error;
  }
});

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
      (acc, row) =>
        typeof row[column] === "bigint"
          ? (acc as bigint) + (row[column] as bigint)
          : (acc as number) + (row[column] as number),
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
