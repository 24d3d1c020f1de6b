// Gas per registry and token operation on the optimised production build (`npm run gas`). Writes
// gas-snapshots/registry.json and prints the change against the committed snapshot, so a regression
// shows in review.
import { join } from "node:path";

import { registryGas } from "./suites/registry.ts";

(await registryGas()).report("Provider registry and GRL token", join("gas-snapshots", "registry.json"));
