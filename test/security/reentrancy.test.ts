import { expect } from "chai";
import type { ContractTransactionResponse, Interface } from "ethers";
import { network } from "hardhat";

import { commitBid, createJob, EVIDENCE_HASH, jobRequest, revealBid } from "../kit/jobs.ts";
import { deployMarket, JobState, PROVIDER_FAULT, RENTER_FAULT, RENTER_FUNDS } from "../kit/market.ts";
import { jobValue, RESERVE } from "../kit/money.ts";
import { GRL, H100, MIN_STAKE_PER_GPU, UNBONDING_PERIOD } from "../kit/protocol.ts";
import {
  deliverAtEnd,
  expectMarketBacksLedger,
  openEscrowOf,
  P1_5,
  P1_8,
  startJob,
} from "../market/lifecycle/helpers.ts";
import { REENTRANT_CALL, ROLE } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * test/market/lifecycle/reentrancy.test.ts re-enters every market entry point from the three points where
 * the market calls its payment token. This file covers what that leaves: the registry's stake token
 * hooks, the settlement paths of the market (which must make no token call at all), the downstream
 * books reached from inside a market call, read-only reentrancy, and ether receivers.
 */

// ---------------------------------------------------------------------------------------------------
// The registry, staked in a token that calls back on every transfer
// ---------------------------------------------------------------------------------------------------

const STAKE = 10n * MIN_STAKE_PER_GPU;

/**
 * A registry whose stake token is a ReentrantToken; `market` (an EOA) holds MARKET_ROLE. Alice is
 * registered with STAKE staked and 2 GPUs listed, online, and has a lock of 100 GRL-units on lock id 7
 * and 1,000 unbonding that is already withdrawable.
 */
async function registryFixture() {
  const [admin, market, alice, renter] = await ethers.getSigners();
  const token = await ethers.deployContract("ReentrantToken");
  const registry = await ethers.deployContract("ProviderRegistry", [
    await token.getAddress(),
    admin.address,
    MIN_STAKE_PER_GPU,
    UNBONDING_PERIOD,
  ]);
  const registryAddress = await registry.getAddress();
  await (await registry.connect(admin).grantRole(ROLE.MARKET, market.address)).wait();
  await (await token.mint(alice.address, 100n * STAKE)).wait();
  await (await token.connect(alice).approve(registryAddress, ethers.MaxUint256)).wait();
  await (await registry.connect(alice).register("ipfs://alice", 840)).wait();
  await (await registry.connect(alice).stake(STAKE)).wait();
  await (await registry.connect(alice).setGpuLine(H100, 2, 80, 98_950)).wait();
  // The market locks only for an online provider with a line of the job's model.
  await (await registry.connect(alice).setOnline(true)).wait();
  await (await registry.connect(market).lockIfEligible(alice.address, 7n, 100n * GRL, H100, 1, 0, 0, 0)).wait();
  await (await registry.connect(alice).requestUnbond(1_000n * GRL)).wait();
  await networkHelpers.time.increase(UNBONDING_PERIOD);
  return { admin, market, alice, renter, token, registry, registryAddress };
}

type RegistryFixture = Awaited<ReturnType<typeof registryFixture>>;

/** Registry entry points the token calls back into, with arguments that would succeed for alice. */
function registryReentries(f: RegistryFixture): Record<string, string> {
  const i = f.registry.interface;
  const z = ethers.ZeroHash;
  return {
    stake: i.encodeFunctionData("stake", [GRL]),
    stakeWithPermit: i.encodeFunctionData("stakeWithPermit", [GRL, ethers.MaxUint256, 27, z, z]),
    requestUnbond: i.encodeFunctionData("requestUnbond", [GRL]),
    cancelUnbond: i.encodeFunctionData("cancelUnbond"),
    withdraw: i.encodeFunctionData("withdraw"),
  };
}

/** The three places the registry calls its token, each run with the token armed. */
const REGISTRY_OUTER: Record<string, (f: RegistryFixture) => Promise<void>> = {
  async stake(f) {
    await expect(f.registry.connect(f.alice).stake(GRL))
      .to.emit(f.registry, "Staked")
      .withArgs(f.alice.address, GRL, STAKE - 100n * GRL - 1_000n * GRL + GRL);
  },
  async withdraw(f) {
    await expect(f.registry.connect(f.alice).withdraw())
      .to.emit(f.registry, "StakeWithdrawn")
      .withArgs(f.alice.address, 1_000n * GRL);
  },
  async slash(f) {
    await expect(f.registry.connect(f.market).slash(f.alice.address, 7n, 40n * GRL, f.renter.address, 0n))
      .to.emit(f.registry, "ProviderSlashed")
      .withArgs(f.alice.address, 7n, f.renter.address, 40n * GRL, 0n, 60n * GRL);
  },
};

