// The jobs table's filters (from the URL, so user input) checked and turned into the SDK's recentJobs options.
import { GPU_MODELS, gpuModelId } from "../../../sdk/gpu-models.ts";
import type { RecentJobsOptions } from "../../../sdk/indexer/index.ts";

import type { JobFilters } from "./routes.ts";
import { isIndexedJobState, isPricingRule } from "./states.ts";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The SDK options of the route's filters, or the first filter that is not valid. */
export function jobQueryOptions(filters: JobFilters): { options: RecentJobsOptions } | { invalid: string } {
  const options: { -readonly [K in keyof RecentJobsOptions]: RecentJobsOptions[K] } = {};
  if (filters.state !== undefined) {
    if (!isIndexedJobState(filters.state)) return { invalid: `state "${filters.state}" is not one the indexer stores` };
    options.state = filters.state;
  }
  if (filters.model !== undefined) {
    if (!GPU_MODELS.some((model) => model.name === filters.model))
      return { invalid: `GPU model "${filters.model}" is not in the catalogue` };
    options.gpuModel = gpuModelId(filters.model);
  }
  if (filters.rule !== undefined) {
    if (!isPricingRule(filters.rule))
      return { invalid: `pricing rule "${filters.rule}" is not one of FirstPrice, SecondPrice, Instant` };
    options.pricingRule = filters.rule;
  }
  for (const key of ["token", "renter", "provider"] as const) {
    const value = filters[key];
    if (value === undefined) continue;
    if (!ADDRESS.test(value)) return { invalid: `${key} "${value}" is not an address (0x and 40 hex digits)` };
    if (key === "token") options.paymentToken = value;
    else options[key] = value;
  }
  return { options };
}
