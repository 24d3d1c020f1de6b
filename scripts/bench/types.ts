// The contract between the bench runner (scripts/bench/run.ts) and its sections. A section is one module
// in scripts/bench/sections/ whose default export is a BenchSection (or an array of them); the runner
// loads every such module in file-name order, so adding a section is adding one file. The result tables'
// types live in bench/types.ts, which the indexer's bench shares.

import type { SectionResult } from "../../bench/types.ts";

export type { BenchRow, BenchTable, Cell, SectionResult } from "../../bench/types.ts";

export interface BenchSection {
  /** Stable id: figure keys in the baseline are `${section}/${table}/${row}/${column}`. */
  id: string;
  title: string;
  run(): Promise<SectionResult>;
}

/** Growth rows are flat when the largest case is within this ratio of the smallest (PROTOCOL target: 5%). */
export const FLAT_BOUND = 1.05;

/** The largest/smallest ratio of a series of figures (all positive). */
export function spread(values: number[]): number {
  return Math.max(...values) / Math.min(...values);
}
