// The market simulator: sets the market up on a deployed protocol, then runs it day by day as a
// discrete-event simulation on chain time. Works over any EIP-1193 transport: an in-process Hardhat
// network (tests) or a node's JSON-RPC endpoint (`npm run simulate`, `npm start`).
import { id } from "ethers";

import { connectProtocol, EventDecoder, type Protocol } from "../sdk/contracts.ts";
import type { DeployedAddresses } from "../sdk/index.ts";
import { hardhatAddress } from "./accounts.ts";
import { cashOut } from "./actions/earnings.ts";
import { onboard } from "./actions/onboarding.ts";
import { subscribeKeeper } from "./actors/keeper.ts";
import { planAvailability, subscribeProviders } from "./actors/providers.ts";
import { planArrivals, subscribeRenters, withdrawRefunds } from "./actors/renters.ts";
import { Adversaries, type AdversaryName, type AdversaryReport } from "./adversaries/index.ts";
import { Bus } from "./bus.ts";
import { Chain, type Eip1193, type TxOutcome } from "./chain.ts";
import { DAY, HOUR, type SimAddresses, type SimContext, type SimParams, type SimRandom } from "./context.ts";
import { GrlPriceWalk } from "./oracle.ts";
import { ACCOUNTS, activeOn, initialPopulation, newcomers } from "./population.ts";
import { Quotas } from "./quotas.ts";
import { Random } from "./random.ts";
import { Scheduler } from "./scheduler.ts";
import { Stats, type DayReport, type Figures } from "./stats.ts";
import { World } from "./world.ts";

export interface SimulatorOptions {
  seed: number;
  /** Providers in the market (default: drawn, 28-36). */
  providers?: number;
  /** Multiplies every renter's job rate (default 1). */
  intensity?: number;
  /** Spread each simulated day over at least this many wall-clock seconds (default 0: full speed). */
  daySeconds?: number;
  /** Days simulated at full speed before `daySeconds` applies (default 0). */
  warmUpDays?: number;
  /** Called with each finished day. */
  onDay?: (report: DayReport) => void;
  /** Called once, when the first job of the run settles. */
  onFirstSettle?: (info: FirstSettle) => void;
  /**
   * Awaited before each action, after the pacing: lets npm start hold the market while its indexer
   * catches up (IndexerFollower). None by default.
   */
  beforeAction?: () => Promise<void>;
  /** Receives debug lines (reverts, skipped onboarding); silent by default. */
  debug?: (line: string) => void;
  /** Attackers to add to the honest market (default none: the run is the market alone). */
  adversaries?: readonly AdversaryName[];
}

export interface RunOptions {
  /** Simulated days of new jobs (ignored with `continuous`). */
  days?: number;
  /** Keep going, day after day, until stop() (npm start). */
  continuous?: boolean;
  /** After the last day, stop posting jobs and run on until every job has finished. */
  drain?: boolean;
}

export interface FirstSettle {
  jobId: bigint;
  /** Simulated seconds from the start of the run. */
  simSeconds: number;
  /** Wall-clock milliseconds from the start of the run. */
  wallMs: number;
}

export interface RunSummary {
  seed: number;
  /** Simulated days closed (including drain days). */
  days: number;
  /** Days on which jobs were posted. */
  activeDays: number;
  providers: number;
  renters: number;
  totals: Figures;
  daysReported: DayReport[];
  wallMs: number;
  setupWallMs: number;
  firstSettle: FirstSettle | undefined;
  revertsByError: Record<string, number>;
  grlPriceUsd: number;
  stopped: boolean;
  /** Days simulated at full speed (all of them when the run was not paced). */
  fullSpeedDays: number;
  startTimestamp: number;
  endTimestamp: number;
  /** With adversaries: what each attack cost and earned, next to the honest market's figures. */
  adversaries?: AdversaryReport;
}

const ARBITER_ROLE = id("ARBITER_ROLE");
const PRICE_INTERVAL = 6 * HOUR;

export class Simulator implements SimContext {
  readonly world = new World();
  readonly bus = new Bus();
  readonly rng: SimRandom;
  readonly quotas: Quotas;
  readonly treasury = hardhatAddress(0);
  readonly keeper = hardhatAddress(ACCOUNTS.keeper);
  arbiter: string | undefined;
  acceptingJobs = true;

  private readonly scheduler = new Scheduler();
  private stats!: Stats;
  private walk!: GrlPriceWalk;
  private answer = 0n;
  private clock = 0;
  private start = 0;
  private stopRequested = false;
  private wakeUp: (() => void) | undefined;
  private firstSettle: FirstSettle | undefined;
  private wallStart = 0;
  private pacedWallStart: number | undefined;
  private feeCollector = false;
  private nextRenterIndex = 0;
  private readonly adversaries: Adversaries | undefined;

