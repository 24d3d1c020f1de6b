// Where a renter finds the winner's node: the provider's on-chain `metadataURI` (ProviderRegistered /
// ProviderProfileUpdated) points at a small JSON profile `gridlease.provider/v1`, which the node serves at
// `GET /profile` and which names the node's API. Browser-safe (global fetch).
import { z } from "zod";

import type { ProviderRegistry } from "../../types/ethers-contracts/index.ts";
import { parseWith, type ParseResult } from "./issues.ts";

/** The `schema` value of every v1 provider profile. */
export const PROVIDER_PROFILE_SCHEMA_ID = "gridlease.provider/v1";

/** The path the node serves its profile at; a provider's metadataURI is `<node API URL>/profile`. */
export const PROVIDER_PROFILE_PATH = "/profile";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** The provider profile document. */
export const providerProfileSchema = z.object({
  schema: z.literal(PROVIDER_PROFILE_SCHEMA_ID, { error: `must be "${PROVIDER_PROFILE_SCHEMA_ID}"` }),
  /** The provider's address (checksummed or lowercase). */
  provider: z.string().regex(/^0x[0-9a-fA-F]{40}$/, { error: "must be an address, 0x + 40 hex digits" }),
  /** The base URL of the provider node's HTTP API (without a trailing slash). */
  nodeApi: httpUrl,
});
/** A provider profile (see {@link providerProfileSchema}). */
export type ProviderProfile = z.output<typeof providerProfileSchema>;

/** The profile a node at `nodeApi` publishes for `provider`. */
export function providerProfile(provider: string, nodeApi: string): ProviderProfile {
  return { schema: PROVIDER_PROFILE_SCHEMA_ID, provider, nodeApi: nodeApi.replace(/\/+$/, "") };
}

/** The metadataURI a provider registers for a node whose API is at `nodeApi`. */
export function profileUriFor(nodeApi: string): string {
  return `${nodeApi.replace(/\/+$/, "")}${PROVIDER_PROFILE_PATH}`;
}

/** Validates a profile document (JSON text or a parsed value); every problem is reported. */
export function parseProviderProfile(input: unknown): ParseResult<ProviderProfile> {
  return parseWith(providerProfileSchema, input, "provider profile");
}

/** Why the renter cannot reach a provider's node; the message says what to do. */
export class NodeDiscoveryError extends Error {
  override name = "NodeDiscoveryError";
}

/**
 * The provider's current metadataURI: the latest of its ProviderRegistered and ProviderProfileUpdated events
 * (the registry keeps the URI in events only). Null when it never registered.
 */
export async function providerMetadataUri(registry: ProviderRegistry, provider: string): Promise<string | null> {
  const [registered, updated] = await Promise.all([
    registry.queryFilter(registry.filters.ProviderRegistered(provider)),
    registry.queryFilter(registry.filters.ProviderProfileUpdated(provider)),
  ]);
  const events = [...registered, ...updated].sort((a, b) =>
    a.blockNumber !== b.blockNumber ? a.blockNumber - b.blockNumber : a.index - b.index,
  );
  const latest = events.at(-1);
  return latest === undefined ? null : latest.args.metadataURI;
}

/**
 * The base URL of `provider`'s node API, read from its on-chain profile URI. Throws a
 * {@link NodeDiscoveryError} naming the problem (not registered, no URI, unreachable, not a profile, another
 * provider's profile).
 */
export async function findNodeApi(
  registry: ProviderRegistry,
  provider: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const uri = await providerMetadataUri(registry, provider);
  if (uri === null) throw new NodeDiscoveryError(`Provider ${provider} is not registered: it has no profile.`);
  if (!/^https?:\/\//.test(uri)) {
    throw new NodeDiscoveryError(
      `Provider ${provider}'s metadataURI "${uri}" is not an http(s) URL of a ${PROVIDER_PROFILE_SCHEMA_ID} profile, so its node cannot be found; pass the node's URL explicitly.`,
    );
  }
  let body: unknown;
  try {
    const response = await fetchImpl(uri, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new NodeDiscoveryError(
      `Provider ${provider}'s profile at ${uri} could not be read (${error instanceof Error ? error.message : String(error)}): is its node running?`,
    );
  }
  const parsed = parseProviderProfile(body);
  if (!parsed.ok) {
    throw new NodeDiscoveryError(`Provider ${provider}'s profile at ${uri} is invalid: ${parsed.errors.join("; ")}`);
  }
  if (parsed.value.provider.toLowerCase() !== provider.toLowerCase()) {
    throw new NodeDiscoveryError(
      `The profile at ${uri} is provider ${parsed.value.provider}'s, not ${provider}'s: refusing to hand a spec to another node.`,
    );
  }
  return parsed.value.nodeApi.replace(/\/+$/, "");
}
