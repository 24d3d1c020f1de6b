// vitest runs the off-chain unit tests (the SDK's and the web dashboard's, next to their code) and the dashboard's
// browser test (web/e2e/, Debian's Chromium through playwright-core, against `npm start`); test/** is Hardhat's mocha suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["sdk/**/*.test.ts", "web/**/*.test.ts"],
    exclude: ["**/node_modules/**", "web/dist/**"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
