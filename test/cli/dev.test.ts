// `gridlease dev fund | price | advance`: what a user types on a local chain, and the refusal of each on
// a network that is not a local development chain (nothing sent).
import { createServer, type Server } from "node:http";

import { expect } from "chai";
import { parseEther, parseUnits, Wallet } from "ethers";

import {
  GridleaseToken__factory,
  MockAggregatorV3__factory,
  MockStablecoin__factory,
} from "../../types/ethers-contracts/index.ts";
import { cli, cliJson, freePorts, localChain, type LocalChain } from "../kit/cli.ts";

describe("CLI: gridlease dev (local chains only)", function () {
  this.timeout(240_000);
  let chain: LocalChain;
  const fresh = Wallet.createRandom().address;

  before(async function () {
    chain = await localChain();
  });

  it("gridlease dev fund <address> --grl 250 --usdc 75 gives a brand-new account GRL, USDC and gas", async function () {
    const { code, body } = await cliJson(chain, ["dev", "fund", fresh, "--grl", "250", "--usdc", "75"]);
    expect(code, JSON.stringify(body)).to.equal(0);
    const token = GridleaseToken__factory.connect(chain.addresses.GridleaseToken, chain.provider);
    const usdc = MockStablecoin__factory.connect(chain.addresses.MockStablecoin, chain.provider);
    expect(await token.balanceOf(fresh)).to.equal(parseEther("250"));
    expect(await usdc.balanceOf(fresh)).to.equal(parseUnits("75", 6));
    expect(await chain.provider.getBalance(fresh)).to.be.at.least(parseEther("10"));
    expect(body.balances).to.deep.include({ grl: "250.0", usdc: "75" });
    const text = await cli(chain, ["dev", "fund", fresh, "--grl", "1", "--usdc", "0"]);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.contain("251 GRL");
  });

  it("gridlease dev advance 2d moves the clock, and says the feed is now stale", async function () {
    const before = (await chain.provider.getBlock("latest"))!.timestamp;
    const run = await cli(chain, ["dev", "advance", "2d"]);
    expect(run.code, run.stderr).to.equal(0);
    const after = (await chain.provider.getBlock("latest"))!.timestamp;
    expect(after - before).to.be.at.least(2 * 86_400);
    expect(run.stdout)
      .to.match(/Advanced 2d/)
      .and.to.match(/stale/);
    expect((await cli(chain, ["info"])).stdout).to.match(/GRL price\s+unavailable/);
  });

  it("gridlease dev price 0.75 publishes a fresh answer the oracle accepts", async function () {
    const run = await cli(chain, ["dev", "price", "0.75"]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("$0.75");
    const feed = MockAggregatorV3__factory.connect(chain.addresses.MockAggregatorV3, chain.provider);
    expect((await feed.latestRoundData())[1]).to.equal(75_000_000n);
    expect((await cli(chain, ["info"])).stdout).to.match(/GRL price\s+\$0\.75/);
    // Leave the feed as the other tests expect it.
    expect((await cli(chain, ["dev", "price", "0.50"])).code).to.equal(0);
  });

  it("bad input is refused with exit 2", async function () {
    expect((await cli(chain, ["dev", "advance", "soon"])).code).to.equal(2);
    expect((await cli(chain, ["dev", "price", "-1"])).code).to.equal(2);
    expect((await cli(chain, ["dev", "fund", "0x1234"])).code).to.equal(2);
  });

  describe("on a network that is not a local chain", function () {
    let server: Server;
    let url: string;
    const calls: string[] = [];
    before(async function () {
      const port = await freePorts(8690);
      server = createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          const { id, method } = JSON.parse(body) as { id: number; method: string };
          calls.push(method);
          const result =
            method === "eth_chainId"
              ? "0x1"
              : method === "web3_clientVersion"
                ? "Geth/v1.14.12-stable/linux-amd64/go1.23"
                : null;
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ jsonrpc: "2.0", id, result }));
        });
      });
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    for (const args of [
      ["dev", "fund", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
      ["dev", "price", "0.50"],
      ["dev", "advance", "1h"],
    ]) {
      it(`gridlease ${args.slice(0, 2).join(" ")} is refused with a clear message and sends nothing`, async function () {
        calls.length = 0;
        const run = await cli({ ...chain, rpcUrl: url }, args);
        expect(run.code).to.equal(2);
        expect(run.stderr).to.contain("local development chain only").and.to.contain("chain 1");
        expect(calls.filter((m) => !["eth_chainId", "web3_clientVersion"].includes(m))).to.deep.equal([]);
        const json = await cliJson({ ...chain, rpcUrl: url }, args);
        expect(json.body.error.code).to.equal("NOT_LOCAL");
      });
    }
  });
});
