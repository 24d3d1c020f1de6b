// The CLI and the agent in everyday use (the items of issue 19): timing on an idle chain, refusals before
// anything is sent, partial success, messages, finding jobs, the agent's preflight, and use from scripts.
// Each test runs the exact command a user types against a local chain.
// Accounts 10-13 of the test mnemonic (funded with ETH on every Hardhat node) are used only here.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import {
  encodeBytes32String,
  HDNodeWallet,
  keccak256,
  Mnemonic,
  parseEther,
  parseUnits,
  toUtf8Bytes,
  Wallet,
} from "ethers";

import { PROJECT_ROOT } from "../kit/project.ts";
import {
  GridleaseToken__factory,
  JobMarket__factory,
  MockStablecoin__factory,
  ProviderRegistry__factory,
  Settlement__factory,
} from "../../types/ethers-contracts/index.ts";
import {
  AgentProcess,
  type AgentEvent,
  cli,
  DEPLOYMENT_FOLDER,
  KEYS,
  localChain,
  ok,
  refreshFeed,
  createJobArgs,
  SPEC_HASH,
  wallet,
  type LocalChain,
} from "../kit/cli.ts";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
function derivedKey(index: number): string {
  return HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${index}`).privateKey;
}
const PROVIDER_KEY = derivedKey(10);
const RENTER_KEY = derivedKey(11);
const NEWCOMER_KEY = derivedKey(12);
const STRANGER_KEY = derivedKey(13);
const PROVIDER = new Wallet(PROVIDER_KEY).address;
const RENTER = new Wallet(RENTER_KEY).address;
const NEWCOMER = new Wallet(NEWCOMER_KEY).address;
const STRANGER = new Wallet(STRANGER_KEY).address;
const ARBITER_KEY = KEYS[0];
const DAY = 86_400;
const EVIDENCE = keccak256(toUtf8Bytes("evidence"));
const RESULT = keccak256(toUtf8Bytes("result"));

describe("CLI in everyday use (time, refusals, partial success, messages, finding things, preflight, scripts)", function () {
  this.timeout(240_000);
  let chain: LocalChain;
  let market: ReturnType<typeof JobMarket__factory.connect>;
  const signer = (key: string) => new Wallet(key, chain.provider);
  const nonce = (who: string) => chain.provider.getTransactionCount(who, "latest");

  /** `gridlease renter create-job ...` as the renter; returns the job id. */
  async function createJob(extra: string[] = [], hours = "1", maxPrice = "1.50"): Promise<string> {
    const body = await ok(chain, createJobArgs(hours, maxPrice, extra), RENTER_KEY);
    return String(body.jobId);
  }

  /** An instant job the provider accepted and started (directly on the market). */
  async function runningJob(extra: string[] = []): Promise<string> {
    const jobId = await createJob(["--rule", "instant", ...extra]);
    await (await market.connect(signer(PROVIDER_KEY)).acceptInstantAndStart(jobId)).wait();
    return jobId;
  }

  async function deliveredJob(extra: string[] = []): Promise<string> {
    const jobId = await runningJob(extra);
    await (await market.connect(signer(PROVIDER_KEY)).deliver(jobId, RESULT, "ipfs://result-of-" + jobId)).wait();
    return jobId;
  }

  before(async function () {
    chain = await localChain();
    market = JobMarket__factory.connect(chain.addresses.JobMarket, chain.provider);
    await refreshFeed(chain);
    const token = GridleaseToken__factory.connect(chain.addresses.GridleaseToken, wallet(chain, 0));
    for (const [who, grl] of [
      [PROVIDER, "3000"],
      [RENTER, "1000"],
      [NEWCOMER, "100"],
      [STRANGER, "50"],
    ] as const) {
      await (await token.transfer(who, parseEther(grl))).wait();
    }
    const p = signer(PROVIDER_KEY);
    const registry = ProviderRegistry__factory.connect(chain.addresses.ProviderRegistry, p);
    await (await registry.register("ipfs://issue19", 0)).wait();
    await (
      await GridleaseToken__factory.connect(chain.addresses.GridleaseToken, p).approve(
        chain.addresses.ProviderRegistry,
        parseEther("2000"),
      )
    ).wait();
    await (await registry.stake(parseEther("2000"))).wait();
    await (await registry.setGpuLine(encodeBytes32String("H100"), 4, 80, 98_950)).wait();
    await (await registry.setOnline(true)).wait();
    const usdc = MockStablecoin__factory.connect(chain.addresses.MockStablecoin, signer(RENTER_KEY));
    await (await usdc.mint(RENTER, parseUnits("10000", 6))).wait();
  });

  describe("item 11: scripts and requests no provider can fill", function () {
    it("test_renterCreateJob_pipedToHeadDoesNotCrashAfterCreating", async function () {
      const before = await market.jobCount();
      const command = `set -o pipefail; npx gridlease renter create-job --model H100 --count 1 --hours 1 --max-price 1.50 --spec-hash ${SPEC_HASH} | head -1`;
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env))
          if (!k.startsWith("HARDHAT_") && !k.startsWith("GRIDLEASE_") && k !== "NODE_OPTIONS") env[k] = v;
        const child = spawn("bash", ["-c", command], {
          cwd: PROJECT_ROOT,
          env: {
            ...env,
            GRIDLEASE_RPC_URL: chain.rpcUrl,
            GRIDLEASE_DEPLOYMENT: DEPLOYMENT_FOLDER,
            GRIDLEASE_HOME: chain.home,
            GRIDLEASE_PRIVATE_KEY: RENTER_KEY,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
      expect(await market.jobCount()).to.equal(before + 1n);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout.split("\n").filter((l) => l !== "")).to.have.length(1);
      expect(run.stderr).to.not.match(/EPIPE.*\n\s+at /);
      expect(run.stderr).to.match(
        /stdout was closed before all output was written \(EPIPE\); the command finished with exit status 0; sent: .*create job 0x[0-9a-f]{64}/,
      );
    });

    for (const [name, args, message] of [
      [
        "vram500OnH100",
        ["--vram", "500"],
        /^error: --vram 500 is more than a H100 has \(80 GB\): no provider can fill this job/,
      ],
      ["region999", ["--region", "999"], /^error: --region 999 is not an ISO 3166-1 numeric country code/],
      [
        "revealWindowOnInstant",
        ["--rule", "instant", "--reveal-window", "5m"],
        /^error: --reveal-window applies to auctions only/,
      ],
    ] as const) {
      it(`test_renterCreateJob_${name}_isRefusedBeforeSending`, async function () {
        const before = await nonce(RENTER);
        const run = await cli(chain, createJobArgs("1", "1.50", args), {
          key: RENTER_KEY,
        });
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(message);
        expect(await nonce(RENTER)).to.equal(before);
      });
    }

    it("test_providerUnbond_aboveTheAllowedAmountGivesTheMaximum", async function () {
      // 2000 GRL staked, 4 GPUs x 200 GRL must stay bonded: at most 1200 GRL can be unbonded.
      const before = await nonce(PROVIDER);
      const run = await cli(chain, ["provider", "unbond", "1500"], { key: PROVIDER_KEY });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(
        /^error: You can unbond at most 1200 GRL now: 800 GRL must stay bonded for your 4 listed GPUs/,
      );
      expect(run.stderr).to.contain("gridlease provider unbond 1200");
      expect(await nonce(PROVIDER)).to.equal(before);
    });
  });

  describe("item 5: messages", function () {
    it("test_providerStart_wrongWindowSaysWhenItOpens", async function () {
      const jobId = await createJob();
      const run = await cli(chain, ["provider", "start", jobId], { key: PROVIDER_KEY });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(
        new RegExp(
          `^error: Job #${jobId} is still taking bids: it can be awarded and started from \\S+ \\(in 19m \\d+s\\), when the reveal window closes`,
        ),
      );
    });

    it("test_renterStop_showsStoppedNotCancelled", async function () {
      const jobId = await runningJob();
      const run = await cli(chain, ["renter", "stop", jobId], { key: RENTER_KEY });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(
        /^ {2}state +Stopped \(stopped early by the renter; recorded on chain as Cancelled\)$/m,
      );
      const status = await ok(chain, ["renter", "status", jobId]);
      expect(status.job).to.include({ state: "Stopped", onChainState: "Cancelled" });
    });

    it("test_renterCreateJob_maxPriceTooLargeSaysTheLimit", async function () {
      const run = await cli(chain, createJobArgs("1", "100000000000000000000000"), {
        key: RENTER_KEY,
      });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        "error: --max-price is too large: at most $79228162514264337593543.950335 per GPU-hour in USDC.\n",
      );
    });

    it("test_renterCreateJob_creditsShownAsDollarsLikeBuyCredits", async function () {
      const buy = await cli(chain, ["renter", "buy-credits", "100"], { key: RENTER_KEY });
      expect(buy.stdout).to.match(/Burned 100 GRL for \$[\d.]+ of credits/);
      const run = await cli(chain, createJobArgs("2", "1.60", ["--pay", "credits"]), {
        key: RENTER_KEY,
      });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(
        /^Created job #\d+: 1x H100 for 2h at up to \$1\.60 per GPU-hour; \$3\.20 of credits escrowed\.$/m,
      );
      expect(run.stdout).to.match(/^ {2}escrow +\$3\.20 of credits$/m);
    });

    it("test_renterDispute_evidenceIsRequiredAndDocumented", async function () {
      const run = await cli(chain, ["renter", "dispute", "1"], { key: RENTER_KEY });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal("error: Pass exactly one of --evidence-hash <bytes32> or --evidence-file <path>.\n");
      const help = await cli(chain, ["renter", "dispute", "--help"]);
      expect(help.stdout).to.contain("needs exactly one of --evidence-hash or --evidence-file");
      const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
      // A Markdown table cell: the "|" is escaped.
      expect(readme).to.contain(
        "`dispute` (`--evidence-hash <0x + 64 hex> \\| --evidence-file <path>`, one is required",
      );
    });
  });

  describe("item 6: finding things", function () {
    let delivered: string;
    let open: string;

    it("test_jobs_listsOpenJobsByModelFromTheChain", async function () {
      open = await createJob([], "1", "1.70");
      const body = await ok(chain, ["jobs", "--open", "--model", "H100"]);
      expect(body.source).to.match(/^chain/);
      const ids = (body.jobs as { jobId: string; state: string }[]).map((j) => j.jobId);
      expect(ids).to.include(open);
      expect((body.jobs as { state: string }[]).every((j) => j.state === "Bidding")).to.equal(true);
      const none = await ok(chain, ["jobs", "--open", "--model", "A100"]);
      expect(none.jobs).to.deep.equal([]);
      const text = await cli(chain, ["jobs", "--open", "--model", "H100"]);
      expect(text.stdout).to.match(/source: chain/);
      expect(text.stdout).to.match(new RegExp(`^ {2}#${open} +Bidding`, "m"));
    });

    it("test_jobs_mineAndAProvidersJobs", async function () {
      delivered = await deliveredJob();
      const mine = await ok(chain, ["jobs", "--mine"], RENTER_KEY);
      expect((mine.jobs as { jobId: string }[]).map((j) => j.jobId)).to.include.members([open, delivered]);
      const theirs = await ok(chain, ["jobs", "--provider", PROVIDER]);
      const ids = (theirs.jobs as { jobId: string }[]).map((j) => j.jobId);
      expect(ids).to.include(delivered);
      expect(ids).to.not.include(open);
    });

    it("test_renterStatus_showsTheResultUriAndHash", async function () {
      const body = await ok(chain, ["renter", "status", delivered]);
      expect(body.job.result).to.include({ uri: `ipfs://result-of-${delivered}`, hash: RESULT });
      const text = await cli(chain, ["renter", "status", delivered]);
      expect(text.stdout).to.match(new RegExp(`^ {2}result URI +ipfs://result-of-${delivered}$`, "m"));
      expect(text.stdout).to.match(new RegExp(`^ {2}result hash +${RESULT}$`, "m"));
    });

    it("test_history_spendAndEarnings", async function () {
      const renter = await ok(chain, ["history", "--address", RENTER]);
      expect(renter.source).to.match(/^chain event logs/);
      expect(
        (renter.entries as { event: string; jobId: string }[]).some(
          (e) => e.event === "JobCreated" && e.jobId === delivered,
        ),
      ).to.equal(true);
      const provider = await ok(chain, ["history"], PROVIDER_KEY);
      expect(
        (provider.entries as { event: string; role: string }[]).some(
          (e) => e.role === "provider" && e.event === "JobStopped",
        ),
      ).to.equal(true);
    });

    it("test_arbiter_listsDisputesAndRules", async function () {
      const run = await cli(chain, ["renter", "dispute", delivered, "--evidence-hash", EVIDENCE], { key: RENTER_KEY });
      expect(run.code, run.stderr).to.equal(0);
      const disputes = await ok(chain, ["arbiter", "disputes"]);
      expect(
        (disputes.disputes as { jobId: string; evidenceHash: string }[]).find((d) => d.jobId === delivered),
      ).to.include({ evidenceHash: EVIDENCE });
      const text = await cli(chain, ["arbiter", "disputes"]);
      expect(text.stdout).to.contain(`gridlease arbiter rule ${delivered} renter|provider`);
      const refused = await cli(chain, ["arbiter", "rule", delivered, "renter"], { key: RENTER_KEY });
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.contain("does not hold the market's ARBITER_ROLE");
      const ruled = await ok(chain, ["arbiter", "rule", delivered, "renter"], ARBITER_KEY);
      expect(ruled.job.state).to.equal("Resolved");
      const after = await ok(chain, ["arbiter", "disputes"]);
      expect((after.disputes as { jobId: string }[]).map((d) => d.jobId)).to.not.include(delivered);
    });
  });

  describe("item 7 and 11: the agent's preflight and its saved cursor", function () {
    let policy: string;
    before(function () {
      policy = join(chain.home, "issue19-policy.json");
      writeFileSync(policy, JSON.stringify({ minPricePerGpuHour: { H100: "1.00" }, pollIntervalMs: 200 }));
    });

    it("test_agent_onAnUnregisteredAccountSaysWhatIsMissing", async function () {
      const run = await cli(chain, ["agent", "--config", policy, "--once"], { key: NEWCOMER_KEY });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain(`The agent could never win a job for ${NEWCOMER}, so it did not start`);
      expect(run.stderr).to.contain("is not a registered provider: gridlease provider register");
    });

    it("test_agent_onAnOfflineUnstakedAccountSaysWhatIsMissing", async function () {
      const registry = ProviderRegistry__factory.connect(chain.addresses.ProviderRegistry, signer(NEWCOMER_KEY));
      await (await registry.register("", 0)).wait();
      const run = await cli(chain, ["agent", "--config", policy, "--once"], { key: NEWCOMER_KEY });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain(
        "no free GPUs of the policy's models (H100) are listed: gridlease provider gpu set H100 --count <n>",
      );
      expect(run.stderr).to.contain("not enough stake: 0 GRL free");
      expect(run.stderr).to.contain("offline, so no job can be won: gridlease provider online");
    });

    it("test_agentOnce_seesAJobCreatedJustBeforeAndKeepsItsCursor", async function () {
      const home = mkdtempSync(join(chain.home, "agent-once-"));
      const first = await createJob([], "1", "1.90");
      const once1 = await cli(chain, ["agent", "--config", policy, "--once", "--json"], {
        key: PROVIDER_KEY,
        env: { GRIDLEASE_HOME: home },
      });
      expect(once1.code, once1.stderr).to.equal(0);
      const events1 = once1.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as AgentEvent);
      expect(events1.some((e) => e.event === "bid_committed" && e.jobId === first)).to.equal(true);
      const second = await createJob([], "1", "1.90");
      const once2 = await cli(chain, ["agent", "--config", policy, "--once", "--json"], {
        key: PROVIDER_KEY,
        env: { GRIDLEASE_HOME: home },
      });
      const events2 = once2.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as AgentEvent);
      expect(events2.some((e) => e.event === "bid_committed" && e.jobId === second)).to.equal(true);
      expect(events2.some((e) => e.event === "job_seen" && e.jobId === first)).to.equal(false);
    });
  });

  describe("item 0: an idle chain (blocks only when a transaction is sent)", function () {
    let agent: AgentProcess | undefined;
    after(async function () {
      await agent?.interrupt();
    });

    it("test_providerStart_afterTheRevealWindowOnAnIdleChainAwardsAndStarts", async function () {
      const jobId = await createJob(["--bid-window", "2m", "--reveal-window", "2m"], "1", "2.00");
      const bid = await cli(chain, ["provider", "bid", jobId, "1.95"], { key: PROVIDER_KEY });
      expect(bid.code, bid.stderr).to.equal(0);
      await chain.provider.send("evm_increaseTime", [2 * 60]);
      const status = await ok(chain, ["renter", "status", jobId]);
      expect(status.job.state).to.equal("Revealing");
      const reveal = await cli(chain, ["provider", "reveal", jobId], { key: PROVIDER_KEY });
      expect(reveal.code, reveal.stderr).to.equal(0);
      await chain.provider.send("evm_increaseTime", [2 * 60]);
      const start = await cli(chain, ["provider", "start", jobId], { key: PROVIDER_KEY });
      expect(start.code, start.stderr).to.equal(0);
      expect(start.stdout).to.contain(`Won the auction at $1.95 per GPU-hour and started job #${jobId}`);
      expect(await market.stateOf(jobId)).to.equal(4n);
    });

    it("test_agent_revealsAndAwardsOnTimeWithNoOtherTraffic", async function () {
      const home = mkdtempSync(join(chain.home, "agent-idle-"));
      const policy = join(home, "policy.json");
      writeFileSync(policy, JSON.stringify({ minPricePerGpuHour: { H100: "1.00" }, pollIntervalMs: 200 }));
      // Existing open jobs are the earlier tests'; this agent only bids from here on.
      agent = new AgentProcess(chain, home, PROVIDER_KEY, ["--config", policy]);
      await agent.waitFor((e) => e.event === "agent_started", "agent_started");
      const jobId = await createJob(["--bid-window", "2m", "--reveal-window", "2m"], "1", "2.00");
      await agent.waitFor((e) => e.event === "bid_committed" && e.jobId === jobId, "bid_committed");
      // Time passes and nobody sends a transaction: no block is mined.
      const blockAfterBid = await chain.provider.getBlockNumber();
      await chain.provider.send("evm_increaseTime", [2 * 60]);
      await agent.waitFor((e) => e.event === "bid_revealed" && e.jobId === jobId, "bid_revealed");
      expect(await chain.provider.getBlockNumber()).to.equal(blockAfterBid + 1);
      await chain.provider.send("evm_increaseTime", [2 * 60]);
      await agent.waitFor((e) => e.event === "job_started" && e.jobId === jobId, "job_started");
      const job = await market.jobOf(jobId);
      expect(job.provider).to.equal(PROVIDER);
      expect(await market.stateOf(jobId)).to.equal(4n);
      expect((await market.bidOf(jobId, PROVIDER)).status).to.equal(3n);
    });

    it("test_agent_warnsWhenARevealWindowIsAtRisk", async function () {
      const jobId = await createJob(["--bid-window", "1m", "--reveal-window", "1m"], "1", "2.00");
      await (agent as AgentProcess).waitFor((e) => e.event === "bid_committed" && e.jobId === jobId, "bid_committed");
      // The chain stays idle until 25 s or less of the reveal window are left.
      await chain.provider.send("evm_increaseTime", [95]);
      const warning = await (agent as AgentProcess).waitFor(
        (e) => e.event === "reveal_window_at_risk" && e.jobId === jobId,
        "reveal_window_at_risk",
      );
      expect(warning).to.include({ level: "warning", marginSeconds: 30 });
      await (agent as AgentProcess).waitFor((e) => e.event === "bid_revealed" && e.jobId === jobId, "bid_revealed");
      await (agent as AgentProcess).interrupt();
    });
  });

  describe("items 3 and 4: nothing is sent before a refusal; partial success", function () {
    let settled: string;
    let credited: string;

    before(async function () {
      // A settled USDC job, and a delivered credit job whose pay becomes USD earnings, then a day passes:
      // the GRL/USD feed goes stale.
      await refreshFeed(chain);
      settled = await deliveredJob();
      credited = await deliveredJob(["--pay", "credits"]);
      await chain.provider.send("evm_increaseTime", [DAY + 60]);
      await chain.provider.send("evm_mine", []);
      const keeper = market.connect(signer(ARBITER_KEY));
      await (await keeper.settle(settled)).wait();
      await (await keeper.settle(credited)).wait();
    });

    after(async function () {
      await refreshFeed(chain);
    });

    const refusals: [string, () => string[], () => string, RegExp?][] = [
      [
        "renter dispute (settled job)",
        () => ["renter", "dispute", settled, "--evidence-hash", EVIDENCE],
        () => RENTER_KEY,
        /Nothing was sent\.\n$/,
      ],
      ["renter create-job (stale price)", () => createJobArgs(), () => RENTER_KEY, /price is stale/],
      ["renter buy-credits (stale price)", () => ["renter", "buy-credits", "10"], () => RENTER_KEY, /price is stale/],
      ["renter cancel", () => ["renter", "cancel", settled], () => RENTER_KEY],
      ["renter stop", () => ["renter", "stop", settled], () => RENTER_KEY],
      ["renter settle", () => ["renter", "settle", settled], () => RENTER_KEY],
      ["renter fail", () => ["renter", "fail", settled], () => RENTER_KEY],
      ["renter award", () => ["renter", "award", settled], () => RENTER_KEY],
      ["renter withdraw (nothing)", () => ["renter", "withdraw"], () => NEWCOMER_KEY],
      [
        "provider stake (not registered: no approval first)",
        () => ["provider", "stake", "10"],
        () => STRANGER_KEY,
        /Nothing was sent\.\n$/,
      ],
      ["provider register (twice)", () => ["provider", "register"], () => PROVIDER_KEY],
      ["provider online (no GPUs, no stake)", () => ["provider", "online"], () => NEWCOMER_KEY],
      ["provider gpu remove (no line)", () => ["provider", "gpu", "remove", "A100"], () => PROVIDER_KEY],
      ["provider unbond (too much)", () => ["provider", "unbond", "100000"], () => PROVIDER_KEY],
      ["provider withdraw-stake (nothing unbonding)", () => ["provider", "withdraw-stake"], () => PROVIDER_KEY],
      ["provider accept (settled)", () => ["provider", "accept", settled], () => PROVIDER_KEY],
      ["provider start (settled)", () => ["provider", "start", settled], () => PROVIDER_KEY],
      ["provider claim (settled)", () => ["provider", "claim", settled], () => PROVIDER_KEY],
      [
        "provider deliver (settled)",
        () => ["provider", "deliver", settled, "--uri", "ipfs://x", "--hash", RESULT],
        () => PROVIDER_KEY,
      ],
      ["provider close-bid (no bid)", () => ["provider", "close-bid", settled], () => PROVIDER_KEY],
      ["provider bid (settled)", () => ["provider", "bid", settled, "1"], () => PROVIDER_KEY],
      ["provider reveal (no saved bid)", () => ["provider", "reveal", settled], () => PROVIDER_KEY],
      ["arbiter rule (not disputed)", () => ["arbiter", "rule", settled, "provider"], () => ARBITER_KEY],
      [
        "agent (not ready)",
        () => ["agent", "--config", join(chain.home, "issue19-policy.json"), "--once"],
        () => NEWCOMER_KEY,
      ],
    ];
    for (const [what, args, key, message] of refusals) {
      it(`test_refusal_nonceUnchanged: gridlease ${what}`, async function () {
        const who = new Wallet(key()).address;
        const before = await nonce(who);
        const run = await cli(chain, args(), { key: key() });
        expect(run.code, `${run.stdout}${run.stderr}`).to.equal(2);
        if (message !== undefined) expect(run.stderr).to.match(message);
        expect(await nonce(who)).to.equal(before);
      });
    }

    it("test_providerWithdraw_reportsWhatWasWithdrawnWhenTheEarningsStepFails", async function () {
      const usdc = MockStablecoin__factory.connect(chain.addresses.MockStablecoin, chain.provider);
      const settlement = Settlement__factory.connect(chain.addresses.Settlement, chain.provider);
      const ledger = await market.balanceOf(chain.addresses.MockStablecoin, PROVIDER);
      const earnings = await settlement.earningsOf(PROVIDER);
      expect(ledger > 0n && earnings > 0n).to.equal(true);
      const walletBefore = await usdc.balanceOf(PROVIDER);
      const run = await cli(chain, ["provider", "withdraw"], { key: PROVIDER_KEY });
      expect(run.code, run.stderr).to.equal(0);
      expect(await usdc.balanceOf(PROVIDER)).to.equal(walletBefore + ledger);
      expect(run.stdout).to.match(/^Withdrew [\d.]+ USDC from the market ledger\.$/m);
      expect(run.stdout).to.match(
        /^warning: withdrawing the USD earnings as GRL failed, nothing of it was withdrawn: The GRL\/USD price is stale/m,
      );
      expect(await settlement.earningsOf(PROVIDER)).to.equal(earnings);
      await refreshFeed(chain);
      const rest = await ok(chain, ["provider", "withdraw"], PROVIDER_KEY);
      expect(rest.steps).to.deep.equal({
        ledger: "nothing to withdraw",
        bonds: "nothing to withdraw",
        earnings: "withdrawn",
      });
      expect(rest.warnings).to.deep.equal([]);
    });
  });
});
