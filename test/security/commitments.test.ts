import { expect } from "chai";
import { AbiCoder, keccak256 } from "ethers";
import { network } from "hardhat";

import { commitBid, createJob, revealBid, saltFor, SPEC_HASH } from "../kit/jobs.ts";
import { BidStatus, DEFAULT_PARAMS, deployMarket, type MarketFixture, USDC } from "../kit/market.ts";

const { ethers, networkHelpers } = await network.create();
// A second chain with another id. The same accounts deploy in the same order, so every contract lands at
// the same address as on the first chain: only the chain id tells the two markets apart.
const OTHER_CHAIN_ID = 4242n;
const other = await network.create({ override: { chainId: Number(OTHER_CHAIN_ID) } });

const PRICE = (15n * USDC) / 10n;
const BOND = BigInt(DEFAULT_PARAMS.bidBond);

/** The spec's commitment, computed here: keccak256(abi.encode(jobId, provider, price, salt, chainid, market, specHash)). */
function commitmentOf(
  jobId: bigint,
  provider: string,
  price: bigint,
  salt: string,
  chainId: bigint,
  market: string,
  specHash: string = SPEC_HASH,
) {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address", "uint96", "bytes32", "uint256", "address", "bytes32"],
      [jobId, provider, price, salt, chainId, market, specHash],
    ),
  );
}

/** Two open jobs on the fixture market. */
async function fixture() {
  const f = await deployMarket(ethers);
  const job1 = await createJob(f);
  const job2 = await createJob(f);
  return { ...f, job1, job2 };
}

/** The same deployment and jobs on the other chain. */
async function otherChainFixture() {
  const f = await deployMarket(other.ethers);
  const job1 = await createJob(f);
  return { ...f, job1 };
}

async function toRevealWindow(f: MarketFixture, jobId: bigint): Promise<void> {
  await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).bidDeadline);
}

