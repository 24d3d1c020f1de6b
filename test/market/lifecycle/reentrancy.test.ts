import { expect } from "chai";
import { network } from "hardhat";

import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import {
  awardedJob,
  createJob,
  EVIDENCE_HASH,
  jobRequest,
  RESULT_HASH,
  RESULT_URI,
  runningJob,
} from "../../kit/jobs.ts";
import {
  DEFAULT_PARAMS,
  deployMarket,
  DISPUTE_BOND_BPS,
  JobState,
  PROVIDER_FAULT,
  RENTER_FUNDS,
} from "../../kit/market.ts";
import { bpsOfUp, jobValue, RESERVE } from "../../kit/money.ts";
import { deliverAtEnd, expectMarketBacksLedger, openEscrowOf, P1_5, P1_8 } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

/** ReentrancyGuardReentrantCall() */
const REENTRANT_CALL = "0x3ee5aeb5";
const BUDGET = jobValue(RESERVE);
const VALUE = jobValue(P1_5);

/**
 * The market fixture plus a ReentrantToken ("RUSD", allow-listed, funded and approved by both renters),
 * and jobs in the states the re-entered calls aim at:
 * - job 1 (USDC, renter2): no bid, past its reveal deadline, so `award(1)` would expire it;
 * - job 2 (USDC): awarded to carol (bob lost), past its start deadline, so `failJob(2)` and
 *   `closeBid(2, bob)` would succeed;
 * - job 3 (RUSD): alice at $1.50, delivered, in its challenge window, so the renter can dispute it;
 *   the renter holds the 20 RUSD award refund on the ledger.
 */
