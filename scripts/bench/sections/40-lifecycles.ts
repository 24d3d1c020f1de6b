// Section 3: gas of one whole job, creation to settlement, with one bid (or an instant accept), started
// in a transaction of its own or in the one that awards it, on both payment paths, beside iExec PoCo's published
// figures (docs/PROTOCOL.md), and where each step's gas goes. "Core" = create .. settle, the steps every job
// pays (MARKET_CORE, CREDIT_CORE of the gas suites); the mid-job claim and the withdrawals are optional.
import { LIFECYCLES, MARKET_CORE } from "../../gas/suites/market.ts";
import { CREDIT_CORE } from "../../gas/suites/settlement.ts";
import { marketRun, settlementRun } from "../shared.ts";
import { breakdown, type GasBreakdown } from "../trace.ts";
import type { BenchRow, BenchSection, BenchTable } from "../types.ts";

/** iExec PoCo, docs/PROTOCOL.md: replicated flow matchOrders 761k + contribute 347k + reveal 79k + finalize 404k. */
const IEXEC_REPLICATED = 1_591_000;
/** iExec PoCo's one-worker fast path (matchOrders + contributeAndFinalize), docs/PROTOCOL.md. */
const IEXEC_FAST_PATH = 730_000;
const TARGET = 500_000;

/**
 * The contract-architecture targets per lifecycle (create..settle, one bid): the best path (the winner awards
 * and starts in one transaction) under 500k, first price with a separate award and start under 540k, an
 * instant job accepted and started at once under 420k; a credit job within 30k of its stablecoin path.
 */
const PATH_TARGETS: Record<string, number> = {
  "first-price (award+start)": 500_000,
  "second-price (award+start)": 500_000,
  "first-price": 540_000,
  "second-price": 540_000,
  "instant (accept+start)": 420_000,
  instant: 500_000,
};
const CREDIT_ALLOWANCE = 30_000;

/** Per-step targets of the sealed-bid path. */
const STEP_TARGETS: Record<string, number> = { createJob: 160_000, commitBid: 90_000, revealBid: 55_000 };

/**
 * "(award+start)" / "(accept+start)": the provider starts in the transaction that awards it
 * (awardAndStart, acceptInstantAndStart) instead of a startJob of its own.
 */
const RULES = LIFECYCLES.map(([name]) => name);
/** The lifecycles whose steps are broken down from traces. */
const TRACED = ["first-price", "first-price (award+start)", "instant", "instant (accept+start)"] as const;

function sum(gas: Record<string, number>, labels: string[]): number {
  return labels.filter((l) => l in gas).reduce((a, l) => a + gas[l], 0);
}

