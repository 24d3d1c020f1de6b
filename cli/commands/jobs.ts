// `gridlease jobs` (listing the market's jobs), `gridlease history` (an account's earnings and spending) and
// `gridlease arbiter disputes|rule`. They read the chain itself, so they are exact at the latest block:
// job fields with JobMarket.jobOf, history from the market's event logs (no indexer needed).
import { Command } from "commander";
import { ZeroAddress } from "ethers";

import { GPU_MODELS } from "../../sdk/index.ts";
import { run, withJson } from "../lib/command.ts";
import { chainNow, connect, signerOf, type Context } from "../lib/context.ts";
import { CliError, EXIT_USAGE, invalidInput } from "../lib/errors.ts";
import {
  formatTime,
  JobState,
  PricingRule,
  pricingRuleOption,
  Ruling,
  rulingFor,
  type JobStateName,
} from "../../sdk/index.ts";
import { describeJob, displayState, formatBond, formatPayment, liveState, loadJob, modelName } from "../lib/jobs.ts";
import { parseAddress, parseChoice, parseGpuModel, parseInteger, parseJobId } from "../lib/parse.ts";
import { paymentTokenAt, type PaymentToken } from "../lib/tokens.ts";
import { send } from "../lib/tx.ts";
import { addArbiterVerifyCommand } from "./workload/arbiter-verify.ts";

const SOURCE_CHAIN = "chain (JobMarket.jobOf at the latest block: exact)";
const SOURCE_LOGS = "chain event logs (JobMarket events: exact)";

/** States in which a job still takes bids or an accept. */
const OPEN_STATES: readonly string[] = ["Bidding"];

interface JobRow {
  jobId: bigint;
  state: string;
  pricingRule: string;
  model: string;
  gpuCount: number;
  renter: string;
  provider: string | null;
  maxPrice: string;
  escrow: string;
  deadline: number;
}

async function readJobs(
  ctx: Context,
  limit: number,
  filter: (row: JobRow) => boolean,
): Promise<{ rows: JobRow[]; scanned: number; total: bigint }> {
  const market = ctx.protocol.market;
  const [total, now] = await Promise.all([market.jobCount(), chainNow(ctx)]);
  const tokens = new Map<string, PaymentToken>();
  const rows: JobRow[] = [];
  let scanned = 0;
  // Newest first, in batches read in parallel.
  for (let id = total; id >= 1n && rows.length < limit; ) {
    const ids: bigint[] = [];
    for (let k = 0; k < 20 && id >= 1n; k++, id--) ids.push(id);
    const jobs = await Promise.all(
      ids.map(async (jobId) => ({ jobId, job: await market.jobOf(jobId), stored: await market.stateOf(jobId) })),
    );
    for (const { jobId, job, stored } of jobs) {
      scanned++;
      let token = tokens.get(job.paymentToken);
      if (token === undefined) {
        token = await paymentTokenAt(ctx, job.paymentToken);
        tokens.set(job.paymentToken, token);
      }
      const state = liveState(job, JobState.label(stored) as JobStateName, now);
      const row: JobRow = {
        jobId,
        state: displayState(job, state),
        pricingRule: pricingRuleOption(job.pricingRule) ?? PricingRule.label(job.pricingRule),
        model: modelName(job.gpuModel),
        gpuCount: Number(job.gpuCount),
        renter: job.renter,
        provider: job.provider === ZeroAddress ? null : job.provider,
        maxPrice: formatPayment(job.reservePricePerGpuHour, token).replace(" of credits", " (credits)"),
        escrow: formatPayment(job.escrow, token),
        deadline: Number(
          state === "Bidding" ? job.bidDeadline : state === "Revealing" ? job.revealDeadline : job.deadline,
        ),
      };
      if (filter(row) && rows.length < limit) rows.push(row);
    }
  }
  return { rows, scanned, total };
}

