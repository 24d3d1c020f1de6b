// The reference cloud prices per GPU-hour of docs/PROTOCOL.md ("Reference figures"), for the dashboard, quotes and tools, drawn beside the
// market's own clearing prices. Only models the document quotes a price for appear here.

/** One quoted price of a GPU-hour elsewhere. */
export interface ReferencePrice {
  /** Where, as the document names it. */
  readonly source: string;
  /** USD per GPU-hour. */
  readonly usdPerGpuHour: number;
}

/** Quoted prices by GPU model name (docs/PROTOCOL.md, 2026 market reports). */
export const REFERENCE_PRICES: Readonly<Record<string, readonly ReferencePrice[]>> = {
  H100: [
    { source: "Akash", usdPerGpuHour: 1.33 },
    { source: "Aethir", usdPerGpuHour: 1.87 },
    { source: "AWS p5", usdPerGpuHour: 3.93 },
    { source: "Hyperscaler, 1 GPU", usdPerGpuHour: 4.5 },
  ],
};

/** The quoted prices of a model (none for a model the document does not price). */
export function referencePricesOf(modelName: string): readonly ReferencePrice[] {
  return REFERENCE_PRICES[modelName] ?? [];
}
