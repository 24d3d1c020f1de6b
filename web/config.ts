// What the page needs to know about its surroundings, served as /config.json by web/server.ts (production)
// and by the Vite dev server (web/vite.config.ts): the page is built once and pointed at any indexer.

/** The page's run-time configuration (GET /config.json). */
export interface DashboardConfig {
  /** The indexer's base URL as the browser reaches it (Ponder answers cross-origin requests). */
  readonly indexerUrl: string;
  /** Milliseconds between two polls of the indexer (a new block shows within about twice this). */
  readonly pollMs: number;
  /**
   * The protocol's deployment the console's wallet actions go to (chain id as a decimal string, contract name
   * -> address), or absent when the server knows none: the console then says so and the explorer still works.
   */
  readonly deployment?: { readonly chainId: string; readonly addresses: Readonly<Record<string, string>> };
}

/** Where the indexer listens unless GRIDLEASE_INDEXER_URL says otherwise (`npm start`'s default). */
export const DEFAULT_DASHBOARD_INDEXER_URL = "http://127.0.0.1:42069";

/**
 * The configuration from the environment: GRIDLEASE_INDEXER_URL and GRIDLEASE_WEB_POLL_MS, and the deployment
 * the console acts on when the caller knows it.
 */
export function dashboardConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  deployment?: DashboardConfig["deployment"],
): DashboardConfig {
  const pollMs = Number(env.GRIDLEASE_WEB_POLL_MS ?? "1000");
  if (!Number.isInteger(pollMs) || pollMs < 100) {
    throw new Error(
      `GRIDLEASE_WEB_POLL_MS=${env.GRIDLEASE_WEB_POLL_MS} is not allowed: use a whole number of milliseconds, 100 or more`,
    );
  }
  return {
    indexerUrl: (env.GRIDLEASE_INDEXER_URL ?? DEFAULT_DASHBOARD_INDEXER_URL).replace(/\/+$/, ""),
    pollMs,
    ...(deployment === undefined ? {} : { deployment }),
  };
}
