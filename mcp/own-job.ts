// A job the agent may act on: it exists, and the agent's account posted it. Another renter's job is
// refused before anything is read from its node or sent to the chain.
import { loadJob, type LoadedJob } from "../cli/lib/jobs.ts";
import { parseJobId } from "../cli/lib/parse.ts";
import { signerOf } from "../cli/lib/context.ts";
import type { McpContext } from "./context.ts";
import { NodeClient } from "../sdk/index.ts";
import { ToolRefusal } from "./tool-result.ts";

/** Loads job `jobIdText` and checks that the agent's account is its renter. */
export async function ownJob(mcp: McpContext, jobIdText: string): Promise<LoadedJob> {
  const loaded = await loadJob(mcp.chain, parseJobId(jobIdText));
  const me = signerOf(mcp.chain).address;
  if (loaded.job.renter.toLowerCase() !== me.toLowerCase()) {
    throw new ToolRefusal(
      "NOT_YOUR_JOB",
      `Job #${loaded.jobId} was posted by another renter (${loaded.job.renter}), not by this server's account ${me}: ` +
        "it can act only on its own jobs.",
    );
  }
  return loaded;
}

/** The node of the provider that holds the job, for signed requests. */
export async function nodeOfJob(mcp: McpContext, loaded: LoadedJob): Promise<NodeClient> {
  if (/^0x0{40}$/i.test(loaded.job.provider)) {
    throw new ToolRefusal(
      "NO_PROVIDER_YET",
      `Job #${loaded.jobId} has no provider yet (state ${loaded.state}): wait until a provider accepts or wins it.`,
    );
  }
  return new NodeClient({
    url: await mcp.nodeApiOf(loaded.job.provider),
    chainId: mcp.chain.chainId,
    market: mcp.chain.addresses.JobMarket,
    signer: signerOf(mcp.chain),
  });
}
