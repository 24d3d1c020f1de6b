// A local chain for the CLI's end-to-end tests, shared by every test/cli file of one mocha run: a
// `hardhat node` on a free port from 8571 (never 8545, which `npm start` uses), the protocol deployed
// with Ignition under the deployment id "cli-test" (not chain-31337, `npm start`'s folder), and the
// CLI run as a child process exactly as a user runs it. The node starts in the first file's before()
// and is killed in a root after() hook, once every file has run.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Contract, JsonRpcProvider, NonceManager, parseEther, Wallet } from "ethers";

import type { DeployedAddresses } from "../../sdk/index.ts";
import { loadDeployedAddresses } from "../../sdk/node.ts";
import { freePorts } from "../../scripts/start/ports.ts";
import { PROJECT_ROOT } from "./project.ts";

/** Hardhat's default accounts (mnemonic "test test ... junk"): public test keys, funded on every local node. */
export const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
] as const;

export const DEPLOYMENT_ID = "cli-test";
export const DEPLOYMENT_FOLDER = join(PROJECT_ROOT, "ignition", "deployments", DEPLOYMENT_ID);
const HARDHAT = join(PROJECT_ROOT, "node_modules", ".bin", "hardhat");
const CLI = join(PROJECT_ROOT, "cli", "gridlease.ts");

export interface LocalChain {
  rpcUrl: string;
  provider: JsonRpcProvider;
  addresses: DeployedAddresses;
  /** A fresh GRIDLEASE_HOME for the run (bid salts). */
  home: string;
  /** The Ignition deployment folder (DEPLOYMENT_FOLDER for the shared chain). */
  deploymentFolder?: string;
}

/** The environment of child processes: the parent's, minus Hardhat's global-option variables (set by `hardhat test`) and GRIDLEASE_*. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("HARDHAT_") && !key.startsWith("GRIDLEASE_") && key !== "NODE_OPTIONS") env[key] = value;
  }
  return { ...env, ...extra };
}

// The first free block of ports from a default (another worktree's test run may hold one).
export { freePorts };

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

function finished(child: ChildProcess, what: string, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}):\n${output()}`)),
    );
  });
}

let node: ChildProcess | undefined;
let started: Promise<LocalChain> | undefined;

async function start(): Promise<LocalChain> {
  const chain = await startNode(DEPLOYMENT_ID, 8571);
  node = chain.node;
  return chain.chain;
}

/**
 * A chain of its own (not the shared one), for a test that needs fresh job ids: a hardhat node on a free
 * port from `fromPort` with the protocol deployed under `deploymentId`. The caller stops it with stop().
 */
