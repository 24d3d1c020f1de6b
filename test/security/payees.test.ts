import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { buyCreditsFor } from "../kit/funding.ts";
import { awardedJob, commitBid, createJob, jobRequest, nextAt, revealBid } from "../kit/jobs.ts";
import { deployMarket, FEE_BPS, GRL_USD_ANSWER, JobState, RENTER_FUNDS } from "../kit/market.ts";
import { bpsOf, DURATION, jobValue, RESERVE } from "../kit/money.ts";
import { GRL } from "../kit/protocol.ts";
import {
  claimAt,
  deliverAtEnd,
  expectLedger,
  expectMarketBacksLedger,
  P1_5,
  settleAtDeadline,
  startJob,
} from "../market/lifecycle/helpers.ts";
import { grlFor } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

const BUDGET = jobValue(RESERVE);
const VALUE = jobValue(P1_5);
const CREDIT_RESERVE = 2n * 10n ** 18n;
const CREDIT_PRICE = (15n * 10n ** 18n) / 10n;
const CREDIT_VALUE = jobValue(CREDIT_PRICE);

/** The market fixture plus a blacklisting 6-decimals stablecoin, allow-listed, funded and approved by both renters. */
async function fixture() {
  const f = await deployMarket(ethers);
  const bl = await ethers.deployContract("BlacklistStablecoin");
  const blAddress = await bl.getAddress();
  await (await f.market.connect(f.admin).setPaymentToken(blAddress, true)).wait();
  for (const r of [f.renter, f.renter2]) {
    await (await bl.mint(r.address, RENTER_FUNDS)).wait();
    await (await bl.connect(r).approve(await f.market.getAddress(), ethers.MaxUint256)).wait();
  }
  return { ...f, bl, blAddress };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;
type Payee = "renter" | "alice" | "treasury";

function signerOf(f: Fixture, who: Payee): HardhatEthersSigner {
  return who === "renter" ? f.renter : who === "alice" ? f.alice : f.treasury;
}

/**
 * Runs a job in the blacklist token to settlement with `frozen` blacklisted right after the award:
 * alice claims half-way, delivers at the end, anyone settles. Returns each payee's ledger balance.
 */
async function settledWithFrozenPayee(f: Fixture, frozen: Payee): Promise<Record<Payee, bigint>> {
  const jobId = await awardedJob(f, networkHelpers, [[f.alice, P1_5]], { paymentToken: f.blAddress });
  await (await f.bl.setBlacklisted(signerOf(f, frozen).address, true)).wait();
  await startJob(f, jobId);
  const first = await claimAt(f, networkHelpers, jobId, DURATION / 2n);
  await deliverAtEnd(f, networkHelpers, jobId);
  await settleAtDeadline(f, networkHelpers, jobId);
  expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Settled);
  const fees = bpsOf(first, FEE_BPS) + bpsOf(VALUE - first, FEE_BPS);
  const balances = { renter: BUDGET - VALUE, alice: VALUE - fees, treasury: fees };
  await expectLedger(f, f.blAddress, balances);
  await expectMarketBacksLedger(f, f.bl);
  return balances;
}

