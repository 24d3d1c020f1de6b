// The protocol's Solidity enums, defined once: each member's canonical name is its Solidity name, its
// value is its index (Solidity's uint8 encoding), and `parse` also accepts the command line's spellings
// ("first", "first-price", "vickrey", ...). Plain frozen objects, not TypeScript enums: Node's type
// stripping (which runs the CLI and the indexer's scripts) has no enums.

/** Thrown by {@link ProtocolEnum.parse} for a spelling the enum does not know; the message names the allowed values. */
export class EnumParseError extends Error {
  /** The Solidity enum, e.g. "IJobMarket.PricingRule". */
  readonly enumName: string;
  /** The text that was given. */
  readonly input: string;
  /** Every accepted spelling, canonical names first. */
  readonly allowed: readonly string[];

  constructor(enumName: string, input: string, allowed: readonly string[]) {
    super(`unknown ${enumName} "${input}": use one of ${allowed.join(", ")}`);
    this.name = "EnumParseError";
    this.enumName = enumName;
    this.input = input;
    this.allowed = allowed;
  }
}

/** One Solidity enum: its members' canonical names in on-chain order, and conversions both ways. */
export interface ProtocolEnum<N extends string> {
  /** The Solidity name, as in the ABI's internalType without "enum " ("IJobMarket.PricingRule"). */
  readonly solidityName: string;
  /** The canonical names (the Solidity member names), indexed by on-chain value. */
  readonly names: readonly N[];
  /** Extra spellings `parse` accepts for each member (lower case). */
  readonly aliases: Readonly<Partial<Record<N, readonly string[]>>>;
  /** The on-chain value of a member. */
  valueOf(name: N): number;
  /** Every member's on-chain value as a bigint, by name (what ethers returns for a `uint8` enum). */
  readonly onChain: Readonly<Record<N, bigint>>;
  /** The member at an on-chain value, or undefined for a value this SDK does not know. */
  nameOf(value: bigint | number): N | undefined;
  /** The member at an on-chain value, or `unknown(<value>)` (for messages). */
  label(value: bigint | number): string;
  /** Whether `text` is a canonical name of this enum. */
  is(text: string): text is N;
  /**
   * A member from a canonical name (any case), an alias, or its decimal value; throws
   * {@link EnumParseError} naming the allowed spellings otherwise.
   */
  parse(text: string): N;
}

/**
 * Defines a {@link ProtocolEnum}. `names` must be the Solidity members in declaration order (sdk/enums.test.ts
 * checks them against the compiled contracts).
 */
export function defineEnum<const N extends string>(
  solidityName: string,
  names: readonly N[],
  aliases: Partial<Record<N, readonly string[]>> = {},
): ProtocolEnum<N> {
  const lookup = new Map<string, N>();
  for (const name of names) lookup.set(name.toLowerCase(), name);
  for (const name of names) for (const alias of aliases[name] ?? []) lookup.set(alias.toLowerCase(), name);
  const allowed = [...names, ...names.flatMap((name) => aliases[name] ?? [])];
  const nameOf = (value: bigint | number): N | undefined => {
    const index = Number(value);
    return Number.isInteger(index) && index >= 0 ? names[index] : undefined;
  };
  return Object.freeze({
    solidityName,
    names: Object.freeze([...names]),
    aliases: Object.freeze({ ...aliases }),
    onChain: Object.freeze(Object.fromEntries(names.map((name, index) => [name, BigInt(index)])) as Record<N, bigint>),
    valueOf: (name: N): number => {
      const index = names.indexOf(name);
      if (index < 0) throw new EnumParseError(solidityName, String(name), allowed);
      return index;
    },
    nameOf,
    label: (value: bigint | number): string => nameOf(value) ?? `unknown(${value})`,
    is: (text: string): text is N => (names as readonly string[]).includes(text),
    parse: (text: string): N => {
      const key = text.trim().toLowerCase();
      const found = lookup.get(key) ?? (/^\d+$/.test(key) ? names[Number(key)] : undefined);
      if (found === undefined) throw new EnumParseError(solidityName, text, allowed);
      return found;
    },
  });
}

/** IJobMarket.PricingRule: how an auction sets the price. Aliases: the CLI's `--rule` spellings. */
export const PricingRule = defineEnum("IJobMarket.PricingRule", ["FirstPrice", "SecondPrice", "Instant"], {
  FirstPrice: ["first", "first-price"],
  SecondPrice: ["second", "second-price", "vickrey"],
});
/** A canonical pricing rule name. */
export type PricingRuleName = (typeof PricingRule.names)[number];

/** The CLI's short spelling of each pricing rule (`--rule` and the `pricingRule` field of `--json` output). */
export const PRICING_RULE_OPTIONS: Readonly<Record<PricingRuleName, "first" | "second" | "instant">> = {
  FirstPrice: "first",
  SecondPrice: "second",
  Instant: "instant",
};

