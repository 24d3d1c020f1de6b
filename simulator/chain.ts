// The simulator's view of the chain: an EIP-1193 transport (in-process Hardhat network or JSON-RPC
// over HTTP), a clock the simulator drives, and one way to send a transaction.
//
// Every transaction is mined at a timestamp the simulator chooses (evm_setNextBlockTimestamp, then
// eth_sendTransaction with automine), so a run does not depend on how fast the machine is: the same
// seed on a fresh deployment gives the same blocks, amounts and summaries. Actors' accounts are
// impersonated (their keys are never needed to sign), which leaves nonces to the node and saves
// signing time; they are still derived from Hardhat's mnemonic, so a person can take one over.
import { BrowserProvider, toBeHex, type Eip1193Provider } from "ethers";

import type { EventDecoder, ProtocolEvent } from "../sdk/contracts.ts";
import { decodeRevert, revertDataOf } from "../sdk/index.ts";

/** The minimal EIP-1193 surface the simulator uses (Hardhat's network connection provides it). */
export interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** A JSON-RPC error as a node reports it: revert data, when any, in `data`. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data: unknown,
  ) {
    super(message);
  }
}

/** Methods that only read, so a request lost with its connection can be sent again. */
const READ_ONLY = /^(eth_(get|call|chainId|blockNumber|estimateGas)|net_version)/;

/** EIP-1193 over HTTP JSON-RPC (fetch keeps the connection alive). */
export function httpTransport(url: string): Eip1193 {
  let id = 0;
  const post = (method: string, params: unknown[]) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
  return {
    async request({ method, params = [] }) {
      let response: Response;
      try {
        response = await post(method, params);
      } catch (first) {
        // A kept-alive connection the node closed while this process was busy fails the next request
        // before the node sees it; a read is safe to send again on a fresh connection.
        try {
          if (!READ_ONLY.test(method)) throw first;
          response = await post(method, params);
        } catch (error) {
          const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
          throw new RpcError(`the chain at ${url} did not answer ${method} (${cause})`, -32000, undefined);
        }
      }
      if (!response.ok) throw new RpcError(`${method}: HTTP ${response.status} from ${url}`, -32000, undefined);
      const body = (await response.json()) as {
        result?: unknown;
        error?: { code: number; message: string; data?: unknown };
      };
      if (body.error !== undefined) throw new RpcError(body.error.message, body.error.code, body.error.data);
      return body.result;
    },
  };
}

/** A reverted transaction: the custom error's name ("unknown" when the data names none), its arguments and the node's message. */
export interface TxRevert {
  name: string;
  args: readonly unknown[];
  message: string;
}

/** Names the error in a failed eth_sendTransaction (the SDK decodes revert data of every protocol contract). */
function revertOf(error: unknown): TxRevert {
  const message = error instanceof Error ? error.message : String(error);
  const data = revertDataOf(error);
  const decoded = data === undefined ? undefined : decodeRevert(data);
  // The SDK names undecodable data "": the run's revert counts have always called it "unknown".
  return { name: decoded?.name || "unknown", args: decoded?.args ?? [], message };
}

interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
}

interface RawReceipt {
  status: string;
  blockNumber: string;
  logs: RawLog[];
  gasUsed: string;
}

/** What became of a transaction. */
export type TxOutcome =
  | { ok: true; hash: string; timestamp: number; blockNumber: number; gasUsed: bigint; events: ProtocolEvent[] }
  | { ok: false; timestamp: number; revert: TxRevert };

export interface ChainOptions {
  /** Gas limit of every transaction: fixed, so no estimation round trip is needed. */
  gasLimit?: bigint;
}

export class Chain {
  /** An ethers provider over the same transport, for typed contract reads. */
  readonly provider: BrowserProvider;
  /** Transactions sent, and how many of them reverted. */
  sent = 0;
  reverted = 0;
  private lastTimestamp = 0;
  private decoder: EventDecoder | undefined;
  private readonly impersonated = new Set<string>();
  private readonly gasHex: string;

