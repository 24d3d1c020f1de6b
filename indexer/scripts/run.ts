// Runs the Ponder indexer from indexer/ with the ABIs generated and the telemetry off.
//
//   node indexer/scripts/run.ts dev   [ponder dev options]     embedded PGlite, tables dropped at start (on the local
//                                                              chain in /dev/shm, see pgliteDirectory)
//   node indexer/scripts/run.ts start [ponder start options]   PostgreSQL (DATABASE_URL), crash-safe
//   node indexer/scripts/run.ts serve [ponder serve options]   read replica of a `start` schema
//
// `start` picks the database schema itself unless --schema is given: one per deployment and indexer
// build (chain, addresses, first block, RPC endpoint and the indexer's code), so a restart resumes its
// own schema and a new build or deployment never collides with an old one. Stable names for readers
// are published with --views-schema (default "gridlease", or GRIDLEASE_VIEWS_SCHEMA).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import pg from "pg";

import { loadIndexerDeployment } from "../deployment.ts";
import { generateAbis } from "../../sdk/scripts/generate-abis.ts";

export const INDEXER_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PONDER_BIN = join(INDEXER_ROOT, "..", "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test";

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (entry.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** gl_<chain>_<hash>: the schema of this deployment and indexer build (at most 45 characters). */
export function deploymentSchema(env: NodeJS.ProcessEnv = process.env): string {
  const deployment = loadIndexerDeployment(env);
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ ...deployment, folder: undefined }));
  hash.update(
    JSON.parse(readFileSync(join(INDEXER_ROOT, "..", "node_modules", "ponder", "package.json"), "utf8")).version,
  );
  const files = [
    "ponder.config.ts",
    "ponder.schema.ts",
    "deployment.ts",
    ...sourceFiles(join(INDEXER_ROOT, "src")).map((f) => relative(INDEXER_ROOT, f)),
    ...["GridleaseToken", "JobMarket", "ProviderRegistry", "Settlement"].map((name) =>
      join("..", "sdk", "abis", `${name}.ts`),
    ),
  ];
  for (const file of files) hash.update(file).update(readFileSync(join(INDEXER_ROOT, file)));
  return `gl_${deployment.chainId}_${hash.digest("hex").slice(0, 16)}`;
}

/**
 * Removes Ponder's sync-store rows (blocks, transactions, receipts, logs, traces) of a local chain that do
 * not belong to the chain the node serves now. Ponder keys them by chain id and block number and keeps
 * the first copy it stored, even with `disableCache`, so after a node restart (same chain id, new blocks)
 * a backfill would read the old chain's blocks. Rows of the current chain are left for other indexers.
 */
export async function purgeStaleSyncRows(databaseUrl: string, rpcUrl: string, chainId: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query(
      "select 1 from information_schema.tables where table_schema = 'ponder_sync' and table_name = 'blocks'",
    );
    if (exists.rows.length === 0) return 0;
    const stored = await client.query<{ number: string; hash: string }>(
      `select number::text as number, hash from ponder_sync.blocks where chain_id = $1
       union select block_number::text, block_hash from ponder_sync.logs where chain_id = $1
       union select block_number::text, block_hash from ponder_sync.transactions where chain_id = $1
       union select block_number::text, block_hash from ponder_sync.transaction_receipts where chain_id = $1`,
      [chainId],
    );
    const numbers = [...new Set(stored.rows.map((r) => r.number))];
    const current = new Map<string, string | null>();
    for (let i = 0; i < numbers.length; i += 200) {
      const batch = numbers.slice(i, i + 200);
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          batch.map((n, id) => ({
            jsonrpc: "2.0",
            id,
            method: "eth_getBlockByNumber",
            params: [`0x${BigInt(n).toString(16)}`, false],
          })),
        ),
      });
      const answers = (await response.json()) as { id: number; result: { hash: string } | null }[];
      for (const answer of answers) current.set(batch[answer.id]!, answer.result?.hash ?? null);
    }
    const stale = [...new Set(stored.rows.filter((r) => current.get(r.number) !== r.hash).map((r) => r.number))];
    if (stale.length === 0) return 0;
    await client.query("begin");
    await client.query("delete from ponder_sync.blocks where chain_id = $1 and number = any($2::numeric[])", [
      chainId,
      stale,
    ]);
    for (const table of [
      "logs",
      "transactions",
      "transaction_receipts",
      "traces",
      "factory_addresses",
      "rpc_request_results",
    ]) {
      await client.query(`delete from ponder_sync.${table} where chain_id = $1 and block_number = any($2::numeric[])`, [
        chainId,
        stale,
      ]);
    }
    await client.query("delete from ponder_sync.intervals where chain_id = $1", [chainId]);
    await client.query("commit");
    return stale.length;
  } finally {
    await client.end();
  }
}

