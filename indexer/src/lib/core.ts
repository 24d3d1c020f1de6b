// Shared helpers for the handlers: chain-time periods, USD normalisation and the read-modify-write of
// metric rows. Everything here reads and writes through `context.db` only: the indexer never calls the
// chain, and the store makes every write reorg- and crash-safe.
import type { Context } from "ponder:registry";
import { getTableColumns } from "drizzle-orm";
import { hexToString, type Hex } from "viem";

import { paymentToken } from "ponder:schema";

export type Ctx = Pick<Context, "db" | "contracts">;
export type Db = Ctx["db"];
export type Period = "hour" | "day" | "all";
type Row = Record<string, unknown>;
// The store's methods are generic over each table; metric helpers work on any of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTable = any;

/** The columns of a row type that hold a non-null bigint or integer: the counters a metric adds to. */
type CounterColumn<R> = { [K in keyof R]-?: R[K] extends bigint | number ? K : never }[keyof R];

/**
 * What a metric helper may add to a row of `table`: any of its non-null bigint or integer columns (its
 * key columns `Key` excluded), each with the column's own type. Derived columns (nullable ratios and
 * averages) and misspelt names are compile errors.
 */
export type DeltasOf<Table extends { $inferSelect: object }, Key extends PropertyKey = never> = {
  readonly [K in Exclude<CounterColumn<Table["$inferSelect"]>, Key>]?: Table["$inferSelect"][K];
};

type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/**
 * `D`, with every key that is not a column of `Allowed` typed `never`: metric helpers take
 * `OnlyColumns<D, XDeltas>` so that a misspelt column is a compile error even where TypeScript's
 * excess-property check does not look (deltas spread from a conditional, or built in a variable).
 */
export type OnlyColumns<D, Allowed> = D & { readonly [K in Exclude<KeysOfUnion<D>, keyof Allowed>]: never };

/** Column deltas as addToRow reads them: unset columns are skipped. */
type AnyDeltas = { readonly [column: string]: bigint | number | undefined };

export const HOUR = 3600n;
export const DAY = 86_400n;
export const USD_DECIMALS = 18;

export const hourStart = (t: bigint): bigint => t - (t % HOUR);
export const dayStart = (t: bigint): bigint => t - (t % DAY);

/** The three rows an event at hour `hs` touches: its hour, its day and the cumulative row. */
export function periodsOfHour(hs: bigint): { period: Period; periodStart: bigint }[] {
  return [
    { period: "hour", periodStart: hs },
    { period: "day", periodStart: dayStart(hs) },
    { period: "all", periodStart: 0n },
  ];
}

export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** a / b as a float, null when b is zero. */
export function ratio(a: bigint | number, b: bigint | number): number | null {
  if (b === 0n || b === 0) return null;
  return Number(a) / Number(b);
}

/** floor(a / b), null when b is zero. */
export function floorDiv(a: bigint, b: bigint): bigint | null {
  return b === 0n ? null : a / b;
}

/** A bytes32 GPU model id as text ("H100"). */
export function modelName(id: Hex): string {
  return hexToString(id, { size: 32 }).replace(/\0+$/, "");
}

/** Dollars with 18 decimals: stablecoins (taken at $1) scaled up from their decimals, credits as they are. */
export function toUsd(amount: bigint, decimals: number): bigint {
  return amount * 10n ** BigInt(USD_DECIMALS - decimals);
}

/** The decimals of an allow-listed payment token (from PaymentTokenSet). */
export async function tokenDecimals(ctx: Ctx, token: Hex): Promise<number> {
  const row = await ctx.db.find(paymentToken, { address: token });
  if (row === null) {
    // The market only escrows allow-listed tokens, and allow-listing emits PaymentTokenSet first.
    throw new Error(`payment token ${token} was never allow-listed (no PaymentTokenSet event)`);
  }
  return row.decimals;
}

const defaultsCache = new WeakMap<object, Row>();

/** A row of `table` with every column at its default (null where it has none). */
function defaultsOf(table: AnyTable): Row {
  let defaults = defaultsCache.get(table);
  if (defaults === undefined) {
    defaults = {};
    for (const [name, column] of Object.entries(getTableColumns(table)) as [string, AnyTable][]) {
      defaults[name] = column.default ?? null;
    }
    defaultsCache.set(table, defaults);
  }
  return defaults;
}

/**
 * `row` read through `values` first: what a derive function sees of a row about to get `values`. The
 * values are defined, not assigned: assigning would reach the store's copy-on-write proxy (the
 * prototype), which copies the whole row on every write.
 */
export function overlay(row: Row, values: Row): Row {
  const own: PropertyDescriptorMap = {};
  for (const [column, value] of Object.entries(values)) own[column] = { value, enumerable: true, writable: true };
  return Object.create(row, own) as Row;
}

function added(current: unknown, delta: bigint | number): bigint | number {
  return typeof current === "number" ? current + Number(delta) : (current as bigint) + BigInt(delta);
}

/**
 * Adds `deltas` to the row `key` of `table` (created from the column defaults if missing), then applies
 * `derive` to the result (ratios, averages, levels; it reads the row with the deltas added and returns
 * the columns it sets). One upsert in the store, which sets the delta columns and the derived ones: the
 * row Ponder hands the update callback is a copy-on-write proxy, so it is read column by column, never
 * copied whole. Returns `previous`, the values the delta columns had before (null if the row is new; the
 * store's rows are live views, so "before" must be read inside the callback), and `after`, the row now.
 */
export async function addToRow(
  db: Db,
  table: AnyTable,
  key: Row,
  deltas: AnyDeltas,
  derive?: (row: Row) => Row,
): Promise<{ previous: Row | null; after: Row }> {
  const store = db as AnyTable;
  const fresh: Row = { ...defaultsOf(table), ...key };
  const set = defined(deltas);
  for (const [column, delta] of set) fresh[column] = added(fresh[column], delta);
  if (derive !== undefined) Object.assign(fresh, derive(fresh));
  let previous: Row | null = null;
  const after = (await store
    .insert(table)
    .values(fresh)
    .onConflictDoUpdate((row: Row) => {
      previous = {};
      const changes: Row = {};
      for (const [column, delta] of set) {
        previous[column] = row[column];
        changes[column] = added(row[column], delta);
      }
      return derive === undefined ? changes : { ...changes, ...derive(overlay(row, changes)) };
    })) as Row;
  return { previous, after };
}

/** The deltas that are set, as [column, delta] pairs. */
function defined(deltas: AnyDeltas): [string, bigint | number][] {
  const set: [string, bigint | number][] = [];
  for (const [column, delta] of Object.entries(deltas)) if (delta !== undefined) set.push([column, delta]);
  return set;
}

/** Drops zero (and unset) deltas, so an event that changes nothing of a table writes nothing to it. */
export function nonZero<D extends AnyDeltas>(deltas: D): Partial<D> {
  const kept: Record<string, bigint | number> = {};
  for (const [column, delta] of defined(deltas)) if (delta !== 0n && delta !== 0) kept[column] = delta;
  return kept as Partial<D>;
}
