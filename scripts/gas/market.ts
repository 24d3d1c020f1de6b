// Gas of every market entry point and of whole job lifecycles on the optimised production build
// (`npm run gas`). Writes gas-snapshots/market.json and prints the change against the committed snapshot.
import { join } from "node:path";

import { marketGas } from "./suites/market.ts";

(await marketGas()).table.report("Job market", join("gas-snapshots", "market.json"));
