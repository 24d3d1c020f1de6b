import { expect } from "chai";
import { network } from "hardhat";

import { EMISSION_BUDGET_PER_EPOCH } from "../kit/market.ts";
import { GRL } from "../kit/protocol.ts";
import {
  allAccounts,
  basisFor,
  creditsFor,
  expectBooks,
  floorOf,
  grantGuardian,
  grlAtFloor,
  grlFor,
  PRICE,
  type SettlementFixture,
  settlementFixtures,
  toEpoch,
  UNBACKED_FLOOR,
  USD,
} from "../kit/settlement.ts";

const { ethers, networkHelpers } = await network.create();
const { marketRoleFixture } = settlementFixtures(ethers);

/** The renter bought BOUGHT credits (1000 GRL at $0.50 less 25 bps); marketEoa holds MARKET_ROLE. */
const BOUGHT = creditsFor(1_000n * GRL, PRICE);
/** The GRL basis of BOUGHT: 1000 GRL less the 25 bps spread, 997.5 GRL. */
const BASIS = basisFor(1_000n * GRL);
/** The floor of credits bought at $0.50: 5e8 units of 1e-9 USD per GRL (credits / basis, exactly $0.50). */
const FLOOR = 500_000_000n;

/** The basis `amount` of the renter's BOUGHT credits carries: floor(BASIS x amount / BOUGHT). */
function basisOf(amount: bigint): bigint {
  return (BASIS * amount) / BOUGHT;
}

async function fixture() {
  const f = await marketRoleFixture();
  await f.settlement.connect(f.renter).buyCredits(f.renter.address, 1_000n * GRL, 0n);
  return f;
}

/** The fixture with 100 credits of the renter escrowed. */
async function escrowedFixture() {
  const f = await fixture();
  await f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, 100n * USD);
  return f;
}

async function marketRole(f: SettlementFixture): Promise<string> {
  return f.settlement.MARKET_ROLE();
}

