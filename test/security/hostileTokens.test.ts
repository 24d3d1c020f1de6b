import { expect } from "chai";
import { network } from "hardhat";

import { awardedJob, createJob, EVIDENCE_HASH, jobRequest, runningJob } from "../kit/jobs.ts";
import { deployMarket, DISPUTE_BOND_BPS, JobState, PROVIDER_FAULT, RENTER_FAULT } from "../kit/market.ts";
import { bpsOfUp, DURATION, jobValue } from "../kit/money.ts";
import {
  type BalanceToken,
  claimAt,
  deliverAtEnd,
  expectLedger,
  expectProviderReleased,
  expectRegistryBacksStake,
  settleAtDeadline,
  withdrawAll,
} from "../market/lifecycle/helpers.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * test/market/lifecycle/hostileTokens.test.ts walks each hostile token through chosen paths. This file
 * drives every accepted token through every way a job can end, and checks the same two facts each time:
 * once every payee has withdrawn, the market holds none of the token, and the token only moved between
 * the renter, the provider and the treasury (no unit created or lost).
 */
interface TokenLike extends BalanceToken {
  mint(to: string, amount: bigint): Promise<{ wait(): Promise<unknown> }>;
  connect(signer: unknown): TokenLike & {
    approve(spender: string, amount: bigint): Promise<{ wait(): Promise<unknown> }>;
  };
}

const TOKENS = {
  usdc6: { decimals: 6n, deploy: () => ethers.deployContract("MockStablecoin", ["USD Coin (mock)", "USDC6", 6]) },
  dai18: { decimals: 18n, deploy: () => ethers.deployContract("MockStablecoin", ["Dai (mock)", "DAI18", 18]) },
  noReturn: { decimals: 6n, deploy: () => ethers.deployContract("NoReturnToken") },
  blacklist: { decimals: 6n, deploy: () => ethers.deployContract("BlacklistStablecoin") },
} as const;

type TokenName = keyof typeof TOKENS;

/** The market fixture plus each token of TOKENS allow-listed, 1,000,000 whole units minted to and approved by the renter. */
async function fixture() {
  const f = await deployMarket(ethers);
  const market = await f.market.getAddress();
  const tokens = {} as Record<TokenName, TokenLike>;
  for (const [name, spec] of Object.entries(TOKENS) as [TokenName, (typeof TOKENS)[TokenName]][]) {
    const token = (await spec.deploy()) as unknown as TokenLike;
    await (await f.market.connect(f.admin).setPaymentToken(await token.getAddress(), true)).wait();
    await (await token.mint(f.renter.address, 1_000_000n * 10n ** spec.decimals)).wait();
    await (await token.connect(f.renter).approve(market, ethers.MaxUint256)).wait();
    tokens[name] = token;
  }
  const fot = await ethers.deployContract("FeeOnTransferToken");
  await (await f.market.connect(f.admin).setPaymentToken(await fot.getAddress(), true)).wait();
  await (await fot.mint(f.renter.address, 1_000_000n * 10n ** 6n)).wait();
  await (await fot.connect(f.renter).approve(market, ethers.MaxUint256)).wait();
  return { ...f, tokens, fot };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

/** The job request overrides that price a job in `name` ($2.00 reserve, $1.50 bid, in its decimals). */
function pricing(f: Fixture, name: TokenName, token: string) {
  const unit = 10n ** TOKENS[name].decimals;
  return { request: { paymentToken: token, reservePricePerGpuHour: 2n * unit }, bid: (15n * unit) / 10n };
}

/** Every way a job ends, each ending with a final state. */
const OUTCOMES: Record<string, (f: Fixture, o: ReturnType<typeof pricing>) => Promise<[bigint, bigint]>> = {
  async settledAfterAClaim(f, o) {
    const jobId = await runningJob(f, networkHelpers, [[f.alice, o.bid]], o.request);
    await claimAt(f, networkHelpers, jobId, DURATION / 2n);
    await deliverAtEnd(f, networkHelpers, jobId);
    await settleAtDeadline(f, networkHelpers, jobId);
    return [jobId, JobState.Settled];
  },
  async stoppedHalfWay(f, o) {
    const jobId = await runningJob(f, networkHelpers, [[f.alice, o.bid]], o.request);
    const job = await f.market.jobOf(jobId);
    await networkHelpers.time.setNextBlockTimestamp(job.startedAt + DURATION / 2n);
    await (await f.market.connect(f.renter).stopJob(jobId)).wait();
    return [jobId, JobState.Cancelled];
  },
  async failedNoShow(f, o) {
    const jobId = await awardedJob(f, networkHelpers, [[f.alice, o.bid]], o.request);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
    await (await f.market.failJob(jobId)).wait();
    return [jobId, JobState.Failed];
  },
  async failedLate(f, o) {
    const jobId = await runningJob(f, networkHelpers, [[f.alice, o.bid]], o.request);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
    await (await f.market.failJob(jobId)).wait();
    return [jobId, JobState.Failed];
  },
  async disputeProviderFault(f, o) {
    const jobId = await runningJob(f, networkHelpers, [[f.alice, o.bid]], o.request);
    await deliverAtEnd(f, networkHelpers, jobId);
    await (await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).wait();
    await (await f.market.connect(f.arbiter).resolveDispute(jobId, PROVIDER_FAULT)).wait();
    return [jobId, JobState.Resolved];
  },
  async disputeRenterFault(f, o) {
    const jobId = await runningJob(f, networkHelpers, [[f.alice, o.bid]], o.request);
    await deliverAtEnd(f, networkHelpers, jobId);
    await (await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).wait();
    await (await f.market.connect(f.arbiter).resolveDispute(jobId, RENTER_FAULT)).wait();
    return [jobId, JobState.Settled];
  },
  async disputeTimedOut(f, o) {
    const jobId = await runningJob(f, networkHelpers, [[f.alice, o.bid]], o.request);
    await deliverAtEnd(f, networkHelpers, jobId);
    await (await f.market.connect(f.renter).dispute(jobId, EVIDENCE_HASH)).wait();
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).deadline);
    await (await f.market.settleDisputeTimeout(jobId)).wait();
    return [jobId, JobState.Settled];
  },
  async expired(f, o) {
    const jobId = await createJob(f, o.request);
    await networkHelpers.time.increaseTo((await f.market.jobOf(jobId)).revealDeadline);
    await (await f.market.award(jobId)).wait();
    return [jobId, JobState.Expired];
  },
  async cancelled(f, o) {
    const jobId = await createJob(f, o.request);
    await (await f.market.connect(f.renter).cancelJob(jobId)).wait();
    return [jobId, JobState.Cancelled];
  },
};

