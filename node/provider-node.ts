// The provider node assembled: state store, container runtime, chain client, executor and HTTP API, in one
// object the `gridlease node` command (and the tests) start and stop. On start it resumes every job its
// state store holds before it takes new specs.
import { join } from "node:path";

import type { Signer } from "ethers";

import { connectProtocol } from "../sdk/contracts.ts";
import { providerProfile, type DeployedAddresses } from "../sdk/index.ts";
import { containerApiRuntime } from "./api/container-api-runtime.ts";
import { startNodeApi, type NodeApi } from "./api/node-api.ts";
import { JobMarketClient } from "./chain/node-market.ts";
import { JobExecutor } from "./executor/job-executor.ts";
import { ContainerRuntime } from "./runtime/container-runtime.ts";
import { NodeStateStore } from "./state/node-state-store.ts";

/** Options of {@link startProviderNode}. */
export interface ProviderNodeOptions {
  chainId: bigint;
  addresses: DeployedAddresses;
  /** The provider's signer, connected to the chain's RPC (a NonceManager-wrapped wallet for concurrent jobs). */
  signer: Signer;
  /** The node's folder: `node.db` (state), `jobs/` and `store/` (the runtime's files). */
  dataDir: string;
  /** The container engine's API socket (Docker or Podman). */
  socketPath: string;
  /** The API's address; default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
  log?: (message: string) => void;
  /** Where renters reach the API (its profile names it); default the API's own URL. */
  publicUrl?: string;
  /** Executor retry tuning (tests shorten it). */
  retryDelayMs?: number;
}

/** A running provider node. */
export interface ProviderNode {
  api: NodeApi;
  executor: JobExecutor;
  store: NodeStateStore;
  runtime: ContainerRuntime;
  market: JobMarketClient;
  /** The URL renters reach the API at (the profile's `nodeApi`). */
  publicUrl: string;
  /** Records a job the provider won or accepted, so that the node takes its spec. */
  holdJob(jobId: bigint): void;
  /** Stops taking requests, waits for the drives in progress, closes the state store. */
  stop(): Promise<void>;
}

/** Starts the node: opens its state, resumes its jobs in the background, and listens. */
export async function startProviderNode(options: ProviderNodeOptions): Promise<ProviderNode> {
  const log = options.log ?? ((message: string) => console.error(message));
  const protocol = connectProtocol(options.chainId, options.addresses, options.signer);
  const market = new JobMarketClient(
    protocol.market,
    options.chainId,
    await options.signer.getAddress(),
    protocol.settlement,
  );
  const store = new NodeStateStore(join(options.dataDir, "node.db"));
  const runtime = new ContainerRuntime({
    chainId: options.chainId,
    socketPath: options.socketPath,
    dataDir: options.dataDir,
  });
  const executor = new JobExecutor({ store, market, runtime, log, retryDelayMs: options.retryDelayMs });
  const api = await startNodeApi({
    store,
    market,
    runtime: containerApiRuntime(runtime),
    host: options.host,
    port: options.port,
    log,
    onSpec: (jobId) => void executor.drive(jobId),
    profile: () => providerProfile(market.provider, options.publicUrl ?? api.url),
  });
  void executor.resume();
  log(`provider node for ${market.provider} listening on ${api.url}`);
  return {
    api,
    executor,
    store,
    runtime,
    market,
    publicUrl: options.publicUrl ?? api.url,
    holdJob: (jobId) => void store.recordWon(jobId),
    async stop() {
      await api.close();
      await executor.idle();
      store.close();
    },
  };
}