async function fixture() {
  const f = await deployMarket(ethers);
  const marketAddress = await f.market.getAddress();
  const rusd = await ethers.deployContract("ReentrantToken");
  const rusdAddress = await rusd.getAddress();
  await (await f.market.connect(f.admin).setPaymentToken(rusdAddress, true)).wait();
  for (const renter of [f.renter, f.renter2]) {
    await (await rusd.mint(renter.address, RENTER_FUNDS)).wait();
    await (await rusd.connect(renter).approve(marketAddress, ethers.MaxUint256)).wait();
  }
  const expiring = await createJob(f, {}, f.renter2);
  const noShow = await awardedJob(f, networkHelpers, [
    [f.carol, P1_5],
    [f.bob, P1_8],
  ]);
  const delivered = await runningJob(f, networkHelpers, [[f.alice, P1_5]], { paymentToken: rusdAddress });
  await deliverAtEnd(f, networkHelpers, delivered);
  return { ...f, rusd, rusdAddress, marketAddress, expiring, noShow, delivered };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

/** Calldata for every nonReentrant entry point of the market, aimed at plausible targets. */
async function reenteredCalls(f: Fixture): Promise<[string, string][]> {
  const i = f.market.interface;
  const request: IJobMarket.JobRequestStruct = await jobRequest(f, { paymentToken: f.rusdAddress });
  const salt = "0x" + "22".repeat(32);
  const commitment = await f.market.bidCommitment(f.expiring, f.rusdAddress, P1_5, salt);
  return [
    ["createJob", i.encodeFunctionData("createJob", [request])],
    ["createJobWithPermit", i.encodeFunctionData("createJobWithPermit", [request, ethers.MaxUint256, 27, salt, salt])],
    ["cancelJob", i.encodeFunctionData("cancelJob", [f.expiring])],
    ["stopJob", i.encodeFunctionData("stopJob", [f.delivered])],
    ["dispute", i.encodeFunctionData("dispute", [f.delivered, EVIDENCE_HASH])],
    ["commitBid", i.encodeFunctionData("commitBid", [f.expiring, commitment])],
    ["revealBid", i.encodeFunctionData("revealBid", [f.expiring, P1_5, salt])],
    ["acceptInstant", i.encodeFunctionData("acceptInstant", [f.expiring])],
    ["acceptInstantAndStart", i.encodeFunctionData("acceptInstantAndStart", [f.expiring])],
    ["startJob", i.encodeFunctionData("startJob", [f.noShow])],
    ["claim", i.encodeFunctionData("claim", [f.delivered])],
    ["deliver", i.encodeFunctionData("deliver", [f.delivered, RESULT_HASH, RESULT_URI])],
    ["award", i.encodeFunctionData("award", [f.expiring])],
    ["awardAndStart", i.encodeFunctionData("awardAndStart", [f.expiring])],
    ["closeBid", i.encodeFunctionData("closeBid", [f.noShow, f.bob.address])],
    ["settle", i.encodeFunctionData("settle", [f.delivered])],
    ["settleDisputeTimeout", i.encodeFunctionData("settleDisputeTimeout", [f.delivered])],
    ["failJob", i.encodeFunctionData("failJob", [f.noShow])],
    ["withdraw", i.encodeFunctionData("withdraw", [f.rusdAddress, f.rusdAddress])],
  ];
}

/** The names of the entry points above, for generating the test matrix before any fixture exists. */
const REENTERED = [
  "createJob",
  "createJobWithPermit",
  "cancelJob",
  "stopJob",
  "dispute",
  "commitBid",
  "revealBid",
  "acceptInstant",
  "acceptInstantAndStart",
  "startJob",
  "claim",
  "deliver",
  "award",
  "awardAndStart",
  "closeBid",
  "settle",
  "settleDisputeTimeout",
  "failJob",
  "withdraw",
] as const;

/**
 * The market calls the token at three points: the escrow pull of createJob (and createJobWithPermit),
 * the dispute bond pull, and withdraw. Each outer call runs with the token armed, then checks its own
 * effects.
 */
const OUTER: Record<string, (f: Fixture) => Promise<void>> = {
  async createJob(f) {
    const request = await jobRequest(f, { paymentToken: f.rusdAddress });
    const before = await f.rusd.balanceOf(f.marketAddress);
    await expect(f.market.connect(f.renter2).createJob(request)).to.emit(f.market, "JobCreated");
    const job = await f.market.jobOf(await f.market.jobCount());
    expect(job.renter).to.equal(f.renter2.address);
    expect(job.escrow).to.equal(BUDGET);
    expect(await f.rusd.balanceOf(f.marketAddress)).to.equal(before + BUDGET);
  },
  async createJobWithPermit(f) {
    // RUSD has no permit: the failing permit is ignored and the prior approval pays.
    const request = await jobRequest(f, { paymentToken: f.rusdAddress });
    const zero = ethers.ZeroHash;
    await expect(f.market.connect(f.renter2).createJobWithPermit(request, ethers.MaxUint256, 27, zero, zero)).to.emit(
      f.market,
      "JobCreated",
    );
    expect((await f.market.jobOf(await f.market.jobCount())).escrow).to.equal(BUDGET);
  },
  async dispute(f) {
    const bond = bpsOfUp(VALUE, DISPUTE_BOND_BPS);
    await expect(f.market.connect(f.renter).dispute(f.delivered, EVIDENCE_HASH)).to.emit(f.market, "JobDisputed");
    const job = await f.market.jobOf(f.delivered);
    expect(job.state).to.equal(JobState.Disputed);
    expect(job.disputeBond).to.equal(bond);
    expect(await f.rusd.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - BUDGET - bond);
  },
  async withdraw(f) {
    await expect(f.market.connect(f.renter).withdraw(f.rusdAddress, f.renter.address))
      .to.emit(f.market, "Withdrawn")
      .withArgs(f.rusdAddress, f.renter.address, f.renter.address, BUDGET - VALUE);
    expect(await f.market.balanceOf(f.rusdAddress, f.renter.address)).to.equal(0n);
    expect(await f.rusd.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - VALUE);
  },
};

/** The token tried exactly once and was stopped by the market's reentrancy guard. */
async function expectBlockedByGuard(f: Fixture): Promise<void> {
  expect(await f.rusd.attempted()).to.equal(true);
  expect(await f.rusd.reentrySucceeded()).to.equal(false);
  expect(await f.rusd.reentryError()).to.equal(REENTRANT_CALL);
}

describe("JobMarket lifecycle: reentrancy through the payment token", function () {
  it("test_reentrancyGuard_selectorIsReentrancyGuardReentrantCall", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    expect(f.market.interface.getError("ReentrancyGuardReentrantCall")!.selector).to.equal(REENTRANT_CALL);
    expect(f.market.interface.getError("ReentrancyGuardReentrantCall")!.format("sighash")).to.equal(
      "ReentrancyGuardReentrantCall()",
    );
  });

  it("test_fixture_jobsAreWhereTheReenteredCallsAimAt", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    expect(await f.market.stateOf(f.expiring)).to.equal(JobState.Revealing);
    expect((await f.market.jobOf(f.noShow)).state).to.equal(JobState.Awarded);
    expect(BigInt(await networkHelpers.time.latest())).to.be.greaterThanOrEqual(
      (await f.market.jobOf(f.noShow)).deadline,
    );
    expect((await f.market.jobOf(f.delivered)).state).to.equal(JobState.Delivered);
    expect(await f.market.balanceOf(f.rusdAddress, f.renter.address)).to.equal(BUDGET - VALUE);
    expect(await f.rusd.attempted()).to.equal(false);
  });

  for (const outer of Object.keys(OUTER)) {
    describe(`during ${outer}`, function () {
      for (const reentered of REENTERED) {
        it(`test_${outer}_reentering${reentered[0].toUpperCase()}${reentered.slice(1)}_isBlocked`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const calls = new Map(await reenteredCalls(f));
          await (await f.rusd.arm(f.marketAddress, calls.get(reentered)!)).wait();
          await OUTER[outer](f);
          await expectBlockedByGuard(f);
          await expectMarketBacksLedger(f, f.rusd, await openEscrowOf(f, f.rusdAddress));
          await expectMarketBacksLedger(f, f.usdc, await openEscrowOf(f, await f.usdc.getAddress()));
        });
      }
    });
  }

  describe("control: the same calldata succeeds outside a market call", function () {
    for (const name of ["award", "failJob", "closeBid"] as const) {
      it(`test_control_${name}_succeedsWithNoMarketCallOnTheStack`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const calls = new Map(await reenteredCalls(f));
        await (await f.rusd.arm(f.marketAddress, calls.get(name)!)).wait();
        // A plain token transfer between two wallets fires the hook with no market frame on the stack.
        await (await f.rusd.connect(f.renter).transfer(f.outsider.address, 1n)).wait();
        expect(await f.rusd.attempted()).to.equal(true);
        expect(await f.rusd.reentrySucceeded()).to.equal(true);
        expect(await f.rusd.reentryError()).to.equal("0x");
        if (name === "award") expect((await f.market.jobOf(f.expiring)).state).to.equal(JobState.Expired);
        if (name === "failJob") expect((await f.market.jobOf(f.noShow)).state).to.equal(JobState.Failed);
        if (name === "closeBid") expect(await f.market.lockOf(f.noShow, f.bob.address)).to.equal(0n);
      });
    }
  });

  describe("role-gated entry points", function () {
    it("test_dispute_reenteringResolveDispute_asArbiter_isBlockedByTheGuard", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Give the token the arbiter role, so that only the guard stands in the way.
      await (await f.market.connect(f.admin).grantRole(await f.market.ARBITER_ROLE(), f.rusdAddress)).wait();
      const payload = f.market.interface.encodeFunctionData("resolveDispute", [f.delivered, PROVIDER_FAULT]);
      await (await f.rusd.arm(f.marketAddress, payload)).wait();
      await OUTER.dispute(f);
      await expectBlockedByGuard(f);
      expect((await f.market.jobOf(f.delivered)).state).to.equal(JobState.Disputed);
    });

    it("test_dispute_reenteringResolveDispute_withoutTheRole_failsOnTheRole", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await f.market.ARBITER_ROLE();
      const payload = f.market.interface.encodeFunctionData("resolveDispute", [f.delivered, PROVIDER_FAULT]);
      await (await f.rusd.arm(f.marketAddress, payload)).wait();
      await OUTER.dispute(f);
      expect(await f.rusd.reentrySucceeded()).to.equal(false);
      expect(await f.rusd.reentryError()).to.equal(
        f.market.interface.encodeErrorResult("AccessControlUnauthorizedAccount", [f.rusdAddress, role]),
      );
    });

    // Governance setters carry no reentrancy guard (they are role-gated and touch no funds): a token
    // without the role is refused by AccessControl.
    for (const name of ["setMarketParams", "setPaymentToken", "setTreasury", "setOracle"] as const) {
      it(`test_withdraw_reentering${name[0].toUpperCase()}${name.slice(1)}_failsOnTheGovernanceRole`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const i = f.market.interface;
        const payload =
          name === "setMarketParams"
            ? i.encodeFunctionData("setMarketParams", [{ ...DEFAULT_PARAMS, feeBps: 500 }])
            : name === "setPaymentToken"
              ? i.encodeFunctionData("setPaymentToken", [f.rusdAddress, false])
              : name === "setTreasury"
                ? i.encodeFunctionData("setTreasury", [f.rusdAddress])
                : i.encodeFunctionData("setOracle", [f.rusdAddress]);
        await (await f.rusd.arm(f.marketAddress, payload)).wait();
        await OUTER.withdraw(f);
        expect(await f.rusd.reentrySucceeded()).to.equal(false);
        expect(await f.rusd.reentryError()).to.equal(
          i.encodeErrorResult("AccessControlUnauthorizedAccount", [f.rusdAddress, await f.market.GOVERNANCE_ROLE()]),
        );
        expect(await f.market.currentParamsId()).to.equal(1n);
        expect(await f.market.treasury()).to.equal(f.treasury.address);
        expect(await f.market.oracle()).to.equal(await f.oracle.getAddress());
      });
    }

    it("test_createJob_reenteringGrantRole_failsOnTheAdminRole", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const i = f.market.interface;
      const payload = i.encodeFunctionData("grantRole", [await f.market.ARBITER_ROLE(), f.rusdAddress]);
      await (await f.rusd.arm(f.marketAddress, payload)).wait();
      await OUTER.createJob(f);
      expect(await f.rusd.reentryError()).to.equal(
        i.encodeErrorResult("AccessControlUnauthorizedAccount", [f.rusdAddress, ethers.ZeroHash]),
      );
      expect(await f.market.hasRole(await f.market.ARBITER_ROLE(), f.rusdAddress)).to.equal(false);
    });
  });
});
