// Where a transaction's gas goes, from the node's struct-log trace (debug_traceTransaction): the
// intrinsic cost, storage writes that create a slot (zero -> non-zero), other storage, events, calls into
// other contracts (inclusive of everything the callee does), other execution, and the refund.
import type { JsonRpcApiProvider } from "ethers";

import { calldataGas } from "../gas/measure.ts";

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

export interface GasBreakdown {
  gasUsed: number;
  intrinsic: number;
  /** SSTOREs that cost 20,000 or more (a slot set from zero): in the called contract, and inside its calls. */
  newSlots: number;
  newSlotsInCalls: number;
  newSlotGas: number;
  newSlotGasInCalls: number;
  /** The rest is the transaction's own contract (depth 1); the parts add up to gasUsed. */
  otherSstoreGas: number;
  sloadGas: number;
  logGas: number;
  logs: number;
  /** Calls out of depth 1, by target name, inclusive of the callee's execution. */
  calls: Record<string, number>;
  otherExecution: number;
  refund: number;
}

const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);

export async function breakdown(
  provider: JsonRpcApiProvider,
  hash: string,
  names: Record<string, string>,
): Promise<GasBreakdown> {
  const tx = await provider.getTransaction(hash);
  const receipt = await provider.getTransactionReceipt(hash);
  if (tx === null || receipt === null) throw new Error(`unknown transaction ${hash}`);
  const trace = (await provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as {
    structLogs: StructLog[];
  };
  const logs = trace.structLogs;
  const intrinsic = 21_000 + calldataGas(tx.data) + (tx.to === null ? 32_000 : 0);

  const out: GasBreakdown = {
    gasUsed: Number(receipt.gasUsed),
    intrinsic,
    newSlots: 0,
    newSlotsInCalls: 0,
    newSlotGas: 0,
    newSlotGasInCalls: 0,
    otherSstoreGas: 0,
    sloadGas: 0,
    logGas: 0,
    logs: 0,
    calls: {},
    otherExecution: 0,
    refund: 0,
  };
  let execution = 0;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    if (l.depth !== 1) {
      if (l.op === "SSTORE" && l.gasCost >= 20_000) {
        out.newSlotsInCalls++;
        out.newSlotGasInCalls += l.gasCost;
      }
      continue;
    }
    // The cost of a depth-1 step is the gas it leaves for the next depth-1 step, so a call's cost
    // includes the callee's whole execution.
    let j = i + 1;
    while (j < logs.length && logs[j].depth !== 1) j++;
    const cost = j < logs.length ? l.gas - logs[j].gas : l.gasCost;
    execution += cost;
    if (l.op === "SSTORE") {
      if (l.gasCost >= 20_000) {
        out.newSlots++;
        out.newSlotGas += cost;
      } else {
        out.otherSstoreGas += cost;
      }
    } else if (l.op === "SLOAD") {
      out.sloadGas += cost;
    } else if (l.op.startsWith("LOG")) {
      out.logGas += cost;
      out.logs++;
    } else if (CALLS.has(l.op) && l.stack !== undefined) {
      const target =
        "0x" +
        BigInt(l.stack[l.stack.length - 2])
          .toString(16)
          .padStart(40, "0");
      const name = names[target] ?? (BigInt(target) < 0x100n ? "precompile" : target);
      out.calls[name] = (out.calls[name] ?? 0) + cost;
    } else {
      out.otherExecution += cost;
    }
  }
  out.refund = intrinsic + execution - out.gasUsed;
  return out;
}
