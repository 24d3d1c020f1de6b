import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { encodeBytes32String, parseEther, parseUnits } from "ethers";

import {
  GridleaseToken__factory,
  JobMarket__factory,
  MockStablecoin__factory,
  ProviderRegistry__factory,
} from "../../types/ethers-contracts/index.ts";
import {
  address,
  advance,
  AgentProcess,
  fundGrl,
  KEYS,
  localChain,
  ok,
  refreshFeed,
  createJobArgs,
  wallet,
  type LocalChain,
} from "../kit/cli.ts";

const AGENT = 4;
const RENTER = 5;

describe("CLI: the provider agent", function () {
  this.timeout(180_000);
  let chain: LocalChain;
  let agent: AgentProcess | undefined;
  const renterKey = KEYS[RENTER];

  before(async function () {
    chain = await localChain();
    await refreshFeed(chain);
    await fundGrl(chain, "1000", [AGENT, RENTER]);
    // Onboard the agent's account directly: two H100s and 450 GRL of stake, enough for the 400 GRL minimum
    // and small jobs' bid bonds and collateral, not for a large job's collateral.
    const signer = wallet(chain, AGENT);
    const token = GridleaseToken__factory.connect(chain.addresses.GridleaseToken, signer);
    const registry = ProviderRegistry__factory.connect(chain.addresses.ProviderRegistry, signer);
    await (await registry.register("ipfs://agent", 0)).wait();
    await (await token.approve(chain.addresses.ProviderRegistry, parseEther("450"))).wait();
    await (await registry.stake(parseEther("450"))).wait();
    await (await registry.setGpuLine(encodeBytes32String("H100"), 2, 80, 98_950)).wait();
    await (await registry.setOnline(true)).wait();
    const usdc = MockStablecoin__factory.connect(chain.addresses.MockStablecoin, wallet(chain, RENTER));
    await (await usdc.mint(address(RENTER), parseUnits("5000", 6))).wait();
  });

  after(async function () {
    if (agent !== undefined && agent.child.exitCode === null) await agent.interrupt();
  });

  it("test_agent_startsWatchingFromTheLatestBlock", async function () {
    const policy = join(chain.home, "agent-policy.json");
    writeFileSync(
      policy,
      JSON.stringify({
        minPricePerGpuHour: { H100: "1.20" },
        marginBelowReserveBps: 1000,
        maxGpusPerJob: 4,
        pollIntervalMs: 200,
        maxFailuresPerJob: 1,
      }),
    );
    agent = new AgentProcess(chain, join(chain.home, "agent"), KEYS[AGENT], ["--config", policy]);
    const started = await agent.waitFor((e) => e.event === "agent_started", "agent_started");
    expect(started).to.include({ provider: address(AGENT) });
    expect(started.models).to.deep.equal(["H100"]);
  });

  it("test_agent_logsAFailedBidAndCarriesOn", async function () {
    // $2 x 500 h ($1,000 = 2,000 GRL at $0.50): 30% collateral is 600 GRL and the 10% bid bond 200 GRL, more
    // than the agent's free stake.
    const big = await ok(chain, createJobArgs("500", "2"), renterKey);
    const failed = await (agent as AgentProcess).waitFor(
      (e) => e.event === "action_failed" && e.jobId === big.jobId,
      "action_failed",
    );
    const error = failed.error as { code: string; message: string; contractError: { name: string } };
    expect(error.contractError.name).to.equal("RegistryLockExceedsFree");
    expect(error.message).to.match(
      /^This needs 800 GRL of free stake \(bid bond plus collateral\) but you have 450 GRL free: stake more/,
    );
    await (agent as AgentProcess).waitFor((e) => e.event === "job_dropped" && e.jobId === big.jobId, "job_dropped");
  });

  it("test_agent_skipsJobsOutsideItsPolicy", async function () {
    const cheap = await ok(chain, createJobArgs("1", "1.00"), renterKey);
    const skipped = await (agent as AgentProcess).waitFor(
      (e) => e.event === "job_skipped" && e.jobId === cheap.jobId,
      "job_skipped",
    );
    expect(skipped.reason).to.equal("its maximum price $1.00 is below the floor $1.20");
  });

  it("test_agent_acceptsAnInstantJobAtOrAboveItsFloorAndStartsIt", async function () {
    const market = JobMarket__factory.connect(chain.addresses.JobMarket, chain.provider);
    const job = await ok(chain, createJobArgs("1", "1.50", ["--rule", "instant"]), renterKey);
    const accepted = await (agent as AgentProcess).waitFor(
      (e) => e.event === "job_accepted" && e.jobId === job.jobId,
      "job_accepted",
    );
    expect(accepted.pricePerGpuHour).to.equal("1.5");
    await (agent as AgentProcess).waitFor((e) => e.event === "job_started" && e.jobId === job.jobId, "job_started");
    expect((await market.jobOf(job.jobId)).provider).to.equal(address(AGENT));
    expect(await market.stateOf(job.jobId)).to.equal(4n);
  });

  it("test_agent_bidsBelowTheReserveThenReveals", async function () {
    const market = JobMarket__factory.connect(chain.addresses.JobMarket, chain.provider);
    const job = await ok(chain, createJobArgs("1", "2.00"), renterKey);
    const committed = await (agent as AgentProcess).waitFor(
      (e) => e.event === "bid_committed" && e.jobId === job.jobId,
      "bid_committed",
    );
    // 10% below the $2.00 reserve.
    expect(committed.pricePerGpuHour).to.equal("1.8");
    expect((await market.bidOf(job.jobId, address(AGENT))).status).to.equal(1n);

    await advance(chain, 10 * 60);
    const revealed = await (agent as AgentProcess).waitFor(
      (e) => e.event === "bid_revealed" && e.jobId === job.jobId,
      "bid_revealed",
    );
    expect(revealed).to.include({ pricePerGpuHour: "1.8", isBest: true });
    expect((await market.jobOf(job.jobId)).bestPrice).to.equal(1_800_000n);

    await advance(chain, 10 * 60);
    const awardedEvent = await (agent as AgentProcess).waitFor(
      (e) => e.event === "job_awarded" && e.jobId === job.jobId,
      "job_awarded",
    );
    const startedEvent = await (agent as AgentProcess).waitFor(
      (e) => e.event === "job_started" && e.jobId === job.jobId,
      "job_started",
    );
    // autoStart: the agent closed the auction and started in one transaction (awardAndStart).
    expect(startedEvent.tx).to.equal(awardedEvent.tx);
    const awarded = await market.jobOf(job.jobId);
    expect(awarded.provider).to.equal(address(AGENT));
    expect(awarded.clearingPrice).to.equal(1_800_000n);
    expect(await market.stateOf(job.jobId)).to.equal(4n);
  });

  it("test_agent_stopsCleanlyOnSigint", async function () {
    const code = await (agent as AgentProcess).interrupt();
    expect(code).to.equal(0);
    expect((agent as AgentProcess).events.at(-1)).to.include({ event: "agent_stopped", provider: address(AGENT) });
  });
});
