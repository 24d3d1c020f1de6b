// vitest runs the off-chain unit tests (the SDK's, next to its code); test/** is Hardhat's mocha suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["sdk/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
