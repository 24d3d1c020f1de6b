import { expect } from "chai";
import { network } from "hardhat";

import { awardedJob, createJob, EVIDENCE_HASH, jobRequest, runningJob } from "../../kit/jobs.ts";
import {
  deployMarket,
  DISPUTE_BOND_BPS,
  FEE_BPS,
  JobState,
  type MarketFixture,
  RENTER_FUNDS,
} from "../../kit/market.ts";
import { bpsOf, bpsOfUp, DURATION, jobValue, releasable, RESERVE } from "../../kit/money.ts";
import { GRL } from "../../kit/protocol.ts";
import {
  claimAt,
  collateralAtReserve,
  deliverAtEnd,
  expectLedger,
  expectMarketBacksLedger,
  expectProviderReleased,
  expectRegistryBacksStake,
  INITIAL_REPUTATION,
  P1_5,
  reputationOf,
  settleAtDeadline,
  startJob,
  successScore,
} from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

const BUDGET = jobValue(RESERVE); // 80 (6-decimals) dollars
const VALUE = jobValue(P1_5); // alice alone at $1.50: 60 dollars

/** The market fixture plus three hostile payment tokens, allow-listed, funded and approved by the renter. */
async function fixture() {
  const f = await deployMarket(ethers);
  const marketAddress = await f.market.getAddress();
  const fot = await ethers.deployContract("FeeOnTransferToken");
  const noReturn = await ethers.deployContract("NoReturnToken");
  const blacklist = await ethers.deployContract("BlacklistStablecoin");
  for (const token of [fot, noReturn, blacklist]) {
    await (await f.market.connect(f.admin).setPaymentToken(await token.getAddress(), true)).wait();
    for (const renter of [f.renter, f.renter2]) {
      await (await token.mint(renter.address, RENTER_FUNDS)).wait();
      await (await token.connect(renter).approve(marketAddress, ethers.MaxUint256)).wait();
    }
  }
  return { ...f, fot, noReturn, blacklist };
}

/** Delivers at the end and settles at the challenge deadline, as anyone. */
async function deliverAndSettle(f: MarketFixture, jobId: bigint): Promise<void> {
  await deliverAtEnd(f, networkHelpers, jobId);
  await settleAtDeadline(f, networkHelpers, jobId);
}

