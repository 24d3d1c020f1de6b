// Half-open time windows: a test that an entry point mined at one exact second is refused, with the
// error naming the window's deadline and the block's time.
import { expect } from "chai";
import type { NetworkConnection } from "hardhat/types/network";

import type { MarketFixture } from "./market.ts";

/**
 * A test named `test`: `call(f)` mined exactly at `at(f)` reverts with `error(jobId, deadline(f), at(f))`
 * (MarketTooEarly before a window opens, MarketWindowClosed once it has closed).
 */
export function itRevertsAt<F extends MarketFixture & { jobId: bigint }>(
  networkHelpers: NetworkConnection["networkHelpers"],
  test: string,
  fixture: () => Promise<F>,
  error: "MarketTooEarly" | "MarketWindowClosed",
  deadline: (f: F) => bigint,
  at: (f: F) => bigint,
  call: (f: F) => Promise<unknown>,
): void {
  it(test, async function () {
    const f = await networkHelpers.loadFixture(fixture);
    await networkHelpers.time.setNextBlockTimestamp(at(f));
    await expect(call(f)).to.be.revertedWithCustomError(f.market, error).withArgs(f.jobId, deadline(f), at(f));
  });
}
