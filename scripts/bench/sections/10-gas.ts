// Section 1: gas of every user-facing function, from the `npm run gas` suites (stablecoin jobs in the
// market suite, credit jobs in the settlement suite).
import { marketRun, registryRun, settlementRun } from "../shared.ts";
import type { BenchSection, BenchTable } from "../types.ts";

/** Derived figures (sums, ratios, growth) of the suites belong to the lifecycle and growth sections. */
function isSingleCall(label: string): boolean {
  return (
    !label.startsWith("lifecycle") && !label.startsWith("credit-job lifecycle") && !/\(\d+ bids\)|ratio/.test(label)
  );
}

function table(id: string, title: string, gas: Record<string, number>, path: string): BenchTable {
  return {
    id,
    title,
    columns: ["gas", "payment path"],
    rows: Object.entries(gas)
      .filter(([label]) => isSingleCall(label))
      .map(([label, used]) => ({ label, cells: { gas: used, "payment path": path } })),
  };
}

const section: BenchSection = {
  id: "gas",
  title: "1. Gas per user-facing function (production build, steady state)",
  async run() {
    const registry = await registryRun();
    const market = await marketRun();
    const settlement = await settlementRun();
    return {
      status: "measured",
      notes: [
        "Figures are gasUsed from receipts. Each call is measured after a warm-up that wrote the storage a live " +
          "protocol has long since set (see scripts/gas/suites/*.ts); the labels say where a case is a first one.",
      ],
      tables: [
        table("registry", "Provider registry and GRL token", registry.gas, "GRL"),
        table("market", "Job market, stablecoin jobs (USDC, 6 decimals)", market.table.gas, "stablecoin"),
        table("settlement", "Settlement and job market, credit jobs", settlement.table.gas, "credits"),
      ],
    };
  },
};

export default section;
