import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";
import { awardedJob, commitBid, createJob, jobRequest, revealBid, runningJob } from "../../kit/jobs.ts";
import {
  DAY,
  EMISSION_BUDGET_PER_EPOCH,
  HOUR,
  INSTANT,
  JobState,
  LATE_DELIVERY,
  NO_SHOW,
  PROVIDER_FAULT,
  RENTER_FAULT,
} from "../../kit/market.ts";
import { GRL, INITIAL_SUPPLY, reputationAfterJob } from "../../kit/protocol.ts";
import {
  allAccounts,
  creditsFor,
  deploySettlement,
  expectBooks,
  expectWithdrawnAtOnce,
  grlFor,
  grlForCredits,
  PRICE,
  price18,
  setAnswer,
  type SettlementFixture,
  USD,
  withdrawOwnEarnings,
} from "../../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();

// ------------------------------------------------------------------------------------------------
// The default request priced in credits (18-decimals USD), worked out by hand
// ------------------------------------------------------------------------------------------------

/** $2.00 per GPU-hour reserve, 4 GPUs, 10 hours. */
const RESERVE = 2n * USD;
const GPUS = 4n;
const DURATION = 10n * HOUR;
/** Alice's winning bid: $1.50 per GPU-hour; bob's losing one $1.80. */
const BID = (15n * USD) / 10n;
const LOSING_BID = (18n * USD) / 10n;
/** Escrowed at creation: 2 x 4 x 10. */
const BUDGET = 80n * USD;
/** Value at the clearing price: 1.5 x 4 x 10. */
const VALUE = 60n * USD;
/** Budget above the value, credited back at award. */
const AWARD_REFUND = BUDGET - VALUE;
/** GPU-seconds of a settled default job. */
const GPU_SECONDS = GPUS * DURATION;
/** Collateral: ceil(30% of 160 GRL) = 48 GRL at creation ($80 at $0.50), scaled to 36 GRL at $1.50. */
const COLLATERAL_AT_CREATION = 48n * GRL;
const COLLATERAL = 36n * GRL;

const DISPUTE_TIMEOUT = 3n * DAY;
const DELIVERY_GRACE = HOUR;
/**
 * 5% of the $60 value, in GRL at the creation price of $0.50 ($3): a credit job's dispute bond is GRL, the
 * collateral (30% of the value) scaled to 5%.
 */
const DISPUTE_BOND = 6n * GRL;
/** A success weighted by the job's $60 value against the $100 reference (ReputationMath): 5,000 -> 5,300. */
const REPUTATION_AFTER_SUCCESS = reputationAfterJob(5_000n, VALUE, 18n);
const REPUTATION_AFTER_FAULT = 3_333n;
const EVIDENCE_HASH = "0x" + "cd".repeat(32);

function feeOf(gross: bigint): bigint {
  return (gross * 250n) / 10_000n;
}

/** Credits each fixture renter holds: 1000 GRL at $0.50 less 25 bps. */
const BOUGHT = creditsFor(1_000n * GRL, PRICE);

async function fixture() {
  const f = await deploySettlement(ethers);
  await f.settlement.connect(f.renter).buyCredits(f.renter.address, 1_000n * GRL, BOUGHT);
  await f.settlement.connect(f.renter2).buyCredits(f.renter2.address, 1_000n * GRL, BOUGHT);
  return f;
}

/** Request overrides that make the default request a credit job. */
function credit(f: SettlementFixture, overrides: Partial<IJobMarket.JobRequestStruct> = {}) {
  return { paymentToken: f.settlementAddress, reservePricePerGpuHour: RESERVE, ...overrides };
}

/** Every credit here was bought at $0.50: a floor of 500,000,000 FLOOR_UNITs, so each dollar carries 2 GRL of basis. */
const FLOOR_AT_CREATION = 500_000_000n;

/** The settlement events that move credits; they share one shape (ISettlement). */
type CreditFlow = "CreditsSpent" | "CreditsRefunded" | "EarningsAccrued";

/**
 * Expects `tx` to emit `event` for `account`: `amount` moved, `balance` and `escrowed` after, and the GRL basis
 * (or cap) moved and left at the $0.50 floor, i.e. twice the dollars.
 */
async function expectCreditFlow(
  f: SettlementFixture,
  tx: Promise<unknown>,
  event: CreditFlow,
  account: string,
  amount: bigint,
  balance: bigint,
  escrowed: bigint,
): Promise<void> {
  await expect(tx)
    .to.emit(f.settlement, event)
    .withArgs(account, amount, balance, escrowed, 2n * amount, FLOOR_AT_CREATION, 2n * balance);
}

/**
 * Expects `tx` to pay `net` of earnings to `provider` and the `fee` to the treasury out of a credit job's
 * escrow, leaving `escrowed`; the earnings balances after default to the amounts paid (no earlier pay).
 */
async function expectPaidOut(
  f: SettlementFixture,
  tx: Promise<unknown>,
  provider: HardhatEthersSigner,
  net: bigint,
  fee: bigint,
  escrowed: bigint,
  providerBalance: bigint = net,
  treasuryBalance: bigint = fee,
): Promise<void> {
  await expectCreditFlow(f, tx, "EarningsAccrued", provider.address, net, providerBalance, escrowed + fee);
  await expectCreditFlow(f, tx, "EarningsAccrued", f.treasury.address, fee, treasuryBalance, escrowed);
}

