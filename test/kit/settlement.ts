import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import { deployMarket, GRL_USD_ANSWER, type MarketFixture, SPREAD_BPS } from "./market.ts";
import { GRL, INITIAL_SUPPLY } from "./protocol.ts";

type Ethers = NetworkConnection["ethers"];
type NetworkHelpers = NetworkConnection["networkHelpers"];

// ------------------------------------------------------------------------------------------------
// Units and the burn-mint arithmetic, restated independently of BmeMath
// ------------------------------------------------------------------------------------------------

/** One dollar of credits or earnings (18 decimals). */
export const USD = 10n ** 18n;
export const WAD = 10n ** 18n;
export const BPS = 10_000n;
/** The feed has 8 decimals; the oracle scales answers to 18. */
export const FEED_TO_WAD = 10n ** 10n;

/** GRL/USD with 18 decimals for an 8-decimals feed answer. */
export function price18(answer: bigint): bigint {
  return answer * FEED_TO_WAD;
}

/** The fixture's price: $0.50. */
export const PRICE = price18(GRL_USD_ANSWER);

/** floor(grl x price / 1e18): the burned GRL's USD value before the spread. */
export function usdValue(grl: bigint, price: bigint): bigint {
  return (grl * price) / WAD;
}

/** floor(grl x price x (10000 - spread) / (1e18 x 10000)): credits bought, one rounding. */
export function creditsFor(grl: bigint, price: bigint, spreadBps: bigint = SPREAD_BPS): bigint {
  return (grl * price * (BPS - spreadBps)) / (WAD * BPS);
}

/** The least GRL that buys at least `usd` credits (rounded up). */
export function grlForCredits(usd: bigint, price: bigint = PRICE, spreadBps: bigint = SPREAD_BPS): bigint {
  const denominator = price * (BPS - spreadBps);
  return (usd * WAD * BPS + denominator - 1n) / denominator;
}

/** floor(usd x 1e18 / price): GRL owed for `usd` earnings. */
export function grlFor(usd: bigint, price: bigint): bigint {
  return (usd * WAD) / price;
}

/** floor(budget x share / total), 0 when total is 0. */
export function proRata(budget: bigint, share: bigint, total: bigint): bigint {
  return total === 0n ? 0n : (budget * share) / total;
}

/** ISettlement.Parameter enum values. */
export const Parameter = { SpreadBps: 0n, MintCapPerEpoch: 1n, EmissionBudgetPerEpoch: 2n, EpochLength: 3n } as const;

/** Settlement hard bounds (restated from the contract's constants). */
export const MAX_SPREAD_BPS = 500n;
export const MIN_MINT_CAP_PER_EPOCH = GRL;
export const MAX_MINT_CAP_PER_EPOCH = 10n ** 27n;
export const MAX_EMISSION_BUDGET_PER_EPOCH = 10n ** 26n;

/** GRL each fixture renter receives from the treasury (approved to the settlement). */
export const RENTER_GRL = 1_000_000n * GRL;
/** GRL the buyer holds, with no allowance to the settlement. */
export const BUYER_GRL = 10_000n * GRL;

// ------------------------------------------------------------------------------------------------
// Fixture
// ------------------------------------------------------------------------------------------------

export interface SettlementFixture extends MarketFixture {
  settlementAddress: string;
  /** Holds BUYER_GRL and no allowance to the settlement (for permits and allowance failures). */
  buyer: HardhatEthersSigner;
  /** An EOA that tests grant MARKET_ROLE to, to drive the market hooks directly. */
  marketEoa: HardhatEthersSigner;
  /** An EOA that tests grant GUARDIAN_ROLE to. */
  guardian: HardhatEthersSigner;
  /** Holds nothing; a third-party recipient or caller. */
  dave: HardhatEthersSigner;
}

/**
 * deployMarket plus GRL for the renters (RENTER_GRL each from the treasury, which holds the genesis
 * supply, approved to the settlement) and for the buyer (BUYER_GRL, not approved).
 */
export async function deploySettlement(ethers: Ethers): Promise<SettlementFixture> {
  const f = await deployMarket(ethers);
  const [buyer, marketEoa, guardian, dave] = (await ethers.getSigners()).slice(10, 14);
  const settlementAddress = await f.settlement.getAddress();
  for (const r of [f.renter, f.renter2]) {
    await f.token.connect(f.treasury).transfer(r.address, RENTER_GRL);
    await f.token.connect(r).approve(settlementAddress, ethers.MaxUint256);
  }
  await f.token.connect(f.treasury).transfer(buyer.address, BUYER_GRL);
  return { ...f, settlementAddress, buyer, marketEoa, guardian, dave };
}

/** Gives the fixture's marketEoa MARKET_ROLE on the settlement (granted by the admin). */
export async function grantMarketRole(f: SettlementFixture): Promise<void> {
  await f.settlement.connect(f.admin).grantRole(await f.settlement.MARKET_ROLE(), f.marketEoa.address);
}

