// The console in Debian's Chromium against the real local stack, with an injected test wallet bound to the demo
// renter (web/e2e/test-wallet.ts; the page's code is the production code): bad input is refused with a clear
// message and sends nothing (the account's nonce does not move); an instant job posted with a USDC permit
// appears, follows the chain live as a simulated provider accepts, starts and delivers it, and is settled from
// the page at once (the renter accepts the result inside its challenge window). Screenshots in web/e2e/out/
// (not committed).
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { Contract, JsonRpcProvider, type Wallet } from "ethers";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { gpuModelId, IndexerClient, JobMarketAbi, listProviders, marketSummary, quoteJob } from "../../sdk/index.ts";
import { loadDeployedAddresses } from "../../sdk/node.ts";
import { hardhatWallet } from "../../simulator/accounts.ts";
import { buildDashboard } from "../server.ts";

import { waitUntil as poll } from "./measure.ts";
import { launchChromium, watchedPage } from "./browser.ts";
import { ROOT, signalGroup, startStack, type Stack } from "./stack.ts";
import { installTestWallet } from "./test-wallet.ts";

const OUT = join(ROOT, "web", "e2e", "out");
const SIMULATOR = /simulat/;
/** scripts/start.ts's demo renter (Hardhat account 2), funded with USDC by start.ts. */
const RENTER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const SPEC_HASH = `0x${"5e".repeat(32)}`;
const DAY = 86_400;

let stack: Stack;
let browser: Browser;
let indexer: IndexerClient;
let chain: JsonRpcProvider;
let marketAddress: string;

/** {@link poll} every second, with the stack's recent output appended to a failure. */
function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  return poll(what, probe, timeoutMs, 1_000, () => stack?.output().slice(-3000) ?? "");
}

async function chainNow(): Promise<number> {
  return (await chain.getBlock("latest"))!.timestamp;
}

/** The simulated providers (Hardhat accounts 100 and up) online and listing H100s. */
async function h100Providers(): Promise<Wallet[]> {
  const online = (await listProviders(indexer, { online: true, gpuModel: gpuModelId("H100"), limit: 100 })).items;
  const addresses = new Set(online.map((provider) => provider.address.toLowerCase()));
  const wallets: Wallet[] = [];
  for (let index = 100; index < 200; index++) {
    const wallet = hardhatWallet(index);
    if (addresses.has(wallet.address.toLowerCase())) wallets.push(wallet.connect(chain) as unknown as Wallet);
  }
  return wallets;
}

async function consolePage(options: { width: number; height: number; dark?: boolean }) {
  const watched = await watchedPage(browser, options);
  await installTestWallet(watched.page, stack.rpcUrl, RENTER_KEY);
  await watched.page.goto(`${stack.webUrl}/#/console`);
  await watched.page.getByTestId("connect").click();
  await watched.page.getByTestId("account").waitFor({ timeout: 30_000 });
  return watched;
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  buildDashboard();
  browser = await launchChromium();
  stack = await startStack({ seed: "11", daySeconds: "8", deploymentId: "web-e2e-console", timeoutMs: 600_000 });
  indexer = new IndexerClient({ url: stack.indexerUrl });
  chain = new JsonRpcProvider(stack.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  marketAddress = loadDeployedAddresses(31337n, { folder: stack.deploymentFolder }).JobMarket!;
  // Wait for the simulated market to have H100 providers online and some awards, then hold it still: from
  // here only this test moves the chain.
  await waitUntil(
    "an eligible H100 provider and a recent H100 price",
    async () => {
      const quote = await quoteJob(indexer, {
        model: "H100",
        gpus: 1,
        durationSeconds: 3600n,
        now: BigInt(await chainNow()),
      });
      return quote.eligibleProviders > 0 && quote.bands[1].awards > 0;
    },
    420_000,
  );
  signalGroup(stack.childGroup(SIMULATOR), "SIGSTOP");
  await waitUntil(
    "the indexer at the chain's head",
    async () => (await marketSummary(indexer)).asOf.blockNumber === BigInt(await chain.getBlockNumber()),
    60_000,
  );
}, 900_000);

afterAll(async () => {
  chain?.destroy();
  await browser?.close();
  await stack?.stop();
}, 60_000);