/**
 * Where `dev` keeps PGlite's files: GRIDLEASE_PGLITE_DIR if set, else on the local chain (whose data is
 * deleted at every start anyway) a directory of this checkout in /dev/shm, where there is one. PGlite
 * runs inside Ponder's thread and does a file operation per page it reads or writes, so on a disk the
 * store's writes hold up indexing; in memory (tmpfs) they cost a fraction of that. Else indexer/.ponder.
 */
export function pgliteDirectory(chainId: number, env: NodeJS.ProcessEnv = process.env): string {
  if (env.GRIDLEASE_PGLITE_DIR) return env.GRIDLEASE_PGLITE_DIR;
  if (chainId === 31337 && existsSync("/dev/shm")) {
    return join("/dev/shm", `gridlease-pglite-${createHash("sha256").update(INDEXER_ROOT).digest("hex").slice(0, 12)}`);
  }
  return join(INDEXER_ROOT, ".ponder", "pglite");
}

export interface PonderCommand {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The ponder invocation for `mode` with `extra` options (ABIs are generated first). */
export function ponderCommand(
  mode: "dev" | "start" | "serve",
  extra: string[],
  env: NodeJS.ProcessEnv = process.env,
): PonderCommand {
  generateAbis();
  // A larger young generation: a backfill allocates a block, its transactions and logs, SQL text and rows
  // per event, and with the default semi-spaces the scavenger took about a tenth of Ponder's
  // thread; at 64 MB the bench backfill used about 10% less CPU (peak RSS: about the same on PostgreSQL,
  // about 150 MiB more with PGlite).
  const args = ["--max-semi-space-size=64", PONDER_BIN, mode, ...extra];
  const childEnv: NodeJS.ProcessEnv = { ...env, PONDER_TELEMETRY_DISABLED: "true" };
  if (mode === "dev") {
    // `ponder dev` is the embedded database; a DATABASE_URL in the shell would switch it to PostgreSQL.
    delete childEnv.DATABASE_URL;
    childEnv.GRIDLEASE_PGLITE_DIR = pgliteDirectory(loadIndexerDeployment(env).chainId, env);
    if (!extra.includes("--disable-ui") && !process.stdout.isTTY) args.push("--disable-ui");
  } else {
    childEnv.DATABASE_URL = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
    if (!extra.includes("--schema")) args.push("--schema", deploymentSchema(env));
    if (mode === "start" && !extra.includes("--views-schema")) {
      args.push("--views-schema", env.GRIDLEASE_VIEWS_SCHEMA ?? "gridlease");
    }
  }
  return { command: process.execPath, args, cwd: INDEXER_ROOT, env: childEnv };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [mode, ...extra] = process.argv.slice(2);
  if (mode !== "dev" && mode !== "start" && mode !== "serve") {
    console.error("usage: node indexer/scripts/run.ts <dev|start|serve> [ponder options]");
    process.exit(2);
  }
  const command = ponderCommand(mode, extra);
  const deployment = loadIndexerDeployment();
  const pglite = mode === "dev" ? command.env.GRIDLEASE_PGLITE_DIR! : undefined;
  if (deployment.chainId === 31337) {
    if (pglite !== undefined) {
      // The embedded database keeps Ponder's sync store between runs; a local chain's is worthless next time.
      rmSync(pglite, { recursive: true, force: true });
    } else if (mode === "start") {
      const removed = await purgeStaleSyncRows(command.env.DATABASE_URL!, deployment.rpcUrl, deployment.chainId);
      if (removed > 0)
        console.log(`[indexer] removed sync-store rows of ${removed} blocks from an earlier local chain`);
    }
  }
  const schemaAt = command.args.indexOf("--schema");
  if (schemaAt !== -1) console.log(`[indexer] schema ${command.args[schemaAt + 1]} on ${command.env.DATABASE_URL}`);
  const child = spawn(command.command, command.args, { cwd: command.cwd, env: command.env, stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    // A local chain's PGlite in /dev/shm is memory: give it back (a kill -9 leaves it to the next start).
    if (deployment.chainId === 31337 && pglite?.startsWith("/dev/shm/"))
      rmSync(pglite, { recursive: true, force: true });
    process.exit(code ?? (signal === null ? 1 : 0));
  });
}
