// The page's configuration, from GET /config.json (web/server.ts, or the dev server's plugin).
import type { DashboardConfig } from "../../config.ts";

/** Fetches /config.json; throws saying which server to start when it is not there. */
export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(
      `GET /config.json answered HTTP ${response.status}: open the dashboard through its server ` +
        "(`npm start`, `node web/server.ts` or `npm run web:dev`), not as a file",
    );
  }
  return (await response.json()) as DashboardConfig;
}
