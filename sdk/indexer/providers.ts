// Providers as the indexer records them (table `provider`): stake, reputation, capacity and track record.

import type { IndexerClient } from "./client.ts";
import { decodeRow, selection, type Row } from "./fields.ts";
import { decodePage, pageLimit, pageSelection, type Page, type PageOptions } from "./pages.ts";

/**
 * The indexer's `provider` row. Stake amounts are GRL wei; `*Usd` are USD with 18 decimals; reputation is in
 * [0, 10000]; successRate = settled / (settled + failed + disputes lost), disputeRate = disputed / delivered
 * (null before the first such job); GPU counts are the provider's listed, available and leased GPUs.
 */
export const INDEXED_PROVIDER_FIELDS = {
  address: "string",
  registeredAt: "bigint",
  registeredBlock: "bigint",
  metadataUri: "string",
  region: "int",
  reputation: "int",
  online: "boolean",
  listedGpus: "int",
  models: "strings",
  modelNames: "strings",
  availableGpus: "bigint",
  leasedGpus: "bigint",
  accruedUntil: "bigint",
  freeStake: "bigint",
  lockedStake: "bigint",
  unbondingStake: "bigint",
  unbondingUnlocksAt: "bigint",
  totalStaked: "bigint",
  totalWithdrawn: "bigint",
  totalSlashed: "bigint",
  slashCount: "int",
  bidsCommitted: "int",
  bidsRevealed: "int",
  bondsForfeited: "int",
  jobsWon: "int",
  jobsStarted: "int",
  jobsDelivered: "int",
  jobsSettled: "int",
  jobsFailed: "int",
  jobsStopped: "int",
  jobsDisputed: "int",
  disputesLost: "int",
  disputesWon: "int",
  disputeTimeouts: "int",
  grossEarnedUsd: "bigint",
  feesPaidUsd: "bigint",
  successRate: "float?",
  disputeRate: "float?",
  lastActiveAt: "bigint",
} as const;
/** A provider row of the indexer (see {@link INDEXED_PROVIDER_FIELDS}). */
export type IndexedProvider = Row<typeof INDEXED_PROVIDER_FIELDS>;

/** The orders {@link listProviders} offers (each descending: highest first). */
export type ProviderOrder = "reputation" | "totalStaked" | "jobsSettled" | "grossEarnedUsd" | "lastActiveAt";

/** Options of {@link listProviders}. */
export interface ListProvidersOptions extends PageOptions {
  /** Only online (true) or offline (false) providers. */
  readonly online?: boolean;
  /** Only providers listing this GPU model id (bytes32 hex). */
  readonly gpuModel?: string;
  /** Sort order, highest first (default "reputation"). */
  readonly orderBy?: ProviderOrder;
}

const LIST_PROVIDERS = `query Providers($where: providerFilter, $orderBy: String, $limit: Int, $after: String) {
  providers(where: $where, orderBy: $orderBy, orderDirection: "desc", limit: $limit, after: $after) { ${pageSelection(INDEXED_PROVIDER_FIELDS)} }
}`;

/** Providers with their stake and reputation, best first. */
export async function listProviders(
  client: IndexerClient,
  options: ListProvidersOptions = {},
): Promise<Page<IndexedProvider>> {
  const where: Record<string, unknown> = {};
  if (options.online !== undefined) where.online = options.online;
  if (options.gpuModel !== undefined) where.models_has = options.gpuModel.toLowerCase();
  const data = await client.graphql(LIST_PROVIDERS, {
    where,
    orderBy: options.orderBy ?? "reputation",
    limit: pageLimit(options.limit, "listProviders"),
    after: options.after ?? null,
  });
  return decodePage(INDEXED_PROVIDER_FIELDS, data, "providers", `${client.url}/graphql`);
}

const PROVIDER = `query Provider($address: String!) { provider(address: $address) { ${selection(INDEXED_PROVIDER_FIELDS)} } }`;

/** One provider, or null when the indexer has not seen it register. */
export async function providerByAddress(client: IndexerClient, address: string): Promise<IndexedProvider | null> {
  const data = await client.graphql(PROVIDER, { address: address.toLowerCase() });
  if (data.provider === null) return null;
  return decodeRow(INDEXED_PROVIDER_FIELDS, data.provider, `${client.url}/graphql`, "provider");
}
