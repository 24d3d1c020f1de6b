import { describe, expect, it } from "vitest";

import { gpuModelId } from "../../../sdk/index.ts";

import { jobQueryOptions } from "./job-filters.ts";

const ADDRESS = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

describe("jobQueryOptions", () => {
  it("turns the URL's filters into recentJobs options", () => {
    expect(
      jobQueryOptions({ state: "Running", model: "H100", rule: "FirstPrice", token: ADDRESS, renter: ADDRESS }),
    ).toEqual({
      options: {
        state: "Running",
        gpuModel: gpuModelId("H100"),
        pricingRule: "FirstPrice",
        paymentToken: ADDRESS,
        renter: ADDRESS,
      },
    });
    expect(jobQueryOptions({})).toEqual({ options: {} });
  });

  it("names the first filter that is not valid", () => {
    expect(jobQueryOptions({ state: "Revealing" })).toEqual({
      invalid: 'state "Revealing" is not one the indexer stores',
    });
    expect(jobQueryOptions({ model: "GTX480" })).toEqual({ invalid: 'GPU model "GTX480" is not in the catalogue' });
    expect(jobQueryOptions({ rule: "dutch" })).toEqual({
      invalid: 'pricing rule "dutch" is not one of FirstPrice, SecondPrice, Instant',
    });
    expect(jobQueryOptions({ provider: "0x12" })).toEqual({
      invalid: 'provider "0x12" is not an address (0x and 40 hex digits)',
    });
  });
});