export async function startPrivateChain(
  deploymentId: string,
  fromPort: number,
): Promise<LocalChain & { stop(): Promise<void> }> {
  const { node: child, chain } = await startNode(deploymentId, fromPort);
  return {
    ...chain,
    async stop() {
      chain.provider.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(chain.home, { recursive: true, force: true });
      rmSync(join(PROJECT_ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    },
  };
}

async function startNode(deploymentId: string, fromPort: number): Promise<{ node: ChildProcess; chain: LocalChain }> {
  const port = await freePorts(fromPort);
  const rpcUrl = `http://127.0.0.1:${port}`;
  // The "default" network allows contracts above EIP-170's size: the tests deploy the unoptimised
  // default build (already compiled by `npm test`) instead of rebuilding the production profile.
  const node = spawn(HARDHAT, ["node", "--network", "default", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: PROJECT_ROOT,
    env: childEnv({}),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let nodeErrors = "";
  node.stderr?.on("data", (chunk: Buffer) => (nodeErrors += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!(await rpcAnswers(rpcUrl))) {
    if (node.exitCode !== null) throw new Error(`hardhat node exited early: ${nodeErrors}`);
    if (Date.now() > deadline) throw new Error(`hardhat node did not answer on ${rpcUrl}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  let deployOutput = "";
  const deploy = spawn(
    HARDHAT,
    [
      "ignition",
      "deploy",
      "ignition/modules/GridleaseLocal.ts",
      "--network",
      "localhost",
      "--parameters",
      "ignition/parameters/localhost.json",
      "--deployment-id",
      deploymentId,
      "--build-profile",
      "default",
      "--reset",
    ],
    {
      cwd: PROJECT_ROOT,
      env: childEnv({ GRIDLEASE_RPC_URL: rpcUrl, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  deploy.stdout?.on("data", (chunk: Buffer) => (deployOutput += chunk.toString()));
  deploy.stderr?.on("data", (chunk: Buffer) => (deployOutput += chunk.toString()));
  await finished(deploy, "ignition deploy", () => deployOutput);

  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  const deploymentFolder = join(PROJECT_ROOT, "ignition", "deployments", deploymentId);
  const chain = {
    rpcUrl,
    provider,
    addresses: loadDeployedAddresses(31337n, { folder: deploymentFolder }),
    home: mkdtempSync(join(tmpdir(), "gridlease-cli-test-")),
    deploymentFolder,
  };
  return { node, chain };
}

/** The shared chain, started on first use. */
export function localChain(): Promise<LocalChain> {
  started ??= start();
  return started;
}

after(async function () {
  if (node === undefined) return;
  const child = node;
  node = undefined;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  const chain = await started;
  chain?.provider.destroy();
  if (chain !== undefined) rmSync(chain.home, { recursive: true, force: true });
});

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** GRIDLEASE_PRIVATE_KEY; none when undefined. */
  key?: string;
  env?: Record<string, string>;
}

/** Runs `gridlease ...` with Node 22 (this process's node) against the chain. */
export function cli(chain: LocalChain, args: string[], options: CliOptions = {}): Promise<CliRun> {
  const env = childEnv({
    GRIDLEASE_RPC_URL: chain.rpcUrl,
    GRIDLEASE_DEPLOYMENT: chain.deploymentFolder ?? DEPLOYMENT_FOLDER,
    GRIDLEASE_HOME: chain.home,
    ...(options.key === undefined ? {} : { GRIDLEASE_PRIVATE_KEY: options.key }),
    ...options.env,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs a --json command and parses its single JSON document. */
export async function cliJson(
  chain: LocalChain,
  args: string[],
  options: CliOptions = {},
): Promise<{ code: number; body: Record<string, any> }> {
  const run = await cli(chain, [...args, "--json"], options);
  let body: Record<string, any>;
  try {
    body = JSON.parse(run.stdout) as Record<string, any>;
  } catch {
    throw new Error(`not one JSON document (exit ${run.code}):\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return { code: run.code, body };
}

/** Runs a --json command that must succeed. */
export async function ok(chain: LocalChain, args: string[], key?: string): Promise<Record<string, any>> {
  const { code, body } = await cliJson(chain, args, { key });
  if (code !== 0) throw new Error(`gridlease ${args.join(" ")} failed (exit ${code}): ${JSON.stringify(body)}`);
  return body;
}

/** Moves the chain's clock forward and mines a block at the new time. */
export async function advance(chain: LocalChain, seconds: number): Promise<void> {
  await chain.provider.send("evm_increaseTime", [seconds]);
  await chain.provider.send("evm_mine", []);
}

export function wallet(chain: LocalChain, index: number): NonceManager {
  return new NonceManager(new Wallet(KEYS[index], chain.provider));
}

export function address(index: number): string {
  return new Wallet(KEYS[index]).address;
}

/** Sends `grl` GRL from the deployer (the treasury holds the genesis supply) to each account. */
export async function fundGrl(chain: LocalChain, grl: string, indexes: number[]): Promise<void> {
  const token = new Contract(
    chain.addresses.GridleaseToken,
    ["function transfer(address,uint256) returns (bool)"],
    wallet(chain, 0),
  );
  for (const index of indexes) await (await token.transfer(address(index), parseEther(grl))).wait();
}

/** Publishes a fresh GRL/USD answer ($0.50), as the feed would, after a time jump past its heartbeat. */
export async function refreshFeed(chain: LocalChain): Promise<void> {
  const feed = new Contract(chain.addresses.MockAggregatorV3, ["function setAnswer(int256)"], wallet(chain, 0));
  await (await feed.setAnswer(50_000_000n)).wait();
}

/** The workload spec hash the CLI tests' jobs post with `--spec-hash` (any non-zero 32-byte hash). */
export const SPEC_HASH = "0x9c1f5d0e0b7c8a4a3f1e6b2d7c5a9e8f0d1c2b3a4e5f60718293a4b5c6d7e8f9";

/**
 * `gridlease renter create-job` for one H100 running the tests' workload (SPEC_HASH): `hours` long at
 * `maxPrice` dollars per GPU-hour at most, then `extra` options (`--rule instant`, `--pay credits` ...).
 */
export function createJobArgs(hours = "1", maxPrice = "1.50", extra: readonly string[] = []): string[] {
  return [
    "renter",
    "create-job",
    "--spec-hash",
    SPEC_HASH,
    "--model",
    "H100",
    "--hours",
    hours,
    "--max-price",
    maxPrice,
    ...extra,
  ];
}

/** One line of `gridlease agent --json`. */
export interface AgentEvent {
  event: string;
  jobId?: string;
  [key: string]: unknown;
}

/** `gridlease agent <args> --json` as a child process, with its log lines parsed as they arrive. */
export class AgentProcess {
  readonly events: AgentEvent[] = [];
  readonly child: ChildProcess;
  stderr = "";
  private readonly exited: Promise<number | null>;

  constructor(chain: LocalChain, home: string, key: string, args: string[]) {
    this.child = spawn(process.execPath, [CLI, "agent", ...args, "--json"], {
      cwd: PROJECT_ROOT,
      env: childEnv({
        GRIDLEASE_RPC_URL: chain.rpcUrl,
        GRIDLEASE_DEPLOYMENT: chain.deploymentFolder ?? DEPLOYMENT_FOLDER,
        GRIDLEASE_HOME: home,
        GRIDLEASE_PRIVATE_KEY: key,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let partial = "";
    this.child.stdout?.on("data", (chunk: Buffer) => {
      partial += chunk.toString();
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") this.events.push(JSON.parse(line) as AgentEvent);
    });
    this.child.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  /** Waits for the first event matching `match`. */
  async waitFor(match: (e: AgentEvent) => boolean, what: string, timeoutMs = 30_000): Promise<AgentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null)
        throw new Error(`the agent exited (${this.child.exitCode}) before ${what}: ${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ctrl-C, then its exit code. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill("SIGINT");
    return this.exited;
  }
}
