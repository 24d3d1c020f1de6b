// Runs every bench section (scripts/bench/sections/*.ts) inside one Hardhat process on the production
// build, writes bench/out/report.json and bench/out/report.md, and prints each figure's ratio against
// bench/baseline.json. Started by scripts/bench/cli.ts (`npm run bench`), which builds first and passes
// BENCH_UPDATE_BASELINE=1 for --update-baseline.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import type { BenchSection, BenchTable, Cell, SectionResult } from "./types.ts";

const SECTIONS_DIR = join("scripts", "bench", "sections");
const OUT_DIR = join("bench", "out");
const BASELINE = join("bench", "baseline.json");

interface SectionReport {
  id: string;
  title: string;
  seconds: number;
  result: SectionResult;
  /** Set on a section kept from an earlier baseline by `--update-baseline --only=...`: when it was measured. */
  measuredAt?: { commit: string; date: string };
}

/** `--only=<section-id prefixes>`: the sections to run (all when unset). */
const ONLY = process.env.BENCH_ONLY?.split(",").filter((s) => s !== "");

interface Report {
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; arch: string };
  date: string;
  node: string;
  commit: string;
  /** Uncommitted changes in the tree when the report was made. */
  dirty: boolean;
  seconds: number;
  sections: SectionReport[];
  /** Every numeric cell, keyed `section/table/row/column`. */
  figures: Record<string, number>;
}

function git(...args: string[]): string {
  try {
    return execFileSync("git", args, { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function loadSections(): Promise<BenchSection[]> {
  const files = readdirSync(SECTIONS_DIR)
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const sections: BenchSection[] = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(join(process.cwd(), SECTIONS_DIR, file)).href);
    const exported: BenchSection | BenchSection[] = mod.default;
    for (const section of Array.isArray(exported) ? exported : [exported]) {
      if (ONLY === undefined || ONLY.some((prefix) => section.id.startsWith(prefix))) sections.push(section);
    }
  }
  return sections;
}

function figuresOf(sections: SectionReport[]): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const s of sections) {
    if (s.result.status !== "measured") continue;
    for (const t of s.result.tables) {
      for (const row of t.rows) {
        for (const [column, cell] of Object.entries(row.cells)) {
          if (typeof cell === "number" && Number.isFinite(cell))
            figures[`${s.id}/${t.id}/${row.label}/${column}`] = cell;
        }
      }
    }
  }
  return figures;
}

function fmt(cell: Cell | undefined): string {
  if (cell === undefined) return "";
  if (typeof cell === "string") return cell;
  if (Number.isInteger(cell)) return cell.toLocaleString("en-US");
  return cell.toFixed(cell < 10 ? 3 : 1);
}

function ratioText(now: number, before: number | undefined): string {
  if (before === undefined) return "new";
  if (before === 0) return now === 0 ? "1.000" : "n/a";
  return (now / before).toFixed(3);
}

function tableMarkdown(sectionId: string, t: BenchTable, baseline: Record<string, number>): string {
  const lines = [`### ${t.title}`, ""];
  // The ratio against the baseline of a table's first numeric column is shown beside it.
  const keyColumn = t.columns.find((c) => t.rows.some((r) => typeof r.cells[c] === "number"));
  const header = ["", ...t.columns, ...(keyColumn ? [`${keyColumn} vs baseline`] : [])];
  lines.push(`| ${header.join(" | ")} |`);
  lines.push(`| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
  for (const row of t.rows) {
    const cells = t.columns.map((c) => fmt(row.cells[c]));
    if (keyColumn) {
      const now = row.cells[keyColumn];
      cells.push(
        typeof now === "number" ? ratioText(now, baseline[`${sectionId}/${t.id}/${row.label}/${keyColumn}`]) : "",
      );
    }
    lines.push(`| ${row.flag ? `**${row.label}** (${row.flag})` : row.label} | ${cells.join(" | ")} |`);
  }
  for (const note of t.notes ?? []) lines.push("", note);
  lines.push("");
  return lines.join("\n");
}

function markdown(report: Report, baseline: Record<string, number>, baselineCommit: string): string {
  const m = report.machine;
  const out = [
    "# Gridlease benchmarks",
    "",
    `- date: ${report.date}`,
    `- machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB memory, ${m.platform}/${m.arch}`,
    `- node ${report.node}, commit ${report.commit}${report.dirty ? " (with uncommitted changes)" : ""}`,
    `- run time: ${report.seconds.toFixed(1)} s; ratios are against bench/baseline.json (commit ${baselineCommit})`,
    "",
  ];
  for (const s of report.sections) {
    out.push(`## ${s.title}`, "");
    if (s.result.status === "not measured") {
      out.push(`Not measured: ${s.result.reason}`, "");
      continue;
    }
    for (const note of s.result.notes ?? []) out.push(note, "");
    for (const t of s.result.tables) out.push(tableMarkdown(s.id, t, baseline));
  }
  return out.join("\n");
}

