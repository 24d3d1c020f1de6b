// `gridlease renter quote` on a real local chain with the SDK's stand-in indexer: the pre-check as JSON, the
// same answer the MCP server's quote_job gives (both call quoteJob through cli/lib/quote.ts), and bad input
// refused with exit status 2.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

import { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startLocalChain, type LocalChain } from "../../../node/e2e/local-chain.ts";
import { IndexerClient } from "../../../sdk/index.ts";
import { page, PROVIDER_ROW } from "../../../sdk/indexer/canned.ts";
import { startTestIndexer, type TestIndexer } from "../../../sdk/indexer/test-server.ts";
import type { Context } from "../../lib/context.ts";
import { toJson } from "../../lib/output.ts";
import { quoteOnChain } from "../../lib/quote.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const DEPLOYMENT = `cli-quote-${process.pid}`;

let chain: LocalChain;
let indexer: TestIndexer;

beforeAll(async () => {
  chain = await startLocalChain(DEPLOYMENT);
  const address = chain.wallets.provider.address.toLowerCase();
  indexer = await startTestIndexer((request) =>
    request.query?.includes("QuoteCapacity") === true
      ? {
          root: {
            gpuLines: page([{ provider: address, count: 1, leased: 0, vramGb: 80, listed: true }], 1, "l1"),
            providers: page(
              [{ ...PROVIDER_ROW, address, listedGpus: 1, freeStake: "2000000000000000000000" }],
              1,
              "p1",
            ),
          },
        }
      : { root: { jobs: page([], 0, null) } },
  );
}, 300_000);

afterAll(async () => {
  await indexer?.close();
  await chain?.stop();
}, 60_000);

async function quote(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GRIDLEASE_RPC_URL: chain.rpcUrl,
    GRIDLEASE_DEPLOYMENT: join(ROOT, "ignition", "deployments", DEPLOYMENT),
    GRIDLEASE_INDEXER_URL: indexer.url,
  };
  delete env.GRIDLEASE_PRIVATE_KEY;
  const run = promisify(execFile)(
    process.execPath,
    [join(ROOT, "cli", "gridlease.ts"), "renter", "quote", ...args, "--json"],
    {
      env,
    },
  );
  try {
    const { stdout } = await run;
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, json: JSON.parse(failed.stdout) as Record<string, unknown> };
  }
}

describe("gridlease renter quote", () => {
  it("prints the pre-check, the same answer as the MCP server's quote_job", async () => {
    const { code, json } = await quote(["--model", "h100", "--hours", "2", "--max-price", "1.80"]);
    expect(code).toBe(0);
    expect(json.quote).toMatchObject({
      model: "H100",
      eligibleProviders: 1,
      freeGpus: 1,
      budgetUsd: "3600000000000000000",
    });
    const rpc = new JsonRpcProvider(chain.rpcUrl, 31337, { staticNetwork: true });
    const context: Context = {
      rpcUrl: chain.rpcUrl,
      provider: rpc,
      chainId: chain.chainId,
      deploymentFolder: join(ROOT, "ignition", "deployments", DEPLOYMENT),
      addresses: chain.as.stranger.addresses,
      protocol: chain.as.stranger,
      stablecoin: chain.as.stranger.usdc,
      signer: undefined,
      account: undefined,
    };
    const shared = await quoteOnChain(context, new IndexerClient({ url: indexer.url }), {
      model: "H100",
      gpus: 1,
      durationSeconds: 7_200n,
      maxPricePerGpuHour: 1_800_000_000_000_000_000n,
    });
    rpc.destroy();
    expect(JSON.parse(toJson(shared))).toEqual(json.quote);
  }, 60_000);

  it("refuses bad input with exit status 2", async () => {
    expect(await quote(["--model", "H999", "--hours", "1"])).toMatchObject({
      code: 2,
      json: { error: { message: expect.stringMatching(/Unknown GPU model "H999"/) } },
    });
    expect((await quote(["--model", "H100", "--hours", "-1"])).code).toBe(2);
    expect((await quote(["--model", "H100", "--hours", "1", "--max-price", "abc"])).code).toBe(2);
  }, 60_000);
});
