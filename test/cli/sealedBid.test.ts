// Issue 14 item 4: the sealed price never leaves the bidder's machine before the reveal. A recording
// JSON-RPC proxy sits between the CLI and a private chain; every request `gridlease provider bid` sends is
// kept and searched for the bid's price and salt (read back from the local bid file afterwards).
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, toBeHex, zeroPadValue } from "ethers";

import { JobMarket__factory } from "../../types/ethers-contracts/index.ts";
import {
  address,
  advance,
  fundGrl,
  KEYS,
  ok,
  refreshFeed,
  createJobArgs,
  startPrivateChain,
  type LocalChain,
} from "../kit/cli.ts";

const PROVIDER = 1;
const RENTER = 2;
const PRICE_UNITS = 1_450_000n; // $1.45 with USDC's 6 decimals

/** A JSON-RPC proxy in front of `target` that records every request body. */
async function recordingProxy(target: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      requests.push(body);
      fetch(target, {
        method: req.method,
        headers: { "content-type": "application/json" },
        body: req.method === "POST" ? body : undefined,
      })
        .then(async (answer) => {
          res.writeHead(answer.status, { "content-type": "application/json" });
          res.end(await answer.text());
        })
        .catch((error: Error) => {
          res.writeHead(502);
          res.end(error.message);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The requests that carry `secret` in any form a JSON-RPC client could send it (32-byte ABI word, quantity, raw hex). */
function carrying(requests: string[], secrets: { price: bigint; salt: string }): string[] {
  const word = zeroPadValue(toBeHex(secrets.price), 32).slice(2).toLowerCase();
  const quantity = `"${toBeHex(secrets.price)}"`.toLowerCase();
  const salt = secrets.salt.slice(2).toLowerCase();
  return requests.filter((body) => {
    const text = body.toLowerCase();
    return text.includes(word) || text.includes(quantity) || text.includes(salt);
  });
}

describe("CLI: a sealed bid's price and salt stay local until the reveal", function () {
  this.timeout(240_000);
  let chain: LocalChain & { stop(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let jobId: string;

  before(async function () {
    chain = await startPrivateChain("sealed-bid-test", 8680);
    await refreshFeed(chain);
    await fundGrl(chain, "10000", [PROVIDER, RENTER]);
    const providerKey = KEYS[PROVIDER];
    await ok(chain, ["provider", "register", "--region", "276"], providerKey);
    await ok(chain, ["provider", "stake", "5000"], providerKey);
    await ok(chain, ["provider", "gpu", "set", "H100", "--count", "2"], providerKey);
    await ok(chain, ["provider", "online"], providerKey);
    await ok(chain, ["renter", "faucet", "1000"], KEYS[RENTER]);
    const job = await ok(
      chain,
      createJobArgs("1", "1.80", ["--count", "1", "--bid-window", "5m", "--reveal-window", "5m"]),
      KEYS[RENTER],
    );
    jobId = job.jobId;
    proxy = await recordingProxy(chain.rpcUrl);
  });

  after(async function () {
    await proxy?.close();
    await chain?.stop();
  });

  it("test_providerBid_noRequestCarriesThePriceOrTheSalt", async function () {
    const body = await ok({ ...chain, rpcUrl: proxy.url }, ["provider", "bid", jobId, "1.45"], KEYS[PROVIDER]);
    expect(body.commitment).to.match(/^0x[0-9a-f]{64}$/);
    const saved = JSON.parse(readFileSync(join(chain.home, "bids.json"), "utf8")) as Record<
      string,
      { jobId: string; price: string; salt: string }
    >;
    const bid = Object.values(saved).find((b) => b.jobId === jobId);
    expect(bid?.price).to.equal(PRICE_UNITS.toString());
    const salt = bid?.salt as string;

    // The bid went through the proxy: the chain id, the job's reads, and the commit transaction itself.
    expect(proxy.requests.length).to.be.greaterThan(3);
    expect(proxy.requests.some((r) => r.includes("eth_sendRawTransaction"))).to.equal(true);
    expect(carrying(proxy.requests, { price: PRICE_UNITS, salt })).to.deep.equal([]);

    // The check would see a leak: the contract's bidCommitment view, called through the same proxy, is caught.
    const before = proxy.requests.length;
    const provider = new JsonRpcProvider(proxy.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const market = JobMarket__factory.connect(chain.addresses.JobMarket, provider);
    expect(await market.bidCommitment(jobId, address(PROVIDER), PRICE_UNITS, salt)).to.equal(body.commitment);
    provider.destroy();
    expect(carrying(proxy.requests.slice(before), { price: PRICE_UNITS, salt })).to.have.length.greaterThan(0);

    // The reveal is where they are meant to go out: its transaction carries both.
    await advance(chain, 5 * 60);
    const revealFrom = proxy.requests.length;
    await ok({ ...chain, rpcUrl: proxy.url }, ["provider", "reveal", jobId], KEYS[PROVIDER]);
    const reveal = proxy.requests.slice(revealFrom).filter((r) => r.includes("eth_sendRawTransaction"));
    expect(carrying(reveal, { price: PRICE_UNITS, salt })).to.have.length(1);
  });
});
