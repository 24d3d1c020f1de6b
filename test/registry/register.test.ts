import { expect } from "chai";
import { network } from "hardhat";

import { GRL, onboardProvider } from "../kit/protocol.ts";
import {
  expectProvider,
  INITIAL_REPUTATION,
  MAX_METADATA_URI_LENGTH,
  ONBOARD_REGION,
  registryFixtures,
  UNREGISTERED,
} from "../kit/registry.ts";

const { ethers, networkHelpers } = await network.create();
const { fixture } = registryFixtures(ethers);

const URI_256 = "ipfs://" + "a".repeat(256 - 7);
const URI_257 = URI_256 + "b";

describe("ProviderRegistry: register and updateProfile", function () {
  describe("register", function () {
    it("test_providerOf_isAllZeroBeforeRegistration", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      await expectProvider(registry, alice, UNREGISTERED);
      expect(await registry.requiredStakeOf(alice.address)).to.equal(0n);
    });

    it("test_register_setsInitialStateAndEmits", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(alice).register("ipfs://alice", 840))
        .to.emit(registry, "ProviderRegistered")
        .withArgs(alice.address, "ipfs://alice", 840n, INITIAL_REPUTATION);
      // Offline, reputation 5000, no stake, no GPUs.
      await expectProvider(registry, alice, {
        freeStake: 0n,
        lockedStake: 0n,
        unbondingStake: 0n,
        unbondingUnlocksAt: 0n,
        reputation: INITIAL_REPUTATION,
        region: 840n,
        registered: true,
        online: false,
        listedGpus: 0n,
      });
      expect(await registry.requiredStakeOf(alice.address)).to.equal(0n);
    });

    it("test_register_doesNotAffectOtherAccounts", async function () {
      const { registry, alice, bob } = await networkHelpers.loadFixture(fixture);
      await registry.connect(alice).register("ipfs://alice", 840);
      await expectProvider(registry, bob, UNREGISTERED);
    });

    it("test_register_needsNoTokensAndAcceptsEmptyProfile", async function () {
      const { registry, token, outsider } = await networkHelpers.loadFixture(fixture);
      expect(await token.balanceOf(outsider.address)).to.equal(0n);
      await expect(registry.connect(outsider).register("", 0))
        .to.emit(registry, "ProviderRegistered")
        .withArgs(outsider.address, "", 0n, INITIAL_REPUTATION);
      await expectProvider(registry, outsider, { registered: true, region: 0n, reputation: INITIAL_REPUTATION });
    });

    it("test_register_acceptsMaxRegionCode", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(alice).register("ipfs://alice", 65_535))
        .to.emit(registry, "ProviderRegistered")
        .withArgs(alice.address, "ipfs://alice", 65_535n, INITIAL_REPUTATION);
      await expectProvider(registry, alice, { region: 65_535n });
    });

    it("test_register_acceptsMetadataOf256Bytes", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      expect(await registry.MAX_METADATA_URI_LENGTH()).to.equal(MAX_METADATA_URI_LENGTH);
      expect(Buffer.byteLength(URI_256)).to.equal(256);
      await expect(registry.connect(alice).register(URI_256, 1))
        .to.emit(registry, "ProviderRegistered")
        .withArgs(alice.address, URI_256, 1n, INITIAL_REPUTATION);
      await expectProvider(registry, alice, { registered: true });
    });

    it("test_register_revertsOnMetadataOf257Bytes", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      expect(Buffer.byteLength(URI_257)).to.equal(257);
      await expect(registry.connect(alice).register(URI_257, 1))
        .to.be.revertedWithCustomError(registry, "RegistryMetadataTooLong")
        .withArgs(257n, MAX_METADATA_URI_LENGTH);
      await expectProvider(registry, alice, UNREGISTERED);
    });

    it("test_register_measuresMetadataInBytesNotCharacters", async function () {
      const { registry, alice, bob } = await networkHelpers.loadFixture(fixture);
      // "é" is two bytes in UTF-8: 128 of them are 256 bytes, 129 are 258.
      await expect(registry.connect(alice).register("é".repeat(128), 1)).to.emit(registry, "ProviderRegistered");
      await expect(registry.connect(bob).register("é".repeat(129), 1))
        .to.be.revertedWithCustomError(registry, "RegistryMetadataTooLong")
        .withArgs(258n, MAX_METADATA_URI_LENGTH);
    });

    it("test_register_revertsWhenAlreadyRegistered", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      await registry.connect(alice).register("ipfs://alice", 840);
      await expect(registry.connect(alice).register("ipfs://alice-2", 276))
        .to.be.revertedWithCustomError(registry, "RegistryAlreadyRegistered")
        .withArgs(alice.address);
      // Nothing changed.
      await expectProvider(registry, alice, { region: 840n, reputation: INITIAL_REPUTATION });
    });

    it("test_register_revertsWhenAlreadyRegisteredWithStateIntact", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await onboardProvider(f, f.alice);
      await f.registry.connect(f.market).recordFault(f.alice.address);
      const before = await f.registry.providerOf(f.alice.address);
      // Re-registering cannot reset reputation, stake or availability.
      await expect(f.registry.connect(f.alice).register("ipfs://fresh", 1))
        .to.be.revertedWithCustomError(f.registry, "RegistryAlreadyRegistered")
        .withArgs(f.alice.address);
      expect(await f.registry.providerOf(f.alice.address)).to.deep.equal(before);
    });
  });

  describe("updateProfile", function () {
    it("test_updateProfile_changesRegionAndEmits", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await onboardProvider(f, f.alice);
      await expect(f.registry.connect(f.alice).updateProfile("ipfs://alice-v2", 276))
        .to.emit(f.registry, "ProviderProfileUpdated")
        .withArgs(f.alice.address, "ipfs://alice-v2", 276n);
      // Only the region changes; stake, inventory, availability and reputation are untouched.
      await expectProvider(f.registry, f.alice, {
        freeStake: 1_800n * GRL,
        lockedStake: 0n,
        unbondingStake: 0n,
        unbondingUnlocksAt: 0n,
        reputation: INITIAL_REPUTATION,
        region: 276n,
        registered: true,
        online: true,
        listedGpus: 4n,
      });
    });

    it("test_updateProfile_canResetRegionToZero", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      await registry.connect(alice).register("ipfs://alice", Number(ONBOARD_REGION));
      await expect(registry.connect(alice).updateProfile("", 0))
        .to.emit(registry, "ProviderProfileUpdated")
        .withArgs(alice.address, "", 0n);
      await expectProvider(registry, alice, { region: 0n, registered: true });
    });

    it("test_updateProfile_acceptsMetadataOf256Bytes", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      await registry.connect(alice).register("ipfs://alice", 840);
      await expect(registry.connect(alice).updateProfile(URI_256, 840))
        .to.emit(registry, "ProviderProfileUpdated")
        .withArgs(alice.address, URI_256, 840n);
    });

    it("test_updateProfile_revertsOnMetadataOf257Bytes", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      await registry.connect(alice).register("ipfs://alice", 840);
      await expect(registry.connect(alice).updateProfile(URI_257, 276))
        .to.be.revertedWithCustomError(registry, "RegistryMetadataTooLong")
        .withArgs(257n, MAX_METADATA_URI_LENGTH);
      await expectProvider(registry, alice, { region: 840n });
    });

    it("test_updateProfile_revertsForNonProvider", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(outsider).updateProfile("ipfs://x", 1))
        .to.be.revertedWithCustomError(registry, "RegistryNotProvider")
        .withArgs(outsider.address);
      await expectProvider(registry, outsider, UNREGISTERED);
    });
  });
});
