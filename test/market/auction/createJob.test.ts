import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../../kit/fixtures.ts";
import { jobRequest, SPEC_HASH } from "../../kit/jobs.ts";
import {
  FIRST_PRICE,
  HOUR,
  INSTANT,
  JobState,
  type MarketFixture,
  ORACLE_HEARTBEAT,
  SECOND_PRICE,
  USDC,
} from "../../kit/market.ts";
import { RESERVE } from "../../kit/money.ts";
import { GRL, H100 } from "../../kit/protocol.ts";
import {
  BUDGET,
  COLLATERAL,
  collateralFor,
  GRL_USD_PRICE,
  jobObject,
  MAX_AUCTION_WINDOW,
  MAX_DURATION,
  MAX_GPU_COUNT,
  MAX_REPUTATION,
  MIN_AUCTION_WINDOW,
  MIN_DURATION,
  RequestField,
  setParams,
} from "./helpers.ts";
import type { IJobMarket } from "../../../types/ethers-contracts/index.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

type Overrides = Partial<IJobMarket.JobRequestStruct>;

async function expectCreates(f: MarketFixture, overrides: Overrides): Promise<void> {
  await expect(f.market.connect(f.renter).createJob(await jobRequest(f, overrides))).not.to.revert(ethers);
}

async function expectInvalid(f: MarketFixture, overrides: Overrides, field: bigint): Promise<void> {
  await expect(f.market.connect(f.renter).createJob(await jobRequest(f, overrides)))
    .to.be.revertedWithCustomError(f.market, "MarketInvalidRequest")
    .withArgs(field);
}

