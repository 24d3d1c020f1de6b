// Names of the Solidity enums of IJobMarket and ISettlement, indexed by their on-chain values. Plain
// constant arrays (not TypeScript enums): the CLI runs under Node's type stripping, which has no enums.

/** IJobMarket.JobState. */
export const JOB_STATES = [
  "None",
  "Bidding",
  "Revealing",
  "Awarded",
  "Running",
  "Delivered",
  "Disputed",
  "Settled",
  "Expired",
  "Cancelled",
  "Failed",
  "Resolved",
] as const;
export type JobStateName = (typeof JOB_STATES)[number];

/** IJobMarket.PricingRule, with the CLI's spelling for `--rule`. */
export const PRICING_RULES = ["first", "second", "instant"] as const;
export type PricingRuleName = (typeof PRICING_RULES)[number];
export const PRICING_RULE_LABELS = ["first-price", "second-price (Vickrey)", "instant"] as const;

/** IJobMarket.BidStatus. */
export const BID_STATUSES = ["None", "Committed", "Revealed", "Closed"] as const;

/** IJobMarket.RequestField, as the CLI option that sets each field. */
export const REQUEST_FIELDS = [
  "GPU model (--model)",
  "GPU count (--count, 1 to 1024)",
  "minimum reputation (--min-reputation, 0 to 10000)",
  "duration (--hours, 1 minute to 365 days)",
  "maximum price per GPU-hour (--max-price, above zero)",
  "bid window (--bid-window, 1 minute to 7 days)",
  "reveal window (--reveal-window, 1 minute to 7 days; none for instant jobs)",
  "minimum VRAM per GPU (--vram, at most 65535 GB)",
  "workload spec hash (--spec <file> or --spec-hash <hash>, not zero)",
] as const;

/** IJobMarket.Parameter. */
export const MARKET_PARAMETERS = [
  "feeBps",
  "collateralBps",
  "holdbackBps",
  "slashToRenterBps",
  "faultSlashBps",
  "disputeBondBps",
  "maxBids",
  "bidBond",
  "bidBondBps",
  "startWindow",
  "challengeWindow",
  "disputeTimeout",
  "deliveryGrace",
] as const;

/** ISettlement.Parameter. */
export const SETTLEMENT_PARAMETERS = ["spreadBps", "mintCapPerEpoch", "emissionBudgetPerEpoch", "epochLength"] as const;

/** The name at `index` of `names`, or a placeholder for a value this CLI does not know. */
export function enumName(names: readonly string[], index: bigint | number): string {
  return names[Number(index)] ?? `unknown(${index})`;
}

/** The on-chain value of a pricing rule name. */
export function pricingRuleValue(name: PricingRuleName): number {
  return PRICING_RULES.indexOf(name);
}
