// The harness's ports: a test run picks a free block of ports, and a local node never starts on (and
// so never answers for) a port another process holds.
import { createServer, type Server } from "node:net";

import { expect } from "chai";

import { LocalChain } from "../../indexer/harness/chain.ts";
import { freePorts, portIsFree } from "../../scripts/start/ports.ts";

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe("indexer harness ports", function () {
  let held: Server | undefined;
  let from: number;

  beforeEach(async function () {
    from = await freePorts(8660, 4);
  });

  afterEach(async function () {
    if (held) await close(held);
    held = undefined;
  });

  it("test_freePorts_skipsABlockWithATakenPort", async function () {
    held = await listen(from + 1);
    expect(await portIsFree(from + 1)).to.equal(false);
    const chosen = await freePorts(from, 2);
    expect(chosen).to.be.greaterThan(from + 1);
    expect(await portIsFree(chosen)).to.equal(true);
    expect(await portIsFree(chosen + 1)).to.equal(true);
  });

  it("test_freePorts_returnsTheStartWhenTheBlockIsFree", async function () {
    expect(await freePorts(from, 4)).to.equal(from);
  });

  it("test_start_refusesAPortAnotherProcessHolds", async function () {
    held = await listen(from);
    const chain = new LocalChain(from);
    let error: unknown;
    try {
      await chain.start();
    } catch (e) {
      error = e;
    } finally {
      chain.stop();
    }
    expect(String(error)).to.contain(`port ${from} is in use`);
  });
});
