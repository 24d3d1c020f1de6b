// Gas of the burn-mint settlement and of credit jobs on the optimised production build (`npm run gas`).
// Writes gas-snapshots/settlement.json and prints the change against the committed snapshot.
import { join } from "node:path";

import { settlementGas } from "./suites/settlement.ts";

(await settlementGas()).table.report("Settlement (burn-mint)", join("gas-snapshots", "settlement.json"));