function rowsText(rows: JobRow[], now: bigint): string[] {
  return rows.map(
    (r) =>
      `  #${r.jobId}  ${r.state.padEnd(9)}  ${r.gpuCount}x ${r.model.padEnd(7)}  ${r.pricingRule.padEnd(7)}  max ${r.maxPrice}/GPU-h  ` +
      `escrow ${r.escrow}${r.provider === null ? "" : `  provider ${r.provider}`}${r.deadline === 0 ? "" : `  until ${formatTime(r.deadline, now)}`}`,
  );
}

export function jobsCommand(): Command {
  return withJson(
    new Command("jobs")
      .description(`list the market's jobs, newest first; read from the ${SOURCE_CHAIN}`)
      .option("--open", "only jobs still open to bids or an instant accept")
      .option(
        "--mine",
        "only jobs where your account (GRIDLEASE_PRIVATE_KEY or --address) is the renter or the provider",
      )
      .option("--address <address>", "with --mine: whose jobs")
      .option("--provider <address>", "only jobs won or led by this provider")
      .option("--model <name>", `only this GPU model: ${GPU_MODELS.map((m) => m.name).join(", ")}`)
      .option("--state <state>", "only jobs in this state (e.g. Running, Disputed)")
      .option("--limit <n>", "at most this many jobs", "50"),
  ).action(
    async (
      opts: {
        open?: boolean;
        mine?: boolean;
        address?: string;
        provider?: string;
        model?: string;
        state?: string;
        limit: string;
      },
      cmd: Command,
    ) =>
      run(cmd, async (out) => {
        const limit = Number(parseInteger(opts.limit, "--limit", 1n, 10_000n));
        const model = opts.model === undefined ? undefined : parseGpuModel(opts.model).spec.name;
        const providerFilter =
          opts.provider === undefined ? undefined : parseAddress(opts.provider, "--provider").toLowerCase();
        const states = [...JobState.names.filter((s) => s !== "None"), "Stopped"] as const;
        const state =
          opts.state === undefined
            ? undefined
            : states.find((s) => s.toLowerCase() === opts.state?.trim().toLowerCase());
        if (opts.state !== undefined && state === undefined)
          throw invalidInput(`--state must be one of ${states.join(", ")}, got "${opts.state}".`);
        const ctx = await connect({ needsSigner: false });
        let mine: string | undefined;
        if (opts.mine === true) {
          mine = (opts.address === undefined ? ctx.account : parseAddress(opts.address, "--address"))?.toLowerCase();
          if (mine === undefined)
            throw new CliError("MISSING_ADDRESS", "--mine needs GRIDLEASE_PRIVATE_KEY or --address <address>.", {
              exitCode: EXIT_USAGE,
            });
        }
        const { rows, scanned, total } = await readJobs(ctx, limit, (r) => {
          if (opts.open === true && !OPEN_STATES.includes(r.state)) return false;
          if (model !== undefined && r.model !== model) return false;
          if (state !== undefined && r.state !== state) return false;
          if (providerFilter !== undefined && r.provider?.toLowerCase() !== providerFilter) return false;
          if (mine !== undefined && r.renter.toLowerCase() !== mine && r.provider?.toLowerCase() !== mine) return false;
          return true;
        });
        const now = await chainNow(ctx);
        out.result({ command: "jobs", source: SOURCE_CHAIN, jobCount: total, scanned, jobs: rows }, [
          `${rows.length} job${rows.length === 1 ? "" : "s"} (of ${total} on the market; source: ${SOURCE_CHAIN})`,
          ...rowsText(rows, now),
        ]);
      }),
  );
}

interface HistoryEntry {
  block: number;
  jobId: bigint;
  event: string;
  role: "renter" | "provider";
  /** Positive: money in (pay, refunds); negative: money out (escrow). In the job's payment token. */
  amount: string;
  text: string;
}

