// Ground truth for the indexer's figures, computed straight from the chain's raw logs (eth_getLogs and
// the contracts' ABIs), with none of the indexer's code: a second, deliberately plain implementation.
import type { Interface, JsonRpcProvider, Result } from "ethers";

import type { Protocol } from "../../sdk/contracts.ts";

export const HOUR = 3600n;
export const DAY = 86_400n;

export interface ChainLog {
  contract: "token" | "registry" | "market" | "settlement";
  name: string;
  args: Result;
  blockNumber: number;
  logIndex: number;
  timestamp: bigint;
}

/** Every log of the four indexed contracts up to `toBlock`, decoded, in chain order, with block times. */
export async function fetchLogs(provider: JsonRpcProvider, protocol: Protocol, toBlock: number): Promise<ChainLog[]> {
  const contracts = {
    token: protocol.token,
    registry: protocol.registry,
    market: protocol.market,
    settlement: protocol.settlement,
  } as const;
  const byAddress = new Map<string, { contract: ChainLog["contract"]; iface: Interface }>();
  for (const [contract, c] of Object.entries(contracts)) {
    byAddress.set((await c.getAddress()).toLowerCase(), {
      contract: contract as ChainLog["contract"],
      iface: c.interface,
    });
  }
  const raw = await provider.getLogs({ address: [...byAddress.keys()], fromBlock: 0, toBlock });
  const times = new Map<number, bigint>();
  const numbers = [...new Set(raw.map((l) => l.blockNumber))];
  for (let i = 0; i < numbers.length; i += 25) {
    await Promise.all(
      numbers.slice(i, i + 25).map(async (n) => times.set(n, BigInt((await provider.getBlock(n))!.timestamp))),
    );
  }
  const logs: ChainLog[] = [];
  for (const log of raw) {
    const { contract, iface } = byAddress.get(log.address.toLowerCase())!;
    const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) continue;
    logs.push({
      contract,
      name: parsed.name,
      args: parsed.args,
      blockNumber: log.blockNumber,
      logIndex: log.index,
      timestamp: times.get(log.blockNumber)!,
    });
  }
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  return logs;
}

/** "hour:<start>", "day:<start>" and "all:0" for a time. */
export function periodKeys(t: bigint): string[] {
  return [`hour:${t - (t % HOUR)}`, `day:${t - (t % DAY)}`, "all:0"];
}

function add<K>(map: Map<K, bigint>, key: K, value: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + value);
}

const usd = (amount: bigint, decimals: number): bigint => amount * 10n ** BigInt(18 - decimals);

export interface PriceStats {
  awards: number;
  min: bigint;
  max: bigint;
  mean: bigint;
  median: bigint;
  vwap: bigint;
  sumPrice: bigint;
  sumReserve: bigint;
  discount: number;
}

export interface Truth {
  /** `${period}:${start}` -> figure. */
  grossUsd: Map<string, bigint>;
  feesUsd: Map<string, bigint>;
  /** `${token}|${period}:${start}` -> token units. */
  tokenGross: Map<string, bigint>;
  tokenFees: Map<string, bigint>;
  /** The same in USD. */
  tokenGrossUsd: Map<string, bigint>;
  tokenFeesUsd: Map<string, bigint>;
  minted: Map<string, bigint>;
  burned: Map<string, bigint>;
  /** `${scope}|${subject}|${period}:${start}` -> GPU-seconds, up to `until`. */
  leased: Map<string, bigint>;
  available: Map<string, bigint>;
  /** `${model}|${period}:${start}`. */
  prices: Map<string, PriceStats>;
  /** `${period}:${start}` -> renter counts. */
  renters: Map<string, { unique: number; fresh: number; repeat: number }>;
  jobsCompleted: Map<string, bigint>;
  jobsFailed: Map<string, bigint>;
  jobsDisputed: Map<string, bigint>;
  /** First hour of each utilization subject ("network|all", "model|<id>", "provider|<address>"). */
  firstHour: Map<string, bigint>;
  /** Job id -> the workload spec hash of its JobCreated request (lower case). */
  specHashes: Map<bigint, string>;
  /** Deliveries whose JobDelivered spec hash differs from the job's JobCreated one (should stay 0). */
  specHashMismatches: number;
}

