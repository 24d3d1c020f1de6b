// Gas per registry and token operation, measured from transaction receipts on the optimised
// production build. Used by `npm run gas` (scripts/gas/registry.ts) and `npm run bench`.
import { network } from "hardhat";

import { gpuModelId, signPermit, tflopsX100 } from "../../../sdk/index.ts";
import { GasTable } from "../measure.ts";

const GRL = 10n ** 18n;

/** Deploys the GRL token and the registry on a fresh in-process chain and measures every registry call. */
export async function registryGas(): Promise<GasTable> {
  const { ethers, networkHelpers } = await network.create();
  const [admin, market, provider, renter] = await ethers.getSigners();

  const token = await ethers.deployContract("GridleaseToken", [admin.address, admin.address, 1_000_000_000n * GRL]);
  const registry = await ethers.deployContract("ProviderRegistry", [
    await token.getAddress(),
    admin.address,
    200n * GRL,
    7n * 24n * 3600n,
  ]);
  await registry.grantRole(await registry.MARKET_ROLE(), market.address);
  await token.transfer(provider.address, 100_000n * GRL);

  const table = new GasTable();
  const measure = table.measure.bind(table);

  const asProvider = registry.connect(provider);
  const asMarket = registry.connect(market);
  const H100 = gpuModelId("H100");
  const RTX4090 = gpuModelId("RTX4090");

  await measure("token.approve", token.connect(provider).approve(await registry.getAddress(), ethers.MaxUint256));
  await measure(
    "register",
    asProvider.register("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", 840),
  );
  await measure(
    "updateProfile",
    asProvider.updateProfile("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", 276),
  );
  await measure("stake (first)", asProvider.stake(5_000n * GRL));
  await measure("stake (top-up)", asProvider.stake(1_000n * GRL));
  await measure("setGpuLine (new model)", asProvider.setGpuLine(H100, 8, 80, tflopsX100(989.5)));
  await measure("setGpuLine (change count)", asProvider.setGpuLine(H100, 10, 80, tflopsX100(989.5)));
  await measure("setGpuLine (second model)", asProvider.setGpuLine(RTX4090, 2, 24, tflopsX100(82.6)));
  await measure("removeGpuLine", asProvider.removeGpuLine(RTX4090));
  await measure("setOnline(true)", asProvider.setOnline(true));
  await measure("setOnline(false)", asProvider.setOnline(false));
  await asProvider.setOnline(true);
  await measure("requestUnbond (first)", asProvider.requestUnbond(500n * GRL));
  await measure("requestUnbond (add)", asProvider.requestUnbond(100n * GRL));
  await measure("cancelUnbond", asProvider.cancelUnbond());
  await asProvider.requestUnbond(600n * GRL);
  await networkHelpers.time.increase(7 * 24 * 3600);
  await measure("withdraw", asProvider.withdraw());

  // Permit path: sign an EIP-2612 permit and stake in one transaction.
  // A fixed deadline keeps the calldata, and so the gas, the same on every run (a deadline taken from the
  // clock changes how many calldata bytes are zero).
  const deadline = ethers.MaxUint256;
  await token.connect(provider).approve(await registry.getAddress(), 0n);
  const { v, r, s } = await signPermit(provider, token, {
    owner: provider.address,
    spender: await registry.getAddress(),
    value: 1_000n * GRL,
    deadline,
  });
  await measure("stakeWithPermit", asProvider.stakeWithPermit(1_000n * GRL, deadline, v, r, s));

  // Market-side operations (the job market will call these).
  await measure(
    "lockIfEligible (new lock)",
    asMarket.lockIfEligible(provider.address, 1n, 300n * GRL, H100, 4, 80, 0, 0),
  );
  await measure("unlockCollateral (partial)", asMarket.unlockCollateral(provider.address, 1n, 100n * GRL));
  await measure("leaseGpus", asMarket.leaseGpus(provider.address, H100, 4));
  await measure("releaseGpus", asMarket.releaseGpus(provider.address, H100, 4));
  await measure(
    "unlockAndRecordSuccess (amount 0)",
    asMarket.unlockAndRecordSuccess(provider.address, 1n, 0n, 100n * 10n ** 18n),
  );
  await measure("recordFault", asMarket.recordFault(provider.address));
  await measure("slash (to renter + burn)", asMarket.slash(provider.address, 1n, 60n * GRL, renter.address, 40n * GRL));

  return table;
}
