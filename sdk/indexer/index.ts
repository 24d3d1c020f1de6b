// Typed queries of the Gridlease indexer (Ponder's GraphQL and REST API, indexer/src/api/index.ts), for the
// dashboard and tools: browser-safe, global `fetch` only. The decoding helpers (./fields.ts, ./pages.ts) stay
// internal; their types are exported to name results.

export * from "./client.ts";
export * from "./errors.ts";
export type { FieldKind, FieldSpec, FieldValue, Row } from "./fields.ts";
export * from "./gpus.ts";
export * from "./jobs.ts";
export * from "./market.ts";
export type { Page, PageOptions } from "./pages.ts";
export * from "./providers.ts";
export * from "./awarded-jobs.ts";
export * from "./price-band.ts";
export * from "./quote.ts";
export * from "./token-metrics.ts";
export * from "./provider-metrics.ts";