/** Computes the truth from `logs`; utilization is integrated up to `until` (an hour boundary). */
export function computeTruth(logs: ChainLog[], until: bigint): Truth {
  const truth: Truth = {
    grossUsd: new Map(),
    feesUsd: new Map(),
    tokenGross: new Map(),
    tokenFees: new Map(),
    tokenGrossUsd: new Map(),
    tokenFeesUsd: new Map(),
    minted: new Map(),
    burned: new Map(),
    leased: new Map(),
    available: new Map(),
    prices: new Map(),
    renters: new Map(),
    jobsCompleted: new Map(),
    jobsFailed: new Map(),
    jobsDisputed: new Map(),
    firstHour: new Map(),
    specHashes: new Map(),
    specHashMismatches: 0,
  };
  const decimals = new Map<string, number>();
  const jobs = new Map<bigint, { token: string; duration: bigint; renter: string }>();
  const samples = new Map<string, { price: bigint; gpuSeconds: bigint; reserve: bigint }[]>();
  const renterJobs = new Map<string, number>();
  const rentersByPeriod = new Map<string, Map<string, number>>(); // period -> renter -> job count at its last job in the period
  const firstJobPeriod = new Map<string, Set<string>>();

  const pay = (log: ChainLog, jobId: bigint, gross: bigint, fee: bigint) => {
    const token = jobs.get(jobId)!.token;
    const d = decimals.get(token)!;
    for (const key of periodKeys(log.timestamp)) {
      add(truth.grossUsd, key, usd(gross, d));
      add(truth.feesUsd, key, usd(fee, d));
      add(truth.tokenGross, `${token}|${key}`, gross);
      add(truth.tokenFees, `${token}|${key}`, fee);
      add(truth.tokenGrossUsd, `${token}|${key}`, usd(gross, d));
      add(truth.tokenFeesUsd, `${token}|${key}`, usd(fee, d));
    }
  };
  const count = (map: Map<string, bigint>, log: ChainLog) => {
    for (const key of periodKeys(log.timestamp)) add(map, key, 1n);
  };

  for (const log of logs) {
    const a = log.args;
    switch (`${log.contract}:${log.name}`) {
      case "market:PaymentTokenSet":
        decimals.set((a.token as string).toLowerCase(), Number(a.decimals));
        break;
      case "market:JobCreated": {
        const renter = (a.renter as string).toLowerCase();
        jobs.set(a.jobId as bigint, {
          token: (a.paymentToken as string).toLowerCase(),
          duration: a.request.duration as bigint,
          renter,
        });
        truth.specHashes.set(a.jobId as bigint, (a.request.specHash as string).toLowerCase());
        const n = (renterJobs.get(renter) ?? 0) + 1;
        renterJobs.set(renter, n);
        for (const key of periodKeys(log.timestamp)) {
          if (!rentersByPeriod.has(key)) rentersByPeriod.set(key, new Map());
          rentersByPeriod.get(key)!.set(renter, n);
          if (n === 1) {
            if (!firstJobPeriod.has(key)) firstJobPeriod.set(key, new Set());
            firstJobPeriod.get(key)!.add(renter);
          }
        }
        break;
      }
      case "market:JobDelivered":
        if (truth.specHashes.get(a.jobId as bigint) !== (a.specHash as string).toLowerCase())
          truth.specHashMismatches++;
        break;
      case "market:PaymentClaimed":
        pay(log, a.jobId as bigint, a.gross as bigint, a.fee as bigint);
        break;
      case "market:JobStopped":
        pay(log, a.jobId as bigint, a.providerGross as bigint, a.fee as bigint);
        break;
      case "market:JobSettled":
        pay(log, a.jobId as bigint, a.finalGross as bigint, a.fee as bigint);
        count(truth.jobsCompleted, log);
        break;
      case "market:DisputeResolvedForRenter":
        pay(log, a.jobId as bigint, a.providerGross as bigint, a.fee as bigint);
        break;
      case "market:JobFailed":
        count(truth.jobsFailed, log);
        break;
      case "market:JobDisputed":
        count(truth.jobsDisputed, log);
        break;
      case "market:JobAwarded": {
        const job = jobs.get(a.jobId as bigint)!;
        const d = decimals.get(job.token)!;
        const sample = {
          price: usd(a.clearingPrice as bigint, d),
          gpuSeconds: BigInt(a.gpuCount as bigint) * job.duration,
          reserve: usd(a.reservePricePerGpuHour as bigint, d),
        };
        for (const key of periodKeys(log.timestamp)) {
          const k = `${(a.gpuModel as string).toLowerCase()}|${key}`;
          if (!samples.has(k)) samples.set(k, []);
          samples.get(k)!.push(sample);
        }
        break;
      }
      case "token:TokensMinted":
        for (const key of periodKeys(log.timestamp)) add(truth.minted, key, a.amount as bigint);
        break;
      case "token:TokensBurned":
        for (const key of periodKeys(log.timestamp)) add(truth.burned, key, a.amount as bigint);
        break;
      default:
        break;
    }
  }

  for (const [key, list] of samples) {
    const prices = list.map((s) => s.price).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const n = prices.length;
    const sumPrice = prices.reduce((s, p) => s + p, 0n);
    const sumReserve = list.reduce((s, x) => s + x.reserve, 0n);
    const weight = list.reduce((s, x) => s + x.gpuSeconds, 0n);
    truth.prices.set(key, {
      awards: n,
      min: prices[0]!,
      max: prices[n - 1]!,
      mean: sumPrice / BigInt(n),
      median: n % 2 === 1 ? prices[(n - 1) / 2]! : (prices[n / 2 - 1]! + prices[n / 2]!) / 2n,
      vwap: list.reduce((s, x) => s + x.price * x.gpuSeconds, 0n) / weight,
      sumPrice,
      sumReserve,
      discount: 1 - Number(sumPrice) / Number(sumReserve),
    });
  }

  // Repeat renters of a period: active in it, with at least two jobs in total by its end.
  for (const [key, active] of rentersByPeriod) {
    let repeat = 0;
    for (const n of active.values()) if (n >= 2) repeat++;
    truth.renters.set(key, { unique: active.size, fresh: firstJobPeriod.get(key)?.size ?? 0, repeat });
  }

  integrateUtilization(logs, until, truth);
  return truth;
}

