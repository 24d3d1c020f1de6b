// The contract between the bench runner (scripts/bench/run.ts) and its sections. A section is one module
// in scripts/bench/sections/ whose default export is a BenchSection (or an array of them); the runner
// loads every such module in file-name order, so adding a section is adding one file.

/** One cell: a figure (compared against the baseline) or a text. */
export type Cell = number | string;

export interface BenchRow {
  label: string;
  cells: Record<string, Cell>;
  /** Set when a growth ratio is above the flatness bound, so the Markdown marks the row. */
  flag?: string;
}

export interface BenchTable {
  id: string;
  title: string;
  /** Column names in display order (the row label comes first and is not listed). */
  columns: string[];
  rows: BenchRow[];
  notes?: string[];
}

export type SectionResult =
  | { status: "measured"; tables: BenchTable[]; notes?: string[] }
  /** Nothing could be measured; `reason` says why. Never invent figures in its place. */
  | { status: "not measured"; reason: string };

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