const section: BenchSection = {
  id: "lifecycle",
  title: "3. Whole job lifecycles against iExec PoCo",
  async run() {
    const market = await marketRun();
    const settlement = await settlementRun();

    const totals: BenchRow[] = [];
    for (const [path, run, core] of [
      ["stablecoin", market, MARKET_CORE],
      ["credits", settlement, CREDIT_CORE],
    ] as const) {
      for (const rule of RULES) {
        const gas = run.lifecycles[rule];
        const total = sum(gas, [...core]);
        const pathTarget =
          path === "stablecoin"
            ? PATH_TARGETS[rule]
            : sum(market.lifecycles[rule], [...MARKET_CORE]) + CREDIT_ALLOWANCE;
        totals.push({
          label: `${rule}, ${path}`,
          cells: {
            "create..settle": total,
            "with claim + withdrawals": path === "stablecoin" ? Object.values(gas).reduce((a, b) => a + b, 0) : "-",
            "vs target 500k": Number((total / TARGET).toFixed(3)),
            "over target": Math.max(0, total - TARGET),
            "path target": pathTarget,
            "over path target": Math.max(0, total - pathTarget),
            "vs iExec replicated 1.59M": Number((total / IEXEC_REPLICATED).toFixed(3)),
            "vs iExec fast path 730k": Number((total / IEXEC_FAST_PATH).toFixed(3)),
          },
          flag: total > pathTarget ? "path target missed" : total > TARGET ? "target missed" : undefined,
        });
      }
    }

    // Per-step breakdown from traces, for the first-price and both instant jobs of both paths.
    const steps: BenchTable[] = [];
    const sums: Record<string, GasBreakdown> = {};
    const perStep: Record<string, Record<string, GasBreakdown>> = {};
    for (const [path, run, core] of [
      ["stablecoin", market, MARKET_CORE],
      ["credits", settlement, CREDIT_CORE],
    ] as const) {
      for (const rule of TRACED) {
        const hashes = run.lifecycleHashes[rule];
        const rows: BenchRow[] = [];
        const parts: GasBreakdown[] = [];
        perStep[`${rule}, ${path}`] = {};
        for (const label of core.filter((l) => l in hashes)) {
          const b = await breakdown(run.provider, hashes[label], run.contracts);
          parts.push(b);
          perStep[`${rule}, ${path}`][label] = b;
          const stepTarget = STEP_TARGETS[label.replace(/ \(credits\)$/, "")];
          rows.push({
            label,
            cells: { ...cellsOf(b), "step target": stepTarget ?? "-" },
            flag: stepTarget !== undefined && b.gasUsed > stepTarget ? "step target missed" : undefined,
          });
        }
        sums[`${rule}, ${path}`] = total(parts);
        rows.push({
          label: "total",
          cells: {
            ...cellsOf(sums[`${rule}, ${path}`]),
            "step target": path === "stablecoin" ? PATH_TARGETS[rule] : "-",
          },
        });
        steps.push({
          id: `steps-${rule.replace(/ \((accept|award)\+start\)$/, "-$1-start")}-${path}`,
          title: `Where the gas goes: ${rule}, ${path} (from debug_traceTransaction)`,
          columns: COLUMNS,
          rows,
        });
      }
    }

    return {
      status: "measured",
      notes: [
        ...analysis(totals, sums, perStep),
        "iExec figures are PROTOCOL.md's: replicated flow about 1.59M gas (matchOrders 761k + contribute 347k + " +
          "reveal 79k + finalize 404k); one-worker fast path about 730k. Gridlease's create..settle covers what those " +
          "cover (order matching and escrow, the worker's commitment, the result and the payout); the mid-job claim " +
          "and the withdrawals (pull payments) are extra transactions iExec does not have.",
        "Breakdown columns: intrinsic (21,000 + calldata); new slots = SSTOREs from zero (22,100 each, cold) in the " +
          "market itself; other SSTORE/SLOAD/LOG gas in the market; calls = gas of calls out of the market, inclusive " +
          "of everything the callee does (its own new slots counted in 'new slots in calls'); refund = storage refunds. " +
          "intrinsic + market SSTORE new + other SSTORE + SLOAD + LOG + calls + other - refund = gas.",
      ],
      tables: [
        {
          id: "totals",
          title: "One job, creation to settlement, one bid (steady state)",
          columns: [
            "create..settle",
            "with claim + withdrawals",
            "vs target 500k",
            "over target",
            "path target",
            "over path target",
            "vs iExec replicated 1.59M",
            "vs iExec fast path 730k",
          ],
          rows: totals,
        },
        ...steps,
      ],
    };
  },
};

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
const k = (gas: number) => `${Math.round(gas / 1000)}k`;

