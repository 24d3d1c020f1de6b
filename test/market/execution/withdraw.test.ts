import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { awardedJob, createJob, deliverJob, nextAt, runningJob, settledJob } from "../../kit/jobs.ts";
import { deployMarket, JobState, RENTER_FUNDS } from "../../kit/market.ts";
import { AWARD_REFUND, BUDGET, expectConservation, expectLedger, VALUE } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture, settledFixture } = marketFixtures({ ethers, networkHelpers });

/**
 * As settledFixture, but the job is paid in a stablecoin with a blacklist (allow-listed by governance), and
 * alice is blacklisted by the token after settlement.
 */
async function blacklistFixture() {
  const f = await deployMarket(ethers);
  const busd = await ethers.deployContract("BlacklistStablecoin");
  const busdAddress = await busd.getAddress();
  await f.market.connect(f.admin).setPaymentToken(busdAddress, true);
  await busd.mint(f.renter.address, RENTER_FUNDS);
  await busd.connect(f.renter).approve(await f.market.getAddress(), ethers.MaxUint256);
  const jobId = await settledJob(f, networkHelpers, undefined, { paymentToken: busdAddress });
  await busd.setBlacklisted(f.alice.address, true);
  return { ...f, busd, busdAddress, jobId };
}

describe("JobMarket: withdraw", function () {
  describe("happy path", function () {
    it("test_withdraw_sendsTheWholeBalanceToTheCaller", async function () {
      const f = await networkHelpers.loadFixture(settledFixture);
      const { market, usdc, alice, paymentToken } = f;
      const marketBefore = await usdc.balanceOf(await market.getAddress());
      const aliceBefore = await usdc.balanceOf(alice.address);
      await expect(market.connect(alice).withdraw(paymentToken, alice.address))
        .to.emit(market, "Withdrawn")
        .withArgs(paymentToken, alice.address, alice.address, 58_500_000n)
        .and.to.emit(usdc, "Transfer")
        .withArgs(await market.getAddress(), alice.address, 58_500_000n);
      expect(await usdc.balanceOf(alice.address)).to.equal(aliceBefore + 58_500_000n);
      expect(await usdc.balanceOf(await market.getAddress())).to.equal(marketBefore - 58_500_000n);
      await expectLedger(f, { alice: 0n, treasury: 1_500_000n, renter: AWARD_REFUND });
      await expectConservation(f);
    });

    it("test_withdraw_returnsTheAmount", async function () {
      const { market, alice, paymentToken } = await networkHelpers.loadFixture(settledFixture);
      expect(await market.connect(alice).withdraw.staticCall(paymentToken, alice.address)).to.equal(58_500_000n);
    });

    it("test_withdraw_renterAndTreasury", async function () {
      const f = await networkHelpers.loadFixture(settledFixture);
      const { market, usdc, renter, treasury, paymentToken } = f;
      const renterBefore = await usdc.balanceOf(renter.address);
      await expect(market.connect(renter).withdraw(paymentToken, renter.address))
        .to.emit(market, "Withdrawn")
        .withArgs(paymentToken, renter.address, renter.address, AWARD_REFUND);
      await expect(market.connect(treasury).withdraw(paymentToken, treasury.address))
        .to.emit(market, "Withdrawn")
        .withArgs(paymentToken, treasury.address, treasury.address, 1_500_000n);
      expect(await usdc.balanceOf(renter.address)).to.equal(renterBefore + AWARD_REFUND);
      expect(await usdc.balanceOf(treasury.address)).to.equal(1_500_000n);
      // The renter paid exactly the value: funds - budget + refund.
      expect(await usdc.balanceOf(renter.address)).to.equal(RENTER_FUNDS - VALUE);
      await expectConservation(f);
    });

    it("test_withdraw_toAnotherAddress", async function () {
      const f = await networkHelpers.loadFixture(settledFixture);
      const { market, usdc, alice, outsider, paymentToken } = f;
      await expect(market.connect(alice).withdraw(paymentToken, outsider.address))
        .to.emit(market, "Withdrawn")
        .withArgs(paymentToken, alice.address, outsider.address, 58_500_000n);
      expect(await usdc.balanceOf(outsider.address)).to.equal(58_500_000n);
      expect(await usdc.balanceOf(alice.address)).to.equal(0n);
      // The ledger debited is the caller's, not the recipient's.
      await expectLedger(f, { alice: 0n });
      expect(await market.balanceOf(paymentToken, outsider.address)).to.equal(0n);
      await expectConservation(f);
    });

    it("test_withdraw_accumulatesOverJobs", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const paymentToken = await f.usdc.getAddress();
      // A second job: expires without bids, refunding its whole budget to the renter's balance.
      const jobId = await createJob(f);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      await f.market.award(jobId);
      expect((await f.market.jobOf(jobId)).state).to.equal(JobState.Expired);
      await settledJob(f, networkHelpers);
      await expect(f.market.connect(f.renter).withdraw(paymentToken, f.renter.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(paymentToken, f.renter.address, f.renter.address, BUDGET + AWARD_REFUND);
      await expectConservation(f);
    });

    it("test_withdraw_worksWhileAJobIsStillOpen", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const paymentToken = await f.usdc.getAddress();
      const jobId = await awardedJob(f, networkHelpers);
      // The award refund is withdrawable at once; the escrow stays behind.
      await expect(f.market.connect(f.renter).withdraw(paymentToken, f.renter.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(paymentToken, f.renter.address, f.renter.address, AWARD_REFUND);
      expect((await f.market.jobOf(jobId)).escrow).to.equal(VALUE);
      expect(await f.usdc.balanceOf(await f.market.getAddress())).to.equal(VALUE);
      await expectConservation(f);
    });

    it("test_withdraw_unaffectedByDelistingTheToken", async function () {
      const f = await networkHelpers.loadFixture(settledFixture);
      await f.market.connect(f.admin).setPaymentToken(f.paymentToken, false);
      await expect(f.market.connect(f.alice).withdraw(f.paymentToken, f.alice.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(f.paymentToken, f.alice.address, f.alice.address, 58_500_000n);
    });
  });

  describe("errors", function () {
    it("test_withdraw_revertsOnSecondWithdrawal", async function () {
      const { market, alice, paymentToken } = await networkHelpers.loadFixture(settledFixture);
      await market.connect(alice).withdraw(paymentToken, alice.address);
      await expect(market.connect(alice).withdraw(paymentToken, alice.address))
        .to.be.revertedWithCustomError(market, "MarketNothingToWithdraw")
        .withArgs(paymentToken, alice.address);
    });

    it("test_withdraw_revertsForAccountWithoutBalance", async function () {
      const { market, outsider, paymentToken } = await networkHelpers.loadFixture(settledFixture);
      await expect(market.connect(outsider).withdraw(paymentToken, outsider.address))
        .to.be.revertedWithCustomError(market, "MarketNothingToWithdraw")
        .withArgs(paymentToken, outsider.address);
    });

    it("test_withdraw_revertsForTokenWithoutBalance", async function () {
      const { market, token, alice } = await networkHelpers.loadFixture(settledFixture);
      const grl = await token.getAddress();
      await expect(market.connect(alice).withdraw(grl, alice.address))
        .to.be.revertedWithCustomError(market, "MarketNothingToWithdraw")
        .withArgs(grl, alice.address);
    });

    it("test_withdraw_revertsToZeroAddress", async function () {
      const f = await networkHelpers.loadFixture(settledFixture);
      await expect(f.market.connect(f.alice).withdraw(f.paymentToken, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.market, "MarketZeroAddress")
        .withArgs("to");
      await expectLedger(f, { alice: 58_500_000n });
    });

    it("test_withdraw_zeroAddressIsCheckedBeforeTheBalance", async function () {
      const { market, outsider, paymentToken } = await networkHelpers.loadFixture(settledFixture);
      await expect(market.connect(outsider).withdraw(paymentToken, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(market, "MarketZeroAddress")
        .withArgs("to");
    });
  });

  describe("a payee the token refuses", function () {
    it("test_withdraw_blacklistedProviderCannotWithdrawToItself", async function () {
      const f = await networkHelpers.loadFixture(blacklistFixture);
      const { market, busd, busdAddress, alice } = f;
      expect(await market.balanceOf(busdAddress, alice.address)).to.equal(58_500_000n);
      await expect(market.connect(alice).withdraw(busdAddress, alice.address))
        .to.be.revertedWithCustomError(busd, "Blacklisted")
        .withArgs(alice.address);
      // The balance stays credited.
      expect(await market.balanceOf(busdAddress, alice.address)).to.equal(58_500_000n);
      await expectConservation(f, [], busd);
    });

    it("test_withdraw_blacklistedProviderDoesNotBlockRenterOrTreasury", async function () {
      const f = await networkHelpers.loadFixture(blacklistFixture);
      const { market, busd, busdAddress, renter, treasury } = f;
      await expect(market.connect(renter).withdraw(busdAddress, renter.address))
        .to.emit(market, "Withdrawn")
        .withArgs(busdAddress, renter.address, renter.address, AWARD_REFUND);
      await expect(market.connect(treasury).withdraw(busdAddress, treasury.address))
        .to.emit(market, "Withdrawn")
        .withArgs(busdAddress, treasury.address, treasury.address, 1_500_000n);
      expect(await busd.balanceOf(renter.address)).to.equal(RENTER_FUNDS - VALUE);
      expect(await busd.balanceOf(treasury.address)).to.equal(1_500_000n);
      // Only the blacklisted provider's balance is left.
      expect(await busd.balanceOf(await market.getAddress())).to.equal(58_500_000n);
      await expectConservation(f, [], busd);
    });

    it("test_withdraw_blacklistedProviderCanWithdrawToAnotherAddress", async function () {
      const f = await networkHelpers.loadFixture(blacklistFixture);
      const { market, busd, busdAddress, alice, outsider } = f;
      await expect(market.connect(alice).withdraw(busdAddress, outsider.address))
        .to.emit(market, "Withdrawn")
        .withArgs(busdAddress, alice.address, outsider.address, 58_500_000n);
      expect(await busd.balanceOf(outsider.address)).to.equal(58_500_000n);
      expect(await market.balanceOf(busdAddress, alice.address)).to.equal(0n);
      await expectConservation(f, [], busd);
    });

    it("test_withdraw_blacklistedProviderDoesNotBlockSettlement", async function () {
      // Blacklisted before the job settles: payouts are ledger credits, so settlement still goes through.
      const f = await networkHelpers.loadFixture(marketFixture);
      const busd = await ethers.deployContract("BlacklistStablecoin");
      const busdAddress = await busd.getAddress();
      await f.market.connect(f.admin).setPaymentToken(busdAddress, true);
      await busd.mint(f.renter.address, RENTER_FUNDS);
      await busd.connect(f.renter).approve(await f.market.getAddress(), ethers.MaxUint256);
      const jobId = await runningJob(f, networkHelpers, undefined, { paymentToken: busdAddress });
      await busd.setBlacklisted(f.alice.address, true);
      await deliverJob(f, networkHelpers, jobId);
      await f.market.connect(f.alice).claim(jobId);
      await nextAt(networkHelpers, (await f.market.jobOf(jobId)).deadline);
      await expect(f.market.settle(jobId)).to.emit(f.market, "JobSettled");
      expect(await f.market.balanceOf(busdAddress, f.alice.address)).to.equal(58_500_000n);
      await expectConservation(f, [], busd);
    });
  });

  describe("conservation", function () {
    it("test_withdraw_everyoneWithdrawsAndTheMarketIsEmpty", async function () {
      const f = await networkHelpers.loadFixture(settledFixture);
      const { market, usdc, paymentToken } = f;
      for (const who of [f.alice, f.renter, f.treasury]) {
        await market.connect(who).withdraw(paymentToken, who.address);
        await expectConservation(f);
      }
      expect(await usdc.balanceOf(await market.getAddress())).to.equal(0n);
      // Everything the renter paid, minus the fee, reached alice; the fee reached the treasury.
      expect(await usdc.balanceOf(f.alice.address)).to.equal(58_500_000n);
      expect(await usdc.balanceOf(f.treasury.address)).to.equal(1_500_000n);
      expect(await usdc.balanceOf(f.renter.address)).to.equal(RENTER_FUNDS - VALUE);
    });
  });
});
