import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { gpuModelId, hashWorkloadSpec, parseWorkloadSpec, PricingRule } from "../../../sdk/index.ts";

import { checkJobForm, type JobFormInput } from "./job-form.ts";

const HASH = `0x${"ab".repeat(32)}`;
const USDC = { address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", symbol: "USDC", decimals: 6 };
const BASE: JobFormInput = {
  model: "H100",
  gpus: "2",
  hours: "1.5",
  maxPrice: "2.50",
  rule: "instant",
  bidWindowMinutes: "10",
  revealWindowMinutes: "10",
  specHash: HASH,
  specJson: "",
};
const errorsOf = (input: Partial<JobFormInput>) => {
  const result = checkJobForm({ ...BASE, ...input }, USDC);
  if (result.ok) throw new Error("expected the form to be refused");
  return result.errors;
};

describe("checkJobForm", () => {
  it("turns a valid instant job into the contract's request with its budget", () => {
    const result = checkJobForm(BASE, USDC);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.request.onChain).toMatchObject({
      paymentToken: USDC.address,
      gpuModel: gpuModelId("H100"),
      gpuCount: 2n,
      minVramGb: 80n,
      duration: 5400n,
      reservePricePerGpuHour: 2_500_000n,
      pricingRule: BigInt(PricingRule.valueOf("Instant")),
      bidWindow: 600n,
      revealWindow: 0n,
      specHash: HASH,
    });
    expect(result.request.budget).toBe(7_500_000n);
    expect(result.request.post).toMatchObject({ pay: "usdc", permit: true, rule: "instant" });
  });

  it("hashes a pasted workload spec as the SDK does", () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const json = readFileSync(join(root, "examples", "workloads", "batch.json"), "utf8");
    const parsed = parseWorkloadSpec(json);
    if (!parsed.ok) throw new Error(parsed.errors.join("; "));
    const result = checkJobForm({ ...BASE, specHash: "", specJson: json, rule: "second" }, USDC);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.request.onChain.specHash).toBe(hashWorkloadSpec(parsed.value));
    expect(result.request.onChain.revealWindow).toBe(600n);
  });

  it("refuses a price above what the market stores, naming the limit", () => {
    expect(errorsOf({ maxPrice: "100000000000000000000000" }).maxPrice).toMatch(
      /The maximum price is too large: at most \$79228162514264337593543\.950335 per GPU-hour in USDC/,
    );
  });

  it("refuses more decimals than USDC has", () => {
    expect(errorsOf({ maxPrice: "1.2345678" }).maxPrice).toMatch(
      /The maximum price has 7 decimals but dollars has only 6/,
    );
  });

  it("refuses zero, negative and non-numeric prices, GPUs and hours, each on its field at once", () => {
    expect(errorsOf({ maxPrice: "0" }).maxPrice).toMatch(/must be above zero/);
    expect(errorsOf({ maxPrice: "-1" }).maxPrice).toMatch(/must be a dollar amount such as 1.80/);
    const errors = errorsOf({ gpus: "0", hours: "abc", maxPrice: "0" });
    expect(errors.maxPrice).toMatch(/must be above zero/);
    expect(errors.gpus).toMatch(/between 1 and 1024/);
    expect(errors.hours).toMatch(/decimal number of hours/);
  });

  it("refuses an unknown model and a missing or malformed workload", () => {
    expect(errorsOf({ model: "K80" }).model).toMatch(/Unknown GPU model "K80": use one of H200, H100/);
    expect(errorsOf({ specHash: "" }).specJson).toMatch(/needs its workload/);
    expect(errorsOf({ specHash: "0x12" }).specJson).toMatch(/64 hex digits/);
    expect(errorsOf({ specHash: "", specJson: "{}" }).specJson).toMatch(/workload spec is not valid/);
  });

  it("refuses a budget that rounds to zero", () => {
    expect(errorsOf({ maxPrice: "0.000001", hours: "0.0025" }).maxPrice).toMatch(/rounds to zero/);
  });
});
