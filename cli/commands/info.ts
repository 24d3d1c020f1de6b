// `gridlease info`: what the CLI is connected to (endpoint, chain, deployment, account) and the
// protocol's live figures a user needs before acting (GRL price, minimum stake, fees, windows).
import { Command } from "commander";
import { formatEther } from "ethers";

import { run, withJson } from "../lib/command.ts";
import { connect } from "../lib/context.ts";
import { formatBps, formatDuration, formatGrl, formatUsd } from "../../sdk/index.ts";
import { table } from "../lib/output.ts";

export function infoCommand(): Command {
  const info = withJson(
    new Command("info").description("the connection (RPC, chain, deployment, account) and the protocol's parameters"),
  );
  info.action(async (_opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const ctx = await connect({ needsSigner: false });
      const { market, registry, oracle } = ctx.protocol;
      const params = await market.marketParams(await market.currentParamsId());
      const [minStake, unbonding, paused] = await Promise.all([
        registry.minStakePerGpu(),
        registry.unbondingPeriod(),
        market.paused(),
      ]);
      // A stale or broken feed must not stop `info` from showing the rest.
      const price = await oracle.grlUsdPrice().catch(() => undefined);
      const data = {
        command: "info",
        rpcUrl: ctx.rpcUrl,
        chainId: ctx.chainId,
        deployment: ctx.deploymentFolder,
        addresses: ctx.addresses,
        account: ctx.account ?? null,
        grlUsdPrice: price === undefined ? null : formatEther(price),
        paused,
        minStakePerGpu: formatEther(minStake),
        unbondingPeriodSeconds: Number(unbonding),
        market: {
          feeBps: Number(params.feeBps),
          collateralBps: Number(params.collateralBps),
          holdbackBps: Number(params.holdbackBps),
          disputeBondBps: Number(params.disputeBondBps),
          maxBids: Number(params.maxBids),
          bidBond: formatEther(params.bidBond),
          bidBondBps: Number(params.bidBondBps),
          startWindowSeconds: Number(params.startWindow),
          challengeWindowSeconds: Number(params.challengeWindow),
          disputeTimeoutSeconds: Number(params.disputeTimeout),
          deliveryGraceSeconds: Number(params.deliveryGrace),
        },
      };
      out.result(data, [
        "Gridlease",
        ...table([
          ["RPC", `${ctx.rpcUrl} (chain ${ctx.chainId})`],
          ["deployment", ctx.deploymentFolder],
          ["market", ctx.addresses.JobMarket],
          ["account", ctx.account ?? "none (set GRIDLEASE_PRIVATE_KEY to act)"],
          [
            "GRL price",
            price === undefined ? "unavailable (the feed is stale or out of bounds)" : formatUsd(price, 18),
          ],
          ["new business", paused ? "paused by the guardian" : "open"],
          ["min stake", `${formatGrl(minStake)} per listed GPU; unbonding ${formatDuration(unbonding)}`],
          [
            "fee",
            `${formatBps(params.feeBps)} of pay; holdback ${formatBps(params.holdbackBps)}; collateral ${formatBps(params.collateralBps)} of the job value`,
          ],
          [
            "bid bond",
            `${formatBps(params.bidBondBps)} of the job value in GRL, at least ${formatGrl(params.bidBond)}`,
          ],
          [
            "windows",
            `start ${formatDuration(params.startWindow)}, challenge ${formatDuration(params.challengeWindow)}, dispute ${formatDuration(params.disputeTimeout)}`,
          ],
        ]),
      ]);
    }),
  );
  return info;
}
