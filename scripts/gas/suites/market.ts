// Gas of every market entry point and of whole job lifecycles (stablecoin path), on the optimised
// production build, with the protocol deployed by the same Ignition module `npm start` uses. Used by
// `npm run gas` (scripts/gas/market.ts) and `npm run bench`.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id, parseUnits, Wallet, type JsonRpcApiProvider, type Signer } from "ethers";
import { network } from "hardhat";

import GridleaseLocal from "../../../ignition/modules/GridleaseLocal.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import {
  bidCommitment,
  gpuModelId,
  PricingRule,
  Ruling,
  tflopsX100,
  workloadSpecHash,
  type PricingRuleName,
} from "../../../sdk/index.ts";
import { connectLocalDeployment } from "../local-protocol.ts";
import { GasTable, requireSameExecution } from "../measure.ts";

const GRL = 10n ** 18n;
const USDC = 10n ** 6n;
const HOUR = 3600;
const BID_COUNTS = [1, 8, 32];
/** The workload every measured job runs (a fixed hash, so the calldata is the same on every run). */
const SPEC_HASH = workloadSpecHash("gas-bench");

/**
 * The measured lifecycles, by name: pricing rule, and whether the provider starts in the transaction
 * that awards it (awardAndStart for an auction, acceptInstantAndStart for an instant job).
 */
export const LIFECYCLES = [
  ["first-price", "FirstPrice", false],
  ["second-price", "SecondPrice", false],
  ["instant", "Instant", false],
  ["first-price (award+start)", "FirstPrice", true],
  ["second-price (award+start)", "SecondPrice", true],
  ["instant (accept+start)", "Instant", true],
] as const satisfies readonly (readonly [string, PricingRuleName, boolean])[];

/** A lifecycle's "core" steps: create .. settle, without the mid-job claim and the withdrawals. */
export const MARKET_CORE = [
  "createJob",
  "commitBid",
  "revealBid",
  "award",
  "awardAndStart",
  "acceptInstant",
  "acceptInstantAndStart",
  "startJob",
  "deliver",
  "settle",
];

/** Gas of the market's entry points and lifecycles; the per-step gas and tx hashes of each lifecycle. */
export interface MarketGas {
  table: GasTable;
  /** Per lifecycle (LIFECYCLES' names): gas per step label. */
  lifecycles: Record<string, Record<string, number>>;
  /** The same steps' transaction hashes, on `provider`'s chain (for traces). */
  lifecycleHashes: Record<string, Record<string, string>>;
  provider: JsonRpcApiProvider;
  /** Deployed contracts by Ignition name (lower-case address -> name), to name call targets in traces. */
  contracts: Record<string, string>;
}

