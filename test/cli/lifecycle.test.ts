import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { AbiCoder, keccak256, parseEther, parseUnits } from "ethers";

import {
  JobMarket__factory,
  MockStablecoin__factory,
  Settlement__factory,
  GridleaseToken__factory,
} from "../../types/ethers-contracts/index.ts";
import {
  address,
  advance,
  cli,
  fundGrl,
  KEYS,
  localChain,
  ok,
  refreshFeed,
  createJobArgs,
  SPEC_HASH,
  type LocalChain,
} from "../kit/cli.ts";

const PROVIDER = 1;
const RENTER = 3;
const TREASURY = 0;
const HOUR = 3600;
const DAY = 24 * HOUR;

describe("CLI: a provider and a renter run jobs from the terminal", function () {
  this.timeout(240_000);
  let chain: LocalChain;
  const providerKey = KEYS[PROVIDER];
  const renterKey = KEYS[RENTER];

  const contracts = () => ({
    market: JobMarket__factory.connect(chain.addresses.JobMarket, chain.provider),
    usdc: MockStablecoin__factory.connect(chain.addresses.MockStablecoin, chain.provider),
    settlement: Settlement__factory.connect(chain.addresses.Settlement, chain.provider),
    token: GridleaseToken__factory.connect(chain.addresses.GridleaseToken, chain.provider),
  });

  before(async function () {
    chain = await localChain();
    await refreshFeed(chain);
    await fundGrl(chain, "10000", [PROVIDER, RENTER]);
  });

  describe("onboarding and a first-price auction paid in USDC (--json)", function () {
    let jobId: string;
    let treasuryLedgerBefore: bigint;

    it("test_providerRegister_registersOffline", async function () {
      const body = await ok(
        chain,
        ["provider", "register", "--region", "276", "--metadata-uri", "ipfs://rack-1"],
        providerKey,
      );
      expect(body.command).to.equal("provider register");
      expect(body.provider).to.equal(address(PROVIDER));
      expect(body.region).to.equal(276);
      expect(body.transactions).to.have.length(1);
      const state = await chain.provider.getTransactionReceipt(body.transactions[0].hash);
      expect(state?.status).to.equal(1);
    });

    it("test_providerStake_approvesThenStakes", async function () {
      const body = await ok(chain, ["provider", "stake", "5000"], providerKey);
      expect(body.transactions.map((t: { step: string }) => t.step)).to.deep.equal(["approve GRL", "stake"]);
      expect(body.freeStake).to.equal("5000.0");
    });

    it("test_providerGpuSet_catalogueDefaults", async function () {
      const body = await ok(chain, ["provider", "gpu", "set", "h100", "--count", "4"], providerKey);
      expect(body).to.include({ model: "H100", count: 4, vramGb: 80, tflops: "989.5", listedGpus: 4 });
    });

    it("test_providerOnline_goesOnline", async function () {
      const body = await ok(chain, ["provider", "online"], providerKey);
      expect(body.online).to.equal(true);
    });

    it("test_renterCreateJob_escrowsTheBudgetInUsdc", async function () {
      const { market, usdc } = contracts();
      await ok(chain, ["renter", "faucet", "1000"], renterKey);
      const before = await usdc.balanceOf(chain.addresses.JobMarket);
      const body = await ok(
        chain,
        createJobArgs("3", "1.80", ["--count", "2", "--bid-window", "5m", "--reveal-window", "5m"]),
        renterKey,
      );
      jobId = body.jobId;
      // Budget: $1.80 x 2 GPUs x 3 h.
      expect(body.budget).to.equal("10.8");
      expect(body.job).to.include({
        state: "Bidding",
        pricingRule: "first",
        gpuModel: "H100",
        gpuCount: 2,
        minVramGb: 80,
        reservePricePerGpuHour: "1.8",
      });
      expect(body).to.include({ specHash: SPEC_HASH, specFile: null });
      expect(body.job.specHash).to.equal(SPEC_HASH);
      expect(body.transactions.map((t: { step: string }) => t.step)).to.deep.equal(["approve USDC", "create job"]);
      expect((await usdc.balanceOf(chain.addresses.JobMarket)) - before).to.equal(parseUnits("10.8", 6));
      expect((await market.jobOf(jobId)).renter).to.equal(address(RENTER));
    });

    it("test_providerBid_commitsWithASavedSalt", async function () {
      const { market } = contracts();
      const body = await ok(chain, ["provider", "bid", jobId, "1.45"], providerKey);
      const saved = JSON.parse(readFileSync(join(chain.home, "bids.json"), "utf8")) as Record<
        string,
        { jobId: string; price: string; salt: string }
      >;
      const bid = Object.values(saved).find((b) => b.jobId === jobId);
      expect(bid?.price).to.equal("1450000");
      const expected = keccak256(
        AbiCoder.defaultAbiCoder().encode(
          ["uint256", "address", "uint96", "bytes32", "uint256", "address", "bytes32"],
          [BigInt(jobId), address(PROVIDER), 1_450_000n, bid?.salt, 31337n, chain.addresses.JobMarket, SPEC_HASH],
        ),
      );
      expect(body.commitment).to.equal(expected);
      expect(await market.bidCommitment(jobId, address(PROVIDER), 1_450_000n, bid?.salt as string)).to.equal(expected);
      // The market keeps the commitment's low 248 bits.
      expect((await market.bidOf(jobId, address(PROVIDER))).commitment).to.equal("0x00" + expected.slice(4));
    });

    it("test_providerReveal_tooEarlyIsExplained", async function () {
      const run = await cli(chain, ["provider", "reveal", jobId, "--json"], { key: providerKey });
      // Refused by the contract's gas estimation: nothing was sent (exit status 2).
      expect(run.code).to.equal(2);
      const { error } = JSON.parse(run.stdout);
      expect(error.contractError.name).to.equal("MarketTooEarly");
      expect(error.message).to.match(
        new RegExp(
          `^Too early for this action on job #${jobId}: it opens at .+\\. Try again then\\. Nothing was sent\\.$`,
        ),
      );
    });

    it("test_providerReveal_fromTheSaltFile", async function () {
      await advance(chain, 5 * 60);
      const body = await ok(chain, ["provider", "reveal", jobId], providerKey);
      expect(body).to.include({ pricePerGpuHour: "1.45", isBest: true });
      const { market } = contracts();
      expect((await market.jobOf(jobId)).bestPrice).to.equal(1_450_000n);
    });

    it("test_renterAward_closesTheAuctionAtTheBestBid", async function () {
      await advance(chain, 5 * 60);
      const body = await ok(chain, ["renter", "award", jobId], renterKey);
      expect(body.job).to.include({ state: "Awarded", provider: address(PROVIDER), clearingPrice: "1.45" });
      // Escrow shrinks to the value at the clearing price: $1.45 x 2 x 3 h.
      expect(body.job.escrow).to.equal("8.7");
    });

    it("test_providerStart_startsTheJob", async function () {
      const body = await ok(chain, ["provider", "start", jobId], providerKey);
      expect(body.startedAt).to.be.a("number");
      expect(body.deliverBy).to.equal(body.startedAt + 3 * HOUR + HOUR);
    });

    it("test_providerClaim_releasesAccruedPayLessTheFee", async function () {
      const { market, usdc } = contracts();
      treasuryLedgerBefore = await market.balanceOf(await usdc.getAddress(), address(TREASURY));
      await advance(chain, HOUR);
      const body = await ok(chain, ["provider", "claim", jobId], providerKey);
      const gross = parseUnits(body.gross, 6);
      expect(gross).to.equal((await market.jobOf(jobId)).claimed);
      expect(parseUnits(body.fee, 6)).to.equal((gross * 250n) / 10_000n);
      expect(parseUnits(body.net, 6)).to.equal(gross - (gross * 250n) / 10_000n);
    });

    it("test_providerDeliver_hashesTheResultFile", async function () {
      const file = join(chain.home, "result.bin");
      writeFileSync(file, "checkpoint-000123");
      const body = await ok(
        chain,
        ["provider", "deliver", jobId, "--uri", "ipfs://result-123", "--file", file],
        providerKey,
      );
      expect(body.resultHash).to.equal(keccak256(Buffer.from("checkpoint-000123")));
      expect(await contracts().market.stateOf(jobId)).to.equal(5n);
    });

    it("test_providerSettle_duringTheChallengeWindowIsExplained", async function () {
      const run = await cli(chain, ["renter", "settle", jobId], { key: providerKey });
      expect(run.code).to.equal(2);
      // "in" counts from the next block's time, a second or two after the delivery's block.
      expect(run.stderr).to.match(
        new RegExp(
          `^error: Too early for this action on job #${jobId}: it opens at .+ \\(in (1d|23h 59m \\d+s)\\)\\. Try again then\\. Nothing was sent\\.\\n$`,
        ),
      );
    });

    it("test_renterSettle_duringTheChallengeWindowAcceptsTheResult", async function () {
      // The renter alone may waive its challenge window: settling at once accepts the delivered result.
      const body = await ok(chain, ["renter", "settle", jobId], renterKey);
      expect(body.job.state).to.equal("Settled");
      expect(body.job.claimed).to.equal("8.7");
      // The rest of this file runs a day on, as it did when the renter had to wait out the window.
      await advance(chain, DAY);
    });

    it("test_providerWithdraw_theJobValueLessFees", async function () {
      const { market, usdc } = contracts();
      const walletBefore = await usdc.balanceOf(address(PROVIDER));
      const body = await ok(chain, ["provider", "withdraw"], providerKey);
      const fees = (await market.balanceOf(await usdc.getAddress(), address(TREASURY))) - treasuryLedgerBefore;
      expect(body.ledger.symbol).to.equal("USDC");
      expect(parseUnits(body.ledger.amount, 6) + fees).to.equal(parseUnits("8.7", 6));
      expect(body.earnings).to.equal(null);
      expect((await usdc.balanceOf(address(PROVIDER))) - walletBefore).to.equal(parseUnits(body.ledger.amount, 6));
    });

    it("test_renterWithdraw_refundAboveTheClearingPrice", async function () {
      const body = await ok(chain, ["renter", "withdraw"], renterKey);
      // $10.80 escrowed at the reserve - $8.70 at the clearing price.
      expect(body).to.include({ withdrawn: "2.1", token: "USDC" });
    });

    it("test_renterStatus_json", async function () {
      const body = await ok(chain, ["renter", "status", jobId]);
      expect(body.job).to.include({
        jobId,
        state: "Settled",
        bestPrice: "1.45",
        clearingPrice: "1.45",
        bidCount: 1,
        revealCount: 1,
        escrow: "0",
      });
      expect(body.job.paymentToken).to.include({ kind: "usdc", symbol: "USDC", decimals: 6 });
      expect(body.job.specHash).to.equal(SPEC_HASH);
    });

    it("test_providerStatus_reputationAfterSuccess", async function () {
      const body = await ok(chain, ["provider", "status"], providerKey);
      // One settled $8.70 job: weight 870 bps of the $100 reference, 5000 + floor(5000 x 870 / 100000).
      expect(body).to.include({ registered: true, online: true, region: 276, reputation: 5043, listedGpus: 4 });
      expect(body.stake).to.include({ free: "5000.0", locked: "0.0" });
      expect(body.savedBids).to.deep.equal([]);
    });
  });

  describe("an instant job paid in credits (text output)", function () {
    let jobId: string;

    it("test_renterBuyCredits_staleOracleIsExplained", async function () {
      // The previous job moved the clock past the feed's one-day heartbeat.
      const run = await cli(chain, ["renter", "buy-credits", "100"], { key: renterKey });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(
        /^error: The GRL\/USD price is stale \(last updated .+, older than the 86400 s heartbeat\)/,
      );
    });

    it("test_renterBuyCredits_burnsGrlForCredits", async function () {
      await refreshFeed(chain);
      const { token, settlement } = contracts();
      const supplyBefore = await token.totalSupply();
      const run = await cli(chain, ["renter", "buy-credits", "100"], { key: renterKey });
      expect(run.code, run.stderr).to.equal(0);
      // 100 GRL x $0.50, less the 25 bps spread.
      expect(run.stdout).to.match(/^ {2}approve GRL: 0x[0-9a-f]{64} \(block \d+\)$/m);
      expect(run.stdout).to.contain("Burned 100 GRL for $49.875 of credits; credit balance $49.875.");
      expect(await settlement.creditsOf(address(RENTER))).to.equal(parseEther("49.875"));
      expect(supplyBefore - (await token.totalSupply())).to.equal(parseEther("100"));
    });

    it("test_renterCreateJob_instantInCredits", async function () {
      const run = await cli(chain, createJobArgs("2", "1.60", ["--rule", "instant", "--pay", "credits"]), {
        key: renterKey,
      });
      expect(run.code, run.stderr).to.equal(0);
      const match =
        /^Created job #(\d+): 1x H100 for 2h at up to \$1\.60 per GPU-hour; \$3\.20 of credits escrowed\.$/m.exec(
          run.stdout,
        );
      expect(match, run.stdout).to.not.equal(null);
      jobId = (match as RegExpExecArray)[1];
      expect(run.stdout).to.match(/^ {2}pricing +instant$/m);
      expect(run.stdout).to.match(/^ {2}next +an eligible provider may accept until /m);
    });

    it("test_providerAccept_atTheRentersPrice", async function () {
      const run = await cli(chain, ["provider", "accept", jobId], { key: providerKey });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`Accepted job #${jobId} at $1.60 per GPU-hour; start it before`);
    });

    it("test_providerStart_text", async function () {
      const run = await cli(chain, ["provider", "start", jobId], { key: providerKey });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`Started job #${jobId}; deliver before`);
    });

    it("test_renterStop_paysAccruedAndRefundsTheRest", async function () {
      const { market, settlement } = contracts();
      await advance(chain, HOUR);
      const run = await cli(chain, ["renter", "stop", jobId], { key: renterKey });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(
        /^ {2}state +Stopped \(stopped early by the renter; recorded on chain as Cancelled\)$/m,
      );
      const [stopped] = await market.queryFilter(market.filters.JobStopped(BigInt(jobId)));
      const { providerGross, fee, refund } = stopped.args;
      expect(providerGross + refund).to.equal(parseEther("3.2"));
      expect(await settlement.earningsOf(address(PROVIDER))).to.equal(providerGross - fee);
      expect(await settlement.creditsOf(address(RENTER))).to.equal(parseEther("49.875") - parseEther("3.2") + refund);
    });

    it("test_providerWithdraw_earningsMintedAsGrl", async function () {
      const { settlement, token } = contracts();
      const earnings = await settlement.earningsOf(address(PROVIDER));
      const before = await token.balanceOf(address(PROVIDER));
      const run = await cli(chain, ["provider", "withdraw"], { key: providerKey });
      expect(run.code, run.stderr).to.equal(0);
      // Earnings in dollars, minted at $0.50 per GRL: twice as many GRL.
      const minted = (await token.balanceOf(address(PROVIDER))) - before;
      expect(minted).to.equal(earnings * 2n);
      expect(run.stdout).to.match(/^Withdrew \$[\d.]+ of earnings as [\d.]+ GRL \([\d.]+ GRL minted now\)\.$/m);
    });

    it("test_renterStatus_text", async function () {
      const run = await cli(chain, ["renter", "status", jobId]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(
        new RegExp(
          `^Job #${jobId}\\n {2}state +Stopped \\(stopped early by the renter; recorded on chain as Cancelled\\)\\n {2}pricing +instant\\n`,
        ),
      );
      expect(run.stdout).to.match(/^ {2}escrow +\$0\.00 of credits \(\$[\d.]+ of credits already paid out\)$/m);
      expect(run.stdout).to.match(new RegExp(`^ {2}spec hash +${SPEC_HASH}$`, "m"));
    });
  });

  describe("disputes and failures", function () {
    async function instantJob(): Promise<string> {
      const body = await ok(chain, createJobArgs("1", "1.50", ["--rule", "instant"]), renterKey);
      await ok(chain, ["provider", "accept", body.jobId], providerKey);
      return body.jobId as string;
    }

    it("test_providerAcceptStart_acceptsAndStartsInOneTransaction", async function () {
      await refreshFeed(chain);
      const body = await ok(chain, createJobArgs("1", "1.50", ["--rule", "instant"]), renterKey);
      const run = await cli(chain, ["provider", "accept", body.jobId, "--start"], { key: providerKey });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`Accepted and started job #${body.jobId} at $1.50 per GPU-hour; deliver before`);
      const json = await ok(chain, ["renter", "status", body.jobId], renterKey);
      expect(json.job.state).to.equal("Running");
      await ok(
        chain,
        ["provider", "deliver", body.jobId, "--uri", "ipfs://r", "--hash", `0x${"11".repeat(32)}`],
        providerKey,
      );
    });

    it("test_renterDispute_thenSettleAfterTheArbitersTimeout", async function () {
      await refreshFeed(chain);
      const jobId = await instantJob();
      await ok(chain, ["provider", "start", jobId], providerKey);
      await ok(
        chain,
        ["provider", "deliver", jobId, "--uri", "ipfs://r", "--hash", `0x${"11".repeat(32)}`],
        providerKey,
      );
      const disputed = await ok(
        chain,
        ["renter", "dispute", jobId, "--evidence-hash", `0x${"22".repeat(32)}`],
        renterKey,
      );
      // 5% of the $1.50 job value, rounded up.
      expect(disputed).to.include({ bond: "0.075", evidenceHash: `0x${"22".repeat(32)}` });
      expect(disputed.job.state).to.equal("Disputed");
      await advance(chain, 3 * DAY);
      const settled = await ok(chain, ["renter", "settle", jobId], renterKey);
      expect(settled.transactions[0].step).to.equal("settle after dispute timeout");
      expect(settled.job.state).to.equal("Settled");
    });

    it("test_renterDispute_creditJobBondsGrl_andWithdrawReturnsIt", async function () {
      await refreshFeed(chain);
      const { token } = contracts();
      const created = await ok(chain, createJobArgs("1", "1.50", ["--rule", "instant", "--pay", "credits"]), renterKey);
      await ok(chain, ["provider", "accept", created.jobId, "--start"], providerKey);
      await ok(
        chain,
        ["provider", "deliver", created.jobId, "--uri", "ipfs://r", "--hash", `0x${"11".repeat(32)}`],
        providerKey,
      );
      const grlBefore = await token.balanceOf(address(RENTER));
      const disputed = await ok(
        chain,
        ["renter", "dispute", created.jobId, "--evidence-hash", `0x${"33".repeat(32)}`],
        renterKey,
      );
      // 5% of the $1.50 value in GRL at the creation price of $0.50: 0.15 GRL, approved and bonded (no credits).
      expect(disputed).to.include({ bond: "0.15", bondToken: "GRL" });
      expect(disputed.transactions.map((t: { step: string }) => t.step)).to.deep.equal(["approve GRL", "dispute"]);
      expect(disputed.job).to.include({ state: "Disputed", disputeBond: "0.15", disputeBondToken: "GRL" });
      expect(grlBefore - (await token.balanceOf(address(RENTER)))).to.equal(parseEther("0.15"));
      await advance(chain, 3 * DAY);
      await ok(chain, ["renter", "settle", created.jobId], renterKey);
      const withdrawn = await ok(chain, ["renter", "withdraw"], renterKey);
      expect(withdrawn.withdrawals).to.deep.include({ token: await token.getAddress(), symbol: "GRL", amount: "0.15" });
      expect(await token.balanceOf(address(RENTER))).to.equal(grlBefore);
    });

    it("test_renterCreateJob_withPermitInOneTransaction", async function () {
      await refreshFeed(chain);
      const body = await ok(chain, createJobArgs("1", "1.50", ["--rule", "instant", "--permit"]), renterKey);
      expect(body.transactions.map((t: { step: string }) => t.step)).to.deep.equal(["create job with permit"]);
      expect(body.job.escrow).to.equal("1.5");
      await ok(chain, ["renter", "cancel", body.jobId], renterKey);
    });

    it("test_providerStake_withPermitInOneTransaction", async function () {
      const body = await ok(chain, ["provider", "stake", "100", "--permit"], providerKey);
      expect(body.transactions.map((t: { step: string }) => t.step)).to.deep.equal(["stake with permit"]);
      expect(body.staked).to.equal("100.0");
    });

    it("test_info_showsTheConnection", async function () {
      const run = await cli(chain, ["info"], { key: providerKey });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`RPC           ${chain.rpcUrl} (chain 31337)`);
      expect(run.stdout).to.contain(`account       ${address(PROVIDER)}`);
      expect(run.stdout).to.contain("GRL price     $0.50");
      expect(run.stdout).to.contain("min stake     200 GRL per listed GPU; unbonding 7d");
    });

    it("test_renterFail_aProviderThatDidNotStart", async function () {
      await refreshFeed(chain);
      const jobId = await instantJob();
      const early = await cli(chain, ["renter", "fail", jobId, "--json"], { key: renterKey });
      expect(early.code).to.equal(2);
      expect(JSON.parse(early.stdout).error.contractError.name).to.equal("MarketTooEarly");
      await advance(chain, HOUR);
      const failed = await ok(chain, ["renter", "fail", jobId], renterKey);
      expect(failed.job.state).to.equal("Failed");
    });
  });

  describe("an auction its leader starts before anyone awards it", function () {
    it("test_providerStart_awardsAndStartsAnAuctionItLeadsInOneTransaction", async function () {
      const { market } = contracts();
      await refreshFeed(chain); // a day has passed since the first job: the oracle prices the collateral
      const created = await ok(
        chain,
        createJobArgs("1", "1.80", ["--count", "2", "--bid-window", "5m", "--reveal-window", "5m"]),
        renterKey,
      );
      const id = created.jobId as string;
      await ok(chain, ["provider", "bid", id, "1.50"], providerKey);
      await advance(chain, 5 * 60);
      await ok(chain, ["provider", "reveal", id], providerKey);
      await advance(chain, 5 * 60);
      // Nobody awarded the auction: the leader's start closes it and starts the job.
      const body = await ok(chain, ["provider", "start", id], providerKey);
      expect(body).to.include({ awarded: true, pricePerGpuHour: "1.5" });
      expect(body.transactions.map((t: { step: string }) => t.step)).to.deep.equal(["award and start job"]);
      expect(body.deliverBy).to.equal(body.startedAt + HOUR + HOUR);
      const receipt = await chain.provider.getTransactionReceipt(body.transactions[0].hash);
      const names = receipt!.logs.map((l) => market.interface.parseLog(l)?.name).filter((n) => n !== undefined);
      expect(names).to.deep.equal(["JobAwarded", "JobStarted"]);
      expect(await market.stateOf(id)).to.equal(4n); // Running
      // The renter stops it, so the provider's GPUs are free for the next jobs.
      await ok(chain, ["renter", "stop", id], renterKey);
    });
  });
});