// ---------------------------------------------------------------------------------------------------
// The market, paid in a token that calls back on every transfer
// ---------------------------------------------------------------------------------------------------

const BUDGET = jobValue(RESERVE);
const VALUE = jobValue(P1_5);

/** The market fixture plus RUSD (a ReentrantToken), allow-listed, funded and approved by both renters. */
async function marketFixture() {
  const f = await deployMarket(ethers);
  const marketAddress = await f.market.getAddress();
  const rusd = await ethers.deployContract("ReentrantToken");
  const rusdAddress = await rusd.getAddress();
  await (await f.market.connect(f.admin).setPaymentToken(rusdAddress, true)).wait();
  for (const renter of [f.renter, f.renter2]) {
    await (await rusd.mint(renter.address, RENTER_FUNDS)).wait();
    await (await rusd.connect(renter).approve(marketAddress, ethers.MaxUint256)).wait();
  }
  return { ...f, rusd, rusdAddress, marketAddress };
}

/**
 * A RUSD job in each state a settlement path starts from: `auction` with a revealed and an unrevealed
 * bid (alice at $1.50, bob at $1.80, never revealed), `running` (carol), `delivered` (bob, in its
 * challenge window) and `disputed` (alice); plus `empty`, with no bid. Every reveal deadline has passed.
 */
async function settlementPathsFixture() {
  const f = await marketFixture();
  const rusd = { paymentToken: f.rusdAddress };
  const auction = await createJob(f, rusd);
  const empty = await createJob(f, rusd);
  const running = await createJob(f, rusd);
  const delivered = await createJob(f, rusd);
  const disputed = await createJob(f, rusd);
  await commitBid(f, f.alice, auction, P1_5);
  await commitBid(f, f.bob, auction, P1_8);
  // Four GPUs each and eight per provider: one winner per running job.
  const winners = [
    [running, f.carol],
    [delivered, f.bob],
    [disputed, f.alice],
  ] as const;
  for (const [id, who] of winners) await commitBid(f, who, id, P1_5);
  await networkHelpers.time.increaseTo((await f.market.jobOf(disputed)).bidDeadline);
  await revealBid(f, f.alice, auction, P1_5);
  for (const [id, who] of winners) await revealBid(f, who, id, P1_5);
  await networkHelpers.time.increaseTo((await f.market.jobOf(disputed)).revealDeadline);
  for (const id of [running, delivered, disputed]) {
    await (await f.market.award(id)).wait();
    await startJob(f, id);
  }
  await deliverAtEnd(f, networkHelpers, delivered);
  await deliverAtEnd(f, networkHelpers, disputed);
  await (await f.market.connect(f.renter).dispute(disputed, EVIDENCE_HASH)).wait();
  return { ...f, auction, empty, running, delivered, disputed };
}

type PathsFixture = Awaited<ReturnType<typeof settlementPathsFixture>>;

/**
 * Every market step after escrow that moves value, each on a RUSD job: they credit ledgers (or the
 * registry) only, so the payment token, armed to call back, is never called and nothing can re-enter.
 */
const SETTLEMENT_PATHS: Record<string, (f: PathsFixture) => Promise<ContractTransactionResponse>> = {
  awardWithRefund: async (f) => f.market.award(f.auction),
  expireWithRefund: async (f) => f.market.award(f.empty),
  closeBidForfeit: async (f) => {
    await (await f.market.award(f.auction)).wait();
    return f.market.closeBid(f.auction, f.bob.address);
  },
  claim: async (f) => f.market.connect(f.carol).claim(f.running),
  stopJob: async (f) => f.market.connect(f.renter).stopJob(f.running),
  failJobLateDelivery: async (f) => {
    await networkHelpers.time.increaseTo((await f.market.jobOf(f.running)).deadline);
    return f.market.failJob(f.running);
  },
  settle: async (f) => {
    await networkHelpers.time.increaseTo((await f.market.jobOf(f.delivered)).deadline);
    return f.market.settle(f.delivered);
  },
  resolveDisputeProviderFault: async (f) => f.market.connect(f.arbiter).resolveDispute(f.disputed, PROVIDER_FAULT),
  resolveDisputeRenterFault: async (f) => f.market.connect(f.arbiter).resolveDispute(f.disputed, RENTER_FAULT),
  settleDisputeTimeout: async (f) => {
    await networkHelpers.time.increaseTo((await f.market.jobOf(f.disputed)).deadline);
    return f.market.settleDisputeTimeout(f.disputed);
  },
};

