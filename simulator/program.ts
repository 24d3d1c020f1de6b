// The market simulator's program, loaded by its entry simulator/cli.ts (`npm run simulate -- --seed 7 --days 3`)
// once the SDK's generated code is known to be there: runs the simulated market against a local chain where the
// protocol is deployed (`npm start` deploys it, and runs this in --continuous mode).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { Command, InvalidArgumentError, Option } from "commander";

import { deploymentFolder, loadDeployedAddresses } from "../sdk/node.ts";
import { parseAdversaries, type AdversaryName } from "./adversaries/names.ts";
import { httpTransport } from "./chain.ts";
import { Simulator, type RunSummary } from "./engine.ts";
import { IndexerFollower } from "./indexer-follower.ts";
import { reconcile } from "./reconcile.ts";
import { adversaryLines, dayLine, firstSettleLine, rates, summaryLines, toJson } from "./report.ts";

/** The project folder (where ignition/deployments lives). */
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function adversaries(value: string): AdversaryName[] {
  try {
    return parseAdversaries(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0`);
    return n;
  };
}

const program = new Command()
  .name("simulate")
  .description(
    "Simulates a GPU market on a local Gridlease deployment: providers, renters, auctions, instant jobs, " +
      "disputes, a moving GRL price and epochs, with chain time advanced so days pass in seconds.",
  )
  .option("--seed <n>", "random seed (same seed + fresh deployment = same run)", integer("--seed", 0), 1)
  .option("--days <n>", "simulated days of new jobs", integer("--days", 1), 3)
  .option("--continuous", "keep simulating day after day until Ctrl-C", false)
  .option("--drain", "after the last day, post no new jobs and run until every job has finished", false)
  .option("--rpc <url>", "JSON-RPC endpoint of the chain", process.env.GRIDLEASE_RPC_URL ?? "http://127.0.0.1:8545")
  .option(
    "--deployment <folder>",
    "Ignition deployment folder (default: ignition/deployments/chain-<id>)",
    process.env.GRIDLEASE_DEPLOYMENT,
  )
  .option("--providers <n>", "number of providers (default: drawn between 28 and 36)", integer("--providers", 1))
  .option("--intensity <x>", "multiplies the renters' job rates", positive("--intensity"), 1)
  .option(
    "--day-seconds <s>",
    "spread each simulated day over at least this many seconds (0 = full speed)",
    positive("--day-seconds"),
    0,
  )
  .option("--warm-up-days <n>", "days run at full speed before --day-seconds applies", integer("--warm-up-days", 0), 0)
  .option(
    "--follow-indexer <url>",
    "wait whenever the Ponder indexer at this URL trails the chain by more than --max-indexer-lag blocks",
  )
  .option(
    "--max-indexer-lag <blocks>",
    "blocks the followed indexer may trail the chain head",
    integer("--max-indexer-lag", 1),
    30,
  )
  .addOption(
    new Option(
      "--adversaries <names>",
      "add attackers to the market, comma-separated, or all: farmer (hires itself to farm emissions and reputation), " +
        "squatter (sybils fill sealed auctions' bid caps), shill (a renter's sybils bid in its own second-price auctions); " +
        "the summary then gives each one's exact cost, gain and net profit next to the honest market's",
    )
      .argParser(adversaries)
      .default([] as AdversaryName[], "none"),
  )
  .option("--check", "at the end, reconcile every balance with the chain's events", false)
  .option("--json", "print JSON lines (one per day, then the summary) instead of text", false)
  .option("--verbose", "print reverted transactions and other details to stderr", false)
  .showHelpAfterError();

interface Options {
  seed: number;
  days: number;
  continuous: boolean;
  drain: boolean;
  rpc: string;
  deployment?: string;
  providers?: number;
  intensity: number;
  daySeconds: number;
  warmUpDays: number;
  followIndexer?: string;
  maxIndexerLag: number;
  adversaries: AdversaryName[];
  check: boolean;
  json: boolean;
  verbose: boolean;
}

const options = program.parse().opts<Options>();
const launchedAt = Number(process.env.GRIDLEASE_STARTED_AT ?? Number.NaN);
const print = (line: string) => console.log(options.json ? line : `[sim] ${line}`);

let sim: Simulator | undefined;
let follower: IndexerFollower | undefined;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // A second Ctrl-C does not wait for the summary. (Under npm start a SIGTERM follows the
    // terminal's SIGINT: that one is not a second request.)
    if (stopping) {
      if (signal === "SIGINT") process.exit(130);
      return;
    }
    stopping = true;
    follower?.stop();
    sim?.stop();
    if (sim === undefined) process.exit(0);
  });
}

async function main(): Promise<void> {
  const transport = httpTransport(options.rpc);
  let chainId: bigint;
  try {
    chainId = BigInt((await transport.request({ method: "eth_chainId" })) as string);
  } catch {
    throw new Error(`no chain answers on ${options.rpc}: start one with \`npm start\`, or pass --rpc`);
  }
  const addresses = loadDeployedAddresses(chainId, {
    folder: options.deployment ?? deploymentFolder(PROJECT_ROOT, chainId),
  });
  if (options.followIndexer !== undefined) {
    const headBlock = async () => Number(BigInt((await transport.request({ method: "eth_blockNumber" })) as string));
    follower = new IndexerFollower(
      { headBlock },
      { url: options.followIndexer, maxLag: options.maxIndexerLag, warn: (line) => print(line) },
    );
  }
  sim = await Simulator.create(transport, addresses, {
    seed: options.seed,
    providers: options.providers,
    intensity: options.intensity,
    daySeconds: options.daySeconds,
    warmUpDays: options.warmUpDays,
    beforeAction: follower === undefined ? undefined : () => follower!.wait(),
    onDay: (report) => print(options.json ? JSON.stringify(toJson({ type: "day", ...report })) : dayLine(report)),
    onFirstSettle: (info) => {
      const sinceLaunch = Number.isNaN(launchedAt) ? undefined : Date.now() - launchedAt;
      print(
        options.json
          ? JSON.stringify(toJson({ type: "firstSettle", ...info, sinceLaunchMs: sinceLaunch }))
          : firstSettleLine(info, sinceLaunch),
      );
    },
    debug: options.verbose ? (line) => console.error(`[sim] ${line}`) : undefined,
    adversaries: options.adversaries,
  });
  if (!options.json) {
    const what = options.continuous
      ? "continuously (Ctrl-C stops)"
      : `for ${options.days} day${options.days === 1 ? "" : "s"}`;
    print(`simulating the market on ${options.rpc} ${what}, seed ${options.seed}`);
  }
  const summary: RunSummary = await sim.run({
    days: options.days,
    continuous: options.continuous,
    drain: options.drain,
  });
  if (options.json) {
    console.log(JSON.stringify(toJson({ type: "summary", ...summary, daysReported: undefined, ...rates(summary) })));
  } else {
    for (const line of summaryLines(summary)) print(line);
    if (summary.adversaries !== undefined) for (const line of adversaryLines(summary.adversaries)) print(line);
  }
  if (options.check && !stopping) {
    const result = await reconcile(transport, addresses);
    if (options.json) console.log(JSON.stringify(toJson({ type: "reconciliation", ...result })));
    else {
      for (const check of result.checks.filter((c) => !c.ok))
        print(`MISMATCH ${check.name}: expected ${check.expected}, got ${check.actual}`);
      print(`reconciliation: ${result.checks.filter((c) => c.ok).length}/${result.checks.length} checks hold`);
    }
    if (!result.ok) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  if (stopping) {
    // The chain went away while we were stopping (npm start stops everything at once).
    process.exit(0);
  }
  console.error(`[sim] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
