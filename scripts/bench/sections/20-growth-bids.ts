// Section 2a: award, settle and resolveDispute gas against the number of revealed bids on the job
// (1, 8, 32 and the bound). The market is deployed with marketParams.maxBids raised to the hard bound
// (256) through the Ignition parameter, so the largest case is the worst a governance vote can allow.
import { id, parseUnits, Wallet, type Signer } from "ethers";
import { network } from "hardhat";

import { DEFAULT_MARKET_PARAMS } from "../../../ignition/modules/Gridlease.ts";
import GridleaseLocal from "../../../ignition/modules/GridleaseLocal.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import { bidCommitment, gpuModelId, PricingRule, Ruling, tflopsX100, workloadSpecHash } from "../../../sdk/index.ts";
import { connectLocalDeployment } from "../../gas/local-protocol.ts";
import { FLAT_BOUND, spread, type BenchRow, type BenchSection } from "../types.ts";

const GRL = 10n ** 18n;
const USDC = 10n ** 6n;
const HOUR = 3600;
/** The market's hard bound on maxBids (JobMarket._checkBound(Parameter.MaxBids, ..., 1, 256)). */
export const MAX_BIDS = 256;
export const BID_COUNTS = [1, 8, 32, MAX_BIDS];
/** The workload every job of the section runs. */
const SPEC_HASH = workloadSpecHash("bench-growth-bids");

