import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256, parseUnits } from "ethers";

import { PROJECT_ROOT } from "../kit/project.ts";
import { hashWorkloadSpec, parseWorkloadSpec } from "../../sdk/index.ts";
import { JobMarket__factory, MockStablecoin__factory } from "../../types/ethers-contracts/index.ts";
import {
  address,
  cli,
  cliJson,
  DEPLOYMENT_FOLDER,
  freePorts,
  KEYS,
  localChain,
  ok,
  refreshFeed,
  createJobArgs,
  SPEC_HASH,
  wallet,
  type LocalChain,
} from "../kit/cli.ts";

const PROVIDER = 6;
const RENTER = 7;

describe("CLI: bad input and bad configuration", function () {
  this.timeout(120_000);
  let chain: LocalChain;
  const providerKey = KEYS[PROVIDER];

  before(async function () {
    chain = await localChain();
    await refreshFeed(chain);
    const usdc = MockStablecoin__factory.connect(chain.addresses.MockStablecoin, wallet(chain, RENTER));
    await (await usdc.mint(address(RENTER), parseUnits("100", 6))).wait();
  });

  describe("input", function () {
    it("test_providerGpuSet_unknownModel", async function () {
      const run = await cli(chain, ["provider", "gpu", "set", "B200", "--count", "1"], { key: providerKey });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal('error: Unknown GPU model "B200": use one of H200, H100, A100, L40S, RTX4090.\n');
      expect(run.stdout).to.equal("");
    });

    it("test_renterCreateJob_unknownModelJson", async function () {
      const { code, body } = await cliJson(
        chain,
        ["renter", "create-job", "--spec-hash", SPEC_HASH, "--model", "GTX1080", "--hours", "1", "--max-price", "1"],
        {
          key: KEYS[RENTER],
        },
      );
      expect(code).to.equal(2);
      expect(body.error.code).to.equal("INVALID_INPUT");
      expect(body.error.message).to.equal('Unknown GPU model "GTX1080": use one of H200, H100, A100, L40S, RTX4090.');
      expect(body.error.details.knownModels).to.deep.equal(["H200", "H100", "A100", "L40S", "RTX4090"]);
    });

    it("test_providerBid_priceAboveReserveIsRefusedBeforeSending", async function () {
      const market = JobMarket__factory.connect(chain.addresses.JobMarket, chain.provider);
      const job = await ok(chain, createJobArgs("1", "1.80"), KEYS[RENTER]);
      const blockBefore = await chain.provider.getBlockNumber();
      const run = await cli(chain, ["provider", "bid", job.jobId, "1.95"], { key: providerKey });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        `error: A bid of $1.95 per GPU-hour is above job #${job.jobId}'s maximum price of $1.80 per GPU-hour: bid at most the maximum. Nothing was sent.\n`,
      );
      const json = await cliJson(chain, ["provider", "bid", job.jobId, "1.95"], { key: providerKey });
      expect(json.code).to.equal(2);
      expect(json.body.error).to.deep.include({
        code: "PRICE_ABOVE_RESERVE",
        details: { price: "1950000", reservePricePerGpuHour: "1800000" },
      });
      expect(await chain.provider.getBlockNumber()).to.equal(blockBefore);
      expect((await market.bidOf(job.jobId, address(PROVIDER))).status).to.equal(0n);
      const saltFile = join(chain.home, "bids.json");
      const saved = existsSync(saltFile)
        ? (JSON.parse(readFileSync(saltFile, "utf8")) as Record<string, { provider: string }>)
        : {};
      expect(Object.values(saved).filter((b) => b.provider === address(PROVIDER))).to.deep.equal([]);
    });

    it("test_providerBid_nonNumericPrice", async function () {
      const run = await cli(chain, ["provider", "bid", "1", "cheap"], { key: providerKey });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal('error: The price must be a dollar amount such as 1.45, got "cheap".\n');
    });

    it("test_renterCreateJob_nonNumericMaxPrice", async function () {
      const run = await cli(chain, createJobArgs("1", "lots"), { key: KEYS[RENTER] });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal('error: --max-price must be a dollar amount such as 1.80, got "lots".\n');
    });

    it("test_renterCreateJob_moreDecimalsThanUsdc", async function () {
      const run = await cli(chain, createJobArgs("1", "1.0000001"), { key: KEYS[RENTER] });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal('error: --max-price has 7 decimals but dollars has only 6: got "1.0000001".\n');
    });

    it("test_renterCreateJob_nonNumericHours", async function () {
      const run = await cli(chain, createJobArgs("two", "1"), { key: KEYS[RENTER] });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal('error: --hours must be a decimal number of hours such as 1.5, got "two".\n');
    });

    describe("workload spec (--spec / --spec-hash)", function () {
      const base = ["renter", "create-job", "--model", "H100", "--hours", "1", "--max-price", "1.80"];

      /** Runs `args` as the renter and checks it exits 2 with `message` on stderr (and as --json), sending nothing. */
      async function refused(args: string[], message: string): Promise<void> {
        const blockBefore = await chain.provider.getBlockNumber();
        const nonceBefore = await chain.provider.getTransactionCount(address(RENTER));
        const run = await cli(chain, args, { key: KEYS[RENTER] });
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.equal(`error: ${message}\n`);
        expect(run.stdout).to.equal("");
        const { code, body } = await cliJson(chain, args, { key: KEYS[RENTER] });
        expect(code).to.equal(2);
        expect(body.error).to.include({ code: "INVALID_INPUT", message });
        expect(await chain.provider.getBlockNumber()).to.equal(blockBefore);
        expect(await chain.provider.getTransactionCount(address(RENTER))).to.equal(nonceBefore);
      }

      it("test_renterCreateJob_missingSpecIsRefusedBeforeSending", async function () {
        await refused(
          base,
          "create-job needs the job's workload: give --spec <file> (its canonical hash is posted) or --spec-hash <0x + 64 hex digits>.",
        );
      });

      it("test_renterCreateJob_bothSpecOptionsAreRefusedBeforeSending", async function () {
        const file = join(chain.home, "both-spec.json");
        writeFileSync(file, '{"image":"hello"}\n');
        await refused(
          [...base, "--spec", file, "--spec-hash", SPEC_HASH],
          "Give either --spec <file> or --spec-hash <hash>, not both.",
        );
      });

      it("test_renterCreateJob_malformedSpecHashIsRefusedBeforeSending", async function () {
        await refused(
          [...base, "--spec-hash", "0x1234"],
          '--spec-hash must be 0x followed by 64 hex digits, got "0x1234".',
        );
        await refused(
          [...base, "--spec-hash", `0x${"zz".repeat(32)}`],
          `--spec-hash must be 0x followed by 64 hex digits, got "0x${"zz".repeat(32)}".`,
        );
        await refused(
          [...base, "--spec-hash", `0x${"00".repeat(32)}`],
          "--spec-hash must not be zero: it is the hash of the job's workload spec.",
        );
      });

      it("test_renterCreateJob_unreadableSpecFileIsRefusedBeforeSending", async function () {
        const missing = join(chain.home, "no-such-spec.json");
        await refused(
          [...base, "--spec", missing],
          `--spec: cannot read the workload spec file "${missing}" (no such file).`,
        );
      });

      it("test_renterCreateJob_malformedSpecFileIsRefusedBeforeSending", async function () {
        const notJson = join(chain.home, "not-json.json");
        writeFileSync(notJson, "image: hello\n");
        const run = await cli(chain, [...base, "--spec", notJson], { key: KEYS[RENTER] });
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.match(/^error: --spec: ".*not-json\.json" is not JSON \(/);
        const invalid = join(chain.home, "invalid-spec.json");
        writeFileSync(invalid, '{"image":"ghcr.io/example/hello:1","command":["python","hello.py"]}\n');
        const { code, body } = await cliJson(chain, [...base, "--spec", invalid], { key: KEYS[RENTER] });
        expect(code).to.equal(2);
        expect(body.error.code).to.equal("INVALID_INPUT");
        expect(body.error.message).to.match(
          /^--spec: ".*invalid-spec\.json" is not a valid workload spec: .+ Nothing was sent\.$/,
        );
      });

      it("test_renterCreateJob_specFilePostsItsCanonicalHash", async function () {
        const market = JobMarket__factory.connect(chain.addresses.JobMarket, chain.provider);
        const file = join(chain.home, "workload.json");
        const example = readFileSync(join(PROJECT_ROOT, "examples", "workloads", "batch.json"), "utf8");
        // Reformatted on purpose: the canonical hash ignores whitespace and key order, raw bytes would not.
        writeFileSync(file, `${JSON.stringify(JSON.parse(example), null, 4)}\n`);
        const parsed = parseWorkloadSpec(JSON.parse(example));
        if (!parsed.ok) throw new Error(parsed.errors.join("; "));
        const expected = hashWorkloadSpec(parsed.value);
        expect(expected).to.not.equal(keccak256(readFileSync(file)));
        const body = await ok(chain, [...base, "--spec", file], KEYS[RENTER]);
        expect(body).to.include({ specHash: expected, specFile: file });
        expect(body.job.specHash).to.equal(expected);
        expect((await market.jobOf(body.jobId)).specHash).to.equal(expected);
        const created = await market.queryFilter(market.filters.JobCreated(BigInt(body.jobId)));
        expect(created).to.have.length(1);
        expect(created[0].args.request.specHash).to.equal(expected);
      });
    });

    it("test_renterStatus_unknownJob", async function () {
      const { code, body } = await cliJson(chain, ["renter", "status", "999999"]);
      expect(code).to.equal(2);
      expect(body.error.code).to.equal("UNKNOWN_JOB");
      expect(body.error.message).to.match(
        /^There is no job #999999 on this market \(jobs are numbered 1 to \d+\): check the job id\.$/,
      );
    });

    it("test_unknownCommand_json", async function () {
      const { code, body } = await cliJson(chain, ["renter", "statu", "1"]);
      expect(code).to.equal(2);
      expect(body).to.deep.equal({
        error: { code: "USAGE", message: "Unknown command 'statu'\n(Did you mean status?)." },
      });
    });
  });

  describe("keys", function () {
    it("test_writeCommand_missingKey", async function () {
      const run = await cli(chain, ["provider", "online"]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        "error: This command sends a transaction and needs the account's private key in GRIDLEASE_PRIVATE_KEY " +
          "(keys are never taken from command-line arguments): export it, e.g. from a secrets manager.\n",
      );
      const json = await cliJson(chain, ["renter", "award", "1"]);
      expect(json.code).to.equal(2);
      expect(json.body.error.code).to.equal("MISSING_KEY");
    });

    it("test_writeCommand_keyIsNeverAnArgument", async function () {
      const run = await cli(chain, ["provider", "online", "--private-key", providerKey]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/^error: unknown option '--private-key'/);
    });

    it("test_writeCommand_invalidKeyIsNotEchoed", async function () {
      const secret = "0x1234deadbeef";
      const run = await cli(chain, ["provider", "online"], { key: secret });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        "error: GRIDLEASE_PRIVATE_KEY is not a valid private key: expected 0x followed by 64 hex digits.\n",
      );
      expect(run.stderr).to.not.contain(secret);
    });
  });

  describe("network", function () {
    it("test_wrongNetwork_emptyDeploymentFolder", async function () {
      const empty = join(chain.home, "empty-deployment");
      mkdirSync(empty, { recursive: true });
      const { code, body } = await cliJson(chain, ["provider", "online"], {
        key: providerKey,
        env: { GRIDLEASE_DEPLOYMENT: empty },
      });
      expect(code).to.equal(2);
      expect(body.error.code).to.equal("NO_DEPLOYMENT");
      expect(body.error.message).to.equal(
        `no Gridlease deployment for chain 31337 (${join(empty, "deployed_addresses.json")} is missing): deploy with Ignition first ` +
          "(`npm start` does it on a local chain), or point GRIDLEASE_DEPLOYMENT at a deployment folder.",
      );
    });

    it("test_wrongNetwork_nothingListening", async function () {
      const port = await freePorts(8650);
      const url = `http://127.0.0.1:${port}`;
      const run = await cli(chain, ["provider", "online"], { key: providerKey, env: { GRIDLEASE_RPC_URL: url } });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(
        `error: Cannot reach the JSON-RPC endpoint ${url} (ECONNREFUSED): start a node (\`npm start\` runs one on ` +
          "127.0.0.1:8545) or point GRIDLEASE_RPC_URL at a running one.\n",
      );
    });

    it("test_wrongNetwork_noContractAtTheMarketAddress", async function () {
      // The addresses of a deployment on another node: nothing at them on this one.
      const folder = join(chain.home, "stale-deployment");
      mkdirSync(folder, { recursive: true });
      const addresses = JSON.parse(readFileSync(join(DEPLOYMENT_FOLDER, "deployed_addresses.json"), "utf8")) as Record<
        string,
        string
      >;
      addresses["GridleaseLocal#JobMarket"] = "0x000000000000000000000000000000000000dEaD";
      writeFileSync(join(folder, "deployed_addresses.json"), JSON.stringify(addresses));
      const { code, body } = await cliJson(chain, ["renter", "status", "1"], { env: { GRIDLEASE_DEPLOYMENT: folder } });
      expect(code).to.equal(2);
      expect(body.error.code).to.equal("WRONG_NETWORK");
      expect(body.error.message).to.match(
        /^There is no contract at the JobMarket address 0x000000000000000000000000000000000000dEaD on chain 31337/,
      );
    });

    it("test_wrongNetwork_deploymentOfAnotherChain", async function () {
      const folder = join(chain.home, "mainnet-deployment");
      mkdirSync(folder, { recursive: true });
      writeFileSync(
        join(folder, "journal.jsonl"),
        `${JSON.stringify({ chainId: 1, type: "DEPLOYMENT_INITIALIZE" })}\n`,
      );
      writeFileSync(
        join(folder, "deployed_addresses.json"),
        readFileSync(join(DEPLOYMENT_FOLDER, "deployed_addresses.json")),
      );
      const run = await cli(chain, ["renter", "status", "1"], { env: { GRIDLEASE_DEPLOYMENT: folder } });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        `error: The deployment in ${folder} is for chain 1, but ${chain.rpcUrl} is chain 31337: point GRIDLEASE_RPC_URL at the ` +
          "deployment's network, or GRIDLEASE_DEPLOYMENT at this chain's deployment.\n",
      );
    });

    it("test_invalidRpcUrl", async function () {
      const run = await cli(chain, ["renter", "status", "1"], { env: { GRIDLEASE_RPC_URL: "localhost:8545" } });
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        'error: GRIDLEASE_RPC_URL must be an http(s) URL such as http://127.0.0.1:8545, got "localhost:8545".\n',
      );
    });
  });

  describe("the executable", function () {
    it("test_npxGridlease_runsTheProjectsBin", function () {
      // npm exec runs a bin of the project's own package.json from the project folder.
      const env: NodeJS.ProcessEnv = {};
      for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("HARDHAT_")) env[key] = value;
      const run = spawnSync("npx", ["gridlease", "--help"], { cwd: PROJECT_ROOT, env, encoding: "utf8" });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^Usage: gridlease \[options\] \[command\]/);
      expect(run.stdout).to.contain("GRIDLEASE_PRIVATE_KEY");
    });
  });
});