describe("Security: sealed-bid commitments cannot be copied or replayed", function () {
  it("test_bidCommitment_isTheSpecEncodingBoundToJobProviderChainAndMarket", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const salt = saltFor(f.alice, PRICE);
    const market = await f.market.getAddress();
    const chainId = (await ethers.provider.getNetwork()).chainId;
    expect(chainId).to.equal(31337n);
    const c = await f.market.bidCommitment(f.job1, f.alice.address, PRICE, salt);
    expect(c).to.equal(commitmentOf(f.job1, f.alice.address, PRICE, salt, chainId, market));
    // Each bound field changes it.
    expect(c).to.not.equal(commitmentOf(f.job2, f.alice.address, PRICE, salt, chainId, market));
    expect(c).to.not.equal(commitmentOf(f.job1, f.bob.address, PRICE, salt, chainId, market));
    expect(c).to.not.equal(commitmentOf(f.job1, f.alice.address, PRICE, salt, OTHER_CHAIN_ID, market));
    expect(c).to.not.equal(commitmentOf(f.job1, f.alice.address, PRICE, salt, chainId, f.outsider.address));
  });

  describe("a copied commitment", function () {
    it("test_revealBid_copiedCommitment_cannotBeRevealedByTheCopier_evenWithTheRevealedSalt", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const salt = saltFor(f.alice, PRICE);
      const aliceCommitment = await f.market.bidCommitment(f.job1, f.alice.address, PRICE, salt);
      await (await f.market.connect(f.alice).commitBid(f.job1, aliceCommitment)).wait();
      // Bob copies the bytes from alice's transaction: the market accepts them as bob's own commitment.
      await (await f.market.connect(f.bob).commitBid(f.job1, aliceCommitment)).wait();
      // The market keeps the low 248 bits of a commitment: the two stored words are the same.
      expect((await f.market.bidOf(f.job1, f.bob.address)).commitment).to.equal(
        (await f.market.bidOf(f.job1, f.alice.address)).commitment,
      );
      expect((await f.market.bidOf(f.job1, f.bob.address)).commitment).to.equal("0x00" + aliceCommitment.slice(4));

      await toRevealWindow(f, f.job1);
      // Before alice reveals, bob does not know price and salt; after, he does, and it still fails: the
      // commitment binds alice's address, and bob's reveal hashes his own.
      await expect(f.market.connect(f.bob).revealBid(f.job1, PRICE, salt))
        .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
        .withArgs(f.job1, f.bob.address);
      await expect(f.market.connect(f.alice).revealBid(f.job1, PRICE, salt))
        .to.emit(f.market, "BidRevealed")
        .withArgs(f.job1, f.alice.address, PRICE, 1n, true);
      await expect(f.market.connect(f.bob).revealBid(f.job1, PRICE, salt))
        .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
        .withArgs(f.job1, f.bob.address);
      expect((await f.market.bidOf(f.job1, f.bob.address)).status).to.equal(BidStatus.Committed);
    });

    it("test_closeBid_copierForfeitsItsBond_originalWins", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const salt = saltFor(f.alice, PRICE);
      const aliceCommitment = await f.market.bidCommitment(f.job1, f.alice.address, PRICE, salt);
      await (await f.market.connect(f.alice).commitBid(f.job1, aliceCommitment)).wait();
      await (await f.market.connect(f.bob).commitBid(f.job1, aliceCommitment)).wait();
      const bobLock = (await f.market.bidOf(f.job1, f.bob.address)).lockedGrl;
      await toRevealWindow(f, f.job1);
      await (await f.market.connect(f.alice).revealBid(f.job1, PRICE, salt)).wait();
      await networkHelpers.time.increaseTo((await f.market.jobOf(f.job1)).revealDeadline);
      await (await f.market.award(f.job1)).wait();
      expect((await f.market.jobOf(f.job1)).provider).to.equal(f.alice.address);

      const renterGrl = await f.token.balanceOf(f.renter.address);
      await expect(f.market.connect(f.outsider).closeBid(f.job1, f.bob.address))
        .to.emit(f.market, "BidBondForfeited")
        .withArgs(f.job1, f.bob.address, f.renter.address, BOND, bobLock - BOND);
      // The bond is burned: the renter, who could be the copier's owner, gains nothing.
      expect(await f.token.balanceOf(f.renter.address)).to.equal(renterGrl);
      expect(await f.market.lockOf(f.job1, f.bob.address)).to.equal(0n);
    });
  });

  describe("a reveal replayed elsewhere", function () {
    it("test_revealBid_replayedOnAnotherJob_mismatches", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const salt = saltFor(f.alice, PRICE);
      await commitBid(f, f.alice, f.job1, PRICE);
      const job1Commitment = (await f.market.bidOf(f.job1, f.alice.address)).commitment;
      // Bob replays alice's job-1 commitment, then her job-1 reveal, on job 2.
      await (await f.market.connect(f.bob).commitBid(f.job2, job1Commitment)).wait();
      // Alice herself reusing her job-1 commitment on job 2 fails the same way.
      await (await f.market.connect(f.alice).commitBid(f.job2, job1Commitment)).wait();
      await toRevealWindow(f, f.job2);
      await revealBid(f, f.alice, f.job1, PRICE);
      for (const who of [f.bob, f.alice]) {
        await expect(f.market.connect(who).revealBid(f.job2, PRICE, salt))
          .to.be.revertedWithCustomError(f.market, "MarketCommitmentMismatch")
          .withArgs(f.job2, who.address);
      }
      expect(await f.market.bidCommitment(f.job2, f.alice.address, PRICE, salt)).to.not.equal(job1Commitment);
    });

    it("test_revealBid_replayedOnAnotherMarketSameChain_mismatches", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const g = await deployMarket(ethers);
      const gJob = await createJob(g);
      expect(gJob).to.equal(f.job1);
      expect(await g.market.getAddress()).to.not.equal(await f.market.getAddress());
      const salt = saltFor(f.alice, PRICE);
      const commitment = await f.market.bidCommitment(f.job1, f.alice.address, PRICE, salt);
      await (await g.market.connect(g.alice).commitBid(gJob, commitment)).wait();
      await networkHelpers.time.increaseTo((await g.market.jobOf(gJob)).bidDeadline);
      await expect(g.market.connect(g.alice).revealBid(gJob, PRICE, salt))
        .to.be.revertedWithCustomError(g.market, "MarketCommitmentMismatch")
        .withArgs(gJob, g.alice.address);
    });

    it("test_revealBid_replayedOnAnotherChainId_sameMarketAddress_mismatches", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const g = await other.networkHelpers.loadFixture(otherChainFixture);
      expect((await other.ethers.provider.getNetwork()).chainId).to.equal(OTHER_CHAIN_ID);
      const market = await f.market.getAddress();
      // Same deployer, same nonces: the same address on both chains, and the same job id.
      expect(await g.market.getAddress()).to.equal(market);
      expect(g.job1).to.equal(f.job1);
      expect(g.alice.address).to.equal(f.alice.address);

      const salt = saltFor(f.alice, PRICE);
      const here = await f.market.bidCommitment(f.job1, f.alice.address, PRICE, salt);
      const there = await g.market.bidCommitment(g.job1, g.alice.address, PRICE, salt);
      expect(there).to.not.equal(here);
      expect(there).to.equal(commitmentOf(g.job1, g.alice.address, PRICE, salt, OTHER_CHAIN_ID, market));

      // A commitment (and then a reveal) copied from chain 31337 fails on chain 4242.
      await (await g.market.connect(g.alice).commitBid(g.job1, here)).wait();
      await other.networkHelpers.time.increaseTo((await g.market.jobOf(g.job1)).bidDeadline);
      await expect(g.market.connect(g.alice).revealBid(g.job1, PRICE, salt))
        .to.be.revertedWithCustomError(g.market, "MarketCommitmentMismatch")
        .withArgs(g.job1, g.alice.address);
      // The chain's own commitment for the same bid reveals fine on a fresh job there.
      const job2 = await createJob(g);
      await (
        await g.market.connect(g.bob).commitBid(job2, await g.market.bidCommitment(job2, g.bob.address, PRICE, salt))
      ).wait();
      await other.networkHelpers.time.increaseTo((await g.market.jobOf(job2)).bidDeadline);
      await expect(g.market.connect(g.bob).revealBid(job2, PRICE, salt))
        .to.emit(g.market, "BidRevealed")
        .withArgs(job2, g.bob.address, PRICE, 1n, true);
    });
  });
});
