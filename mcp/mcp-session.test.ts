// A full agent session through the MCP SDK's Client, in process, against a real local chain, a real provider
// node on Podman and the SDK's stand-in indexer: quote, run the example batch workload as an instant job
// within the limits, status and logs, verify the results, settle; a second job over the daily limit is
// refused with nothing sent, and a restarted server still counts the day's spend. Bad input of every tool is
// a clear tool error and the server keeps serving; the key never appears in any output.
import { writeFileSync } from "node:fs";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { encodeBytes32String, parseUnits } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PricingRule } from "../sdk/index.ts";

import type { McpConfig } from "./config.ts";
import { parseMcpConfig } from "./config.ts";
import { RESOURCE_URIS } from "./resources.ts";
import { createGridleaseMcpServer } from "./server.ts";
import { startMcpTestStack, type McpTestStack } from "./test-stack.ts";

const CONFIG: McpConfig = parseMcpConfig({
  maxPerJobUsd: "0.4",
  maxPerDayUsd: "0.5",
  maxPricePerGpuHourUsd: "3",
  allowedPaymentTokens: ["usdc"],
  allowedGpuModels: ["H100"],
  maxCreditPurchaseGrl: "10",
});

let stack: McpTestStack;
let client: Client;
/** Every text and structured answer the agent saw, to search for the key. */
const outputs: string[] = [];
const transcript: string[] = [];

async function connectClient(): Promise<Client> {
  const server = createGridleaseMcpServer(stack.context(CONFIG), "test");
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const agent = new Client({ name: "test-agent", version: "1" });
  await agent.connect(clientSide);
  return agent;
}

