// `gridlease provider gpu set|remove|list`: the provider's GPU inventory, one line per model of the catalogue.
import type { Command } from "commander";

import { formatAmount, GPU_MODELS, tflopsX100 } from "../../../sdk/index.ts";
import { run, withJson } from "../../lib/command.ts";
import { connect, connectSigner } from "../../lib/context.ts";
import { table } from "../../lib/output.ts";
import { parseAddress, parseGpuModel, parseInteger, parseTflopsX100 } from "../../lib/parse.ts";
import { send } from "../../lib/tx.ts";
import { txResult } from "./tx-result.ts";

/** Adds `provider gpu` and its set, remove and list sub-commands. */
export function addGpuCommands(provider: Command): void {
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
          {
            provider: me,
            model: spec.name,
            count: Number(count),
            vramGb: Number(vram),
            tflops: formatAmount(tflops, 2),
            listedGpus: Number(listed),
          },
          [sent],
        ),
        `Listed ${count}x ${spec.name} (${vram} GB, ${formatAmount(tflops, 2)} TFLOPS each); ${listed} GPUs listed in total.`,
      );
    }),
  );
  withJson(
    gpu
      .command("remove")
      .description("remove your inventory line for a model (none of its GPUs may be leased)")
      .argument("<model>", "GPU model"),
  ).action(async (name: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const { id, spec } = parseGpuModel(name);
      const { ctx, me } = await connectSigner();
      const { sent } = await send(out, "remove GPU line", () => ctx.protocol.registry.removeGpuLine(id));
      out.result(
        txResult("provider gpu remove", { provider: me, model: spec.name }, [sent]),
        `Removed your ${spec.name} line.`,
      );
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
          const line =
            who === undefined ? undefined : await ctx.protocol.registry.gpuLineOf(who, parseGpuModel(model.name).id);
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
}
