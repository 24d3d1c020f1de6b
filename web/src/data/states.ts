// The jobs table's filter choices: the states the indexer stores and the pricing rules, with their labels.
import { JobState, PRICING_RULE_LABELS, PricingRule, type PricingRuleName } from "../../../sdk/enums.ts";
import type { IndexedJobState } from "../../../sdk/indexer/index.ts";

/** The states a job row can have (never None; Revealing is Bidding past its bid deadline). */
export const INDEXED_JOB_STATES: readonly IndexedJobState[] = JobState.names.filter(
  (name): name is IndexedJobState => name !== "None" && name !== "Revealing",
);

/** The pricing rules with the CLI's labels. */
export const PRICING_RULES: readonly { readonly name: PricingRuleName; readonly label: string }[] =
  PricingRule.names.map((name) => ({
    name,
    label: PRICING_RULE_LABELS[name],
  }));

/** Whether `value` is a state the indexer stores (a route's filter is user input). */
export function isIndexedJobState(value: string): value is IndexedJobState {
  return (INDEXED_JOB_STATES as readonly string[]).includes(value);
}

/** Whether `value` is a pricing rule name. */
export function isPricingRule(value: string): value is PricingRuleName {
  return (PricingRule.names as readonly string[]).includes(value);
}
