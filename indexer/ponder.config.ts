import { createConfig } from "ponder";
import { zeroAddress } from "viem";

import { GridleaseTokenAbi } from "../sdk/abis/GridleaseToken.ts";
import { JobMarketAbi } from "../sdk/abis/JobMarket.ts";
import { ProviderRegistryAbi } from "../sdk/abis/ProviderRegistry.ts";
import { SettlementAbi } from "../sdk/abis/Settlement.ts";
import { loadIndexerDeployment } from "./deployment.ts";

const deployment = loadIndexerDeployment();
const local = deployment.chainId === 31337;

export default createConfig({
  // PGlite (embedded) unless DATABASE_URL names a PostgreSQL server: `ponder dev` vs production `ponder start`.
  // scripts/run.ts may put PGlite's files elsewhere (GRIDLEASE_PGLITE_DIR; default indexer/.ponder/pglite).
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
    : { kind: "pglite", ...(process.env.GRIDLEASE_PGLITE_DIR ? { directory: process.env.GRIDLEASE_PGLITE_DIR } : {}) },
  chains: {
    gridlease: {
      id: deployment.chainId,
      rpc: deployment.rpcUrls,
      // A local node restarts from genesis under the same chain id: never answer from Ponder's RPC cache.
      disableCache: local,
      pollingInterval: local ? 250 : 1_000,
    },
  },
  contracts: {
    GridleaseToken: {
      chain: "gridlease",
      abi: GridleaseTokenAbi,
      address: deployment.addresses.GridleaseToken,
      startBlock: deployment.startBlock,
      // Only transfers from the zero address (issuance, the genesis supply included), for the total supply.
      filter: { event: "Transfer", args: { from: zeroAddress } },
    },
    ProviderRegistry: {
      chain: "gridlease",
      abi: ProviderRegistryAbi,
      address: deployment.addresses.ProviderRegistry,
      startBlock: deployment.startBlock,
    },
    JobMarket: {
      chain: "gridlease",
      abi: JobMarketAbi,
      address: deployment.addresses.JobMarket,
      startBlock: deployment.startBlock,
    },
    Settlement: {
      chain: "gridlease",
      abi: SettlementAbi,
      address: deployment.addresses.Settlement,
      startBlock: deployment.startBlock,
    },
  },
  blocks: {
    // Ticks the hourly clock on blocks without protocol events, so every hour gets its rows.
    Clock: {
      chain: "gridlease",
      startBlock: deployment.startBlock,
      interval: deployment.clockBlocks,
    },
  },
});
