// `gridlease renter ...`: buying credits, posting jobs with escrow, closing auctions, stopping,
// settling, disputing and failing jobs, reading a job's status, and withdrawing refunds.
import { readFileSync } from "node:fs";

import { Command } from "commander";
import { formatEther, keccak256, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";

import { GPU_MODELS } from "../../sdk/index.ts";
import { run, withJson } from "../lib/command.js";
import { chainNow, connect, signerOf, stablecoinOf, type Context } from "../lib/context.js";
import { CliError, EXIT_USAGE, invalidInput } from "../lib/errors.js";
import { CREDIT_DECIMALS, formatAmount, formatDuration, formatGrl, formatUsd, JobState, PRICING_RULE_OPTIONS, PricingRule } from "../../sdk/index.ts";
import { describeJob, formatBond, formatPayment, loadJob } from "../lib/jobs.js";
import { describeWithdrawals, withdrawBondLedger, withdrawMarketLedger } from "../lib/ledger.js";
import { table } from "../lib/output.js";
import {
  parseAddress,
  parseAmount,
  parseBytes32,
  parseChoice,
  parseProtocolEnum,
  parseDollars,
  parseDuration,
  parseGpuModel,
  parseGrl,
  parseHours,
  parseInteger,
  parseJobId,
} from "../lib/parse.js";
import { PAYMENT_KINDS, paymentTokenFor } from "../lib/tokens.js";
import { ensureAllowance, findEvent, permitFor, send, simulate, type SentTransaction } from "../lib/tx.js";

async function connectSigner(): Promise<{ ctx: Context; me: string }> {
  const ctx = await connect({ needsSigner: true });
  return { ctx, me: signerOf(ctx).address };
}

interface CreateJobOptions {
  model: string;
  count: string;
  hours: string;
  maxPrice: string;
  vram?: string;
  region: string;
  minReputation: string;
  rule: string;
  pay: string;
  bidWindow: string;
  revealWindow: string;
  permit?: boolean;
  spec?: string;
  specHash?: string;
  force?: boolean;
}

/** The highest ISO 3166-1 numeric country code assigned (894, Zambia): a region above it matches no provider. */
const MAX_ISO_REGION = 894n;

/**
 * The job's workload spec hash from exactly one of `--spec <file>` (the keccak256 of the file's bytes) and
 * `--spec-hash <hash>`. Checked before anything is sent.
 */
function specHashOf(opts: Pick<CreateJobOptions, "spec" | "specHash">): { specHash: string; specFile: string | null } {
  if (opts.spec === undefined && opts.specHash === undefined) {
    throw invalidInput("create-job needs the job's workload: give --spec <file> (its keccak256 is posted) or --spec-hash <0x + 64 hex digits>.");
  }
  if (opts.spec !== undefined && opts.specHash !== undefined) {
    throw invalidInput("Give either --spec <file> or --spec-hash <hash>, not both.");
  }
  if (opts.specHash !== undefined) {
    const hash = parseBytes32(opts.specHash, "--spec-hash");
    if (BigInt(hash) === 0n) throw invalidInput("--spec-hash must not be zero: it is the hash of the job's workload spec.");
    return { specHash: hash, specFile: null };
  }
  const file = opts.spec as string;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw invalidInput(`--spec: cannot read the workload spec file "${file}" (${reason}).`);
  }
  return { specHash: keccak256(bytes), specFile: file };
}

/** A job action that takes only the job id and sends one transaction. */
function simpleJobAction(
  parent: Command,
  name: string,
  description: string,
  act: (ctx: Context, jobId: bigint) => Promise<{ step: string; send: () => Promise<ContractTransactionResponse> }>,
  done: (ctx: Context, jobId: bigint) => Promise<{ data: Record<string, unknown>; text: string }>,
): void {
  withJson(parent.command(name).description(description).argument("<jobId>", "the job")).action(
    async (jobIdText: string, _opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const jobId = parseJobId(jobIdText);
        const { ctx } = await connectSigner();
        const loaded = await loadJob(ctx, jobId);
        const step = await act(ctx, jobId);
        const { sent } = await send(out, step.step, step.send, {
          priceDecimals: loaded.token.decimals,
          token: { symbol: loaded.token.symbol, decimals: loaded.token.decimals },
          now: loaded.now,
        });
        const result = await done(ctx, jobId);
        out.result({ command: `renter ${name}`, jobId, ...result.data, transactions: [sent] }, result.text);
      }),
  );
}

