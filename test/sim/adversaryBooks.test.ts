import { expect } from "chai";

import {
  Books,
  grlToUsd,
  jobValue,
  median,
  secondPriceWithout,
  vickreySpreadUsd,
} from "../../simulator/adversaries/books.ts";
import type { EventName, ProtocolEvent, ProtocolEvents } from "../../sdk/contracts.ts";

const USDC = "0x00000000000000000000000000000000000000C0";
const CREDITS = "0x00000000000000000000000000000000000000C1";
const RENTER = "0x000000000000000000000000000000000000000A";
const ALICE = "0x00000000000000000000000000000000000000a1";
const BOB = "0x00000000000000000000000000000000000000b0";
const SYBIL = "0x00000000000000000000000000000000000000ff";
const ZERO = "0x0000000000000000000000000000000000000000";
const WAD = 10n ** 18n;
const USDC_UNIT = 10n ** 6n;
/** $0.50 per GRL, 18 decimals. */
const PRICE = WAD / 2n;

function ev<K extends EventName>(name: K, args: Partial<ProtocolEvents[K]>): ProtocolEvent {
  return { name, args, address: ZERO, blockNumber: 0, logIndex: 0 } as unknown as ProtocolEvent;
}

/** Job 1: 4 GPUs x 10 h, $2.00 reserve, second price, in USDC; alice bids $1.50, the sybil $1.60, bob $1.80. */
function created(jobId: bigint, token = USDC, rule = 1n): ProtocolEvent {
  return ev("JobCreated", {
    jobId,
    renter: RENTER,
    paymentToken: token,
    request: { gpuCount: 4n, duration: 36_000n, reservePricePerGpuHour: 2n * USDC_UNIT, pricingRule: rule } as never,
  });
}

function auction(): Books {
  const books = new Books({ usdc: USDC, usdcDecimals: 6 });
  books.observe(
    [
      created(1n),
      ev("BidRevealed", { jobId: 1n, provider: ALICE, price: (15n * USDC_UNIT) / 10n }),
      ev("BidRevealed", { jobId: 1n, provider: SYBIL, price: (16n * USDC_UNIT) / 10n }),
      ev("BidRevealed", { jobId: 1n, provider: BOB, price: (18n * USDC_UNIT) / 10n }),
      // Cleared at the sybil's $1.60: $64 for 40 GPU-hours.
      ev("JobAwarded", {
        jobId: 1n,
        provider: ALICE,
        clearingPrice: (16n * USDC_UNIT) / 10n,
        reservePricePerGpuHour: 2n * USDC_UNIT,
        value: 64n * USDC_UNIT,
      }),
    ],
    PRICE,
  );
  return books;
}

