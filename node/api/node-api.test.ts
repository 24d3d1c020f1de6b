import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { type Signer, Wallet } from "ethers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { ScriptedMarket } from "../chain/scripted-market.ts";
import { NodeStateStore } from "../state/node-state-store.ts";
import { ContentStore } from "../store/content-store.ts";
import {
  canonicalJsonBytes,
  hashResultManifest,
  hashSecrets,
  hashWorkloadSpec,
  parseWorkloadSpec,
  READ_SIGNATURE_HEADER,
  signNodeMessage,
  signReadRequest,
  specHandoverTypedData,
  type NodeReadAction,
  type WorkloadSpec,
} from "../../sdk/index.ts";
import { testManifest } from "../../sdk/workload/test-manifest.ts";
import { startNodeApi, type NodeApi, type NodeApiRuntime } from "./node-api.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "workloads");
function example(name: string): WorkloadSpec {
  const parsed = parseWorkloadSpec(readFileSync(join(EXAMPLES, name), "utf8"));
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.value;
}
const batch = example("batch.json");
const service = example("service.json");
const NOW = 1_000_000n;

const renter = Wallet.createRandom();
const stranger = Wallet.createRandom();
const provider = Wallet.createRandom().address;

let dir: string;
let store: NodeStateStore;
let market: ScriptedMarket;
let api: NodeApi;
let handedOver: bigint[];
let endpoint: { host: string; port: number } | undefined;
let content: ContentStore;
let liveLog: (() => AsyncIterable<Uint8Array>) | undefined;

const runtime = (): NodeApiRuntime => ({
  jobFiles: (jobId) => ({ logs: join(dir, `${jobId}.log`), manifest: join(dir, `${jobId}.manifest.json`) }),
  store: content,
  liveLogs: async () => liveLog?.(),
  endpoint: async () => endpoint,
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gridlease-node-api-"));
  content = new ContentStore(join(dir, "store"));
  store = new NodeStateStore(":memory:");
  market = new ScriptedMarket(provider);
  handedOver = [];
  endpoint = undefined;
  liveLog = undefined;
  api = await startNodeApi({
    store,
    market,
    runtime: runtime(),
    onSpec: (jobId) => handedOver.push(jobId),
    nowSeconds: () => NOW,
  });
});
afterEach(async () => {
  await api.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function handOver(
  jobId: bigint,
  spec: unknown,
  options: { signer?: Signer; secrets?: Record<string, string>; signedHash?: string } = {},
): Promise<Response> {
  const secrets = options.secrets ?? {};
  const specHash = options.signedHash ?? hashWorkloadSpec(spec as WorkloadSpec);
  const signature = await signNodeMessage(
    options.signer ?? renter,
    specHandoverTypedData(market.chainId, market.address, { jobId, specHash, secretsHash: hashSecrets(secrets) }),
  );
  return fetch(`${api.url}/jobs/${jobId}/spec`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ spec, secrets, signature }),
  });
}

