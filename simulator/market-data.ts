// Reference prices per GPU-hour the simulated market is drawn around (PROTOCOL.md, "Reference
// figures"). H100 is anchored on the quoted figures; the other models are scaled from it by what
// GPU clouds charged for them relative to an H100 in the same 2026 reports.

/** The catalogue names the simulator trades (sdk/gpu-models.ts). */
export type GpuModelName = "H200" | "H100" | "A100" | "L40S" | "RTX4090";

export interface ModelMarket {
  /** A hyperscaler's on-demand price (the renters' outside option): AWS p5 is $3.93 per H100-hour. */
  hyperscaler: number;
  /** Where decentralized networks quote it: H100 $1.33 (Akash) to $1.87 (Aethir). */
  decentralLow: number;
  decentralHigh: number;
  /** GPU counts a job asks for, with weights. */
  gpuCounts: readonly (readonly [number, number])[];
}

export const MARKET: Record<GpuModelName, ModelMarket> = {
  // H100 80GB: PROTOCOL.md's figures directly.
  H100: {
    hyperscaler: 3.93,
    decentralLow: 1.33,
    decentralHigh: 1.87,
    gpuCounts: [
      [1, 2],
      [2, 2],
      [4, 3],
      [8, 5],
      [16, 1],
    ],
  },
  // H200 141GB: about 1.35x an H100 everywhere (more memory and bandwidth, same compute).
  H200: {
    hyperscaler: 5.3,
    decentralLow: 1.8,
    decentralHigh: 2.55,
    gpuCounts: [
      [1, 1],
      [4, 2],
      [8, 4],
      [16, 1],
    ],
  },
  // A100 80GB: about 0.55x an H100 at a hyperscaler; io.net's clusters at about a third of the market average.
  A100: {
    hyperscaler: 2.16,
    decentralLow: 0.7,
    decentralHigh: 1.05,
    gpuCounts: [
      [1, 4],
      [2, 3],
      [4, 3],
      [8, 2],
    ],
  },
  // L40S 48GB: an inference card, about 0.47x an H100.
  L40S: {
    hyperscaler: 1.86,
    decentralLow: 0.55,
    decentralHigh: 0.85,
    gpuCounts: [
      [1, 5],
      [2, 3],
      [4, 2],
    ],
  },
  // RTX 4090 24GB: no hyperscaler offer; GPU clouds ask about $0.69. At $0.30-0.45 an hour, an owner
  // renting 10-15 idle hours a day earns the $3-7 a day PROTOCOL.md quotes.
  RTX4090: {
    hyperscaler: 0.69,
    decentralLow: 0.28,
    decentralHigh: 0.45,
    gpuCounts: [
      [1, 6],
      [2, 2],
    ],
  },
};

/** Micro-dollars (1e-6 USD): USDC's unit, and the simulator's integer unit for prices. */
export function microUsd(usd: number): bigint {
  return BigInt(Math.round(usd * 1e6));
}

/** A micro-dollar amount in a payment token's units (USDC: 6 decimals, credits: 18). */
export function toTokenUnits(micro: bigint, decimals: number): bigint {
  return decimals >= 6 ? micro * 10n ** BigInt(decimals - 6) : micro / 10n ** BigInt(6 - decimals);
}

/** A token amount in dollars, for reports. */
export function toUsd(amount: bigint, decimals: number): number {
  return Number(amount) / 10 ** decimals;
}

/**
 * ISO 3166-1 numeric region codes providers register with, and where renters sometimes require
 * their data to stay.
 */
export const REGIONS = {
  US: 840,
  CA: 124,
  BR: 76,
  DE: 276,
  NL: 528,
  FR: 250,
  GB: 826,
  FI: 246,
  SE: 752,
  NO: 578,
  IS: 352,
  SG: 702,
  JP: 392,
  KR: 410,
  IN: 356,
} as const;

export type RegionName = keyof typeof REGIONS;