/** Expects `tx` to record a whole default job's GPU-seconds for `provider` in epoch 0, with `feeUsd` of fees. */
async function expectGpuSeconds(
  f: SettlementFixture,
  tx: Promise<unknown>,
  provider: HardhatEthersSigner,
  feeUsd: bigint,
): Promise<void> {
  await expect(tx)
    .to.emit(f.settlement, "GpuSecondsRecorded")
    .withArgs(0n, provider.address, GPU_SECONDS, GPU_SECONDS, GPU_SECONDS, EMISSION_BUDGET_PER_EPOCH, feeUsd, feeUsd);
}

/** Republishes the feed's current answer (a job's lifecycle outlasts the 24 h heartbeat). */
async function refreshFeed(f: SettlementFixture): Promise<void> {
  const [, answer] = await f.feed.latestRoundData();
  await setAnswer(f, answer);
}

/** Mines the next transaction at exactly `t`. */
async function nextAt(t: bigint): Promise<void> {
  await networkHelpers.time.setNextBlockTimestamp(t);
}

/** A credit job of `renter` auctioned to `provider` at `price` (sole bidder), now Awarded. */
async function awardedCreditJob(
  f: SettlementFixture,
  renter: HardhatEthersSigner,
  provider: HardhatEthersSigner,
  price: bigint = BID,
  overrides: Partial<IJobMarket.JobRequestStruct> = {},
): Promise<bigint> {
  await refreshFeed(f);
  const jobId = await createJob(f, credit(f, overrides), renter);
  await commitBid(f, provider, jobId, price);
  const job = await f.market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.bidDeadline);
  await revealBid(f, provider, jobId, price);
  await networkHelpers.time.increaseTo(job.revealDeadline);
  await f.market.award(jobId);
  return jobId;
}

/** Starts an awarded job as its provider and returns its start time. */
async function start(f: SettlementFixture, provider: HardhatEthersSigner, jobId: bigint): Promise<bigint> {
  await f.market.connect(provider).startJob(jobId);
  return BigInt((await f.market.jobOf(jobId)).startedAt);
}

/** Delivers a running job at the end of its paid duration. */
async function deliverAtEnd(f: SettlementFixture, provider: HardhatEthersSigner, jobId: bigint): Promise<bigint> {
  const job = await f.market.jobOf(jobId);
  const t = BigInt(job.startedAt) + BigInt(job.duration);
  await nextAt(t);
  await f.market.connect(provider).deliver(jobId, ethers.id("result"), "ipfs://result");
  return t;
}

/** Disputes a delivered job one hour after delivery. */
async function disputeAfterAnHour(
  f: SettlementFixture,
  renter: HardhatEthersSigner,
  jobId: bigint,
  deliveredAt: bigint,
): Promise<bigint> {
  const t = deliveredAt + HOUR;
  await f.token.connect(renter).approve(await f.market.getAddress(), DISPUTE_BOND);
  await nextAt(t);
  await f.market.connect(renter).dispute(jobId, EVIDENCE_HASH);
  return t;
}

/**
 * Once every job is final: nothing is escrowed; credits outstanding are bought - spent + refunded;
 * every credit escrowed was refunded or earned; no credit ever reached the market's own ledger; GRL's
 * supply is the genesis supply plus mints less burns; and the settlement's books (helpers) balance.
 */
async function expectFinalBooks(f: SettlementFixture): Promise<void> {
  const s = f.settlement;
  const jobs = await f.market.jobCount();
  for (let id = 1n; id <= jobs; id++) {
    const job = await f.market.jobOf(id);
    expect(job.escrow).to.equal(0n);
    expect([JobState.Settled, JobState.Cancelled, JobState.Expired, JobState.Failed, JobState.Resolved]).to.include(
      job.state,
    );
  }
  expect(await s.creditsEscrowed()).to.equal(0n);
  const [bought, spent, refunded, accrued] = await Promise.all([
    s.totalCreditsBought(),
    s.totalCreditsSpent(),
    s.totalCreditsRefunded(),
    s.totalEarningsAccrued(),
  ]);
  expect(await s.creditsOutstanding()).to.equal(bought - spent + refunded);
  expect(spent).to.equal(refunded + accrued);
  for (const a of allAccounts(f)) expect(await f.market.balanceOf(f.settlementAddress, a.address)).to.equal(0n);
  // Dispute bonds of credit jobs are GRL: once every dispute is over, all the market's GRL is on its ledger.
  let grlOwed = 0n;
  for (const a of allAccounts(f)) grlOwed += await f.market.balanceOf(await f.token.getAddress(), a.address);
  expect(await f.token.balanceOf(await f.market.getAddress())).to.equal(grlOwed);
  expect(await f.token.totalSupply()).to.equal(
    INITIAL_SUPPLY + (await f.token.totalMinted()) - (await f.token.totalBurned()),
  );
  await expectBooks(f, allAccounts(f));
}