async function stateAfter(ctx: Context, jobId: bigint): Promise<{ data: Record<string, unknown>; text: string }> {
  const loaded = await loadJob(ctx, jobId);
  const { data, lines } = describeJob(loaded);
  return { data: { job: data }, text: lines.join("\n") };
}

export function renterCommand(): Command {
  const renter = new Command("renter").description("renter actions: buy credits, post jobs, award, stop, settle, dispute, status");

  withJson(
    renter
      .command("faucet")
      .description("mint test USDC to your account (local deployments only: the USDC stand-in has an open faucet)")
      .argument("<usdc>", "amount of USDC"),
  ).action(async (amountText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const { ctx, me } = await connectSigner();
      const usdc = stablecoinOf(ctx);
      if (ctx.addresses.MockStablecoin === undefined || ctx.addresses.MockStablecoin.toLowerCase() !== (await usdc.getAddress()).toLowerCase()) {
        throw new CliError("NOT_LOCAL", "The faucet exists only on a local deployment (GridleaseLocal's USDC stand-in).", { exitCode: EXIT_USAGE });
      }
      const decimals = Number(await usdc.decimals());
      const amount = parseDollars(amountText, decimals, "The amount");
      const { sent } = await send(out, "mint USDC", () => usdc.mint(me, amount));
      const balance = await usdc.balanceOf(me);
      out.result(
        { command: "renter faucet", account: me, minted: formatAmount(amount, decimals), balance: formatAmount(balance, decimals), transactions: [sent] },
        `Minted ${formatAmount(amount, decimals)} USDC; balance ${formatAmount(balance, decimals)} USDC.`,
      );
    }),
  );

  withJson(
    renter
      .command("buy-credits")
      .description("burn GRL for USD credits at the oracle price less the spread (credits pay for jobs with --pay credits)")
      .argument("<grl>", "GRL to burn")
      .option("--slippage <percent>", "least credits accepted, as a percentage below the quote", "1")
      .option("--permit", "use a permit signature instead of a separate approval (one transaction)"),
  ).action(async (amountText: string, opts: { slippage: string; permit?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const amount = parseGrl(amountText, "The amount of GRL");
      const slippageBps = parseAmount(opts.slippage, 2, "--slippage", { allowZero: true, unit: "percent" });
      if (slippageBps > 10_000n) throw invalidInput(`--slippage must be at most 100 (percent), got "${opts.slippage}".`);
      const { ctx, me } = await connectSigner();
      const { token, settlement } = ctx.protocol;
      const balance = await token.balanceOf(me);
      if (balance < amount) {
        throw new CliError("INSUFFICIENT_BALANCE", `You have ${formatGrl(balance)} and asked to burn ${formatGrl(amount)}.`, { exitCode: EXIT_USAGE });
      }
      const quote = await settlement.quoteCredits(amount);
      const minCredits = (quote * (10_000n - slippageBps)) / 10_000n;
      const settlementAddress = await settlement.getAddress();
      const hints = { token: { symbol: "GRL", decimals: 18 }, now: await chainNow(ctx) };
      const transactions: SentTransaction[] = [];
      let receipt: ContractTransactionReceipt;
      if (opts.permit === true) {
        const permit = await permitFor(signerOf(ctx), token, settlementAddress, amount, await chainNow(ctx));
        const sent = await send(
          out,
          "buy credits with permit",
          () => settlement.buyCreditsWithPermit(me, amount, minCredits, permit.deadline, permit.v, permit.r, permit.s),
          hints,
        );
        receipt = sent.receipt;
        transactions.push(sent.sent);
      } else {
        await simulate("buy credits", (overrides) => settlement.buyCredits.staticCall(me, amount, minCredits, overrides), hints);
        const approval = await ensureAllowance(out, token, me, settlementAddress, amount, "approve GRL", hints);
        if (approval !== undefined) transactions.push(approval);
        const sent = await send(out, "buy credits", () => settlement.buyCredits(me, amount, minCredits), hints);
        receipt = sent.receipt;
        transactions.push(sent.sent);
      }
      const event = findEvent(receipt, (log) => {
        const parsed = settlement.interface.parseLog(log);
        return parsed?.name === "CreditsPurchased" ? parsed : null;
      });
      const credits = event === undefined ? quote : (event.args.credits as bigint);
      const creditBalance = await settlement.creditsOf(me);
      out.result(
        {
          command: "renter buy-credits",
          account: me,
          grlBurned: formatEther(amount),
          credits: formatAmount(credits, CREDIT_DECIMALS),
          grlUsdPrice: event === undefined ? null : formatAmount(event.args.grlUsdPrice as bigint, 18),
          creditBalance: formatAmount(creditBalance, CREDIT_DECIMALS),
          transactions,
        },
        `Burned ${formatGrl(amount)} for ${formatUsd(credits, CREDIT_DECIMALS)} of credits; credit balance ${formatUsd(creditBalance, CREDIT_DECIMALS)}.`,
      );
    }),
  );

  withJson(
    renter
      .command("create-job")
      .description("post a job and escrow its budget (max price x GPUs x hours) in one transaction")
      .requiredOption("--model <name>", `GPU model: ${GPU_MODELS.map((m) => m.name).join(", ")}`)
      .option("--count <n>", "GPUs, all from one provider", "1")
      .requiredOption("--hours <hours>", "compute time, e.g. 2 or 0.5")
      .requiredOption("--max-price <dollars>", "the most you pay per GPU-hour (the reserve), e.g. 1.80")
      .option("--vram <gb>", "minimum VRAM per GPU (default: the model's)")
      .option("--region <code>", "required provider region, ISO 3166-1 numeric (0 = any)", "0")
      .option("--min-reputation <score>", "minimum provider reputation, 0-10000", "0")
      .option("--rule <rule>", `pricing rule: ${Object.values(PRICING_RULE_OPTIONS).join(" | ")}`, "first")
      .option("--pay <token>", `payment: ${PAYMENT_KINDS.join(" | ")}`, "usdc")
      .option("--bid-window <duration>", "how long providers may bid (or accept an instant job), e.g. 10m", "10m")
      .option("--reveal-window <duration>", "how long bidders may reveal after the bid window (auctions only)", "10m")
      .option("--spec <file>", "the workload spec file; the job's spec hash is the keccak256 of its bytes (or give --spec-hash)")
      .option("--spec-hash <hash>", "the workload spec hash, 0x + 64 hex digits (instead of --spec)")
      .option("--permit", "escrow USDC with a permit signature instead of a separate approval")
      .option("--force", "post a request no provider can fill as specified (--vram above the model's, a region that is no country code)"),
  ).action(async (opts: CreateJobOptions, cmd: Command) =>
    run(cmd, async (out) => {
      const { id: gpuModel, spec } = parseGpuModel(opts.model);
      const count = parseInteger(opts.count, "--count", 1n, 1024n);
      const duration = parseHours(opts.hours, "--hours");
      const vram = opts.vram === undefined ? BigInt(spec.vramGb) : parseInteger(opts.vram, "--vram", 0n, 65_535n);
      const region = parseInteger(opts.region, "--region", 0n, 65_535n);
      const minReputation = parseInteger(opts.minReputation, "--min-reputation", 0n, 10_000n);
      const rule = parseProtocolEnum(opts.rule, PricingRule, "--rule");
      const pay = parseChoice(opts.pay, PAYMENT_KINDS, "--pay");
      const bidWindow = parseDuration(opts.bidWindow, "--bid-window");
      if (rule === "Instant" && cmd.getOptionValueSource("revealWindow") === "cli") {
        throw invalidInput("--reveal-window applies to auctions only: an instant job has no sealed bids to reveal (drop it, or use --rule first|second).");
      }
      const revealWindow = rule === "Instant" ? 0n : parseDuration(opts.revealWindow, "--reveal-window");
      if (opts.force !== true && vram > BigInt(spec.vramGb)) {
        throw invalidInput(
          `--vram ${vram} is more than a ${spec.name} has (${spec.vramGb} GB): no provider can fill this job, and its escrow would stay ` +
            `locked until it expires. Ask for at most ${spec.vramGb}, pick a larger model, or pass --force. Nothing was sent.`,
        );
      }
      if (opts.force !== true && region > MAX_ISO_REGION) {
        throw invalidInput(
          `--region ${region} is not an ISO 3166-1 numeric country code (they go up to ${MAX_ISO_REGION}; 0 = any region): no provider ` +
            "can be in it, and the escrow would stay locked until the job expires. Pass --force to post it anyway. Nothing was sent.",
        );
      }
      if (!/^\$?\d+(\.\d+)?$/.test(opts.maxPrice.trim())) {
        throw invalidInput(`--max-price must be a dollar amount such as 1.80, got "${opts.maxPrice}".`);
      }
      if (opts.permit === true && pay === "credits") throw invalidInput("--permit applies to USDC only; credit jobs need no approval.");
      const { specHash, specFile } = specHashOf(opts);

      const { ctx, me } = await connectSigner();
      const token = await paymentTokenFor(ctx, pay);
      const reserve = parseDollars(opts.maxPrice, token.decimals, "--max-price");
      if (reserve >= 2n ** 96n) {
        throw invalidInput(`--max-price is too large: at most ${formatUsd(2n ** 96n - 1n, token.decimals)} per GPU-hour in ${token.symbol}.`);
      }
      const market = ctx.protocol.market;
      const budget = await market.jobValue(reserve, count, duration);
      if (budget === 0n) {
        throw invalidInput("The job's budget (max price x GPUs x hours) rounds to zero: raise --max-price, --count or --hours.");
      }
      const marketAddress = await market.getAddress();
      const hints = { token: { symbol: token.symbol, decimals: token.decimals }, priceDecimals: token.decimals, now: await chainNow(ctx) };
      const transactions: SentTransaction[] = [];
      const request = {
        paymentToken: token.address,
        gpuModel,
        gpuCount: count,
        minVramGb: vram,
        region,
        minReputation,
        duration,
        reservePricePerGpuHour: reserve,
        pricingRule: PricingRule.valueOf(rule),
        bidWindow,
        revealWindow,
        specHash,
      };
      let receipt: ContractTransactionReceipt;
      if (pay === "credits") {
        const credits = await ctx.protocol.settlement.creditsOf(me);
        if (credits < budget) {
          throw new CliError(
            "INSUFFICIENT_BALANCE",
            `The job's budget is ${formatUsd(budget, CREDIT_DECIMALS)} of credits and you have ${formatUsd(credits, CREDIT_DECIMALS)}: ` +
              "buy more with `gridlease renter buy-credits <GRL>`.",
            { exitCode: EXIT_USAGE },
          );
        }
        const r = await send(out, "create job", () => market.createJob(request), hints);
        receipt = r.receipt;
        transactions.push(r.sent);
      } else {
        const usdc = stablecoinOf(ctx);
        const balance = await usdc.balanceOf(me);
        if (balance < budget) {
          throw new CliError(
            "INSUFFICIENT_BALANCE",
            `The job's budget is ${formatAmount(budget, token.decimals)} ${token.symbol} and you have ` +
              `${formatAmount(balance, token.decimals)}: top up the account (on a local chain: gridlease renter faucet <USDC>).`,
            { exitCode: EXIT_USAGE },
          );
        }
        if (opts.permit === true) {
          const permit = await permitFor(signerOf(ctx), usdc, marketAddress, budget, await chainNow(ctx));
          const r = await send(
            out,
            "create job with permit",
            () => market.createJobWithPermit(request, permit.deadline, permit.v, permit.r, permit.s),
            hints,
          );
          receipt = r.receipt;
          transactions.push(r.sent);
        } else {
          // The approval comes first: simulate the job's creation (window, oracle, parameters) before sending it.
          await simulate("create job", (overrides) => market.createJob.staticCall(request, overrides), hints);
          const approval = await ensureAllowance(out, usdc, me, marketAddress, budget, `approve ${token.symbol}`, hints);
          if (approval !== undefined) transactions.push(approval);
          const r = await send(out, "create job", () => market.createJob(request), hints);
          receipt = r.receipt;
          transactions.push(r.sent);
        }
      }
      const created = findEvent(receipt, (log) => {
        const parsed = market.interface.parseLog(log);
        return parsed?.name === "JobCreated" ? parsed : null;
      });
      if (created === undefined) throw new CliError("UNEXPECTED", "The job was created but its JobCreated event is missing from the receipt.");
      const jobId = created.args.jobId as bigint;
      const loaded = await loadJob(ctx, jobId);
      const { data, lines } = describeJob(loaded);
      out.result({ command: "renter create-job", jobId, budget: formatAmount(budget, token.decimals), specHash, specFile, job: data, transactions }, [
        `Created job #${jobId}: ${count}x ${spec.name} for ${formatDuration(duration)} at up to ${formatUsd(reserve, token.decimals)} per ` +
          `GPU-hour; ${formatPayment(budget, token)} escrowed.`,
        ...lines,
      ]);
    }),
  );

  simpleJobAction(
    renter,
    "award",
    "close an auction after its reveal window: award the best bid, or expire the job (full refund); anyone may call it",
    async (ctx, jobId) => ({ step: "award", send: () => ctx.protocol.market.award(jobId) }),
    stateAfter,
  );
  simpleJobAction(
    renter,
    "cancel",
    "cancel your job while it has no bid (or an instant job nobody accepted): the escrow is refunded",
    async (ctx, jobId) => ({ step: "cancel job", send: () => ctx.protocol.market.cancelJob(jobId) }),
    stateAfter,
  );
  simpleJobAction(
    renter,
    "stop",
    "stop your running job early: pay accrued so far goes to the provider, the rest is refunded",
    async (ctx, jobId) => ({ step: "stop job", send: () => ctx.protocol.market.stopJob(jobId) }),
    stateAfter,
  );
  simpleJobAction(
    renter,
    "settle",
    "settle a delivered job after its challenge window (or a disputed one after the arbiter's timeout); anyone may call it",
    async (ctx, jobId) => {
      const state = Number(await ctx.protocol.market.stateOf(jobId));
      const disputed = state === JobState.valueOf("Disputed");
      return disputed
        ? { step: "settle after dispute timeout", send: () => ctx.protocol.market.settleDisputeTimeout(jobId) }
        : { step: "settle", send: () => ctx.protocol.market.settle(jobId) };
    },
    stateAfter,
  );
  simpleJobAction(
    renter,
    "fail",
    "fail a job whose provider did not start or did not deliver in time: refund and slash; anyone may call it",
    async (ctx, jobId) => ({ step: "fail job", send: () => ctx.protocol.market.failJob(jobId) }),
    stateAfter,
  );

  withJson(
    renter
      .command("dispute")
      .description(
        "dispute a delivery within the challenge window;\nneeds exactly one of --evidence-hash or --evidence-file; bonds 5% of the " +
          "job value (by default) in its stablecoin, or in GRL for a credit job (approved here)",
      )
      .argument("<jobId>", "the job")
      .option("--evidence-hash <bytes32>", "hash of your evidence (kept off-chain); this or --evidence-file is required")
      .option("--evidence-file <path>", "hash this file's contents (keccak256) as the evidence hash; this or --evidence-hash is required"),
  ).action(async (jobIdText: string, opts: { evidenceHash?: string; evidenceFile?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      if ((opts.evidenceHash === undefined) === (opts.evidenceFile === undefined)) {
        throw invalidInput("Pass exactly one of --evidence-hash <bytes32> or --evidence-file <path>.");
      }
      let evidence: string;
      if (opts.evidenceHash !== undefined) evidence = parseBytes32(opts.evidenceHash, "--evidence-hash");
      else {
        try {
          evidence = keccak256(readFileSync(opts.evidenceFile as string));
        } catch (error) {
          throw invalidInput(`Cannot read the evidence file ${opts.evidenceFile}: ${(error as Error).message}.`);
        }
      }
      const { ctx, me } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const market = ctx.protocol.market;
      // A stablecoin job's bond is in its stablecoin; a credit job's in GRL (never credits, which a pause can stop).
      const [, bond] = await market.disputeBondOf(jobId);
      const inGrl = loaded.token.kind === "credits";
      const hints = inGrl
        ? { token: { symbol: "GRL", decimals: 18 }, now: loaded.now }
        : { token: { symbol: loaded.token.symbol, decimals: loaded.token.decimals }, now: loaded.now };
      const transactions: SentTransaction[] = [];
      // The bond's approval comes first: simulate the dispute (state, challenge window) before sending anything.
      await simulate("dispute", (overrides) => market.dispute.staticCall(jobId, evidence, overrides), hints);
      if (bond > 0n) {
        const bondToken = inGrl ? ctx.protocol.token : stablecoinOf(ctx);
        const held = await bondToken.balanceOf(me);
        if (held < bond) {
          throw invalidInput(
            `Disputing job #${jobId} bonds ${formatBond(bond, loaded.token)} and you hold ${formatBond(held, loaded.token)}: ` +
              `get ${formatBond(bond - held, loaded.token)} more, then retry before the challenge window closes.`,
          );
        }
        const step = `approve ${inGrl ? "GRL" : loaded.token.symbol}`;
        const approval = await ensureAllowance(out, bondToken, me, await market.getAddress(), bond, step, hints);
        if (approval !== undefined) transactions.push(approval);
      }
      transactions.push((await send(out, "dispute", () => market.dispute(jobId, evidence), hints)).sent);
      const after = await loadJob(ctx, jobId);
      const { data, lines } = describeJob(after);
      out.result(
        {
          command: "renter dispute",
          jobId,
          evidenceHash: evidence,
          bond: formatAmount(after.job.disputeBond, inGrl ? 18 : loaded.token.decimals),
          bondToken: inGrl ? "GRL" : loaded.token.symbol,
          job: data,
          transactions,
        },
        [`Disputed job #${jobId} with a bond of ${formatBond(after.job.disputeBond, loaded.token)}.`, ...lines],
      );
    }),
  );

  withJson(renter.command("status").description("a job's state, prices, deadlines and next step").argument("<jobId>", "the job")).action(
    async (jobIdText: string, _opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const jobId = parseJobId(jobIdText);
        const ctx = await connect({ needsSigner: false });
        const loaded = await loadJob(ctx, jobId);
        const { data, lines } = describeJob(loaded);
        // The delivered result (URI and hash) is in the JobDelivered event, read from the chain's logs (exact).
        let result: { uri: string; hash: string; block: number; source: string } | null = null;
        if (loaded.job.deliveredAt !== 0n) {
          const market = ctx.protocol.market;
          const logs = await market.queryFilter(market.filters.JobDelivered(jobId));
          const last = logs.at(-1);
          if (last !== undefined) {
            result = { uri: last.args.resultURI, hash: last.args.resultHash, block: last.blockNumber, source: "chain logs (JobDelivered)" };
          }
        }
        const extra = result === null ? [] : table([["result URI", result.uri], ["result hash", result.hash]]);
        out.result({ command: "renter status", job: { ...data, result } }, [...lines, ...extra]);
      }),
  );

  withJson(
    renter
      .command("balance")
      .description("your USDC, credits, GRL and refunds waiting in the market ledger")
      .option("--address <address>", "whose balances (default: the GRIDLEASE_PRIVATE_KEY account)"),
  ).action(async (opts: { address?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const ctx = await connect({ needsSigner: false });
      const who = opts.address === undefined ? ctx.account : parseAddress(opts.address, "--address");
      if (who === undefined) throw new CliError("MISSING_ADDRESS", "Pass --address <address>, or set GRIDLEASE_PRIVATE_KEY.", { exitCode: EXIT_USAGE });
      const usdc = stablecoinOf(ctx);
      const decimals = Number(await usdc.decimals());
      const [wallet, ledger, credits, grl] = await Promise.all([
        usdc.balanceOf(who),
        ctx.protocol.market.balanceOf(await usdc.getAddress(), who),
        ctx.protocol.settlement.creditsOf(who),
        ctx.protocol.token.balanceOf(who),
      ]);
      out.result(
        {
          command: "renter balance",
          account: who,
          usdc: formatAmount(wallet, decimals),
          marketLedgerUsdc: formatAmount(ledger, decimals),
          credits: formatAmount(credits, CREDIT_DECIMALS),
          grl: formatEther(grl),
        },
        [
          `Balances of ${who}`,
          ...table([
            ["USDC", formatAmount(wallet, decimals)],
            ["refunds", `${formatAmount(ledger, decimals)} USDC in the market ledger (gridlease renter withdraw)`],
            ["credits", formatUsd(credits, CREDIT_DECIMALS)],
            ["GRL", formatGrl(grl)],
          ]),
        ],
      );
    }),
  );

  withJson(
    renter
      .command("withdraw")
      .description(
        "withdraw your refunds (USDC) and returned GRL dispute bonds (credit jobs) from the market ledger; credit refunds " +
          "return to your credits by themselves",
      )
      .option("--to <address>", "recipient (default: your account)"),
  ).action(async (opts: { to?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const { ctx, me } = await connectSigner();
      const to = opts.to === undefined ? me : parseAddress(opts.to, "--to");
      const ledger = await withdrawMarketLedger(ctx, out, me, to);
      const bonds = await withdrawBondLedger(ctx, out, me, to);
      if (ledger === undefined && bonds === undefined) {
        throw new CliError("NOTHING_TO_WITHDRAW", `${me} has no refunds or dispute bonds waiting in the market ledger. Nothing was sent.`, {
          exitCode: EXIT_USAGE,
        });
      }
      const withdrawals = [ledger, bonds].filter((w) => w !== undefined);
      out.result(
        {
          command: "renter withdraw",
          account: me,
          to,
          // The stablecoin refunds first (or the GRL bonds when there were none), then every withdrawal.
          withdrawn: withdrawals[0].amount,
          token: withdrawals[0].symbol,
          withdrawals: withdrawals.map(({ token, symbol, amount }) => ({ token, symbol, amount })),
          transactions: withdrawals.map((w) => w.transaction),
        },
        describeWithdrawals(ledger, undefined, bonds),
      );
    }),
  );

  return renter;
}
