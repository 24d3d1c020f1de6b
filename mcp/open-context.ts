// Builds the MCP server's context from its parts: the chain connection (key from the environment), the
// config's indexer and data folder, the spend ledger, and node discovery through providers' on-chain
// profiles.
import { join } from "node:path";

import type { Context } from "../cli/lib/context.ts";
import { indexerUrl } from "../cli/lib/quote.ts";
import { findNodeApi, IndexerClient } from "../sdk/index.ts";
import type { McpConfig } from "./config.ts";
import { serialQueue, type McpContext } from "./context.ts";
import { SpendLedger } from "./spend-ledger.ts";

/** The spend ledger's file under a data folder. */
export function ledgerPath(dataDir: string): string {
  return join(dataDir, "mcp-spend.db");
}

/** The context of a server on `chain` with `config`; `dataDir` holds the spend ledger unless the config names one. */
export function openMcpContext(chain: Context, config: McpConfig, dataDir: string): McpContext {
  if (chain.signer === undefined) throw new Error("the MCP server needs the account's signer");
  return {
    chain,
    config,
    indexer: new IndexerClient({ url: config.indexerUrl ?? indexerUrl() }),
    ledger: new SpendLedger(ledgerPath(config.dataDir ?? dataDir)),
    nodeApiOf: (provider) => findNodeApi(chain.protocol.registry, provider),
    exclusive: serialQueue(),
  };
}