  private constructor(
    readonly chain: Chain,
    readonly protocol: Protocol,
    readonly addresses: SimAddresses,
    readonly params: SimParams,
    private readonly options: SimulatorOptions,
  ) {
    const root = new Random(options.seed);
    this.rng = {
      providers: root.fork("providers"),
      renters: root.fork("renters"),
      keeper: root.fork("keeper"),
      population: root.fork("population"),
    };
    this.quotas = new Quotas(root.fork("quotas"));
    const adversaries = options.adversaries ?? [];
    this.adversaries = adversaries.length > 0 ? new Adversaries(this, adversaries, options.seed) : undefined;
    // The order handlers of the same message run in is part of a seed's replay: providers, renters, keeper.
    subscribeProviders(this);
    subscribeRenters(this);
    subscribeKeeper(this);
    this.bus.on("BidCommitted", ({ args, at }) => {
      // Only armed with adversaries: without them no auction fills its cap, and a run replays
      // exactly as it did before squatting was simulated, whatever the deployment's maxBids.
      if (this.adversaries === undefined || Number(args.bidCount) < this.params.maxBids) return;
      const job = this.world.jobs.get(args.jobId);
      if (job?.phase === "bidding") this.bus.emit("sim:bidCapReached", { ctx: this, job, at });
    });
    this.bus.on("JobSettled", ({ args, at }) => {
      if (this.firstSettle !== undefined) return;
      this.firstSettle = { jobId: args.jobId, simSeconds: at - this.start, wallMs: Date.now() - this.wallStart };
      this.options.onFirstSettle?.(this.firstSettle);
    });
  }

  /** Connects to the deployment at `deployed` over `transport` and reads its parameters. */
  static async create(transport: Eip1193, deployed: DeployedAddresses, options: SimulatorOptions): Promise<Simulator> {
    const chain = new Chain(transport);
    await chain.init();
    const chainId = await chain.chainId();
    const protocol = connectProtocol(chainId, deployed, chain.provider);
    const { market, settlement, registry, feed, usdc } = protocol;
    if (feed === undefined || usdc === undefined) {
      throw new Error(
        "the simulator needs a local deployment (ignition/modules/GridleaseLocal.ts) with the mock GRL/USD feed " +
          "and the mock USDC: deploy it with `npm start`",
      );
    }
    chain.useDecoder(new EventDecoder(chainId, deployed));
    const marketParams = await market.marketParams(await market.currentParamsId());
    const params: SimParams = {
      chainId,
      feeBps: Number(marketParams.feeBps),
      collateralBps: Number(marketParams.collateralBps),
      holdbackBps: Number(marketParams.holdbackBps),
      disputeBondBps: Number(marketParams.disputeBondBps),
      maxBids: Number(marketParams.maxBids),
      bidBond: marketParams.bidBond,
      bidBondBps: Number(marketParams.bidBondBps),
      startWindow: Number(marketParams.startWindow),
      challengeWindow: Number(marketParams.challengeWindow),
      disputeTimeout: Number(marketParams.disputeTimeout),
      deliveryGrace: Number(marketParams.deliveryGrace),
      minStakePerGpu: await registry.minStakePerGpu(),
      epochLength: Number(await settlement.EPOCH_LENGTH()),
      genesis: Number(await settlement.GENESIS()),
      spreadBps: Number(await settlement.spreadBps()),
      usdcDecimals: Number(await usdc.decimals()),
      feedDecimals: Number(await feed.decimals()),
    };
    const addresses: SimAddresses = {
      market: await market.getAddress(),
      settlement: await settlement.getAddress(),
      registry: await registry.getAddress(),
      token: await protocol.token.getAddress(),
      usdc: await usdc.getAddress(),
      feed: await feed.getAddress(),
    };
    const sim = new Simulator(chain, protocol, addresses, params, options);
    const treasury = sim.treasury;
    if ((await feed.OWNER()).toLowerCase() !== treasury.toLowerCase()) {
      throw new Error(
        `the GRL/USD mock feed is not owned by account 0 (${treasury}): the simulator cannot keep the price fresh`,
      );
    }
    if ((await protocol.token.balanceOf(treasury)) === 0n) {
      throw new Error(`account 0 (${treasury}) holds no GRL: the simulator sells GRL to providers and renters from it`);
    }
    sim.arbiter = (await market.hasRole(ARBITER_ROLE, treasury)) ? treasury : undefined;
    sim.feeCollector = (await market.treasury()).toLowerCase() === treasury.toLowerCase();
    const [, answer] = await feed.latestRoundData();
    const usd = (n: bigint) => Number(n) / 10 ** params.feedDecimals;
    sim.walk = new GrlPriceWalk(new Random(options.seed).fork("oracle"), usd(answer), {
      min: usd(await protocol.oracle.MIN_ANSWER()),
      max: usd(await protocol.oracle.MAX_ANSWER()),
    });
    sim.answer = answer;
    return sim;
  }