describe("Security: a payee that reverts cannot block anyone else", function () {
  for (const frozen of ["renter", "alice", "treasury"] as const) {
    describe(`${frozen} blacklisted by the token`, function () {
      it(`test_settle_completesWith_${frozen}_blacklisted`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const balances = await settledWithFrozenPayee(f, frozen);
        expect(balances.renter + balances.alice + balances.treasury).to.equal(BUDGET);
      });

      it(`test_withdraw_othersWithdrawWhile_${frozen}_cannot`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const balances = await settledWithFrozenPayee(f, frozen);
        const blocked = signerOf(f, frozen);
        // The frozen payee's own withdrawal reverts inside the token and changes nothing...
        await expect(f.market.connect(blocked).withdraw(f.blAddress, blocked.address))
          .to.be.revertedWithCustomError(f.bl, "Blacklisted")
          .withArgs(blocked.address);
        expect(await f.market.balanceOf(f.blAddress, blocked.address)).to.equal(balances[frozen]);
        // ...and every other payee withdraws, in any order, before and after it.
        for (const other of (["renter", "alice", "treasury"] as const).filter((p) => p !== frozen)) {
          const s = signerOf(f, other);
          const before = await f.bl.balanceOf(s.address);
          await expect(f.market.connect(s).withdraw(f.blAddress, s.address))
            .to.emit(f.market, "Withdrawn")
            .withArgs(f.blAddress, s.address, s.address, balances[other]);
          expect(await f.bl.balanceOf(s.address)).to.equal(before + balances[other]);
        }
        // The frozen payee can still move its balance to an address the token accepts.
        await expect(f.market.connect(blocked).withdraw(f.blAddress, f.outsider.address))
          .to.emit(f.market, "Withdrawn")
          .withArgs(f.blAddress, blocked.address, f.outsider.address, balances[frozen]);
        expect(await f.bl.balanceOf(await f.market.getAddress())).to.equal(0n);
        await expectLedger(f, f.blAddress, {});
      });
    });
  }

  it("test_withdraw_tokenFreezingTheMarket_freezesOnlyThatTokensLedger", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const usdc = await f.usdc.getAddress();
    const frozenJob = await createJob(f, { paymentToken: f.blAddress });
    const usdcJob = await createJob(f, { paymentToken: usdc });
    await networkHelpers.time.increaseTo((await f.market.jobOf(usdcJob)).revealDeadline);
    await (await f.market.award(frozenJob)).wait();
    await (await f.market.award(usdcJob)).wait();
    // The token issuer freezes the market itself (a trust assumption on every allow-listed token).
    await (await f.bl.setBlacklisted(await f.market.getAddress(), true)).wait();
    await expect(f.market.connect(f.renter).withdraw(f.blAddress, f.renter.address))
      .to.be.revertedWithCustomError(f.bl, "Blacklisted")
      .withArgs(await f.market.getAddress());
    await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: f.blAddress })))
      .to.be.revertedWithCustomError(f.bl, "Blacklisted")
      .withArgs(await f.market.getAddress());
    // Other tokens are unaffected.
    await expect(f.market.connect(f.renter).withdraw(usdc, f.renter.address))
      .to.emit(f.market, "Withdrawn")
      .withArgs(usdc, f.renter.address, f.renter.address, BUDGET);
    expect(await f.market.balanceOf(f.blAddress, f.renter.address)).to.equal(BUDGET);
  });

  describe("settlement recipients", function () {
    /**
     * A credit job alice won and that settled; alice holds its pay as USD earnings. The feed is fresh.
     * `sink` is a contract with no function that accepts a call (the oracle adapter): any call to it reverts.
     */
    async function earningsFixture() {
      const f = await deployMarket(ethers);
      await buyCreditsFor(f, f.renter, 1_000n * GRL);
      await buyCreditsFor(f, f.renter2, 1_000n * GRL);
      const credits = await f.settlement.getAddress();
      // Both jobs are created before the first one's day-long run ages the feed past its heartbeat.
      const pairs = [
        [f.renter, f.alice],
        [f.renter2, f.bob],
      ] as const;
      const jobs: bigint[] = [];
      for (const [renter] of pairs) {
        jobs.push(await createJob(f, { paymentToken: credits, reservePricePerGpuHour: CREDIT_RESERVE }, renter));
      }
      for (const [i, [, provider]] of pairs.entries()) await commitBid(f, provider, jobs[i], CREDIT_PRICE);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobs[1])).bidDeadline);
      for (const [i, [, provider]] of pairs.entries()) await revealBid(f, provider, jobs[i], CREDIT_PRICE);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobs[1])).revealDeadline);
      for (const jobId of jobs) {
        await (await f.market.award(jobId)).wait();
        await startJob(f, jobId);
        await deliverAtEnd(f, networkHelpers, jobId);
      }
      for (const jobId of jobs) await settleAtDeadline(f, networkHelpers, jobId);
      await (await f.feed.setAnswer(GRL_USD_ANSWER)).wait();
      const sink = await f.oracle.getAddress();
      await expect(f.admin.call({ to: sink, data: "0x" })).to.be.revert(ethers);
      return { ...f, sink };
    }

    const NET = CREDIT_VALUE - bpsOf(CREDIT_VALUE, FEE_BPS);

    it("test_withdrawEarnings_toAContractThatRejectsCalls_isMintedWithoutCallingIt", async function () {
      const f = await networkHelpers.loadFixture(earningsFixture);
      const grl = grlFor(NET);
      await expect(f.settlement.connect(f.alice).withdrawEarnings(f.sink))
        .to.emit(f.settlement, "EarningsMinted")
        .withArgs(0n, f.sink, grl, grl, await f.settlement.mintCapPerEpoch());
      expect(await f.token.balanceOf(f.sink)).to.equal(grl);
      // Bob is unaffected by what alice's recipient is.
      await expect(f.settlement.connect(f.bob).withdrawEarnings(f.bob.address))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(f.bob.address, f.bob.address, NET, grl, GRL_USD_ANSWER * 10n ** 10n, grl, 0n, 0n, 0n, 2n * NET);
    });

    it("test_claimQueuedMint_ticketsAreClaimedIndependently_inAnyOrder", async function () {
      const f = await networkHelpers.loadFixture(earningsFixture);
      // One GRL per epoch: both withdrawals queue almost entirely.
      await (await f.settlement.connect(f.admin).setMintCapPerEpoch(GRL)).wait();
      const grl = grlFor(NET);
      await (await f.settlement.connect(f.alice).withdrawEarnings(f.sink)).wait();
      await (await f.settlement.connect(f.bob).withdrawEarnings(f.bob.address)).wait();
      const first = await f.settlement.ticketOf(1n);
      const second = await f.settlement.ticketOf(2n);
      expect([first.recipient, first.amount]).to.deep.equal([f.sink, grl - GRL]);
      expect([second.recipient, second.start, second.amount]).to.deep.equal([f.bob.address, grl - GRL, grl]);

      // This epoch's cap went to alice's immediate mint: the queue's front has reached neither ticket.
      for (const ticket of [1n, 2n]) {
        await expect(f.settlement.connect(f.outsider).claimQueuedMint(ticket))
          .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
          .withArgs(ticket);
      }

      // Enough cap for both, later: bob's ticket is claimed first, by a stranger, for bob; then alice's.
      await (await f.settlement.connect(f.admin).setMintCapPerEpoch(10_000n * GRL)).wait();
      const bobBefore = await f.token.balanceOf(f.bob.address);
      await nextAt(networkHelpers, await f.settlement.epochStart(1n));
      await expect(f.settlement.connect(f.outsider).claimQueuedMint(2n))
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(2n, f.bob.address, grl, grl, grl);
      await expect(f.settlement.connect(f.outsider).claimQueuedMint(1n))
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(1n, f.sink, grl - GRL, grl - GRL, grl - GRL);
      expect(await f.token.balanceOf(f.sink)).to.equal(grl);
      expect(await f.token.balanceOf(f.bob.address)).to.equal(bobBefore + grl);
      expect(await f.token.balanceOf(await f.settlement.getAddress())).to.equal(0n);
      await expect(f.settlement.claimQueuedMint(2n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementNothingToClaim")
        .withArgs(2n);
    });
  });
});
