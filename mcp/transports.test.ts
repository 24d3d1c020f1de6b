// The transports on a real local chain: `gridlease mcp` on stdio (the CLI process, key from the environment),
// and Streamable HTTP, which answers on loopback with the bearer token and refuses a request without it (or
// with another token) with 401, before any MCP handling.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
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
const DEPLOYMENT = `mcp-transports-${process.pid}`;
const ROOT = join(import.meta.dirname, "..");
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
  chain = await startLocalChain(DEPLOYMENT);
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

describe("gridlease mcp (stdio)", () => {
  it("serves an MCP client over stdio with the key from the environment, never printing it", async () => {
    const configFile = join(dataDir, "mcp.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        maxPerJobUsd: "1",
        maxPerDayUsd: "5",
        maxPricePerGpuHourUsd: "3",
        allowedPaymentTokens: ["usdc"],
        allowedGpuModels: ["H100"],
      }),
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, "cli", "gridlease.ts"), "mcp", "--config", configFile, "--data-dir", join(dataDir, "stdio")],
      env: {
        PATH: process.env.PATH ?? "",
        GRIDLEASE_RPC_URL: chain.rpcUrl,
        GRIDLEASE_DEPLOYMENT: join(ROOT, "ignition", "deployments", DEPLOYMENT),
        GRIDLEASE_PRIVATE_KEY: chain.wallets.renter.privateKey,
      },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "stdio-agent", version: "1" });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(12);
    const balances = (await client.callTool({ name: "balances", arguments: {} })) as CallToolResult;
    expect(balances.structuredContent).toMatchObject({ account: chain.wallets.renter.address });
    const text = JSON.stringify(balances);
    await client.close();
    expect(stderr).toContain(`serving on stdio for ${chain.wallets.renter.address}`);
    const key = chain.wallets.renter.privateKey.slice(2).toLowerCase();
    expect(`${stderr}${text}`.toLowerCase()).not.toContain(key);
  }, 60_000);
});

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
