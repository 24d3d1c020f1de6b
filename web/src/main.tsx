// Loads /config.json, then renders the dashboard (or says what to do when the configuration is missing).
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App.tsx";
import { loadConfig } from "./data/config.ts";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main className="startup-error" role="alert">
        <h1>The dashboard cannot start</h1>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    ),
);
