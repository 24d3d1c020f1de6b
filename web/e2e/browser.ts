// Debian's Chromium through playwright-core (installed by scripts/browser.mjs when missing), with every
// console error and uncaught exception of a page recorded for the test to assert on.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { chromium, type Browser, type Page } from "playwright-core";

import { ROOT } from "./stack.ts";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Installs Chromium if needed (scripts/browser.mjs) and launches it headless. */
export async function launchChromium(): Promise<Browser> {
  const setup = spawnSync(process.execPath, [join(ROOT, "scripts", "browser.mjs")], { encoding: "utf8" });
  if (setup.status !== 0) throw new Error(`scripts/browser.mjs failed:\n${setup.stdout}${setup.stderr}`);
  // As root Chromium refuses its sandbox; the page is our own, served locally.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

/** A page and the console errors and uncaught exceptions it has had. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
}

/** A new page of the browser at `width` x `height`, in the colour scheme asked for, with its errors recorded. */
export async function watchedPage(
  browser: Browser,
  options: { width: number; height: number; dark?: boolean },
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.dark ? "dark" : "light",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return { page, errors };
}
