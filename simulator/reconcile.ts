// Reconciles every balance the protocol holds with its event history: no token created or lost.
// Rebuilds, from events alone, the market's per-token ledger, the escrow of open jobs, the
// settlement's credits, earnings and mint queue, and GRL's supply, stake and custody, then compares
// each with what the contracts report now.
import { connectProtocol, EventDecoder, type ProtocolEvent } from "../sdk/contracts.ts";
import type { DeployedAddresses } from "../sdk/index.ts";
import { Chain, type Eip1193 } from "./chain.ts";
import { CHECKS, openJobEscrow, type Check } from "./reconcile/checks.ts";
import { EventTally } from "./reconcile/tally.ts";

export type { Check } from "./reconcile/checks.ts";

export interface Reconciliation {
  ok: boolean;
  checks: Check[];
  /** Protocol events read. */
  events: number;
  /** Jobs whose money is still escrowed. */
  openJobs: number;
}

const BLOCK_RANGE = 2_000;

async function readEvents(chain: Chain, decoder: EventDecoder, addresses: string[]): Promise<ProtocolEvent[]> {
  const latest = Number(BigInt((await chain.transport.request({ method: "eth_blockNumber" })) as string));
  const events: ProtocolEvent[] = [];
  for (let from = 0; from <= latest; from += BLOCK_RANGE) {
    const to = Math.min(latest, from + BLOCK_RANGE - 1);
    const logs = (await chain.transport.request({
      method: "eth_getLogs",
      params: [{ fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, address: addresses }],
    })) as { address: string; topics: string[]; data: string; blockNumber: string; logIndex: string }[];
    events.push(
      ...decoder.decode(
        logs.map((l) => ({
          address: l.address,
          topics: l.topics,
          data: l.data,
          blockNumber: Number(BigInt(l.blockNumber)),
          index: Number(BigInt(l.logIndex)),
        })),
      ),
    );
  }
  return events;
}

/** Replays every protocol event of the deployment and checks each conservation law (reconcile/checks.ts) against the contracts. */
export async function reconcile(transport: Eip1193, deployed: DeployedAddresses): Promise<Reconciliation> {
  const chain = new Chain(transport);
  const chainId = await chain.chainId();
  const protocol = connectProtocol(chainId, deployed, chain.provider);
  const { market, settlement, registry, token } = protocol;
  const decoder = new EventDecoder(chainId, deployed);
  const addr = {
    market: (await market.getAddress()).toLowerCase(),
    settlement: (await settlement.getAddress()).toLowerCase(),
    registry: (await registry.getAddress()).toLowerCase(),
    token: (await token.getAddress()).toLowerCase(),
  };
  const treasury = await market.treasury();
  const events = await readEvents(chain, decoder, Object.values(addr));
  const tally = new EventTally(treasury, addr.settlement);
  tally.add(events);

  const { openEscrow, checks } = await openJobEscrow(protocol, tally);
  for (const check of CHECKS) checks.push(...(await check({ protocol, addr, tally, openEscrow })));
  return { ok: checks.every((c) => c.ok), checks, events: events.length, openJobs: tally.open.size };
}