  get now(): number {
    return Math.max(this.clock, this.chain.now + 1);
  }

  grlUsdPrice(): bigint {
    return this.answer * 10n ** BigInt(18 - this.params.feedDecimals);
  }

  schedule(at: number, label: string, run: () => Promise<void>, background = false): void {
    this.scheduler.schedule(at, label, run, background);
  }

  async send(from: string, to: string, data: string, at: number, label: string): Promise<TxOutcome> {
    const outcome = await this.chain.send(from, to, data, Math.max(at, this.clock));
    this.stats.countTx(outcome.ok, outcome.ok ? undefined : outcome.revert.name);
    if (outcome.ok) {
      this.stats.observe(outcome.events, outcome.timestamp);
      this.bus.publish(outcome.events, outcome.timestamp);
      this.adversaries?.observe(outcome.events, outcome.timestamp);
    } else {
      this.debug(`${label}: reverted ${outcome.revert.name} (${outcome.revert.message.slice(0, 160)})`);
      this.adversaries?.observeRevert(from, outcome.revert.name);
    }
    return outcome;
  }

  debug(message: string): void {
    this.options.debug?.(message);
  }

  /** Asks a running simulation to stop after the action in progress. */
  stop(): void {
    this.stopRequested = true;
    this.wakeUp?.();
  }

  async run(runOptions: RunOptions = {}): Promise<RunSummary> {
    const continuous = runOptions.continuous ?? false;
    const days = continuous ? Number.POSITIVE_INFINITY : (runOptions.days ?? 1);
    this.wallStart = Date.now();
    // Start on a whole hour of the settlement's epoch clock, so that a seed replays the same way on
    // any fresh deployment whatever the seconds between deployment and simulation.
    const p = this.params;
    this.start = p.genesis + Math.ceil((this.chain.now + 1 - p.genesis) / HOUR) * HOUR;
    this.clock = this.start;
    this.stats = new Stats(
      (token) => (token.toLowerCase() === this.addresses.usdc.toLowerCase() ? p.usdcDecimals : 18),
      this.start,
    );
    await this.setUp();
    const setupWallMs = Date.now() - this.wallStart;

    const reports: DayReport[] = [];
    let day = 0;
    let activeDays = 0;
    let dayWall = Date.now();
    let heldMs = 0;
    this.planDay(0);
    for (;;) {
      const dayEnd = this.start + (day + 1) * DAY;
      const next = this.scheduler.peek();
      if (this.stopRequested) break;
      if (next === undefined || next.at >= dayEnd) {
        if (this.acceptingJobs) activeDays++;
        await this.chain.mineAt(dayEnd - 1);
        const report = this.stats.closeDay(day, dayEnd, this.walk.usd, Date.now() - dayWall, heldMs);
        reports.push(report);
        this.options.onDay?.(report);
        dayWall = Date.now();
        heldMs = 0;
        day++;
        const drained = !this.acceptingJobs && this.scheduler.pendingForeground === 0;
        if (drained || (day >= days && !runOptions.drain)) break;
        if (day >= days) this.acceptingJobs = false;
        this.planDay(day);
        continue;
      }
      this.scheduler.pop();
      this.clock = Math.max(this.clock, next.at);
      await this.pace(next.at);
      if (this.options.beforeAction !== undefined) {
        const held = Date.now();
        try {
          await this.options.beforeAction();
        } catch (error) {
          if (this.stopRequested) break;
          throw error;
        }
        heldMs += Date.now() - held;
      }
      if (this.stopRequested) break;
      try {
        await next.run();
      } catch (error) {
        // Stopping together with the chain (npm start's Ctrl-C): the action in flight may fail.
        if (this.stopRequested) break;
        throw error;
      }
    }
    const stopped = this.stopRequested;
    if (stopped) {
      // The day in progress, as far as it got.
      const report = this.stats.closeDay(
        day,
        Math.max(this.chain.now, this.start + day * DAY),
        this.walk.usd,
        Date.now() - dayWall,
        heldMs,
      );
      if (report.figures.txs > 0) {
        reports.push(report);
        this.options.onDay?.(report);
      }
    }
    return {
      seed: this.options.seed,
      days: reports.length,
      activeDays,
      providers: this.world.providers.filter((x) => x.onboarded).length,
      renters: this.world.renters.filter((r) => r.enlisted).length,
      totals: this.stats.totals,
      daysReported: reports,
      wallMs: Date.now() - this.wallStart,
      setupWallMs,
      firstSettle: this.firstSettle,
      revertsByError: Object.fromEntries(this.stats.revertsByError),
      grlPriceUsd: this.walk.usd,
      stopped,
      fullSpeedDays:
        (this.options.daySeconds ?? 0) > 0 ? Math.min(reports.length, this.options.warmUpDays ?? 0) : reports.length,
      startTimestamp: this.start,
      endTimestamp: this.chain.now,
      adversaries: this.adversaries?.report(this.world.providers.filter((x) => x.onboarded).map((x) => x.address)),
    };
  }

