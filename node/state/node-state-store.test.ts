import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { NodeStateTransitionError } from "./job-states.ts";
import { NodeStateStore, UnknownNodeJobError } from "./node-state-store.ts";

let dir: string;
let clock: number;
const open = (): NodeStateStore => new NodeStateStore(join(dir, "node.db"), () => clock);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gridlease-node-state-"));
  clock = 1_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("NodeStateStore", () => {
  it("walks a job through its life, stamping each state", () => {
    const store = open();
    expect(store.recordWon(1n).state).toBe("won");
    clock = 2_000;
    store.transition(1n, "spec-received", { renter: "0xabc", specHash: "0x01", spec: "{}", secrets: '{"A":"1"}' });
    clock = 3_000;
    store.transition(1n, "running");
    clock = 4_000;
    store.transition(1n, "finished", { manifestHash: "0x02", secrets: undefined });
    store.transition(1n, "delivered");
    const claimed = store.transition(1n, "claimed");
    expect(claimed).toMatchObject({
      state: "claimed",
      renter: "0xabc",
      specHash: "0x01",
      manifestHash: "0x02",
      secrets: undefined,
      wonAt: 1_000,
      specReceivedAt: 2_000,
      runningAt: 3_000,
      finishedAt: 4_000,
      deliveredAt: 4_000,
      claimedAt: 4_000,
    });
    expect(store.active()).toEqual([]);
    store.close();
  });

  it("is idempotent: recording a held job or repeating a transition changes nothing", () => {
    const store = open();
    store.recordWon(1n);
    store.transition(1n, "spec-received", { specHash: "0x01" });
    clock = 9_000;
    expect(store.recordWon(1n).state).toBe("spec-received");
    const again = store.transition(1n, "spec-received", { specHash: "0xff" });
    expect(again.specHash).toBe("0x01");
    expect(again.specReceivedAt).toBe(1_000);
    store.close();
  });

  it("refuses a skipped or backward step, and a job it does not hold", () => {
    const store = open();
    store.recordWon(1n);
    expect(() => store.transition(1n, "delivered")).toThrow(NodeStateTransitionError);
    expect(() => store.transition(1n, "delivered")).toThrow(/only spec-received, failed may follow won/);
    store.transition(1n, "failed", { lastError: "no spec before the paid time ended" });
    expect(() => store.transition(1n, "running")).toThrow(NodeStateTransitionError);
    expect(() => store.transition(2n, "running")).toThrow(UnknownNodeJobError);
    expect(store.get(2n)).toBeUndefined();
    store.close();
  });

  it("lists the active jobs in the order won", () => {
    const store = open();
    for (const id of [3n, 1n, 2n]) {
      store.recordWon(id);
      clock += 1;
    }
    store.transition(1n, "failed");
    expect(store.active().map((job) => job.jobId)).toEqual([3n, 2n]);
    expect(store.list().map((job) => job.jobId)).toEqual([3n, 1n, 2n]);
    store.close();
  });

  it("keeps the database private to the node's user", () => {
    open().close();
    expect(statSync(join(dir, "node.db")).mode & 0o777).toBe(0o600);
  });

  it("after kill -9, a re-opened store has every committed step and the action that was pending", () => {
    const moduleUrl = pathToFileURL(join(import.meta.dirname, "node-state-store.ts")).href;
    const script = `
      const { NodeStateStore } = await import(${JSON.stringify(moduleUrl)});
      const store = new NodeStateStore(${JSON.stringify(join(dir, "node.db"))});
      store.recordWon(5n);
      store.transition(5n, "spec-received", { specHash: "0x05" });
      store.transition(5n, "running");
      store.transition(5n, "finished", { manifestHash: "0xfeed" });
      store.beginAction(5n, "deliver");
      process.kill(process.pid, "SIGKILL");
    `;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.signal, child.stderr).toBe("SIGKILL");
    const store = open();
    expect(store.require(5n)).toMatchObject({ state: "finished", manifestHash: "0xfeed", pendingAction: "deliver" });
    expect(store.active().map((job) => job.jobId)).toEqual([5n]);
    expect(store.endAction(5n).pendingAction).toBeUndefined();
    store.close();
  });
});
