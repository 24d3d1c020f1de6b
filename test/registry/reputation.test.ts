import { expect } from "chai";
import { network } from "hardhat";

import { deployProtocol } from "../helpers/fixtures.js";
import { expectProvider, faultScore, INITIAL_REPUTATION, MAX_REPUTATION, successScore } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();

/** Alice and bob registered (reputation 5000). */
async function registeredFixture() {
  const f = await deployProtocol(ethers);
  await f.registry.connect(f.alice).register("ipfs://alice", 840);
  await f.registry.connect(f.bob).register("ipfs://bob", 840);
  return f;
}


describe("ProviderRegistry: unlockAndRecordSuccess and recordFault", function () {
  // Lock id and amount 0: nothing to unlock, so only the reputation update is under test.
  describe("unlockAndRecordSuccess", function () {
    it("test_unlockAndRecordSuccess_raises5000To5500AndEmits", async function () {
      const { registry, alice, market } = await networkHelpers.loadFixture(registeredFixture);
      expect(await registry.connect(market).unlockAndRecordSuccess.staticCall(alice.address, 0n, 0n)).to.equal(5_500n);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n))
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
        await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n))
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
        const returned = await registry.connect(market).unlockAndRecordSuccess.staticCall(alice.address, 0n, 0n);
        await registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n);
        const next = successScore(score);
        expect(returned).to.equal(next);
        expect((await registry.providerOf(alice.address)).reputation).to.equal(next);
        expect(next).to.be.at.least(score);
        expect(next).to.be.at.most(MAX_REPUTATION);
        score = next;
      }
      // Each success below the maximum moves the score, so 100 successes reach 10000, where it stays.
      expect(score).to.equal(MAX_REPUTATION);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n))
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
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 0n, 1_000n, true);
    });

    it("test_unlockAndRecordSuccess_revertsForNonProvider", async function () {
      const { registry, market, outsider } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(market).unlockAndRecordSuccess(outsider.address, 0n, 0n))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
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
      await registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n); // 5500
      await expect(registry.connect(market).recordFault(alice.address))
        .to.emit(registry, "ReputationUpdated")
        .withArgs(alice.address, 5_500n, 3_666n, false);
      await expect(registry.connect(market).unlockAndRecordSuccess(alice.address, 0n, 0n))
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
    await registry.connect(market).unlockAndRecordSuccess(bob.address, 0n, 0n);
    await expectProvider(registry, alice, { reputation: 3_333n });
    await expectProvider(registry, bob, { reputation: 5_500n });
  });
});
