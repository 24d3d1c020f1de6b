// The Streamable HTTP transport of `gridlease mcp --http <port>`: bound to 127.0.0.1 unless a host is
// given, and every request must carry `Authorization: Bearer <token>` (the token from the environment);
// anything else is refused with 401 before it reaches the MCP server. Stateless: each request gets a
// fresh server and transport over the same context, so no session state can leak between clients.
import { timingSafeEqual, createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

/** The environment variable the HTTP transport's bearer token is read from. */
export const MCP_TOKEN_ENV = "GRIDLEASE_MCP_TOKEN";
/** The path the MCP endpoint answers on. */
export const MCP_HTTP_PATH = "/mcp";
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface McpHttpOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  token: string;
  createServer: () => McpServer;
  log?: (message: string) => void;
}

export interface McpHttpServer {
  url: string;
  close(): Promise<void>;
}

function sameToken(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function reply(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

async function handle(options: McpHttpOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (path !== MCP_HTTP_PATH) return reply(response, 404, `Not found: the MCP endpoint is ${MCP_HTTP_PATH}.`);
  const header = request.headers.authorization ?? "";
  const match = /^Bearer (.+)$/.exec(header);
  if (match === null || !sameToken(match[1], options.token)) {
    return reply(
      response,
      401,
      "Unauthorized: send Authorization: Bearer <token> (the server's GRIDLEASE_MCP_TOKEN).",
      {
        "www-authenticate": 'Bearer realm="gridlease-mcp"',
      },
    );
  }
  if (request.method !== "POST") {
    return reply(response, 405, "This server is stateless: send JSON-RPC requests with POST.", { allow: "POST" });
  }
  let body: unknown;
  try {
    body = await readJson(request);
  } catch (error) {
    return reply(response, 400, `Bad request: ${(error as Error).message}.`);
  }
  const server = options.createServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  response.on("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(request, response, body);
}

/** Starts the HTTP transport; resolves once it listens. */
export async function startMcpHttp(options: McpHttpOptions): Promise<McpHttpServer> {
  if (options.token.trim() === "") throw new Error(`${MCP_TOKEN_ENV} is empty: set a long random token.`);
  const log = options.log ?? (() => {});
  const http: Server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      log(`mcp http: ${(error as Error).message}`);
      if (!response.headersSent) reply(response, 500, "Internal error.");
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}${MCP_HTTP_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
