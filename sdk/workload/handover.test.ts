import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";

import {
  hashSecrets,
  parseReadHeader,
  ReadHeaderError,
  readRequestTypedData,
  recoverNodeMessageSigner,
  signNodeMessage,
  signReadRequest,
  specHandoverTypedData,
} from "./handover.ts";

const MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_MARKET = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const renter = Wallet.createRandom();
const stranger = Wallet.createRandom();
const handover = {
  jobId: 7n,
  specHash: `0x${"ab".repeat(32)}`,
  secretsHash: hashSecrets({ API_TOKEN: "s3cret" }),
};

describe("spec handover", () => {
  it("recovers the renter who signed it", async () => {
    const data = specHandoverTypedData(31337n, MARKET, handover);
    const signature = await signNodeMessage(renter, data);
    expect(recoverNodeMessageSigner(data, signature)).toBe(renter.address);
  });

  it("recovers someone else when any field, the chain or the market differs", async () => {
    const signature = await signNodeMessage(renter, specHandoverTypedData(31337n, MARKET, handover));
    const altered = [
      specHandoverTypedData(31337n, MARKET, { ...handover, jobId: 8n }),
      specHandoverTypedData(31337n, MARKET, { ...handover, specHash: `0x${"cd".repeat(32)}` }),
      specHandoverTypedData(31337n, MARKET, { ...handover, secretsHash: hashSecrets({ API_TOKEN: "other" }) }),
      specHandoverTypedData(1n, MARKET, handover),
      specHandoverTypedData(31337n, OTHER_MARKET, handover),
    ];
    for (const data of altered) expect(recoverNodeMessageSigner(data, signature)).not.toBe(renter.address);
  });

  it("hashes secrets independently of key order, and no secrets as an empty object", () => {
    expect(hashSecrets({ A: "1", B: "2" })).toBe(hashSecrets({ B: "2", A: "1" }));
    expect(hashSecrets()).toBe(hashSecrets({}));
    expect(hashSecrets({ A: "1" })).not.toBe(hashSecrets({ A: "2" }));
  });

  it("throws on a malformed signature", () => {
    expect(() => recoverNodeMessageSigner(specHandoverTypedData(31337n, MARKET, handover), "0x1234")).toThrow();
  });
});

describe("read requests", () => {
  const request = { jobId: 7n, action: "logs" as const, expiresAt: 2_000_000_000n };

  it("round-trips through the header and recovers the signer", async () => {
    const header = await signReadRequest(renter, 31337n, MARKET, request);
    const { expiresAt, signature } = parseReadHeader(header);
    expect(expiresAt).toBe(request.expiresAt);
    expect(recoverNodeMessageSigner(readRequestTypedData(31337n, MARKET, { ...request, expiresAt }), signature)).toBe(
      renter.address,
    );
  });

  it("binds the action and the job: a logs signature does not read the manifest or another job", async () => {
    const { signature } = parseReadHeader(await signReadRequest(renter, 31337n, MARKET, request));
    expect(
      recoverNodeMessageSigner(readRequestTypedData(31337n, MARKET, { ...request, action: "manifest" }), signature),
    ).not.toBe(renter.address);
    expect(
      recoverNodeMessageSigner(readRequestTypedData(31337n, MARKET, { ...request, jobId: 8n }), signature),
    ).not.toBe(renter.address);
  });

  it("tells another signer apart", async () => {
    const { signature } = parseReadHeader(await signReadRequest(stranger, 31337n, MARKET, request));
    expect(recoverNodeMessageSigner(readRequestTypedData(31337n, MARKET, request), signature)).toBe(stranger.address);
  });

  it("refuses a malformed header with what to send instead", () => {
    for (const bad of ["", "abc", "12.", ".0xab", "12.zz", "-1.0xab"]) {
      expect(() => parseReadHeader(bad)).toThrow(ReadHeaderError);
    }
    expect(() => parseReadHeader("x")).toThrow(/signReadRequest/);
  });
});
