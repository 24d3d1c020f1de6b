import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { createJob, RESULT_HASH, RESULT_URI } from "../kit/jobs.ts";
import {
  BidStatus,
  DEFAULT_PARAMS,
  deployMarket,
  FIRST_PRICE,
  HOUR,
  type MarketFixture,
  SECOND_PRICE,
  USDC,
} from "../kit/market.ts";
import { GRL, H100 } from "../kit/protocol.ts";

const { ethers, networkHelpers } = await network.create();

/** The crowd: as many bids as the (raised) cap allows, and one provider more that the cap turns away. */
const CROWD = 64;
const PROVIDERS = CROWD + 1;
/** Gas of a call with a crowd of bids may differ from the same call with one or two bids by at most 5%. */
const TOLERANCE_BPS = 500n;

/** One GPU for one hour at most $2.00; bids at $1.000000, $1.000001, ... so provider 0 is always best. */
const REQUEST = { gpuCount: 1, duration: HOUR, reservePricePerGpuHour: 2n * USDC };
const priceOf = (i: number) => USDC + BigInt(i);

async function mined(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return receipt!.gasUsed;
}

/** `crowd` costs at most `few` plus 5%: a crowd of bids never makes the call dearer. */
function expectNotAbove(label: string, crowd: bigint, few: bigint): void {
  expect(crowd * 10_000n, `${label}: ${crowd} vs ${few}`).to.be.at.most(few * (10_000n + TOLERANCE_BPS));
}

function expectFlat(label: string, gases: bigint[]): void {
  const max = gases.reduce((a, b) => (a > b ? a : b));
  const min = gases.reduce((a, b) => (a < b ? a : b));
  expect((max - min) * 10_000n, `${label}: ${min}..${max}`).to.be.at.most(min * TOLERANCE_BPS);
}

/** Registers, funds and onboards `count` providers (5 H100 each) at fresh impersonated addresses. */
async function onboardCrowd(f: MarketFixture, count: number): Promise<HardhatEthersSigner[]> {
  const registry = await f.registry.getAddress();
  const out: HardhatEthersSigner[] = [];
  for (let i = 0; i < count; i++) {
    const address = ethers.getAddress("0x" + (0xb1d000000n + BigInt(i)).toString(16).padStart(40, "0"));
    await networkHelpers.impersonateAccount(address);
    await networkHelpers.setBalance(address, 10n ** 20n);
    const s = await ethers.getSigner(address);
    await (await f.token.connect(f.treasury).transfer(address, 2_000n * GRL)).wait();
    await (await f.token.connect(s).approve(registry, ethers.MaxUint256)).wait();
    await (await f.registry.connect(s).register("ipfs://crowd", 840)).wait();
    await (await f.registry.connect(s).stake(2_000n * GRL)).wait();
    await (await f.registry.connect(s).setGpuLine(H100, 5, 80, 98_950)).wait();
    await (await f.registry.connect(s).setOnline(true)).wait();
    out.push(s);
  }
  return out;
}

async function commit(f: MarketFixture, s: HardhatEthersSigner, jobId: bigint, price: bigint): Promise<bigint> {
  const salt = ethers.zeroPadValue(s.address, 32);
  return mined(f.market.connect(s).commitBid(jobId, await f.market.bidCommitment(jobId, s.address, price, salt)));
}

async function reveal(f: MarketFixture, s: HardhatEthersSigner, jobId: bigint, price: bigint): Promise<bigint> {
  return mined(f.market.connect(s).revealBid(jobId, price, ethers.zeroPadValue(s.address, 32)));
}

/**
 * maxBids raised to 64 by governance (the admin here), 65 providers, and five jobs bid on and revealed:
 * first-price jobs with 64 bids, one bid and two bids, second-price jobs with 64 bids and two bids.
 * Provider 0 bids lowest everywhere, so every job has the same winner, clearing price and refund.
 * Gas of every commit and reveal of the crowds is recorded.
 */