describe("the console with an injected wallet", () => {
  it("answers 'why no bids?' before gas, and refuses a price above the maximum or with too many decimals, sending nothing", async () => {
    const watched = await consolePage({ width: 1280, height: 1000 });
    const { page } = watched;
    const renter = (await page.getByTestId("account").textContent())!.match(/0x[0-9a-fA-F]{40}/)![0];
    const nonce = await chain.getTransactionCount(renter);
    await page.getByTestId("quote-eligible").waitFor({ timeout: 30_000 });
    expect(Number(await page.getByTestId("quote-eligible").textContent())).toBeGreaterThan(0);
    await page.getByLabel("Spec hash (or paste a spec below)").fill(SPEC_HASH);

    // Below every recent clearing price: the quote warns before anything is spent.
    await page.getByLabel("Max price per GPU-hour (USDC)").fill("0.01");
    await page
      .getByTestId("quote-warnings")
      .filter({ hasText: "below every recent clearing price" })
      .waitFor({ timeout: 15_000 });
    await screenshot(page, "console-warning-1280-light");

    await page.getByLabel("Max price per GPU-hour (USDC)").fill("100000000000000000000000");
    await page.getByTestId("post-job").click();
    await expect
      .poll(async () => page.getByTestId("error-maxPrice").textContent())
      .toMatch(/The maximum price is too large: at most \$79228162514264337593543\.950335 per GPU-hour in USDC/);
    expect(await page.getByTestId("post-notice").textContent()).toMatch(/nothing was sent/);
    await screenshot(page, "console-bad-price-1280-light");

    await page.getByLabel("Max price per GPU-hour (USDC)").fill("1.2345678");
    await page.getByTestId("post-job").click();
    await expect
      .poll(async () => page.getByTestId("error-maxPrice").textContent())
      .toMatch(/The maximum price has 7 decimals but dollars has only 6/);

    await page.getByLabel("GPUs").fill("0");
    await page.getByLabel("Max price per GPU-hour (USDC)").fill("0");
    await page.getByTestId("post-job").click();
    await expect.poll(async () => page.getByTestId("error-gpus").textContent()).toMatch(/between 1 and 1024/);
    expect(await page.getByTestId("error-maxPrice").textContent()).toMatch(/must be above zero/);

    expect(await chain.getTransactionCount(renter)).toBe(nonce);
    expect(watched.errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it("posts an instant job with a permit, follows it live as a provider takes and delivers it, and settles it", async () => {
    const watched = await consolePage({ width: 1280, height: 1000 });
    const { page } = watched;
    await page.getByLabel("Spec hash (or paste a spec below)").fill(SPEC_HASH);
    await page.getByLabel("Max price per GPU-hour (USDC)").fill("40");
    await page.getByLabel("Hours").fill("1");
    await page.getByTestId("quote-ok").waitFor({ timeout: 15_000 });
    await page.getByTestId("post-job").click();
    const posted = await page
      .getByTestId("post-notice")
      .filter({ hasText: "Posted job #" })
      .textContent({ timeout: 60_000 });
    const jobId = BigInt(posted!.match(/#(\d+)/)![1]!);
    const state = page.getByTestId(`my-job-state-${jobId}`);
    await state.filter({ hasText: "Bidding" }).waitFor({ timeout: 30_000 });
    await page.getByTestId(`action-cancelJob-${jobId}`).waitFor({ timeout: 15_000 });
    await screenshot(page, "console-posted-1280-light");

    // A simulated H100 provider takes the job (the first one the market accepts).
    let provider: Wallet | undefined;
    for (const candidate of await h100Providers()) {
      const market = new Contract(marketAddress, JobMarketAbi, candidate);
      try {
        await market.acceptInstantAndStart.staticCall(jobId);
      } catch {
        continue;
      }
      await (await market.acceptInstantAndStart(jobId)).wait();
      provider = candidate;
      break;
    }
    if (provider === undefined) throw new Error(`no simulated provider could accept job #${jobId}`);
    await state.filter({ hasText: "Running" }).waitFor({ timeout: 90_000 });
    await page.getByTestId(`action-stopJob-${jobId}`).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId(`action-cancelJob-${jobId}`).count()).toBe(0);

    const market = new Contract(marketAddress, JobMarketAbi, provider);
    await (await market.deliver(jobId, `0x${"d0".repeat(32)}`, "ipfs://result")).wait();
    await state.filter({ hasText: "Delivered" }).waitFor({ timeout: 90_000 });
    await page.getByTestId(`action-dispute-${jobId}`).waitFor({ timeout: 15_000 });
    // Inside the challenge window the renter may dispute, or accept the result and settle at once.
    await page.getByTestId(`action-settle-${jobId}`).waitFor({ timeout: 15_000 });
    await screenshot(page, "console-delivered-1280-light");

    await page.getByTestId(`action-settle-${jobId}`).click({ timeout: 90_000 });
    await state.filter({ hasText: "Settled" }).waitFor({ timeout: 90_000 });
    expect(await page.getByTestId(`action-dispute-${jobId}`).count()).toBe(0);
    await screenshot(page, "console-settled-1280-light");
    expect(watched.errors).toEqual([]);
    await page.context().close();
  }, 480_000);

  it("renders dark and at phone width, and shows a contract revert in the SDK's plain language", async () => {
    for (const view of [
      { width: 390, height: 844, dark: true, suffix: "phone-dark" },
      { width: 1280, height: 1000, dark: true, suffix: "1280-dark" },
    ]) {
      const watched = await consolePage(view);
      const { page } = watched;
      await page.getByTestId("quote").waitFor({ timeout: 30_000 });
      await page.getByTestId("earnings").waitFor({ timeout: 30_000 });
      await screenshot(page, `console-${view.suffix}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(view.width);
      expect(watched.errors).toEqual([]);
      await page.context().close();
    }
    // A day on, past the GRL/USD feed's heartbeat (the simulator that republishes it is paused), the market
    // refuses a new job, and the page says why in the SDK's words.
    await chain.send("evm_increaseTime", [DAY + 60]);
    await chain.send("evm_mine", []);
    const watched = await consolePage({ width: 1280, height: 1000 });
    const { page } = watched;
    const renter = (await page.getByTestId("account").textContent())!.match(/0x[0-9a-fA-F]{40}/)![0];
    const nonce = await chain.getTransactionCount(renter);
    await page.getByLabel("Spec hash (or paste a spec below)").fill(SPEC_HASH);
    await page.getByLabel("Max price per GPU-hour (USDC)").fill("40");
    await page.getByTestId("post-job").click();
    const message = await page
      .getByTestId("post-notice")
      .filter({ hasText: "Posting the job failed" })
      .textContent({ timeout: 60_000 });
    expect(message).toMatch(/The GRL\/USD price is stale/);
    expect(message).not.toMatch(/execution reverted/);
    expect(await chain.getTransactionCount(renter)).toBe(nonce);
    await screenshot(page, "console-revert-1280-light");
    await page.context().close();
  }, 180_000);
});
