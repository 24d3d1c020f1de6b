import { expect } from "chai";
import { network } from "hardhat";

import { signPermit } from "../../sdk/index.ts";
import { deployProtocol, GRL, INITIAL_SUPPLY } from "../kit/protocol.ts";

const { ethers, networkHelpers } = await network.create();

async function fixture() {
  return deployProtocol(ethers);
}

describe("GridleaseToken", function () {
  describe("constructor", function () {
    it("test_constructor_mintsInitialSupplyToTreasury", async function () {
      const { token, treasury } = await networkHelpers.loadFixture(fixture);
      expect(await token.name()).to.equal("Gridlease");
      expect(await token.symbol()).to.equal("GRL");
      expect(await token.decimals()).to.equal(18n);
      expect(await token.INITIAL_SUPPLY()).to.equal(INITIAL_SUPPLY);
      expect(await token.totalSupply()).to.equal(INITIAL_SUPPLY);
      // Genesis supply is not a post-deployment mint.
      expect(await token.totalMinted()).to.equal(0n);
      expect(await token.totalBurned()).to.equal(0n);
      expect(await token.balanceOf(treasury.address)).to.equal(INITIAL_SUPPLY - 200_000n * GRL);
    });

    it("test_constructor_revertsOnZeroAdmin", async function () {
      const [, treasury] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("GridleaseToken");
      await expect(factory.deploy(ethers.ZeroAddress, treasury.address, INITIAL_SUPPLY))
        .to.be.revertedWithCustomError(factory, "TokenZeroAddress")
        .withArgs("admin");
    });

    it("test_constructor_revertsOnZeroTreasury", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("GridleaseToken");
      await expect(factory.deploy(admin.address, ethers.ZeroAddress, INITIAL_SUPPLY))
        .to.be.revertedWithCustomError(factory, "TokenZeroAddress")
        .withArgs("treasury");
    });

    it("test_constructor_grantsAdminRoleOnly", async function () {
      const { token, admin, treasury } = await networkHelpers.loadFixture(fixture);
      expect(await token.hasRole(await token.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await token.hasRole(await token.MINTER_ROLE(), admin.address)).to.equal(false);
      expect(await token.hasRole(await token.DEFAULT_ADMIN_ROLE(), treasury.address)).to.equal(false);
    });
  });

  describe("mint", function () {
    it("test_mint_byMinterIncreasesSupplyAndCounter", async function () {
      const { token, admin, market, outsider } = await networkHelpers.loadFixture(fixture);
      await token.connect(admin).grantRole(await token.MINTER_ROLE(), market.address);
      await expect(token.connect(market).mint(outsider.address, 5n * GRL))
        .to.emit(token, "TokensMinted")
        .withArgs(market.address, outsider.address, 5n * GRL, 5n * GRL)
        .and.to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, outsider.address, 5n * GRL);
      expect(await token.totalMinted()).to.equal(5n * GRL);
      expect(await token.totalSupply()).to.equal(INITIAL_SUPPLY + 5n * GRL);
    });

    it("test_mint_revertsForNonMinter", async function () {
      const { token, admin, outsider } = await networkHelpers.loadFixture(fixture);
      // Even the admin must grant itself the role first.
      await expect(token.connect(admin).mint(outsider.address, GRL))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, await token.MINTER_ROLE());
    });

    it("test_mint_revertsOnZeroAmount", async function () {
      const { token, admin, market, outsider } = await networkHelpers.loadFixture(fixture);
      await token.connect(admin).grantRole(await token.MINTER_ROLE(), market.address);
      await expect(token.connect(market).mint(outsider.address, 0n)).to.be.revertedWithCustomError(
        token,
        "TokenZeroAmount",
      );
    });

    it("test_mint_revertsToZeroAddress", async function () {
      const { token, admin, market } = await networkHelpers.loadFixture(fixture);
      await token.connect(admin).grantRole(await token.MINTER_ROLE(), market.address);
      await expect(token.connect(market).mint(ethers.ZeroAddress, GRL))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("burn and burnFrom", function () {
    it("test_burn_decreasesSupplyAndCountsBurned", async function () {
      const { token, alice } = await networkHelpers.loadFixture(fixture);
      await expect(token.connect(alice).burn(3n * GRL))
        .to.emit(token, "TokensBurned")
        .withArgs(alice.address, 3n * GRL, 3n * GRL);
      expect(await token.totalBurned()).to.equal(3n * GRL);
      expect(await token.totalSupply()).to.equal(INITIAL_SUPPLY - 3n * GRL);
    });

    it("test_burn_revertsAboveBalance", async function () {
      const { token, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(token.connect(outsider).burn(1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(outsider.address, 0n, 1n);
    });

    it("test_burnFrom_spendsAllowance", async function () {
      const { token, alice, outsider } = await networkHelpers.loadFixture(fixture);
      await token.connect(alice).approve(outsider.address, 2n * GRL);
      await expect(token.connect(outsider).burnFrom(alice.address, 2n * GRL))
        .to.emit(token, "TokensBurned")
        .withArgs(alice.address, 2n * GRL, 2n * GRL);
      expect(await token.allowance(alice.address, outsider.address)).to.equal(0n);
    });

    it("test_burnFrom_revertsWithoutAllowance", async function () {
      const { token, alice, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(token.connect(outsider).burnFrom(alice.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(outsider.address, 0n, 1n);
    });
  });

  describe("supply conservation", function () {
    it("test_supply_equalsInitialPlusMintedMinusBurned", async function () {
      const { token, admin, market, alice } = await networkHelpers.loadFixture(fixture);
      await token.connect(admin).grantRole(await token.MINTER_ROLE(), market.address);
      await token.connect(market).mint(alice.address, 7n * GRL);
      await token.connect(alice).burn(4n * GRL);
      const supply = await token.totalSupply();
      expect(supply).to.equal(
        (await token.INITIAL_SUPPLY()) + (await token.totalMinted()) - (await token.totalBurned()),
      );
    });
  });

  describe("votes and permit", function () {
    it("test_clock_isTimestamp", async function () {
      const { token } = await networkHelpers.loadFixture(fixture);
      expect(await token.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await token.clock()).to.equal(BigInt(await networkHelpers.time.latest()));
    });

    it("test_delegate_givesVotingPower", async function () {
      const { token, alice } = await networkHelpers.loadFixture(fixture);
      expect(await token.getVotes(alice.address)).to.equal(0n);
      await token.connect(alice).delegate(alice.address);
      expect(await token.getVotes(alice.address)).to.equal(await token.balanceOf(alice.address));
      await networkHelpers.mine(1);
      const at = BigInt(await networkHelpers.time.latest()) - 1n;
      expect(await token.getPastTotalSupply(at)).to.equal(INITIAL_SUPPLY);
    });

    it("test_permit_setsAllowanceFromSignature", async function () {
      const { token, alice, outsider } = await networkHelpers.loadFixture(fixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const { v, r, s } = await signPermit(alice, token, {
        owner: alice.address,
        spender: outsider.address,
        value: 9n * GRL,
        deadline,
      });
      await token.permit(alice.address, outsider.address, 9n * GRL, deadline, v, r, s);
      expect(await token.allowance(alice.address, outsider.address)).to.equal(9n * GRL);
      expect(await token.nonces(alice.address)).to.equal(1n);
    });
  });
});