describe("Market simulator: adversaries' books", function () {
  it("test_jobValue_roundsDownLikeJobMath", function () {
    expect(jobValue(1n, 8n, 365n * 86_400n)).to.equal(70_080n);
    expect(jobValue(1n, 1n, 1_799n)).to.equal(0n);
  });

  it("test_grlToUsd_valuesAtThePriceRoundingDown", function () {
    expect(grlToUsd(3n * WAD, PRICE)).to.equal((3n * WAD) / 2n);
    expect(grlToUsd(1n, PRICE)).to.equal(0n);
  });

  it("test_median_oddEvenAndEmpty", function () {
    expect(median([3n, -1n, 2n])).to.equal(2n);
    expect(median([4n, 1n, 2n, 3n])).to.equal(2n);
    expect(median([])).to.equal(undefined);
  });

  it("test_observe_settledJob_paysTheProviderNetOfFee_chargesTheRenterGross", function () {
    const books = auction();
    books.observe(
      [
        ev("PaymentClaimed", { jobId: 1n, provider: ALICE, gross: 10n * USDC_UNIT, fee: 250_000n }),
        ev("JobSettled", {
          jobId: 1n,
          provider: ALICE,
          finalGross: 54n * USDC_UNIT,
          fee: 1_350_000n,
          bondToProvider: 0n,
        }),
      ],
      PRICE,
    );
    const alice = books.account(ALICE);
    expect(alice.incomeUsd).to.equal((64n * WAD * 975n) / 1_000n);
    expect(alice.feesUsd).to.equal((16n * WAD) / 10n);
    expect(books.account(RENTER).paidUsd).to.equal(64n * WAD);
    expect(books.job(1n)!.settled).to.equal(true);
  });

  it("test_observe_creditJob_keepsItsEighteenDecimals", function () {
    const books = new Books({ usdc: USDC, usdcDecimals: 6 });
    books.observe(
      [
        created(2n, CREDITS),
        ev("JobSettled", { jobId: 2n, provider: BOB, finalGross: 10n * WAD, fee: WAD / 4n, bondToProvider: 0n }),
      ],
      PRICE,
    );
    expect(books.account(BOB).incomeUsd).to.equal((39n * WAD) / 4n);
  });

  it("test_observe_emissionAndSlash_valuedAtTheirPrices", function () {
    const books = new Books({ usdc: USDC, usdcDecimals: 6 });
    books.observe(
      [
        ev("GpuSecondsRecorded", { epoch: 3n, provider: ALICE, gpuSeconds: 100n, feesUsd: WAD }),
        // Capped: a 10 GRL share, 2 GRL minted ($1 at $0.50).
        ev("EmissionClaimed", {
          epoch: 3n,
          provider: ALICE,
          amount: 2n * WAD,
          share: 10n * WAD,
          feesUsd: WAD,
          grlUsdPrice: PRICE,
        }),
        ev("ProviderSlashed", { provider: ALICE, recipient: RENTER, toRecipient: 4n * WAD, burned: 6n * WAD }),
        ev("ProviderSlashed", { provider: SYBIL, recipient: ZERO, toRecipient: 0n, burned: 50n * WAD }),
      ],
      WAD,
    );
    const alice = books.account(ALICE);
    expect([alice.emissionUsd, alice.shareUsd, alice.stakeLostUsd]).to.deep.equal([WAD, 5n * WAD, 10n * WAD]);
    expect([...alice.epochsRecorded, ...alice.epochsClaimed]).to.deep.equal([3n, 3n]);
    expect(books.providerProfitUsd([ALICE])).to.equal(-9n * WAD);
    expect(books.account(RENTER).slashReceivedUsd).to.equal(4n * WAD);
    expect(books.account(SYBIL).stakeLostGrl).to.equal(50n * WAD);
  });

  it("test_secondPriceWithout_isTheSecondOtherRevealOrTheReserve", function () {
    const job = auction().job(1n)!;
    // Without the sybil: alice $1.50, bob $1.80 -> $1.80.
    expect(secondPriceWithout(job, new Set([SYBIL.toLowerCase()]))).to.equal((18n * USDC_UNIT) / 10n);
    // Alone, alice would have cleared at the reserve; nobody, at nothing.
    expect(secondPriceWithout(job, new Set([SYBIL, BOB].map((a) => a.toLowerCase())))).to.equal(2n * USDC_UNIT);
    expect(secondPriceWithout(job, new Set([SYBIL, BOB, ALICE].map((a) => a.toLowerCase())))).to.equal(undefined);
  });

  it("test_vickreySpreadUsd_isTheValueAboveTheWinnersOwnBid", function () {
    // $64 at $1.60 against alice's $60 at $1.50.
    expect(vickreySpreadUsd(auction().job(1n)!)).to.equal(4n * WAD);
  });

  it("test_observeRevert_countsByError", function () {
    const books = new Books({ usdc: USDC, usdcDecimals: 6 });
    books.observeRevert(BOB, "MarketBidCapReached");
    books.observeRevert(BOB.toUpperCase().replace("0X", "0x"), "MarketBidCapReached");
    expect(books.account(BOB).reverts.get("MarketBidCapReached")).to.equal(2);
  });
});
