import { describe, expect, it } from "vitest";

import { ABIS } from "./abis/index.ts";
import {
  BidStatus,
  EnumParseError,
  FailureReason,
  JobState,
  MarketParameter,
  PRICING_RULE_OPTIONS,
  PricingRule,
  pricingRuleOption,
  PROTOCOL_ENUMS,
  Ruling,
  rulingFor,
  SettlementParameter,
} from "./enums.ts";
import { artifact, astNodes, sourceAst } from "./test-support.ts";

/**
 * Every `enum X.Y` named by an internalType anywhere in the protocol's ABIs (inputs, outputs, struct
 * components). The governor and timelock are OpenZeppelin's, with OpenZeppelin's enums: left out.
 */
function abiEnumNames(): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if (typeof record.internalType === "string" && record.internalType.startsWith("enum "))
        names.add(record.internalType.slice(5));
      Object.values(record).forEach(visit);
    }
  };
  visit(
    Object.entries(ABIS)
      .filter(([name]) => name !== "GridleaseGovernor" && name !== "GridleaseTimelock")
      .map(([, abi]) => abi),
  );
  return names;
}

/** The enums declared in the protocol's interfaces, by canonical name, from the compiler's AST. */
function declaredEnums(): Map<string, string[]> {
  const declared = new Map<string, string[]>();
  for (const path of [
    "interfaces/IJobMarket.sol/IJobMarket.json",
    "interfaces/ISettlement.sol/ISettlement.json",
    "interfaces/IProviderRegistry.sol/IProviderRegistry.json",
  ]) {
    for (const node of astNodes(sourceAst(artifact(path)), "EnumDefinition")) {
      declared.set(
        node.canonicalName as string,
        (node.members as { name: string }[]).map((m) => m.name),
      );
    }
  }
  return declared;
}

describe("enums round-trip with the compiled contracts", () => {
  it("defines every enum the ABIs use", () => {
    const missing = [...abiEnumNames()].filter((name) => PROTOCOL_ENUMS[name] === undefined);
    expect(missing).toEqual([]);
    expect(abiEnumNames().size).toBeGreaterThanOrEqual(6);
  });

  it("has the Solidity members in declaration order", () => {
    const declared = declaredEnums();
    for (const [name, protocolEnum] of Object.entries(PROTOCOL_ENUMS)) {
      expect(declared.get(name), name).toEqual([...protocolEnum.names]);
    }
    // And no enum of the interfaces is left out.
    expect([...declared.keys()].filter((name) => PROTOCOL_ENUMS[name] === undefined)).toEqual([]);
  });

  it("converts names and values both ways", () => {
    for (const protocolEnum of Object.values(PROTOCOL_ENUMS)) {
      protocolEnum.names.forEach((name, value) => {
        expect(protocolEnum.valueOf(name)).toBe(value);
        expect(protocolEnum.nameOf(BigInt(value))).toBe(name);
        expect(protocolEnum.parse(name.toUpperCase())).toBe(name);
        expect(protocolEnum.parse(String(value))).toBe(name);
      });
      expect(protocolEnum.nameOf(protocolEnum.names.length)).toBeUndefined();
      expect(protocolEnum.label(99)).toBe("unknown(99)");
    }
  });
});

describe("parse helpers", () => {
  it("accept the CLI's spellings of the pricing rule", () => {
    for (const text of ["first", "first-price", "FirstPrice", "FIRST", " 0 "])
      expect(PricingRule.parse(text)).toBe("FirstPrice");
    for (const text of ["second", "second-price", "Vickrey", "SecondPrice", "1"])
      expect(PricingRule.parse(text)).toBe("SecondPrice");
    expect(PricingRule.parse("instant")).toBe("Instant");
    expect(PRICING_RULE_OPTIONS[PricingRule.parse("vickrey")]).toBe("second");
    expect(pricingRuleOption(2n)).toBe("instant");
    expect(pricingRuleOption(7)).toBeUndefined();
  });

  it("name the allowed values for an unknown spelling", () => {
    expect(() => PricingRule.parse("dutch")).toThrow(EnumParseError);
    expect(() => PricingRule.parse("dutch")).toThrow(
      'unknown IJobMarket.PricingRule "dutch": use one of FirstPrice, SecondPrice, Instant, first, first-price, second, second-price, vickrey',
    );
    expect(() => JobState.parse("12")).toThrow(/use one of None, Bidding, Revealing/);
    expect(() => BidStatus.parse("")).toThrow(EnumParseError);
  });

  it("accept parameter field names and the other aliases", () => {
    expect(MarketParameter.parse("feeBps")).toBe("FeeBps");
    expect(SettlementParameter.parse("epochLength")).toBe("EpochLength");
    expect(FailureReason.parse("no-show")).toBe("NoShow");
    expect(Ruling.valueOf(rulingFor("renter"))).toBe(0);
    expect(Ruling.valueOf(rulingFor("provider"))).toBe(1);
  });
});
