// The GPU catalogue: the models the protocol's tools know by name. On chain a model is its name as a
// bytes32 short string.
import { decodeBytes32String, encodeBytes32String } from "ethers";

/** A GPU model the protocol's tools know by name. */
export interface GpuModelSpec {
  /** On-chain name, at most 31 ASCII bytes. */
  name: string;
  /** Memory per GPU, GB. */
  vramGb: number;
  /** Benchmark throughput per GPU (dense FP16/BF16 tensor TFLOPS for data-centre parts, FP32 for RTX). */
  tflops: number;
}

/** The catalogue used by the CLI, the simulator, the demo and the indexer. */
export const GPU_MODELS: readonly GpuModelSpec[] = [
  { name: "H200", vramGb: 141, tflops: 989.5 },
  { name: "H100", vramGb: 80, tflops: 989.5 },
  { name: "A100", vramGb: 80, tflops: 312 },
  { name: "L40S", vramGb: 48, tflops: 362.1 },
  { name: "RTX4090", vramGb: 24, tflops: 82.6 },
];

/** The catalogue entry for a name (case-insensitive), or undefined. */
export function findGpuModel(name: string): GpuModelSpec | undefined {
  const wanted = name.trim().toLowerCase();
  return GPU_MODELS.find((m) => m.name.toLowerCase() === wanted);
}

/** The bytes32 model id for a catalogue name; throws, naming the known models, for an unknown one. */
export function gpuModelId(name: string): string {
  const spec = findGpuModel(name);
  if (spec === undefined) {
    throw new Error(`unknown GPU model "${name}": use one of ${GPU_MODELS.map((m) => m.name).join(", ")}`);
  }
  return encodeBytes32String(spec.name);
}

/** The name of an on-chain model id (the decoded short string, whether or not it is in the catalogue). */
export function gpuModelName(id: string): string {
  return decodeBytes32String(id);
}

/** TFLOPS as the registry stores them: hundredths, rounded to the nearest. */
export function tflopsX100(tflops: number): number {
  return Math.round(tflops * 100);
}
