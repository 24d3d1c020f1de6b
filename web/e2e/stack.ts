// The local stack the browser test drives: `node scripts/start.ts` (chain, protocol, simulator, indexer and
// the dashboard's server) on free ports with its own deployment id and PGlite directory, so a real
// `npm start` is never disturbed; and pausing / resuming its children (the simulator, to hold the chain
// still while figures are compared; the indexer, to see the page say it is gone).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A running stack. */
export interface Stack {
  readonly rpcUrl: string;
  readonly indexerUrl: string;
  readonly webUrl: string;
  readonly deploymentFolder: string;
  /** Everything start.ts printed so far. */
  output(): string;
  /** The process group of start.ts's child whose command line matches `mark` (e.g. /simulat/). */
  childGroup(mark: RegExp): number;
  /** Stops everything and removes the deployment folder and the database. */
  stop(): Promise<void>;
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** Starts the stack; resolves once start.ts says it is ready (its dashboard then serves web/dist as built). */
export async function startStack(options: {
  seed: string;
  daySeconds: string;
  deploymentId: string;
  timeoutMs: number;
}): Promise<Stack> {
  const [chainPort, indexerPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const pglite = mkdtempSync(join(tmpdir(), "gridlease-web-e2e-"));
  const deploymentFolder = join(ROOT, "ignition", "deployments", options.deploymentId);
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, "scripts", "start.ts")], {
    cwd: ROOT,
    env: {
      ...withoutVitest(process.env),
      GRIDLEASE_PORT: String(chainPort),
      GRIDLEASE_INDEXER_PORT: String(indexerPort),
      GRIDLEASE_WEB_PORT: String(webPort),
      // The provider node and demo workloads have their own tests (test/start, node/, sdk/renter): the
      // dashboard's stack leaves them out, so its two browser tests never share a node port or the engine.
      GRIDLEASE_WORKLOADS: "0",
      GRIDLEASE_SEED: options.seed,
      GRIDLEASE_SIM_DAY_SECONDS: options.daySeconds,
      GRIDLEASE_DEPLOYMENT_ID: options.deploymentId,
      GRIDLEASE_PGLITE_DIR: join(pglite, "db"),
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // Resume anything paused, or it could not stop.
      for (const line of childLines(child.pid!)) signalGroup(line.pgid, "SIGCONT");
      process.kill(child.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    }
    rmSync(pglite, { recursive: true, force: true });
    rmSync(deploymentFolder, { recursive: true, force: true });
  };

  const deadline = Date.now() + options.timeoutMs;
  while (!/ready in \d+ s\./.test(output) || !/Web dashboard/.test(output)) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`scripts/start.ts exited (${child.exitCode}) before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`scripts/start.ts was not ready within ${options.timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    rpcUrl: `http://127.0.0.1:${chainPort}`,
    indexerUrl: `http://127.0.0.1:${indexerPort}`,
    webUrl: `http://127.0.0.1:${webPort}`,
    deploymentFolder,
    output: () => output,
    childGroup(mark: RegExp): number {
      const line = childLines(child.pid!).find((candidate) => mark.test(candidate.args));
      if (line === undefined) throw new Error(`start.ts has no child matching ${mark}:\n${output}`);
      return line.pgid;
    },
    stop,
  };
}

/**
 * The environment without vitest's variables: hardhat.config.ts loads no plugins when VITEST is set (for the
 * SDK's in-process tests), and start.ts's Hardhat needs Ignition's.
 */
function withoutVitest(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("VITEST")));
}

/** The direct children of `pid` with their process groups. */
function childLines(pid: number): { pid: number; pgid: number; args: string }[] {
  const ps = spawnSync("ps", ["-o", "pid=,pgid=,args=", "--ppid", String(pid)], { encoding: "utf8" }).stdout;
  return ps
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), pgid: Number(match[2]), args: match[3]! }));
}

/** Sends `signal` to a process group (SIGSTOP pauses it, SIGCONT resumes it). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