/** Gives the fixture's guardian GUARDIAN_ROLE on the settlement (granted by the admin). */
export async function grantGuardian(f: SettlementFixture): Promise<void> {
  await f.settlement.connect(f.admin).grantRole(await f.settlement.GUARDIAN_ROLE(), f.guardian.address);
}

/** Publishes a fresh feed answer (8 decimals); also what keeps the oracle within its heartbeat. */
export async function setAnswer(f: SettlementFixture, answer: bigint): Promise<void> {
  await (await f.feed.setAnswer(answer)).wait();
}

/** Buys credits for `account` with `grl` of `buyer`'s GRL (default: the renter for itself). Returns the credits. */
export async function buyCredits(
  f: SettlementFixture,
  grl: bigint,
  buyer: HardhatEthersSigner = f.renter,
  account: string = buyer.address,
): Promise<bigint> {
  const before = await f.settlement.creditsOf(account);
  await (await f.settlement.connect(buyer).buyCredits(account, grl, 0n)).wait();
  return (await f.settlement.creditsOf(account)) - before;
}

/**
 * A mint floor of 1e-9 USD per GRL: earnings accrued at it get a GRL cap (usd x 1e9) that never binds,
 * for tests of the mint mechanics rather than of the cost basis.
 */
export const NO_CAP_FLOOR = 1n;

/** Mint floors are in units of 1e-9 USD per GRL. */
export const FLOOR_UNIT = 10n ** 9n;

/** The GRL cap of `usd` earnings accrued at NO_CAP_FLOOR: usd x 1e9. */
export function noCap(usd: bigint): bigint {
  return usd * FLOOR_UNIT;
}

/** The "infinite" floor of credits with no GRL behind them. */
export const UNBACKED_FLOOR = 2n ** 64n - 1n;

/** The basis a purchase adds: floor(grl x (10000 - spread) / 10000), the GRL burned less the spread. */
export function basisFor(grl: bigint, spreadBps: bigint = SPREAD_BPS): bigint {
  return (grl * (BPS - spreadBps)) / BPS;
}

/** ceil(usd x 1e9 / basis): the mint floor of `usd` credits backed by `basis` GRL (UNBACKED_FLOOR if 0). */
export function floorOf(usd: bigint, basis: bigint): bigint {
  if (basis === 0n) return UNBACKED_FLOOR;
  const floor = (usd * FLOOR_UNIT + basis - 1n) / basis;
  return floor < UNBACKED_FLOOR ? floor : UNBACKED_FLOOR;
}

/** floor(usd x 1e9 / floor): GRL worth `usd` at a mint floor (0 at UNBACKED_FLOOR). */
export function grlAtFloor(usd: bigint, floor: bigint): bigint {
  return floor === UNBACKED_FLOOR ? 0n : (usd * FLOOR_UNIT) / floor;
}

/**
 * Drives the market hooks from marketEoa (which must hold MARKET_ROLE): the renter buys enough credits
 * at the current price, they are escrowed, and each [account, usd] is accrued as earnings at mint floor
 * `floor` (default NO_CAP_FLOOR, so the GRL cap never binds).
 */
export async function accrueEarnings(
  f: SettlementFixture,
  payouts: [{ address: string }, bigint][],
  floor: bigint = NO_CAP_FLOOR,
): Promise<void> {
  const total = payouts.reduce((sum, [, usd]) => sum + usd, 0n);
  const price = await f.oracle.grlUsdPrice();
  const spread = await f.settlement.spreadBps();
  await buyCredits(f, grlForCredits(total, price, spread));
  await (await f.settlement.connect(f.marketEoa).spendCredits(f.renter.address, total)).wait();
  for (const [account, usd] of payouts) {
    await (await f.settlement.connect(f.marketEoa).accrueEarnings(account.address, usd, floor)).wait();
  }
}

/** Moves time to the start of epoch `epoch` (mines a block there). */
export async function toEpoch(f: SettlementFixture, networkHelpers: NetworkHelpers, epoch: bigint): Promise<void> {
  await networkHelpers.time.increaseTo(await f.settlement.epochStart(epoch));
}

// ------------------------------------------------------------------------------------------------
// Assertions
// ------------------------------------------------------------------------------------------------

/**
 * The settlement's books: credits held (over `accounts`) equal credits outstanding (bought - spent +
 * refunded); escrow equals spent - refunded - accrued; earnings not withdrawn (over `accounts`) equal
 * accrued - withdrawn; custody holds exactly the queue head less what tickets claimed; GRL's supply is
 * the genesis supply plus mints less burns; every mint is the settlement's (earnings or emissions), and the
 * settlement's burns are among GRL's (the registry also burns slashed stake).
 */
