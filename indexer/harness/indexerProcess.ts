// The indexer as a separate process (`node indexer/scripts/run.ts start`, Ponder on PostgreSQL), with
// the controls the tests need: kill -9, restart, readiness, GraphQL and SQL over HTTP. Also a JSON-RPC
// proxy that can slow the node down, so a backfill lasts long enough to be interrupted.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import superjson from "superjson";

import { CHILD_ENV } from "./chain.ts";
import { PROJECT_ROOT } from "./paths.ts";

/** The server's database the test process starts from (trust auth on the machine's PostgreSQL). */
const SERVER_DATABASE_URL = process.env.GRIDLEASE_TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/**
 * A database of this test process's own, created on first use and dropped when the process exits. Why:
 * Ponder keeps its RPC cache in a `ponder_sync` schema keyed by chain id, and every local node is chain
 * 31337, so two runs sharing a database (a developer's `npm test` beside CI's, or a benchmark) would
 * read each other's blocks.
 */
export function databaseUrl(): string {
  ownDatabaseUrl ??= ownDatabase();
  return ownDatabaseUrl;
}

let ownDatabaseUrl: string | undefined;

function ownDatabase(): string {
  const url = new URL(SERVER_DATABASE_URL);
  const name = `gridlease_test_${process.pid}`;
  const admin = (statement: string) =>
    spawnSync("psql", [SERVER_DATABASE_URL, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement], { encoding: "utf8" });
  admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const created = admin(`CREATE DATABASE ${name}`);
  if (created.status !== 0) {
    throw new Error(
      `cannot create the test database ${name} on ${SERVER_DATABASE_URL}: ${created.stderr.trim()} ` +
        "(start PostgreSQL, or point GRIDLEASE_TEST_DATABASE_URL at a server where this user may create databases)",
    );
  }
  process.on("exit", () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  url.pathname = `/${name}`;
  return url.toString();
}
const RUN = join(PROJECT_ROOT, "indexer", "scripts", "run.ts");

export interface IndexerOptions {
  name: string;
  schema: string;
  viewsSchema: string;
  port: number;
  rpcUrl: string;
  deployment: string;
  /** `start` (PostgreSQL, the default) or `dev` (embedded PGlite; schema options unused). */
  mode?: "start" | "dev";
  /** PostgreSQL database of `start` (DATABASE_URL by default). */
  databaseUrl?: string;
  /** GRIDLEASE_RPC_TRANSPORT (the local chain's default is WebSocket; SlowProxy speaks HTTP only). */
  rpcTransport?: "ws" | "http";
  /** More environment for the indexer (e.g. GRIDLEASE_PGLITE_DIR, GRIDLEASE_API_CACHE_MB). */
  env?: Record<string, string>;
}

export class IndexerProcess {
  private child: ChildProcess | undefined;
  readonly logFile: string;
  starts = 0;

  constructor(readonly options: IndexerOptions) {
    this.logFile = join(tmpdir(), `gridlease-indexer-${options.name}-${process.pid}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Starts (or restarts) the indexer; its own process group, so kill -9 reaches Ponder itself. */
  start(): void {
    const {
      schema,
      viewsSchema,
      port,
      rpcUrl,
      deployment,
      mode = "start",
      databaseUrl: database = databaseUrl(),
      rpcTransport,
      env = {},
    } = this.options;
    const log = openSync(this.logFile, this.starts === 0 ? "w" : "a");
    const schemaArgs = mode === "start" ? ["--schema", schema, "--views-schema", viewsSchema] : [];
    this.child = spawn(
      process.execPath,
      [RUN, mode, "--port", String(port), "--hostname", "127.0.0.1", ...schemaArgs, "--log-format", "json"],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...CHILD_ENV,
          DATABASE_URL: database,
          GRIDLEASE_RPC_URL: rpcUrl,
          GRIDLEASE_DEPLOYMENT: deployment,
          ...(rpcTransport === undefined ? {} : { GRIDLEASE_RPC_TRANSPORT: rpcTransport }),
          PONDER_LOG_LEVEL: "info",
          ...env,
        },
        detached: true,
        stdio: ["ignore", log, log],
      },
    );
    closeSync(log);
    this.starts++;
  }

  /** kill -9 of the whole process group; resolves once it is gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(-child.pid, "SIGKILL");
    await exited;
    this.child = undefined;
  }

  /** The process id of the indexer's entry (`run.ts`; Ponder is its child), while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return readFileSync(this.logFile, "utf8");
  }

  /** Log lines (Ponder's JSON logs) of the current and earlier runs. */
  logLines(): { msg?: string; level?: number; [key: string]: unknown }[] {
    return this.log()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg?: string });
  }

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/ready`)).status === 200;
    } catch {
      return false;
    }
  }

  async graphql(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
    const response = await fetch(`${this.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: unknown; errors?: { message: string }[] };
  }

  /** A read-only SQL query over HTTP (the client() middleware), as @ponder/client sends it. */
  async sql(sql: string): Promise<{ status: number; rows: Record<string, unknown>[]; text: string }> {
    const encoded = encodeURIComponent(superjson.stringify({ sql, params: [], typings: [] }));
    const response = await fetch(`${this.url}/sql/db?sql=${encoded}`);
    const text = await response.text();
    if (response.status !== 200) return { status: response.status, rows: [], text };
    return { status: 200, rows: (JSON.parse(text) as { rows: Record<string, unknown>[] }).rows, text };
  }

  /** The latest block the indexer has processed (its clock), or -1 before its first. */
  async indexedBlock(): Promise<number> {
    try {
      const { status, rows } = await this.sql("select block_number from indexer_clock");
      return status === 200 && rows.length === 1 ? Number(rows[0]!.block_number) : -1;
    } catch {
      return -1;
    }
  }

  /** The latest block of Ponder's checkpoint (`/status`), or -1 before it answers. */
  async statusBlock(): Promise<number> {
    try {
      const response = await fetch(`${this.url}/status`);
      if (response.status !== 200) return -1;
      const chains = Object.values((await response.json()) as Record<string, { block?: { number?: number } }>);
      return chains[0]?.block?.number ?? -1;
    } catch {
      return -1;
    }
  }

  /** Waits until the indexer is ready and has processed `block`. */
  async waitForBlock(block: number, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => (await this.ready()) && (await this.indexedBlock()) >= block,
      timeoutMs,
      () => {
        return `indexer ${this.options.name} did not reach block ${block} (log: ${this.logFile})`;
      },
    );
    if (!this.running) throw new Error(`indexer ${this.options.name} exited (log: ${this.logFile})`);
  }

  /** Every row of every indexer table, in primary-key order, as text (for comparing two runs). */
  async dump(tables: Record<string, string>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    // In pages: SQL over HTTP answers at most 10,000 rows per query (indexer/src/api/sql-guard.ts).
    const PAGE = 5000;
    for (const [table, orderBy] of Object.entries(tables)) {
      const rows: Record<string, unknown>[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const result = await this.sql(`select * from ${table} order by ${orderBy} limit ${PAGE} offset ${offset}`);
        if (result.status !== 200) throw new Error(`dump of ${table} failed: ${result.text}`);
        rows.push(...result.rows);
        if (result.rows.length < PAGE) break;
      }
      out[table] = JSON.stringify(rows);
    }
    return out;
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(message());
}

/** Runs one SQL statement with psql against the test database; returns its unaligned output. */
export function psql(statement: string): string {
  const result = spawnSync("psql", [databaseUrl(), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** Drops the test's schemas (tables, views, enums). */
export function dropSchemas(schemas: string[]): void {
  psql(schemas.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE;`).join(" "));
}

/** A JSON-RPC forwarder that can answer one request at a time after `delayMs`. */
export class SlowProxy {
  private server: Server | undefined;
  delayMs = 0;
  requests = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly port: number,
    private readonly target: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const forward = async () => {
          if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
          this.requests++;
          try {
            const answer = await fetch(this.target, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            res.writeHead(answer.status, { "content-type": "application/json" });
            res.end(await answer.text());
          } catch (error) {
            res.writeHead(502).end(String(error));
          }
        };
        // While slowed down, requests are answered one after the other.
        const run = this.delayMs > 0 ? (this.chain = this.chain.then(forward)) : forward();
        run.catch(() => {});
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