/**
 * Replays inventory, availability and lease events and integrates GPU-seconds second by second in
 * constant stretches: a line counts its listed GPUs as available while its provider is online, and
 * its leased GPUs (still serving) while offline.
 */
function integrateUtilization(logs: ChainLog[], until: bigint, truth: Truth): void {
  const lines = new Map<string, { provider: string; model: string; count: number; leased: number }>();
  const online = new Map<string, boolean>();
  const subjects: string[] = ["network|all"];
  let last: bigint | undefined;

  const integrate = (from: bigint, to: bigint) => {
    // Current rates per subject.
    const rates = new Map<string, { available: bigint; leased: bigint }>();
    for (const s of subjects) rates.set(s, { available: 0n, leased: 0n });
    for (const line of lines.values()) {
      const available = BigInt(online.get(line.provider) ? line.count : line.leased);
      for (const s of ["network|all", `model|${line.model}`, `provider|${line.provider}`]) {
        const r = rates.get(s)!;
        r.available += available;
        r.leased += BigInt(line.leased);
      }
    }
    for (let t = from; t < to; ) {
      const end = t - (t % HOUR) + HOUR < to ? t - (t % HOUR) + HOUR : to;
      for (const [s, r] of rates) {
        for (const key of periodKeys(t)) {
          add(truth.available, `${s}|${key}`, r.available * (end - t));
          add(truth.leased, `${s}|${key}`, r.leased * (end - t));
        }
      }
      t = end;
    }
  };

  for (const log of logs) {
    if (last === undefined) {
      last = log.timestamp;
      truth.firstHour.set("network|all", log.timestamp - (log.timestamp % HOUR));
    }
    if (log.contract !== "registry") continue;
    const a = log.args;
    const relevant = [
      "ProviderRegistered",
      "GpuLineSet",
      "GpuLineRemoved",
      "ProviderAvailabilityChanged",
      "GpusLeased",
      "GpusReleased",
    ];
    if (!relevant.includes(log.name)) continue;
    integrate(last, log.timestamp);
    last = log.timestamp;
    const provider = (a.provider as string).toLowerCase();
    const model = a.model === undefined ? "" : (a.model as string).toLowerCase();
    const key = `${provider}|${model}`;
    const hour = log.timestamp - (log.timestamp % HOUR);
    switch (log.name) {
      case "ProviderRegistered":
        online.set(provider, false);
        subjects.push(`provider|${provider}`);
        truth.firstHour.set(`provider|${provider}`, hour);
        break;
      case "GpuLineSet":
        if (!subjects.includes(`model|${model}`)) {
          subjects.push(`model|${model}`);
          truth.firstHour.set(`model|${model}`, hour);
        }
        lines.set(key, { provider, model, count: Number(a.count), leased: lines.get(key)?.leased ?? 0 });
        break;
      case "GpuLineRemoved":
        lines.get(key)!.count = 0;
        break;
      case "ProviderAvailabilityChanged":
        online.set(provider, a.online as boolean);
        break;
      case "GpusLeased":
      case "GpusReleased":
        lines.get(key)!.leased = Number(a.leased);
        break;
    }
  }
  if (last !== undefined) integrate(last, until);
}
