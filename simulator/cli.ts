// `npm run simulate -- --seed 7 --days 3`: runs the market simulator (simulator/program.ts) against a local
// chain where the protocol is deployed (`npm start` deploys it, and runs this in --continuous mode). The program
// imports the SDK, whose generated code a clone that was never built lacks: that is said here first, in words,
// instead of as Node's ERR_MODULE_NOT_FOUND.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { missingGeneratedCode } from "../sdk/generated.ts";

const unbuilt = missingGeneratedCode(join(dirname(fileURLToPath(import.meta.url)), ".."));
if (unbuilt !== undefined) {
  console.error(
    `[sim] ${unbuilt} The simulator also needs a chain where the protocol is deployed: \`npm start\` builds, ` +
      "deploys and runs one (with this simulator on it).",
  );
  process.exit(1);
}

await import("./program.ts");
