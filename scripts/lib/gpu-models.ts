import { decodeBytes32String, encodeBytes32String } from "ethers";

/** A GPU model the protocol's tools know by name. The on-chain id is the name as a bytes32 short string. */
export interface GpuModelSpec {
  /** On-chain name, at most 31 ASCII bytes. */
  name: string;
  vramGb: number;
  /** Benchmark throughput per GPU (dense FP16/BF16 tensor TFLOPS for data-centre parts, FP32 for RTX). */
  tflops: number;
}

/** The catalogue used by the demo, the simulator and the CLI. */
export const GPU_MODELS: readonly GpuModelSpec[] = [
  { name: "H200", vramGb: 141, tflops: 989.5 },
  { name: "H100", vramGb: 80, tflops: 989.5 },
  { name: "A100", vramGb: 80, tflops: 312 },
  { name: "L40S", vramGb: 48, tflops: 362.1 },
  { name: "RTX4090", vramGb: 24, tflops: 82.6 },
];

/** The bytes32 model id for a catalogue name; throws, naming the known models, for an unknown one. */
export function gpuModelId(name: string): string {
  const spec = GPU_MODELS.find((m) => m.name.toLowerCase() === name.toLowerCase());
  if (spec === undefined) {
    throw new Error(`unknown GPU model "${name}": use one of ${GPU_MODELS.map((m) => m.name).join(", ")}`);
  }
  return encodeBytes32String(spec.name);
}

/** The catalogue name of an on-chain model id (or the raw string when it is not in the catalogue). */
export function gpuModelName(id: string): string {
  return decodeBytes32String(id);
}

/** TFLOPS as the registry stores them: hundredths, rounded to the nearest. */
export function tflopsX100(tflops: number): number {
  return Math.round(tflops * 100);
}
