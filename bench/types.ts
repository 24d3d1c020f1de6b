// The shape of a bench result table, shared by the bench runner (scripts/bench/) and the indexer's bench
// (indexer/bench/): it lives here, beside the baseline it is compared with, because nothing outside
// scripts/ may import from scripts/.

/** One cell: a figure (compared against the baseline) or a text. */
export type Cell = number | string;

/** One row of a bench table: its label and a cell per column. */
export interface BenchRow {
  label: string;
  cells: Record<string, Cell>;
  /** Set when a growth ratio is above the flatness bound, so the Markdown marks the row. */
  flag?: string;
}

/** One table of a section's result. */
export interface BenchTable {
  id: string;
  title: string;
  /** Column names in display order (the row label comes first and is not listed). */
  columns: string[];
  rows: BenchRow[];
  notes?: string[];
}

/** What a bench section measured, or why it measured nothing. */
export type SectionResult =
  | { status: "measured"; tables: BenchTable[]; notes?: string[] }
  /** Nothing could be measured; `reason` says why. Never invent figures in its place. */
  | { status: "not measured"; reason: string };
