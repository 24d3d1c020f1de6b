// `gridlease renter create-job`: checks a job request (model, VRAM, region, price, spec) before anything is sent,
// then posts it and escrows its budget in USDC (approval or permit) or in credits.
import { readFileSync } from "node:fs";

import type { Command } from "commander";
import { type ContractTransactionReceipt, keccak256 } from "ethers";

import { CREDIT_DECIMALS, formatAmount, formatDuration, formatUsd, GPU_MODELS, PRICING_RULE_OPTIONS, PricingRule } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { chainNow, connectSigner, signerOf, stablecoinOf } from "../../lib/context.ts";
import { CliError, EXIT_USAGE, invalidInput } from "../../lib/errors.ts";
import { describeJob, formatPayment, loadJob } from "../../lib/jobs.ts";
import { parseBytes32, parseChoice, parseDollars, parseDuration, parseGpuModel, parseHours, parseInteger, parseProtocolEnum } from "../../lib/parse.ts";
import { PAYMENT_KINDS, paymentTokenFor } from "../../lib/tokens.ts";
import { ensureAllowance, findEvent, permitFor, send, type SentTransaction, simulate } from "../../lib/tx.ts";

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

/** Adds `renter create-job`. */
export function addCreateJobCommand(renter: Command): void {
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
}