/** Deploys the protocol on a fresh in-process chain and measures the market (stablecoin jobs). */
export async function marketGas(): Promise<MarketGas> {
  const { ethers, ignition, networkHelpers } = await network.create();
  const [deployer, renter] = await ethers.getSigners();
  const deployment = await ignition.deploy(GridleaseLocal);
  const { token, registry, market, usdc, feed, settlement } = await connectLocalDeployment(deployment, deployer);
  const H100 = gpuModelId("H100");

  /** Providers with deterministic keys: 8 H100 each, 10,000 GRL staked, online. */
  const providers: Signer[] = [];
  for (let i = 0; i < Math.max(...BID_COUNTS); i++) {
    const wallet = new Wallet(id(`gridlease-gas-provider-${i}`), ethers.provider);
    await networkHelpers.setBalance(wallet.address, 10n ** 20n);
    await (await token.transfer(wallet.address, 10_000n * GRL)).wait();
    await (await token.connect(wallet).approve(await registry.getAddress(), 10_000n * GRL)).wait();
    await (await registry.connect(wallet).register("ipfs://gas-bench", 840)).wait();
    await (await registry.connect(wallet).stake(10_000n * GRL)).wait();
    await (await registry.connect(wallet).setGpuLine(H100, 8, 80, tflopsX100(989.5))).wait();
    await (await registry.connect(wallet).setOnline(true)).wait();
    providers.push(wallet);
  }
  await (await usdc.mint(renter.address, 10_000_000n * USDC)).wait();
  await (await usdc.connect(renter).approve(await market.getAddress(), 2n ** 255n)).wait();

  /** Job creation reads the oracle: republish the price after time jumps so it is never stale. */
  async function freshPrice(): Promise<void> {
    await (await feed.setAnswer(50_000_000n)).wait();
  }

  function request(rule: PricingRuleName): IJobMarket.JobRequestStruct {
    return {
      paymentToken: usdc.target as string,
      gpuModel: H100,
      gpuCount: 4,
      minVramGb: 80,
      region: 0,
      minReputation: 0,
      duration: 10 * HOUR,
      reservePricePerGpuHour: parseUnits("2.00", 6),
      pricingRule: PricingRule.valueOf(rule),
      bidWindow: HOUR,
      revealWindow: rule === "Instant" ? 0 : HOUR,
      specHash: SPEC_HASH,
    };
  }

  function salt(i: number): string {
    return id(`salt-${i}`);
  }

  const chainId = (await ethers.provider.getNetwork()).chainId;
  const marketAddress = await market.getAddress();

  /** A sealed bid's commitment, computed locally (it binds the job's spec hash). */
  async function commitmentOf(jobId: bigint, provider: Signer, price: bigint, bidSalt: string): Promise<string> {
    return bidCommitment(jobId, await provider.getAddress(), price, bidSalt, chainId, marketAddress, SPEC_HASH);
  }

  const scratch = new GasTable();
  const table = new GasTable();

  /** Creates an auction job, has `bidders` providers commit and reveal, and returns the job id. */
  async function auctionWithBids(t: GasTable, rule: PricingRuleName, bidders: number, label = ""): Promise<bigint> {
    await freshPrice();
    await t.measure(`createJob${label}`, market.connect(renter).createJob(request(rule)));
    const jobId = await market.jobCount();
    for (let i = 0; i < bidders; i++) {
      const price = parseUnits("1.50", 6) + BigInt(i) * 1_000n;
      const commitment = await commitmentOf(jobId, providers[i], price, salt(i));
      await t.measure(`commitBid${label}`, market.connect(providers[i]).commitBid(jobId, commitment));
    }
    const job = await market.jobOf(jobId);
    await networkHelpers.time.increaseTo(job.bidDeadline);
    for (let i = 0; i < bidders; i++) {
      const price = parseUnits("1.50", 6) + BigInt(i) * 1_000n;
      await t.measure(`revealBid${label}`, market.connect(providers[i]).revealBid(jobId, price, salt(i)));
    }
    await networkHelpers.time.increaseTo(job.revealDeadline);
    return jobId;
  }

  /**
   * One full job: auction (or instant accept), start, claim halfway, deliver, settle, both withdrawals.
   * `startAtAward`: the provider starts in the transaction that awards it (awardAndStart after an
   * auction, acceptInstantAndStart for an instant job).
   */
  async function lifecycle(t: GasTable, rule: PricingRuleName, label: string, startAtAward = false): Promise<number> {
    const start = Object.keys(t.gas).length;
    let jobId: bigint;
    if (rule === "Instant") {
      await freshPrice();
      await t.measure(`createJob${label}`, market.connect(renter).createJob(request("Instant")));
      jobId = await market.jobCount();
      if (startAtAward) {
        await t.measure(`acceptInstantAndStart${label}`, market.connect(providers[0]).acceptInstantAndStart(jobId));
      } else {
        await t.measure(`acceptInstant${label}`, market.connect(providers[0]).acceptInstant(jobId));
      }
    } else {
      jobId = await auctionWithBids(t, rule, 1, label);
      if (startAtAward) {
        await t.measure(`awardAndStart${label}`, market.connect(providers[0]).awardAndStart(jobId));
      } else {
        await t.measure(`award${label}`, market.award(jobId));
      }
    }
    if (!startAtAward) await t.measure(`startJob${label}`, market.connect(providers[0]).startJob(jobId));
    await networkHelpers.time.increase(5 * HOUR);
    await t.measure(`claim${label}`, market.connect(providers[0]).claim(jobId));
    await networkHelpers.time.increase(5 * HOUR);
    await t.measure(`deliver${label}`, market.connect(providers[0]).deliver(jobId, id("result"), "ipfs://result"));
    await networkHelpers.time.increase(24 * HOUR);
    await t.measure(`settle${label}`, market.settle(jobId));
    await t.measure(
      `withdraw (provider)${label}`,
      market.connect(providers[0]).withdraw(usdc.target, await providers[0].getAddress()),
    );
    if ((await market.balanceOf(usdc.target, renter.address)) > 0n) {
      await t.measure(`withdraw (renter)${label}`, market.connect(renter).withdraw(usdc.target, renter.address));
    }
    return Object.values(t.gas)
      .slice(start)
      .reduce((a, b) => a + b, 0);
  }

  // Whole lifecycles: the core (MARKET_CORE) and the whole, with the claim and the withdrawals.
  const lifecycles: Record<string, Record<string, number>> = {};
  const lifecycleHashes: Record<string, Record<string, string>> = {};
  const totals: Record<string, { core: number; all: number }> = {};

  /**
   * Moves to just before `epoch` and runs a warm-up job whose settle lands just inside it: it opens the
   * epoch's emission book and the provider's GPU-seconds slot, and drains the renter's ledger, so the
   * lifecycles measured after it (34-36 hours each) pay the same steady-state price (without it, the
   * first settle of an epoch pays ~36k more).
   */
  async function warmUp(epoch: bigint): Promise<void> {
    await networkHelpers.time.increaseTo((await settlement.epochStart(epoch)) - 30n * BigInt(HOUR));
    await lifecycle(scratch, "FirstPrice", "");
    if ((await settlement.currentEpoch()) !== epoch) throw new Error(`the warm-up did not settle in epoch ${epoch}`);
  }

  /** Measures the named lifecycle and records it; returns its core gas less calldata gas. */
  async function measureLifecycle(name: (typeof LIFECYCLES)[number][0], record = true): Promise<number> {
    const [, rule, startAtAward] = LIFECYCLES.find(([n]) => n === name)!;
    const t = new GasTable();
    const all = await lifecycle(t, rule, "", startAtAward);
    if (record) {
      const core = Object.entries(t.gas)
        .filter(([label]) => MARKET_CORE.includes(label))
        .reduce((sum, [, used]) => sum + used, 0);
      totals[name] = { core, all };
      lifecycles[name] = { ...t.gas };
      lifecycleHashes[name] = { ...t.hashes };
    }
    return t.executionGas(MARKET_CORE);
  }

  async function requireEpoch(epoch: bigint): Promise<void> {
    if ((await settlement.currentEpoch()) !== epoch)
      throw new Error(`the lifecycles measured in epoch ${epoch} ran past it`);
  }

  // Epoch 1 (one week) holds the warm-up and four lifecycles; the two award+start ones are measured at
  // the end, in a later epoch. The single-operation rows are the first-price lifecycle's steps, not a run
  // of their own, so that all of this fits in the week.
  await warmUp(1n);
  await measureLifecycle("first-price");
  const secondPriceExecution = await measureLifecycle("second-price");
  await measureLifecycle("instant");
  await measureLifecycle("instant (accept+start)");
  await requireEpoch(1n);
  // Single operations, steady state: the first-price lifecycle's steps and the two instant accepts.
  for (const [label, used] of Object.entries(lifecycles["first-price"])) table.record(label, used);
  table.record("acceptInstant", lifecycles["instant"].acceptInstant);
  table.record("acceptInstantAndStart", lifecycles["instant (accept+start)"].acceptInstantAndStart);

  // Award cost against the number of revealed bids: it must stay flat. Each award credits the renter a
  // refund; leave the renter a balance first so every award finds that ledger slot already non-zero.
  await freshPrice();
  await market.connect(renter).createJob(request("FirstPrice"));
  await market.connect(renter).cancelJob(await market.jobCount());
  const awardGas: number[] = [];
  for (const bids of BID_COUNTS) {
    const jobId = await auctionWithBids(scratch, "FirstPrice", bids);
    awardGas.push(await table.measure(`award (${bids} bids)`, market.award(jobId)));
    // Close the losing bids so their locks return (and measure a release once).
    for (let i = 1; i < bids; i++) {
      const used = await scratch.measure("closeBid", market.closeBid(jobId, await providers[i].getAddress()));
      if (bids === 8 && i === 1) table.record("closeBid (revealed loser)", used);
    }
    await market.connect(providers[0]).startJob(jobId);
    await market.connect(renter).stopJob(jobId);
  }
  table.record("award gas ratio 32 bids / 1 bid (x1000)", Math.round((awardGas[2] / awardGas[0]) * 1000));

  // Side paths.
  {
    const jobId = await auctionWithBids(scratch, "FirstPrice", 2);
    await market.award(jobId);
    await table.measure("startJob (then stopped)", market.connect(providers[0]).startJob(jobId));
    await networkHelpers.time.increase(3 * HOUR);
    await table.measure("stopJob", market.connect(renter).stopJob(jobId));
  }
  {
    await freshPrice();
    await market.connect(renter).createJob(request("FirstPrice"));
    const jobId = await market.jobCount();
    const commitment = await commitmentOf(jobId, providers[1], 1_000_000n, salt(1));
    await market.connect(providers[1]).commitBid(jobId, commitment);
    await networkHelpers.time.increase(2 * HOUR);
    await market.award(jobId);
    await table.measure("closeBid (forfeit unrevealed bond)", market.closeBid(jobId, await providers[1].getAddress()));
  }
  {
    await freshPrice();
    await market.connect(renter).createJob(request("Instant"));
    const jobId = await market.jobCount();
    await market.connect(providers[2]).acceptInstant(jobId);
    await networkHelpers.time.increase(2 * HOUR);
    await table.measure("failJob (no-show)", market.failJob(jobId));
  }
  {
    await freshPrice();
    await market.connect(renter).createJob(request("Instant"));
    const jobId = await market.jobCount();
    await market.connect(providers[3]).acceptInstant(jobId);
    await market.connect(providers[3]).startJob(jobId);
    await networkHelpers.time.increase(10 * HOUR);
    await market.connect(providers[3]).deliver(jobId, id("result"), "ipfs://result");
    await table.measure("dispute", market.connect(renter).dispute(jobId, id("evidence")));
    await table.measure(
      "resolveDispute (provider fault)",
      market.connect(deployer as HardhatEthersSigner).resolveDispute(jobId, Ruling.valueOf("ProviderFault")),
    );
  }
  await freshPrice();
  await market.connect(renter).createJob(request("FirstPrice"));
  await table.measure("cancelJob", market.connect(renter).cancelJob(await market.jobCount()));

  // The award+start lifecycles, in the next epoch that leaves room for a warm-up. The second-price
  // lifecycle runs again there first, as a control (its commitment and salt differ with the job id, so
  // only its calldata may cost differently); the reported second-price figures stay epoch 1's.
  const now = BigInt(await networkHelpers.time.latest());
  let epoch = (await settlement.currentEpoch()) + 1n;
  if ((await settlement.epochStart(epoch)) - 30n * BigInt(HOUR) <= now) epoch++;
  await warmUp(epoch);
  requireSameExecution(
    "second-price lifecycle",
    secondPriceExecution,
    await measureLifecycle("second-price", false),
    `epoch ${epoch}`,
  );
  await measureLifecycle("first-price (award+start)");
  await measureLifecycle("second-price (award+start)");
  await requireEpoch(epoch);
  table.record("awardAndStart", lifecycles["first-price (award+start)"].awardAndStart);
  for (const [name] of LIFECYCLES) {
    table.record(`lifecycle ${name}, core (create..settle)`, totals[name].core);
    table.record(`lifecycle ${name}, with claim + withdrawals`, totals[name].all);
  }

  const contracts: Record<string, string> = {};
  for (const [name, contract] of Object.entries(deployment))
    contracts[(await contract.getAddress()).toLowerCase()] = name;
  // The module the market delegate-calls for disputes, failures, exits and closeBid (not an Ignition future).
  contracts[(await market.DISPUTES()).toLowerCase()] = "marketDisputes";
  return { table, lifecycles, lifecycleHashes, provider: ethers.provider as unknown as JsonRpcApiProvider, contracts };
}