describe("Settlement: market hooks", function () {
  describe("access", function () {
    it("test_spendCredits_revertsForNonMarketCallers", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await marketRole(f);
      // The renter itself, the admin (who may grant the role but does not hold it) and a stranger.
      for (const caller of [f.renter, f.admin, f.outsider]) {
        await expect(f.settlement.connect(caller).spendCredits(f.renter.address, USD))
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });

    it("test_refundCredits_revertsForNonMarketCallers", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      const role = await marketRole(f);
      for (const caller of [f.renter, f.admin, f.outsider]) {
        await expect(f.settlement.connect(caller).refundCredits(caller.address, USD, FLOOR))
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });

    it("test_accrueEarnings_revertsForNonMarketCallers", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      const role = await marketRole(f);
      for (const caller of [f.alice, f.admin, f.outsider]) {
        await expect(f.settlement.connect(caller).accrueEarnings(caller.address, USD, FLOOR))
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });

    it("test_recordGpuSeconds_revertsForNonMarketCallers", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const role = await marketRole(f);
      for (const caller of [f.alice, f.admin, f.outsider]) {
        await expect(f.settlement.connect(caller).recordGpuSeconds(caller.address, 3_600n, USD))
          .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });

    it("test_marketHooks_revokedRoleCannotCall", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      const role = await marketRole(f);
      await f.settlement.connect(f.admin).revokeRole(role, f.marketEoa.address);
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, USD, FLOOR))
        .to.be.revertedWithCustomError(f.settlement, "AccessControlUnauthorizedAccount")
        .withArgs(f.marketEoa.address, role);
    });

    it("test_marketHooks_fixtureMarketHoldsTheRole", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.settlement.hasRole(await marketRole(f), await f.market.getAddress())).to.equal(true);
    });

    it("test_marketHooks_workWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await grantGuardian(f);
      await f.settlement.connect(f.guardian).pause();
      // The pause stops new purchases only: jobs under way keep escrowing, refunding and paying.
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, USD)).to.emit(
        f.settlement,
        "CreditsSpent",
      );
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, USD, FLOOR)).to.emit(
        f.settlement,
        "CreditsRefunded",
      );
      await expect(f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, USD, FLOOR)).to.emit(
        f.settlement,
        "EarningsAccrued",
      );
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 1n, 0n)).to.emit(
        f.settlement,
        "GpuSecondsRecorded",
      );
    });
  });

  describe("spendCredits", function () {
    it("test_spendCredits_movesCreditsIntoEscrow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const amount = 80n * USD;
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, amount))
        .to.emit(f.settlement, "CreditsSpent")
        .withArgs(f.renter.address, amount, BOUGHT - amount, amount, basisOf(amount), FLOOR, BASIS - basisOf(amount));
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(BOUGHT - amount);
      expect(await f.settlement.creditBasisOf(f.renter.address)).to.equal(BASIS - basisOf(amount));
      expect(await f.settlement.creditsEscrowed()).to.equal(amount);
      expect(await f.settlement.totalCreditsSpent()).to.equal(amount);
      expect(await f.settlement.creditsOutstanding()).to.equal(BOUGHT - amount);
      await expectBooks(f, allAccounts(f));
    });

    it("test_spendCredits_escrowAccumulatesAcrossAccounts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.renter2).buyCredits(f.renter2.address, 100n * GRL, 0n);
      await f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, 30n * USD);
      const renter2Credits = creditsFor(100n * GRL, PRICE);
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.renter2.address, 20n * USD))
        .to.emit(f.settlement, "CreditsSpent")
        .withArgs(
          f.renter2.address,
          20n * USD,
          renter2Credits - 20n * USD,
          50n * USD,
          40n * GRL,
          FLOOR,
          basisFor(100n * GRL) - 40n * GRL,
        );
      expect(await f.settlement.totalCreditsSpent()).to.equal(50n * USD);
      await expectBooks(f, allAccounts(f));
    });

    it("test_spendCredits_wholeBalance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, BOUGHT))
        .to.emit(f.settlement, "CreditsSpent")
        .withArgs(f.renter.address, BOUGHT, 0n, BOUGHT, BASIS, FLOOR, 0n);
      expect(await f.settlement.creditsOutstanding()).to.equal(0n);
      // The last credits take all the basis that is left.
      expect(await f.settlement.creditBasisOf(f.renter.address)).to.equal(0n);
    });

    it("test_spendCredits_returnsTheFloorRoundedUp", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Credits bought at $0.50 spend at a floor of exactly $0.50.
      expect(await f.settlement.connect(f.marketEoa).spendCredits.staticCall(f.renter.address, 80n * USD)).to.equal(
        FLOOR,
      );
      const odd = 7n * USD + 3n;
      // An odd amount: the basis rounds down, the floor up, so GRL at the floor never exceeds the basis.
      const basisOut = basisOf(odd);
      const floor = floorOf(odd, basisOut);
      expect(await f.settlement.connect(f.marketEoa).spendCredits.staticCall(f.renter.address, odd)).to.equal(floor);
      expect(floor * basisOut).to.be.gte(odd * 10n ** 9n);
      expect(grlAtFloor(odd, floor)).to.be.lte(basisOut);
    });

    it("test_spendCredits_dustWithNoBasisGetsTheUnbackedFloor", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Credits refunded at UNBACKED_FLOOR come back with no basis; spending them gives UNBACKED_FLOOR again.
      await f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, 10n * USD);
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.dave.address, 10n * USD, UNBACKED_FLOOR))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(f.dave.address, 10n * USD, 10n * USD, 0n, 0n, UNBACKED_FLOOR, 0n);
      expect(await f.settlement.connect(f.marketEoa).spendCredits.staticCall(f.dave.address, 10n * USD)).to.equal(
        UNBACKED_FLOOR,
      );
    });

    it("test_spendCredits_revertsForZeroAmount", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, 0n)).to.be.revertedWithCustomError(
        f.settlement,
        "SettlementZeroAmount",
      );
    });

    it("test_spendCredits_revertsBeyondBalance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, BOUGHT + 1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementInsufficientCredits")
        .withArgs(f.renter.address, BOUGHT, BOUGHT + 1n);
    });

    it("test_spendCredits_revertsForAccountWithoutCredits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.outsider.address, 1n))
        .to.be.revertedWithCustomError(f.settlement, "SettlementInsufficientCredits")
        .withArgs(f.outsider.address, 0n, 1n);
    });
  });

  describe("refundCredits", function () {
    it("test_refundCredits_movesEscrowBackToTheAccount", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      const amount = 20n * USD;
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, amount, FLOOR))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(
          f.renter.address,
          amount,
          BOUGHT - 100n * USD + amount,
          80n * USD,
          40n * GRL,
          FLOOR,
          BASIS - basisOf(100n * USD) + 40n * GRL,
        );
      expect(await f.settlement.creditBasisOf(f.renter.address)).to.equal(BASIS - 160n * GRL);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(BOUGHT - 80n * USD);
      expect(await f.settlement.creditsEscrowed()).to.equal(80n * USD);
      expect(await f.settlement.totalCreditsRefunded()).to.equal(amount);
      expect(await f.settlement.creditsOutstanding()).to.equal(BOUGHT - 80n * USD);
      await expectBooks(f, allAccounts(f));
    });

    it("test_refundCredits_wholeEscrow", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, 100n * USD, FLOOR))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(f.renter.address, 100n * USD, BOUGHT, 0n, 200n * GRL, FLOOR, BASIS);
      expect(await f.settlement.creditsEscrowed()).to.equal(0n);
      expect(await f.settlement.creditsOutstanding()).to.equal(BOUGHT);
    });

    it("test_refundCredits_toAnAccountThatNeverBought", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      // The market decides who is refunded (a slashed bid bond's renter, a dispute's renter...).
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.dave.address, 5n * USD, FLOOR))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(f.dave.address, 5n * USD, 5n * USD, 95n * USD, 10n * GRL, FLOOR, 10n * GRL);
      await expectBooks(f, allAccounts(f));
    });

    it("test_refundCredits_basisRoundsDownAtTheFloor", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      // 3 wei of credits at $0.50 + 1e-9: 3e9 / 500000001 = 5.99... -> 5 wei of basis.
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, 3n, FLOOR + 1n))
        .to.emit(f.settlement, "CreditsRefunded")
        .withArgs(
          f.renter.address,
          3n,
          BOUGHT - 100n * USD + 3n,
          100n * USD - 3n,
          5n,
          FLOOR + 1n,
          BASIS - 200n * GRL + 5n,
        );
    });

    it("test_refundCredits_revertsForZeroFloor", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(
        f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, USD, 0n),
      ).to.be.revertedWithCustomError(f.settlement, "SettlementZeroFloor");
    });

    it("test_refundCredits_revertsForZeroAmount", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(
        f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, 0n, FLOOR),
      ).to.be.revertedWithCustomError(f.settlement, "SettlementZeroAmount");
    });

    it("test_refundCredits_revertsBeyondEscrow", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, 100n * USD + 1n, FLOOR))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEscrowExceeded")
        .withArgs(100n * USD, 100n * USD + 1n);
    });

    it("test_refundCredits_revertsWithNothingEscrowed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, 1n, FLOOR))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEscrowExceeded")
        .withArgs(0n, 1n);
    });
  });

  describe("accrueEarnings", function () {
    it("test_accrueEarnings_movesEscrowToEarnings", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(
        f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, 58_500_000_000_000_000_000n, FLOOR),
      )
        .to.emit(f.settlement, "EarningsAccrued")
        .withArgs(
          f.alice.address,
          58_500_000_000_000_000_000n,
          58_500_000_000_000_000_000n,
          41_500_000_000_000_000_000n,
          117n * GRL,
          FLOOR,
          117n * GRL,
        );
      await expect(
        f.settlement.connect(f.marketEoa).accrueEarnings(f.treasury.address, 1_500_000_000_000_000_000n, FLOOR),
      )
        .to.emit(f.settlement, "EarningsAccrued")
        .withArgs(
          f.treasury.address,
          1_500_000_000_000_000_000n,
          1_500_000_000_000_000_000n,
          40n * USD,
          3n * GRL,
          FLOOR,
          3n * GRL,
        );
      expect(await f.settlement.grlCapOf(f.alice.address)).to.equal(117n * GRL);
      expect(await f.settlement.grlCapOf(f.treasury.address)).to.equal(3n * GRL);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(58_500_000_000_000_000_000n);
      expect(await f.settlement.earningsOf(f.treasury.address)).to.equal(1_500_000_000_000_000_000n);
      expect(await f.settlement.totalEarningsAccrued()).to.equal(60n * USD);
      expect(await f.settlement.creditsEscrowed()).to.equal(40n * USD);
      // Earnings are not credits: they are withdrawn as GRL, never spent on jobs.
      expect(await f.settlement.creditsOf(f.alice.address)).to.equal(0n);
      expect(await f.settlement.creditsOutstanding()).to.equal(BOUGHT - 100n * USD);
      await expectBooks(f, allAccounts(f));
    });

    it("test_accrueEarnings_accumulates", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, 10n * USD, FLOOR);
      // Each accrual adds its own floor's GRL: $7 at $1.00 is 7 GRL, on top of $10 at $0.50 (20 GRL).
      await expect(f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, 7n * USD, 2n * FLOOR))
        .to.emit(f.settlement, "EarningsAccrued")
        .withArgs(f.alice.address, 7n * USD, 17n * USD, 83n * USD, 7n * GRL, 2n * FLOOR, 27n * GRL);
    });

    it("test_accrueEarnings_wholeEscrow", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(f.settlement.connect(f.marketEoa).accrueEarnings(f.bob.address, 100n * USD, FLOOR))
        .to.emit(f.settlement, "EarningsAccrued")
        .withArgs(f.bob.address, 100n * USD, 100n * USD, 0n, 200n * GRL, FLOOR, 200n * GRL);
    });

    it("test_accrueEarnings_unbackedFloorAddsNoCap", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(f.settlement.connect(f.marketEoa).accrueEarnings(f.bob.address, 100n * USD, UNBACKED_FLOOR))
        .to.emit(f.settlement, "EarningsAccrued")
        .withArgs(f.bob.address, 100n * USD, 100n * USD, 0n, 0n, UNBACKED_FLOOR, 0n);
      // Worth GRL at the price, but capped at nothing: the withdrawal is rejected and the earnings stay.
      expect(await f.settlement.quoteWithdrawal(f.bob.address)).to.equal(0n);
      await expect(f.settlement.connect(f.bob).withdrawEarnings(f.bob.address))
        .to.be.revertedWithCustomError(f.settlement, "SettlementMintRoundsToZero")
        .withArgs(100n * USD, PRICE);
      expect(await f.settlement.earningsOf(f.bob.address)).to.equal(100n * USD);
      expect(grlFor(100n * USD, PRICE)).to.equal(200n * GRL);
    });

    it("test_accrueEarnings_revertsForZeroFloor", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(
        f.settlement.connect(f.marketEoa).accrueEarnings(f.bob.address, USD, 0n),
      ).to.be.revertedWithCustomError(f.settlement, "SettlementZeroFloor");
    });

    it("test_accrueEarnings_revertsForZeroAmount", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await expect(
        f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, 0n, FLOOR),
      ).to.be.revertedWithCustomError(f.settlement, "SettlementZeroAmount");
    });

    it("test_accrueEarnings_revertsBeyondEscrow", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await f.settlement.connect(f.marketEoa).refundCredits(f.renter.address, 30n * USD, FLOOR);
      await expect(f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, 70n * USD + 1n, FLOOR))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEscrowExceeded")
        .withArgs(70n * USD, 70n * USD + 1n);
    });

    it("test_accrueEarnings_revertsWithNothingEscrowed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, 1n, FLOOR))
        .to.be.revertedWithCustomError(f.settlement, "SettlementEscrowExceeded")
        .withArgs(0n, 1n);
    });
  });

  describe("recordGpuSeconds", function () {
    it("test_recordGpuSeconds_recordsInTheCurrentEpoch", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // A 4-GPU x 10 h job at $1.50 per GPU-hour ($60) paid a 2.5% fee: $1.50.
      const fee = (3n * USD) / 2n;
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 144_000n, fee))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 144_000n, 144_000n, 144_000n, EMISSION_BUDGET_PER_EPOCH, fee, fee);
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(144_000n);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(fee);
      const book = await f.settlement.epochEmissionOf(0n);
      expect([book.budget, book.gpuSeconds, book.claimed]).to.deep.equal([EMISSION_BUDGET_PER_EPOCH, 144_000n, 0n]);
    });

    it("test_recordGpuSeconds_accumulatesPerProviderAndEpoch", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 100n, 3n * USD);
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.bob.address, 250n, 7n * USD))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.bob.address, 250n, 250n, 350n, EMISSION_BUDGET_PER_EPOCH, 7n * USD, 7n * USD);
      // A job that paid no fee (a zero-fee market) still records its seconds; the fees do not move.
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 50n, 0n))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 50n, 150n, 400n, EMISSION_BUDGET_PER_EPOCH, 0n, 3n * USD);
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 1n, 2n))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(0n, f.alice.address, 1n, 151n, 401n, EMISSION_BUDGET_PER_EPOCH, 2n, 3n * USD + 2n);
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(151n);
      expect(await f.settlement.gpuSecondsOf(0n, f.bob.address)).to.equal(250n);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(3n * USD + 2n);
      expect(await f.settlement.feesUsdOf(0n, f.bob.address)).to.equal(7n * USD);
      expect((await f.settlement.epochEmissionOf(0n)).gpuSeconds).to.equal(401n);
    });

    it("test_recordGpuSeconds_newEpochStartsANewBook", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 100n, 5n * USD);
      await toEpoch(f, networkHelpers, 1n);
      await expect(f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 30n, USD))
        .to.emit(f.settlement, "GpuSecondsRecorded")
        .withArgs(1n, f.alice.address, 30n, 30n, 30n, EMISSION_BUDGET_PER_EPOCH, USD, USD);
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(100n);
      expect(await f.settlement.gpuSecondsOf(1n, f.alice.address)).to.equal(30n);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(5n * USD);
      expect(await f.settlement.feesUsdOf(1n, f.alice.address)).to.equal(USD);
    });

    it("test_recordGpuSeconds_revertsForZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(
        f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 0n, USD),
      ).to.be.revertedWithCustomError(f.settlement, "SettlementZeroAmount");
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(0n);
    });

    it("test_recordGpuSeconds_revertsWhenTheFeesOverflowTheirSlot", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const m = f.settlement.connect(f.marketEoa);
      await expect(m.recordGpuSeconds(f.alice.address, 1n, 2n ** 128n))
        .to.be.revertedWithCustomError(f.settlement, "SafeCastOverflowedUintDowncast")
        .withArgs(128n, 2n ** 128n);
      // The per-provider sum is checked too: the record shares one slot with the GPU-seconds.
      await m.recordGpuSeconds(f.alice.address, 1n, 2n ** 128n - 1n);
      await expect(m.recordGpuSeconds(f.alice.address, 1n, 1n)).to.be.revertedWithPanic(0x11);
      expect(await f.settlement.gpuSecondsOf(0n, f.alice.address)).to.equal(1n);
      expect(await f.settlement.feesUsdOf(0n, f.alice.address)).to.equal(2n ** 128n - 1n);
    });

    it("test_recordGpuSeconds_movesNoCredits", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      await f.settlement.connect(f.marketEoa).recordGpuSeconds(f.alice.address, 3_600n, 100n * USD);
      expect(await f.settlement.creditsEscrowed()).to.equal(100n * USD);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(0n);
      await expectBooks(f, allAccounts(f));
    });
  });

  describe("packed totals", function () {
    // Storage slots 4-8 hold the running totals, paired into slots by the transactions that update them
    // together (low half, high half), after AccessControl's roles (slot 0), the pause flag with the oracle and
    // spread (slot 1), and the mint cap and emission budget (slots 2 and 3).
    const TOTALS_SLOT = 4n;
    const LOW_HALF = (1n << 128n) - 1n;

    async function slotOf(f: SettlementFixture, index: bigint): Promise<bigint> {
      return BigInt(await ethers.provider.getStorage(await f.settlement.getAddress(), TOTALS_SLOT + index));
    }

    async function pairOf(f: SettlementFixture, index: bigint): Promise<[bigint, bigint]> {
      const word = await slotOf(f, index);
      return [word & LOW_HALF, word >> 128n];
    }

    it("test_layout_totalsPairTheCountersOneTransactionUpdates", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const m = f.settlement.connect(f.marketEoa);
      await m.spendCredits(f.renter.address, 100n * USD);
      await m.refundCredits(f.renter.address, 20n * USD, FLOOR);
      await m.accrueEarnings(f.alice.address, 50n * USD, FLOOR);
      await f.settlement.connect(f.alice).withdrawEarnings(f.alice.address);
      const s = f.settlement;
      // spendCredits: the escrow and what entered it.
      expect(await pairOf(f, 0n)).to.deep.equal([30n * USD, 100n * USD]);
      expect(await pairOf(f, 0n)).to.deep.equal([await s.creditsEscrowed(), await s.totalCreditsSpent()]);
      // refundCredits and accrueEarnings: what left the escrow.
      expect(await pairOf(f, 1n)).to.deep.equal([20n * USD, 50n * USD]);
      expect(await pairOf(f, 1n)).to.deep.equal([await s.totalCreditsRefunded(), await s.totalEarningsAccrued()]);
      // buyCredits: the credits and the GRL burned for them.
      expect(await pairOf(f, 2n)).to.deep.equal([BOUGHT, 1_000n * GRL]);
      expect(await pairOf(f, 2n)).to.deep.equal([await s.totalCreditsBought(), await s.totalGrlBurned()]);
      // withdrawEarnings: the dollars withdrawn and the GRL minted for them (at once: the queue was empty).
      const minted = await s.totalGrlMintedForEarnings();
      expect(minted).to.equal(grlFor(50n * USD, PRICE));
      expect(await pairOf(f, 3n)).to.deep.equal([50n * USD, minted]);
      expect(await pairOf(f, 3n)).to.deep.equal([await s.totalEarningsWithdrawn(), minted]);
      // The emissions total keeps a slot to itself.
      expect(await slotOf(f, 4n)).to.equal(await s.totalEmissionsMinted());
      await expectBooks(f, allAccounts(f));
    });

    it("test_spendCredits_revertsWhenTheEscrowTotalWouldOverflow", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      const settlement = await f.settlement.getAddress();
      // An escrow total one unit below its 128-bit ceiling: no real flow reaches it, but a sum past it must
      // revert, not wrap into the spent total beside it.
      const full = ((100n * USD) << 128n) | LOW_HALF;
      await networkHelpers.setStorageAt(settlement, TOTALS_SLOT, full);
      const credits = await f.settlement.creditsOf(f.renter.address);
      await expect(f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, 1n)).to.be.revertedWithPanic(0x11);
      expect(await slotOf(f, 0n)).to.equal(full);
      expect(await f.settlement.creditsOf(f.renter.address)).to.equal(credits);
    });

    it("test_accrueEarnings_revertsWhenTheAccruedTotalWouldOverflow", async function () {
      const f = await networkHelpers.loadFixture(escrowedFixture);
      const settlement = await f.settlement.getAddress();
      // The accrued total (the high half) at its ceiling, the refunded total beside it untouched.
      const full = (LOW_HALF << 128n) | (7n * USD);
      await networkHelpers.setStorageAt(settlement, TOTALS_SLOT + 1n, full);
      await expect(
        f.settlement.connect(f.marketEoa).accrueEarnings(f.alice.address, USD, FLOOR),
      ).to.be.revertedWithPanic(0x11);
      expect(await slotOf(f, 1n)).to.equal(full);
      expect(await f.settlement.creditsEscrowed()).to.equal(100n * USD);
      expect(await f.settlement.earningsOf(f.alice.address)).to.equal(0n);
    });
  });

  describe("conservation", function () {
    it("test_marketHooks_countersBalanceOverAMixedSequence", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const m = f.settlement.connect(f.marketEoa);
      await f.settlement.connect(f.renter2).buyCredits(f.renter2.address, 500n * GRL, 0n);
      const bought = BOUGHT + creditsFor(500n * GRL, PRICE);
      await m.spendCredits(f.renter.address, 80n * USD);
      await m.spendCredits(f.renter2.address, 40n * USD);
      await m.refundCredits(f.renter.address, 20n * USD, FLOOR);
      await m.accrueEarnings(f.alice.address, 58_500_000_000_000_000_000n, FLOOR);
      await m.accrueEarnings(f.treasury.address, 1_500_000_000_000_000_000n, FLOOR);
      await m.spendCredits(f.renter.address, 3n * USD);
      await m.accrueEarnings(f.bob.address, 30n * USD, FLOOR);
      await m.refundCredits(f.renter2.address, 13n * USD, FLOOR);

      expect(await f.settlement.totalCreditsBought()).to.equal(bought);
      expect(await f.settlement.totalCreditsSpent()).to.equal(123n * USD);
      expect(await f.settlement.totalCreditsRefunded()).to.equal(33n * USD);
      expect(await f.settlement.totalEarningsAccrued()).to.equal(90n * USD);
      expect(await f.settlement.creditsEscrowed()).to.equal(0n);
      expect(await f.settlement.creditsOutstanding()).to.equal(bought - 123n * USD + 33n * USD);
      expect(
        (await f.settlement.creditsOf(f.renter.address)) + (await f.settlement.creditsOf(f.renter2.address)),
      ).to.equal(bought - 90n * USD);
      // Every move was at $0.50, the price of both purchases: the GRL behind the books is unchanged.
      const bases =
        (await f.settlement.creditBasisOf(f.renter.address)) + (await f.settlement.creditBasisOf(f.renter2.address));
      const caps =
        (await f.settlement.grlCapOf(f.alice.address)) +
        (await f.settlement.grlCapOf(f.bob.address)) +
        (await f.settlement.grlCapOf(f.treasury.address));
      expect(bases + caps).to.equal(BASIS + basisFor(500n * GRL));
      expect(bases + caps).to.be.lte(await f.settlement.totalGrlBurned());
      await expectBooks(f, allAccounts(f));
    });
  });
});
