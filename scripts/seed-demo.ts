// Brings the freshly deployed local protocol to life: funds and onboards a few demo providers
// (register, list GPUs, stake, go online), then has a renter post an instant job that one of them
// accepts and starts. Idempotent for providers: one already registered is left as it is.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { formatUnits, parseUnits } from "ethers";
import { network } from "hardhat";

import {
  GridleaseToken__factory,
  JobMarket__factory,
  MockStablecoin__factory,
  ProviderRegistry__factory,
} from "../types/ethers-contracts/index.js";
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

/** Extra GRL each provider stakes above the minimum, to back bid bonds and job collateral. */
const COLLATERAL_MARGIN = 5_000n * 10n ** 18n;
const INSTANT = 2;

const { ethers } = await network.create();
const { chainId } = await ethers.provider.getNetwork();
const addresses = JSON.parse(
  readFileSync(join("ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json"), "utf8"),
) as Record<string, string>;
function deployed(name: string): string {
  const address = addresses[`GridleaseLocal#${name}`];
  if (address === undefined) throw new Error(`${name} is not in the local deployment: run \`npm start\` to redeploy`);
  return address;
}

const signers = await ethers.getSigners();
const treasury = signers[0];
const token = GridleaseToken__factory.connect(deployed("GridleaseToken"), treasury);
const registry = ProviderRegistry__factory.connect(deployed("ProviderRegistry"), treasury);
const market = JobMarket__factory.connect(deployed("JobMarket"), treasury);
const usdc = MockStablecoin__factory.connect(deployed("MockStablecoin"), treasury);
const minStakePerGpu = await registry.minStakePerGpu();

for (const [index, demo] of DEMO_PROVIDERS.entries()) {
  const signer = signers[index + 1];
  if ((await registry.providerOf(signer.address)).registered) continue;
  const gpuCount = BigInt(demo.gpus.reduce((sum, g) => sum + g.count, 0));
  const stake = minStakePerGpu * gpuCount + COLLATERAL_MARGIN;

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

// A renter (an agent, say) rents the gamer's RTX 4090 for two hours at $0.40 per GPU-hour, instantly.
const renter = signers[10];
const gamer = signers[3];
const reserve = parseUnits("0.40", 6);
await (await usdc.mint(renter.address, parseUnits("1000", 6))).wait();
await (await usdc.connect(renter).approve(await market.getAddress(), parseUnits("1000", 6))).wait();
await (
  await market.connect(renter).createJob({
    paymentToken: await usdc.getAddress(),
    gpuModel: gpuModelId("RTX4090"),
    gpuCount: 1,
    minVramGb: 24,
    region: 0,
    minReputation: 0,
    duration: 2 * 3600,
    reservePricePerGpuHour: reserve,
    pricingRule: INSTANT,
    bidWindow: 600,
    revealWindow: 0,
  })
).wait();
const jobId = await market.jobCount();
await (await market.connect(gamer).acceptInstant(jobId)).wait();
await (await market.connect(gamer).startJob(jobId)).wait();
const job = await market.jobOf(jobId);
console.log(
  `  job #${jobId}: 1x RTX4090 for 2 h at $${formatUnits(reserve, 6)}/GPU-hour, renter ${renter.address}, ` +
    `running on ${gamer.address} (${formatUnits(job.escrow, 6)} USDC escrowed, ${formatUnits(job.collateral, 18)} GRL collateral)`,
);
