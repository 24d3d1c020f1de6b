// Re-export shim for scripts/sim only (not yet migrated to the SDK): the catalogue lives in
// sdk/gpu-models.ts. Do not import this from new code.
export { GPU_MODELS, gpuModelId, tflopsX100, type GpuModelSpec } from "../../sdk/index.ts";
