// `npm run bench:web`: the dashboard's targets, measured on the local stack and printed (not part of `npm test`):
// the first page's bundle gzipped (target 400 KB), the overview's first render with figures (target 1.5 s,
// five fresh pages) and how long a newly indexed block takes to reach the page (target 2 s, five blocks).
// It builds the dashboard, starts `npm start`'s stack on free ports with a seeded market (workloads left out),
// and drives Debian's Chromium like the browser test does (web/e2e/measure.ts).
import { JsonRpcProvider } from "ethers";

import { IndexerClient, marketSummary, recentJobs } from "../sdk/index.ts";
import { launchChromium, watchedPage } from "./e2e/browser.ts";
import { newBlockLagMs, overviewBundle, overviewFirstRenderMs, waitUntil } from "./e2e/measure.ts";
import { signalGroup, startStack } from "./e2e/stack.ts";
import { buildDashboard, DIST_DIR } from "./server.ts";

const SAMPLES = 5;
const SIMULATOR = /simulat/;

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms (${values.join(", ")})`;
}

buildDashboard();

const stack = await startStack({ seed: "11", daySeconds: "8", deploymentId: "web-bench", timeoutMs: 900_000 });
const browser = await launchChromium();
const chain = new JsonRpcProvider(stack.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
try {
  const indexer = new IndexerClient({ url: stack.indexerUrl });
  await waitUntil("25 jobs indexed", async () => (await recentJobs(indexer, { limit: 1 })).totalCount >= 25, 600_000);

  const bundlePage = await watchedPage(browser, { width: 1280, height: 900 });
  const bundle = await overviewBundle(bundlePage.page, stack.webUrl, DIST_DIR);
  await bundlePage.page.context().close();
  console.log(
    `bench:web first page's bundle (the overview, charts included): ${bundle.gzipBytes} B gzipped (target 409600 B)`,
  );
  for (const file of bundle.files) console.log(`  ${file.path}: ${file.gzipBytes} B`);

  const renders: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const watched = await watchedPage(browser, { width: 1280, height: 900 });
    renders.push(await overviewFirstRenderMs(watched.page, stack.webUrl));
    await watched.page.context().close();
  }
  console.log(`bench:web overview first render: ${summary(renders)} (target 1500 ms)`);

  // Each sample: the market paused and the indexer at the chain's head, the page showing that block, then the
  // market resumed and the next indexed block timed onto the page.
  const lags: number[] = [];
  const watched = await watchedPage(browser, { width: 1280, height: 900 });
  await watched.page.goto(`${stack.webUrl}/#/`);
  for (let i = 0; i < SAMPLES; i++) {
    signalGroup(stack.childGroup(SIMULATOR), "SIGSTOP");
    const head = await waitUntil(
      "the indexer at the chain's head",
      async () => {
        const [block, indexed] = [
          BigInt(await chain.getBlockNumber()),
          (await marketSummary(indexer)).asOf.blockNumber,
        ];
        return indexed === block ? indexed : undefined;
      },
      60_000,
    );
    await watched.page.locator(`[data-testid="as-of"][data-block="${head}"]`).waitFor({ timeout: 15_000 });
    signalGroup(stack.childGroup(SIMULATOR), "SIGCONT");
    lags.push((await newBlockLagMs(watched.page, indexer, head)).lagMs);
  }
  console.log(`bench:web a new indexed block on the page: ${summary(lags)} (target 2000 ms)`);
} finally {
  chain.destroy();
  await browser.close();
  await stack.stop();
}