export function historyCommand(): Command {
  return withJson(
    new Command("history")
      .description(
        `an account's spending (escrow, refunds) and earnings (pay claimed, settled), from the ${SOURCE_LOGS}`,
      )
      .option("--address <address>", "whose history (default: the GRIDLEASE_PRIVATE_KEY account)")
      .option("--from-block <n>", "first block to read", "0"),
  ).action(async (opts: { address?: string; fromBlock: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const from = Number(parseInteger(opts.fromBlock, "--from-block", 0n, 2n ** 48n));
      const ctx = await connect({ needsSigner: false });
      const who = opts.address === undefined ? ctx.account : parseAddress(opts.address, "--address");
      if (who === undefined)
        throw new CliError("MISSING_ADDRESS", "Pass --address <address>, or set GRIDLEASE_PRIVATE_KEY.", {
          exitCode: EXIT_USAGE,
        });
      const market = ctx.protocol.market;
      const f = market.filters;
      const tokens = new Map<string, PaymentToken>();
      const tokenOfJob = async (jobId: bigint): Promise<PaymentToken> => {
        const address = (await market.jobOf(jobId)).paymentToken;
        let token = tokens.get(address);
        if (token === undefined) {
          token = await paymentTokenAt(ctx, address);
          tokens.set(address, token);
        }
        return token;
      };
      const [created, cancelled, expired, stoppedR, failedR, claimed, stoppedP, settledP, settledR] = await Promise.all(
        [
          market.queryFilter(f.JobCreated(undefined, who), from),
          market.queryFilter(f.JobCancelled(undefined, who), from),
          market.queryFilter(f.JobExpired(undefined, who), from),
          market.queryFilter(f.JobStopped(undefined, who), from),
          market.queryFilter(f.JobFailed(undefined, who), from),
          market.queryFilter(f.PaymentClaimed(undefined, who), from),
          market.queryFilter(f.JobStopped(undefined, undefined, who), from),
          market.queryFilter(f.JobSettled(undefined, undefined, who), from),
          market.queryFilter(f.JobSettled(undefined, who), from),
        ],
      );
      const entries: HistoryEntry[] = [];
      const add = async (
        block: number,
        jobId: bigint,
        event: string,
        role: HistoryEntry["role"],
        units: bigint,
        text: string,
        bond = false,
      ) => {
        const token = await tokenOfJob(jobId);
        const sign = units < 0n ? "-" : "+";
        // A credit job's dispute bond is GRL, not credits.
        const amount = (bond ? formatBond : formatPayment)(units < 0n ? -units : units, token);
        entries.push({ block, jobId, event, role, amount: `${sign}${amount}`, text: `${text} ${sign}${amount}` });
      };
      for (const e of created)
        await add(e.blockNumber, e.args.jobId, "JobCreated", "renter", -e.args.escrow, "escrowed");
      for (const e of cancelled)
        await add(e.blockNumber, e.args.jobId, "JobCancelled", "renter", e.args.refund, "refund (cancelled)");
      for (const e of expired)
        await add(e.blockNumber, e.args.jobId, "JobExpired", "renter", e.args.refund, "refund (expired)");
      for (const e of stoppedR)
        await add(e.blockNumber, e.args.jobId, "JobStopped", "renter", e.args.refund, "refund (stopped)");
      for (const e of failedR)
        await add(e.blockNumber, e.args.jobId, "JobFailed", "renter", e.args.refund, "refund (failed)");
      for (const e of settledR)
        await add(e.blockNumber, e.args.jobId, "JobSettled", "renter", e.args.bondRefund, "dispute bond back", true);
      for (const e of claimed)
        await add(
          e.blockNumber,
          e.args.jobId,
          "PaymentClaimed",
          "provider",
          e.args.gross - e.args.fee,
          "pay claimed (net of fee)",
        );
      for (const e of stoppedP)
        await add(
          e.blockNumber,
          e.args.jobId,
          "JobStopped",
          "provider",
          e.args.providerGross - e.args.fee,
          "pay at stop (net of fee)",
        );
      for (const e of settledP)
        await add(
          e.blockNumber,
          e.args.jobId,
          "JobSettled",
          "provider",
          e.args.finalGross - e.args.fee,
          "pay at settlement (net of fee)",
        );
      const kept = entries.filter((e) => !e.amount.startsWith("+$0.00 ") && !/^\+0 /.test(e.amount));
      kept.sort((a, b) => a.block - b.block || (a.jobId < b.jobId ? -1 : 1));
      out.result({ command: "history", account: who, source: SOURCE_LOGS, fromBlock: from, entries: kept }, [
        `History of ${who} (source: ${SOURCE_LOGS})`,
        ...(kept.length === 0
          ? ["  nothing yet"]
          : kept.map((e) => `  block ${e.block}  job #${e.jobId}  ${e.role.padEnd(8)}  ${e.text}`)),
      ]);
    }),
  );
}

