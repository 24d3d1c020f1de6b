import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/**
 * solc-js from the pinned npm `solc` package. A compiler with a `path` is never downloaded, so
 * builds work offline. Every build profile needs it: Hardhat resolves the compilers of all
 * profiles on any build, and Ignition builds with `production`.
 */
function solcJs(settings: Record<string, unknown> = {}) {
  return {
    version: require("solc/package.json").version as string,
    path: require.resolve("solc/soljson.js"),
    settings: { evmVersion: "cancun", ...settings },
  };
}

export default defineConfig({
  // Under vitest (the SDK's unit tests drive an in-process network) no plugins: the toolbox's chai
  // matchers would replace vitest's own `expect`.
  plugins: process.env.VITEST === undefined ? [hardhatToolboxMochaEthers] : [],
  solidity: {
    profiles: {
      // Tests and local work: no optimizer, for fast builds and exact stack traces. The job market is
      // then larger than EIP-170 allows, so the simulated test network lifts the size limit; the
      // production build must fit (`npm run check:sizes`, scripts/check-contract-sizes.ts, checks it in CI).
      default: solcJs(),
      // Deployments (Ignition) and gas figures: via-IR with the optimizer.
      production: solcJs({ viaIR: true, optimizer: { enabled: true, runs: 200 } }),
    },
  },
  paths: {
    tests: {
      mocha: "test",
      solidity: "test/solidity",
    },
  },
  test: {
    solidity: {
      profiles: {
        // Runs in `npm test`: quick enough for CI, still thousands of calls per invariant.
        default: {
          fuzz: { runs: 256 },
          invariant: { runs: 64, depth: 64, failOnRevert: true },
        },
        // `npm run test:deep`: 4x the runs and 4x the depth of the default profile, 16x its calls per
        // invariant. Depth costs more than linearly (the invariants walk every job a run created), so
        // 640 x 640 would take hours per invariant file on a 2-core machine; this one took 46 minutes
        // there (SECURITY.md records the last run).
        deep: {
          fuzz: { runs: 5000 },
          invariant: { runs: 256, depth: 256, failOnRevert: true },
        },
      },
    },
  },
  networks: {
    default: {
      type: "edr-simulated",
      chainType: "l1",
      allowUnlimitedContractSize: true,
    },
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.GRIDLEASE_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
  typechain: {
    outDir: "types/ethers-contracts",
  },
});
