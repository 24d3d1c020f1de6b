// Guards on SQL over HTTP (/sql/db, /sql/live): one query must not stall the indexer. Before Ponder's
// client() runs a query it is
//   1. parsed and checked by Ponder's own allow-list (read-only SELECTs over the schema's tables and views);
//   2. planned (EXPLAIN, never executed) in a read-only transaction: a plan above the cost ceiling is
//      refused with 422 QUERY_TOO_EXPENSIVE. This is the only guard PGlite can have (`ponder dev`): PGlite
//      runs in the indexer's own thread and ignores statement_timeout, so a query it starts runs to the end;
//   3. wrapped in `select * from (<query>) limit <max rows + 1>`, so no query reads more than the row cap;
//      an answer with more rows is refused with 413 ROW_LIMIT_EXCEEDED;
// and on PostgreSQL every query of the API's read-only pool (SQL over HTTP and GraphQL) runs under a
// statement timeout (422 QUERY_TIMEOUT).
//
// Errors are JSON, `{ "error": { "code", "message" } }`, with a 4xx status and a message that says what to do.
import type { Context } from "hono";
import superjson from "superjson";

export const SQL_LIMITS = {
  /** Rows one query may answer (GRIDLEASE_SQL_MAX_ROWS). */
  maxRows: Number(process.env.GRIDLEASE_SQL_MAX_ROWS ?? "10000"),
  /** Milliseconds one statement may run on PostgreSQL (GRIDLEASE_SQL_TIMEOUT_MS). */
  timeoutMs: Number(process.env.GRIDLEASE_SQL_TIMEOUT_MS ?? "5000"),
};

/**
 * The planner's cost ceiling (GRIDLEASE_SQL_MAX_COST). PostgreSQL's cost unit is about a page read; a
 * three-way cross join of 300-row tables plans at about 400,000 and takes 2.3 s on PGlite. PGlite gets
 * the tighter default (it blocks indexing while it runs; ~0.3 s at the ceiling); on PostgreSQL the
 * statement timeout is the backstop.
 */
export function maxCost(onPglite: boolean): number {
  const configured = process.env.GRIDLEASE_SQL_MAX_COST;
  return configured !== undefined ? Number(configured) : onPglite ? 50_000 : 2_000_000;
}

/** PostgreSQL adds this to the cost of a plan node of a disabled kind (enable_* = off); not real work. */
const DISABLE_COST = 1e10;

export interface SqlQuery {
  sql: string;
  params: unknown[];
  typings?: unknown[];
}

export class SqlRefusal extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 422,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function refusalResponse(c: Context, refusal: SqlRefusal): Response {
  return c.json({ error: { code: refusal.code, message: refusal.message } }, refusal.status);
}

const HELP = 'see indexer/README.md, "SQL over HTTP"';

/**
 * The query of a `sql` URL parameter: Ponder's client sends superjson (`{"json":{"sql":...,"params":[]}}`);
 * a plain SQL text is accepted too, for curl.
 */
export function parseSqlParameter(value: string | undefined): SqlQuery {
  if (value === undefined || value.trim() === "") {
    throw new SqlRefusal(
      400,
      "MISSING_SQL",
      `Missing "sql" query parameter: send /sql/db?sql=<url-encoded SELECT> (${HELP}).`,
    );
  }
  const text = value.trim();
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = superjson.parse(text);
    } catch {
      throw new SqlRefusal(
        400,
        "MALFORMED_SQL_PARAMETER",
        `The "sql" parameter starts with "{" but is not superjson ({"json":{"sql":"select ...","params":[]}}) (${HELP}).`,
      );
    }
    const query = parsed as Partial<SqlQuery> | null;
    if (query === null || typeof query !== "object" || typeof query.sql !== "string") {
      throw new SqlRefusal(
        400,
        "MALFORMED_SQL_PARAMETER",
        `The "sql" parameter's JSON has no "sql" string: send {"json":{"sql":"select ...","params":[]}} (${HELP}).`,
      );
    }
    const params = Array.isArray(query.params) ? query.params : [];
    return { sql: query.sql, params, typings: Array.isArray(query.typings) ? query.typings : undefined };
  }
  return { sql: text, params: [] };
}

/** The statement without trailing semicolons and whitespace (one statement only). */
function bare(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}

/** The query with the row cap: the database stops after one row more than the cap. */
export function capped(query: SqlQuery, maxRows = SQL_LIMITS.maxRows): SqlQuery {
  return { ...query, sql: `select * from (\n${bare(query.sql)}\n) as gridlease_rows limit ${maxRows + 1}` };
}

/** The allow-list check of Ponder's client() (read-only SELECT over the schema), as a 400. */
export async function validate(sql: string, validator: (sql: string) => Promise<void>): Promise<void> {
  try {
    await validator(sql);
  } catch (error) {
    const message = errorText(error);
    if (/syntax error/i.test(message) || message === "[object Object]") {
      throw new SqlRefusal(
        400,
        "SQL_SYNTAX_ERROR",
        `The SQL does not parse (${message}): check it, e.g. \`select id, state from job order by id desc limit 10\`.`,
      );
    }
    throw new SqlRefusal(
      400,
      "SQL_NOT_ALLOWED",
      `The SQL is not allowed (${message === "undefined not supported" ? "a clause Ponder's SQL allow-list does not support, e.g. DISTINCT: use GROUP BY" : message}): send one read-only SELECT over the indexer's tables and views, without functions that change state (${HELP}).`,
    );
  }
  const negative = /\b(limit|offset)\s+(-\s*\d+)/i.exec(sql);
  if (negative !== null) throw negativeLimit(negative[1]!.toUpperCase(), negative[2]!.replace(/\s+/g, ""));
}

