// `gridlease provider ...`: onboarding (register, GPUs, stake, availability), the auction (bid, reveal,
// accept), execution (start, claim, deliver), and getting paid (withdraw), plus the provider's status.
import { readFileSync } from "node:fs";

import { Command } from "commander";
import { formatEther, keccak256 } from "ethers";

import { GPU_MODELS, tflopsX100 } from "../../sdk/index.ts";
import { bidFilePath, bidsOf } from "../lib/bids.js";
import { commitSealedBid, revealSavedBid } from "../lib/bidding.js";
import { run, withJson } from "../lib/command.js";
import { chainNow, connect, signerOf, type Context } from "../lib/context.js";
import { CliError, describeError, EXIT_USAGE, invalidInput } from "../lib/errors.js";
import { CREDIT_DECIMALS, formatAmount, formatGrl, formatTime, formatUsd } from "../../sdk/index.ts";
import { isInstant, loadJob } from "../lib/jobs.js";
import { describeWithdrawals, withdrawBondLedger, withdrawEarnings, withdrawMarketLedger } from "../lib/ledger.js";
import { table } from "../lib/output.js";
import {
  parseAddress,
  parseBytes32,
  parseDollars,
  parseGpuModel,
  parseGrl,
  parseInteger,
  parseJobId,
  parseTflopsX100,
} from "../lib/parse.js";
import { ensureAllowance, permitFor, send, simulate, type SentTransaction } from "../lib/tx.js";

const SALT_FILE_HELP = "file holding the salts of your sealed bids (default: $GRIDLEASE_HOME/bids.json, ~/.gridlease/bids.json)";

/** Connects with the key and returns the signer's address too. */
async function connectSigner(): Promise<{ ctx: Context; me: string }> {
  const ctx = await connect({ needsSigner: true });
  return { ctx, me: signerOf(ctx).address };
}

function txResult(command: string, extra: Record<string, unknown>, transactions: SentTransaction[]): Record<string, unknown> {
  return { command, ...extra, transactions };
}

