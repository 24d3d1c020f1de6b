// The Gridlease SDK's browser-safe entry point: the protocol's vocabulary (enums, GPU catalogue,
// amounts, deployments from explicit addresses, `as const` ABIs, permits, bid commitments, revert
// decoding, job lifecycle helpers, workload specs and result manifests) and typed queries of the indexer
// (global `fetch` only). Nothing here, directly or transitively, imports a Node built-in
// (sdk/browser.test.ts bundles it for the browser to check), and it loads on plain Node 22 too.
// Two more entries: sdk/contracts.ts (typed ethers contracts; browser-safe as well, kept apart because its
// types come from TypeChain's generated types/, which only a build writes) and sdk/node.ts (the
// filesystem deployment loader).

export * from "./abis/index.ts";
export * from "./amounts.ts";
export * from "./bidding.ts";
export * from "./deployment.ts";
export * from "./enums.ts";
export * from "./errors/decode.ts";
export * from "./errors/messages.ts";
export * from "./gpu-models.ts";
export * from "./permit.ts";
export * from "./reference-prices.ts";
export * from "./indexer/index.ts";
export * from "./lifecycle.ts";
export * from "./workload/canonical.ts";
export * from "./workload/handover.ts";
export * from "./workload/issues.ts";
export * from "./workload/manifest.ts";
export * from "./workload/paths.ts";
export * from "./workload/provider-profile.ts";
export * from "./workload/spec.ts";
export * from "./workload/verify.ts";
export * from "./renter/post-job.ts";
export * from "./renter/node-client.ts";
