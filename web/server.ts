// The dashboard's production server: web/dist (the `vite build` bundle) served statically, plus
// GET /config.json, which tells the page where the indexer is. node:http only; `npm start` runs it in its
// own process (startWebServer), and `node web/server.ts` runs it alone.
//
// Environment (alone): GRIDLEASE_WEB_PORT (default 5173), GRIDLEASE_INDEXER_URL (default
// http://127.0.0.1:42069), GRIDLEASE_WEB_POLL_MS (default 1000).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { dashboardConfigFromEnv, type DashboardConfig } from "./config.ts";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
/** Where `npm run web:build` writes the bundle. */
export const DIST_DIR = join(webRoot, "dist");

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** Options of {@link startWebServer}. */
export interface WebServerOptions {
  readonly host?: string;
  readonly port: number;
  readonly config: DashboardConfig;
  /** Build the bundle first when web/dist has none (what `npm start` wants on a fresh clone). */
  readonly buildIfMissing?: boolean;
}

/** A running dashboard server. */
export interface WebServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Runs `vite build` for the dashboard; throws with Vite's output when it fails. */
export function buildDashboard(): void {
  const vite = join(webRoot, "..", "node_modules", ".bin", "vite");
  // A test runner's NODE_ENV=test would make Vite bundle React's development build.
  const result = spawnSync(vite, ["build", "--logLevel", "warn"], {
    cwd: webRoot,
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) {
    throw new Error(
      `building the dashboard failed (vite build, exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
}

/** Serves web/dist and /config.json; resolves once listening. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? "127.0.0.1";
  if (!existsSync(join(DIST_DIR, "index.html"))) {
    if (!options.buildIfMissing) {
      throw new Error(
        `the dashboard is not built (no ${join(DIST_DIR, "index.html")}): run \`npm run web:build\` first`,
      );
    }
    buildDashboard();
  }
  const configBody = JSON.stringify(options.config);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/config.json") {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(configBody);
      return;
    }
    // Routes live after the "#", so every other path is a file of the bundle (or index.html).
    const file = normalize(join(DIST_DIR, path === "/" ? "index.html" : path));
    if (!file.startsWith(DIST_DIR + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${path}\n`);
      return;
    }
    // Vite names assets by content hash: they never change, index.html always may.
    const immutable = path.startsWith("/assets/");
    response.writeHead(200, {
      "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    response.end(request.method === "HEAD" ? undefined : readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  return {
    url: `http://${host}:${options.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.env.GRIDLEASE_WEB_PORT ?? "5173");
  startWebServer({ port, config: dashboardConfigFromEnv(process.env), buildIfMissing: true }).then(
    (server) =>
      console.log(
        `[web] the dashboard is on ${server.url} (indexer ${dashboardConfigFromEnv(process.env).indexerUrl})`,
      ),
    (error: unknown) => {
      console.error(`[web] ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
