import { describe, expect, it } from "vitest";

import { parseProviderProfile, profileUriFor, providerProfile } from "./provider-profile.ts";

const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("provider profile", () => {
  it("test_providerProfile_roundTripsThroughParse", () => {
    const profile = providerProfile(PROVIDER, "http://127.0.0.1:7301/");
    expect(profile.nodeApi).toBe("http://127.0.0.1:7301");
    expect(parseProviderProfile(JSON.stringify(profile))).toEqual({ ok: true, value: profile });
  });

  it("test_profileUriFor_appendsTheProfilePath", () => {
    expect(profileUriFor("http://127.0.0.1:7301/")).toBe("http://127.0.0.1:7301/profile");
  });

  it("test_parseProviderProfile_namesEveryProblem", () => {
    const result = parseProviderProfile({ schema: "other", provider: "0x12", nodeApi: "ftp://x" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'schema: must be "gridlease.provider/v1"',
      "provider: must be an address, 0x + 40 hex digits",
      "nodeApi: must be an http(s) URL",
    ]);
  });
});