async function crowdFixture() {
  const f = await deployMarket(ethers);
  await (await f.market.connect(f.admin).setMarketParams({ ...DEFAULT_PARAMS, maxBids: CROWD })).wait();
  const crowd = await onboardCrowd(f, PROVIDERS);
  const fpCrowd = await createJob(f, { ...REQUEST, pricingRule: FIRST_PRICE });
  const spCrowd = await createJob(f, { ...REQUEST, pricingRule: SECOND_PRICE });
  const fpSingle = await createJob(f, { ...REQUEST, pricingRule: FIRST_PRICE });
  const spPair = await createJob(f, { ...REQUEST, pricingRule: SECOND_PRICE });
  const fpPair = await createJob(f, { ...REQUEST, pricingRule: FIRST_PRICE });

  const commitGas: bigint[] = [];
  for (let i = 0; i < CROWD; i++) commitGas.push(await commit(f, crowd[i], fpCrowd, priceOf(i)));
  for (let i = 0; i < CROWD; i++) await commit(f, crowd[i], spCrowd, priceOf(i));
  await commit(f, crowd[0], fpSingle, priceOf(0));
  await commit(f, crowd[0], spPair, priceOf(0));
  await commit(f, crowd[1], spPair, priceOf(1));
  await commit(f, crowd[0], fpPair, priceOf(0));
  await commit(f, crowd[1], fpPair, priceOf(1));

  await networkHelpers.time.increaseTo((await f.market.jobOf(fpPair)).bidDeadline);
  const revealGas: bigint[] = [];
  for (let i = 0; i < CROWD; i++) revealGas.push(await reveal(f, crowd[i], fpCrowd, priceOf(i)));
  for (let i = 0; i < CROWD; i++) await reveal(f, crowd[i], spCrowd, priceOf(i));
  await reveal(f, crowd[0], fpSingle, priceOf(0));
  await reveal(f, crowd[0], spPair, priceOf(0));
  await reveal(f, crowd[1], spPair, priceOf(1));
  await reveal(f, crowd[0], fpPair, priceOf(0));
  await reveal(f, crowd[1], fpPair, priceOf(1));
  await networkHelpers.time.increaseTo((await f.market.jobOf(fpPair)).revealDeadline);
  return { ...f, crowd, fpCrowd, spCrowd, fpSingle, spPair, fpPair, commitGas, revealGas };
}

/** Gas of `send` run from the same chain state each time (a snapshot restored in between). */
async function fromSameState(sends: (() => Promise<ContractTransactionResponse>)[]): Promise<bigint[]> {
  const snapshot = await networkHelpers.takeSnapshot();
  const out: bigint[] = [];
  for (const send of sends) {
    out.push(await mined(send()));
    await snapshot.restore();
  }
  return out;
}

/** All five jobs awarded, started and delivered by provider 0, and past every challenge deadline. */
async function deliveredFixture() {
  const f = await networkHelpers.loadFixture(crowdFixture);
  const jobs = [f.fpCrowd, f.spCrowd, f.fpSingle, f.spPair, f.fpPair];
  for (const jobId of jobs) await (await f.market.award(jobId)).wait();
  for (const jobId of jobs) await (await f.market.connect(f.crowd[0]).startJob(jobId)).wait();
  await networkHelpers.time.increase(HOUR);
  for (const jobId of jobs) await (await f.market.connect(f.crowd[0]).deliver(jobId, RESULT_HASH, RESULT_URI)).wait();
  let last = 0n;
  for (const jobId of jobs) {
    const deadline = (await f.market.jobOf(jobId)).deadline;
    if (deadline > last) last = deadline;
  }
  await networkHelpers.time.increaseTo(last);
  return f;
}

