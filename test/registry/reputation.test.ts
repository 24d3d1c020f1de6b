import { expect } from "chai";
import { network } from "hardhat";

import { deployProtocol, REPUTATION_REFERENCE_VALUE } from "../kit/protocol.ts";
import { expectProvider, faultScore, INITIAL_REPUTATION, MAX_REPUTATION, successScore } from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();

/** Alice and bob registered (reputation 5000). */
async function registeredFixture() {
  const f = await deployProtocol(ethers);
  await f.registry.connect(f.alice).register("ipfs://alice", 840);
  await f.registry.connect(f.bob).register("ipfs://bob", 840);
  return f;
}

/** A job worth the reference value ($100): a full reputation step. */
const FULL = REPUTATION_REFERENCE_VALUE;
/** One US dollar with 18 decimals. */
const USD = 10n ** 18n;

describe("ProviderRegistry: unlockAndRecordSuccess and recordFault", function () {
  // Lock id and amount 0: nothing to unlock, so only the reputation update is under test.
  describe("unlockAndRecordSuccess", function () {
    it("test_unlockAndRecordSuccess_raises5000To5500AndEmits", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      expect(await registry.connect(market).unlockAndRecordSuccess.staticCall(alice.address, 0n, 0n, FULL)).to.equal(
        5_500n,
      );
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, FULL))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_000n, 5_500n, true);
      await expectProvider(registry, alice, { reputation: 5_500n });
    });

    it("test_unlockAndRecordSuccess_followsFormulaStepByStep", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      // 5000 -> 5500 -> 5950 -> 6355 -> 6720 -> 7048 (each step adds ceil((10000 - s) / 10)).
      const expected = [5_500n, 5_950n, 6_355n, 6_720n, 7_048n];
      let previous = INITIAL_REPUTATION;
      for (const current of expected) {
        expect(successScore(previous)).to.equal(current);
        await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, FULL))
          .to.emit(registry, "ReputationUpdated")
          .withArgs(alice.address, previous, current, true);
        previous = current;
      }
      await expectProvider(registry, alice, { reputation: 7_048n });
    });

    it("test_unlockAndRecordSuccess_repeatedReachesButNeverExceedsMax", async function () {
      this.timeout(60_000);
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      let score = INITIAL_REPUTATION;
      for (let i = 0; i < 100; i++) {
        const returned = await registry.connect(market).unlockAndRecordSuccess.staticCall(alice.address, 0n, 0n, FULL);
        await registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, FULL);
        const next = successScore(score);
        expect(returned).to.equal(next);
        expect((await registry.providerOf(alice.address)).reputation).to.equal(next);
        expect(next).to.be.at.least(score);
        expect(next).to.be.at.most(MAX_REPUTATION);
        score = next;
      }
      // Each success below the maximum moves the score, so 100 successes reach 10000, where it stays.
      expect(score).to.equal(MAX_REPUTATION);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, FULL))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, MAX_REPUTATION, MAX_REPUTATION, true);
    });

    it("test_unlockAndRecordSuccess_recoversFromZero", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      let score = INITIAL_REPUTATION;
      while (score > 0n) {
        await registry.connect(market).recordFault(alice.address);
        score = faultScore(score);
      }
      await expectProvider(registry, alice, { reputation: 0n });
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, FULL))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 0n, 1_000n, true);
    });

    it("test_unlockAndRecordSuccess_revertsForNonProvider", async function () {
      const { registry, market, outsider } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(market).unlockAndRecordSuccess(outsider.address, 0n, 0n, FULL))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });
  });

  describe("unlockAndRecordSuccess: weighted by the job's value", function () {
    it("test_unlockAndRecordSuccess_partialWeight_60UsdRaises5000To5300", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      // $60 of $100: weight 6000, gain floor(5000 x 6000 / 100000) = 300.
      expect(successScore(INITIAL_REPUTATION, 60n * USD)).to.equal(5_300n);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, 60n * USD))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_000n, 5_300n, true);
    });

    it("test_unlockAndRecordSuccess_aboveTheReferenceIsOneFullStep", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      // A $1,000,000 job is worth no more than a $100 one: value beyond the reference buys nothing.
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, 1_000_000n * USD))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_000n, 5_500n, true);
    });

    it("test_unlockAndRecordSuccess_dustJobGainsNothing", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      // Value 0, one wei of a dollar, and $0.19 (weight 19: 5000 x 19 < 100000) all leave 5000.
      for (const value of [0n, 1n, (19n * USD) / 100n]) {
        await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, value))
          .to.emit(registry, "ReputationUpdated")
          .withArgs(alice.address, 5_000n, 5_000n, true);
      }
      // $0.20 (weight 20) is the first value that counts at 5000: one point.
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, (20n * USD) / 100n))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_000n, 5_001n, true);
    });

    it("test_unlockAndRecordSuccess_belowAThousandthOfTheReferenceNeverCounts", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      // At score 0 (the largest gap) a job just under $0.10 (weight 9) still gains nothing; $0.10 gains 1.
      while ((await registry.providerOf(alice.address)).reputation > 0n) {
        await registry.connect(market).recordFault(alice.address);
      }
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, USD / 10n - 1n))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 0n, 0n, true);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, USD / 10n))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 0n, 1n, true);
    });

    it("test_unlockAndRecordSuccess_followsTheGovernedReference", async function () {
      const { registry, admin, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      await registry.connect(admin).setReputationReferenceValue(10n * USD);
      // $10 is now a full step; $5 a half one (floor(4500 x 5000 / 100000) = 225 from 5500).
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, 10n * USD))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_000n, 5_500n, true);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, 5n * USD))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_500n, 5_725n, true);
    });
  });

  describe("recordFault", function () {
    it("test_recordFault_lowers5000To3333AndEmits", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      expect(await registry.connect(market).recordFault.staticCall(alice.address)).to.equal(3_333n);
      await expect(registry.connect(market).recordFault(alice.address))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_000n, 3_333n, false);
      await expectProvider(registry, alice, { reputation: 3_333n });
    });

    it("test_recordFault_repeatedReachesZeroAndStays", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      // 5000 * 2/3 repeatedly, rounding down, hits zero after 20 faults.
      const expected = [
        3_333n,
        2_222n,
        1_481n,
        987n,
        658n,
        438n,
        292n,
        194n,
        129n,
        86n,
        57n,
        38n,
        25n,
        16n,
        10n,
        6n,
        4n,
        2n,
        1n,
        0n,
      ];
      let previous = INITIAL_REPUTATION;
      for (const current of expected) {
        expect(faultScore(previous)).to.equal(current);
        await expect(registry.connect(market).recordFault(alice.address))
          .to.emit(registry, "ReputationUpdated")
          .withArgs(alice.address, previous, current, false);
        previous = current;
      }
      await expectProvider(registry, alice, { reputation: 0n });
      // Further faults keep it at zero.
      for (let i = 0; i < 2; i++) {
        await expect(registry.connect(market).recordFault(alice.address))
          .to.emit(registry, "ReputationUpdated")
          .withArgs(alice.address, 0n, 0n, false);
      }
      await expectProvider(registry, alice, { reputation: 0n, registered: true });
    });

    it("test_recordFault_afterSuccessesUsesCurrentScore", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      await registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, FULL); // 5500
      await expect(registry.connect(market).recordFault(alice.address))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_500n, 3_666n, false);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n, FULL))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 3_666n, 4_300n, true);
    });

    it("test_recordFault_revertsForNonProvider", async function () {
      const { registry, market, outsider } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(market).recordFault(outsider.address))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
    });
  });

  it("test_recordFault_affectsOnlyNamedProvider", async function () {
    const { registry, alice, bob, market } = await networkHelpers.loadFixture(registeredFixture);
    await registry.connect(market).recordFault(alice.address);
    await registry.connect(market).unlockAndRecordSuccess(bob.address, 0n, 0n, FULL);
    await expectProvider(registry, alice, { reputation: 3_333n });
    await expectProvider(registry, bob, { reputation: 5_500n });
  });
});
