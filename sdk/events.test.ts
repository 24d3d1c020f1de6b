import { encodeBytes32String, getAddress, id, Interface, type InterfaceAbi } from "ethers";
import { describe, expect, it } from "vitest";

import { GridleaseTokenAbi, JobMarketAbi, ProviderRegistryAbi } from "./abis/index.ts";
import { DeploymentError, type DeployedAddresses } from "./deployment.ts";
import { EventDecoder, eventsNamed, type DecodableLog } from "./events.ts";

const ADDRESSES: DeployedAddresses = {
  JobMarket: "0x00000000000000000000000000000000000000a1",
  Settlement: "0x00000000000000000000000000000000000000a2",
  ProviderRegistry: "0x00000000000000000000000000000000000000a3",
  GridleaseToken: "0x00000000000000000000000000000000000000a4",
  MockStablecoin: "0x00000000000000000000000000000000000000a5",
};
const RENTER = getAddress("0x0000000000000000000000000000000000000b01");
const PROVIDER = getAddress("0x0000000000000000000000000000000000000b02");

const market = new Interface(JobMarketAbi as InterfaceAbi);
const registry = new Interface(ProviderRegistryAbi as InterfaceAbi);
const token = new Interface(GridleaseTokenAbi as InterfaceAbi);

/** A log as a node would return it: `iface`'s event `name` with `values`, emitted at `address`. */
function logOf(iface: Interface, name: string, values: unknown[], address: string, index: number): DecodableLog {
  const { topics, data } = iface.encodeEventLog(name, values);
  return { address, topics, data, blockNumber: 7, index };
}

const awarded = [
  3n, // jobId
  RENTER,
  PROVIDER,
  encodeBytes32String("H100"),
  2, // gpuCount
  1, // pricingRule
  2_500_000n, // clearingPrice
  3_000_000n, // reservePricePerGpuHour
  5_000_000n, // value
  1_000_000n, // refund
  500_000n, // collateral
  4, // bidCount
  3, // revealCount
  1_800_000_000n, // startDeadline
];

describe("EventDecoder", () => {
  const decoder = new EventDecoder(31337n, ADDRESSES);

  it("decodes each contract's events into typed arguments, in log order", () => {
    const events = decoder.decode([
      logOf(market, "JobAwarded", awarded, ADDRESSES.JobMarket, 0),
      logOf(registry, "ReputationUpdated", [PROVIDER, 5_000, 5_100, true], ADDRESSES.ProviderRegistry, 1),
      logOf(token, "Transfer", [RENTER, PROVIDER, 10n ** 18n], ADDRESSES.GridleaseToken, 2),
    ]);

    expect(events.map((e) => e.name)).to.deep.equal(["JobAwarded", "ReputationUpdated", "Transfer"]);
    const [award] = eventsNamed(events, "JobAwarded");
    expect(award.args.jobId).to.equal(3n);
    expect(award.args.provider).to.equal(PROVIDER);
    expect(award.args.clearingPrice).to.equal(2_500_000n);
    expect(award.args.startDeadline).to.equal(1_800_000_000n);
    expect(award.address).to.equal(ADDRESSES.JobMarket);
    expect(award.blockNumber).to.equal(7);
    expect(award.logIndex).to.equal(0);
    const [reputation] = eventsNamed(events, "ReputationUpdated");
    expect(reputation.args.current).to.equal(5_100n);
    expect(reputation.args.success).to.equal(true);
    expect(eventsNamed(events, "Transfer")[0].args.value).to.equal(10n ** 18n);
  });

  it("matches contract addresses whatever their case", () => {
    const log = logOf(
      token,
      "Transfer",
      [RENTER, PROVIDER, 1n],
      ADDRESSES.GridleaseToken.toUpperCase().replace("0X", "0x"),
      0,
    );
    expect(decoder.decode([log]).map((e) => e.name)).to.deep.equal(["Transfer"]);
  });

  it("skips an event from a contract that is not its source (USDC's Transfer is not GRL's)", () => {
    expect(
      decoder.decode([logOf(token, "Transfer", [RENTER, PROVIDER, 1n], ADDRESSES.MockStablecoin, 0)]),
    ).to.deep.equal([]);
  });

  it("skips a source contract's events outside ProtocolEvents (the market's RoleGranted)", () => {
    const granted = logOf(market, "RoleGranted", [id("ARBITER_ROLE"), RENTER, PROVIDER], ADDRESSES.JobMarket, 0);
    expect(decoder.decode([granted])).to.deep.equal([]);
  });

  it("skips unknown logs: a topic no ABI declares, and an address outside the deployment", () => {
    const unknown: DecodableLog = {
      address: ADDRESSES.JobMarket,
      topics: [id("Unknown(uint256)")],
      data: "0x",
      blockNumber: 1,
      index: 0,
    };
    const elsewhere = logOf(market, "JobAwarded", awarded, "0x0000000000000000000000000000000000000c01", 1);
    const kept = logOf(registry, "ReputationUpdated", [PROVIDER, 5_000, 4_900, false], ADDRESSES.ProviderRegistry, 2);
    expect(decoder.decode([unknown, elsewhere, kept]).map((e) => e.logIndex)).to.deep.equal([2]);
  });

  it("throws a DeploymentError naming a contract the addresses lack", () => {
    const { Settlement: _, ...withoutSettlement } = ADDRESSES;
    expect(() => new EventDecoder(31337n, withoutSettlement)).to.throw(DeploymentError, /has no Settlement/);
  });
});
