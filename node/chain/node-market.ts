// What the provider node needs of the chain, as one small interface: the job record and the provider's own
// transactions (start, deliver, claim, withdraw), each awaited until mined. The executor and the API depend
// on this interface, so their tests can drive them with a scripted market; `JobMarketClient` is the real one
// over the SDK's typed JobMarket contract.
import type { JobMarket, Settlement } from "../../types/ethers-contracts/index.ts";
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
  /**
   * What the provider can withdraw in `token` (the job's payment token). For a credit job (the token is the
   * settlement contract) these are its USD earnings, which a withdrawal mints as GRL; 0 when a withdrawal
   * would mint nothing yet.
   */
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
  private readonly settlement: Settlement | undefined;

  /**
   * `market` (and `settlement`, which credit jobs pay through) must be connected to the provider's signer
   * (from `connectProtocol(chainId, addresses, signer)`). Without `settlement` credit earnings are left to
   * `gridlease provider withdraw`.
   */
  constructor(market: JobMarket, chainId: bigint, provider: string, settlement?: Settlement) {
    this.market = market;
    this.settlement = settlement;
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

  private isCredits(token: string): boolean {
    return this.settlement !== undefined && token.toLowerCase() === String(this.settlement.target).toLowerCase();
  }

  async balance(token: string): Promise<bigint> {
    if (!this.isCredits(token) || this.settlement === undefined) return this.market.balanceOf(token, this.provider);
    const earnings = await this.settlement.earningsOf(this.provider);
    if (earnings === 0n) return 0n;
    // A withdrawal that would mint no GRL (earnings too small at the price, or no cap) reverts: leave them to grow.
    return this.settlement.withdrawEarnings.staticCall(this.provider).then(
      () => earnings,
      () => 0n,
    );
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
    if (this.isCredits(token) && this.settlement !== undefined) {
      // Credit earnings are minted as GRL at the oracle price (what the epoch's cap leaves waits as a mint ticket).
      await (await this.settlement.withdrawEarnings(this.provider)).wait();
      return;
    }
    await (await this.market.withdraw(token, this.provider)).wait();
  }
}