  constructor(
    readonly transport: Eip1193,
    options: ChainOptions = {},
  ) {
    this.provider = new BrowserProvider(transport as Eip1193Provider, undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    this.gasHex = toBeHex(options.gasLimit ?? 6_000_000n);
  }

  /** Reads the chain's latest block; call once before anything else. */
  async init(): Promise<void> {
    this.lastTimestamp = await this.latestTimestamp();
  }

  useDecoder(decoder: EventDecoder): void {
    this.decoder = decoder;
  }

  async chainId(): Promise<bigint> {
    return BigInt((await this.transport.request({ method: "eth_chainId" })) as string);
  }

  /** Timestamp of the latest block the simulator knows of. */
  get now(): number {
    return this.lastTimestamp;
  }

  async latestTimestamp(): Promise<number> {
    const block = (await this.transport.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      timestamp: string;
    };
    return Number(BigInt(block.timestamp));
  }

  /** Lets the simulator send from `address` without its key, and gives it ETH for gas. */
  async enlist(address: string, weiBalance: bigint = 10n ** 22n): Promise<void> {
    const key = address.toLowerCase();
    if (this.impersonated.has(key)) return;
    await this.transport.request({ method: "hardhat_impersonateAccount", params: [address] });
    await this.transport.request({ method: "hardhat_setBalance", params: [address, toBeHex(weiBalance)] });
    this.impersonated.add(key);
  }

  /** Mines an empty block at `timestamp` (or right after the latest block), moving the chain's clock. */
  async mineAt(timestamp: number): Promise<void> {
    const at = Math.max(timestamp, this.lastTimestamp + 1);
    await this.transport.request({ method: "evm_mine", params: [toBeHex(at)] });
    this.lastTimestamp = at;
  }

  /**
   * Sends `data` to `to` from `from`, mined at `at` (or one second after the latest block, whichever
   * is later). Reverts are returned, decoded, not thrown: an actor that loses a race carries on.
   */
  async send(from: string, to: string, data: string, at: number): Promise<TxOutcome> {
    const timestamp = await this.setNextTimestamp(at);
    this.sent++;
    let hash: string;
    try {
      hash = (await this.transport.request({
        method: "eth_sendTransaction",
        params: [{ from, to, data, gas: this.gasHex }],
      })) as string;
    } catch (error) {
      this.reverted++;
      // A reverted transaction is still mined (automine); anything else was not, so re-read the clock.
      this.lastTimestamp = await this.latestTimestamp();
      return { ok: false, timestamp, revert: revertOf(error) };
    }
    this.lastTimestamp = timestamp;
    const receipt = (await this.transport.request({
      method: "eth_getTransactionReceipt",
      params: [hash],
    })) as RawReceipt;
    if (BigInt(receipt.status) !== 1n) {
      this.reverted++;
      return { ok: false, timestamp, revert: { name: "unknown", args: [], message: `transaction ${hash} reverted` } };
    }
    const events = this.requireDecoder().decode(
      receipt.logs.map((log) => ({
        address: log.address,
        topics: log.topics,
        data: log.data,
        blockNumber: Number(BigInt(log.blockNumber)),
        index: Number(BigInt(log.logIndex)),
      })),
    );
    return {
      ok: true,
      hash,
      timestamp,
      blockNumber: Number(BigInt(receipt.blockNumber)),
      gasUsed: BigInt(receipt.gasUsed),
      events,
    };
  }

  private async setNextTimestamp(at: number): Promise<number> {
    let timestamp = Math.max(Math.floor(at), this.lastTimestamp + 1);
    try {
      await this.transport.request({ method: "evm_setNextBlockTimestamp", params: [toBeHex(timestamp)] });
    } catch {
      // Someone else (a person with the CLI, say) mined a block in between: follow the chain's clock.
      this.lastTimestamp = await this.latestTimestamp();
      timestamp = Math.max(timestamp, this.lastTimestamp + 1);
      await this.transport.request({ method: "evm_setNextBlockTimestamp", params: [toBeHex(timestamp)] });
    }
    return timestamp;
  }

  private requireDecoder(): EventDecoder {
    if (this.decoder === undefined) throw new Error("Chain.useDecoder must be called before sending");
    return this.decoder;
  }
}
