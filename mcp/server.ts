// The Gridlease MCP server: every tool and resource on one McpServer, over the agent's context. The
// transport (stdio or Streamable HTTP) is chosen by the caller.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

import type { McpContext } from "./context.ts";
import { registerResources } from "./resources.ts";
import { registerAccountTools } from "./tools/account-tools.ts";
import { registerJobActionTools } from "./tools/job-action-tools.ts";
import { registerJobReadTools } from "./tools/job-read-tools.ts";
import { registerMarketTools } from "./tools/market-tools.ts";
import { registerPostJobTool } from "./tools/post-job-tool.ts";
import { registerRunWorkloadTool } from "./tools/run-workload-tool.ts";

export const MCP_SERVER_NAME = "gridlease";

/** A new MCP server over `mcp` (one per transport session). */
export function createGridleaseMcpServer(mcp: McpContext, version: string): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version },
    {
      instructions:
        "Rent GPUs on the Gridlease market. Start with quote_job, then run_workload (or post_job), read job_status and " +
        "job_logs, verify with get_results, and settle_job once they verify (the renter may settle at once; dispute_job if results do not " +
        "verify). Spending limits are fixed by the server's operator; balances shows them.",
    },
  );
  registerMarketTools(server, mcp);
  registerPostJobTool(server, mcp);
  registerRunWorkloadTool(server, mcp);
  registerJobReadTools(server, mcp);
  registerJobActionTools(server, mcp);
  registerAccountTools(server, mcp);
  registerResources(server, mcp);
  return server;
}