describe("Security: hostile payment tokens through every ending", function () {
  for (const name of Object.keys(TOKENS) as TokenName[]) {
    describe(name, function () {
      for (const [outcome, run] of Object.entries(OUTCOMES)) {
        it(`test_${name}_${outcome}_conservesTheTokenAndEmptiesTheMarket`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const token = f.tokens[name];
          const address = await token.getAddress();
          const who = [f.renter, f.alice, f.treasury];
          const before = await Promise.all(who.map((s) => token.balanceOf(s.address)));
          const [jobId, state] = await run(f, pricing(f, name, address));
          expect((await f.market.jobOf(jobId)).state).to.equal(state);

          await withdrawAll(f, address, who);
          await expectLedger(f, address, {});
          expect(await token.balanceOf(await f.market.getAddress())).to.equal(0n);
          const after = await Promise.all(who.map((s) => token.balanceOf(s.address)));
          const deltas = after.map((a, i) => a - before[i]);
          expect(
            deltas.reduce((a, b) => a + b, 0n),
            "units created or lost",
          ).to.equal(0n);
          // The renter never pays more than the budget plus (for a lost dispute) the bond.
          const budget = jobValue(2n * 10n ** TOKENS[name].decimals);
          expect(-deltas[0]).to.be.at.most(budget + bpsOfUp(budget, DISPUTE_BOND_BPS));
          expect(deltas[1]).to.be.at.least(0n);
          expect(deltas[2]).to.be.at.least(0n);
          await expectProviderReleased(f, f.alice, [jobId], (await f.registry.providerOf(f.alice.address)).freeStake);
          await expectRegistryBacksStake(f);
        });
      }
    });
  }

  describe("fee on transfer", function () {
    it("test_createJobWithPermit_feeOnTransferRejectedAfterTheIgnoredPermit", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const address = await f.fot.getAddress();
      const request = await jobRequest(f, { paymentToken: address });
      const budget = jobValue(2n * 10n ** 6n);
      const z = ethers.ZeroHash;
      // The token has no permit; the failed permit is swallowed, then the short delivery is caught.
      await expect(f.market.connect(f.renter).createJobWithPermit(request, ethers.MaxUint256, 27, z, z))
        .to.be.revertedWithCustomError(f.market, "MarketFeeOnTransferToken")
        .withArgs(address, budget, budget - budget / 100n);
      expect(await f.market.jobCount()).to.equal(0n);
    });
  });

  describe("no return value", function () {
    it("test_createJobWithPermit_noReturnTokenWithoutPermit_escrowsThroughTheApproval", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = f.tokens.noReturn;
      const address = await token.getAddress();
      const request = await jobRequest(f, { paymentToken: address });
      const z = ethers.ZeroHash;
      await expect(f.market.connect(f.renter).createJobWithPermit(request, ethers.MaxUint256, 27, z, z)).to.emit(
        f.market,
        "JobCreated",
      );
      expect(await token.balanceOf(await f.market.getAddress())).to.equal(jobValue(2n * 10n ** 6n));
    });

    it("test_createJob_noReturnTokenFailingTransferFrom_reverts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = f.tokens.noReturn;
      // Without an allowance the token reverts (an underflow) instead of returning false: no job.
      const request = await jobRequest(f, { paymentToken: await token.getAddress() });
      await expect(f.market.connect(f.renter2).createJob(request)).to.be.revertedWithPanic(0x11);
      expect(await f.market.jobCount()).to.equal(0n);
    });
  });
});
