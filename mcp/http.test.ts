// The Streamable HTTP transport on a real local chain: it answers on loopback with the bearer token and
// refuses a request without it (or with another token) with 401, before any MCP handling.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Context } from "../cli/lib/context.ts";
import { startLocalChain, type LocalChain } from "../node/e2e/local-chain.ts";
import { connectProtocol } from "../sdk/contracts.ts";
import { parseMcpConfig } from "./config.ts";
import type { McpContext } from "./context.ts";
import { startMcpHttp, type McpHttpServer } from "./http.ts";
import { openMcpContext } from "./open-context.ts";
import { createGridleaseMcpServer } from "./server.ts";

const TOKEN = "test-token-0123456789abcdef";
const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } },
};

let chain: LocalChain;
let rpc: JsonRpcProvider;
let mcp: McpContext;
let http: McpHttpServer;
let dataDir: string;

beforeAll(async () => {
  chain = await startLocalChain(`mcp-http-${process.pid}`);
  rpc = new JsonRpcProvider(chain.rpcUrl, 31337, { staticNetwork: true, cacheTimeout: -1 });
  const signer = new Wallet(chain.wallets.renter.privateKey, rpc);
  const protocol = connectProtocol(chain.chainId, chain.as.renter.addresses, signer);
  const context: Context = {
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
  dataDir = mkdtempSync(join(tmpdir(), "gridlease-mcp-http-"));
  const config = parseMcpConfig({
    maxPerJobUsd: "1",
    maxPerDayUsd: "5",
    maxPricePerGpuHourUsd: "3",
    allowedPaymentTokens: ["usdc"],
    allowedGpuModels: ["H100"],
  });
  mcp = openMcpContext(context, config, dataDir);
  http = await startMcpHttp({ port: 0, token: TOKEN, createServer: () => createGridleaseMcpServer(mcp, "test") });
}, 300_000);

afterAll(async () => {
  await http?.close();
  mcp?.ledger.close();
  rpc?.destroy();
  await chain?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("gridlease mcp --http", () => {
  it("listens on loopback and answers an MCP client that sends the token", async () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: "http-agent", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(http.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("run_workload");
    const balances = (await client.callTool({ name: "balances", arguments: {} })) as CallToolResult;
    expect(balances.isError).not.toBe(true);
    expect(balances.structuredContent).toMatchObject({ account: chain.wallets.renter.address, usdc: "1000" });
    await client.close();
  });

  it("refuses a request without the token, or with another one, with 401", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(http.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify(INITIALIZE),
      });
    const without = await post({});
    expect(without.status).toBe(401);
    expect(((await without.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer/);
    expect((await post({ authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    expect((await post({ authorization: TOKEN })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});
