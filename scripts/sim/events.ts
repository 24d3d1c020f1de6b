// Decodes the protocol's logs into typed events, and contract reverts into named custom errors.
// The simulator learns every outcome (job ids, winners, prices, payouts, reputation) from the
// events of its own transactions, the way an off-chain agent would.
import type { Interface, Log } from "ethers";

import type {
  BidBondForfeitedEvent,
  BidCommittedEvent,
  BidReleasedEvent,
  BidRevealedEvent,
  DisputeResolvedForProviderEvent,
  DisputeResolvedForRenterEvent,
  JobAwardedEvent,
  JobCancelledEvent,
  JobCreatedEvent,
  JobDeliveredEvent,
  JobDisputedEvent,
  JobExpiredEvent,
  JobFailedEvent,
  JobSettledEvent,
  JobStartedEvent,
  JobStoppedEvent,
  PaymentClaimedEvent,
  WithdrawnEvent,
} from "../../types/ethers-contracts/market/JobMarket.js";
import type {
  CreditsPurchasedEvent,
  CreditsRefundedEvent,
  CreditsSpentEvent,
  EarningsAccruedEvent,
  EarningsMintedEvent,
  EarningsWithdrawnEvent,
  EmissionClaimedEvent,
  GpuSecondsRecordedEvent,
  QueuedMintClaimedEvent,
  QueuedMintsReleasedEvent,
} from "../../types/ethers-contracts/settlement/Settlement.js";
import type {
  ProviderAvailabilityChangedEvent,
  ProviderSlashedEvent,
  ReputationUpdatedEvent,
  StakedEvent,
  StakeWithdrawnEvent,
} from "../../types/ethers-contracts/staking/ProviderRegistry.js";
import type { TokensBurnedEvent, TokensMintedEvent, TransferEvent } from "../../types/ethers-contracts/token/GridleaseToken.js";
import type { Protocol } from "../lib/deployment.js";

/** The events the simulator and its checks read, by name, with their TypeChain argument objects. */
export interface ProtocolEvents {
  // JobMarket
  JobCreated: JobCreatedEvent.OutputObject;
  JobCancelled: JobCancelledEvent.OutputObject;
  BidCommitted: BidCommittedEvent.OutputObject;
  BidRevealed: BidRevealedEvent.OutputObject;
  BidReleased: BidReleasedEvent.OutputObject;
  BidBondForfeited: BidBondForfeitedEvent.OutputObject;
  JobAwarded: JobAwardedEvent.OutputObject;
  JobExpired: JobExpiredEvent.OutputObject;
  JobStarted: JobStartedEvent.OutputObject;
  PaymentClaimed: PaymentClaimedEvent.OutputObject;
  JobStopped: JobStoppedEvent.OutputObject;
  JobDelivered: JobDeliveredEvent.OutputObject;
  JobSettled: JobSettledEvent.OutputObject;
  JobDisputed: JobDisputedEvent.OutputObject;
  DisputeResolvedForRenter: DisputeResolvedForRenterEvent.OutputObject;
  DisputeResolvedForProvider: DisputeResolvedForProviderEvent.OutputObject;
  JobFailed: JobFailedEvent.OutputObject;
  Withdrawn: WithdrawnEvent.OutputObject;
  // Settlement
  CreditsPurchased: CreditsPurchasedEvent.OutputObject;
  CreditsSpent: CreditsSpentEvent.OutputObject;
  CreditsRefunded: CreditsRefundedEvent.OutputObject;
  EarningsAccrued: EarningsAccruedEvent.OutputObject;
  EarningsWithdrawn: EarningsWithdrawnEvent.OutputObject;
  EarningsMinted: EarningsMintedEvent.OutputObject;
  QueuedMintsReleased: QueuedMintsReleasedEvent.OutputObject;
  QueuedMintClaimed: QueuedMintClaimedEvent.OutputObject;
  GpuSecondsRecorded: GpuSecondsRecordedEvent.OutputObject;
  EmissionClaimed: EmissionClaimedEvent.OutputObject;
  // ProviderRegistry
  Staked: StakedEvent.OutputObject;
  StakeWithdrawn: StakeWithdrawnEvent.OutputObject;
  ProviderAvailabilityChanged: ProviderAvailabilityChangedEvent.OutputObject;
  ProviderSlashed: ProviderSlashedEvent.OutputObject;
  ReputationUpdated: ReputationUpdatedEvent.OutputObject;
  // GridleaseToken
  TokensMinted: TokensMintedEvent.OutputObject;
  TokensBurned: TokensBurnedEvent.OutputObject;
  Transfer: TransferEvent.OutputObject;
}