describe("Security: reentrancy through token hooks and receivers", function () {
  describe("registry: the stake token calls back", function () {
    for (const outer of Object.keys(REGISTRY_OUTER)) {
      for (const reentered of ["stake", "stakeWithPermit", "requestUnbond", "cancelUnbond", "withdraw"]) {
        it(`test_registry_${outer}_reentering_${reentered}_isBlocked`, async function () {
          const f = await networkHelpers.loadFixture(registryFixture);
          await (await f.token.arm(f.registryAddress, registryReentries(f)[reentered])).wait();
          await REGISTRY_OUTER[outer](f);
          expect(await f.token.attempted()).to.equal(true);
          expect(await f.token.reentrySucceeded()).to.equal(false);
          expect(await f.token.reentryError()).to.equal(REENTRANT_CALL);
          // The token held by the registry is exactly the stake it books.
          const p = await f.registry.providerOf(f.alice.address);
          expect(await f.token.balanceOf(f.registryAddress)).to.equal(p.freeStake + p.lockedStake + p.unbondingStake);
        });
      }

      it(`test_registry_${outer}_reenteringAMarketOnlyFunction_failsOnTheRole`, async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const payload = f.registry.interface.encodeFunctionData("unlockCollateral", [f.alice.address, 7n, GRL]);
        await (await f.token.arm(f.registryAddress, payload)).wait();
        await REGISTRY_OUTER[outer](f);
        expect(await f.token.reentryError()).to.equal(
          f.registry.interface.encodeErrorResult("AccessControlUnauthorizedAccount", [
            await f.token.getAddress(),
            ROLE.MARKET,
          ]),
        );
      });
    }

    it("test_registry_control_sameCalldataRunsWithNoRegistryFrameOnTheStack", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      // The token itself is no provider: outside a registry call the re-entered withdraw fails on that,
      // not on the guard, which proves the guard is what stopped it above.
      await (await f.token.arm(f.registryAddress, registryReentries(f).withdraw)).wait();
      await (await f.token.connect(f.alice).transfer(f.renter.address, 1n)).wait();
      expect(await f.token.reentryError()).to.equal(
        f.registry.interface.encodeErrorResult("RegistryNotProvider", [await f.token.getAddress()]),
      );
    });
  });

  describe("market: settlement paths never call the payment token", function () {
    for (const [name, run] of Object.entries(SETTLEMENT_PATHS)) {
      it(`test_${name}_makesNoTokenCall_nothingToReenter`, async function () {
        const f = await networkHelpers.loadFixture(settlementPathsFixture);
        // Armed with a call that would succeed (an expiring award), so any transfer would show.
        await (await f.rusd.arm(f.marketAddress, f.market.interface.encodeFunctionData("award", [f.empty]))).wait();
        const balance = await f.rusd.balanceOf(f.marketAddress);
        await (await run(f)).wait();
        expect(await f.rusd.attempted()).to.equal(false);
        expect(await f.rusd.balanceOf(f.marketAddress)).to.equal(balance);
        await expectMarketBacksLedger(f, f.rusd, await openEscrowOf(f, f.rusdAddress));
      });
    }
  });

  describe("market: from inside a market call the downstream books are out of reach", function () {
    const settlementHooks = ["spendCredits", "refundCredits", "accrueEarnings", "recordGpuSeconds"] as const;
    for (const hook of settlementHooks) {
      it(`test_createJob_reenteringSettlement_${hook}_failsOnTheMarketRole`, async function () {
        const f = await networkHelpers.loadFixture(marketFixture);
        const args: unknown[] = [f.renter.address, GRL];
        if (hook === "recordGpuSeconds" || hook === "refundCredits" || hook === "accrueEarnings")
          args.push(hook === "recordGpuSeconds" ? GRL : 1n);
        const payload = (f.settlement.interface as Interface).encodeFunctionData(hook, args);
        await (await f.rusd.arm(await f.settlement.getAddress(), payload)).wait();
        await (await f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: f.rusdAddress }))).wait();
        expect(await f.rusd.reentryError()).to.equal(
          f.settlement.interface.encodeErrorResult("AccessControlUnauthorizedAccount", [f.rusdAddress, ROLE.MARKET]),
        );
        expect(await f.settlement.creditsEscrowed()).to.equal(0n);
      });
    }

    const registryHooks: Record<string, (a: string) => unknown[]> = {
      lockIfEligible: (a) => [a, 1n, GRL, H100, 1n, 0n, 0n, 0n],
      unlockCollateral: (a) => [a, 1n, GRL],
      unlockAndRecordSuccess: (a) => [a, 1n, GRL, 0n],
      slash: (a) => [a, 1n, GRL, a, 0n],
      leaseGpus: (a) => [a, H100, 1n],
      releaseGpus: (a) => [a, H100, 1n],
      recordFault: (a) => [a],
    };
    for (const [hook, args] of Object.entries(registryHooks)) {
      it(`test_createJob_reenteringRegistry_${hook}_failsOnTheMarketRole`, async function () {
        const f = await networkHelpers.loadFixture(marketFixture);
        const payload = (f.registry.interface as Interface).encodeFunctionData(hook, args(f.alice.address));
        await (await f.rusd.arm(await f.registry.getAddress(), payload)).wait();
        await (await f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: f.rusdAddress }))).wait();
        expect(await f.rusd.reentryError()).to.equal(
          f.registry.interface.encodeErrorResult("AccessControlUnauthorizedAccount", [f.rusdAddress, ROLE.MARKET]),
        );
      });
    }
  });

  describe("market: read-only reentrancy sees final state (checks-effects-interactions)", function () {
    it("test_createJob_jobIsCompleteBeforeTheEscrowPull", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const next = (await f.market.jobCount()) + 1n;
      await (await f.rusd.arm(f.marketAddress, f.market.interface.encodeFunctionData("jobOf", [next]))).wait();
      await (await f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: f.rusdAddress }))).wait();
      expect(await f.rusd.reentrySucceeded()).to.equal(true);
      const [seen] = f.market.interface.decodeFunctionResult("jobOf", await f.rusd.reentryError());
      expect(seen.renter).to.equal(f.renter.address);
      expect(seen.state).to.equal(JobState.Bidding);
      expect(seen.escrow).to.equal(BUDGET);
      expect(await f.market.jobCount()).to.equal(next);
    });

    it("test_withdraw_balanceIsZeroBeforeTheTransfer", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const jobId = await createJob(f, { paymentToken: f.rusdAddress });
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      await (await f.market.award(jobId)).wait();
      expect(await f.market.balanceOf(f.rusdAddress, f.renter.address)).to.equal(BUDGET);
      const view = f.market.interface.encodeFunctionData("balanceOf", [f.rusdAddress, f.renter.address]);
      await (await f.rusd.arm(f.marketAddress, view)).wait();
      await (await f.market.connect(f.renter).withdraw(f.rusdAddress, f.renter.address)).wait();
      expect(await f.rusd.reentrySucceeded()).to.equal(true);
      expect(BigInt(await f.rusd.reentryError())).to.equal(0n);
      expect(await f.rusd.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS);
    });

    it("test_dispute_bondAndStateRecordedBeforeTheBondPull", async function () {
      const f = await networkHelpers.loadFixture(settlementPathsFixture);
      // `delivered` is in its challenge window; its dispute pulls the bond in RUSD.
      await (await f.rusd.arm(f.marketAddress, f.market.interface.encodeFunctionData("jobOf", [f.delivered]))).wait();
      await (await f.market.connect(f.renter).dispute(f.delivered, EVIDENCE_HASH)).wait();
      const [seen] = f.market.interface.decodeFunctionResult("jobOf", await f.rusd.reentryError());
      expect(seen.state).to.equal(JobState.Disputed);
      expect(seen.disputeBond).to.equal((VALUE * 500n + 9_999n) / 10_000n);
    });
  });

  describe("receivers: no ether moves, so no receive hook runs", function () {
    it("test_moneyContracts_haveNoPayableFunctionNorReceiveNorFallback", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      for (const c of [f.market, f.settlement, f.registry]) {
        const payable: string[] = [];
        c.interface.forEachFunction((fn) => {
          if (fn.payable) payable.push(fn.name);
        });
        expect(payable).to.deep.equal([]);
        expect(c.interface.receive).to.equal(false);
        expect(c.interface.fallback).to.equal(null);
        await expect(f.outsider.sendTransaction({ to: await c.getAddress(), value: 1n })).to.be.revert(ethers);
        expect(await ethers.provider.getBalance(await c.getAddress())).to.equal(0n);
      }
    });
  });
});
