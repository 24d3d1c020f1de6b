// Funding the fixture's actors beyond what deployMarket gives them (USDC for renters, GRL and stake for
// providers): GRL from the treasury, USD credits bought with it, and GRL for a credit job's dispute bond.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { MarketFixture } from "./market.ts";
import { GRL } from "./protocol.ts";

/** GRL a renter burns for credits in the credit fixtures: 1,000 GRL at $0.50, less the spread. */
export const CREDITS_GRL = 1_000n * GRL;

/** Gives `who` `grl` GRL from the treasury and burns it all for credits; returns the credits bought. */
export async function buyCreditsFor(f: MarketFixture, who: HardhatEthersSigner, grl: bigint): Promise<bigint> {
  const settlement = await f.settlement.getAddress();
  await (await f.token.connect(f.treasury).transfer(who.address, grl)).wait();
  await (await f.token.connect(who).approve(settlement, grl)).wait();
  const before = await f.settlement.creditsOf(who.address);
  await (await f.settlement.connect(who).buyCredits(who.address, grl, 0n)).wait();
  return (await f.settlement.creditsOf(who.address)) - before;
}

/**
 * Gives `who` `grl` GRL from the treasury, approved to the market: a credit job's dispute bond is GRL
 * (the collateral scaled to disputeBondBps), pulled from the renter when it disputes.
 */
export async function fundGrlBonds(f: MarketFixture, who: HardhatEthersSigner, grl: bigint): Promise<void> {
  await (await f.token.connect(f.treasury).transfer(who.address, grl)).wait();
  await (await f.token.connect(who).approve(await f.market.getAddress(), grl)).wait();
}
