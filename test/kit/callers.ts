// The checks every job entry point has on who may call it: one `it` per caller that must be refused, and
// one for a job id that does not exist. Each test keeps its own name, so a failure still names the case.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";

import type { JobMarket } from "../../types/ethers-contracts/index.ts";
import type { MarketFixture } from "./market.ts";

/** Calls the entry point under test on `jobId` through `market` (already connected to the caller). */
export type JobCall = (market: JobMarket, jobId: bigint) => Promise<unknown>;

/**
 * One test per entry of `callers` (test name -> the fixture's signer): `call` by that signer on the
 * fixture's job reverts with `error(jobId, caller)`.
 */
export function itRevertsForCallers<F extends MarketFixture & { jobId: bigint }>(
  loadFixture: () => Promise<F>,
  error: "MarketNotProvider" | "MarketNotRenter",
  callers: Record<string, (f: F) => HardhatEthersSigner>,
  call: JobCall,
): void {
  for (const [test, callerOf] of Object.entries(callers)) {
    it(test, async function () {
      const f = await loadFixture();
      const caller = callerOf(f);
      await expect(call(f.market.connect(caller), f.jobId))
        .to.be.revertedWithCustomError(f.market, error)
        .withArgs(f.jobId, caller.address);
    });
  }
}

/** A test named `test`: `call` by the fixture's `callerOf(f)` on job `unknownId` reverts with MarketUnknownJob. */
export function itRevertsForUnknownJob<F extends MarketFixture>(
  test: string,
  loadFixture: () => Promise<F>,
  callerOf: (f: F) => HardhatEthersSigner,
  unknownId: bigint,
  call: JobCall,
): void {
  it(test, async function () {
    const f = await loadFixture();
    await expect(call(f.market.connect(callerOf(f)), unknownId))
      .to.be.revertedWithCustomError(f.market, "MarketUnknownJob")
      .withArgs(unknownId);
  });
}
