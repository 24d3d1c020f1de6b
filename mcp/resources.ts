// The server's resources: the workload spec's JSON schema (from the SDK's zod schema), the indexer's
// GraphQL schema (introspected from the indexer the server uses) and the market's current parameters
// (read from the chain).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from "graphql";
import { z } from "zod";

import { formatAmount, formatBps, formatDuration, workloadSpecSchema } from "../sdk/index.ts";
import type { McpContext } from "./context.ts";
import { jsonSafe } from "./tool-result.ts";

export const RESOURCE_URIS = {
  workloadSpecSchema: "gridlease://schema/workload-spec",
  graphqlSchema: "gridlease://schema/indexer-graphql",
  marketParameters: "gridlease://market/parameters",
} as const;

/** The workload spec's JSON schema (refinements such as path checks are not expressible and are left out). */
export function workloadSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(workloadSpecSchema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
}

/** The market's current parameters, bonds and windows, as the chain has them now. */
export async function marketParameters(mcp: McpContext): Promise<Record<string, unknown>> {
  const { market, registry, settlement } = mcp.chain.protocol;
  const paramsId = await market.currentParamsId();
  const [p, minStakePerGpu, unbondingPeriod, spreadBps, usdc] = await Promise.all([
    market.marketParams(paramsId),
    registry.minStakePerGpu(),
    registry.unbondingPeriod(),
    settlement.spreadBps(),
    mcp.chain.stablecoin?.getAddress(),
  ]);
  const window = (seconds: bigint) => ({ seconds: Number(seconds), text: formatDuration(seconds) });
  return jsonSafe({
    chainId: mcp.chain.chainId,
    market: mcp.chain.addresses.JobMarket,
    paramsId: Number(paramsId),
    feeBps: Number(p.feeBps),
    fee: formatBps(p.feeBps),
    collateralBps: Number(p.collateralBps),
    holdbackBps: Number(p.holdbackBps),
    slashToRenterBps: Number(p.slashToRenterBps),
    faultSlashBps: Number(p.faultSlashBps),
    disputeBondBps: Number(p.disputeBondBps),
    maxBids: Number(p.maxBids),
    bidBondGrl: formatAmount(p.bidBond, 18),
    bidBondBps: Number(p.bidBondBps),
    startWindow: window(p.startWindow),
    challengeWindow: window(p.challengeWindow),
    disputeTimeout: window(p.disputeTimeout),
    deliveryGrace: window(p.deliveryGrace),
    minStakePerGpuGrl: formatAmount(minStakePerGpu, 18),
    unbondingPeriod: window(unbondingPeriod),
    creditSpreadBps: Number(spreadBps),
    paymentTokens: { usdc: usdc ?? null, credits: mcp.chain.addresses.Settlement },
  });
}

/** Registers the three resources. */
export function registerResources(server: McpServer, mcp: McpContext): void {
  const json = (uri: URL, value: unknown) => ({
    contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(value, null, 2) }],
  });
  server.registerResource(
    "workload-spec-schema",
    RESOURCE_URIS.workloadSpecSchema,
    { title: "Workload spec JSON schema (gridlease.workload/v1)", mimeType: "application/json" },
    (uri) => json(uri, workloadSpecJsonSchema()),
  );
  server.registerResource(
    "indexer-graphql-schema",
    RESOURCE_URIS.graphqlSchema,
    { title: "The indexer's GraphQL schema (SDL)", mimeType: "text/plain" },
    async (uri) => {
      const data = (await mcp.indexer.graphql(getIntrospectionQuery())) as unknown as IntrospectionQuery;
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text: printSchema(buildClientSchema(data)) }] };
    },
  );
  server.registerResource(
    "market-parameters",
    RESOURCE_URIS.marketParameters,
    { title: "Current market parameters (fee, windows, bonds, stake)", mimeType: "application/json" },
    async (uri) => json(uri, await marketParameters(mcp)),
  );
}
