import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { getBytes, type ContractTransactionResponse } from "ethers";

/** Collects gasUsed per labelled transaction and reports it against a committed snapshot. */
export class GasTable {
  readonly gas: Record<string, number> = {};
  /** Transaction hash per measured label (the last one for a repeated label), for traces. */
  readonly hashes: Record<string, string> = {};

  /** Calldata gas per measured label (EIP-2028: 4 per zero byte, 16 per other byte). */
  readonly calldata: Record<string, number> = {};

  /** Waits for `tx` and records its gas under `label`; returns the gas used. */
  async measure(label: string, tx: Promise<ContractTransactionResponse>): Promise<number> {
    const sent = await tx;
    const receipt = await sent.wait();
    if (receipt === null) throw new Error(`${label}: the transaction has no receipt`);
    const used = Number(receipt.gasUsed);
    this.gas[label] = used;
    this.hashes[label] = receipt.hash;
    this.calldata[label] = calldataGas(sent.data);
    return used;
  }

  /**
   * Gas of the measured `labels` less their calldata gas: what two runs of the same steps must agree on
   * exactly when only hashes and salts in the calldata differ (a zero byte costs 12 gas less).
   */
  executionGas(labels: readonly string[]): number {
    return labels.filter((l) => l in this.gas).reduce((sum, l) => sum + this.gas[l] - (this.calldata[l] ?? 0), 0);
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
      const delta =
        before === undefined ? "new" : used === before ? "=" : `${used > before ? "+" : ""}${used - before}`;
      console.log(`| ${label} | ${used.toLocaleString("en-US")} | ${delta} |`);
    }
    mkdirSync(dirname(snapshotPath), { recursive: true });
    writeFileSync(snapshotPath, JSON.stringify(this.gas, null, 2) + "\n");
    console.log(`\nwrote ${snapshotPath}`);
  }
}

/** EIP-2028 calldata gas of hex `data`: 4 per zero byte, 16 per other byte. */
export function calldataGas(data: string): number {
  let gas = 0;
  for (const byte of getBytes(data)) gas += byte === 0 ? 4 : 16;
  return gas;
}

/**
 * Throws unless a control lifecycle, measured again in a later epoch, cost exactly what it cost the
 * first time apart from calldata: otherwise the figures measured beside it would not compare like for
 * like with the first epoch's.
 */
export function requireSameExecution(what: string, first: number, again: number, where: string): void {
  if (again !== first) {
    throw new Error(
      `the control ${what} cost ${again} gas besides calldata in ${where}, ${first} the first time: ` +
        "the lifecycles measured beside it were not measured in the same steady state",
    );
  }
}