async function read(
  jobId: bigint,
  route: string,
  action: NodeReadAction,
  signer: Signer = renter,
  expiresAt: bigint = NOW + 60n,
): Promise<Response> {
  const header = await signReadRequest(signer, market.chainId, market.address, { jobId, action, expiresAt });
  return fetch(`${api.url}/jobs/${jobId}${route}`, { headers: { [READ_SIGNATURE_HEADER]: header } });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe("POST /jobs/:id/spec", () => {
  it("accepts the renter's signed spec for a job this node won, stores it and starts the executor", async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(batch) });
    const response = await handOver(1n, batch);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      jobId: "1",
      state: "spec-received",
      specHash: hashWorkloadSpec(batch),
    });
    expect(handedOver).toEqual([1n]);
    expect(store.require(1n)).toMatchObject({
      renter: renter.address,
      spec: Buffer.from(canonicalJsonBytes(batch)).toString("utf8"),
    });
    // Sent again: the same answer, nothing stored twice.
    expect((await handOver(1n, batch)).status).toBe(200);
  });

  it("refuses a spec signed by someone other than the renter", async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(batch) });
    const response = await handOver(1n, batch, { signer: stranger });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("NOT_RENTER");
    expect(store.get(1n)).toBeUndefined();
  });

  it("refuses a spec whose hash differs from the job's on-chain spec hash", async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(service) });
    const response = await handOver(1n, batch);
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe("SPEC_HASH_MISMATCH");
  });

  it("refuses a signature over another spec hash (the body's spec was swapped)", async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(batch) });
    const response = await handOver(1n, batch, { signedHash: hashWorkloadSpec(service) });
    expect(response.status).toBe(403);
  });

  it("refuses a job won by another provider, an unknown job and a finished one", async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(batch), provider: stranger.address });
    expect(await errorCode(await handOver(1n, batch))).toBe("NOT_THIS_PROVIDER");
    expect(await errorCode(await handOver(9n, batch))).toBe("UNKNOWN_JOB");
    market.award(2n, { renter: renter.address, specHash: hashWorkloadSpec(batch), state: "Settled" });
    expect(await errorCode(await handOver(2n, batch))).toBe("JOB_NOT_RUNNABLE");
  });

  it("refuses malformed input with a 4xx that says what is wrong, and keeps serving", async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(batch) });
    const post = (body: string, type = "application/json"): Promise<Response> =>
      fetch(`${api.url}/jobs/1/spec`, { method: "POST", headers: { "content-type": type }, body });
    expect(await errorCode(await post("{not json"))).toBe("INVALID_JSON");
    expect((await post("{}", "text/plain")).status).toBe(415);
    expect(await errorCode(await post("[1]"))).toBe("INVALID_HANDOVER");
    const invalid = await post(JSON.stringify({ spec: { ...batch, image: "busybox:latest" }, signature: "0x00" }));
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toMatch(/image/);
    expect(await errorCode(await post(JSON.stringify({ spec: batch, secrets: { A: 1 }, signature: "0x00" })))).toBe(
      "INVALID_SECRETS",
    );
    expect(await errorCode(await post(JSON.stringify({ spec: batch, signature: "0x1234" })))).toBe(
      "MALFORMED_SIGNATURE",
    );
    expect(await errorCode(await post(JSON.stringify({ spec: batch })))).toBe("MISSING_SIGNATURE");
    expect((await post("x".repeat(2 * 1024 * 1024))).status).toBe(413);
    expect((await fetch(`${api.url}/jobs/1/spec`)).status).toBe(405);
    expect((await fetch(`${api.url}/nothing`)).status).toBe(404);
    expect((await fetch(`${api.url}/jobs/1/%%%`)).status).toBe(404);
    expect((await handOver(1n, batch)).status).toBe(202);
  });

  it("refuses a service spec without the secrets it names", async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(service) });
    expect(await errorCode(await handOver(1n, service))).toBe("MISSING_SECRETS");
    expect((await handOver(1n, service, { secrets: { API_TOKEN: "t" } })).status).toBe(202);
  });
});

