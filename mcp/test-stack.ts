// Test support for the MCP server's tests (no entry point exports it): a real local chain with the
// protocol, a real provider node on Podman whose on-chain profile points at its API, a scripted provider
// that accepts every instant job it can (what its bidding agent does), the example batch workload with its
// input served locally, and the SDK's stand-in indexer answering over the real GraphQL schema with rows
// that describe this chain's provider.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { JsonRpcProvider, Wallet, type Signer } from "ethers";

import type { Context } from "../cli/lib/context.ts";
import { connectProtocol } from "../sdk/contracts.ts";
import { JobState, parseWorkloadSpec, profileUriFor, providerProfile, type WorkloadSpec } from "../sdk/index.ts";
import { CANNED, DISPUTED_JOB, GPU_MODELS, h100Metric, page, PROVIDER_ROW } from "../sdk/indexer/canned.ts";
import { startTestIndexer, type TestIndexer } from "../sdk/indexer/test-server.ts";
import { startLocalChain, type LocalChain } from "../node/e2e/local-chain.ts";
import { startProviderNode, type ProviderNode } from "../node/provider-node.ts";
import { ensureTestEngine } from "../node/runtime/test-engine.ts";
import type { McpConfig } from "./config.ts";
import type { McpContext } from "./context.ts";
import { openMcpContext } from "./open-context.ts";
import type { SpendLedger } from "./spend-ledger.ts";

const EXAMPLES = join(import.meta.dirname, "..", "examples", "workloads");

export interface McpTestStack {
  chain: LocalChain;
  node: ProviderNode;
  indexer: TestIndexer;
  spec: WorkloadSpec;
  dataDir: string;
  /** A new server context for the renter, opened as `gridlease mcp` opens it (the same ledger file each time: a restart). */
  context(config: McpConfig): McpContext;
  /** The renter's context of the CLI kind. */
  renterChain: Context;
  stop(): Promise<void>;
}

function serve(handler: (path: string) => Uint8Array | string | undefined): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const body = handler(new URL(request.url ?? "/", "http://localhost").pathname);
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }),
    ),
  );
}

/** Accepts and starts every instant job in Bidding that the provider can take, and tells the node. */
function scriptedProvider(chain: LocalChain, node: ProviderNode, accepted: bigint[]): () => void {
  let seen = 0n;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        const count = await chain.as.provider.market.jobCount();
        for (let id = seen + 1n; id <= count; id++) {
          seen = id;
          const job = await chain.as.provider.market.jobOf(id);
          if (Number(job.state) !== JobState.valueOf("Bidding") || Number(job.pricingRule) !== 2) continue;
          await (await chain.as.provider.market.acceptInstantAndStart(id)).wait();
          node.holdJob(id);
          accepted.push(id);
        }
      } catch {
        // A job another account cannot give us (not eligible, already taken): leave it.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

/** The stand-in indexer's rows for this chain's provider: one H100, online, staked. */
function indexerAnswers(provider: string) {
  const address = provider.toLowerCase();
  return (request: { query?: string }) => {
    const query = request.query ?? "";
    if (query.includes("QuoteCapacity")) {
      return {
        root: {
          gpuLines: page([{ provider: address, count: 1, leased: 0, vramGb: 80, listed: true }], 1, "l1"),
          providers: page(
            [{ ...PROVIDER_ROW, address, listedGpus: 1, freeStake: "2000000000000000000000", lockedStake: "0" }],
            1,
            "p1",
          ),
        },
      };
    }
    if (query.includes("GpuMarket")) {
      return {
        root: {
          gpuModels: page(GPU_MODELS, 2, "g2"),
          modelMetrics: page([h100Metric("all", "0", "1650000000000000000")], 1, "m1"),
        },
      };
    }
    if (query.includes("__schema")) return { root: {} };
    return { root: { jobs: page([{ ...DISPUTED_JOB, gpuModel: CANNED.H100 }], 1, "j1") } };
  };
}

/** Starts the whole stack; `name` keeps its deployment folder apart from other tests'. */
export async function startMcpTestStack(name: string): Promise<McpTestStack> {
  const engine = ensureTestEngine();
  const numbers = readFileSync(join(EXAMPLES, "numbers.txt"));
  const inputs = await serve((path) => (path === "/numbers.txt" ? numbers : undefined));
  const example = JSON.parse(readFileSync(join(EXAMPLES, "batch.json"), "utf8")) as WorkloadSpec;
  const parsed = parseWorkloadSpec({
    ...example,
    image: engine.testImageRef,
    inputs: [{ ...example.inputs[0], url: `${inputs.url}/numbers.txt` }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  const chain = await startLocalChain(`${name}-${process.pid}`);
  const dataDir = mkdtempSync(join(tmpdir(), "gridlease-mcp-"));
  const node = await startProviderNode({
    chainId: chain.chainId,
    addresses: chain.as.provider.addresses,
    signer: chain.as.provider.market.runner as Signer,
    dataDir: join(dataDir, "node"),
    socketPath: engine.socket,
    retryDelayMs: 200,
    log: () => {},
  });
  const providerAddress = chain.wallets.provider.address;
  const profile = JSON.stringify(providerProfile(providerAddress, node.api.url));
  const profiles = await serve((path) => (path === "/profile" ? profile : undefined));
  await (await chain.as.provider.registry.updateProfile(profileUriFor(profiles.url), 0)).wait();
  const accepted: bigint[] = [];
  const stopProvider = scriptedProvider(chain, node, accepted);
  const indexer = await startTestIndexer(indexerAnswers(providerAddress));

  const rpc = new JsonRpcProvider(chain.rpcUrl, 31337, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 200 });
  const signer = new Wallet(chain.wallets.renter.privateKey, rpc);
  const protocol = connectProtocol(chain.chainId, chain.as.renter.addresses, signer);
  const renterChain: Context = {
    rpcUrl: chain.rpcUrl,
    provider: rpc,
    chainId: chain.chainId,
    deploymentFolder: "",
    addresses: chain.as.renter.addresses,
    protocol,
    stablecoin: protocol.usdc,
    signer,
    account: signer.address,
  };
  const ledgers: SpendLedger[] = [];
  return {
    chain,
    node,
    indexer,
    spec: parsed.value,
    dataDir,
    renterChain,
    context: (config) => {
      const mcp = openMcpContext(renterChain, { ...config, indexerUrl: indexer.url }, dataDir);
      ledgers.push(mcp.ledger);
      return mcp;
    },
    stop: async () => {
      stopProvider();
      for (const ledger of ledgers) ledger.close();
      rpc.destroy();
      await node.stop();
      for (const id of accepted) await node.runtime.remove(id).catch(() => {});
      await indexer.close();
      await chain.stop();
      await new Promise((resolve) => inputs.server.close(resolve));
      await new Promise((resolve) => profiles.server.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
