// `npm run coverage` (scripts/coverage.ts) builds and tests with this config: the project's own, with
// instrumented artifacts (and the TypeChain factories generated from them) kept apart from the normal
// build, so coverage never leaves instrumented bytecode where `npm test`, the gas scripts or Ignition
// would pick it up; the test compilation split from the contracts'; and the mocks left uninstrumented
// (they are test doubles, not protocol code). Tests still import the normal build's types/.
import { defineConfig } from "hardhat/config";
import type { HardhatUserConfig } from "hardhat/types/config";

import config from "./hardhat.config.ts";

export default defineConfig({
  ...config,
  solidity: {
    ...(config.solidity as Record<string, unknown>),
    splitTestsCompilation: true,
  } as HardhatUserConfig["solidity"],
  paths: { ...config.paths, artifacts: "cache/coverage/artifacts", cache: "cache/coverage/cache" },
  coverage: { skipFiles: ["contracts/mocks/**"] },
  typechain: { ...config.typechain, outDir: "cache/coverage/types" },
});
