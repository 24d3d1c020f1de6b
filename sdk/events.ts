// Decodes the protocol's logs into typed events (TypeChain's argument objects, keyed by event name):
// what an off-chain agent, the simulator or a dashboard learns from a receipt or a log query (job ids,
// winners, prices, payouts, reputation). Browser-safe: ethers' Interface and the SDK's ABIs only (the
// TypeChain imports are types). Reverts are decoded by sdk/errors/decode.ts.
import { Interface, type InterfaceAbi, type Log } from "ethers";

import { GridleaseTokenAbi, JobMarketAbi, ProviderRegistryAbi, SettlementAbi } from "./abis/index.ts";
import { requireAddress, type DeployedAddresses } from "./deployment.ts";

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
} from "../types/ethers-contracts/market/JobMarket.ts";
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
} from "../types/ethers-contracts/settlement/Settlement.ts";
import type {
  ProviderAvailabilityChangedEvent,
  ProviderSlashedEvent,
  ReputationUpdatedEvent,
  StakedEvent,
  StakeWithdrawnEvent,
} from "../types/ethers-contracts/staking/ProviderRegistry.ts";
import type {
  TokensBurnedEvent,
  TokensMintedEvent,
  TransferEvent,
} from "../types/ethers-contracts/token/GridleaseToken.ts";

/** The protocol's events, by name, with their TypeChain argument objects. */
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

/** The log fields decoding needs (an ethers Log, or a raw JSON-RPC log with numbers parsed). */
export type DecodableLog = Pick<Log, "address" | "topics" | "data" | "blockNumber" | "index">;

/** Which contract emits which of the events above (the same name on another contract is ignored). */
const SOURCES = {
  JobMarket: {
    abi: JobMarketAbi,
    events: [
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
  },
  Settlement: {
    abi: SettlementAbi,
    events: [
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
  },
  ProviderRegistry: {
    abi: ProviderRegistryAbi,
    events: ["Staked", "StakeWithdrawn", "ProviderAvailabilityChanged", "ProviderSlashed", "ReputationUpdated"],
  },
  GridleaseToken: { abi: GridleaseTokenAbi, events: ["TokensMinted", "TokensBurned", "Transfer"] },
} as const satisfies Record<string, { abi: unknown; events: readonly EventName[] }>;

/** The contracts whose events are decoded (each must be in the addresses a decoder is built from). */
export const EVENT_SOURCES: readonly (keyof typeof SOURCES)[] = Object.keys(SOURCES) as (keyof typeof SOURCES)[];

/**
 * Decodes the logs of one deployment: a log counts only when it comes from the contract that emits
 * that event (a Transfer from USDC is not GRL's), and anything else (other contracts, events not in
 * ProtocolEvents) is skipped.
 */
export class EventDecoder {
  private readonly byAddress = new Map<string, { iface: Interface; names: ReadonlySet<string> }>();

  /** `addresses`: contract name -> address, as a deployment has them; throws a DeploymentError naming a missing one. */
  constructor(chainId: bigint, addresses: DeployedAddresses) {
    for (const name of EVENT_SOURCES) {
      const address = requireAddress({ chainId, addresses, folder: undefined }, name);
      const source = SOURCES[name];
      this.byAddress.set(address.toLowerCase(), {
        iface: new Interface(source.abi as InterfaceAbi),
        names: new Set(source.events),
      });
    }
  }

  /** The protocol events among `logs`, in log order. */
  decode(logs: readonly DecodableLog[]): ProtocolEvent[] {
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
}