const started = Date.now();
const sectionReports: SectionReport[] = [];
for (const section of await loadSections()) {
  const t0 = Date.now();
  process.stdout.write(`bench: ${section.id} ... `);
  let result: SectionResult;
  try {
    result = await section.run();
  } catch (error) {
    // A broken section must not hide the others, nor pass for a measurement.
    result = { status: "not measured", reason: `the section failed: ${(error as Error).stack ?? String(error)}` };
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`${result.status} (${seconds.toFixed(1)} s)`);
  sectionReports.push({ id: section.id, title: section.title, seconds, result });
}

const report: Report = {
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: os.totalmem() / 2 ** 30,
    platform: os.platform(),
    arch: os.arch(),
  },
  date: new Date().toISOString(),
  node: process.version,
  commit: git("rev-parse", "HEAD"),
  dirty: git("status", "--porcelain", "--", "contracts", "scripts", "ignition", "indexer") !== "",
  seconds: (Date.now() - started) / 1000,
  sections: sectionReports,
  figures: figuresOf(sectionReports),
};

const baselineReport: Report | undefined = existsSync(BASELINE)
  ? JSON.parse(readFileSync(BASELINE, "utf8"))
  : undefined;
const baseline = baselineReport?.figures ?? {};
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, "report.json"), JSON.stringify(report, null, 2) + "\n");
writeFileSync(join(OUT_DIR, "report.md"), markdown(report, baseline, baselineReport?.commit ?? "none"));

console.log(`\nfigure | now | baseline | ratio`);
let changed = 0;
for (const [key, now] of Object.entries(report.figures)) {
  const before = baseline[key];
  const ratio = ratioText(now, before);
  if (ratio !== "1.000") changed++;
  console.log(`${key} | ${fmt(now)} | ${before === undefined ? "-" : fmt(before)} | ${ratio}`);
}
const missing = Object.keys(baseline).filter((k) => !(k in report.figures));
for (const key of missing) console.log(`${key} | - | ${fmt(baseline[key])} | missing now`);
console.log(
  `\n${Object.keys(report.figures).length} figures, ${changed} differ from the baseline, ${missing.length} missing; ` +
    `wrote ${join(OUT_DIR, "report.json")} and ${join(OUT_DIR, "report.md")}`,
);
if (process.env.BENCH_UPDATE_BASELINE === "1") {
  // With --only, the sections not run keep their baseline figures (and say when and where they were measured).
  const rerun = (key: string) => report.sections.some((r) => key.startsWith(`${r.id}/`));
  const updated =
    ONLY === undefined || baselineReport === undefined
      ? report
      : {
          ...report,
          sections: [
            ...baselineReport.sections
              .filter((s) => !report.sections.some((r) => r.id === s.id))
              .map((s) => ({
                ...s,
                measuredAt: s.measuredAt ?? { commit: baselineReport.commit, date: baselineReport.date },
              })),
            ...report.sections,
          ],
          figures: {
            ...Object.fromEntries(Object.entries(baselineReport.figures).filter(([key]) => !rerun(key))),
            ...report.figures,
          },
        };
  writeFileSync(BASELINE, JSON.stringify(updated, null, 2) + "\n");
  console.log(
    `rewrote ${BASELINE}${ONLY === undefined ? "" : ` (sections ${report.sections.map((r) => r.id).join(", ")} only)`}`,
  );
}