describe("Security: many bids cannot make award or settlement expensive", function () {
  this.timeout(300_000);

  it("test_setMarketParams_maxBidsBoundedAt256", async function () {
    const f = await networkHelpers.loadFixture(crowdFixture);
    await expect(f.market.connect(f.admin).setMarketParams({ ...DEFAULT_PARAMS, maxBids: 257 }))
      .to.be.revertedWithCustomError(f.market, "MarketParameterOutOfBounds")
      .withArgs(6n, 257n, 1n, 256n);
    await expect(f.market.connect(f.admin).setMarketParams({ ...DEFAULT_PARAMS, maxBids: 256 })).to.emit(
      f.market,
      "MarketParamsSet",
    );
  });

  it("test_commitBid_capTurnsAwayThe65thBidder", async function () {
    const f = await networkHelpers.loadFixture(crowdFixture);
    expect((await f.market.jobOf(f.fpCrowd)).bidCount).to.equal(BigInt(CROWD));
    expect((await f.market.jobOf(f.fpCrowd)).revealCount).to.equal(BigInt(CROWD));
    const late = await createJob(f, { ...REQUEST, pricingRule: FIRST_PRICE });
    for (let i = 0; i < CROWD; i++) await commit(f, f.crowd[i], late, priceOf(i));
    const s = f.crowd[CROWD];
    const salt = ethers.zeroPadValue(s.address, 32);
    const commitment = await f.market.bidCommitment(late, s.address, priceOf(CROWD), salt);
    await expect(f.market.connect(s).commitBid(late, commitment))
      .to.be.revertedWithCustomError(f.market, "MarketBidCapReached")
      .withArgs(late, BigInt(CROWD));
  });

  it("test_commitAndReveal_costTheSameWhateverTheBidsBefore", async function () {
    const f = await networkHelpers.loadFixture(crowdFixture);
    // The first commit and the first two reveals write slots from zero; from then on every call writes
    // the same slots the same way, so the 64th costs what the 3rd did.
    expectFlat("commitBid 2..64", f.commitGas.slice(1));
    expectFlat("revealBid 3..64", f.revealGas.slice(2));
  });

  it("test_award_firstPrice_64BidsCostsWhatTwoBidsCost_andNoMoreThanOne", async function () {
    const f = await networkHelpers.loadFixture(crowdFixture);
    const [crowd, pair, single] = await fromSameState([
      () => f.market.award(f.fpCrowd),
      () => f.market.award(f.fpPair),
      () => f.market.award(f.fpSingle),
    ]);
    expectFlat("award first price, 64 vs 2 bids", [crowd, pair]);
    // With a single bid the slot the clearing price shares with the (empty) second price is written from
    // zero, so the lone bid is the dearer case.
    expectNotAbove("award first price, 64 vs 1 bid", crowd, single);
  });

  it("test_award_secondPrice_64BidsCostsWhatTwoBidsCost", async function () {
    const f = await networkHelpers.loadFixture(crowdFixture);
    const [crowd, pair] = await fromSameState([() => f.market.award(f.spCrowd), () => f.market.award(f.spPair)]);
    expectFlat("award second price, 64 vs 2 bids", [crowd, pair]);
  });

  it("test_award_leavesEveryLosingBidOpen_closedOneCallEach", async function () {
    const f = await networkHelpers.loadFixture(crowdFixture);
    await (await f.market.award(f.fpCrowd)).wait();
    expect((await f.market.bidOf(f.fpCrowd, f.crowd[0].address)).status).to.equal(BidStatus.Closed);
    for (let i = 1; i < CROWD; i++) {
      expect((await f.market.bidOf(f.fpCrowd, f.crowd[i].address)).status).to.equal(BidStatus.Revealed);
    }
    const gases: bigint[] = [];
    for (let i = 1; i < CROWD; i++) {
      const s = f.crowd[i];
      const locked = (await f.market.bidOf(f.fpCrowd, s.address)).lockedGrl;
      const tx = f.market.connect(f.outsider).closeBid(f.fpCrowd, s.address);
      await expect(tx).to.emit(f.market, "BidReleased").withArgs(f.fpCrowd, s.address, locked);
      gases.push((await (await tx).wait())!.gasUsed);
      // One call closes exactly one bid: the next one is still open.
      if (i + 1 < CROWD) {
        expect((await f.market.bidOf(f.fpCrowd, f.crowd[i + 1].address)).status).to.equal(BidStatus.Revealed);
      }
      expect(await f.market.lockOf(f.fpCrowd, s.address)).to.equal(0n);
    }
    expectFlat("closeBid 1..63", gases);
    await expect(f.market.closeBid(f.fpCrowd, f.crowd[1].address))
      .to.be.revertedWithCustomError(f.market, "MarketBidNotClosable")
      .withArgs(f.fpCrowd, f.crowd[1].address, BidStatus.Closed);
  });

  it("test_settle_64BidsCostsWhatOneOrTwoBidsCost", async function () {
    const f = await deliveredFixture();
    const [fpCrowd, fpSingle, fpPair, spCrowd, spPair] = await fromSameState([
      () => f.market.settle(f.fpCrowd),
      () => f.market.settle(f.fpSingle),
      () => f.market.settle(f.fpPair),
      () => f.market.settle(f.spCrowd),
      () => f.market.settle(f.spPair),
    ]);
    expectFlat("settle first price, 64 vs 1 and 2 bids", [fpCrowd, fpSingle, fpPair]);
    expectFlat("settle second price, 64 vs 2 bids", [spCrowd, spPair]);
  });
});
