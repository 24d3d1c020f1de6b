// The Gridlease SDK's browser-safe entry point: the protocol's vocabulary (enums, GPU catalogue,
// amounts, deployments from explicit addresses, ABIs, typed contracts, permits, bid commitments,
// revert decoding). Nothing here, directly or transitively, imports a Node built-in
// (sdk/browser.test.ts bundles it for the browser to check); the filesystem loader is sdk/node.ts.

export * from "./abis/index.ts";
export * from "./amounts.ts";
export * from "./bidding.ts";
export * from "./contracts.ts";
export * from "./deployment.ts";
export * from "./enums.ts";
export * from "./errors/decode.ts";
export * from "./errors/messages.ts";
export * from "./gpu-models.ts";
export * from "./permit.ts";