export type EventName = keyof ProtocolEvents;

/** One decoded log. `name` narrows `args`. */
export type ProtocolEvent = {
  [K in EventName]: { name: K; args: ProtocolEvents[K]; address: string; blockNumber: number; logIndex: number };
}[EventName];

/** The events of `name` in `events`, typed. */
export function eventsNamed<K extends EventName>(
  events: readonly ProtocolEvent[],
  name: K,
): (ProtocolEvent & { name: K; args: ProtocolEvents[K] })[] {
  return events.filter((e): e is ProtocolEvent & { name: K; args: ProtocolEvents[K] } => e.name === name);
}

/** Which contract emits which of the events above (the same name on another contract is ignored). */
const SOURCES: Record<"market" | "settlement" | "registry" | "token", readonly EventName[]> = {
  market: [
    "JobCreated",
    "JobCancelled",
    "BidCommitted",
    "BidRevealed",
    "BidReleased",
    "BidBondForfeited",
    "JobAwarded",
    "JobExpired",
    "JobStarted",
    "PaymentClaimed",
    "JobStopped",
    "JobDelivered",
    "JobSettled",
    "JobDisputed",
    "DisputeResolvedForRenter",
    "DisputeResolvedForProvider",
    "JobFailed",
    "Withdrawn",
  ],
  settlement: [
    "CreditsPurchased",
    "CreditsSpent",
    "CreditsRefunded",
    "EarningsAccrued",
    "EarningsWithdrawn",
    "EarningsMinted",
    "QueuedMintsReleased",
    "QueuedMintClaimed",
    "GpuSecondsRecorded",
    "EmissionClaimed",
  ],
  registry: ["Staked", "StakeWithdrawn", "ProviderAvailabilityChanged", "ProviderSlashed", "ReputationUpdated"],
  token: ["TokensMinted", "TokensBurned", "Transfer"],
};

/** A revert, decoded against every protocol contract's custom errors. */
export interface DecodedRevert {
  /** The custom error's name (e.g. "MarketWindowClosed"), or "unknown" when the data matches none. */
  name: string;
  args: unknown[];
  message: string;
}

export class EventDecoder {
  private readonly byAddress = new Map<string, { iface: Interface; names: ReadonlySet<string> }>();
  private readonly interfaces: Interface[];

  constructor(protocol: Protocol) {
    const contracts = {
      market: protocol.market,
      settlement: protocol.settlement,
      registry: protocol.registry,
      token: protocol.token,
    } as const;
    for (const [key, contract] of Object.entries(contracts) as [keyof typeof SOURCES, (typeof contracts)[keyof typeof contracts]][]) {
      this.byAddress.set(String(contract.target).toLowerCase(), {
        iface: contract.interface as unknown as Interface,
        names: new Set(SOURCES[key]),
      });
    }
    this.interfaces = [
      protocol.market.interface,
      protocol.settlement.interface,
      protocol.registry.interface,
      protocol.token.interface,
      protocol.oracle.interface,
      ...(protocol.usdc ? [protocol.usdc.interface] : []),
      ...(protocol.feed ? [protocol.feed.interface] : []),
    ] as unknown as Interface[];
  }

  /** The protocol events among `logs`, in log order. */
  decode(logs: readonly Pick<Log, "address" | "topics" | "data" | "blockNumber" | "index">[]): ProtocolEvent[] {
    const events: ProtocolEvent[] = [];
    for (const log of logs) {
      const source = this.byAddress.get(log.address.toLowerCase());
      if (source === undefined) continue;
      const description = source.iface.parseLog({ topics: [...log.topics], data: log.data });
      if (description === null || !source.names.has(description.name)) continue;
      events.push({
        name: description.name as EventName,
        args: description.args.toObject() as never,
        address: log.address,
        blockNumber: log.blockNumber,
        logIndex: log.index,
      } as ProtocolEvent);
    }
    return events;
  }

  /** Names the custom error in `data` (revert data from a failed call or transaction). */
  decodeRevert(data: string | undefined, message: string): DecodedRevert {
    if (data !== undefined && data.length >= 10) {
      for (const iface of this.interfaces) {
        try {
          const parsed = iface.parseError(data);
          if (parsed !== null) return { name: parsed.name, args: [...parsed.args], message };
        } catch {
          // not this contract's error
        }
      }
    }
    return { name: "unknown", args: [], message };
  }
}
