import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { signPermit } from "../../../sdk/index.ts";
import { jobRequest, SPEC_HASH } from "../../kit/jobs.ts";
import { deployMarket, FIRST_PRICE, HOUR, JobState, type MarketFixture, USDC } from "../../kit/market.ts";
import { RESERVE } from "../../kit/money.ts";
import { H100 } from "../../kit/protocol.ts";
import { BUDGET, COLLATERAL, RequestField } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

/** The market fixture plus an agent renter holding USDC but no allowance to the market. */
async function fixture() {
  const f = await deployMarket(ethers);
  const agent = (await ethers.getSigners())[10];
  await f.usdc.mint(agent.address, 1_000n * USDC);
  return { ...f, agent };
}

async function permitFor(
  f: MarketFixture,
  owner: HardhatEthersSigner,
  value: bigint,
  deadline: bigint,
  signer: HardhatEthersSigner = owner,
) {
  return signPermit(signer, f.usdc, { owner: owner.address, spender: await f.market.getAddress(), value, deadline });
}

async function futureDeadline(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest()) + HOUR;
}

describe("JobMarket: createJobWithPermit", function () {
  it("test_createJobWithPermit_createsJobWithoutPriorApproval", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const market = await f.market.getAddress();
    expect(await f.usdc.allowance(f.agent.address, market)).to.equal(0n);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, deadline);
    const t = BigInt(await networkHelpers.time.latest()) + 10n;
    await networkHelpers.time.setNextBlockTimestamp(t);
    const tx = f.market.connect(f.agent).createJobWithPermit(await jobRequest(f), deadline, v, r, s);
    await expect(tx)
      .to.emit(f.market, "JobCreated")
      .withArgs(
        1n,
        f.agent.address,
        await f.usdc.getAddress(),
        [await f.usdc.getAddress(), H100, 4n, 80n, 0n, 0n, 10n * HOUR, RESERVE, FIRST_PRICE, HOUR, HOUR, SPEC_HASH],
        t + HOUR,
        t + 2n * HOUR,
        BUDGET,
        1n,
      );
    await expect(tx).to.changeTokenBalances(ethers, f.usdc, [f.agent, f.market], [-BUDGET, BUDGET]);
    // The permit was used (nonce consumed) and its allowance spent exactly.
    expect(await f.usdc.nonces(f.agent.address)).to.equal(1n);
    expect(await f.usdc.allowance(f.agent.address, market)).to.equal(0n);
    const job = await f.market.jobOf(1n);
    expect(job.renter).to.equal(f.agent.address);
    expect(job.state).to.equal(JobState.Bidding);
    expect(job.escrow).to.equal(BUDGET);
    expect(job.collateral).to.equal(COLLATERAL);
  });

  it("test_createJobWithPermit_returnsJobId", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await f.market.connect(f.renter).createJob(await jobRequest(f));
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, deadline);
    const request = await jobRequest(f);
    expect(await f.market.connect(f.agent).createJobWithPermit.staticCall(request, deadline, v, r, s)).to.equal(2n);
  });

  it("test_createJobWithPermit_frontRunPermitStillCreatesJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const market = await f.market.getAddress();
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, deadline);
    // Someone copies the permit from the mempool and submits it first.
    await f.usdc.connect(f.outsider).permit(f.agent.address, market, BUDGET, deadline, v, r, s);
    expect(await f.usdc.allowance(f.agent.address, market)).to.equal(BUDGET);
    // The market's own permit call now fails (nonce used) and is ignored; the allowance is in place.
    await expect(
      f.market.connect(f.agent).createJobWithPermit(await jobRequest(f), deadline, v, r, s),
    ).to.changeTokenBalances(ethers, f.usdc, [f.agent, f.market], [-BUDGET, BUDGET]);
    expect((await f.market.jobOf(1n)).renter).to.equal(f.agent.address);
    expect(await f.usdc.allowance(f.agent.address, market)).to.equal(0n);
  });

  it("test_createJobWithPermit_invalidPermitFallsBackToAllowance", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    // The fixture renter has a standing approval; a garbage permit is ignored.
    await expect(
      f.market.connect(f.renter).createJobWithPermit(await jobRequest(f), 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
    ).to.changeTokenBalances(ethers, f.usdc, [f.renter, f.market], [-BUDGET, BUDGET]);
  });

  it("test_createJobWithPermit_revertsWithoutAllowanceWhenPermitIsForLessThanBudget", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const market = await f.market.getAddress();
    const deadline = await futureDeadline();
    // Signed for one unit less than the budget: the market's permit (for the budget) does not verify.
    const { v, r, s } = await permitFor(f, f.agent, BUDGET - 1n, deadline);
    await expect(f.market.connect(f.agent).createJobWithPermit(await jobRequest(f), deadline, v, r, s))
      .to.be.revertedWithCustomError(f.usdc, "ERC20InsufficientAllowance")
      .withArgs(market, 0n, BUDGET);
  });

  it("test_createJobWithPermit_revertsWithoutAllowanceWhenPermitExpired", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const market = await f.market.getAddress();
    const t = BigInt(await networkHelpers.time.latest()) + 100n;
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, t - 1n);
    await networkHelpers.time.setNextBlockTimestamp(t);
    await expect(f.market.connect(f.agent).createJobWithPermit(await jobRequest(f), t - 1n, v, r, s))
      .to.be.revertedWithCustomError(f.usdc, "ERC20InsufficientAllowance")
      .withArgs(market, 0n, BUDGET);
  });

  it("test_createJobWithPermit_permitDeadlineIsInclusive", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const t = BigInt(await networkHelpers.time.latest()) + 100n;
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, t);
    await networkHelpers.time.setNextBlockTimestamp(t);
    await expect(f.market.connect(f.agent).createJobWithPermit(await jobRequest(f), t, v, r, s)).not.to.revert(ethers);
  });

  it("test_createJobWithPermit_permitSignedByAnotherKeyIsIgnored", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const market = await f.market.getAddress();
    const deadline = await futureDeadline();
    // renter2 signs a permit over the agent's tokens: invalid, so the agent still has no allowance.
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, deadline, f.renter2);
    await expect(f.market.connect(f.agent).createJobWithPermit(await jobRequest(f), deadline, v, r, s))
      .to.be.revertedWithCustomError(f.usdc, "ERC20InsufficientAllowance")
      .withArgs(market, 0n, BUDGET);
  });

  it("test_createJobWithPermit_permitIsForTheCaller", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    // The agent's permit submitted by renter2: the market asks for a permit of renter2's tokens, which
    // the signature does not cover; renter2 pays from its own standing approval.
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, deadline);
    await expect(
      f.market.connect(f.renter2).createJobWithPermit(await jobRequest(f), deadline, v, r, s),
    ).to.changeTokenBalances(ethers, f.usdc, [f.agent, f.renter2], [0n, -BUDGET]);
    expect((await f.market.jobOf(1n)).renter).to.equal(f.renter2.address);
    expect(await f.usdc.nonces(f.agent.address)).to.equal(0n);
  });

  it("test_createJobWithPermit_revertsForTokenNotAllowedLikeCreateJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    // An address without code is rejected by the allow-list check before any permit call.
    await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: f.outsider.address })))
      .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
      .withArgs(f.outsider.address);
    await expect(
      f.market
        .connect(f.renter)
        .createJobWithPermit(
          await jobRequest(f, { paymentToken: f.outsider.address }),
          0n,
          27,
          ethers.ZeroHash,
          ethers.ZeroHash,
        ),
    )
      .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
      .withArgs(f.outsider.address);
  });

  it("test_createJobWithPermit_validatesRequestLikeCreateJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const deadline = await futureDeadline();
    const { v, r, s } = await permitFor(f, f.agent, BUDGET, deadline);
    await expect(f.market.connect(f.agent).createJobWithPermit(await jobRequest(f, { gpuCount: 0 }), deadline, v, r, s))
      .to.be.revertedWithCustomError(f.market, "MarketInvalidRequest")
      .withArgs(RequestField.GpuCount);
    const other = await ethers.deployContract("MockStablecoin", ["Other USD", "OUSD", 6]);
    const otherAddress = await other.getAddress();
    await expect(
      f.market
        .connect(f.agent)
        .createJobWithPermit(await jobRequest(f, { paymentToken: otherAddress }), deadline, v, r, s),
    )
      .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
      .withArgs(otherAddress);
    await expect(
      f.market
        .connect(f.agent)
        .createJobWithPermit(
          await jobRequest(f, { reservePricePerGpuHour: 1, gpuCount: 1, duration: 60 }),
          deadline,
          v,
          r,
          s,
        ),
    ).to.be.revertedWithCustomError(f.market, "MarketJobValueZero");
  });
});
