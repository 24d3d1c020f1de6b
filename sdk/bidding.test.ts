import { AbiCoder, BrowserProvider, Contract, keccak256, ZeroHash } from "ethers";
import { network } from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { JobMarketAbi } from "./abis/JobMarket.ts";
import { bidCommitment, newSalt, storedCommitment, workloadSpecHash } from "./bidding.ts";
import { artifact } from "./test-support.ts";

const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const MARKET = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const SALT = "0x1f2e3d4c5b6a798807162534435261708f9eadbccbdae9f8071625344352617a";

describe("bidCommitment (local)", () => {
  it("matches a vector encoded independently with ethers' AbiCoder", () => {
    const specHash = workloadSpecHash("llm-finetune");
    const expected = keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ["uint256", "address", "uint96", "bytes32", "uint256", "address", "bytes32"],
        [7n, PROVIDER, 1_450_000n, SALT, 31337n, MARKET, specHash],
      ),
    );
    expect(bidCommitment(7n, PROVIDER, 1_450_000n, SALT, 31337n, MARKET, specHash)).toBe(expected);
    // Every field is bound: changing any one changes the commitment.
    const variants = [
      bidCommitment(8n, PROVIDER, 1_450_000n, SALT, 31337n, MARKET, specHash),
      bidCommitment(7n, MARKET, 1_450_000n, SALT, 31337n, MARKET, specHash),
      bidCommitment(7n, PROVIDER, 1_450_001n, SALT, 31337n, MARKET, specHash),
      bidCommitment(7n, PROVIDER, 1_450_000n, ZeroHash, 31337n, MARKET, specHash),
      bidCommitment(7n, PROVIDER, 1_450_000n, SALT, 1n, MARKET, specHash),
      bidCommitment(7n, PROVIDER, 1_450_000n, SALT, 31337n, PROVIDER, specHash),
      bidCommitment(7n, PROVIDER, 1_450_000n, SALT, 31337n, MARKET, ZeroHash),
    ];
    expect(new Set([expected, ...variants]).size).toBe(8);
  });

  it("keeps the low 248 bits as the market stores them", () => {
    const commitment = bidCommitment(7n, PROVIDER, 1_450_000n, SALT, 31337n, MARKET, ZeroHash);
    expect(storedCommitment(commitment)).toBe(`0x00${commitment.slice(4)}`);
  });

  it("draws fresh 32-byte salts", () => {
    const salts = new Set(Array.from({ length: 50 }, () => newSalt()));
    expect(salts.size).toBe(50);
    for (const salt of salts) expect(salt).toMatch(/^0x[0-9a-f]{64}$/);
  });
});

describe("bidCommitment equals JobMarket.bidCommitment on an in-process Hardhat network", () => {
  let connection: Awaited<ReturnType<typeof network.create>>;
  let provider: BrowserProvider;

  beforeAll(async () => {
    connection = await network.create();
    provider = new BrowserProvider(connection.provider);
    // The market's runtime code at a fixed address: bidCommitment reads only the job's spec hash (zero for a
    // job never created), the chain id and its own address, so no constructor or protocol is needed.
    await connection.provider.request({
      method: "hardhat_setCode",
      params: [MARKET, artifact("market/JobMarket.sol/JobMarket.json").deployedBytecode],
    });
  });

  afterAll(async () => {
    await connection?.close();
  });

  it("gives the contract's answer for a spread of jobs, prices and salts", async () => {
    const market = new Contract(MARKET, JobMarketAbi, provider);
    const chainId = (await provider.getNetwork()).chainId;
    for (const [jobId, price] of [
      [1n, 1n],
      [42n, 1_450_000n],
      [2n ** 64n, 2n ** 96n - 1n],
    ] as const) {
      const salt = newSalt();
      const onChain = (await market.getFunction("bidCommitment").staticCall(jobId, PROVIDER, price, salt)) as string;
      expect(bidCommitment(jobId, PROVIDER, price, salt, chainId, MARKET, ZeroHash)).toBe(onChain);
    }
  });
});