/** An error's text: Ponder's parser throws `new Error(<libpg-query's error object>)` for syntax errors. */
function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message === "[object Object]") return "syntax error";
  return message.replace(/\s+/g, " ").trim();
}

function negativeLimit(clause: string, value: string): SqlRefusal {
  return new SqlRefusal(
    400,
    "NEGATIVE_LIMIT",
    `${clause} ${value} is negative: use ${clause} 0 or more (at most ${SQL_LIMITS.maxRows} rows per query).`,
  );
}

interface PlanNode {
  "Total Cost": number;
  "Plan Rows": number;
}

/** Refuses a plan above the cost ceiling (`explain` runs the EXPLAIN and returns its JSON). */
export async function checkCost(
  query: SqlQuery,
  ceiling: number,
  explain: (sql: string, params: unknown[]) => Promise<unknown>,
): Promise<number> {
  let plan: PlanNode;
  try {
    const result = (await explain(`explain (format json) ${query.sql}`, query.params)) as unknown;
    const document = typeof result === "string" ? JSON.parse(result) : result;
    plan = (document as { Plan: PlanNode }[])[0]!.Plan;
  } catch (error) {
    throw databaseRefusal(error as Error);
  }
  const total = plan["Total Cost"];
  const cost = total >= DISABLE_COST ? total % DISABLE_COST : total;
  if (cost > ceiling) {
    throw new SqlRefusal(
      422,
      "QUERY_TOO_EXPENSIVE",
      `The query is too expensive to run here: its plan costs ${Math.round(cost)}, the ceiling is ${ceiling}. ` +
        "Filter with WHERE on key columns (period, period_start, id, provider, model), join on keys instead of cross joins, or aggregate less.",
    );
  }
  return cost;
}

/** A database error as a 4xx answer (a statement timeout, a negative LIMIT, any other error of the query). */
export function databaseRefusal(error: Error | string): SqlRefusal {
  const message = (typeof error === "string" ? error : error.message).replace(/\s+/g, " ").trim();
  if (/statement timeout|canceling statement/i.test(message)) {
    return new SqlRefusal(
      422,
      "QUERY_TIMEOUT",
      `The query ran longer than ${SQL_LIMITS.timeoutMs} ms and was stopped: filter with WHERE on key columns, add a LIMIT, or aggregate less.`,
    );
  }
  const negative = /(LIMIT|OFFSET) must not be negative/i.exec(message);
  if (negative !== null) return negativeLimit(negative[1]!.toUpperCase(), "(a negative value)");
  if (/syntax error/i.test(message)) {
    return new SqlRefusal(
      400,
      "SQL_SYNTAX_ERROR",
      `The SQL does not parse (${message}): check it, e.g. \`select id, state from job order by id desc limit 10\`.`,
    );
  }
  return new SqlRefusal(
    400,
    "SQL_ERROR",
    `The database refused the query: ${message}. Check table and column names in indexer/README.md ("Tables"); column names are snake_case.`,
  );
}

/** Refuses an answer with more rows than the cap (the capped query returns at most one more). */
export function checkRows(rowCount: number, maxRows = SQL_LIMITS.maxRows): void {
  if (rowCount > maxRows) {
    throw new SqlRefusal(
      413,
      "ROW_LIMIT_EXCEEDED",
      `The answer has more than ${maxRows} rows, the most one query may return: add LIMIT ${maxRows} or less and page with WHERE on a key (or OFFSET).`,
    );
  }
}

/** The usage text of GET /sql (the link the local market's banner prints). */
export function sqlUsage(base: string): string {
  const example = "select id, gpu_model_name, state, value_usd from job_usd order by id desc limit 5";
  return [
    "SQL over HTTP: one read-only SELECT over the indexer's tables and views per request.",
    "",
    "  GET /sql/db?sql=<url-encoded SQL>      plain SQL text (for curl), or",
    '  GET /sql/db?sql=<superjson>            {"json":{"sql":"select ...","params":[]}} as @ponder/client sends it',
    "",
    'The answer is JSON; its "rows" are objects keyed by column name. Example:',
    "",
    `  curl -sG ${base}/sql/db --data-urlencode 'sql=${example}'`,
    "",
    `Limits: at most ${SQL_LIMITS.maxRows} rows per answer (413 ROW_LIMIT_EXCEEDED), a planner cost ceiling`,
    "(422 QUERY_TOO_EXPENSIVE), a statement timeout on PostgreSQL (422 QUERY_TIMEOUT); other bad queries get 400",
    "with a code. Tables and views: indexer/README.md.",
    "",
  ].join("\n");
}
