import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_ABIS, missingGeneratedCode } from "./generated.ts";
import { PROJECT_ROOT, scratchFolders } from "./test-support.ts";

describe("missingGeneratedCode", () => {
  const newRoot = scratchFolders("gridlease-generated-");

  it("names the missing file and the command that makes it", () => {
    const message = missingGeneratedCode(newRoot());
    expect(message).toContain("sdk/abis/index.ts");
    expect(message).toContain("npm run build -- --no-tests");
  });

  it("has nothing to say once the ABIs are generated, as in this project after its build", () => {
    const root = newRoot();
    const file = join(root, GENERATED_ABIS);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "export {};\n");
    expect(missingGeneratedCode(root)).toBeUndefined();
    expect(missingGeneratedCode(PROJECT_ROOT)).toBeUndefined();
  });
});
