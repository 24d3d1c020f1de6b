import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import type { ContractTransactionResponse } from "ethers";

/** Collects gasUsed per labelled transaction and reports it against a committed snapshot. */
export class GasTable {
  readonly gas: Record<string, number> = {};
  /** Transaction hash per measured label (the last one for a repeated label), for traces. */
  readonly hashes: Record<string, string> = {};

  /** Waits for `tx` and records its gas under `label`; returns the gas used. */
  async measure(label: string, tx: Promise<ContractTransactionResponse>): Promise<number> {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error(`${label}: the transaction has no receipt`);
    const used = Number(receipt.gasUsed);
    this.gas[label] = used;
    this.hashes[label] = receipt.hash;
    return used;
  }

  /** Records a derived figure (a sum or a ratio x 1000) under `label`. */
  record(label: string, value: number): void {
    this.gas[label] = value;
  }

  /** Prints a Markdown table with the change against `snapshotPath`, then rewrites the snapshot. */
  report(title: string, snapshotPath: string): void {
    const previous: Record<string, number> = existsSync(snapshotPath)
      ? JSON.parse(readFileSync(snapshotPath, "utf8"))
      : {};
    console.log(`\n### ${title}\n\n| operation | gas | vs snapshot |\n| --- | ---: | ---: |`);
    for (const [label, used] of Object.entries(this.gas)) {
      const before = previous[label];
      const delta = before === undefined ? "new" : used === before ? "=" : `${used > before ? "+" : ""}${used - before}`;
      console.log(`| ${label} | ${used.toLocaleString("en-US")} | ${delta} |`);
    }
    mkdirSync(dirname(snapshotPath), { recursive: true });
    writeFileSync(snapshotPath, JSON.stringify(this.gas, null, 2) + "\n");
    console.log(`\nwrote ${snapshotPath}`);
  }
}