const RULINGS = ["renter", "provider"] as const;

export function arbiterCommand(): Command {
  const arbiter = new Command("arbiter").description(
    "the arbiter's view: open disputes, and ruling on them (needs ARBITER_ROLE)",
  );
  withJson(
    arbiter
      .command("disputes")
      .description(`disputed jobs awaiting a ruling, from the ${SOURCE_CHAIN}`)
      .option("--all", "every disputed or resolved job"),
  ).action(async (opts: { all?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const ctx = await connect({ needsSigner: false });
      const market = ctx.protocol.market;
      const disputes = await market.queryFilter(market.filters.JobDisputed());
      const now = await chainNow(ctx);
      const rows = [];
      for (const d of disputes) {
        const loaded = await loadJob(ctx, d.args.jobId);
        if (opts.all !== true && loaded.state !== "Disputed") continue;
        rows.push({
          jobId: d.args.jobId,
          state: displayState(loaded.job, loaded.state),
          renter: loaded.job.renter,
          provider: loaded.job.provider,
          evidenceHash: d.args.evidenceHash,
          bond: formatBond(loaded.job.disputeBond, loaded.token),
          ruleBy: Number(loaded.job.deadline),
        });
      }
      out.result({ command: "arbiter disputes", source: SOURCE_CHAIN, disputes: rows }, [
        `${rows.length} dispute${rows.length === 1 ? "" : "s"} ${opts.all === true ? "" : "awaiting a ruling "}(source: ${SOURCE_CHAIN})`,
        ...rows.map(
          (r) =>
            `  #${r.jobId}  ${r.state}  renter ${r.renter}  provider ${r.provider}  evidence ${r.evidenceHash}  bond ${r.bond}` +
            (r.state === "Disputed"
              ? `  rule before ${formatTime(r.ruleBy, now)}: gridlease arbiter rule ${r.jobId} renter|provider`
              : ""),
        ),
      ]);
    }),
  );
  withJson(
    arbiter
      .command("rule")
      .description(
        "rule on a disputed job: `renter` (provider at fault: refund, slash) or `provider` (renter at fault: the job settles)",
      )
      .argument("<jobId>", "the job")
      .argument("<winner>", "renter | provider"),
  ).action(async (jobIdText: string, winnerText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const winner = parseChoice(winnerText, RULINGS, "The ruling");
      const ctx = await connect({ needsSigner: true });
      const me = signerOf(ctx).address;
      const market = ctx.protocol.market;
      if (!(await market.hasRole(await market.ARBITER_ROLE(), me))) {
        throw new CliError(
          "NOT_ARBITER",
          `${me} does not hold the market's ARBITER_ROLE: only the arbiter rules on disputes. Nothing was sent.`,
          {
            exitCode: EXIT_USAGE,
          },
        );
      }
      const loaded = await loadJob(ctx, jobId);
      if (loaded.state !== "Disputed") {
        throw invalidInput(
          `Job #${jobId} is ${displayState(loaded.job, loaded.state)}, not Disputed: there is nothing to rule on. Nothing was sent.`,
        );
      }
      // IJobMarket.Ruling: ProviderFault (the renter wins), RenterFault (the provider wins).
      const ruling = Ruling.valueOf(rulingFor(winner));
      const { sent } = await send(out, `rule for the ${winner}`, () => market.resolveDispute(jobId, ruling), {
        now: loaded.now,
      });
      const after = await loadJob(ctx, jobId);
      const { data, lines } = describeJob(after);
      out.result({ command: "arbiter rule", jobId, winner, job: data, transactions: [sent] }, [
        `Ruled job #${jobId} for the ${winner}.`,
        ...lines,
      ]);
    }),
  );
  addArbiterVerifyCommand(arbiter);
  return arbiter;
}