export async function expectBooks(f: SettlementFixture, accounts: { address: string }[]): Promise<void> {
  const s = f.settlement;
  const [bought, spent, refunded, accrued, withdrawn, escrowed, outstanding] = await Promise.all([
    s.totalCreditsBought(),
    s.totalCreditsSpent(),
    s.totalCreditsRefunded(),
    s.totalEarningsAccrued(),
    s.totalEarningsWithdrawn(),
    s.creditsEscrowed(),
    s.creditsOutstanding(),
  ]);
  expect(outstanding).to.equal(bought - spent + refunded);
  expect(escrowed).to.equal(spent - refunded - accrued);
  let credits = 0n;
  let earnings = 0n;
  for (const a of accounts) {
    credits += await s.creditsOf(a.address);
    earnings += await s.earningsOf(a.address);
  }
  expect(credits).to.equal(outstanding);
  expect(earnings).to.equal(accrued - withdrawn);

  let claimed = 0n;
  const tickets = await s.ticketCount();
  for (let id = 1n; id <= tickets; id++) claimed += (await s.ticketOf(id)).claimed;
  const [head] = await s.mintQueue();
  expect(await f.token.balanceOf(f.settlementAddress)).to.equal(head - claimed);

  const [supply, minted, burned] = await Promise.all([
    f.token.totalSupply(),
    f.token.totalMinted(),
    f.token.totalBurned(),
  ]);
  expect(supply).to.equal(INITIAL_SUPPLY + minted - burned);
  expect(minted).to.equal((await s.totalGrlMintedForEarnings()) + (await s.totalEmissionsMinted()));
  expect(await s.totalGrlBurned()).to.be.at.most(burned);
}

/** Every signer of the fixture that can hold credits or earnings. */
export function allAccounts(f: SettlementFixture): { address: string }[] {
  return [
    f.renter,
    f.renter2,
    f.alice,
    f.bob,
    f.carol,
    f.treasury,
    f.admin,
    f.outsider,
    f.arbiter,
    f.buyer,
    f.marketEoa,
    f.guardian,
    f.dave,
  ];
}

// ------------------------------------------------------------------------------------------------
// The mint queue scenario shared by the queue tests
// ------------------------------------------------------------------------------------------------

/** The mint cap of the queue scenario: 10 GRL per epoch. */
export const QUEUE_CAP = 10n * GRL;

/**
 * Builds a queue in epoch 0 at $0.50 with a 10 GRL cap: alice and bob each earned $10 (20 GRL) and
 * withdrew, alice first. Alice got 10 GRL at once and ticket 1 for 10 GRL at [0, 10); bob got nothing at
 * once and ticket 2 for 20 GRL at [10, 30). The queue is (head 0, tail 30) and epoch 0's cap is used up.
 * Needs marketEoa to hold MARKET_ROLE.
 */
export async function buildQueue(f: SettlementFixture): Promise<void> {
  await (await f.settlement.connect(f.admin).setMintCapPerEpoch(QUEUE_CAP)).wait();
  await accrueEarnings(f, [
    [f.alice, 10n * USD],
    [f.bob, 10n * USD],
  ]);
  await (await f.settlement.connect(f.alice).withdrawEarnings(f.alice.address)).wait();
  await (await f.settlement.connect(f.bob).withdrawEarnings(f.bob.address)).wait();
}

/** loadFixture functions for the settlement tests (each built once per connection: loadFixture keys on identity). */
export interface SettlementFixtures {
  /** deploySettlement. */
  fixture(): Promise<SettlementFixture>;
  /** deploySettlement with MARKET_ROLE for the fixture's marketEoa, to drive the market hooks directly. */
  marketRoleFixture(): Promise<SettlementFixture>;
}

/** The settlement fixtures of one network connection. */
export function settlementFixtures(ethers: Ethers): SettlementFixtures {
  return {
    async fixture() {
      return deploySettlement(ethers);
    },
    async marketRoleFixture() {
      const f = await deploySettlement(ethers);
      await grantMarketRole(f);
      return f;
    },
  };
}

/** `earner` withdraws all its earnings to itself. */
export function withdrawOwnEarnings(
  f: SettlementFixture,
  earner: HardhatEthersSigner,
): ReturnType<SettlementFixture["settlement"]["withdrawEarnings"]> {
  return f.settlement.connect(earner).withdrawEarnings(earner.address);
}

/**
 * Expects `tx` to withdraw `usd` of `account`'s earnings to `account` itself as `grl` GRL at `price`, all of
 * it minted at once in `epoch` (no mint ticket, nothing queued), spending the account's `grlCap`.
 */
export async function expectWithdrawnAtOnce(
  f: SettlementFixture,
  tx: Promise<unknown>,
  account: string,
  usd: bigint,
  grl: bigint,
  price: bigint,
  epoch: bigint,
  grlCap: bigint,
): Promise<void> {
  await expect(tx)
    .to.emit(f.settlement, "EarningsWithdrawn")
    .withArgs(account, account, usd, grl, price, grl, 0n, 0n, epoch, grlCap);
}
