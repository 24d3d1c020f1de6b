// `GRIDLEASE_SIMULATE=0 npm start`, as a user runs it (on free ports, its own deployment id and PGlite
// directory, so a real `npm start` elsewhere is never disturbed): every port checked first, the demo
// accounts funded and printed with their keys and roles, quiet one-line progress (no Ignition "Batch #"
// lines when stdout is not a terminal), an idle chain that mines on an interval and keeps the GRL/USD
// feed fresh, and a stop (Ctrl-C, then `kill`) that leaves no child process and no port behind, twice; then
// once more, with Ctrl-C pressed while the demo workloads still run.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Contract, JsonRpcProvider, parseEther } from "ethers";

import { loadDeployedAddresses } from "../../sdk/node.ts";
import { PROJECT_ROOT } from "../kit/project.ts";
import { childEnv, freePorts } from "../kit/cli.ts";

const DEPLOYMENT_ID = "start-test";
const DEPLOYMENT_FOLDER = join(PROJECT_ROOT, "ignition", "deployments", DEPLOYMENT_ID);
const DEMO_PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const DEMO_PROVIDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(env: Record<string, string>): Started {
  // Its own process group, as a terminal's foreground job: Ctrl-C is SIGINT to the whole group.
  const child = spawn("npm", ["start"], {
    cwd: PROJECT_ROOT,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The last `count` lines of npm start's output: where its error is, and short enough for CI's view of a failure. */
function tail(output: string, count = 30): string {
  return output.trimEnd().split("\n").slice(-count).join("\n");
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(started.output())) {
    if (started.child.exitCode !== null)
      throw new Error(
        `npm start exited (${started.child.exitCode}); the end of its output:\n${tail(started.output())}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `no ${pattern} within ${timeoutMs / 1000} s; the end of npm start's output:\n${tail(started.output())}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Whether npm start exits within `ms` (the timer is cleared either way: it must not hold the test run open). */
async function exitsWithin(started: Started, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([started.exited.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function listening(port: number): boolean {
  return spawnSync("ss", ["-ltnH", `sport = :${port}`], { encoding: "utf8" }).stdout.trim() !== "";
}

/** Processes whose command line names one of our ports or our PGlite directory. */
function leftovers(marks: string[]): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).stdout.split("\n");
  return ps.filter((line) => marks.some((mark) => line.includes(mark)) && !line.includes(" ps -eo"));
}

/** Holds `port` as another program would; fails at once (instead of hanging the test) if something already holds it. */
function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) =>
      reject(
        new Error(
          `could not hold port ${port} for the test: ${error.message} (something took it after it was found free)`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("npm start: ports, accounts, idle chain, stop and restart", function () {
  this.timeout(2_400_000);
  let chainPort: number;
  let indexerPort: number;
  let nodePort: number;
  let webPort: number;
  let pglite: string;
  let env: Record<string, string>;

  before(async function () {
    chainPort = await freePorts(8720);
    indexerPort = await freePorts(42120);
    nodePort = await freePorts(7420);
    webPort = await freePorts(5273);
    pglite = mkdtempSync(join(tmpdir(), "gridlease-start-test-"));
    env = {
      GRIDLEASE_PORT: String(chainPort),
      GRIDLEASE_INDEXER_PORT: String(indexerPort),
      GRIDLEASE_NODE_PORT: String(nodePort),
      GRIDLEASE_WEB_PORT: String(webPort),
      GRIDLEASE_SIMULATE: "0",
      GRIDLEASE_DEPLOYMENT_ID: DEPLOYMENT_ID,
      GRIDLEASE_PGLITE_DIR: join(pglite, "db"),
      GRIDLEASE_BLOCK_SECONDS: "1",
    };
  });
  after(function () {
    rmSync(pglite, { recursive: true, force: true });
    rmSync(DEPLOYMENT_FOLDER, { recursive: true, force: true });
  });

  for (const which of ["chain", "indexer"] as const) {
    it(`fails at once, naming the ${which} port and what holds it, when that port is taken`, async function () {
      const port = which === "chain" ? chainPort : indexerPort;
      const server = await occupy(port);
      try {
        const started = npmStart(env);
        const code = await started.exited;
        expect(code).to.equal(1);
        expect(started.output()).to.match(
          new RegExp(
            `port ${port} on 127\\.0\\.0\\.1 \\(for the ${which === "chain" ? "local chain" : "indexer"}\\) is already in use by pid ${process.pid}`,
          ),
        );
        expect(started.output()).to.not.contain("compiling");
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  }

  for (const stop of ["Ctrl-C (SIGINT to the group)", "kill (SIGTERM to npm start)"] as const) {
    it(`starts idle, then stops on ${stop} leaving no child and no port`, async function () {
      const started = npmStart(env);
      try {
        await waitFor(started, /ready in \d+ s\./, 1_080_000); // a cold production compile takes minutes on 2 cores
        // The demo renter's two workloads run between "ready" and this line: seconds on a quiet machine,
        // minutes on a loaded one.
        await waitFor(started, /Press Ctrl-C to stop/, 300_000);
        const output = started.output();
        const last = tail(output);
        // Quiet progress, and the accounts table with full keys and roles.
        expect(output, last).to.not.contain("Batch #");
        expect(output, last).to.match(/compiling contracts: done in \d+ s/);
        expect(output, last).to.match(/deploying the protocol with Ignition: done in \d+ s/);
        expect(output, last).to.not.contain("package-lock.json changed");
        expect(output, last).to.contain("LOCAL CHAIN ONLY");
        for (const role of ["deployer, treasury, arbiter, guardian", "demo provider", "demo renter"])
          expect(output, last).to.contain(role);
        expect(output, last).to.contain(`${DEMO_PROVIDER}  ${DEMO_PROVIDER_KEY}`);
        // A real provider node on the machine's container engine, and the demo renter's two workloads through it.
        expect(output, last).to.contain(`Provider node (API, profile)          http://127.0.0.1:${nodePort}/profile`);
        expect(output, last).to.match(
          /demo batch job #1: outputs verified against the on-chain result hash, settled in /,
        );
        expect(output, last).to.contain('sum.json = {"count":8,"sum":31}');
        expect(output, last).to.match(/demo service job #2: .+ answered \{"model":"echo-1","echo":"hello"\}/);
        expect(output, last).to.contain("demo service job #2: stopped by the renter");

        const provider = new JsonRpcProvider(`http://127.0.0.1:${chainPort}`, undefined, {
          staticNetwork: true,
          cacheTimeout: -1,
        });
        try {
          const addresses = loadDeployedAddresses(31337n, { folder: DEPLOYMENT_FOLDER });
          // The demo accounts are funded.
          const token = new Contract(
            addresses.GridleaseToken,
            ["function balanceOf(address) view returns (uint256)"],
            provider,
          );
          const usdc = new Contract(
            addresses.MockStablecoin,
            ["function balanceOf(address) view returns (uint256)"],
            provider,
          );
          expect(await token.balanceOf(DEMO_PROVIDER)).to.equal(parseEther("10000"));
          expect(await usdc.balanceOf(DEMO_PROVIDER)).to.equal(10_000_000_000n);
          // The idle chain mines on an interval: its clock moves without any transaction.
          const first = await provider.getBlock("latest");
          await new Promise((r) => setTimeout(r, 3_500));
          const second = await provider.getBlock("latest");
          expect(second!.number).to.be.greaterThan(first!.number);
          expect(second!.timestamp).to.be.greaterThan(first!.timestamp);
          // A day and more later the feed would be stale; idle mode republishes it by itself.
          const advance = spawnSync(
            process.execPath,
            [join(PROJECT_ROOT, "cli", "gridlease.ts"), "dev", "advance", "2d"],
            {
              cwd: PROJECT_ROOT,
              encoding: "utf8",
              env: childEnv({
                GRIDLEASE_RPC_URL: `http://127.0.0.1:${chainPort}`,
                GRIDLEASE_DEPLOYMENT: DEPLOYMENT_FOLDER,
              }),
            },
          );
          expect(advance.status, advance.stderr).to.equal(0);
          const oracle = new Contract(
            addresses.ChainlinkPriceOracle,
            ["function grlUsdPrice() view returns (uint256)"],
            provider,
          );
          const deadline = Date.now() + 60_000;
          let price: bigint | undefined;
          while (price === undefined && Date.now() < deadline) {
            price = await oracle.grlUsdPrice().catch(() => undefined);
            if (price === undefined) await new Promise((r) => setTimeout(r, 1_000));
          }
          expect(price, tail(started.output())).to.equal(parseEther("0.5"));
          // The log line follows the CLI child's exit, which can trail the mined transaction under load.
          await waitFor(started, /republished the GRL\/USD answer/, 30_000);
        } finally {
          provider.destroy();
        }
      } finally {
        if (started.child.exitCode === null) {
          if (stop.startsWith("Ctrl-C")) process.kill(-started.child.pid!, "SIGINT");
          else {
            // `kill <pid of npm start's node>`: the node process running scripts/start.ts.
            const pids = spawnSync("pgrep", ["-g", String(started.child.pid), "-f", "scripts/start.ts"], {
              encoding: "utf8",
            })
              .stdout.trim()
              .split("\n");
            for (const pid of pids.filter((p) => p !== "")) process.kill(Number(pid), "SIGTERM");
          }
          // Even when a check above failed: the next test must find the ports free.
          await exitsWithin(started, 120_000);
        }
      }
      await started.exited;
      expectStoppedCleanly(started);
    });
  }

  it("stops on Ctrl-C in the middle of the demo workloads, instead of waiting for a chain that already stopped", async function () {
    const started = npmStart(env);
    let stoppedInTime = false;
    try {
      // The batch job is done and the service job starting: the demo renter is mid-way.
      await waitFor(started, /demo batch job #\d+: outputs verified/, 1_380_000);
      expect(started.output()).to.not.contain("Press Ctrl-C to stop");
    } finally {
      if (started.child.exitCode === null) process.kill(-started.child.pid!, "SIGINT");
      // Even when a check above failed: nothing of this npm start outlives the test.
      stoppedInTime = await exitsWithin(started, 120_000);
      if (!stoppedInTime) process.kill(-started.child.pid!, "SIGKILL");
    }
    expect(stoppedInTime, `npm start still ran 120 s after Ctrl-C:\n${tail(started.output())}`).to.equal(true);
    expectStoppedCleanly(started);
  });

  /** One "stopped." as the last line, and no port or process of this npm start left behind. */
  function expectStoppedCleanly(started: Started): void {
    const lines = started.output().trimEnd().split("\n");
    expect(lines.filter((l) => l.includes("stopped.")).length, tail(started.output())).to.equal(1);
    expect(lines[lines.length - 1]).to.contain("[gridlease] stopped.");
    expect(listening(chainPort), "chain port still held").to.equal(false);
    expect(listening(indexerPort), "indexer port still held").to.equal(false);
    expect(listening(nodePort), "provider node port still held").to.equal(false);
    expect(listening(webPort), "web dashboard port still held").to.equal(false);
    expect(leftovers([`--port ${chainPort}`, `--port ${indexerPort}`, pglite])).to.deep.equal([]);
  }
});
