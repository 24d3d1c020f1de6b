// vitest runs the off-chain unit tests (the SDK's and the provider node's, next to their code); test/** is Hardhat's mocha suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["sdk/**/*.test.ts", "node/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