describe("JobMarket lifecycle: hostile payment tokens", function () {
  describe("decimals", function () {
    it("test_defaultStablecoin_isSixDecimalsAndAllowListed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const entry = await f.market.paymentTokens(await f.usdc.getAddress());
      expect([entry.allowed, entry.decimals]).to.deep.equal([true, 6n]);
      expect(await f.usdc.decimals()).to.equal(6n);
    });

    it("test_eighteenDecimalsStablecoin_sameDollarsSameCollateral", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const dai = await ethers.deployContract("MockStablecoin", ["Dai (mock)", "DAI", 18]);
      const daiAddress = await dai.getAddress();
      await expect(f.market.connect(f.admin).setPaymentToken(daiAddress, true))
        .to.emit(f.market, "PaymentTokenSet")
        .withArgs(daiAddress, true, 18n);
      await (await dai.mint(f.renter.address, 1_000n * 10n ** 18n)).wait();
      await (await dai.connect(f.renter).approve(await f.market.getAddress(), ethers.MaxUint256)).wait();
      const jobId = await createJob(f, { paymentToken: daiAddress, reservePricePerGpuHour: 2n * 10n ** 18n });
      const job = await f.market.jobOf(jobId);
      expect(job.escrow).to.equal(80n * 10n ** 18n);
      // $80 of budget is 160 GRL at $0.50, 30% of it 48 GRL: as with the 6-decimals USDC.
      expect(job.collateral).to.equal(collateralAtReserve(BUDGET));
      expect(job.collateral).to.equal(48n * GRL);
    });

    it("test_setPaymentToken_rejectsMoreThan18Decimals", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const odd = await ethers.deployContract("MockStablecoin", ["Odd", "ODD", 19]);
      await expect(f.market.connect(f.admin).setPaymentToken(await odd.getAddress(), true))
        .to.be.revertedWithCustomError(f.market, "MarketTokenDecimalsUnsupported")
        .withArgs(await odd.getAddress(), 19n);
    });
  });

  describe("fee on transfer", function () {
    it("test_feeOnTransfer_allowListedButRejectedAtCreateJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const fotAddress = await f.fot.getAddress();
      expect((await f.market.paymentTokens(fotAddress)).allowed).to.equal(true);
      const request = await jobRequest(f, { paymentToken: fotAddress });
      const received = BUDGET - BUDGET / 100n; // 1% burned in transit
      await expect(f.market.connect(f.renter).createJob(request))
        .to.be.revertedWithCustomError(f.market, "MarketFeeOnTransferToken")
        .withArgs(fotAddress, BUDGET, received);
      expect(await f.market.jobCount()).to.equal(0n);
      expect(await f.fot.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS);
      expect(await f.fot.balanceOf(await f.market.getAddress())).to.equal(0n);
    });
  });

  describe("no return value (USDT-like)", function () {
    it("test_noReturnToken_wholeLifecycleWithClaimsAndWithdrawals", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await f.noReturn.getAddress();
      const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]], { paymentToken: token });
      expect(await f.noReturn.balanceOf(await f.market.getAddress())).to.equal(BUDGET);
      const firstGross = await claimAt(f, networkHelpers, jobId, DURATION / 2n);
      expect(firstGross).to.equal(releasable(VALUE / 2n));
      await deliverAndSettle(f, jobId);
      expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Settled);

      const fees = bpsOf(firstGross, FEE_BPS) + bpsOf(VALUE - firstGross, FEE_BPS);
      const l = await expectLedger(f, token, { renter: BUDGET - VALUE, alice: VALUE - fees, treasury: fees });
      expect(l.renter + l.alice + l.treasury).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.noReturn);
      await expectProviderReleased(f, f.alice, [jobId]);
      expect(await reputationOf(f, f.alice)).to.equal(successScore(INITIAL_REPUTATION, VALUE));

      // SafeERC20 accepts the empty return data of transfer.
      for (const s of [f.renter, f.alice, f.treasury]) {
        await expect(f.market.connect(s).withdraw(token, s.address)).not.to.revert(ethers);
      }
      expect(await f.noReturn.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - VALUE);
      expect(await f.noReturn.balanceOf(f.alice.address)).to.equal(VALUE - fees);
      expect(await f.noReturn.balanceOf(f.treasury.address)).to.equal(fees);
      expect(await f.noReturn.balanceOf(await f.market.getAddress())).to.equal(0n);
    });

    it("test_noReturnToken_disputeBondPulledAndReturnedOnTimeout", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await f.noReturn.getAddress();
      const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]], { paymentToken: token });
      const challengeDeadline = await deliverAtEnd(f, networkHelpers, jobId);
      const bond = bpsOfUp(VALUE, DISPUTE_BOND_BPS);
      await networkHelpers.time.setNextBlockTimestamp(challengeDeadline - 1n);
      await (await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).wait();
      expect(await f.noReturn.balanceOf(await f.market.getAddress())).to.equal(BUDGET + bond);
      await networkHelpers.time.setNextBlockTimestamp((await f.market.jobOf(jobId)).deadline);
      await (await f.market.settleDisputeTimeout(jobId)).wait();
      const fee = bpsOf(VALUE, FEE_BPS);
      const l = await expectLedger(f, token, { renter: BUDGET - VALUE + bond, alice: VALUE - fee, treasury: fee });
      expect(l.renter + l.alice + l.treasury).to.equal(BUDGET + bond);
      await expectMarketBacksLedger(f, f.noReturn);
      await expectProviderReleased(f, f.alice, [jobId]);
    });
  });

  describe("blacklisting stablecoin (USDC-like)", function () {
    it("test_blacklist_providerBlacklistedAfterWinning_settleStillSucceeds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await f.blacklist.getAddress();
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, P1_5]], { paymentToken: token });
      await (await f.blacklist.setBlacklisted(f.alice.address, true)).wait();

      // Pull payments: the provider's pay is a ledger credit, so nothing on the job path touches it.
      await startJob(f, jobId);
      const firstGross = await claimAt(f, networkHelpers, jobId, DURATION / 2n);
      await deliverAtEnd(f, networkHelpers, jobId);
      await expect(f.market.connect(f.outsider).settle(jobId)).to.be.revertedWithCustomError(
        f.market,
        "MarketTooEarly",
      );
      await networkHelpers.time.setNextBlockTimestamp((await f.market.jobOf(jobId)).deadline);
      await expect(f.market.connect(f.outsider).settle(jobId)).to.emit(f.market, "JobSettled");

      const fees = bpsOf(firstGross, FEE_BPS) + bpsOf(VALUE - firstGross, FEE_BPS);
      const l = await expectLedger(f, token, { renter: BUDGET - VALUE, alice: VALUE - fees, treasury: fees });
      expect(l.renter + l.alice + l.treasury).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.blacklist);
      await expectProviderReleased(f, f.alice, [jobId]);
      await expectRegistryBacksStake(f);

      // The renter and the treasury withdraw normally.
      await expect(f.market.connect(f.renter).withdraw(token, f.renter.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(token, f.renter.address, f.renter.address, BUDGET - VALUE);
      await expect(f.market.connect(f.treasury).withdraw(token, f.treasury.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(token, f.treasury.address, f.treasury.address, fees);

      // The provider cannot withdraw to itself; its balance is untouched by the failed attempt.
      await expect(f.market.connect(f.alice).withdraw(token, f.alice.address))
        .to.be.revertedWithCustomError(f.blacklist, "Blacklisted")
        .withArgs(f.alice.address);
      expect(await f.market.balanceOf(token, f.alice.address)).to.equal(VALUE - fees);
      // ...but it can withdraw to another address.
      await expect(f.market.connect(f.alice).withdraw(token, f.outsider.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(token, f.alice.address, f.outsider.address, VALUE - fees);
      expect(await f.blacklist.balanceOf(f.outsider.address)).to.equal(VALUE - fees);
      expect(await f.blacklist.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - VALUE);
      expect(await f.blacklist.balanceOf(f.treasury.address)).to.equal(fees);
      expect(await f.blacklist.balanceOf(await f.market.getAddress())).to.equal(0n);
      await expectLedger(f, token, {});
    });

    it("test_blacklist_treasuryBlacklisted_neverBlocksSettle", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await f.blacklist.getAddress();
      const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]], { paymentToken: token });
      await (await f.blacklist.setBlacklisted(f.treasury.address, true)).wait();
      // Claims credit fees to the treasury while it is blacklisted.
      const firstGross = await claimAt(f, networkHelpers, jobId, DURATION / 2n);
      await deliverAndSettle(f, jobId);
      expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Settled);

      const fees = bpsOf(firstGross, FEE_BPS) + bpsOf(VALUE - firstGross, FEE_BPS);
      const l = await expectLedger(f, token, { renter: BUDGET - VALUE, alice: VALUE - fees, treasury: fees });
      expect(l.renter + l.alice + l.treasury).to.equal(BUDGET);
      await expectMarketBacksLedger(f, f.blacklist);

      await expect(f.market.connect(f.alice).withdraw(token, f.alice.address)).not.to.revert(ethers);
      await expect(f.market.connect(f.treasury).withdraw(token, f.treasury.address))
        .to.be.revertedWithCustomError(f.blacklist, "Blacklisted")
        .withArgs(f.treasury.address);
      await expect(f.market.connect(f.treasury).withdraw(token, f.outsider.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(token, f.treasury.address, f.outsider.address, fees);
      expect(await f.blacklist.balanceOf(f.outsider.address)).to.equal(fees);
    });

    it("test_blacklist_renterBlacklistedAfterCreating_expiryRefundStaysOnTheLedger", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await f.blacklist.getAddress();
      const jobId = await createJob(f, { paymentToken: token });
      await (await f.blacklist.setBlacklisted(f.renter.address, true)).wait();
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      await expect(f.market.connect(f.outsider).award(jobId))
        .to.emit(f.market, "JobExpired")
        .withArgs(jobId, f.renter.address, BUDGET, 0n);
      await expectLedger(f, token, { renter: BUDGET });
      await expectMarketBacksLedger(f, f.blacklist);
      await expect(f.market.connect(f.renter).withdraw(token, f.renter.address))
        .to.be.revertedWithCustomError(f.blacklist, "Blacklisted")
        .withArgs(f.renter.address);
      await expect(f.market.connect(f.renter).withdraw(token, f.renter2.address)).not.to.revert(ethers);
      expect(await f.blacklist.balanceOf(f.renter2.address)).to.equal(RENTER_FUNDS + BUDGET);
    });
  });

  describe("payee that cannot receive", function () {
    it("test_treasuryIsAContractWithoutReceive_feesAreStillCredited", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      // ERC20 transfers never call the recipient, and the market never pushes: a contract treasury with
      // no receive or fallback function (here the oracle adapter) just accrues a ledger balance.
      const contractTreasury = await f.oracle.getAddress();
      await (await f.market.connect(f.admin).setTreasury(contractTreasury)).wait();
      const jobId = await runningJob(f, networkHelpers, [[f.alice, P1_5]]);
      await deliverAndSettle(f, jobId);
      const fee = bpsOf(VALUE, FEE_BPS);
      expect(await f.market.balanceOf(usdc, contractTreasury)).to.equal(fee);
      const l = await expectLedger(f, usdc, { renter: BUDGET - VALUE, alice: VALUE - fee });
      expect(l.renter + l.alice + fee).to.equal(BUDGET);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(l.renter + l.alice + fee);
    });
  });
});