/** The verdict on the 500k target and the reasons, from the measured figures (nothing here is typed in). */
function analysis(
  totals: BenchRow[],
  sums: Record<string, GasBreakdown>,
  perStep: Record<string, Record<string, GasBreakdown>>,
): string[] {
  const best = totals.reduce((a, b) =>
    (a.cells["create..settle"] as number) <= (b.cells["create..settle"] as number) ? a : b,
  );
  const out: string[] = [];
  const missed = totals.filter((r) => (r.cells["create..settle"] as number) > TARGET);
  const met = totals.filter((r) => (r.cells["create..settle"] as number) <= TARGET);
  const gas = (r: BenchRow) => k(r.cells["create..settle"] as number);
  const iexec =
    `Every lifecycle is under iExec's replicated flow (${totals.map((r) => r.cells["vs iExec replicated 1.59M"]).join(", ")} of 1.59M); ` +
    `against its 730k fast path, instant jobs are below and the auctions ` +
    `${totals.filter((r) => (r.cells["vs iExec fast path 730k"] as number) > 1).length === 0 ? "are below too" : "are above"}.`;
  if (missed.length === 0) {
    out.push(`**Target met**: every lifecycle is under 500k gas. ${iexec}`);
  } else if (met.length === 0) {
    out.push(
      `**Target missed** by all ${totals.length} lifecycles: the cheapest is ${best.label} at ${gas(best)} ` +
        `(${k(best.cells["over target"] as number)} over 500k). ${iexec}`,
    );
  } else {
    out.push(
      `**Target met** by ${met.map((r) => `${r.label} (${gas(r)})`).join(", ")}; missed by ` +
        `${missed.map((r) => `${r.label} (${gas(r)}, ${k(r.cells["over target"] as number)} over)`).join(", ")}. ${iexec}`,
    );
  }
  for (const key of [
    "first-price, stablecoin",
    "first-price (award+start), stablecoin",
    "instant, stablecoin",
    "instant (accept+start), stablecoin",
    "first-price, credits",
  ]) {
    const t = sums[key];
    if (t === undefined) continue;
    const steps = Object.keys(perStep[key]).length;
    const registry = t.calls.registry ?? 0;
    const settlement = t.calls.settlement ?? 0;
    out.push(
      `${key}, ${k(t.gasUsed)} over ${steps} transactions: intrinsic cost ${k(t.intrinsic)} (${pct(t.intrinsic, t.gasUsed)}, ` +
        `21,000 per transaction plus calldata); ${t.newSlots} storage slots set from zero in the market ${k(t.newSlotGas)} ` +
        `(${pct(t.newSlotGas, t.gasUsed)}; createJob alone sets ${Object.values(perStep[key])[0].newSlots} slots of the Job ` +
        `struct); cold and warm SLOADs ${k(t.sloadGas)} (${pct(t.sloadGas, t.gasUsed)}, each transaction re-reads the job ` +
        `cold); calls to the registry ${k(registry)} (${pct(registry, t.gasUsed)}) and to the settlement ${k(settlement)} ` +
        `(${pct(settlement, t.gasUsed)}); events ${k(t.logGas)} (${pct(t.logGas, t.gasUsed)}); other execution ` +
        `${k(t.otherExecution)}.`,
    );
  }
  const saved = (rule: string) => {
    const separate = totals.find((r) => r.label === `${rule}, stablecoin`)!.cells["create..settle"] as number;
    const combined = totals.find((r) => r.label === `${rule} (award+start), stablecoin`)!.cells[
      "create..settle"
    ] as number;
    return k(separate - combined);
  };
  // Targets against floors: what the market's own storage and execution may take at most to meet each target.
  for (const key of [
    "first-price, stablecoin",
    "first-price (award+start), stablecoin",
    "instant (accept+start), stablecoin",
  ]) {
    const t = sums[key];
    if (t === undefined) continue;
    const target = PATH_TARGETS[key.replace(/, stablecoin$/, "")];
    const floor = floorOf(t);
    out.push(
      `${key} against its ${k(target)} target: ${k(t.gasUsed)} now; ${k(floor)} of it is outside the market's storage ` +
        `(intrinsic, events, calls), so the market's own storage and execution take ${k(t.gasUsed - floor)} and may take ` +
        `${k(Math.max(0, target - floor))} to meet the target (${t.newSlots} slots set from zero now, ${k(t.newSlotGas)}).`,
    );
  }
  const firstPrice = perStep["first-price, stablecoin"];
  if (firstPrice !== undefined) {
    for (const [label, target] of Object.entries(STEP_TARGETS)) {
      const b = firstPrice[label];
      if (b === undefined) continue;
      out.push(
        `${label} against its ${k(target)} target: ${k(b.gasUsed)} now (${b.newSlots} new slots, ${k(b.sloadGas)} of SLOADs); ` +
          `the floor outside the market's storage is ${k(floorOf(b))}.`,
      );
    }
  }
  out.push(
    "Done so far: the market is split (JobMarket runs the auction and execution; JobMarketDisputes, delegate-called, " +
      "runs disputes, failures, exits and governance), leaving room under EIP-170 for new features. A bid is one " +
      "storage slot (the commitment's low 248 bits and the status; the lock is derived), which takes one new slot off " +
      "commitBid, and the registry keeps one locked total per provider instead of a lock record per job (the job's " +
      "share is derived by the market, JobMarket.lockOf), which takes another new slot off commitBid and " +
      "acceptInstant and about 5k off every release. The job is packed (uint96 money, uint32 times, 16-bit counts and requirements) so the workload's " +
      "spec hash fits in the same six slots a job set at creation before it. A credit job keeps its credits' mint " +
      "floor where a stablecoin job keeps its token's address (a floor is below 2^64, and no payment token may " +
      "have an address there), so it too sets six slots at creation, not seven, and its award, claim and settle " +
      "read the floor from a slot they read anyway. The pause flag shares its storage slot " +
      "with the oracle, the current parameter set id and the job count, which createJob reads anyway, so its pause " +
      "check is the slot's one cold read (about 2k less on every job). The winner can award and start in one " +
      `transaction (awardAndStart saves ${saved("first-price")} on a first-price job, ${saved("second-price")} on a ` +
      "second-price one), and an instant job's provider can accept and start in one. " +
      "Since the mechanism-security work, revealBid and award also re-check the bidder's qualification with " +
      "the registry (one more registry call each: the 'calls: registry' column of the step tables), so a " +
      "provider that lapsed after committing cannot win. " +
      "What is left, estimated from the first-price step table (not built here): (1) the job's immutable terms as " +
      "one stored hash, re-sent as calldata by every entry point (as Uniswap v4's PoolKey or iExec's orders are), " +
      "would take createJob from six new slots to about three (about 63k less) and turn about seventeen cold job-slot " +
      "reads of the later steps into calldata (about 25k less, net of each step reading the hash, and a few k of " +
      "calldata more), leaving the lifecycle near " +
      "630k; (2) the market keeping stake locks and GPU leases itself, the registry read for qualification and " +
      "written for reputation only, saves about 30k more of the registry calls (a write in the market still costs a " +
      "slot write), near 600k. What remains is what the protocol's guarantees cost: sealed bids set a bid slot at " +
      "commit and a best-bid slot at reveal, pull payments set the renter's refund balance at award, the collateral " +
      "is priced by the oracle at creation, every step emits what the indexer needs, and seven transactions pay " +
      "about 150k of intrinsic gas; by this arithmetic a separate award and start stay above 540k and award+start " +
      "above 500k unless one of those guarantees goes. For credit jobs: the settlement keeps its running totals " +
      "in pairs, one slot per pair of counters the same transactions update (credits escrowed with credits spent, " +
      "refunded with accrued, bought with burned, withdrawn with minted), so a credit job's creation writes one " +
      "totals slot instead of two (about 5k less when the escrow already holds other jobs' credits, and as much " +
      "on a purchase or a withdrawal), and the escrow's slot no longer empties and refills: on a run like this " +
      "one, where the escrow is empty when the job is created, creation no longer sets it from zero (about 17k " +
      "less per lifecycle, net of the settle's refund for emptying it). One settlement call per settle instead " +
      "of three would save about 2k more (the settlement's slots are warm after the first call); the rest of the " +
      "gap is the settlement's own ledger (per-account records and their events).",
  );
  return out;
}

