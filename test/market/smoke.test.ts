import { expect } from "chai";
import { network } from "hardhat";

import { marketFixtures } from "../kit/fixtures.ts";
import { awardedJob } from "../kit/jobs.ts";
import { JobState, USDC } from "../kit/market.ts";

const { ethers, networkHelpers } = await network.create();
const { marketFixture: fixture } = marketFixtures({ ethers, networkHelpers });

describe("JobMarket smoke", function () {
  it("test_fixture_awardsAJob", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const jobId = await awardedJob(f, networkHelpers, [
      [f.alice, (15n * USDC) / 10n],
      [f.bob, (17n * USDC) / 10n],
    ]);
    const job = await f.market.jobOf(jobId);
    expect(job.state).to.equal(JobState.Awarded);
    expect(job.provider).to.equal(f.alice.address);
    expect(job.clearingPrice).to.equal((15n * USDC) / 10n);
  });
});
