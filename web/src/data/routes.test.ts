import { describe, expect, it } from "vitest";

import { parseRoute, routeHref, type Route } from "./routes.ts";

describe("routes", () => {
  it("parses every page from the hash", () => {
    expect(parseRoute("")).toEqual({ page: "overview" });
    expect(parseRoute("#/")).toEqual({ page: "overview" });
    expect(parseRoute("#/jobs?state=Running&model=H100&junk=1&renter=")).toEqual({
      page: "jobs",
      filters: { state: "Running", model: "H100" },
    });
    expect(parseRoute("#/jobs/42")).toEqual({ page: "job", id: 42n });
    expect(parseRoute("#/providers/0xABCDEFabcdef0123456789012345678901234567")).toEqual({
      page: "provider",
      address: "0xabcdefabcdef0123456789012345678901234567",
    });
    expect(parseRoute("#/market/RTX4090")).toEqual({ page: "market", model: "RTX4090" });
    expect(parseRoute("#/jobs/seven")).toEqual({ page: "not-found", path: "/jobs/seven" });
    expect(parseRoute("#/providers/0x12")).toEqual({ page: "not-found", path: "/providers/0x12" });
  });

  it("writes hashes that parse back to the same route", () => {
    const routes: Route[] = [
      { page: "overview" },
      { page: "jobs", filters: {} },
      {
        page: "jobs",
        filters: { state: "Settled", rule: "Instant", provider: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },
      },
      { page: "job", id: 7n },
      { page: "providers" },
      { page: "provider", address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },
      { page: "market" },
      { page: "market", model: "H100" },
      { page: "auctions" },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });
});