const COLUMNS = [
  "gas",
  "intrinsic",
  "new slots",
  "new-slot gas",
  "other SSTORE",
  "SLOAD",
  "LOG (events)",
  "calls: registry",
  "calls: settlement",
  "calls: tokens",
  "calls: other",
  "other execution",
  "refund",
  "new slots in calls",
  "floor outside market storage",
  "step target",
];

function cellsOf(b: GasBreakdown): Record<string, number> {
  const calls = { ...b.calls };
  const take = (name: string) => {
    const v = calls[name] ?? 0;
    delete calls[name];
    return v;
  };
  const registry = take("registry");
  const settlement = take("settlement");
  const tokens = take("usdc") + take("token");
  const other = Object.values(calls).reduce((a, v) => a + v, 0);
  return {
    gas: b.gasUsed,
    intrinsic: b.intrinsic,
    "new slots": b.newSlots,
    "new-slot gas": b.newSlotGas,
    "other SSTORE": b.otherSstoreGas,
    SLOAD: b.sloadGas,
    "LOG (events)": b.logGas,
    "calls: registry": registry,
    "calls: settlement": settlement,
    "calls: tokens": tokens,
    "calls: other": other,
    "other execution": b.otherExecution,
    refund: b.refund,
    "new slots in calls": b.newSlotsInCalls,
    "floor outside market storage": floorOf(b),
  };
}

/**
 * What a step would still cost if the market's own storage and execution cost nothing: the intrinsic cost
 * (21,000 + calldata), its events, and its calls to the registry, the settlement, the tokens and the oracle.
 * No storage layout of the market can take a step below it; only fewer or cheaper calls, events or calldata can.
 */
function floorOf(b: GasBreakdown): number {
  return b.intrinsic + b.logGas + Object.values(b.calls).reduce((a, v) => a + v, 0);
}

function total(parts: GasBreakdown[]): GasBreakdown {
  const t: GasBreakdown = {
    gasUsed: 0,
    intrinsic: 0,
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
  for (const p of parts) {
    for (const k of Object.keys(t) as (keyof GasBreakdown)[]) {
      if (k === "calls") {
        for (const [n, v] of Object.entries(p.calls)) t.calls[n] = (t.calls[n] ?? 0) + v;
      } else {
        (t[k] as number) += p[k] as number;
      }
    }
  }
  return t;
}

export default section;
