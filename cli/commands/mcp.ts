// `gridlease mcp`: the Model Context Protocol server through which AI agents rent GPUs (mcp/). Stdio by
// default; `--http <port>` serves Streamable HTTP on 127.0.0.1 (another host only with --host), with a
// bearer token from GRIDLEASE_MCP_TOKEN. The key comes from GRIDLEASE_PRIVATE_KEY; the spending limits
// from --config, which no tool can change.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { Command } from "commander";

import { loadMcpConfig } from "../../mcp/config.ts";
import { MCP_TOKEN_ENV, startMcpHttp } from "../../mcp/http.ts";
import { createGridleaseMcpServer } from "../../mcp/server.ts";
import { run } from "../lib/command.ts";
import { connectSigner } from "../lib/context.ts";
import { gridleaseHome, PROJECT_ROOT } from "../lib/env.ts";
import { CliError, EXIT_USAGE, invalidInput } from "../lib/errors.ts";
import { parseInteger } from "../lib/parse.ts";

interface McpOptions {
  config: string;
  http?: string;
  host?: string;
  dataDir?: string;
}

/** The `mcp` command. */
export function mcpCommand(): Command {
  return new Command("mcp")
    .description("serve the Model Context Protocol for AI agents (stdio, or Streamable HTTP with --http)")
    .requiredOption(
      "--config <file>",
      "the server's guard rails (JSON): per-job and per-day USD limits, allowed models and tokens",
    )
    .option("--http <port>", "serve Streamable HTTP on this port instead of stdio (needs GRIDLEASE_MCP_TOKEN)")
    .option("--host <host>", "the HTTP address to bind (default 127.0.0.1; anything else exposes the server)")
    .option("--data-dir <dir>", "where the day's spend is kept (default GRIDLEASE_HOME)")
    .action(async (opts: McpOptions, cmd: Command) =>
      run(cmd, async () => {
        let config: ReturnType<typeof loadMcpConfig>;
        try {
          config = loadMcpConfig(opts.config);
        } catch (error) {
          throw invalidInput((error as Error).message);
        }
        const port = opts.http === undefined ? undefined : Number(parseInteger(opts.http, "--http", 0n, 65_535n));
        if (opts.host !== undefined && port === undefined) throw invalidInput("--host applies to --http only.");
        const token = process.env[MCP_TOKEN_ENV]?.trim();
        if (port !== undefined && (token === undefined || token.length < 16)) {
          throw new CliError(
            "MISSING_TOKEN",
            `--http needs a bearer token of at least 16 characters in ${MCP_TOKEN_ENV}: clients send it as Authorization: Bearer <token>.`,
            { exitCode: EXIT_USAGE },
          );
        }
        const { ctx } = await connectSigner();
        // Loaded here: the spend ledger's node:sqlite prints an experimental warning that no other command should show.
        const { openMcpContext } = await import("../../mcp/open-context.ts");
        const mcp = openMcpContext(ctx, config, opts.dataDir ?? gridleaseHome());
        const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string })
          .version;
        const log = (message: string) => process.stderr.write(`${message}\n`);
        if (port === undefined) {
          const server = createGridleaseMcpServer(mcp, version);
          // The CLI exits when its command returns: serve until the client closes stdin.
          const closed = new Promise<void>((resolve) => {
            process.stdin.once("end", resolve);
            process.stdin.once("close", resolve);
            server.server.onclose = resolve;
          });
          await server.connect(new StdioServerTransport());
          log(`gridlease mcp: serving on stdio for ${ctx.account} (chain ${ctx.chainId})`);
          await closed;
          await server.close();
          mcp.ledger.close();
          return;
        }
        const http = await startMcpHttp({
          port,
          host: opts.host,
          token: token as string,
          createServer: () => createGridleaseMcpServer(mcp, version),
          log,
        });
        log(`gridlease mcp: serving Streamable HTTP on ${http.url} for ${ctx.account} (chain ${ctx.chainId})`);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await http.close();
        mcp.ledger.close();
      }),
    );
}
