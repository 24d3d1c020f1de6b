// Test support: a provider node in a process of its own, so a test can kill -9 it and start another on the
// same data folder. Its configuration is one JSON document in GRIDLEASE_NODE_TEST_CONFIG; once listening
// it prints `{"url": ...}` on stdout. The product's entry point is `gridlease node` (cli/commands/node.ts), which also
// bids; this one runs the node alone, so the test's own account can take jobs without a bidding agent racing it.
import { JsonRpcProvider, NonceManager, Wallet } from "ethers";

import { startProviderNode } from "../provider-node.ts";

/** What the test passes to the node process. */
export interface NodeProcessConfig {
  rpcUrl: string;
  privateKey: string;
  addresses: Record<string, string>;
  dataDir: string;
  socketPath: string;
}

const config = JSON.parse(process.env.GRIDLEASE_NODE_TEST_CONFIG ?? "") as NodeProcessConfig;
const provider = new JsonRpcProvider(config.rpcUrl, 31337, {
  staticNetwork: true,
  cacheTimeout: -1,
  pollingInterval: 200,
});
const node = await startProviderNode({
  chainId: 31337n,
  addresses: config.addresses,
  signer: new NonceManager(new Wallet(config.privateKey, provider)),
  dataDir: config.dataDir,
  socketPath: config.socketPath,
  retryDelayMs: 200,
  log: (message) => console.error(message),
});
console.log(JSON.stringify({ url: node.api.url }));
