// Onboarding a provider (register, stake, list its GPUs, go online): the same transactions for an
// honest provider and for an adversary's.
import { MaxUint256 } from "ethers";

import { gpuModelId, tflopsX100 } from "../../sdk/index.ts";
import type { SimContext } from "../context.ts";
import { REGIONS } from "../market-data.ts";
import { reserveGpus, type SimProvider } from "../world.ts";

const GRL = 10n ** 18n;

/** The stake a provider keeps bonded: the per-GPU minimum for its inventory plus its margin. */
export function targetStake(ctx: SimContext, p: SimProvider): bigint {
  const gpus = BigInt(p.profile.lines.reduce((sum, l) => sum + l.count, 0));
  return ctx.params.minStakePerGpu * gpus + p.profile.stakeMarginGrl * GRL;
}

/**
 * Onboards `p` from `at` on. Returns the time after its last transaction, and whether the provider
 * was already registered (a rerun on the same chain).
 */
export async function onboard(
  ctx: SimContext,
  p: SimProvider,
  at: number,
): Promise<{ time: number; resumed: boolean }> {
  const { registry, token } = ctx.protocol;
  const existing = await registry.providerOf(p.address);
  await ctx.chain.enlist(p.address);
  if (existing.registered) {
    // A rerun on the same chain: the provider keeps its registration, stake and reputation, and the
    // GPUs still leased to jobs of the earlier run stay out of its reach.
    p.onboarded = true;
    p.online = existing.online;
    p.reputation = Number(existing.reputation);
    for (const l of p.profile.lines) {
      const leased = Number((await registry.gpuLineOf(p.address, gpuModelId(l.model))).leased);
      if (leased > 0) reserveGpus(p, l.model, leased);
    }
    return { time: at, resumed: true };
  }
  const stake = targetStake(ctx, p);
  const steps: [string, string, string][] = [
    [ctx.treasury, ctx.addresses.token, token.interface.encodeFunctionData("transfer", [p.address, stake])],
    [
      p.address,
      ctx.addresses.token,
      token.interface.encodeFunctionData("approve", [ctx.addresses.registry, MaxUint256]),
    ],
    [
      p.address,
      ctx.addresses.registry,
      registry.interface.encodeFunctionData("register", [
        `ipfs://gridlease-sim/${p.profile.name}`,
        REGIONS[p.profile.region],
      ]),
    ],
    [p.address, ctx.addresses.registry, registry.interface.encodeFunctionData("stake", [stake])],
    ...p.profile.lines.map((l): [string, string, string] => [
      p.address,
      ctx.addresses.registry,
      registry.interface.encodeFunctionData("setGpuLine", [
        gpuModelId(l.model),
        l.count,
        l.vramGb,
        tflopsX100(l.tflops),
      ]),
    ]),
    [p.address, ctx.addresses.registry, registry.interface.encodeFunctionData("setOnline", [true])],
  ];
  let time = at;
  for (const [from, to, data] of steps) {
    const outcome = await ctx.send(from, to, data, time, `onboard ${p.profile.name}`);
    time = outcome.timestamp + 1;
    if (!outcome.ok) {
      ctx.debug(`${p.profile.name} could not onboard: ${outcome.revert.name}`);
      return { time, resumed: false };
    }
  }
  p.onboarded = true;
  return { time, resumed: false };
}