describe("Settlement lifecycle: credit jobs through the market", function () {
  describe("delivered", function () {
    it("test_creditJob_fullLifecycleWithClaimSettleAndWithdrawalAtANewPrice", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const s = f.settlement;

      // Create: the budget is escrowed in credits, collateral priced from the oracle as for a stablecoin.
      const request = await jobRequest(f, credit(f));
      const created = f.market.connect(f.renter).createJob(request);
      await expectCreditFlow(f, created, "CreditsSpent", f.renter.address, BUDGET, BOUGHT - BUDGET, BUDGET);
      await expect(created).to.changeTokenBalance(ethers, f.token, f.market, 0n);
      const jobId = await f.market.jobCount();
      let job = await f.market.jobOf(jobId);
      expect([job.paymentToken, job.escrow, job.collateral]).to.deep.equal([
        f.settlementAddress,
        BUDGET,
        COLLATERAL_AT_CREATION,
      ]);

      // Auction: alice wins at $1.50; the excess over the value goes back as credits.
      await commitBid(f, f.alice, jobId, BID);
      await commitBid(f, f.bob, jobId, LOSING_BID);
      await networkHelpers.time.increaseTo(job.bidDeadline);
      await revealBid(f, f.alice, jobId, BID);
      await revealBid(f, f.bob, jobId, LOSING_BID);
      await networkHelpers.time.increaseTo(job.revealDeadline);
      await expectCreditFlow(
        f,
        f.market.award(jobId),
        "CreditsRefunded",
        f.renter.address,
        AWARD_REFUND,
        BOUGHT - VALUE,
        VALUE,
      );
      await f.market.closeBid(jobId, f.bob.address);
      job = await f.market.jobOf(jobId);
      expect([job.escrow, job.collateral]).to.deep.equal([VALUE, COLLATERAL]);

      // Halfway claim: $30 accrued, $6 held back, $24 gross, $0.60 fee, all as USD earnings.
      const startedAt = await start(f, f.alice, jobId);
      await nextAt(startedAt + 5n * HOUR);
      const claimed = f.market.connect(f.alice).claim(jobId);
      await expect(claimed)
        .to.emit(f.market, "PaymentClaimed")
        .withArgs(jobId, f.alice.address, f.settlementAddress, 24n * USD, (6n * USD) / 10n, 24n * USD);
      await expectPaidOut(f, claimed, f.alice, (234n * USD) / 10n, (6n * USD) / 10n, 36n * USD);

      // Deliver at the end, settle after the challenge window: the remaining $36 are paid out.
      await deliverAtEnd(f, f.alice, jobId);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      const settled = f.market.settle(jobId);
      await expect(settled)
        .to.emit(f.market, "JobSettled")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          f.settlementAddress,
          VALUE,
          36n * USD,
          feeOf(36n * USD),
          0n,
          0n,
          REPUTATION_AFTER_SUCCESS,
        );
      await expectPaidOut(
        f,
        settled,
        f.alice,
        (351n * USD) / 10n,
        (9n * USD) / 10n,
        0n,
        (585n * USD) / 10n,
        (15n * USD) / 10n,
      );
      // The fee on the job's $60 value ($1.50, credits are dollars) caps alice's emission for the epoch.
      await expectGpuSeconds(f, settled, f.alice, (15n * USD) / 10n);

      // USD flows: provider + fee + refund == escrowed.
      const providerUsd = (585n * USD) / 10n;
      const feeUsd = (15n * USD) / 10n;
      expect(await s.earningsOf(f.alice.address)).to.equal(providerUsd);
      expect(await s.earningsOf(f.treasury.address)).to.equal(feeUsd);
      // The fees recorded for the emission cap are the fees the treasury earned from the job.
      expect(await s.feesUsdOf(0n, f.alice.address)).to.equal(feeUsd);
      expect(providerUsd + feeUsd + AWARD_REFUND).to.equal(BUDGET);
      expect(await s.creditsOf(f.renter.address)).to.equal(BOUGHT - VALUE);

      // GRL rose from $0.50 (escrow) to $0.80 (withdrawal): the same dollars, fewer GRL.
      const newPrice = price18(80_000_000n);
      await setAnswer(f, 80_000_000n);
      const providerGrl = grlFor(providerUsd, newPrice);
      expect(providerGrl).to.equal((73_125n * GRL) / 1_000n);
      expect(providerGrl).to.be.lessThan(grlFor(providerUsd, PRICE));
      const withdrawn = withdrawOwnEarnings(f, f.alice);
      await expectWithdrawnAtOnce(
        f,
        withdrawn,
        f.alice.address,
        providerUsd,
        providerGrl,
        newPrice,
        0n,
        2n * providerUsd,
      );
      await expect(withdrawn).to.changeTokenBalance(ethers, f.token, f.alice, providerGrl);
      // The treasury's fees are earnings like any other.
      const feeGrl = grlFor(feeUsd, newPrice);
      expect(feeGrl).to.equal((1_875n * GRL) / 1_000n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.treasury),
        f.treasury.address,
        feeUsd,
        feeGrl,
        newPrice,
        0n,
        2n * feeUsd,
      );

      expect(await s.totalGrlMintedForEarnings()).to.equal(providerGrl + feeGrl);
      expect(await f.token.totalSupply()).to.equal(INITIAL_SUPPLY - 2_000n * GRL + providerGrl + feeGrl);
      await expect(f.market.connect(f.alice).withdraw(f.settlementAddress, f.alice.address))
        .to.be.revertedWithCustomError(f.market, "MarketNothingToWithdraw")
        .withArgs(f.settlementAddress, f.alice.address);
      await expectFinalBooks(f);
    });

    it("test_creditJob_createJobWithPermitIgnoresThePermitForCredits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // The settlement has no permit(): the market's try/catch swallows the failed call.
      await expect(
        f.market
          .connect(f.renter)
          .createJobWithPermit(await jobRequest(f, credit(f)), 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
      )
        .to.emit(f.settlement, "CreditsSpent")
        .withArgs(f.renter.address, BUDGET, BOUGHT - BUDGET, BUDGET, 2n * BUDGET, 500_000_000n, 2n * (BOUGHT - BUDGET));
      expect((await f.market.jobOf(1n)).escrow).to.equal(BUDGET);
    });

    it("test_creditJob_createJobRevertsWithoutEnoughCredits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.connect(f.outsider).createJob(await jobRequest(f, credit(f))))
        .to.be.revertedWithCustomError(f.settlement, "SettlementInsufficientCredits")
        .withArgs(f.outsider.address, 0n, BUDGET);
      // One wei short of the budget.
      await f.settlement.connect(f.renter).buyCredits(f.dave.address, grlForCredits(BUDGET), 0n);
      const daveCredits = await f.settlement.creditsOf(f.dave.address);
      expect(daveCredits).to.equal(BUDGET);
      const short = await jobRequest(f, credit(f, { reservePricePerGpuHour: RESERVE + 1n }));
      // 4 GPUs x 10 h at $2 + 1 wei per GPU-hour: 40 wei over the budget.
      await expect(f.market.connect(f.dave).createJob(short))
        .to.be.revertedWithCustomError(f.settlement, "SettlementInsufficientCredits")
        .withArgs(f.dave.address, BUDGET, BUDGET + 40n);
      await expect(f.market.connect(f.dave).createJob(await jobRequest(f, credit(f))))
        .to.emit(f.settlement, "CreditsSpent")
        .withArgs(f.dave.address, BUDGET, 0n, BUDGET, 2n * BUDGET, 500_000_000n, 0n);
    });

    it("test_creditJob_instantJobEscrowsAtTheReserveAndSettles", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const overrides = credit(f, { pricingRule: INSTANT, revealWindow: 0 });
      const jobId = await createJob(f, overrides);
      const accepted = f.market.connect(f.bob).acceptInstant(jobId);
      await expect(accepted).to.emit(f.market, "JobAwarded");
      // The price is the reserve: the whole budget is the value, nothing is refunded.
      await expect(accepted).not.to.emit(f.settlement, "CreditsRefunded");
      expect((await f.market.jobOf(jobId)).escrow).to.equal(BUDGET);
      await start(f, f.bob, jobId);
      await deliverAtEnd(f, f.bob, jobId);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      const settled = f.market.settle(jobId);
      await expectPaidOut(f, settled, f.bob, 78n * USD, 2n * USD, 0n);
      await expectGpuSeconds(f, settled, f.bob, 2n * USD);

      // GRL fell to $0.40: $78 would be 195 GRL, but the renter bought the credits at $0.50, so the
      // withdrawal is capped at the GRL behind them: 156 GRL (the cost basis, see ISettlement).
      await setAnswer(f, 40_000_000n);
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.bob),
        f.bob.address,
        78n * USD,
        156n * GRL,
        price18(40_000_000n),
        0n,
        2n * (78n * USD),
      );
      await expectWithdrawnAtOnce(
        f,
        withdrawOwnEarnings(f, f.treasury),
        f.treasury.address,
        2n * USD,
        4n * GRL,
        price18(40_000_000n),
        0n,
        2n * (2n * USD),
      );
      expect(78n * USD + 2n * USD).to.equal(BUDGET);
      await expectFinalBooks(f);
    });

    it("test_creditJob_withdrawalAboveTheMintCapIsQueued", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.admin).setMintCapPerEpoch(50n * GRL);
      const jobId = await runningJob(f, networkHelpers, [[f.alice, BID]], credit(f));
      await deliverAtEnd(f, f.alice, jobId);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      await f.market.settle(jobId);
      await refreshFeed(f);
      // $58.50 at $0.50 is 117 GRL: 50 now, 67 queued.
      await expect(withdrawOwnEarnings(f, f.alice))
        .to.emit(f.settlement, "EarningsWithdrawn")
        .withArgs(
          f.alice.address,
          f.alice.address,
          (585n * USD) / 10n,
          117n * GRL,
          PRICE,
          50n * GRL,
          1n,
          67n * GRL,
          0n,
          2n * ((585n * USD) / 10n),
        );
      await networkHelpers.time.increaseTo(await f.settlement.epochStart(1n));
      await f.settlement.claimQueuedMint(1n);
      await networkHelpers.time.increaseTo(await f.settlement.epochStart(2n));
      await expect(f.settlement.claimQueuedMint(1n))
        .to.emit(f.settlement, "QueuedMintClaimed")
        .withArgs(1n, f.alice.address, 17n * GRL, 67n * GRL, 67n * GRL);
      await expectFinalBooks(f);
    });
  });

  describe("storage", function () {
    // The market's `_jobs` mapping is at storage slot 5 (after the roles, the packed configuration slot, the
    // treasury, the payment tokens and the parameter sets); a job's slot 2 holds `payment` (low 160 bits) and
    // the collateral at the reserve (high 96), its slot 7 the second price and the dispute bond.
    const JOBS_SLOT = 5n;
    const LOW_160 = (1n << 160n) - 1n;
    const UNBACKED_FLOOR = (1n << 64n) - 1n;

    function jobSlot(jobId: bigint, index: bigint): bigint {
      const base = BigInt(
        ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [jobId, JOBS_SLOT])),
      );
      return base + index;
    }

    async function readJobSlot(f: SettlementFixture, jobId: bigint, index: bigint): Promise<bigint> {
      return BigInt(await ethers.provider.getStorage(await f.market.getAddress(), jobSlot(jobId, index)));
    }

    it("test_layout_creditJobKeepsItsFloorWhereAStablecoinJobKeepsItsToken", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const creditJob = await createJob(f, credit(f));
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, credit(f))))
        .to.emit(f.market, "CreditFloorSet")
        .withArgs(creditJob + 1n, FLOOR_AT_CREATION);
      const stablecoinJob = await createJob(f);
      const stablecoin = (await f.market.jobOf(stablecoinJob)).paymentToken;
      expect(stablecoin).to.not.equal(f.settlementAddress);
      for (const [jobId, payment] of [
        [creditJob, FLOOR_AT_CREATION],
        [stablecoinJob, BigInt(stablecoin)],
      ] as const) {
        const word = await readJobSlot(f, jobId, 2n);
        expect(word & LOW_160).to.equal(payment);
        expect(word >> 160n).to.equal((await f.market.jobOf(jobId)).collateral);
        // The credit floor takes no slot of its own: the job's last slot is still unwritten.
        expect(await readJobSlot(f, jobId, 7n)).to.equal(0n);
      }
      expect((await f.market.jobOf(creditJob)).paymentToken).to.equal(f.settlementAddress);
    });

    it("test_creditJob_unbackedFloorIsStillACreditJob", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, credit(f));
      // The largest floor (credits with no GRL behind them) is 2^64 - 1, one below the lowest address a payment
      // token may have: the job must still pay and refund in credits, not on a token ledger at that address.
      const slot = jobSlot(jobId, 2n);
      const word = await readJobSlot(f, jobId, 2n);
      await networkHelpers.setStorageAt(await f.market.getAddress(), slot, (word & ~LOW_160) | UNBACKED_FLOOR);
      expect((await f.market.jobOf(jobId)).paymentToken).to.equal(f.settlementAddress);
      const basisBefore = await f.settlement.creditBasisOf(f.renter.address);
      await expect(f.market.connect(f.renter).cancelJob(jobId))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(f.renter.address, BUDGET, BOUGHT, 0n, 0n, UNBACKED_FLOOR, basisBefore);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(BOUGHT);
      const unbackedToken = ethers.getAddress(ethers.toBeHex(UNBACKED_FLOOR, 20));
      expect(await f.market.balanceOf(unbackedToken, f.renter.address)).to.equal(0n);
    });
  });

  describe("refunds", function () {
    it("test_creditJob_cancelRefundsTheBudget", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, credit(f));
      const cancelled = f.market.connect(f.renter).cancelJob(jobId);
      await expect(cancelled).to.emit(f.market, "JobCancelled").withArgs(jobId, f.renter.address, BUDGET);
      await expectCreditFlow(f, cancelled, "CreditsRefunded", f.renter.address, BUDGET, BOUGHT, 0n);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(BOUGHT);
      expect(await f.settlement.creditsOutstanding()).to.equal(2n * BOUGHT);
      await expectFinalBooks(f);
    });

    it("test_creditJob_expiredAuctionRefundsTheBudget", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await createJob(f, credit(f));
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
      const expired = f.market.award(jobId);
      await expect(expired).to.emit(f.market, "JobExpired").withArgs(jobId, f.renter.address, BUDGET, 0n);
      await expectCreditFlow(f, expired, "CreditsRefunded", f.renter.address, BUDGET, BOUGHT, 0n);
      await expectFinalBooks(f);
    });

    it("test_creditJob_stopJobPaysAccruedAndRefundsTheRest", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, BID]], credit(f));
      const startedAt = await start(f, f.alice, jobId);
      // After 4 h: $24 accrued ($0.60 fee), $36 refunded.
      await nextAt(startedAt + 4n * HOUR);
      const stopped = f.market.connect(f.renter).stopJob(jobId);
      await expect(stopped)
        .to.emit(f.market, "JobStopped")
        .withArgs(jobId, f.renter.address, f.alice.address, 24n * USD, (6n * USD) / 10n, 36n * USD, 4n * HOUR);
      await expectPaidOut(f, stopped, f.alice, (234n * USD) / 10n, (6n * USD) / 10n, 36n * USD);
      await expectCreditFlow(
        f,
        stopped,
        "CreditsRefunded",
        f.renter.address,
        36n * USD,
        BOUGHT - VALUE + 36n * USD,
        0n,
      );
      // A stopped job did not settle as delivered: no GPU-seconds for emissions.
      await expect(stopped).not.to.emit(f.settlement, "GpuSecondsRecorded");
      expect((234n * USD) / 10n + (6n * USD) / 10n + AWARD_REFUND + 36n * USD).to.equal(BUDGET);
      await expectFinalBooks(f);
    });

    it("test_creditJob_failJobNoShowRefundsTheValue", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, BID]], credit(f));
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      const failed = f.market.failJob(jobId);
      // Half the 36 GRL collateral (18 GRL) is slashed: 9 GRL to the renter, in GRL not credits, and 9 burned.
      await expect(failed)
        .to.emit(f.market, "JobFailed")
        .withArgs(jobId, f.renter.address, f.alice.address, NO_SHOW, VALUE, 9n * GRL, 9n * GRL, REPUTATION_AFTER_FAULT);
      await expectCreditFlow(f, failed, "CreditsRefunded", f.renter.address, VALUE, BOUGHT, 0n);
      await expect(failed).not.to.emit(f.settlement, "EarningsAccrued");
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(BOUGHT);
      await expectFinalBooks(f);
    });

    it("test_creditJob_failJobLateDeliveryRefundsWhatWasNotClaimed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, BID]], credit(f));
      const startedAt = await start(f, f.alice, jobId);
      await nextAt(startedAt + 5n * HOUR);
      await f.market.connect(f.alice).claim(jobId);
      await networkHelpers.time.increaseTo(startedAt + DURATION + DELIVERY_GRACE);
      const failed = f.market.failJob(jobId);
      await expect(failed)
        .to.emit(f.market, "JobFailed")
        .withArgs(
          jobId,
          f.renter.address,
          f.alice.address,
          LATE_DELIVERY,
          36n * USD,
          9n * GRL,
          9n * GRL,
          REPUTATION_AFTER_FAULT,
        );
      await expectCreditFlow(f, failed, "CreditsRefunded", f.renter.address, 36n * USD, BOUGHT - VALUE + 36n * USD, 0n);
      // The claimed pay stays earned.
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal((234n * USD) / 10n);
      expect(await f.settlement.earningsOf(f.treasury.address)).to.equal((6n * USD) / 10n);
      await expectFinalBooks(f);
    });
  });

  describe("disputes", function () {
    /** Alice's credit job, delivered at the end and disputed an hour later. */
    async function disputedFixture() {
      const f = await fixture();
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, BID]], credit(f));
      await start(f, f.alice, jobId);
      const deliveredAt = await deliverAtEnd(f, f.alice, jobId);
      await disputeAfterAnHour(f, f.renter, jobId, deliveredAt);
      return { ...f, jobId, disputedAt: deliveredAt + HOUR };
    }

    it("test_creditJob_disputeBondIsEscrowedInGrlNotCredits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobId = await awardedJob(f, networkHelpers, [[f.alice, BID]], credit(f));
      await start(f, f.alice, jobId);
      const deliveredAt = await deliverAtEnd(f, f.alice, jobId);
      const t = deliveredAt + HOUR;
      const grl = await f.token.getAddress();
      expect(await f.market.disputeBondOf(jobId)).to.deep.equal([grl, DISPUTE_BOND]);
      await f.token.connect(f.renter).approve(await f.market.getAddress(), DISPUTE_BOND);
      await nextAt(t);
      const disputed = f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH);
      await expect(disputed)
        .to.emit(f.market, "JobDisputed")
        .withArgs(jobId, f.renter.address, EVIDENCE_HASH, grl, DISPUTE_BOND, t + DISPUTE_TIMEOUT);
      await expect(disputed).to.changeTokenBalances(
        ethers,
        f.token,
        [f.renter, f.market],
        [-DISPUTE_BOND, DISPUTE_BOND],
      );
      await expect(disputed).not.to.emit(f.settlement, "CreditsSpent");
      await expect(disputed).not.to.emit(f.market, "CreditFloorSet");
      expect(await f.settlement.creditsEscrowed()).to.equal(VALUE);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(BOUGHT - VALUE);
    });

    it("test_creditJob_disputeNeedsNoSpareCredits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // The buyer holds exactly the budget in credits; the auction clears at the reserve.
      await f.token.connect(f.buyer).approve(f.settlementAddress, ethers.MaxUint256);
      await f.settlement.connect(f.buyer).buyCredits(f.buyer.address, grlForCredits(BUDGET), BUDGET);
      expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(BUDGET);
      const jobId = await awardedCreditJob(f, f.buyer, f.alice, RESERVE);
      expect(await f.settlement.creditsOf(f.buyer.address)).to.equal(0n);
      await start(f, f.alice, jobId);
      const deliveredAt = await deliverAtEnd(f, f.alice, jobId);
      // Bond: 5% of the $80 value at $0.50 = 8 GRL, bonded with no credits left.
      const bond = 8n * GRL;
      await f.token.connect(f.buyer).approve(await f.market.getAddress(), bond);
      await nextAt(deliveredAt + HOUR);
      await expect(f.market.connect(f.buyer).dispute(jobId, EVIDENCE_HASH)).to.changeTokenBalance(
        ethers,
        f.token,
        f.buyer,
        -bond,
      );
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
      await f.market.settleDisputeTimeout(jobId);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(78n * USD);
      expect(await f.market.balanceOf(await f.token.getAddress(), f.buyer.address)).to.equal(bond);
      await expectFinalBooks(f);
    });

    it("test_creditJob_renterFaultRulingPaysTheProviderAndTheBond", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      const resolved = f.market.connect(f.arbiter).resolveDispute(f.jobId, RENTER_FAULT);
      await expect(resolved).to.emit(f.market, "DisputeResolvedForProvider").withArgs(f.jobId, f.arbiter.address);
      await expect(resolved)
        .to.emit(f.market, "JobSettled")
        .withArgs(
          f.jobId,
          f.renter.address,
          f.alice.address,
          f.settlementAddress,
          VALUE,
          VALUE,
          feeOf(VALUE),
          DISPUTE_BOND,
          0n,
          REPUTATION_AFTER_SUCCESS,
        );
      await expectPaidOut(f, resolved, f.alice, (585n * USD) / 10n, (15n * USD) / 10n, 0n);
      // The bond is GRL, credited to the provider on the market's ledger: no earnings, no fee.
      expect(await f.market.balanceOf(await f.token.getAddress(), f.alice.address)).to.equal(DISPUTE_BOND);
      // The fee is the job's ($1.50 on $60).
      await expectGpuSeconds(f, resolved, f.alice, (15n * USD) / 10n);
      await expect(resolved).not.to.emit(f.settlement, "CreditsRefunded");
      // Escrowed: $80 budget = $58.50 provider + $1.50 fee + $20 award refund.
      expect((585n * USD) / 10n + (15n * USD) / 10n + AWARD_REFUND).to.equal(BUDGET);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(BOUGHT - VALUE);
      await refreshFeed(f);
      await expect(withdrawOwnEarnings(f, f.alice)).to.changeTokenBalance(ethers, f.token, f.alice, 117n * GRL);
      await expect(
        f.market.connect(f.alice).withdraw(await f.token.getAddress(), f.alice.address),
      ).to.changeTokenBalance(ethers, f.token, f.alice, DISPUTE_BOND);
      await expectFinalBooks(f);
    });

    it("test_creditJob_providerFaultRulingRefundsTheHoldbackAndTheBond", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      const resolved = f.market.connect(f.arbiter).resolveDispute(f.jobId, PROVIDER_FAULT);
      // Accrued to delivery $60, less the $12 holdback: $48 gross ($1.20 fee); $12 refunded, the 6 GRL bond
      // credited back on the market's ledger.
      await expect(resolved)
        .to.emit(f.market, "DisputeResolvedForRenter")
        .withArgs(
          f.jobId,
          f.renter.address,
          f.alice.address,
          f.arbiter.address,
          48n * USD,
          (12n * USD) / 10n,
          12n * USD,
          COLLATERAL / 2n,
          COLLATERAL / 2n,
          REPUTATION_AFTER_FAULT,
        );
      await expectPaidOut(f, resolved, f.alice, (468n * USD) / 10n, (12n * USD) / 10n, 12n * USD);
      await expectCreditFlow(
        f,
        resolved,
        "CreditsRefunded",
        f.renter.address,
        12n * USD,
        BOUGHT - VALUE + 12n * USD,
        0n,
      );
      await expect(resolved).not.to.emit(f.settlement, "GpuSecondsRecorded");
      expect(await f.market.balanceOf(await f.token.getAddress(), f.renter.address)).to.equal(DISPUTE_BOND);
      expect((468n * USD) / 10n + (12n * USD) / 10n + AWARD_REFUND + 12n * USD).to.equal(BUDGET);
      await expectFinalBooks(f);
    });

    it("test_creditJob_disputeTimeoutSettlesAndRefundsTheBond", async function () {
      const f = await networkHelpers.loadFixture(disputedFixture);
      await networkHelpers.time.increaseTo(f.disputedAt + DISPUTE_TIMEOUT);
      const settled = f.market.settleDisputeTimeout(f.jobId);
      await expect(settled)
        .to.emit(f.market, "JobSettled")
        .withArgs(
          f.jobId,
          f.renter.address,
          f.alice.address,
          f.settlementAddress,
          VALUE,
          VALUE,
          feeOf(VALUE),
          0n,
          DISPUTE_BOND,
          REPUTATION_AFTER_SUCCESS,
        );
      await expectPaidOut(f, settled, f.alice, (585n * USD) / 10n, (15n * USD) / 10n, 0n);
      await expect(settled).not.to.emit(f.settlement, "CreditsRefunded");
      expect(await f.market.balanceOf(await f.token.getAddress(), f.renter.address)).to.equal(DISPUTE_BOND);
      await expect(settled).to.emit(f.settlement, "GpuSecondsRecorded");
      await expectFinalBooks(f);
    });
  });

  describe("books", function () {
    it("test_creditJobs_booksBalanceAfterEveryOutcome", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const s = f.settlement;
      const jobs: Record<string, bigint> = {};

      // Delivered (renter, alice).
      jobs.delivered = await awardedCreditJob(f, f.renter, f.alice);
      await start(f, f.alice, jobs.delivered);
      await deliverAtEnd(f, f.alice, jobs.delivered);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobs.delivered)).deadline);
      await f.market.settle(jobs.delivered);

      // Cancelled before any bid (renter2).
      await refreshFeed(f);
      jobs.cancelled = await createJob(f, credit(f), f.renter2);
      await f.market.connect(f.renter2).cancelJob(jobs.cancelled);

      // Stopped after 4 h (renter, bob).
      jobs.stopped = await awardedCreditJob(f, f.renter, f.bob);
      const stoppedAt = await start(f, f.bob, jobs.stopped);
      await nextAt(stoppedAt + 4n * HOUR);
      await f.market.connect(f.renter).stopJob(jobs.stopped);

      // No-show (renter2, carol).
      jobs.noShow = await awardedCreditJob(f, f.renter2, f.carol);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobs.noShow)).deadline);
      await f.market.failJob(jobs.noShow);

      // Disputed and ruled ProviderFault (renter, alice).
      jobs.providerFault = await awardedCreditJob(f, f.renter, f.alice);
      await start(f, f.alice, jobs.providerFault);
      const pfDelivered = await deliverAtEnd(f, f.alice, jobs.providerFault);
      await disputeAfterAnHour(f, f.renter, jobs.providerFault, pfDelivered);
      await f.market.connect(f.arbiter).resolveDispute(jobs.providerFault, PROVIDER_FAULT);

      // Disputed and timed out (renter2, bob).
      jobs.timeout = await awardedCreditJob(f, f.renter2, f.bob);
      await start(f, f.bob, jobs.timeout);
      const toDelivered = await deliverAtEnd(f, f.bob, jobs.timeout);
      const toDisputed = await disputeAfterAnHour(f, f.renter2, jobs.timeout, toDelivered);
      await networkHelpers.time.increaseTo(toDisputed + DISPUTE_TIMEOUT);
      await f.market.settleDisputeTimeout(jobs.timeout);

      // Instant (renter, carol).
      await refreshFeed(f);
      jobs.instant = await createJob(f, credit(f, { pricingRule: INSTANT, revealWindow: 0 }));
      await f.market.connect(f.carol).acceptInstant(jobs.instant);
      await start(f, f.carol, jobs.instant);
      await deliverAtEnd(f, f.carol, jobs.instant);
      await networkHelpers.time.increaseTo((await f.market.jobOf(jobs.instant)).deadline);
      await f.market.settle(jobs.instant);

      // Worked out by hand: 7 budgets of $80 were escrowed (the 2 dispute bonds are GRL, see below).
      const spent = 7n * BUDGET;
      // Refunds: award refunds (5 auctions x $20), cancel $80, stop $36, no-show $60, ProviderFault $12.
      const refunded = 5n * AWARD_REFUND + BUDGET + 36n * USD + VALUE + 12n * USD;
      // Earnings: delivered $60, stopped $24, ProviderFault $48, timeout $60, instant $80.
      const accrued = VALUE + 24n * USD + 48n * USD + VALUE + BUDGET;
      expect(await s.totalCreditsSpent()).to.equal(spent);
      expect(await s.totalCreditsRefunded()).to.equal(refunded);
      expect(await s.totalEarningsAccrued()).to.equal(accrued);
      expect(refunded + accrued).to.equal(spent);
      // Both bonds went back to their renters (ProviderFault and timeout), in GRL on the market's ledger.
      const grl = await f.token.getAddress();
      expect(await f.market.balanceOf(grl, f.renter.address)).to.equal(DISPUTE_BOND);
      expect(await f.market.balanceOf(grl, f.renter2.address)).to.equal(DISPUTE_BOND);
      const fees = feeOf(VALUE) + feeOf(24n * USD) + feeOf(48n * USD) + feeOf(VALUE) + feeOf(BUDGET);
      expect(await s.earningsOf(f.treasury.address)).to.equal(fees);
      const providers =
        (await s.earningsOf(f.alice.address)) +
        (await s.earningsOf(f.bob.address)) +
        (await s.earningsOf(f.carol.address));
      expect(providers + fees).to.equal(accrued);
      expect(await s.creditsOutstanding()).to.equal(2n * BOUGHT - spent + refunded);
      expect((await s.creditsOf(f.renter.address)) + (await s.creditsOf(f.renter2.address))).to.equal(
        2n * BOUGHT - spent + refunded,
      );
      await expectFinalBooks(f);

      // Everyone withdraws at an odd price; the USD is conserved, the GRL follows the price.
      const answer = 65_432_100n;
      await setAnswer(f, answer);
      let minted = 0n;
      for (const earner of [f.alice, f.bob, f.carol, f.treasury]) {
        const usd = await s.earningsOf(earner.address);
        const grl = grlFor(usd, price18(answer));
        await expectWithdrawnAtOnce(
          f,
          withdrawOwnEarnings(f, earner),
          earner.address,
          usd,
          grl,
          price18(answer),
          await s.currentEpoch(),
          2n * usd,
        );
        minted += grl;
      }
      expect(await s.totalEarningsWithdrawn()).to.equal(accrued);
      expect(await s.totalGrlMintedForEarnings()).to.equal(minted);
      expect(await f.token.totalSupply()).to.equal(
        INITIAL_SUPPLY + (await f.token.totalMinted()) - (await f.token.totalBurned()),
      );
      expect(await f.token.totalMinted()).to.equal(minted);
      // Burned: the renters' 2000 GRL for credits, and by the registry the slashed collateral's burned
      // part (no-show: 9 of carol's 36 GRL; ProviderFault: 18 of alice's 36 GRL).
      expect(await s.totalGrlBurned()).to.equal(2_000n * GRL);
      expect(await f.token.totalBurned()).to.equal(2_000n * GRL + 9n * GRL + 18n * GRL);
      await expectFinalBooks(f);
    });
  });
});
