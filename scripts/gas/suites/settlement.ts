// Gas of the burn-mint settlement: credit purchases, credit jobs end to end, earnings withdrawn as GRL
// (minted at once or queued past the epoch's mint cap), the mint queue and epoch emissions. Optimised
// production build, protocol deployed by the Ignition module `npm start` uses. Used by `npm run gas`
// (scripts/gas/settlement.ts) and `npm run bench`.
//
// Timeline (1-week epochs from the deployment):
//   epoch 0  purchases; a big credit job (the "whale" provider) and a small one settle; one withdrawal
//   epoch 1  credit-job lifecycles; withdrawals within the cap; the whale's withdrawal overruns the cap
//   epoch 2  emissions of epochs 0 and 1 claimed; the queue released and claimed
//   epoch 3  a claim that itself releases the epoch's cap
// Every measured figure is a steady-state one unless its label says otherwise: a warm-up call first sets
// the storage (totals, epoch books, balances) that a live protocol has long since written.
import { id, parseUnits, Wallet, type JsonRpcApiProvider, type Signer } from "ethers";
import { network } from "hardhat";

import GridleaseLocal from "../../../ignition/modules/GridleaseLocal.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import {
  bidCommitment,
  gpuModelId,
  PricingRule,
  signPermit,
  tflopsX100,
  workloadSpecHash,
  type PricingRuleName,
} from "../../../sdk/index.ts";
import { connectLocalDeployment } from "../local-protocol.ts";
import { GasTable, requireSameExecution } from "../measure.ts";
import { LIFECYCLES } from "./market.ts";

const GRL = 10n ** 18n;
const HOUR = 3600;
/** Feed answers (8 decimals): the GRL price of the run, and a crash that makes one withdrawal overrun the cap. */
const PRICE_050 = 50_000_000n;
const PRICE_001 = 1_000_000n;
/** The workload every measured credit job runs (a fixed hash, so the calldata is the same on every run). */
const SPEC_HASH = workloadSpecHash("gas-bench");

/** A credit-job lifecycle's "core" steps: create .. settle, without the mid-job claim. */
export const CREDIT_CORE = [
  "createJob (credits)",
  "commitBid (credits)",
  "revealBid (credits)",
  "award (credits, refund of the excess)",
  "awardAndStart (credits, refund of the excess)",
  "acceptInstant (credits)",
  "acceptInstantAndStart (credits)",
  "startJob (credits)",
  "deliver (credits)",
  "settle (credit job)",
];

/** Gas of the settlement's calls and of credit-job lifecycles; per-step gas and hashes of each lifecycle. */
export interface SettlementGas {
  table: GasTable;
  /** Per lifecycle (the market suite's LIFECYCLES names): gas per step label. */
  lifecycles: Record<string, Record<string, number>>;
  lifecycleHashes: Record<string, Record<string, string>>;
  provider: JsonRpcApiProvider;
  /** Deployed contracts by Ignition name (lower-case address -> name), to name call targets in traces. */
  contracts: Record<string, string>;
}