export function providerCommand(): Command {
  const provider = new Command("provider").description("provider actions: register, list GPUs, stake, bid, run jobs, get paid");

  withJson(
    provider
      .command("register")
      .description("register this account as a provider (offline, reputation 5000, no stake)")
      .option("--metadata-uri <uri>", "where your off-chain profile lives (at most 256 bytes)", "")
      .option("--region <code>", "your region as an ISO 3166-1 numeric country code (0 = unspecified)", "0"),
  ).action(async (opts: { metadataUri: string; region: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const region = parseInteger(opts.region, "--region", 0n, 65_535n);
      const { ctx, me } = await connectSigner();
      const { sent } = await send(out, "register", () => ctx.protocol.registry.register(opts.metadataUri, region));
      out.result(txResult("provider register", { provider: me, region: Number(region), metadataURI: opts.metadataUri }, [sent]), [
        `Registered ${me} as a provider (region ${region}, offline).`,
        "Next: stake GRL (gridlease provider stake <GRL>), list GPUs (gridlease provider gpu set <model> --count <n>), go online.",
      ]);
    }),
  );

  const gpu = provider.command("gpu").description("your GPU inventory: one line per model");
  withJson(
    gpu
      .command("set")
      .description("add or replace your inventory line for a GPU model of the catalogue")
      .argument("<model>", `GPU model: ${GPU_MODELS.map((m) => m.name).join(", ")}`)
      .requiredOption("--count <n>", "GPUs of this model you list")
      .option("--vram <gb>", "memory per GPU in GB (default: the model's)")
      .option("--tflops <tflops>", "benchmark TFLOPS per GPU, up to 2 decimals (default: the model's)"),
  ).action(async (name: string, opts: { count: string; vram?: string; tflops?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const { id, spec } = parseGpuModel(name);
      const count = parseInteger(opts.count, "--count", 1n, 0xffff_ffffn);
      const vram = opts.vram === undefined ? BigInt(spec.vramGb) : parseInteger(opts.vram, "--vram", 1n, 0xffff_ffffn);
      const tflops = opts.tflops === undefined ? BigInt(tflopsX100(spec.tflops)) : parseTflopsX100(opts.tflops);
      const { ctx, me } = await connectSigner();
      const { sent } = await send(out, "set GPU line", () => ctx.protocol.registry.setGpuLine(id, count, vram, tflops));
      const listed = (await ctx.protocol.registry.providerOf(me)).listedGpus;
      out.result(
        txResult(
          "provider gpu set",
          { provider: me, model: spec.name, count: Number(count), vramGb: Number(vram), tflops: formatAmount(tflops, 2), listedGpus: Number(listed) },
          [sent],
        ),
        `Listed ${count}x ${spec.name} (${vram} GB, ${formatAmount(tflops, 2)} TFLOPS each); ${listed} GPUs listed in total.`,
      );
    }),
  );
  withJson(
    gpu.command("remove").description("remove your inventory line for a model (none of its GPUs may be leased)").argument("<model>", "GPU model"),
  ).action(async (name: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const { id, spec } = parseGpuModel(name);
      const { ctx, me } = await connectSigner();
      const { sent } = await send(out, "remove GPU line", () => ctx.protocol.registry.removeGpuLine(id));
      out.result(txResult("provider gpu remove", { provider: me, model: spec.name }, [sent]), `Removed your ${spec.name} line.`);
    }),
  );
  withJson(
    gpu
      .command("list")
      .description("the GPU catalogue, with your inventory lines")
      .option("--address <address>", "whose inventory (default: the GRIDLEASE_PRIVATE_KEY account)"),
  ).action(async (opts: { address?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const ctx = await connect({ needsSigner: false });
      const who = opts.address === undefined ? ctx.account : parseAddress(opts.address, "--address");
      const lines = await Promise.all(
        GPU_MODELS.map(async (model) => {
          const line = who === undefined ? undefined : await ctx.protocol.registry.gpuLineOf(who, parseGpuModel(model.name).id);
          return {
            model: model.name,
            catalogueVramGb: model.vramGb,
            catalogueTflops: model.tflops,
            listed: line === undefined ? 0 : Number(line.count),
            leased: line === undefined ? 0 : Number(line.leased),
            vramGb: line === undefined || line.count === 0n ? null : Number(line.vramGb),
            tflops: line === undefined || line.count === 0n ? null : formatAmount(line.tflopsX100, 2),
          };
        }),
      );
      out.result({ command: "provider gpu list", provider: who ?? null, models: lines }, [
        `GPU catalogue${who === undefined ? "" : ` and the inventory of ${who}`}:`,
        ...table(
          lines.map((l) => [
            l.model,
            `${l.catalogueVramGb} GB, ${l.catalogueTflops} TFLOPS` +
              (l.listed === 0 ? "" : `  | listed ${l.listed} (${l.leased} leased), ${l.vramGb} GB, ${l.tflops} TFLOPS`),
          ]),
        ),
      ]);
    }),
  );

  withJson(
    provider
      .command("stake")
      .description("add GRL to your free stake (approves the registry first, or signs an EIP-2612 permit with --permit)")
      .argument("<grl>", "amount of GRL, e.g. 1000 or 250.5")
      .option("--permit", "use a permit signature instead of a separate approval (one transaction)"),
  ).action(async (amountText: string, opts: { permit?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const amount = parseGrl(amountText, "The stake");
      const { ctx, me } = await connectSigner();
      const { token, registry } = ctx.protocol;
      const balance = await token.balanceOf(me);
      if (balance < amount) {
        throw new CliError("INSUFFICIENT_BALANCE", `You have ${formatGrl(balance)} and asked to stake ${formatGrl(amount)}: get more GRL first.`, {
          exitCode: EXIT_USAGE,
        });
      }
      const registryAddress = await registry.getAddress();
      const hints = { token: { symbol: "GRL", decimals: 18 } };
      const transactions: SentTransaction[] = [];
      if (opts.permit === true) {
        const permit = await permitFor(signerOf(ctx), token, registryAddress, amount, await chainNow(ctx));
        transactions.push(
          (await send(out, "stake with permit", () => registry.stakeWithPermit(amount, permit.deadline, permit.v, permit.r, permit.s), hints)).sent,
        );
      } else {
        // The approval comes first: simulate the stake (registered, amount) before sending anything.
        await simulate("stake", (overrides) => registry.stake.staticCall(amount, overrides), hints);
        const approval = await ensureAllowance(out, token, me, registryAddress, amount, "approve GRL", hints);
        if (approval !== undefined) transactions.push(approval);
        transactions.push((await send(out, "stake", () => registry.stake(amount), hints)).sent);
      }
      const state = await registry.providerOf(me);
      out.result(
        txResult("provider stake", { provider: me, staked: formatEther(amount), freeStake: formatEther(state.freeStake) }, transactions),
        `Staked ${formatGrl(amount)}; free stake now ${formatGrl(state.freeStake)}.`,
      );
    }),
  );
  withJson(
    provider
      .command("unbond")
      .description("move free stake into unbonding (withdrawable after the unbonding period, 7 days by default)")
      .argument("<grl>", "amount of GRL"),
  ).action(async (amountText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const amount = parseGrl(amountText, "The amount to unbond");
      const { ctx, me } = await connectSigner();
      const [p, required] = await Promise.all([ctx.protocol.registry.providerOf(me), ctx.protocol.registry.requiredStakeOf(me)]);
      if (p.registered) {
        // Free stake may leave only as far as free + locked stake still covers the listed GPUs.
        const cover = p.freeStake + p.lockedStake - required;
        const max = cover < 0n ? 0n : cover < p.freeStake ? cover : p.freeStake;
        if (amount > max) {
          const why =
            max === p.freeStake
              ? `your free stake is ${formatGrl(p.freeStake)}`
              : `${formatGrl(required)} must stay bonded for your ${p.listedGpus} listed GPUs (free ${formatGrl(p.freeStake)}, locked ${formatGrl(p.lockedStake)})`;
          throw new CliError(
            "UNBOND_TOO_LARGE",
            `You can unbond at most ${formatGrl(max)} now: ${why}. ` +
              (max === 0n
                ? "List fewer GPUs (gridlease provider gpu set/remove) or wait for locked stake to be released, then retry."
                : `Run \`gridlease provider unbond ${formatAmount(max, 18)}\`, or list fewer GPUs first to unbond more.`) +
              " Nothing was sent.",
            { exitCode: EXIT_USAGE, details: { maxUnbond: formatEther(max), freeStake: formatEther(p.freeStake), requiredForListedGpus: formatEther(required) } },
          );
        }
      }
      const { sent } = await send(out, "request unbond", () => ctx.protocol.registry.requestUnbond(amount));
      const state = await ctx.protocol.registry.providerOf(me);
      out.result(
        txResult(
          "provider unbond",
          { provider: me, unbonding: formatEther(state.unbondingStake), unlocksAt: Number(state.unbondingUnlocksAt) },
          [sent],
        ),
        `${formatGrl(state.unbondingStake)} unbonding, withdrawable from ${formatTime(state.unbondingUnlocksAt)}.`,
      );
    }),
  );
  withJson(provider.command("withdraw-stake").description("withdraw your unbonded stake once it has unlocked")).action(
    async (_opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const { ctx, me } = await connectSigner();
        const before = (await ctx.protocol.registry.providerOf(me)).unbondingStake;
        const { sent } = await send(out, "withdraw stake", () => ctx.protocol.registry.withdraw());
        out.result(txResult("provider withdraw-stake", { provider: me, withdrawn: formatEther(before) }, [sent]), `Withdrew ${formatGrl(before)} of stake.`);
      }),
  );

  for (const [name, online] of [["online", true], ["offline", false]] as const) {
    withJson(
      provider.command(name).description(online ? "accept new jobs (needs listed GPUs covered by stake)" : "stop accepting new jobs (running jobs continue)"),
    ).action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const { ctx, me } = await connectSigner();
        const { sent } = await send(out, `go ${name}`, () => ctx.protocol.registry.setOnline(online));
        out.result(txResult(`provider ${name}`, { provider: me, online }, [sent]), `${me} is now ${name}.`);
      }),
    );
  }

  withJson(
    provider
      .command("bid")
      .description("commit a sealed bid on an auction job; the price and a random salt are saved locally for the reveal")
      .argument("<jobId>", "the job")
      .argument("<price>", "your price per GPU-hour in dollars, at most the job's maximum price (e.g. 1.45)")
      .option("--salt-file <path>", SALT_FILE_HELP),
  ).action(async (jobIdText: string, priceText: string, opts: { saltFile?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      if (!/^\$?\d+(\.\d+)?$/.test(priceText.trim())) throw invalidInput(`The price must be a dollar amount such as 1.45, got "${priceText}".`);
      const { ctx } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const price = parseDollars(priceText, loaded.token.decimals, "The price");
      const result = await commitSealedBid(ctx, out, loaded, price, bidFilePath(opts.saltFile));
      out.result(
        txResult(
          "provider bid",
          {
            jobId,
            pricePerGpuHour: formatAmount(price, loaded.token.decimals),
            commitment: result.commitment,
            saltFile: result.saltFile,
            revealFrom: Number(loaded.job.bidDeadline),
            revealUntil: Number(loaded.job.revealDeadline),
          },
          [result.transaction],
        ),
        [
          `Committed a sealed bid of ${formatUsd(price, loaded.token.decimals)} per GPU-hour on job #${jobId}; salt saved in ${result.saltFile}.`,
          `Reveal it between ${formatTime(loaded.job.bidDeadline, loaded.now)} and ${formatTime(loaded.job.revealDeadline, loaded.now)}: gridlease provider reveal ${jobId}`,
        ],
      );
    }),
  );
  withJson(
    provider
      .command("reveal")
      .description("reveal your sealed bid on a job (between its bid and reveal deadlines), from the saved salt")
      .argument("<jobId>", "the job")
      .option("--salt-file <path>", SALT_FILE_HELP),
  ).action(async (jobIdText: string, opts: { saltFile?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const result = await revealSavedBid(ctx, out, loaded, bidFilePath(opts.saltFile));
      out.result(
        txResult("provider reveal", { jobId, pricePerGpuHour: formatAmount(result.price, loaded.token.decimals), isBest: result.isBest }, [
          result.transaction,
        ]),
        `Revealed ${formatUsd(result.price, loaded.token.decimals)} per GPU-hour on job #${jobId}: ` +
          `${result.isBest ? "currently the best bid" : "not the best bid"}.`,
      );
    }),
  );
  withJson(
    provider
      .command("accept")
      .description("accept an instant job at its price (first eligible provider wins)")
      .argument("<jobId>", "the job")
      .option("--start", "start the job in the same transaction (leases your GPUs now; one transaction instead of two)"),
  ).action(async (jobIdText: string, opts: { start?: boolean }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx, me } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      if (!isInstant(loaded.job)) {
        throw new CliError("WRONG_PRICING_RULE", `Job #${jobId} is an auction: bid on it with \`gridlease provider bid ${jobId} <price>\`.`, {
          exitCode: EXIT_USAGE,
        });
      }
      const start = opts.start === true;
      const { sent } = await send(
        out,
        start ? "accept and start instant job" : "accept instant job",
        () => (start ? ctx.protocol.market.acceptInstantAndStart(jobId) : ctx.protocol.market.acceptInstant(jobId)),
        { priceDecimals: loaded.token.decimals, now: loaded.now },
      );
      const job = await ctx.protocol.market.jobOf(jobId);
      const price = formatUsd(job.clearingPrice, loaded.token.decimals);
      const fields = { jobId, provider: me, pricePerGpuHour: formatAmount(job.clearingPrice, loaded.token.decimals) };
      if (start) {
        out.result(
          txResult("provider accept", { ...fields, startedAt: Number(job.startedAt), deliverBy: Number(job.deadline) }, [sent]),
          `Accepted and started job #${jobId} at ${price} per GPU-hour; deliver before ${formatTime(job.deadline, job.startedAt)}: ` +
            `gridlease provider deliver ${jobId} --uri <uri> --file <result>`,
        );
        return;
      }
      out.result(
        txResult("provider accept", { ...fields, startDeadline: Number(job.deadline) }, [sent]),
        `Accepted job #${jobId} at ${price} per GPU-hour; start it before ` +
          `${formatTime(job.deadline, loaded.now)}: gridlease provider start ${jobId}`,
      );
    }),
  );
  withJson(
    provider
      .command("start")
      .description(
        "start a job you won, before its start deadline (leases your GPUs); an auction you lead whose reveal window " +
          "is over is awarded to you and started in the same transaction",
      )
      .argument("<jobId>", "the job"),
  ).action(async (jobIdText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx, me } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      // Nobody has closed the auction yet: the leader closes it and starts at once (awardAndStart).
      const leader = loaded.job.provider.toLowerCase() === me.toLowerCase();
      const award = loaded.state === "Revealing" && loaded.now >= loaded.job.revealDeadline && leader;
      if ((loaded.state === "Bidding" || loaded.state === "Revealing") && !isInstant(loaded.job) && !award) {
        const opens = loaded.job.revealDeadline;
        const window = loaded.state === "Bidding" ? "still taking bids" : "in its reveal window";
        throw new CliError(
          "WRONG_WINDOW",
          leader || loaded.now < opens
            ? `Job #${jobId} is ${window}: it can be awarded and started from ${formatTime(opens, loaded.now)}, when the reveal ` +
                `window closes${leader ? "" : ", by the best bidder"}. Try again then: gridlease provider start ${jobId}. Nothing was sent.`
            : `Job #${jobId}'s auction is over and ${me} is not its best bidder: only the winner starts it. Nothing was sent.`,
          { exitCode: EXIT_USAGE, details: { state: loaded.state, opensAt: Number(opens) } },
        );
      }
      const { sent } = await send(
        out,
        award ? "award and start job" : "start job",
        () => (award ? ctx.protocol.market.awardAndStart(jobId) : ctx.protocol.market.startJob(jobId)),
        { now: loaded.now },
      );
      const job = await ctx.protocol.market.jobOf(jobId);
      const fields = { jobId, awarded: award, startedAt: Number(job.startedAt), deliverBy: Number(job.deadline) };
      out.result(
        txResult("provider start", award ? { ...fields, pricePerGpuHour: formatAmount(job.clearingPrice, loaded.token.decimals) } : fields, [sent]),
        `${award ? `Won the auction at ${formatUsd(job.clearingPrice, loaded.token.decimals)} per GPU-hour and started` : "Started"} job #${jobId}; ` +
          `deliver before ${formatTime(job.deadline, job.startedAt)}: gridlease provider deliver ${jobId} --uri <uri> --file <result>`,
      );
    }),
  );
  withJson(
    provider
      .command("deliver")
      .description("deliver a job's result (hash + URI); opens the renter's challenge window")
      .argument("<jobId>", "the job")
      .requiredOption("--uri <uri>", "where the result is (at most 256 bytes)")
      .option("--hash <bytes32>", "the result's hash")
      .option("--file <path>", "hash this file's contents (keccak256) as the result hash"),
  ).action(async (jobIdText: string, opts: { uri: string; hash?: string; file?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      if ((opts.hash === undefined) === (opts.file === undefined)) throw invalidInput("Pass exactly one of --hash <bytes32> or --file <path>.");
      let resultHash: string;
      if (opts.hash !== undefined) resultHash = parseBytes32(opts.hash, "--hash");
      else {
        try {
          resultHash = keccak256(readFileSync(opts.file as string));
        } catch (error) {
          throw invalidInput(`Cannot read the result file ${opts.file}: ${(error as Error).message}.`);
        }
      }
      if (/^0x0{64}$/.test(resultHash)) throw invalidInput("The result hash must not be zero.");
      if (Buffer.byteLength(opts.uri, "utf8") > 256) throw invalidInput(`--uri is ${Buffer.byteLength(opts.uri, "utf8")} bytes; at most 256 are allowed.`);
      const { ctx } = await connectSigner();
      const loaded = await loadJob(ctx, jobId);
      const { sent } = await send(out, "deliver", () => ctx.protocol.market.deliver(jobId, resultHash, opts.uri), { now: loaded.now });
      const job = await ctx.protocol.market.jobOf(jobId);
      out.result(
        txResult("provider deliver", { jobId, resultHash, resultURI: opts.uri, challengeDeadline: Number(job.deadline) }, [sent]),
        `Delivered job #${jobId}; the renter may dispute until ${formatTime(job.deadline, job.deliveredAt)}, then anyone may settle it.`,
      );
    }),
  );
  withJson(provider.command("claim").description("release the pay accrued so far on a job (less the 20% holdback)").argument("<jobId>", "the job")).action(
    async (jobIdText: string, _opts: unknown, cmd: Command) =>
      run(cmd, async (out) => {
        const jobId = parseJobId(jobIdText);
        const { ctx } = await connectSigner();
        const loaded = await loadJob(ctx, jobId);
        const { receipt, sent } = await send(out, "claim", () => ctx.protocol.market.claim(jobId), { now: loaded.now });
        let gross = 0n;
        let fee = 0n;
        for (const log of receipt.logs) {
          const parsed = ctx.protocol.market.interface.parseLog({ topics: [...log.topics], data: log.data });
          if (parsed?.name === "PaymentClaimed") {
            gross = parsed.args.gross as bigint;
            fee = parsed.args.fee as bigint;
          }
        }
        const d = loaded.token.decimals;
        out.result(
          txResult("provider claim", { jobId, gross: formatAmount(gross, d), fee: formatAmount(fee, d), net: formatAmount(gross - fee, d), token: loaded.token.symbol }, [sent]),
          `Claimed ${formatAmount(gross - fee, d)} ${loaded.token.symbol} on job #${jobId} (fee ${formatAmount(fee, d)}); ` +
            (loaded.token.kind === "credits" ? "it is in your USD earnings" : "it is in your market ledger") +
            ": gridlease provider withdraw",
        );
      }),
  );
  withJson(
    provider
      .command("close-bid")
      .description("release the stake locked by a losing (or forfeit an unrevealed) bid once the auction closed")
      .argument("<jobId>", "the job")
      .option("--provider <address>", "whose bid (default: yours)"),
  ).action(async (jobIdText: string, opts: { provider?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const jobId = parseJobId(jobIdText);
      const { ctx, me } = await connectSigner();
      const bidder = opts.provider === undefined ? me : parseAddress(opts.provider, "--provider");
      const { sent } = await send(out, "close bid", () => ctx.protocol.market.closeBid(jobId, bidder));
      out.result(txResult("provider close-bid", { jobId, provider: bidder }, [sent]), `Closed the bid of ${bidder} on job #${jobId}.`);
    }),
  );
  withJson(
    provider
      .command("withdraw")
      .description(
        "withdraw your pay: stablecoin from the market ledger, GRL dispute bonds won on credit jobs, and USD earnings (credit jobs) as GRL",
      )
      .option("--to <address>", "recipient (default: your account)"),
  ).action(async (opts: { to?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const { ctx, me } = await connectSigner();
      const to = opts.to === undefined ? me : parseAddress(opts.to, "--to");
      // Independent steps: each one's outcome is reported, and a failure of one does not hide the others.
      type Step<T> = { ok: true; value: T | undefined } | { ok: false; error: ReturnType<typeof describeError> };
      const attempt = async <T>(f: () => Promise<T | undefined>): Promise<Step<T>> => {
        try {
          return { ok: true, value: await f() };
        } catch (error) {
          return { ok: false, error: describeError(error) };
        }
      };
      const ledgerStep = await attempt(() => withdrawMarketLedger(ctx, out, me, to));
      const bondsStep = await attempt(() => withdrawBondLedger(ctx, out, me, to));
      const earningsStep = await attempt(() => withdrawEarnings(ctx, out, me, to));
      const ledger = ledgerStep.ok ? ledgerStep.value : undefined;
      const bonds = bondsStep.ok ? bondsStep.value : undefined;
      const earnings = earningsStep.ok ? earningsStep.value : undefined;
      const failed = [
        ...(ledgerStep.ok ? [] : [{ step: "market ledger (stablecoin)", error: ledgerStep.error }]),
        ...(bondsStep.ok ? [] : [{ step: "market ledger (GRL dispute bonds)", error: bondsStep.error }]),
        ...(earningsStep.ok ? [] : [{ step: "USD earnings as GRL", error: earningsStep.error }]),
      ];
      if (ledger === undefined && bonds === undefined && earnings === undefined) {
        if (failed.length > 0) {
          const first = failed[0].error;
          throw new CliError(first.code, failed.map((f) => `withdrawing the ${f.step} failed: ${f.error.message}`).join("; "), {
            exitCode: first.exitCode,
            contractError: first.contractError,
          });
        }
        throw new CliError(
          "NOTHING_TO_WITHDRAW",
          `${me} has nothing to withdraw: no stablecoin or GRL in the market ledger and no USD earnings. Nothing was sent.`,
          { exitCode: EXIT_USAGE },
        );
      }
      const transactions = [ledger?.transaction, bonds?.transaction, earnings?.transaction].filter((t): t is SentTransaction => t !== undefined);
      const warnings = failed.map((f) => ({ step: f.step, code: f.error.code, message: f.error.message }));
      const steps = {
        ledger: ledgerStep.ok ? (ledger === undefined ? "nothing to withdraw" : "withdrawn") : "failed",
        bonds: bondsStep.ok ? (bonds === undefined ? "nothing to withdraw" : "withdrawn") : "failed",
        earnings: earningsStep.ok ? (earnings === undefined ? "nothing to withdraw" : "withdrawn") : "failed",
      };
      out.result(
        txResult("provider withdraw", { account: me, to, steps, ledger: ledger ?? null, bonds: bonds ?? null, earnings: earnings ?? null, warnings }, transactions),
        [
          ...describeWithdrawals(ledger, earnings, bonds),
          ...warnings.map((w) => `warning: withdrawing the ${w.step} failed, nothing of it was withdrawn: ${w.message}`),
        ],
      );
    }),
  );

  withJson(
    provider
      .command("status")
      .description("your provider profile: stake, reputation, GPUs, balances and saved bids")
      .option("--address <address>", "whose status (default: the GRIDLEASE_PRIVATE_KEY account)")
      .option("--salt-file <path>", SALT_FILE_HELP),
  ).action(async (opts: { address?: string; saltFile?: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const ctx = await connect({ needsSigner: false });
      const who = opts.address === undefined ? ctx.account : parseAddress(opts.address, "--address");
      if (who === undefined) throw new CliError("MISSING_ADDRESS", "Pass --address <address>, or set GRIDLEASE_PRIVATE_KEY.", { exitCode: EXIT_USAGE });
      const { registry, market, settlement, token } = ctx.protocol;
      const [p, required, grl, eth, earnings] = await Promise.all([
        registry.providerOf(who),
        registry.requiredStakeOf(who),
        token.balanceOf(who),
        ctx.provider.getBalance(who),
        settlement.earningsOf(who),
      ]);
      const stablecoin = ctx.stablecoin;
      const ledger = stablecoin === undefined ? 0n : await market.balanceOf(await stablecoin.getAddress(), who);
      const stableDecimals = stablecoin === undefined ? 6 : Number(await stablecoin.decimals());
      const gpus = [];
      for (const model of GPU_MODELS) {
        const line = await registry.gpuLineOf(who, parseGpuModel(model.name).id);
        if (line.count !== 0n) {
          gpus.push({ model: model.name, count: Number(line.count), leased: Number(line.leased), vramGb: Number(line.vramGb), tflops: formatAmount(line.tflopsX100, 2) });
        }
      }
      const saved = bidsOf(bidFilePath(opts.saltFile), ctx.chainId, await market.getAddress(), who).map((b) => ({
        jobId: b.jobId,
        priceUnits: b.price,
        committed: b.commitTx !== undefined,
      }));
      const data = {
        command: "provider status",
        provider: who,
        registered: p.registered,
        online: p.online,
        region: Number(p.region),
        reputation: Number(p.reputation),
        listedGpus: Number(p.listedGpus),
        stake: {
          free: formatEther(p.freeStake),
          locked: formatEther(p.lockedStake),
          unbonding: formatEther(p.unbondingStake),
          unbondingUnlocksAt: p.unbondingUnlocksAt === 0n ? null : Number(p.unbondingUnlocksAt),
          requiredForListedGpus: formatEther(required),
        },
        gpus,
        balances: {
          eth: formatEther(eth),
          grl: formatEther(grl),
          marketLedgerStablecoin: formatAmount(ledger, stableDecimals),
          usdEarnings: formatAmount(earnings, CREDIT_DECIMALS),
        },
        savedBids: saved,
      };
      if (!p.registered) {
        out.result(data, `${who} is not a registered provider: gridlease provider register`);
        return;
      }
      out.result(data, [
        `Provider ${who}`,
        ...table([
          ["status", `${p.online ? "online" : "offline"}, region ${p.region}, reputation ${p.reputation}/10000`],
          ["GPUs", gpus.length === 0 ? "none listed" : gpus.map((g) => `${g.count}x ${g.model} (${g.leased} leased)`).join(", ")],
          ["stake", `${formatGrl(p.freeStake)} free, ${formatGrl(p.lockedStake)} locked, ${formatGrl(p.unbondingStake)} unbonding`],
          ["required", `${formatGrl(required)} bonded for the listed GPUs`],
          ["wallet", `${formatGrl(grl)}, ${formatEther(eth)} ETH`],
          ["to withdraw", `${formatAmount(ledger, stableDecimals)} USDC (market ledger), ${formatUsd(earnings, CREDIT_DECIMALS)} of earnings (as GRL)`],
          ["to reveal", saved.length === 0 ? "no sealed bids waiting" : saved.map((b) => `job #${b.jobId}`).join(", ")],
        ]),
      ]);
    }),
  );

  return provider;
}
