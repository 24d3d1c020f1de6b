// The job request's checks before anything is sent: each refusal has its code, names the field (or the CLI's
// flag) and says what to do; a good request becomes the exact on-chain struct.
import { describe, expect, it } from "vitest";

import { encodeBytes32String } from "ethers";

import { type JobPostRequest, JobRequestError, validateJobRequest } from "./post-job.ts";

const USDC = { address: "0x0000000000000000000000000000000000000001", symbol: "USDC", decimals: 6 };
const SPEC = `0x${"ab".repeat(32)}`;
const GOOD: JobPostRequest = {
  model: "h100",
  gpus: 2,
  durationSeconds: 3600,
  maxPricePerGpuHour: "1.80",
  rule: "first",
  pay: "usdc",
  bidWindowSeconds: 600,
  revealWindowSeconds: 600,
  specHash: SPEC,
};

function refusal(request: Partial<JobPostRequest>, labels = {}): JobRequestError {
  try {
    validateJobRequest({ ...GOOD, ...request }, USDC, labels);
  } catch (error) {
    if (error instanceof JobRequestError) return error;
    throw error;
  }
  throw new Error("the request was accepted");
}

describe("validateJobRequest", () => {
  it("converts a good request to the on-chain struct, exactly", () => {
    expect(validateJobRequest(GOOD, USDC)).toEqual({
      paymentToken: USDC.address,
      gpuModel: encodeBytes32String("H100"),
      gpuCount: 2n,
      minVramGb: 80n,
      region: 0n,
      minReputation: 0n,
      duration: 3600n,
      reservePricePerGpuHour: 1_800_000n,
      pricingRule: 0n,
      bidWindow: 600n,
      revealWindow: 600n,
      specHash: SPEC,
    });
  });

  it("refuses an unknown model, listing the catalogue", () => {
    expect(refusal({ model: "GTX1080" })).toMatchObject({
      code: "UNKNOWN_MODEL",
      field: "model",
      message: 'Unknown GPU model "GTX1080": use one of H200, H100, A100, L40S, RTX4090.',
    });
  });

  it("refuses more decimals than the payment token has, naming the CLI's flag when given", () => {
    expect(refusal({ maxPricePerGpuHour: "1.0000001" }, { maxPricePerGpuHour: "--max-price" })).toMatchObject({
      code: "INVALID_PRICE",
      message: '--max-price has 7 decimals but dollars has only 6: got "1.0000001".',
    });
    expect(refusal({ maxPricePerGpuHour: "lots" }).message).toBe(
      'maxPricePerGpuHour must be a dollar amount such as 1.80, got "lots".',
    );
  });

  it("refuses requests no provider can fill unless forced", () => {
    expect(refusal({ minVramGb: 500 })).toMatchObject({ code: "UNFILLABLE_VRAM", field: "minVramGb" });
    expect(refusal({ region: 999 })).toMatchObject({ code: "UNFILLABLE_REGION" });
    expect(validateJobRequest({ ...GOOD, minVramGb: 500, force: true }, USDC).minVramGb).toBe(500n);
  });

  it("refuses a reveal window on an instant job, a permit with credits, and a missing spec hash", () => {
    expect(refusal({ rule: "instant" })).toMatchObject({ code: "INVALID_WINDOW", field: "revealWindowSeconds" });
    expect(refusal({ pay: "credits", permit: true })).toMatchObject({ code: "PERMIT_WITH_CREDITS" });
    expect(refusal({ specHash: `0x${"00".repeat(32)}` })).toMatchObject({ code: "INVALID_SPEC_HASH" });
    expect(refusal({ gpus: 0 })).toMatchObject({
      code: "INVALID_COUNT",
      message: "gpus must be between 1 and 1024, got 0.",
    });
  });
});
