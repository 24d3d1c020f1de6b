import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { deployProtocol, GRL, PROVIDER_FUNDS } from "../kit/protocol.ts";
import { expectConservation, expectProvider, registerAndStake, signPermit, UNREGISTERED } from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();

/** Alice and bob registered (with the fixture's unlimited approval), nothing staked. */
async function registeredFixture() {
  const f = await deployProtocol(ethers);
  await registerAndStake(f, f.alice, 0n);
  await registerAndStake(f, f.bob, 0n);
  return f;
}

/** Alice registered with no allowance to the registry, so only a permit (or a fresh approval) lets her stake. */
async function permitFixture() {
  const f = await deployProtocol(ethers);
  await registerAndStake(f, f.alice, 0n);
  await f.token.connect(f.alice).approve(await f.registry.getAddress(), 0n);
  return f;
}

async function inOneHour(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest()) + 3_600n;
}

describe("ProviderRegistry: stake and stakeWithPermit", function () {
  describe("stake", function () {
    it("test_stake_addsToFreeStakeAndEmits", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(registeredFixture);
      const registryAddress = await registry.getAddress();
      await expect(registry.connect(alice).stake(500n * GRL))
        .to.emit(registry, "Staked")
        .withArgs(alice.address, 500n * GRL, 500n * GRL)
        .and.to.emit(token, "Transfer")
        .withArgs(alice.address, registryAddress, 500n * GRL);
      await expect(registry.connect(alice).stake(300n * GRL))
        .to.emit(registry, "Staked")
        .withArgs(alice.address, 300n * GRL, 800n * GRL);
      await expectProvider(registry, alice, {
        freeStake: 800n * GRL,
        lockedStake: 0n,
        unbondingStake: 0n,
        listedGpus: 0n,
        online: false,
      });
      expect(await token.balanceOf(alice.address)).to.equal(PROVIDER_FUNDS - 800n * GRL);
      expect(await token.balanceOf(registryAddress)).to.equal(800n * GRL);
    });

    it("test_stake_movesTokensFromProviderToRegistry", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(alice).stake(123n * GRL)).to.changeTokenBalances(
        ethers,
        token,
        [alice, registry],
        [-123n * GRL, 123n * GRL],
      );
    });

    it("test_stake_oneWeiWorks", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(alice).stake(1n)).to.emit(registry, "Staked").withArgs(alice.address, 1n, 1n);
    });

    it("test_stake_wholeBalanceWorks", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(alice).stake(PROVIDER_FUNDS))
        .to.emit(registry, "Staked")
        .withArgs(alice.address, PROVIDER_FUNDS, PROVIDER_FUNDS);
      expect(await token.balanceOf(alice.address)).to.equal(0n);
    });

    it("test_stake_revertsOnZeroAmount", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(alice).stake(0n)).to.be.revertedWithCustomError(registry, "RegistryZeroAmount");
    });

    it("test_stake_revertsForNonProvider", async function () {
      const { registry, token, treasury, outsider } = await networkHelpers.loadFixture(registeredFixture);
      // Even with tokens and an allowance, an unregistered account cannot stake.
      await token.connect(treasury).transfer(outsider.address, 10n * GRL);
      await token.connect(outsider).approve(await registry.getAddress(), ethers.MaxUint256);
      await expect(registry.connect(outsider).stake(10n * GRL))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
      await expectProvider(registry, outsider, UNREGISTERED);
    });

    it("test_stake_revertsWithoutAllowance", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(registeredFixture);
      const registryAddress = await registry.getAddress();
      await token.connect(alice).approve(registryAddress, 0n);
      await expect(registry.connect(alice).stake(GRL))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(registryAddress, 0n, GRL);
      await expectProvider(registry, alice, { freeStake: 0n });
    });

    it("test_stake_revertsAboveBalance", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(registeredFixture);
      await expect(registry.connect(alice).stake(PROVIDER_FUNDS + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(alice.address, PROVIDER_FUNDS, PROVIDER_FUNDS + 1n);
      await expectProvider(registry, alice, { freeStake: 0n });
    });

    it("test_stake_revertsAboveUint128", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(registeredFixture);
      // A provider's whole stake must fit the uint128 buckets: checked before any transfer is attempted.
      await expect(registry.connect(alice).stake(2n ** 128n))
        .to.be.revertedWithCustomError(registry, "RegistryStakeOverflow")
        .withArgs(2n ** 128n);
    });

    it("test_stake_conservesTokensAcrossProviders", async function () {
      const f = await networkHelpers.loadFixture(registeredFixture);
      await f.registry.connect(f.alice).stake(700n * GRL);
      await f.registry.connect(f.bob).stake(300n * GRL);
      await f.registry.connect(f.alice).stake(1n);
      await expectProvider(f.registry, f.alice, { freeStake: 700n * GRL + 1n });
      await expectProvider(f.registry, f.bob, { freeStake: 300n * GRL });
      await expectConservation(f, [f.alice, f.bob]);
    });
  });

  describe("stakeWithPermit", function () {
    it("test_stakeWithPermit_stakesWithValidSignature", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(permitFixture);
      const registryAddress = await registry.getAddress();
      const deadline = await inOneHour();
      const { v, r, s } = await signPermit(token, {
        owner: alice,
        spender: registryAddress,
        value: 500n * GRL,
        deadline,
      });
      expect(await token.nonces(alice.address)).to.equal(0n);
      await expect(registry.connect(alice).stakeWithPermit(500n * GRL, deadline, v, r, s))
        .to.emit(token, "Approval")
        .withArgs(alice.address, registryAddress, 500n * GRL)
        .and.to.emit(registry, "Staked")
        .withArgs(alice.address, 500n * GRL, 500n * GRL)
        .and.to.emit(token, "Transfer")
        .withArgs(alice.address, registryAddress, 500n * GRL);
      // The permit was consumed and its allowance spent.
      expect(await token.nonces(alice.address)).to.equal(1n);
      expect(await token.allowance(alice.address, registryAddress)).to.equal(0n);
      expect(await token.balanceOf(registryAddress)).to.equal(500n * GRL);
      expect(await token.balanceOf(alice.address)).to.equal(PROVIDER_FUNDS - 500n * GRL);
      await expectProvider(registry, alice, { freeStake: 500n * GRL });
    });

    it("test_stakeWithPermit_succeedsWhenPermitFrontRun", async function () {
      const { registry, token, alice, outsider } = await networkHelpers.loadFixture(permitFixture);
      const registryAddress = await registry.getAddress();
      const deadline = await inOneHour();
      const { v, r, s } = await signPermit(token, {
        owner: alice,
        spender: registryAddress,
        value: 500n * GRL,
        deadline,
      });
      // Someone who saw the signature in the mempool submits the permit first.
      await token.connect(outsider).permit(alice.address, registryAddress, 500n * GRL, deadline, v, r, s);
      expect(await token.nonces(alice.address)).to.equal(1n);
      expect(await token.allowance(alice.address, registryAddress)).to.equal(500n * GRL);
      // Replaying the permit inside stakeWithPermit now fails, but the allowance is already there.
      await expect(token.connect(alice).permit(alice.address, registryAddress, 500n * GRL, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(anyValue, alice.address);
      await expect(registry.connect(alice).stakeWithPermit(500n * GRL, deadline, v, r, s))
        .to.emit(registry, "Staked")
        .withArgs(alice.address, 500n * GRL, 500n * GRL)
        .and.not.to.emit(token, "Approval");
      expect(await token.nonces(alice.address)).to.equal(1n);
      expect(await token.allowance(alice.address, registryAddress)).to.equal(0n);
      await expectProvider(registry, alice, { freeStake: 500n * GRL });
    });

    it("test_stakeWithPermit_revertsWithInvalidPermitAndNoAllowance", async function () {
      const { registry, token, alice, bob } = await networkHelpers.loadFixture(permitFixture);
      const registryAddress = await registry.getAddress();
      const deadline = await inOneHour();
      // Bob signs a permit for alice's tokens: the signature does not recover to alice.
      const { v, r, s } = await signPermit(token, {
        signer: bob,
        owner: alice,
        spender: registryAddress,
        value: 500n * GRL,
        deadline,
      });
      await expect(registry.connect(alice).stakeWithPermit(500n * GRL, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(registryAddress, 0n, 500n * GRL);
      expect(await token.nonces(alice.address)).to.equal(0n);
      await expectProvider(registry, alice, { freeStake: 0n });
    });

    it("test_stakeWithPermit_revertsWithExpiredPermitAndNoAllowance", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(permitFixture);
      const registryAddress = await registry.getAddress();
      const deadline = BigInt(await networkHelpers.time.latest()) - 1n;
      const { v, r, s } = await signPermit(token, {
        owner: alice,
        spender: registryAddress,
        value: 500n * GRL,
        deadline,
      });
      await expect(registry.connect(alice).stakeWithPermit(500n * GRL, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(registryAddress, 0n, 500n * GRL);
    });

    it("test_stakeWithPermit_revertsWhenAmountDiffersFromPermitAndNoAllowance", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(permitFixture);
      const registryAddress = await registry.getAddress();
      const deadline = await inOneHour();
      const { v, r, s } = await signPermit(token, {
        owner: alice,
        spender: registryAddress,
        value: 500n * GRL,
        deadline,
      });
      // The permit is checked against `amount`, so a larger stake does not match the signature.
      await expect(registry.connect(alice).stakeWithPermit(600n * GRL, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(registryAddress, 0n, 600n * GRL);
    });

    it("test_stakeWithPermit_garbageSignatureFallsBackToAllowance", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(permitFixture);
      const registryAddress = await registry.getAddress();
      await token.connect(alice).approve(registryAddress, 250n * GRL);
      const deadline = await inOneHour();
      await expect(registry.connect(alice).stakeWithPermit(250n * GRL, deadline, 27, ethers.ZeroHash, ethers.ZeroHash))
        .to.emit(registry, "Staked")
        .withArgs(alice.address, 250n * GRL, 250n * GRL);
      expect(await token.allowance(alice.address, registryAddress)).to.equal(0n);
      expect(await token.nonces(alice.address)).to.equal(0n);
    });

    it("test_stakeWithPermit_revertsOnZeroAmount", async function () {
      const { registry, token, alice } = await networkHelpers.loadFixture(permitFixture);
      const deadline = await inOneHour();
      const { v, r, s } = await signPermit(token, {
        owner: alice,
        spender: await registry.getAddress(),
        value: 0n,
        deadline,
      });
      await expect(registry.connect(alice).stakeWithPermit(0n, deadline, v, r, s)).to.be.revertedWithCustomError(
        registry,
        "RegistryZeroAmount",
      );
      // The whole transaction reverted, permit included.
      expect(await token.nonces(alice.address)).to.equal(0n);
    });

    it("test_stakeWithPermit_revertsForNonProvider", async function () {
      const { registry, token, treasury, outsider } = await networkHelpers.loadFixture(permitFixture);
      await token.connect(treasury).transfer(outsider.address, 10n * GRL);
      const deadline = await inOneHour();
      const { v, r, s } = await signPermit(token, {
        owner: outsider,
        spender: await registry.getAddress(),
        value: 10n * GRL,
        deadline,
      });
      await expect(registry.connect(outsider).stakeWithPermit(10n * GRL, deadline, v, r, s))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
      expect(await token.nonces(outsider.address)).to.equal(0n);
      expect(await token.allowance(outsider.address, await registry.getAddress())).to.equal(0n);
    });

    it("test_stakeWithPermit_conservesTokens", async function () {
      const f = await networkHelpers.loadFixture(permitFixture);
      const registryAddress = await f.registry.getAddress();
      for (const value of [100n * GRL, 50n * GRL]) {
        const deadline = await inOneHour();
        const { v, r, s } = await signPermit(f.token, { owner: f.alice, spender: registryAddress, value, deadline });
        await f.registry.connect(f.alice).stakeWithPermit(value, deadline, v, r, s);
      }
      await registerAndStake(f, f.bob, 70n * GRL);
      await expectProvider(f.registry, f.alice, { freeStake: 150n * GRL });
      expect(await f.token.nonces(f.alice.address)).to.equal(2n);
      await expectConservation(f, [f.alice, f.bob]);
    });
  });
});
