// What the provider node needs of the chain, as one small interface: the job record and the provider's own
// transactions (start, deliver, claim, withdraw), each awaited until mined. The executor and the API depend
// on this interface, so their tests can drive them with a scripted market; `JobMarketClient` is the real one
// over the SDK's typed JobMarket contract.
import type { JobMarket } from "../../types/ethers-contracts/index.ts";
import { JobState, type JobStateName } from "../../sdk/index.ts";

/** The fields of the on-chain job record the node acts on. */
export interface ChainJob {
  state: JobStateName;
  renter: string;
  provider: string;
  specHash: string;
  gpuCount: number;
  /** Seconds of compute paid for. */
  duration: bigint;
  /** Unix seconds the provider started, 0 before. */
  startedAt: bigint;
  /** Unix seconds the provider delivered, 0 before. */
  deliveredAt: bigint;
  /** The current step's deadline (while running: the delivery deadline). */
  deadline: bigint;
  paymentToken: string;
}

/** The chain as the node sees it. Every method that sends a transaction resolves once it is mined. */
export interface NodeMarket {
  /** The JobMarket's address (the EIP-712 domain's verifying contract). */
  readonly address: string;
  readonly chainId: bigint;
  /** The provider account the node acts for. */
  readonly provider: string;
  /** The job record; `state` "None" for an id never created. */
  job(jobId: bigint): Promise<ChainJob>;
  startJob(jobId: bigint): Promise<void>;
  deliver(jobId: bigint, resultHash: string, resultUri: string): Promise<void>;
  /** Gross pay a claim would release now (0 when nothing is due, or a claim would revert). */
  claimable(jobId: bigint): Promise<bigint>;
  claim(jobId: bigint): Promise<void>;
  /** What the provider can withdraw in `token`. */
  balance(token: string): Promise<bigint>;
  /** The latest block's timestamp, unix seconds: the clock pay accrues by. */
  chainTime(): Promise<bigint>;
  withdraw(token: string): Promise<void>;
}

/** {@link NodeMarket} over the SDK's typed JobMarket, connected to the provider's signer. */
export class JobMarketClient implements NodeMarket {
  readonly address: string;
  readonly chainId: bigint;
  readonly provider: string;
  private readonly market: JobMarket;

  /** `market` must be connected to the provider's signer (from `connectProtocol(chainId, addresses, signer).market`). */
  constructor(market: JobMarket, chainId: bigint, provider: string) {
    this.market = market;
    this.address = String(market.target);
    this.chainId = chainId;
    this.provider = provider;
  }

  async job(jobId: bigint): Promise<ChainJob> {
    const job = await this.market.jobOf(jobId);
    return {
      state: JobState.label(job.state) as JobStateName,
      renter: job.renter,
      provider: job.provider,
      specHash: job.specHash,
      gpuCount: Number(job.gpuCount),
      duration: job.duration,
      startedAt: job.startedAt,
      deliveredAt: job.deliveredAt,
      deadline: job.deadline,
      paymentToken: job.paymentToken,
    };
  }

  async startJob(jobId: bigint): Promise<void> {
    await (await this.market.startJob(jobId)).wait();
  }

  async deliver(jobId: bigint, resultHash: string, resultUri: string): Promise<void> {
    await (await this.market.deliver(jobId, resultHash, resultUri)).wait();
  }

  async claimable(jobId: bigint): Promise<bigint> {
    // A simulated claim: what a real one would release, and 0 rather than a revert when nothing is due.
    return this.market.claim.staticCall(jobId).catch(() => 0n);
  }

  async claim(jobId: bigint): Promise<void> {
    await (await this.market.claim(jobId)).wait();
  }

  async balance(token: string): Promise<bigint> {
    return this.market.balanceOf(token, this.provider);
  }

  async chainTime(): Promise<bigint> {
    const block = await this.market.runner?.provider?.getBlock("latest");
    if (!block)
      throw new Error(
        "the market's runner has no provider to read the chain's clock: connect the signer to an RPC provider",
      );
    return BigInt(block.timestamp);
  }

  async withdraw(token: string): Promise<void> {
    await (await this.market.withdraw(token, this.provider)).wait();
  }
}
