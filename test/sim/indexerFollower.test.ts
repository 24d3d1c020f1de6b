import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";

import { IndexerFollower } from "../../simulator/indexer-follower.ts";

/** A stand-in for Ponder's /status: reports `indexed` (or answers 503 while `down`), counting reads. */
class FakeIndexer {
  indexed = 0;
  down = false;
  reads = 0;
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      if (request.url !== "/status") {
        response.writeHead(404).end();
        return;
      }
      this.reads++;
      if (this.down) {
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ localhost: { id: 31337, block: { number: this.indexed, timestamp: 0 } } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describe("Market simulator: IndexerFollower", function () {
  this.timeout(20_000);
  let indexer: FakeIndexer;
  let head: number;
  const chain = { headBlock: async () => head };

  beforeEach(async function () {
    indexer = new FakeIndexer();
    await indexer.start();
    head = 100;
  });

  afterEach(async function () {
    await indexer.stop();
  });

  it("test_wait_returnsAtOnceWhileTheIndexerKeepsUp", async function () {
    indexer.indexed = 70; // 30 behind: at the limit
    const follower = new IndexerFollower(chain, { url: indexer.url, maxLag: 30, checkEveryMs: 0 });
    const started = Date.now();
    await follower.wait();
    expect(Date.now() - started).to.be.lessThan(1_000);
    expect(indexer.reads).to.equal(1);
  });

  it("test_wait_holdsUntilTheIndexerIsWithinHalfTheLimit", async function () {
    indexer.indexed = 50; // 50 behind, limit 30: wait until at most 15 behind
    const follower = new IndexerFollower(chain, { url: indexer.url, maxLag: 30, checkEveryMs: 0 });
    const catchUp = setInterval(() => (indexer.indexed = Math.min(head, indexer.indexed + 5)), 100);
    const started = Date.now();
    try {
      await follower.wait();
    } finally {
      clearInterval(catchUp);
    }
    // 35 blocks at 5 per 100 ms: about 700 ms.
    expect(Date.now() - started).to.be.within(500, 5_000);
    expect(head - indexer.indexed).to.be.at.most(15);
    expect(head - indexer.indexed).to.be.at.least(10);
  });

  it("test_wait_readsTheStatusAtMostOncePerInterval", async function () {
    indexer.indexed = 100;
    const follower = new IndexerFollower(chain, { url: indexer.url, checkEveryMs: 60_000 });
    for (let i = 0; i < 50; i++) await follower.wait();
    expect(indexer.reads).to.equal(1);
  });

  it("test_wait_givesUpOnAnIndexerThatStopsAnswering_andSaysSo", async function () {
    indexer.indexed = 0; // far behind
    indexer.down = true;
    const warnings: string[] = [];
    const follower = new IndexerFollower(chain, {
      url: indexer.url,
      checkEveryMs: 0,
      giveUpAfterMs: 300,
      warn: (l) => warnings.push(l),
    });
    const started = Date.now();
    // Unanswered reads never hold the market; after 300 ms of silence the follower stops asking.
    while (warnings.length === 0 && Date.now() - started < 5_000) {
      await follower.wait();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(warnings).to.deep.equal([
      `the indexer at ${indexer.url} has not answered for 0.3 s: the market no longer waits for it`,
    ]);
    const reads = indexer.reads;
    indexer.down = false;
    await follower.wait();
    expect(indexer.reads, "no more reads once given up").to.equal(reads);
  });

  it("test_wait_neverHoldsTheMarketForAnIndexerThatDiesMidWait", async function () {
    indexer.indexed = 0; // far behind, and never catching up
    const follower = new IndexerFollower(chain, { url: indexer.url, checkEveryMs: 0 });
    setTimeout(() => (indexer.down = true), 300);
    const started = Date.now();
    await follower.wait();
    expect(Date.now() - started).to.be.within(250, 3_000);
  });

  it("test_wait_returnsWhenTheChainGoesAway", async function () {
    indexer.indexed = 0; // far behind
    let chainUp = true;
    const flaky = {
      headBlock: async () => (chainUp ? head : Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545"))),
    };
    const follower = new IndexerFollower(flaky, { url: indexer.url, checkEveryMs: 0 });
    // Ctrl-C stops the chain with the simulator: a wait in progress must end, not throw.
    setTimeout(() => (chainUp = false), 300);
    const started = Date.now();
    await follower.wait();
    expect(Date.now() - started).to.be.within(250, 3_000);
  });

  it("test_stop_endsAWaitInProgress", async function () {
    indexer.indexed = 0; // never catches up
    const follower = new IndexerFollower(chain, { url: indexer.url, checkEveryMs: 0 });
    setTimeout(() => follower.stop(), 300);
    const started = Date.now();
    await follower.wait();
    expect(Date.now() - started).to.be.within(250, 3_000);
  });

  it("test_constructor_rejectsALimitBelowOneBlock", function () {
    expect(() => new IndexerFollower(chain, { url: indexer.url, maxLag: 0 })).to.throw(
      "maxLag must be a whole number of blocks >= 1, got 0",
    );
  });
});