describe("JobMarket: createJob", function () {
  describe("happy path", function () {
    it("test_createJob_pullsExactBudgetFromRenter", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f))).to.changeTokenBalances(
        ethers,
        f.usdc,
        [f.renter, f.market],
        [-BUDGET, BUDGET],
      );
    });

    it("test_createJob_escrowIsReserveTimesGpusTimesDurationOverHour", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // 3 GPUs x 90 minutes at 1.234567 USDC: 1.234567 x 3 x 1.5 = 5.5555515 USDC, floored to 5.555551.
      const reserve = 1_234_567n;
      const expected = (reserve * 3n * 5_400n) / 3_600n;
      expect(expected).to.equal(5_555_551n);
      await expect(
        f.market
          .connect(f.renter)
          .createJob(await jobRequest(f, { gpuCount: 3, duration: 5_400n, reservePricePerGpuHour: reserve })),
      ).to.changeTokenBalances(ethers, f.usdc, [f.renter, f.market], [-expected, expected]);
      expect((await f.market.jobOf(1n)).escrow).to.equal(expected);
    });

    it("test_createJob_emitsJobCreatedWithAllArgs", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const t = BigInt(await networkHelpers.time.latest()) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { region: 840, minReputation: 4_000 })))
        .to.emit(f.market, "JobCreated")
        .withArgs(
          1n,
          f.renter.address,
          await f.usdc.getAddress(),
          [
            await f.usdc.getAddress(),
            H100,
            4n,
            80n,
            840n,
            4_000n,
            10n * HOUR,
            RESERVE,
            FIRST_PRICE,
            HOUR,
            HOUR,
            SPEC_HASH,
          ],
          t + HOUR,
          t + 2n * HOUR,
          BUDGET,
          1n,
        );
    });

    it("test_createJob_storesEveryJobField", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const t = BigInt(await networkHelpers.time.latest()) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await f.market.connect(f.renter).createJob(
        await jobRequest(f, {
          pricingRule: SECOND_PRICE,
          region: 840,
          minReputation: 7,
          bidWindow: 600,
          revealWindow: 900,
        }),
      );
      expect(await jobObject(f, 1n)).to.deep.equal({
        renter: f.renter.address,
        gpuCount: 4n,
        pricingRule: SECOND_PRICE,
        state: JobState.Bidding,
        region: 840n,
        minReputation: 7n,
        paymentToken: await f.usdc.getAddress(),
        bidDeadline: t + 600n,
        revealDeadline: t + 1_500n,
        gpuModel: H100,
        reservePricePerGpuHour: RESERVE,
        duration: 10n * HOUR,
        minVramGb: 80n,
        paramsId: 1n,
        bidCount: 0n,
        revealCount: 0n,
        provider: ethers.ZeroAddress,
        bestPrice: 0n,
        secondPrice: 0n,
        clearingPrice: 0n,
        deadline: 0n,
        escrow: BUDGET,
        claimed: 0n,
        collateral: COLLATERAL,
        disputeBond: 0n,
        startedAt: 0n,
        specHash: SPEC_HASH,
      });
      expect(await f.market.stateOf(1n)).to.equal(JobState.Bidding);
    });

    it("test_createJob_collateralIs48GrlForDefaultRequest", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // 30% of 80 USDC = 24 USD, at 0.50 USD/GRL = 48 GRL.
      expect(collateralFor(BUDGET, 6n, GRL_USD_PRICE, 3_000n)).to.equal(48n * GRL);
      await f.market.connect(f.renter).createJob(await jobRequest(f));
      expect((await f.market.jobOf(1n)).collateral).to.equal(48n * GRL);
    });

    it("test_createJob_collateralRoundsUp", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // At $0.30 the GRL amount is 266.66...67 (rounded up) and 30% of it 80.000...0001 (rounded up again).
      await f.feed.setAnswer(30_000_000n);
      await f.market.connect(f.renter).createJob(await jobRequest(f));
      const expected = collateralFor(BUDGET, 6n, (3n * GRL) / 10n, 3_000n);
      expect(expected).to.equal(80n * GRL + 1n);
      expect((await f.market.jobOf(1n)).collateral).to.equal(expected);
    });

    it("test_createJob_collateralFollowsOraclePriceAtCreation", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const jobA = 1n;
      await f.market.connect(f.renter).createJob(await jobRequest(f));
      await f.feed.setAnswer(100_000_000n); // $1.00
      await f.market.connect(f.renter).createJob(await jobRequest(f));
      expect((await f.market.jobOf(jobA)).collateral).to.equal(48n * GRL);
      expect((await f.market.jobOf(2n)).collateral).to.equal(24n * GRL);
    });

    it("test_createJob_collateralUsesCurrentCollateralBps", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await setParams(f, { collateralBps: 10_000n });
      await f.market.connect(f.renter).createJob(await jobRequest(f));
      const job = await f.market.jobOf(1n);
      expect(job.paramsId).to.equal(2n);
      expect(job.collateral).to.equal(160n * GRL);
    });

    it("test_createJob_returnsSequentialIdsFromOne", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const request = await jobRequest(f);
      expect(await f.market.jobCount()).to.equal(0n);
      expect(await f.market.connect(f.renter).createJob.staticCall(request)).to.equal(1n);
      await f.market.connect(f.renter).createJob(request);
      expect(await f.market.connect(f.renter2).createJob.staticCall(request)).to.equal(2n);
      await f.market.connect(f.renter2).createJob(request);
      expect(await f.market.jobCount()).to.equal(2n);
      expect((await f.market.jobOf(2n)).renter).to.equal(f.renter2.address);
    });

    it("test_createJob_instantJobHasRevealDeadlineEqualToBidDeadline", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const t = BigInt(await networkHelpers.time.latest()) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { pricingRule: INSTANT, revealWindow: 0 })))
        .to.emit(f.market, "JobCreated")
        .withArgs(
          1n,
          f.renter.address,
          await f.usdc.getAddress(),
          [await f.usdc.getAddress(), H100, 4n, 80n, 0n, 0n, 10n * HOUR, RESERVE, INSTANT, HOUR, 0n, SPEC_HASH],
          t + HOUR,
          t + HOUR,
          BUDGET,
          1n,
        );
    });

    it("test_createJob_18DecimalsStablecoinEscrowsAndSizesCollateralInUsd", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const dai = await ethers.deployContract("MockStablecoin", ["Dai (mock)", "DAI", 18]);
      const daiAddress = await dai.getAddress();
      await expect(f.market.connect(f.admin).setPaymentToken(daiAddress, true))
        .to.emit(f.market, "PaymentTokenSet")
        .withArgs(daiAddress, true, 18n);
      await dai.mint(f.renter.address, 1_000n * GRL);
      await dai.connect(f.renter).approve(await f.market.getAddress(), ethers.MaxUint256);
      // Same job in dollars: $2.00 per GPU-hour, 4 GPUs, 10 hours = $80.
      const request = await jobRequest(f, { paymentToken: daiAddress, reservePricePerGpuHour: 2n * 10n ** 18n });
      await expect(f.market.connect(f.renter).createJob(request)).to.changeTokenBalances(
        ethers,
        dai,
        [f.renter, f.market],
        [-80n * 10n ** 18n, 80n * 10n ** 18n],
      );
      const job = await f.market.jobOf(1n);
      expect(job.paymentToken).to.equal(daiAddress);
      expect(job.escrow).to.equal(80n * 10n ** 18n);
      // The same USD value sizes the same GRL collateral as the 6-decimals USDC job.
      expect(job.collateral).to.equal(COLLATERAL);
      await f.market.connect(f.renter).createJob(await jobRequest(f));
      expect((await f.market.jobOf(2n)).collateral).to.equal(job.collateral);
    });

    it("test_createJob_exactAllowanceIsEnough", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.usdc.connect(f.renter).approve(await f.market.getAddress(), BUDGET);
      await expectCreates(f, {});
      expect(await f.usdc.allowance(f.renter.address, await f.market.getAddress())).to.equal(0n);
    });
  });

  describe("request validation", function () {
    it("test_createJob_revertsForZeroGpuModel", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectInvalid(f, { gpuModel: ethers.ZeroHash }, RequestField.GpuModel);
    });

    it("test_createJob_gpuCountBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectInvalid(f, { gpuCount: 0 }, RequestField.GpuCount);
      await expectCreates(f, { gpuCount: 1 });
      await expectCreates(f, { gpuCount: MAX_GPU_COUNT });
      await expectInvalid(f, { gpuCount: MAX_GPU_COUNT + 1n }, RequestField.GpuCount);
    });

    it("test_createJob_minReputationBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectCreates(f, { minReputation: 0 });
      await expectCreates(f, { minReputation: MAX_REPUTATION });
      await expectInvalid(f, { minReputation: MAX_REPUTATION + 1n }, RequestField.MinReputation);
      await expectInvalid(f, { minReputation: 65_535 }, RequestField.MinReputation);
    });

    it("test_createJob_durationBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectInvalid(f, { duration: 0 }, RequestField.Duration);
      await expectInvalid(f, { duration: MIN_DURATION - 1n }, RequestField.Duration);
      await expectCreates(f, { duration: MIN_DURATION });
      await expectCreates(f, { duration: MAX_DURATION });
      await expectInvalid(f, { duration: MAX_DURATION + 1n }, RequestField.Duration);
    });

    it("test_createJob_revertsForZeroReserve", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectInvalid(f, { reservePricePerGpuHour: 0 }, RequestField.ReservePricePerGpuHour);
      await expectCreates(f, { reservePricePerGpuHour: 1 });
    });

    it("test_createJob_bidWindowBounds", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectInvalid(f, { bidWindow: 0 }, RequestField.BidWindow);
      await expectInvalid(f, { bidWindow: MIN_AUCTION_WINDOW - 1n }, RequestField.BidWindow);
      await expectCreates(f, { bidWindow: MIN_AUCTION_WINDOW });
      await expectCreates(f, { bidWindow: MAX_AUCTION_WINDOW });
      await expectInvalid(f, { bidWindow: MAX_AUCTION_WINDOW + 1n }, RequestField.BidWindow);
    });

    it("test_createJob_bidWindowBoundsApplyToInstantJobs", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const instant = { pricingRule: INSTANT, revealWindow: 0 };
      await expectInvalid(f, { ...instant, bidWindow: MIN_AUCTION_WINDOW - 1n }, RequestField.BidWindow);
      await expectCreates(f, { ...instant, bidWindow: MIN_AUCTION_WINDOW });
      await expectCreates(f, { ...instant, bidWindow: MAX_AUCTION_WINDOW });
      await expectInvalid(f, { ...instant, bidWindow: MAX_AUCTION_WINDOW + 1n }, RequestField.BidWindow);
    });

    for (const [name, rule] of [
      ["FirstPrice", FIRST_PRICE],
      ["SecondPrice", SECOND_PRICE],
    ] as const) {
      it(`test_createJob_revealWindowBounds${name}`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await expectInvalid(f, { pricingRule: rule, revealWindow: 0 }, RequestField.RevealWindow);
        await expectInvalid(f, { pricingRule: rule, revealWindow: MIN_AUCTION_WINDOW - 1n }, RequestField.RevealWindow);
        await expectCreates(f, { pricingRule: rule, revealWindow: MIN_AUCTION_WINDOW });
        await expectCreates(f, { pricingRule: rule, revealWindow: MAX_AUCTION_WINDOW });
        await expectInvalid(f, { pricingRule: rule, revealWindow: MAX_AUCTION_WINDOW + 1n }, RequestField.RevealWindow);
      });
    }

    it("test_createJob_instantRequiresZeroRevealWindow", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectCreates(f, { pricingRule: INSTANT, revealWindow: 0 });
      await expectInvalid(f, { pricingRule: INSTANT, revealWindow: 1 }, RequestField.RevealWindow);
      await expectInvalid(f, { pricingRule: INSTANT, revealWindow: MIN_AUCTION_WINDOW }, RequestField.RevealWindow);
      await expectInvalid(f, { pricingRule: INSTANT, revealWindow: HOUR }, RequestField.RevealWindow);
    });

    it("test_createJob_revertsForUnknownPricingRule", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // An out-of-range enum fails ABI decoding: no reason data.
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { pricingRule: 3 }))).to.revert(ethers);
    });

    it("test_createJob_minVramAndRegionSpanTheirStoredRange", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectCreates(f, { minVramGb: 0, region: 0 });
      await expectCreates(f, { minVramGb: 65_535, region: 65_535 });
    });

    it("test_createJob_revertsWhenMinVramAbove65535Gb", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectInvalid(f, { minVramGb: 65_536 }, RequestField.MinVramGb);
      await expectInvalid(f, { minVramGb: 4_294_967_295n }, RequestField.MinVramGb);
    });

    it("test_createJob_revertsWithoutSpecHash", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expectInvalid(f, { specHash: ethers.ZeroHash }, RequestField.SpecHash);
    });

    it("test_createJob_storesAndEmitsTheSpecHash", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const specHash = ethers.id("another workload");
      const tx = f.market.connect(f.renter).createJob(await jobRequest(f, { specHash }));
      await expect(tx).to.emit(f.market, "JobCreated");
      const receipt = await (await tx).wait();
      const log = f.market.interface.parseLog(receipt!.logs.find((l) => l.address === f.market.target)!)!;
      expect(log.args.request.specHash).to.equal(specHash);
      expect((await f.market.jobOf(1n)).specHash).to.equal(specHash);
    });

    it("test_createJob_reportsFieldsInDeclarationOrder", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Every field invalid: the first one (GpuModel) is reported, then the next once it is fixed.
      const allBad: Overrides = {
        gpuModel: ethers.ZeroHash,
        gpuCount: 0,
        minReputation: 10_001,
        duration: 0,
        reservePricePerGpuHour: 0,
        bidWindow: 0,
        revealWindow: 0,
      };
      await expectInvalid(f, allBad, RequestField.GpuModel);
      await expectInvalid(f, { ...allBad, gpuModel: H100 }, RequestField.GpuCount);
      await expectInvalid(f, { ...allBad, gpuModel: H100, gpuCount: 1 }, RequestField.MinReputation);
      await expectInvalid(f, { ...allBad, gpuModel: H100, gpuCount: 1, minReputation: 0 }, RequestField.Duration);
      await expectInvalid(
        f,
        { ...allBad, gpuModel: H100, gpuCount: 1, minReputation: 0, duration: HOUR },
        RequestField.ReservePricePerGpuHour,
      );
      await expectInvalid(
        f,
        { ...allBad, gpuModel: H100, gpuCount: 1, minReputation: 0, duration: HOUR, reservePricePerGpuHour: 1 },
        RequestField.BidWindow,
      );
      await expectInvalid(
        f,
        {
          ...allBad,
          gpuModel: H100,
          gpuCount: 1,
          minReputation: 0,
          duration: HOUR,
          reservePricePerGpuHour: 1,
          bidWindow: HOUR,
        },
        RequestField.RevealWindow,
      );
    });
  });

  describe("payment token and value", function () {
    it("test_createJob_revertsForTokenNotAllowListed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const other = await ethers.deployContract("MockStablecoin", ["Other USD", "OUSD", 6]);
      const otherAddress = await other.getAddress();
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: otherAddress })))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(otherAddress);
      const grl = await f.token.getAddress();
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: grl })))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(grl);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: ethers.ZeroAddress })))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(ethers.ZeroAddress);
    });

    it("test_createJob_tokenCheckPrecedesRequestValidation", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await expect(
        f.market
          .connect(f.renter)
          .createJob(await jobRequest(f, { paymentToken: f.outsider.address, gpuModel: ethers.ZeroHash })),
      )
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(f.outsider.address);
    });

    it("test_createJob_revertsForDelistedToken", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const usdc = await f.usdc.getAddress();
      await f.market.connect(f.admin).setPaymentToken(usdc, false);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAllowed")
        .withArgs(usdc);
    });

    it("test_createJob_revertsWhenValueRoundsToZero", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // 1 unit x 59 GPUs x 60 s = 3540 / 3600 -> 0.
      await expect(
        f.market
          .connect(f.renter)
          .createJob(await jobRequest(f, { reservePricePerGpuHour: 1, gpuCount: 59, duration: 60 })),
      ).to.be.revertedWithCustomError(f.market, "MarketJobValueZero");
      await expect(
        f.market
          .connect(f.renter)
          .createJob(await jobRequest(f, { reservePricePerGpuHour: 1, gpuCount: 1, duration: 3_599 })),
      ).to.be.revertedWithCustomError(f.market, "MarketJobValueZero");
      // 1 x 60 x 60 = 3600 / 3600 -> 1 unit.
      await expect(
        f.market
          .connect(f.renter)
          .createJob(await jobRequest(f, { reservePricePerGpuHour: 1, gpuCount: 60, duration: 60 })),
      ).to.changeTokenBalances(ethers, f.usdc, [f.renter, f.market], [-1n, 1n]);
      const job = await f.market.jobOf(1n);
      expect(job.escrow).to.equal(1n);
      // 30% of $0.000001 in GRL at $0.50: 6e11 wei.
      expect(job.collateral).to.equal(collateralFor(1n, 6n, GRL_USD_PRICE, 3_000n));
    });

    it("test_createJob_revertsForFeeOnTransferToken", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const fot = await ethers.deployContract("FeeOnTransferToken");
      const fotAddress = await fot.getAddress();
      await f.market.connect(f.admin).setPaymentToken(fotAddress, true);
      await fot.mint(f.renter.address, 1_000n * USDC);
      await fot.connect(f.renter).approve(await f.market.getAddress(), ethers.MaxUint256);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: fotAddress })))
        .to.be.revertedWithCustomError(f.market, "MarketFeeOnTransferToken")
        .withArgs(fotAddress, BUDGET, BUDGET - BUDGET / 100n);
    });

    it("test_createJob_revertsOnInsufficientAllowance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const market = await f.market.getAddress();
      await f.usdc.connect(f.renter).approve(market, BUDGET - 1n);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.usdc, "ERC20InsufficientAllowance")
        .withArgs(market, BUDGET - 1n, BUDGET);
      await f.usdc.connect(f.renter).approve(market, 0n);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.usdc, "ERC20InsufficientAllowance")
        .withArgs(market, 0n, BUDGET);
    });

    it("test_createJob_revertsOnInsufficientBalance", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const [, , , , , , , , , , poor] = await ethers.getSigners();
      await f.usdc.mint(poor.address, BUDGET - 1n);
      await f.usdc.connect(poor).approve(await f.market.getAddress(), ethers.MaxUint256);
      await expect(f.market.connect(poor).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.usdc, "ERC20InsufficientBalance")
        .withArgs(poor.address, BUDGET - 1n, BUDGET);
    });

    it("test_createJob_revertsWhenBudgetAboveMaxJobValue", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const maxReserve = 2n ** 96n - 1n;
      await expect(
        f.market.connect(f.renter).createJob(
          await jobRequest(f, {
            reservePricePerGpuHour: maxReserve,
            gpuCount: MAX_GPU_COUNT,
            duration: MAX_DURATION,
          }),
        ),
      )
        .to.be.revertedWithCustomError(f.market, "MarketJobValueTooLarge")
        .withArgs((maxReserve * BigInt(MAX_GPU_COUNT) * BigInt(MAX_DURATION)) / HOUR, 2n ** 96n - 1n);
    });

    it("test_createJob_reentrantTokenCannotReenter", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const token = await ethers.deployContract("ReentrantToken");
      const tokenAddress = await token.getAddress();
      await f.market.connect(f.admin).setPaymentToken(tokenAddress, true);
      await token.mint(f.renter.address, 1_000n * USDC);
      await token.connect(f.renter).approve(await f.market.getAddress(), ethers.MaxUint256);
      // During the escrow pull the token calls back into the market (cancelJob of the job being created).
      await token.arm(await f.market.getAddress(), f.market.interface.encodeFunctionData("cancelJob", [1n]));
      await f.market.connect(f.renter).createJob(await jobRequest(f, { paymentToken: tokenAddress }));
      expect(await token.attempted()).to.equal(true);
      expect(await token.reentrySucceeded()).to.equal(false);
      expect(await token.reentryError()).to.equal(
        f.market.interface.getError("ReentrancyGuardReentrantCall")!.selector,
      );
      expect((await f.market.jobOf(1n)).state).to.equal(JobState.Bidding);
    });
  });

  describe("oracle", function () {
    it("test_createJob_revertsOnStaleFeed", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const t = BigInt(await networkHelpers.time.latest()) + 100n;
      const updatedAt = t - ORACLE_HEARTBEAT - 1n;
      await f.feed.setRound(7n, 50_000_000n, updatedAt, 7n);
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.oracle, "OracleStaleAnswer")
        .withArgs(updatedAt, ORACLE_HEARTBEAT, t);
    });

    it("test_createJob_acceptsFeedExactlyAtHeartbeat", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const t = BigInt(await networkHelpers.time.latest()) + 100n;
      await f.feed.setRound(7n, 50_000_000n, t - ORACLE_HEARTBEAT, 7n);
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expectCreates(f, {});
    });

    it("test_createJob_revertsOnNonPositiveAnswer", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.feed.setAnswer(0n);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer")
        .withArgs(0n);
      await f.feed.setAnswer(-1n);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.oracle, "OracleNonPositiveAnswer")
        .withArgs(-1n);
    });

    it("test_createJob_revertsOnOutOfBoundsAnswer", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      await f.feed.setAnswer(999_999n);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.oracle, "OracleAnswerOutOfBounds")
        .withArgs(999_999n, 1_000_000n, 1_000_000_000_000n);
    });

    it("test_createJob_revertsOnIncompleteRound", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const now = BigInt(await networkHelpers.time.latest());
      await f.feed.setRound(9n, 50_000_000n, now, 8n);
      await expect(f.market.connect(f.renter).createJob(await jobRequest(f)))
        .to.be.revertedWithCustomError(f.oracle, "OracleIncompleteRound")
        .withArgs(9n, 8n, now);
    });
  });
});