async function call(name: string, args: Record<string, unknown>, agent: Client = client): Promise<CallToolResult> {
  const result = (await agent.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
  outputs.push(text, JSON.stringify(result.structuredContent ?? {}));
  const firstLine = text.split("\n")[0];
  // The spec is the example batch workload on the offline test image, its input served by the test.
  const shown = "spec" in args ? { ...args, spec: "<examples/workloads/batch.json>" } : args;
  transcript.push(`> ${name} ${JSON.stringify(shown)}`, `< ${result.isError === true ? "error: " : ""}${firstLine}`);
  const files = (result.structuredContent as { outputs?: { path: string; text: string | null }[] } | undefined)
    ?.outputs;
  for (const output of files ?? []) transcript.push(`<   ${output.path}: ${JSON.stringify(output.text)}`);
  return result;
}

function data(result: CallToolResult): Record<string, unknown> {
  expect(result.isError, JSON.stringify(result.content)).not.toBe(true);
  return result.structuredContent as Record<string, unknown>;
}

function refusal(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

beforeAll(async () => {
  stack = await startMcpTestStack("mcp-session");
  client = await connectClient();
}, 300_000);

afterAll(async () => {
  writeTranscript();
  await client?.close();
  await stack?.stop();
}, 60_000);

describe("gridlease MCP server, an agent session on the local stack", () => {
  let jobId: string;

  it("lists every tool, each with a JSON input schema, and the resources", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      [
        "balances",
        "buy_credits",
        "dispute_job",
        "get_results",
        "gpu_prices",
        "job_logs",
        "job_status",
        "post_job",
        "quote_job",
        "run_workload",
        "settle_job",
        "stop_job",
      ].sort(),
    );
    for (const tool of tools) expect(tool.inputSchema.type).toBe("object");
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri).sort()).toEqual(Object.values(RESOURCE_URIS).sort());
    const schema = await client.readResource({ uri: RESOURCE_URIS.workloadSpecSchema });
    expect(JSON.parse((schema.contents[0] as { text: string }).text)).toHaveProperty("oneOf");
    const params = await client.readResource({ uri: RESOURCE_URIS.marketParameters });
    expect(JSON.parse((params.contents[0] as { text: string }).text)).toMatchObject({ feeBps: 250 });
    const graphql = await client.readResource({ uri: RESOURCE_URIS.graphqlSchema });
    expect((graphql.contents[0] as { text: string }).text).toContain("type Query");
  });

  it("quotes H100, runs the example batch workload as an instant job, reads status and logs, verifies and settles", async () => {
    const started = Date.now();
    const prices = data(await call("gpu_prices", { model: "H100" }));
    expect(prices.models).toHaveLength(1);
    const quote = data(await call("quote_job", { model: "H100", gpus: 1, hours: "0.1", max_price_per_gpu_hour: "2" }));
    expect(quote.quote).toMatchObject({
      model: "H100",
      eligibleProviders: 1,
      freeGpus: 1,
      budgetUsd: "200000000000000000",
    });

    const run = data(
      await call("run_workload", {
        model: "H100",
        gpus: 1,
        hours: "0.1",
        max_price_per_gpu_hour: "2",
        spec: stack.spec,
        timeout_minutes: 4,
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`MCP agent: first call to verified results in ${seconds.toFixed(1)} s`);
    expect(run).toMatchObject({ verified: true, mismatches: [], budgetUsd: "$0.20" });
    jobId = String(run.jobId);
    const outputsByPath = Object.fromEntries(
      (run.outputs as { path: string; text: string | null }[]).map((output) => [output.path, output.text]),
    );
    expect(Object.keys(outputsByPath)).toEqual(["sorted.txt", "sum.json"]);

    const status = data(await call("job_status", { job_id: jobId }));
    expect(status.job).toMatchObject({ state: "Delivered", result: { resultHash: run.resultHash } });
    const logs = data(await call("job_logs", { job_id: jobId }));
    expect(typeof logs.logs).toBe("string");
    const results = data(await call("get_results", { job_id: jobId }));
    expect(results).toMatchObject({ verified: true, manifestHash: run.resultHash });

    // Verified: the agent, the job's renter, accepts the result at once (no need to wait out the challenge window).
    const settled = data(await call("settle_job", { job_id: jobId }));
    expect(settled.job).toMatchObject({ state: "Settled" });
    transcript.push(`(first call to verified results: ${seconds.toFixed(1)} s)`);
  }, 300_000);

  it("refuses a second job over the daily limit and sends nothing (the nonce is unchanged)", async () => {
    const me = stack.renterChain.account as string;
    const nonce = await stack.chain.provider.getTransactionCount(me);
    const over = refusal(
      await call("post_job", { model: "H100", gpus: 1, hours: "0.2", max_price_per_gpu_hour: "2", spec: stack.spec }),
    );
    expect(over).toMatch(/\$0\.20 of today's \$0\.50 limit is spent/);
    expect(over).toMatch(/Nothing was sent/);
    expect(await stack.chain.provider.getTransactionCount(me)).toBe(nonce);
  });

  it("keeps the day's spend across a restart of the server", async () => {
    const restarted = await connectClient();
    const balances = data(await call("balances", {}, restarted));
    expect(balances.limits).toMatchObject({ spentTodayUsd: "0.2", leftTodayUsd: "0.3" });
    refusal(
      await call(
        "post_job",
        { model: "H100", gpus: 1, hours: "0.2", max_price_per_gpu_hour: "2", spec: stack.spec },
        restarted,
      ),
    );
    await restarted.close();
  });

  it("answers every tool's bad input with a clear tool error and keeps serving", async () => {
    // A job of another renter, posted straight on the chain by the stranger (an A100 auction nobody serves).
    const othersJob = (await strangersJob()).toString();

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["gpu_prices", { model: "H999" }, /Unknown GPU model "H999"/],
      ["quote_job", { model: "H999", hours: "1" }, /Unknown GPU model "H999"/],
      ["quote_job", { model: "H100", hours: "-1" }, /hours must be a positive number/],
      ["quote_job", { model: "H100", hours: "1", max_price_per_gpu_hour: "1.2.3" }, /dollar amount/],
      ["post_job", { model: "H100", hours: "0.1", max_price_per_gpu_hour: "-2", spec: stack.spec }, /dollar amount/],
      [
        "post_job",
        { model: "A100", hours: "0.1", max_price_per_gpu_hour: "1", spec: stack.spec },
        /may rent only H100/,
      ],
      [
        "post_job",
        { model: "H100", hours: "0.1", max_price_per_gpu_hour: "5", spec: stack.spec },
        /above this server's limit/,
      ],
      [
        "post_job",
        { model: "H100", hours: "9", max_price_per_gpu_hour: "2", spec: stack.spec },
        /limit of \$0\.40 per job/,
      ],
      [
        "post_job",
        { model: "H100", hours: "0.1", max_price_per_gpu_hour: "1", pay: "credits", spec: stack.spec },
        /pay only in usdc/,
      ],
      [
        "post_job",
        { model: "H100", hours: "0.1", max_price_per_gpu_hour: "1", spec: { kind: "batch" } },
        /workload spec is invalid/,
      ],
      ["post_job", { model: "H100", hours: "0.1", max_price_per_gpu_hour: "1" }, /exactly one of spec/],
      [
        "run_workload",
        { model: "H100", hours: "0.1", max_price_per_gpu_hour: "1", spec: { image: "x" } },
        /workload spec is invalid/,
      ],
      ["job_status", { job_id: "999" }, /There is no job #999/],
      ["job_status", { job_id: "abc" }, /job_id must be a job number/],
      ["job_status", { job_id: othersJob }, /posted by another renter/],
      ["job_logs", { job_id: othersJob }, /posted by another renter/],
      ["get_results", { job_id: othersJob }, /posted by another renter/],
      ["stop_job", { job_id: othersJob }, /posted by another renter/],
      ["settle_job", { job_id: othersJob }, /posted by another renter/],
      ["settle_job", { job_id: "999" }, /There is no job #999/],
      ["dispute_job", { job_id: othersJob, evidence: "bad output" }, /posted by another renter/],
      ["dispute_job", { job_id: jobId }, /exactly one of evidence/],
      ["dispute_job", { job_id: jobId, evidence_hash: "0x12" }, /evidence_hash must be 0x/],
      ["stop_job", { job_id: jobId }, /Nothing was sent/],
      ["buy_credits", { grl: "-5" }, /GRL|decimal/],
      ["buy_credits", { grl: "100" }, /more than 10 GRL/],
      ["buy_credits", { grl: "1", slippage_percent: "300" }, /at most 100/],
    ];
    const me = stack.renterChain.account as string;
    const nonce = await stack.chain.provider.getTransactionCount(me);
    for (const [tool, args, expected] of cases) {
      const result = await call(tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}: ${JSON.stringify(result.content)}`).toBe(true);
      expect(refusal(result), `${tool} ${JSON.stringify(args)}`).toMatch(expected);
    }
    expect(await stack.chain.provider.getTransactionCount(me)).toBe(nonce);
    // Still serving.
    expect(data(await call("balances", {})).account).toBe(me);
  });

  it("never shows the private key in any output", () => {
    const key = stack.chain.wallets.renter.privateKey.slice(2).toLowerCase();
    expect(outputs.length).toBeGreaterThan(40);
    for (const output of outputs) expect(output.toLowerCase()).not.toContain(key);
  });
});

/** Writes the session's transcript (for the README) where GRIDLEASE_MCP_TRANSCRIPT says. */
function writeTranscript(): void {
  const target = process.env.GRIDLEASE_MCP_TRANSCRIPT;
  if (target !== undefined) writeFileSync(target, `${transcript.join("\n")}\n`);
}

/** Posts a sealed A100 auction as the stack's stranger (not the agent's renter); returns its job id. */
async function strangersJob(): Promise<bigint> {
  const { stranger } = stack.chain.as;
  const usdc = stranger.usdc!;
  const budget = parseUnits("10", 6);
  await (await usdc.mint(stack.chain.wallets.stranger.address, budget)).wait();
  await (await usdc.approve(await stranger.market.getAddress(), budget)).wait();
  await (
    await stranger.market.createJob({
      paymentToken: await usdc.getAddress(),
      gpuModel: encodeBytes32String("A100"),
      gpuCount: 1,
      minVramGb: 80,
      region: 0,
      minReputation: 0,
      duration: 600,
      reservePricePerGpuHour: parseUnits("0.1", 6),
      pricingRule: PricingRule.valueOf("FirstPrice"),
      bidWindow: 600,
      revealWindow: 600,
      specHash: `0x${"11".repeat(32)}`,
    })
  ).wait();
  return (await stranger.market.jobCount()) as bigint;
}
