// The dashboard's figures, measured the same way by its browser test and by `npm run bench:web`: the first
// page's bundle gzipped, the overview's first render with figures, and how long a newly indexed block takes to
// reach the page.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import type { Page } from "playwright-core";

import { type IndexerClient, marketSummary } from "../../sdk/index.ts";

/** Polls `probe` until it returns a value (not undefined or false); fails naming `what`, with `context()` appended. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 500,
  context: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(
    `${what} did not happen within ${timeoutMs / 1000} s${lastError ? ` (last error: ${String(lastError)})` : ""}\n${context()}`,
  );
}

/** A file of the dashboard's build and its size gzipped (level 9). */
export interface BundleFile {
  readonly path: string;
  readonly gzipBytes: number;
}

/** Files of the dashboard's build with their gzipped sizes, and the sum. */
export interface Bundle {
  readonly files: readonly BundleFile[];
  readonly gzipBytes: number;
}

/**
 * What the overview page downloads of the build until its charts are drawn: index.html and every script and
 * style it fetches, the lazily loaded chart code included (the console's chunk is not, as the overview never
 * asks for it), gzipped.
 */
export async function overviewBundle(page: Page, webUrl: string, distDir: string): Promise<Bundle> {
  const paths: string[] = ["index.html"];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (/^\/assets\/[^/]+\.(?:js|css)$/.test(path)) paths.push(path.slice(1));
  });
  await page.goto(`${webUrl}/#/`);
  await page.locator('[data-testid="chart-revenue"][data-points]').waitFor({ timeout: 30_000 });
  const files = [...new Set(paths)].map((path) => ({
    path,
    gzipBytes: gzipSync(readFileSync(join(distDir, path)), { level: 9 }).length,
  }));
  return { files, gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
}

/** Milliseconds from navigating to the overview until its headline figure is on the page. */
export async function overviewFirstRenderMs(page: Page, webUrl: string): Promise<number> {
  const started = Date.now();
  await page.goto(`${webUrl}/#/`);
  await page.getByTestId("kpi-gross-value").waitFor({ timeout: 30_000 });
  return Date.now() - started;
}

/**
 * Milliseconds from the indexer serving a block after `after` until the page shows it (its "as of" block),
 * with the block. The chain must be moving (the simulator running).
 */
export async function newBlockLagMs(
  page: Page,
  indexer: IndexerClient,
  after: bigint,
): Promise<{ block: bigint; lagMs: number }> {
  const block = await waitUntil(
    "a new indexed block",
    async () => {
      const indexed = (await marketSummary(indexer)).asOf.blockNumber;
      return indexed > after ? indexed : undefined;
    },
    60_000,
    100,
  );
  const seen = Date.now();
  await page.waitForFunction(
    (target) =>
      BigInt(document.querySelector('[data-testid="as-of"]')?.getAttribute("data-block") || "0") >= BigInt(target),
    block.toString(),
    { timeout: 10_000, polling: 50 },
  );
  return { block, lagMs: Date.now() - seen };
}
