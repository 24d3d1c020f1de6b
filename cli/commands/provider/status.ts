// `gridlease provider status`: the provider's profile, stake, GPUs, balances and the sealed bids saved locally.
import type { Command } from "commander";
import { formatEther } from "ethers";

import { CREDIT_DECIMALS, formatAmount, formatGrl, formatUsd, GPU_MODELS } from "../../../sdk/index.ts";
import { bidFilePath, bidsOf, SALT_FILE_HELP } from "../../lib/bids.ts";
import { run, withJson } from "../../lib/command.ts";
import { connect } from "../../lib/context.ts";
import { CliError, EXIT_USAGE } from "../../lib/errors.ts";
import { table } from "../../lib/output.ts";
import { parseAddress, parseGpuModel } from "../../lib/parse.ts";

/** Adds `provider status`. */
export function addStatusCommand(provider: Command): void {
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
      if (who === undefined)
        throw new CliError("MISSING_ADDRESS", "Pass --address <address>, or set GRIDLEASE_PRIVATE_KEY.", {
          exitCode: EXIT_USAGE,
        });
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
          gpus.push({
            model: model.name,
            count: Number(line.count),
            leased: Number(line.leased),
            vramGb: Number(line.vramGb),
            tflops: formatAmount(line.tflopsX100, 2),
          });
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
          [
            "GPUs",
            gpus.length === 0
              ? "none listed"
              : gpus.map((g) => `${g.count}x ${g.model} (${g.leased} leased)`).join(", "),
          ],
          [
            "stake",
            `${formatGrl(p.freeStake)} free, ${formatGrl(p.lockedStake)} locked, ${formatGrl(p.unbondingStake)} unbonding`,
          ],
          ["required", `${formatGrl(required)} bonded for the listed GPUs`],
          ["wallet", `${formatGrl(grl)}, ${formatEther(eth)} ETH`],
          [
            "to withdraw",
            `${formatAmount(ledger, stableDecimals)} USDC (market ledger), ${formatUsd(earnings, CREDIT_DECIMALS)} of earnings (as GRL)`,
          ],
          ["to reveal", saved.length === 0 ? "no sealed bids waiting" : saved.map((b) => `job #${b.jobId}`).join(", ")],
        ]),
      ]);
    }),
  );
}
