// Onboards a few demo providers on the deployed local protocol: funds them with GRL from the treasury,
// registers them, lists their GPUs, stakes the minimum plus a margin and takes them online.
// Idempotent: a provider already registered is left as it is.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { formatUnits } from "ethers";
import { network } from "hardhat";

import { GridleaseToken__factory, ProviderRegistry__factory } from "../types/ethers-contracts/index.js";
import { GPU_MODELS, gpuModelId, tflopsX100 } from "./lib/gpu-models.js";

interface DemoProvider {
  profile: string;
  /** ISO 3166-1 numeric country code. */
  region: number;
  gpus: { model: string; count: number }[];
}

const DEMO_PROVIDERS: DemoProvider[] = [
  { profile: "ipfs://demo/frankfurt-dc", region: 276, gpus: [{ model: "H100", count: 8 }, { model: "H200", count: 8 }] },
  { profile: "ipfs://demo/virginia-dc", region: 840, gpus: [{ model: "A100", count: 16 }, { model: "L40S", count: 8 }] },
  { profile: "ipfs://demo/gamer-rig", region: 124, gpus: [{ model: "RTX4090", count: 2 }] },
];

const { ethers } = await network.create();
const { chainId } = await ethers.provider.getNetwork();
const addresses = JSON.parse(
  readFileSync(join("ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json"), "utf8"),
) as Record<string, string>;

const signers = await ethers.getSigners();
const treasury = signers[0];
const token = GridleaseToken__factory.connect(addresses["Gridlease#GridleaseToken"], treasury);
const registry = ProviderRegistry__factory.connect(addresses["Gridlease#ProviderRegistry"], treasury);
const minStakePerGpu = await registry.minStakePerGpu();

for (const [index, demo] of DEMO_PROVIDERS.entries()) {
  const signer = signers[index + 1];
  if ((await registry.providerOf(signer.address)).registered) continue;
  const gpuCount = BigInt(demo.gpus.reduce((sum, g) => sum + g.count, 0));
  const stake = minStakePerGpu * gpuCount * 2n;

  await (await token.transfer(signer.address, stake)).wait();
  await (await token.connect(signer).approve(await registry.getAddress(), stake)).wait();
  await (await registry.connect(signer).register(demo.profile, demo.region)).wait();
  await (await registry.connect(signer).stake(stake)).wait();
  for (const { model, count } of demo.gpus) {
    const spec = GPU_MODELS.find((m) => m.name === model)!;
    await (
      await registry.connect(signer).setGpuLine(gpuModelId(model), count, spec.vramGb, tflopsX100(spec.tflops))
    ).wait();
  }
  await (await registry.connect(signer).setOnline(true)).wait();

  const lines = demo.gpus.map((g) => `${g.count}x ${g.model}`).join(", ");
  console.log(`  provider ${signer.address}  ${lines.padEnd(20)} staked ${formatUnits(stake, 18)} GRL, online`);
}
