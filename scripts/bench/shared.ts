// The gas suites of `npm run gas`, run once per bench and shared by the sections that read them.
import { marketGas, type MarketGas } from "../gas/suites/market.ts";
import { registryGas } from "../gas/suites/registry.ts";
import { settlementGas, type SettlementGas } from "../gas/suites/settlement.ts";
import type { GasTable } from "../gas/measure.ts";

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

export const registryRun: () => Promise<GasTable> = once(registryGas);
export const marketRun: () => Promise<MarketGas> = once(marketGas);
export const settlementRun: () => Promise<SettlementGas> = once(settlementGas);