/** Deploys the protocol on a fresh in-process chain and measures the settlement and credit jobs. */
export async function settlementGas(): Promise<SettlementGas> {
  const { ethers, ignition, networkHelpers } = await network.create();
  const [deployer, renter, warmBuyer, permitBuyer, bigRenter] = await ethers.getSigners();
  const deployment = await ignition.deploy(GridleaseLocal);
  const { token, registry, market, settlement, feed } = await connectLocalDeployment(deployment, deployer);
  const credits = await settlement.getAddress();
  const H100 = gpuModelId("H100");
  const treasury = await market.treasury();
  if (treasury !== deployer.address)
    throw new Error("the gas run expects the deployer as treasury (Ignition's default)");

  /**
   * A provider with a deterministic key: 8 H100, `stake` GRL staked, online, and 100 GRL left in its wallet
   * so that GRL minted to it lands on a non-zero balance (as for any provider that was paid before).
   */
  async function onboard(name: string, stake: bigint): Promise<Signer> {
    const wallet = new Wallet(id(`gridlease-gas-settlement-${name}`), ethers.provider);
    await networkHelpers.setBalance(wallet.address, 10n ** 20n);
    await (await token.transfer(wallet.address, stake + 100n * GRL)).wait();
    await (await token.connect(wallet).approve(await registry.getAddress(), stake)).wait();
    await (await registry.connect(wallet).register("ipfs://gas-bench", 840)).wait();
    await (await registry.connect(wallet).stake(stake)).wait();
    await (await registry.connect(wallet).setGpuLine(H100, 8, 80, tflopsX100(989.5))).wait();
    await (await registry.connect(wallet).setOnline(true)).wait();
    return wallet;
  }
  const provider = await onboard("provider", 10_000n * GRL);
  const smallProvider = await onboard("small", 10_000n * GRL);
  // Collateral is 30% of a job's GRL value: the whale's $40,000 job at $0.50 locks 24,000 GRL.
  const whale = await onboard("whale", 30_000n * GRL);

  /** Reading the price needs an answer younger than the oracle's heartbeat (1 day): republish after time jumps. */
  async function setPrice(answer: bigint): Promise<void> {
    await (await feed.setAnswer(answer)).wait();
  }

  /** Moves to just after the start of `epoch`, so each phase runs inside one epoch whatever the wall clock did. */
  async function enterEpoch(epoch: bigint): Promise<void> {
    await networkHelpers.time.increaseTo((await settlement.epochStart(epoch)) + 60n);
  }

  async function requireEpoch(epoch: bigint, phase: string): Promise<void> {
    const current = await settlement.currentEpoch();
    if (current !== epoch) throw new Error(`${phase} ran into epoch ${current}, expected ${epoch}: shorten it`);
  }

  function request(
    rule: PricingRuleName,
    gpuCount = 4,
    durationHours = 2,
    reserve = "2.00",
  ): IJobMarket.JobRequestStruct {
    return {
      paymentToken: credits,
      gpuModel: H100,
      gpuCount,
      minVramGb: 80,
      region: 0,
      minReputation: 0,
      duration: durationHours * HOUR,
      reservePricePerGpuHour: parseUnits(reserve, 18),
      pricingRule: PricingRule.valueOf(rule),
      bidWindow: HOUR,
      revealWindow: rule === "Instant" ? 0 : HOUR,
      specHash: SPEC_HASH,
    };
  }

  const scratch = new GasTable();
  const table = new GasTable();

  // ---------------------------------------------------------------------------------------------------
  // Epoch 0: credit purchases
  // ---------------------------------------------------------------------------------------------------
  await setPrice(PRICE_050);
  await (await token.transfer(renter.address, 200_000n * GRL)).wait();
  await (await token.transfer(warmBuyer.address, 1_000n * GRL)).wait();
  await (await token.transfer(permitBuyer.address, 1_000n * GRL)).wait();
  // An unlimited approval is never decremented, so the renter's later purchases need no new approval.
  await (await token.connect(warmBuyer).approve(credits, ethers.MaxUint256)).wait();
  await (await token.connect(renter).approve(credits, ethers.MaxUint256)).wait();
  // Warm-up: the protocol's first purchase also writes the cumulative totals from zero.
  await scratch.measure("buyCredits", settlement.connect(warmBuyer).buyCredits(warmBuyer.address, 100n * GRL, 0n));
  await table.measure(
    "buyCredits (first purchase)",
    settlement.connect(renter).buyCredits(renter.address, 100_000n * GRL, 0n),
  );
  await table.measure("buyCredits (top-up)", settlement.connect(renter).buyCredits(renter.address, 1_000n * GRL, 0n));
  {
    // A first purchase with no approval transaction at all: the permit is the whole onboarding.
    // A fixed deadline keeps the calldata, and so the gas, the same on every run (a deadline taken from
    // the clock changes how many calldata bytes are zero).
    const deadline = ethers.MaxUint256;
    const { v, r, s } = await signPermit(permitBuyer, token, {
      owner: permitBuyer.address,
      spender: credits,
      value: 1_000n * GRL,
      deadline,
    });
    await table.measure(
      "buyCreditsWithPermit (first purchase)",
      settlement.connect(permitBuyer).buyCreditsWithPermit(permitBuyer.address, 1_000n * GRL, 0n, deadline, v, r, s),
    );
  }

  // ---------------------------------------------------------------------------------------------------
  // Epoch 0: a $40,000 credit job for the whale and a small one, both delivered in epoch 0 (so epoch 0 has
  // two emission claimants), and one withdrawal so that minting for earnings is not new in epoch 1.
  // ---------------------------------------------------------------------------------------------------
  {
    // The whale's job is paid with credits bought at $0.01 by a renter of its own, so that its earnings'
    // GRL cap (the GRL burned for those credits, see ISettlement "Cost basis") lets its withdrawal at
    // $0.01 exceed the epoch's mint cap and queue; the job itself is created at $0.50.
    await setPrice(PRICE_001);
    await (await token.transfer(bigRenter.address, 4_020_000n * GRL)).wait();
    await (await token.connect(bigRenter).approve(credits, ethers.MaxUint256)).wait();
    await (await settlement.connect(bigRenter).buyCredits(bigRenter.address, 4_020_000n * GRL, 40_000n * GRL)).wait();
    await setPrice(PRICE_050);
    await (await market.connect(bigRenter).createJob(request("Instant", 8, 25, "200.00"))).wait();
    const bigJob = await market.jobCount();
    await (await market.connect(renter).createJob(request("Instant", 8, 25, "2.00"))).wait();
    const smallJob = await market.jobCount();
    await (await market.connect(whale).acceptInstant(bigJob)).wait();
    await (await market.connect(smallProvider).acceptInstant(smallJob)).wait();
    await (await market.connect(whale).startJob(bigJob)).wait();
    await (await market.connect(smallProvider).startJob(smallJob)).wait();
    await networkHelpers.time.increase(25 * HOUR);
    await (await market.connect(whale).deliver(bigJob, id("result"), "ipfs://result")).wait();
    await (await market.connect(smallProvider).deliver(smallJob, id("result"), "ipfs://result")).wait();
    await networkHelpers.time.increase(24 * HOUR);
    await (await market.settle(bigJob)).wait();
    await (await market.settle(smallJob)).wait();
    await setPrice(PRICE_050);
    await (await settlement.connect(smallProvider).withdrawEarnings(await smallProvider.getAddress())).wait();
    await requireEpoch(0n, "epoch 0");
  }

  // ---------------------------------------------------------------------------------------------------
  // Epoch 1: credit-job lifecycles
  // ---------------------------------------------------------------------------------------------------
  await enterEpoch(1n);

  /**
   * One credit job: auction (or instant accept), start, claim halfway, deliver, settle. `startAtAward`:
   * the provider starts in the transaction that awards it (awardAndStart after an auction,
   * acceptInstantAndStart for an instant job).
   */
  async function lifecycle(t: GasTable, rule: PricingRuleName, startAtAward = false): Promise<void> {
    await setPrice(PRICE_050);
    await t.measure("createJob (credits)", market.connect(renter).createJob(request(rule)));
    const jobId = await market.jobCount();
    if (startAtAward && rule === "Instant") {
      await t.measure("acceptInstantAndStart (credits)", market.connect(provider).acceptInstantAndStart(jobId));
    } else if (rule === "Instant") {
      await t.measure("acceptInstant (credits)", market.connect(provider).acceptInstant(jobId));
    } else {
      const price = parseUnits("1.50", 18);
      const salt = id(`salt-${jobId}`);
      const commitment = bidCommitment(
        jobId,
        await provider.getAddress(),
        price,
        salt,
        (await ethers.provider.getNetwork()).chainId,
        await market.getAddress(),
        SPEC_HASH,
      );
      await t.measure("commitBid (credits)", market.connect(provider).commitBid(jobId, commitment));
      const job = await market.jobOf(jobId);
      await networkHelpers.time.increaseTo(job.bidDeadline);
      await t.measure("revealBid (credits)", market.connect(provider).revealBid(jobId, price, salt));
      await networkHelpers.time.increaseTo(job.revealDeadline);
      if (startAtAward) {
        await t.measure("awardAndStart (credits, refund of the excess)", market.connect(provider).awardAndStart(jobId));
      } else {
        await t.measure("award (credits, refund of the excess)", market.award(jobId));
      }
    }
    if (!startAtAward) await t.measure("startJob (credits)", market.connect(provider).startJob(jobId));
    await networkHelpers.time.increase(HOUR);
    await t.measure("claim (credit job)", market.connect(provider).claim(jobId));
    await networkHelpers.time.increase(HOUR);
    await t.measure("deliver (credits)", market.connect(provider).deliver(jobId, id("result"), "ipfs://result"));
    await networkHelpers.time.increase(24 * HOUR);
    await t.measure("settle (credit job)", market.settle(jobId));
  }

  // Warm-up: the epoch's first settlement opens its emission book and the provider's GPU-seconds slot.
  await lifecycle(scratch, "FirstPrice");
  // Single operations, steady state.
  await lifecycle(table, "FirstPrice");

  // Whole lifecycles: create, commit, reveal, award (or accept), start, deliver, settle (CREDIT_CORE); the
  // claim is left out.
  const lifecycles: Record<string, Record<string, number>> = {};
  const lifecycleHashes: Record<string, Record<string, string>> = {};
  const cores: Record<string, number> = {};
  /** Measures the named credit lifecycle and records it; returns its core gas less calldata gas. */
  async function measureLifecycle(name: (typeof LIFECYCLES)[number][0], record = true): Promise<number> {
    const [, rule, startAtAward] = LIFECYCLES.find(([n]) => n === name)!;
    const t = new GasTable();
    await lifecycle(t, rule, startAtAward);
    if (record) {
      cores[name] = Object.entries(t.gas)
        .filter(([label]) => CREDIT_CORE.includes(label))
        .reduce((sum, [, used]) => sum + used, 0);
      lifecycles[name] = { ...t.gas };
      lifecycleHashes[name] = { ...t.hashes };
    }
    return t.executionGas(CREDIT_CORE);
  }
  // Four lifecycles fit in epoch 1 with the warm-up and the single operations; the two award+start
  // ones are measured in epoch 4, below.
  await measureLifecycle("first-price");
  const secondPriceExecution = await measureLifecycle("second-price");
  await measureLifecycle("instant");
  await measureLifecycle("instant (accept+start)");
  await requireEpoch(1n, "the epoch-1 lifecycles");

  // ---------------------------------------------------------------------------------------------------
  // Epoch 1: withdrawals
  // ---------------------------------------------------------------------------------------------------
  await setPrice(PRICE_050);
  await table.measure(
    "withdrawEarnings (mint now, first mint of the epoch)",
    settlement.withdrawEarnings(treasury), // the treasury's fees
  );
  await table.measure(
    "withdrawEarnings (mint now, within cap)",
    settlement.connect(provider).withdrawEarnings(await provider.getAddress()),
  );
  // At $0.01 the whale's $39,000 of earnings are 3.9M GRL against a 1M GRL cap: about 1M minted now
  // and 2.9M queued, which the next epochs' caps release.
  await setPrice(PRICE_001);
  await table.measure(
    "withdrawEarnings (partly queued, new ticket)",
    settlement.connect(whale).withdrawEarnings(await whale.getAddress()),
  );
  await setPrice(PRICE_050);
  const ticketId = await settlement.ticketCount();
  await requireEpoch(1n, "the epoch-1 withdrawals");

  // ---------------------------------------------------------------------------------------------------
  // Epoch 2: emissions and the queue
  // ---------------------------------------------------------------------------------------------------
  await enterEpoch(2n);
  // A claim reads the price (the cap is the GRL worth of the provider's fees): republish it.
  await setPrice(PRICE_050);
  // Warm-up: the very first emission claim writes the cumulative total from zero.
  await scratch.measure("claimEmission", settlement.claimEmission(0n, await whale.getAddress()));
  await table.measure("claimEmission", settlement.claimEmission(0n, await smallProvider.getAddress()));
  await table.measure(
    "claimEmission (first claim of the epoch)",
    settlement.claimEmission(1n, await provider.getAddress()),
  );
  await table.measure("releaseQueuedMints (a full epoch's cap into custody)", settlement.releaseQueuedMints());
  await table.measure("claimQueuedMint (released earlier)", settlement.connect(whale).claimQueuedMint(ticketId));
  await requireEpoch(2n, "epoch 2");

  // ---------------------------------------------------------------------------------------------------
  // Epoch 3: a claim that releases the epoch's cap itself
  // ---------------------------------------------------------------------------------------------------
  await enterEpoch(3n);
  await table.measure(
    "claimQueuedMint (releases the epoch's cap, then claims)",
    settlement.connect(whale).claimQueuedMint(ticketId),
  );
  await table.measure("releaseQueuedMints (cap used up, nothing to release)", settlement.releaseQueuedMints());
  await requireEpoch(3n, "epoch 3");

  // The queue must still be open after epoch 3 (2.9M queued, 1M released per epoch), or the claims above
  // would not have been the ones their labels name.
  const [head, tail] = await settlement.mintQueue();
  if (head >= tail)
    throw new Error("the mint queue drained early: the partly-queued scenario needs a larger withdrawal");
  if ((await settlement.ticketOf(ticketId)).recipient !== (await whale.getAddress()))
    throw new Error("unexpected ticket");

  // ---------------------------------------------------------------------------------------------------
  // Epoch 4: the award+start credit lifecycles
  // ---------------------------------------------------------------------------------------------------
  // After a warm-up like epoch 1's, the second-price lifecycle runs again first, as a control (its
  // commitment and salt differ with the job id, so only its calldata may cost differently); the
  // reported second-price figures stay epoch 1's.
  await enterEpoch(4n);
  await lifecycle(scratch, "FirstPrice");
  requireSameExecution(
    "second-price credit lifecycle",
    secondPriceExecution,
    await measureLifecycle("second-price", false),
    "epoch 4",
  );
  await measureLifecycle("first-price (award+start)");
  await measureLifecycle("second-price (award+start)");
  await requireEpoch(4n, "the epoch-4 lifecycles");
  table.record(
    "awardAndStart (credits, refund of the excess)",
    lifecycles["first-price (award+start)"]["awardAndStart (credits, refund of the excess)"],
  );
  for (const [name] of LIFECYCLES) table.record(`credit-job lifecycle ${name}, core (create..settle)`, cores[name]);

  const contracts: Record<string, string> = {};
  for (const [name, contract] of Object.entries(deployment))
    contracts[(await contract.getAddress()).toLowerCase()] = name;
  // The module the market delegate-calls for disputes, failures, exits and closeBid (not an Ignition future).
  contracts[(await market.DISPUTES()).toLowerCase()] = "marketDisputes";
  return { table, lifecycles, lifecycleHashes, provider: ethers.provider as unknown as JsonRpcApiProvider, contracts };
}
