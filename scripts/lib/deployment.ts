// Re-export shim for scripts/sim only (not yet migrated to the SDK): the protocol's contracts now live
// in sdk/contracts.ts and deployment loading in sdk/node.ts. Do not import this from new code.
export { connectProtocol, type Protocol } from "../../sdk/contracts.ts";
export type { DeployedAddresses } from "../../sdk/index.ts";
