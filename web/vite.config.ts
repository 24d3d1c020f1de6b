// Vite for the dashboard: `npm run web:dev` (dev server with /config.json, as web/server.ts serves it in
// production) and `npm run web:build` (web/dist). The SDK is imported from ../sdk, outside this root.
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

import { dashboardConfigFromEnv } from "./config.ts";

/** GET /config.json in the dev server, from the same environment variables as web/server.ts. */
function configEndpoint(): Plugin {
  return {
    name: "gridlease-config-json",
    configureServer(server) {
      server.middlewares.use("/config.json", (_request, response) => {
        response.setHeader("content-type", "application/json");
        response.setHeader("cache-control", "no-store");
        response.end(JSON.stringify(dashboardConfigFromEnv(process.env)));
      });
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), configEndpoint()],
  server: { host: "127.0.0.1", port: Number(process.env.GRIDLEASE_WEB_PORT ?? "5173"), fs: { allow: [".."] } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1500 },
});
