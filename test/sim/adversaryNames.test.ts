import { expect } from "chai";

import { ADVERSARY_NAMES, parseAdversaries } from "../../simulator/adversaries/names.ts";

describe("Market simulator: --adversaries", function () {
  it("test_parseAdversaries_oneName", function () {
    expect(parseAdversaries("shill")).to.deep.equal(["shill"]);
  });

  it("test_parseAdversaries_listInAnyOrderCaseAndSpacing_givesCanonicalOrderOnce", function () {
    expect(parseAdversaries(" Shill, farmer ,shill")).to.deep.equal(["farmer", "shill"]);
  });

  it("test_parseAdversaries_allAndNone", function () {
    expect(parseAdversaries("all")).to.deep.equal([...ADVERSARY_NAMES]);
    expect(parseAdversaries("all,farmer")).to.deep.equal(["farmer", "squatter", "shill"]);
    expect(parseAdversaries("none")).to.deep.equal([]);
  });

  it("test_parseAdversaries_unknownName_namesItAndTheAllowedOnes", function () {
    expect(() => parseAdversaries("farmer,sniper")).to.throw(
      'unknown adversary "sniper" (allowed: farmer, squatter, shill, all, none)',
    );
  });

  it("test_parseAdversaries_emptyName_isAnError", function () {
    expect(() => parseAdversaries("farmer,,shill")).to.throw(
      'empty adversary name in "farmer,,shill" (allowed: farmer, squatter, shill, all, none)',
    );
    expect(() => parseAdversaries("")).to.throw("empty adversary name");
  });
});
