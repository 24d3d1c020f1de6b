// What every actor sees of the simulation: the chain, the protocol, its parameters, the world, the
// clock and the one way to act (send a transaction at a simulated time).
import type { Protocol } from "../sdk/contracts.ts";
import type { Bus } from "./bus.ts";
import type { Chain, TxOutcome } from "./chain.ts";
import type { Quotas } from "./quotas.ts";
import type { Random } from "./random.ts";
import type { World } from "./world.ts";

export const MINUTE = 60;
export const HOUR = 3_600;
export const DAY = 86_400;

/** The deployment's parameters the actors plan with (read from the chain at start). */
export interface SimParams {
  chainId: bigint;
  feeBps: number;
  collateralBps: number;
  holdbackBps: number;
  disputeBondBps: number;
  maxBids: number;
  bidBond: bigint;
  bidBondBps: number;
  startWindow: number;
  challengeWindow: number;
  disputeTimeout: number;
  deliveryGrace: number;
  minStakePerGpu: bigint;
  epochLength: number;
  genesis: number;
  spreadBps: number;
  usdcDecimals: number;
  feedDecimals: number;
}

/** The protocol's addresses as plain strings. */
export interface SimAddresses {
  market: string;
  settlement: string;
  registry: string;
  token: string;
  usdc: string;
  feed: string;
}

/** Independent random streams, one per kind of actor. */
export interface SimRandom {
  providers: Random;
  renters: Random;
  keeper: Random;
  population: Random;
}

export interface SimContext {
  readonly chain: Chain;
  readonly protocol: Protocol;
  readonly addresses: SimAddresses;
  readonly params: SimParams;
  readonly world: World;
  /** Chain events of every transaction, and the simulator's signals (see bus.ts). */
  readonly bus: Bus;
  readonly quotas: Quotas;
  readonly rng: SimRandom;
  /** Account 0 of the local deployment: treasury (holds the GRL supply), arbiter and feed owner. */
  readonly treasury: string;
  /** The dispute arbiter, if the simulator controls it (else disputes time out). */
  readonly arbiter: string | undefined;
  /** Calls the time-driven transitions anyone may call (award, settle, timeouts). */
  readonly keeper: string;
  /** Simulated time now: the running action's time, or just after the latest block if later. */
  readonly now: number;
  /** False once a draining run stops posting new jobs. */
  readonly acceptingJobs: boolean;
  /** The GRL/USD price the oracle reports now, 18 decimals. */
  grlUsdPrice(): bigint;
  /** Runs `run` at simulated time `at`. Background actions do not keep a draining run alive. */
  schedule(at: number, label: string, run: () => Promise<void>, background?: boolean): void;
  /** Sends a transaction from `from` mined at `at` (or just after the previous block). */
  send(from: string, to: string, data: string, at: number, label: string): Promise<TxOutcome>;
  /** A line for the run's log (shown with --verbose). */
  debug(message: string): void;
}