describe("signed reads", () => {
  beforeEach(async () => {
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(batch) });
    expect((await handOver(1n, batch)).status).toBe(202);
  });

  it("answers the renter's status, and refuses unsigned, foreign, expired and overlong reads", async () => {
    expect(await (await read(1n, "", "status")).json()).toMatchObject({ state: "spec-received" });
    expect((await fetch(`${api.url}/jobs/1`)).status).toBe(401);
    expect(await errorCode(await read(1n, "", "status", stranger))).toBe("NOT_RENTER");
    expect(await errorCode(await read(1n, "", "status", renter, NOW))).toBe("READ_EXPIRED");
    expect(await errorCode(await read(1n, "", "status", renter, NOW + 2n * 86_400n))).toBe("READ_TOO_LONG");
    // A signature for another action does not open this one.
    const header = await signReadRequest(renter, market.chainId, market.address, {
      jobId: 1n,
      action: "logs",
      expiresAt: NOW + 60n,
    });
    expect((await fetch(`${api.url}/jobs/1/manifest`, { headers: { [READ_SIGNATURE_HEADER]: header } })).status).toBe(
      403,
    );
    expect((await fetch(`${api.url}/jobs/1`, { headers: { [READ_SIGNATURE_HEADER]: "garbage" } })).status).toBe(401);
    expect((await read(2n, "", "status")).status).toBe(404);
  });

  it("serves the manifest's exact bytes, its outputs and logs by sha256, and nothing else from the store", async () => {
    expect(await errorCode(await read(1n, "/manifest", "manifest"))).toBe("NO_MANIFEST_YET");
    const output = await content.putBytes(Buffer.from('{"sum":6}\n'));
    const logs = await content.putBytes(Buffer.from("done\n"));
    const other = await content.putBytes(Buffer.from("another job's secret output"));
    const manifest = testManifest({
      outputs: [{ path: "sum.json", size: output.size, sha256: output.sha256 }],
      logsSha256: logs.sha256,
      logsBytes: logs.size,
    });
    const bytes = canonicalJsonBytes(manifest);
    writeFileSync(join(dir, "1.manifest.json"), bytes);
    writeFileSync(join(dir, "1.log"), "done\n");

    const served = Buffer.from(await (await read(1n, "/manifest", "manifest")).arrayBuffer());
    expect(served.equals(Buffer.from(bytes))).toBe(true);
    expect(hashResultManifest(JSON.parse(served.toString("utf8")))).toBe(hashResultManifest(manifest));
    expect(await (await read(1n, `/files/${output.sha256}`, "files")).text()).toBe('{"sum":6}\n');
    expect(await (await read(1n, `/files/${logs.sha256}`, "files")).text()).toBe("done\n");
    expect(await errorCode(await read(1n, `/files/${other.sha256}`, "files"))).toBe("NOT_AN_OUTPUT");
    expect(await errorCode(await read(1n, "/files/..%2F..%2Fetc", "files"))).toBe("INVALID_SHA256");
    expect(await (await read(1n, "/logs", "logs")).text()).toBe("done\n");
  });

  it("streams a running job's live log, and its stored log when the live stream ends empty", async () => {
    store.transition(1n, "running");
    liveLog = async function* () {
      yield Buffer.from("step 1\n");
      yield Buffer.from("step 2\n");
    };
    expect(await (await read(1n, "/logs", "logs")).text()).toBe("step 1\nstep 2\n");
    // The container exited as the stream attached: the engine gives nothing while the runtime saves the whole
    // log, which appears a moment later.
    liveLog = async function* () {};
    setTimeout(() => writeFileSync(join(dir, "1.log"), "gridlease batch example: done\n"), 300);
    expect(await (await read(1n, "/logs", "logs")).text()).toBe("gridlease batch example: done\n");
  });

  it("says a batch job has no service", async () => {
    expect(await errorCode(await read(1n, "/service/", "service"))).toBe("NOT_A_SERVICE");
  });
});

describe("service proxy", () => {
  let upstream: Server;
  beforeEach(async () => {
    upstream = createServer((request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ path: request.url, signed: request.headers[READ_SIGNATURE_HEADER] !== undefined }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    market.award(1n, { renter: renter.address, specHash: hashWorkloadSpec(service) });
    expect((await handOver(1n, service, { secrets: { API_TOKEN: "t" } })).status).toBe(202);
  });
  afterEach(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it("forwards the renter's request while the job runs, without the signature, and refuses once it is over", async () => {
    expect(await errorCode(await read(1n, "/service/health", "service"))).toBe("SERVICE_NOT_RUNNING");
    store.transition(1n, "running");
    const address = upstream.address() as { port: number };
    endpoint = { host: "127.0.0.1", port: address.port };
    const answer = await read(1n, "/service/cgi-bin/infer?x=1", "service");
    expect(await answer.json()).toEqual({ path: "/cgi-bin/infer?x=1", signed: false });
    expect((await read(1n, "/service/health", "service", stranger)).status).toBe(403);
    endpoint = undefined;
    expect(await errorCode(await read(1n, "/service/health", "service"))).toBe("SERVICE_NOT_RUNNING");
  });
});