/** A human label for each pricing rule ("second-price (Vickrey)"). */
export const PRICING_RULE_LABELS: Readonly<Record<PricingRuleName, string>> = {
  FirstPrice: "first-price",
  SecondPrice: "second-price (Vickrey)",
  Instant: "instant",
};

/** The CLI's short spelling of the pricing rule at an on-chain value, or undefined for an unknown value. */
export function pricingRuleOption(value: bigint | number): "first" | "second" | "instant" | undefined {
  const name = PricingRule.nameOf(value);
  return name === undefined ? undefined : PRICING_RULE_OPTIONS[name];
}

/** The human label of the pricing rule at an on-chain value ("first-price"), or `unknown(<value>)`. */
export function pricingRuleLabel(value: bigint | number): string {
  const name = PricingRule.nameOf(value);
  return name === undefined ? `unknown(${value})` : PRICING_RULE_LABELS[name];
}

/** IJobMarket.JobState. `Revealing` is never stored: `stateOf` reports it for a Bidding job past its bid window. */
export const JobState = defineEnum("IJobMarket.JobState", [
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
]);
/** A canonical job state name. */
export type JobStateName = (typeof JobState.names)[number];

/** IJobMarket.Ruling: the arbiter's ruling on a dispute (ProviderFault: the renter wins). */
export const Ruling = defineEnum("IJobMarket.Ruling", ["ProviderFault", "RenterFault"], {
  ProviderFault: ["provider-fault"],
  RenterFault: ["renter-fault"],
});
/** A canonical ruling name. */
export type RulingName = (typeof Ruling.names)[number];

/** The ruling that decides a dispute for `winner` (the renter wins on ProviderFault). */
export function rulingFor(winner: "renter" | "provider"): RulingName {
  return winner === "renter" ? "ProviderFault" : "RenterFault";
}

/** IJobMarket.FailureReason: why a job failed. */
export const FailureReason = defineEnum("IJobMarket.FailureReason", ["NoShow", "LateDelivery"], {
  NoShow: ["no-show"],
  LateDelivery: ["late", "late-delivery"],
});
/** A canonical failure reason name. */
export type FailureReasonName = (typeof FailureReason.names)[number];

/** IJobMarket.BidStatus: a sealed bid's status. */
export const BidStatus = defineEnum("IJobMarket.BidStatus", ["None", "Committed", "Revealed", "Closed"]);
/** A canonical bid status name. */
export type BidStatusName = (typeof BidStatus.names)[number];

/** IJobMarket.RequestField: the job request field named by MarketInvalidRequest. */
export const RequestField = defineEnum("IJobMarket.RequestField", [
  "GpuModel",
  "GpuCount",
  "MinReputation",
  "Duration",
  "ReservePricePerGpuHour",
  "BidWindow",
  "RevealWindow",
  "MinVramGb",
  "SpecHash",
]);
/** A canonical request field name. */
export type RequestFieldName = (typeof RequestField.names)[number];

/** IJobMarket.Parameter: a market governance parameter, in MarketParams order (`parse` also takes the field names, e.g. "feeBps"). */
export const MarketParameter = defineEnum("IJobMarket.Parameter", [
  "FeeBps",
  "CollateralBps",
  "HoldbackBps",
  "SlashToRenterBps",
  "FaultSlashBps",
  "DisputeBondBps",
  "MaxBids",
  "BidBond",
  "BidBondBps",
  "StartWindow",
  "ChallengeWindow",
  "DisputeTimeout",
  "DeliveryGrace",
]);
/** A canonical market parameter name. */
export type MarketParameterName = (typeof MarketParameter.names)[number];

/** ISettlement.Parameter: a settlement governance parameter. */
export const SettlementParameter = defineEnum("ISettlement.Parameter", [
  "SpreadBps",
  "MintCapPerEpoch",
  "EmissionBudgetPerEpoch",
  "EpochLength",
]);
/** A canonical settlement parameter name. */
export type SettlementParameterName = (typeof SettlementParameter.names)[number];

/** A parameter's field name in its params struct ("FeeBps" -> "feeBps"). */
export function parameterField(name: MarketParameterName | SettlementParameterName): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Every enum of the protocol, by Solidity name (for tools and the ABI round-trip test). */
export const PROTOCOL_ENUMS: Readonly<Record<string, ProtocolEnum<string>>> = Object.fromEntries(
  [PricingRule, JobState, Ruling, FailureReason, BidStatus, RequestField, MarketParameter, SettlementParameter].map(
    (e) => [e.solidityName, e as ProtocolEnum<string>] as const,
  ),
);