const section: BenchSection = {
  id: "growth-bids",
  title: "2a. Growth with the number of bids",
  async run() {
    const { ethers, ignition, networkHelpers } = await network.create();
    const [deployer, renter] = await ethers.getSigners();
    const deployment = await ignition.deploy(GridleaseLocal, {
      parameters: { GridleaseLocal: { marketParams: { ...DEFAULT_MARKET_PARAMS, maxBids: BigInt(MAX_BIDS) } } },
    });
    const { token, registry, market, usdc, feed, settlement } = await connectLocalDeployment(deployment, deployer);
    if ((await market.marketParams(await market.currentParamsId())).maxBids !== BigInt(MAX_BIDS))
      throw new Error("the maxBids parameter did not apply");
    const H100 = gpuModelId("H100");
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const marketAddress = await market.getAddress();

    // Automine: each transaction is mined when its response returns, so no receipt wait is needed while onboarding.
    const providers: Signer[] = [];
    for (let i = 0; i < MAX_BIDS; i++) {
      const wallet = new Wallet(id(`gridlease-bench-bidder-${i}`), ethers.provider);
      await networkHelpers.setBalance(wallet.address, 10n ** 20n);
      await token.transfer(wallet.address, 10_000n * GRL);
      await token.connect(wallet).approve(await registry.getAddress(), 10_000n * GRL);
      await registry.connect(wallet).register("ipfs://bench", 840);
      await registry.connect(wallet).stake(10_000n * GRL);
      await registry.connect(wallet).setGpuLine(H100, 8, 80, tflopsX100(989.5));
      await registry.connect(wallet).setOnline(true);
      providers.push(wallet);
    }
    await usdc.mint(renter.address, 10_000_000n * USDC);
    await usdc.connect(renter).approve(await market.getAddress(), 2n ** 255n);

    const request: IJobMarket.JobRequestStruct = {
      paymentToken: usdc.target as string,
      gpuModel: H100,
      gpuCount: 4,
      minVramGb: 80,
      region: 0,
      minReputation: 0,
      duration: HOUR,
      reservePricePerGpuHour: parseUnits("2.00", 6),
      pricingRule: PricingRule.valueOf("FirstPrice"),
      bidWindow: HOUR,
      revealWindow: HOUR,
      specHash: SPEC_HASH,
    };

    async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
      const receipt = await (await tx).wait();
      if (receipt === null) throw new Error("no receipt");
      return Number(receipt.gasUsed);
    }

    /** Two jobs with `bids` revealed bids each (provider 0 lowest): one settles, one is disputed and resolved. */
    async function round(bids: number): Promise<{ award: number; settle: number; resolveDispute: number }> {
      await feed.setAnswer(50_000_000n);
      await market.connect(renter).createJob(request);
      const settled = await market.jobCount();
      await market.connect(renter).createJob(request);
      const disputed = await market.jobCount();
      for (const jobId of [settled, disputed]) {
        for (let i = 0; i < bids; i++) {
          const price = parseUnits("1.50", 6) + BigInt(i) * 1_000n;
          const c = bidCommitment(
            jobId,
            await providers[i].getAddress(),
            price,
            id(`salt-${i}`),
            chainId,
            marketAddress,
            SPEC_HASH,
          );
          await market.connect(providers[i]).commitBid(jobId, c);
        }
      }
      await networkHelpers.time.increaseTo((await market.jobOf(disputed)).bidDeadline);
      for (const jobId of [settled, disputed]) {
        for (let i = 0; i < bids; i++) {
          const price = parseUnits("1.50", 6) + BigInt(i) * 1_000n;
          await market.connect(providers[i]).revealBid(jobId, price, id(`salt-${i}`));
        }
      }
      await networkHelpers.time.increaseTo((await market.jobOf(disputed)).revealDeadline);
      const award = await gasOf(market.award(settled));
      await market.award(disputed);
      for (const jobId of [settled, disputed]) await market.connect(providers[0]).startJob(jobId);
      await networkHelpers.time.increase(HOUR);
      for (const jobId of [settled, disputed]) {
        await market.connect(providers[0]).deliver(jobId, id("result"), "ipfs://result");
      }
      await market.connect(renter).dispute(disputed, id("evidence"));
      const resolveDispute = await gasOf(market.resolveDispute(disputed, Ruling.valueOf("ProviderFault")));
      await networkHelpers.time.increase(24 * HOUR);
      const settle = await gasOf(market.settle(settled));
      return { award, settle, resolveDispute };
    }

    // All rounds run inside one settlement epoch, after a warm-up round that opened its emission book and
    // wrote the balances (renter refund, provider pay, treasury fee) every later job finds set.
    const epoch = (await settlement.currentEpoch()) + 1n;
    await networkHelpers.time.increaseTo((await settlement.epochStart(epoch)) + 60n);
    await round(1);
    const results: { award: number; settle: number; resolveDispute: number }[] = [];
    for (const bids of BID_COUNTS) results.push(await round(bids));
    if ((await settlement.currentEpoch()) !== epoch) throw new Error("the rounds crossed an epoch boundary");

    const rows: BenchRow[] = (["award", "settle", "resolveDispute"] as const).map((op) => {
      const values = results.map((r) => r[op]);
      const ratio = spread(values);
      return {
        label: op === "resolveDispute" ? "resolveDispute (provider fault)" : op,
        cells: {
          ...Object.fromEntries(BID_COUNTS.map((n, i) => [`${n} bid${n === 1 ? "" : "s"}`, values[i]])),
          "largest/smallest": Number(ratio.toFixed(4)),
          flat: ratio <= FLAT_BOUND ? "yes" : "NO",
        },
        flag: ratio <= FLAT_BOUND ? undefined : `not flat: > ${FLAT_BOUND}`,
      };
    });
    return {
      status: "measured",
      tables: [
        {
          id: "bids",
          title: `Gas against the number of revealed bids (maxBids raised to ${MAX_BIDS}, the hard bound)`,
          columns: [...BID_COUNTS.map((n) => `${n} bid${n === 1 ? "" : "s"}`), "largest/smallest", "flat"],
          rows,
          notes: [
            "Provider 0 always wins at the same price; losing bids stay open (closeBid is per bid and paid by whoever " +
              "closes it, measured in section 1). Every round runs in the same epoch after a warm-up round.",
          ],
        },
      ],
    };
  },
};

export default section;
