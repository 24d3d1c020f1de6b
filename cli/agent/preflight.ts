// The agent's preflight: what the provider account lacks to ever win a job, each problem with the command
// that fixes it. `gridlease agent` refuses to start on any; `gridlease node` on a missing registration only.
import { formatGrl } from "../../sdk/index.ts";
import { signerOf, type Context } from "../lib/context.ts";
import { parseGpuModel } from "../lib/parse.ts";
import type { Policy } from "./policy.ts";

/**
 * What the account lacks to ever bid: registration, GPUs of the policy's models, stake, being online.
 * Each problem comes with the command that fixes it.
 */
export async function agentPreflight(ctx: Context, policy: Policy): Promise<string[]> {
  const me = signerOf(ctx).address;
  const registry = ctx.protocol.registry;
  const p = await registry.providerOf(me);
  if (!p.registered) {
    return [
      `${me} is not a registered provider: gridlease provider register --region <ISO 3166-1 numeric code>`,
      `then list GPUs (gridlease provider gpu set <model> --count <n>), stake GRL (gridlease provider stake <GRL>) and go online (gridlease provider online)`,
    ];
  }
  const problems: string[] = [];
  const models = [...policy.floors.keys()];
  const lines = await Promise.all(
    models.map(async (name) => ({ name, line: await registry.gpuLineOf(me, parseGpuModel(name).id) })),
  );
  const listed = lines.filter((l) => l.line.count > l.line.leased);
  if (listed.length === 0) {
    problems.push(
      `no free GPUs of the policy's models (${models.join(", ")}) are listed: gridlease provider gpu set ${models[0] ?? "<model>"} --count <n>`,
    );
  }
  const [required, perGpu] = await Promise.all([registry.requiredStakeOf(me), registry.minStakePerGpu()]);
  const bonded = p.freeStake + p.lockedStake;
  const needed = required === 0n ? perGpu : required;
  if (p.freeStake === 0n || bonded < needed) {
    problems.push(
      `not enough stake: ${formatGrl(p.freeStake)} free and ${formatGrl(p.lockedStake)} locked, ${formatGrl(needed)} needed for the listed GPUs ` +
        `(plus bid bonds and collateral): gridlease provider stake <GRL>`,
    );
  }
  if (!p.online) problems.push("offline, so no job can be won: gridlease provider online");
  return problems;
}
