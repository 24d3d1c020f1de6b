// vitest runs the off-chain tests next to their code: the SDK's, the provider node's (real containers through
// Podman), the tooling's (scripts/), the CLI's, the simulator's entry and the web dashboard's, with its browser test (web/e2e/, Debian's Chromium
// through playwright-core, against `npm start`); test/** is Hardhat's mocha suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "sdk/**/*.test.ts",
      "node/**/*.test.ts",
      "web/**/*.test.ts",
      "scripts/**/*.test.ts",
      "mcp/**/*.test.ts",
      "cli/**/*.test.ts",
      "simulator/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "web/dist/**"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