  /** Publishes the first price, enlists the keeper and onboards every provider. */
  private async setUp(): Promise<void> {
    await this.chain.enlist(this.treasury, await this.chain.provider.getBalance(this.treasury));
    await this.chain.enlist(this.keeper);
    await this.publishPrice(this.start, false);
    const population = initialPopulation(this.rng.population, { providers: this.options.providers });
    for (const profile of population.providers) this.world.addProvider(profile, hardhatAddress(profile.accountIndex));
    for (const profile of population.renters) this.world.addRenter(profile, hardhatAddress(profile.accountIndex));
    this.nextRenterIndex = population.renters.length;
    let at = this.start + 1;
    for (const provider of this.world.providers) {
      const { time, resumed } = await onboard(this, provider, at);
      at = time;
      if (resumed && provider.online) {
        const listed = provider.profile.lines.reduce((sum, l) => sum + l.count, 0);
        this.stats.markOnline(provider.address, listed, this.start);
      }
    }
    if (this.adversaries !== undefined) at = await this.adversaries.setUp(at);
    this.clock = Math.max(this.clock, at);
  }

  private async publishPrice(at: number, move = true): Promise<void> {
    if (move) this.walk.step(PRICE_INTERVAL / HOUR);
    const answer = this.walk.answer(this.params.feedDecimals);
    const data = this.protocol.feed!.interface.encodeFunctionData("setAnswer", [answer]);
    if ((await this.send(this.treasury, this.addresses.feed, data, at, "publish price")).ok) this.answer = answer;
    this.schedule(at + PRICE_INTERVAL, "publish price", () => this.publishPrice(this.now), true);
  }

  private planDay(day: number): void {
    const dayStart = this.start + day * DAY;
    const rng = this.rng.keeper;
    if (this.acceptingJobs) {
      if (day > 0) {
        for (const profile of newcomers(this.rng.population, day, this.nextRenterIndex)) {
          this.world.addRenter(profile, hardhatAddress(profile.accountIndex));
          this.nextRenterIndex++;
        }
      }
      const intensity = this.options.intensity ?? 1;
      for (const renter of this.world.renters) {
        if (activeOn(renter.profile, day, renter.jobsPosted)) planArrivals(this, renter, dayStart, intensity);
      }
    }
    for (const provider of this.world.providers) {
      planAvailability(this, provider, dayStart);
      if (provider.onboarded && rng.chance(0.7)) {
        this.schedule(
          dayStart + Math.round(rng.uniform(0, DAY)),
          "cash out",
          () => cashOut(this, provider.address),
          true,
        );
      }
    }
    for (const renter of this.world.renters) {
      if (renter.enlisted && rng.chance(0.2)) {
        this.schedule(
          dayStart + Math.round(rng.uniform(0, DAY)),
          "withdraw refunds",
          () => withdrawRefunds(this, renter),
          true,
        );
      }
    }
    if (this.feeCollector)
      this.schedule(dayStart + 23 * HOUR, "collect fees", () => cashOut(this, this.treasury), true);
    this.adversaries?.planDay(dayStart);
    // Epochs ending today: providers claim their emissions, ticket holders what the new cap released.
    const { genesis, epochLength } = this.params;
    for (
      let k = Math.max(1, Math.ceil((dayStart - genesis) / epochLength));
      genesis + k * epochLength < dayStart + DAY;
      k++
    ) {
      const epoch = k - 1;
      const end = genesis + k * epochLength;
      this.schedule(
        end + Math.round(rng.uniform(1, 6) * HOUR),
        `epoch ${epoch} ended`,
        () => this.onEpochEnded(epoch),
        true,
      );
    }
  }

  private async onEpochEnded(epoch: number): Promise<void> {
    await this.bus.emitInTurn("sim:epochEnded", { epoch });
  }

  /** With daySeconds, waits until the wall clock has caught up with simulated time `at` (after the warm-up). */
  private async pace(at: number): Promise<void> {
    const daySeconds = this.options.daySeconds ?? 0;
    const pacedFrom = this.start + (this.options.warmUpDays ?? 0) * DAY;
    if (daySeconds <= 0 || at < pacedFrom) return;
    this.pacedWallStart ??= Date.now();
    const due = this.pacedWallStart + ((at - pacedFrom) / DAY) * daySeconds * 1000;
    const wait = due - Date.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }
}
